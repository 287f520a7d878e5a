# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the PASID/vSVA and vDPA module tree.
#
#   make                 build every module against KDIR
#   make W=1             the same with extra warnings (must stay clean)
#   make sparse          sparse (C=2) over every module, fails on any report
#   make checkpatch      checkpatch.pl --strict over the whole tree
#   make kerneldoc       kernel-doc: comments parse, exports and uAPI documented
#   make htmldocs        Documentation/ with Sphinx (warnings are errors)
#   make kernel          build (or reuse from cache) the project's test kernel
#   make selftests       build the userspace selftests and samples
#   make check           everything: set-up, build, boot the test VM, run
#                        KUnit + selftests + log scan, the harness self-proof
#                        and the stock-kernel smoke; ends "N passed, N failed"
#   make run             boot the stock Debian 6.12 kernel with the modules
#                        a user loads (no tests) and run the examples: the
#                        VMM's story step by step
#   make clean           module objects, userspace binaries, build/
#   make vm              interactive shell in the test VM
#   make bench           run the benchmarks on the stock kernel in a VM
#   make bench-debug     the same on the debug test kernel
#   make check-mainline  compile check (W=1, imported symbols exported)
#                        against Debian unstable's newest linux-source
#   make install         install the product modules (no test modules)
#                        into /lib/modules of KDIR's kernel
#   make check-dkms      dkms add/build/install/remove on the host for the
#                        installed Debian 6.1 and 6.12 headers (root)
#   make stress          the random ioctl stress in the test VM for
#                        STRESS_SECONDS (600); STRESS_SEED=N replays a run
#
# KDIR defaults to /lib/modules/$(uname -r)/build when it exists, otherwise
# to the project's test kernel (built on first use, resumed if interrupted).

VM := $(CURDIR)/tools/testing/vm
KDIR ?= $(shell $(VM)/kdir.sh)
TEST_KDIR := $(shell bash -c '. $(VM)/lib.sh; kernel_dir')

export KDIR

.PHONY: all modules clean sparse checkpatch kerneldoc htmldocs kernel selftests check run vm bench bench-debug \
	check-mainline check-dkms stock-modules install help stress

all: modules

# The test kernel counts as built only once build-kernel.sh has written its
# completion stamp .build-ok: a build interrupted half-way has a Makefile
# but no stamp, and build-kernel.sh resumes it (make's incremental build in
# the same directory) instead of it being used half-done. Another KDIR must
# simply exist.
ifeq ($(abspath $(KDIR)),$(abspath $(TEST_KDIR)))
KDIR_READY := $(TEST_KDIR)/.build-ok
$(KDIR_READY):
	@$(VM)/build-kernel.sh >/dev/null
else
KDIR_READY := $(KDIR)/Makefile
$(KDIR_READY):
	@echo "error: KDIR=$(KDIR) has no kernel build tree" >&2; exit 1
endif

modules: $(KDIR_READY)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Only the modules a user needs: PVM_TESTS=n leaves the test-only ones out
# of the build's module list, which modules_install follows.
install: $(KDIR_READY)
	$(MAKE) -C $(KDIR) M=$(CURDIR) PVM_TESTS=n modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) PVM_TESTS=n modules_install

# The userspace programs build into build/user; "clean" in their directories
# removes what a plain "make -C <dir>" would have left there.
USER_DIRS := $(patsubst %/Makefile,%,$(wildcard tools/testing/selftests/*/Makefile samples/*/Makefile))

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	@for d in $(USER_DIRS); do $(MAKE) -s -C $$d clean OUTPUT=. || exit 1; done
	rm -rf build

kernel:
	@$(VM)/build-kernel.sh

# sparse prints its reports as warnings without failing the build: the
# script keeps the output and fails on any report.
sparse: $(KDIR_READY)
	@$(VM)/sparse.sh

checkpatch:
	@$(VM)/checkpatch.sh

kerneldoc:
	@$(VM)/kerneldoc.sh

htmldocs:
	@$(VM)/htmldocs.sh

selftests:
	@$(VM)/build-userspace.sh

check:
	@$(VM)/check.sh

run:
	@$(VM)/run-vm.sh --run --stock $(RUN_ARGS)

vm:
	@$(VM)/run-vm.sh --shell

# Benchmarks run on the stock kernel (production-like); bench-debug runs
# them on the KASAN/lockdep test kernel.
bench:
	@$(VM)/run-vm.sh --bench --stock

bench-debug:
	@$(VM)/run-vm.sh --bench

# Not part of "check": it depends on what Debian unstable carries today.
check-mainline:
	@$(VM)/check-mainline.sh

check-dkms:
	@$(VM)/check-dkms.sh

# The stress (tools/testing/selftests/stress/) on the debug test kernel for as
# long as asked. STRESS_SEED, STRESS_TARGETS, STRESS_PROCS, STRESS_THREADS and
# STRESS_OP_TIMEOUT reach it through the kernel command line when set.
STRESS_SECONDS ?= 600
STRESS_VARS := STRESS_SEED STRESS_TARGETS STRESS_PROCS STRESS_THREADS STRESS_OP_TIMEOUT
stress:
	@PASID_VM_TIMEOUT=$${PASID_VM_TIMEOUT:-$$(($(STRESS_SECONDS) + 900))} \
	PASID_VM_ENV="STRESS_SECONDS=$(STRESS_SECONDS) PASIDVM_TEST_TIMEOUT=$$(($(STRESS_SECONDS) + 300)) \
	$(foreach v,$(STRESS_VARS),$(if $($(v)),$(v)=$($(v))))" \
	$(VM)/run-vm.sh --suite stress --out $(CURDIR)/build/vm/stress

help:
	@sed -n "3,33p" Makefile
