/work/main/tools/testing/vm/selfcheck/selfcheck_faults.o
