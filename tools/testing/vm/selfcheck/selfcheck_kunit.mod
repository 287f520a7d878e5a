/work/main/tools/testing/vm/selfcheck/selfcheck_kunit.o
