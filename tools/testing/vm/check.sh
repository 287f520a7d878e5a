#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every set-up step on a fresh Debian 12 machine, the builds and
# static checks, the test VM (KUnit, selftests, kernel-log scan) and in it
# the harness self-proof, the stock-kernel smoke, the suites on Debian 12's default 6.1
# kernel and DKMS on the host. Prints results per suite and ends with
# exactly one line "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

PASSED=0 FAILED=0
declare -a FAILS=()
pass() { PASSED=$((PASSED + ${2:-1})); echo "  ok   $1"; }
fail() { FAILED=$((FAILED + ${2:-1})); FAILS+=("$1"); echo "  FAIL $1"; }
section() { echo; echo "=== $* ($(date +%T))"; }
LOGS=$TREE/build/check
rm -rf "$LOGS" && mkdir -p "$LOGS"
T0=$(date +%s)

section "set-up"
(
	set -e
	need_pkgs build-essential bc flex bison libelf-dev libssl-dev cpio kmod xz-utils \
		python3 python3-sphinx rsync sparse busybox-static qemu-system-x86 iproute2 mdevctl \
		linux-source-6.12 util-linux gzip libc6-dev
	kernel_src >/dev/null
	uapi_headers >/dev/null
) || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }
KSRC=$(kernel_src)
pass "packages, kernel source and uAPI headers"

section "test kernel"
t=$(date +%s)
if KDIR=$("$VM_DIR/build-kernel.sh"); then
	pass "test kernel ready in $(($(date +%s) - t)) s: $KDIR"
else
	fail "test kernel build"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi
export KDIR

section "build and static checks"
make -s -C "$KDIR" M="$TREE" clean >/dev/null 2>&1
# W=1 for every build of this run (what "make W=1" sets): the test VM's
# and sparse's builds of the same tree then find the objects up to date
# instead of compiling them all again for a different command line.
export KBUILD_EXTRA_WARN=1
if make -C "$KDIR" M="$TREE" -j"$(nproc)" modules >"$LOGS/build-W1.log" 2>&1; then
	if grep -E 'warning:' "$LOGS/build-W1.log"; then
		fail "W=1 build has warnings ($LOGS/build-W1.log)"
	else
		pass "modules build W=1 warning-free against the test kernel"
	fi
else
	tail -20 "$LOGS/build-W1.log"
	fail "module build against the test kernel"
fi
# step NAME LOG CMD...: one counted check, its output kept in LOG
step() {
	local name=$1 log=$LOGS/$2
	shift 2
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		tail -30 "$log"
		fail "$name (see $log)"
	fi
}
step "sparse C=2 clean" sparse.out "$VM_DIR/sparse.sh"
step "checkpatch --strict clean" checkpatch.out "$VM_DIR/checkpatch.sh"
step "kernel-doc: every comment parses, every export and uAPI struct documented" \
	kerneldoc.out "$VM_DIR/kerneldoc.sh"
step "Documentation builds with Sphinx without a warning" htmldocs.out "$VM_DIR/htmldocs.sh"
step "selftests and samples build" userspace.log "$VM_DIR/build-userspace.sh" "$TREE/build/user"

# count_results results.json label: the modules' tests count one by one; the
# platform selftests (KVM, VT-d, QEMU's device: the VM, not our modules)
# count as one check "platform", so that a broken VM fails make check
# without inflating or hiding the modules' numbers.
count_results() {
	local p f pp pf
	if [ -f "$1" ]; then
		read -r p f pp pf < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
pl = r.get("platform", {})
print(r["passed"], r["failed"], pl.get("passed", -1), pl.get("failed", 0))' "$1")
		PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
		[ "$f" -eq 0 ] || FAILS+=("$2: $f failed")
		if [ "$pp" -ge 0 ]; then
			if [ "$pf" -eq 0 ]; then
				pass "$2: platform (KVM, VT-d, QEMU's edu device): $pp passed, not counted above"
			else
				fail "$2: platform (KVM, VT-d, QEMU's edu device): $pf failed"
			fi
		fi
	else
		fail "$2: no results"
	fi
}

section "test VM: KUnit, selftests, kernel-log scan, with the harness self-proof's planted failures"
# every suite but the real client's (l2), which runs on the stock kernel
# below: its L2 guest boots in about 20 s under a stock L1, about 90 s
# under this KASAN/lockdep kernel. The self-proof's modules and test run in
# the same boot (--with-selfcheck); results.py keeps exactly their planted
# failures out of the modules' counts, in results.json's section
# "selfcheck", judged in the next step.
t=$(date +%s)
# no results.json of an earlier run counts if this one fails to boot
rm -f "$TREE/build/vm/check/results.json"
"$VM_DIR/run-vm.sh" --skip-suite l2 --with-selfcheck --out "$TREE/build/vm/check" 2>&1 |
	tee "$LOGS/vm-check.log"
count_results "$TREE/build/vm/check/results.json" "test VM"
echo "  (test VM step took $(($(date +%s) - t)) s)"

section "harness self-proof (the test VM's planted failures, each caught by its detector)"
[ ! -f "$TREE/build/vm/check/results.json" ] ||
	python3 "$VM_DIR/selfcheck/verify.py" "$TREE/build/vm/check/results.json" >"$LOGS/selfcheck.out" 2>&1
cat "$LOGS/selfcheck.out" 2>/dev/null
line=$(grep -E '^selfcheck: [0-9]+ passed, [0-9]+ failed$' "$LOGS/selfcheck.out" 2>/dev/null | tail -1)
if [ -n "$line" ]; then
	p=$(echo "$line" | awk '{print $2}'); f=$(echo "$line" | awk '{print $4}')
	PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
	[ "$f" -eq 0 ] || FAILS+=("harness self-proof: $f planted failures not caught")
else
	fail "harness self-proof did not run"
fi

section "stock Debian 6.12 kernel: build and load (the real test host)"
"$VM_DIR/run-vm.sh" --stock --smoke --out "$TREE/build/vm/smoke-stock" 2>&1 | tee "$LOGS/vm-stock.log"
count_results "$TREE/build/vm/smoke-stock/results.json" "stock kernel smoke"

section "the real client: stock QEMU, an L2 guest on the stock kernel, the virtio-pci personality"
t=$(date +%s)
"$VM_DIR/run-vm.sh" --stock --suite l2 --out "$TREE/build/vm/l2-stock" 2>&1 | tee "$LOGS/vm-l2.log"
count_results "$TREE/build/vm/l2-stock/results.json" "real client (L2)"
echo "  (real-client step took $(($(date +%s) - t)) s)"
# of which the L2 test measures its own share
l2=$(grep -h '^# l2: ' "$TREE/build/vm/l2-stock/selftests/l2/l2_test.tap" 2>/dev/null | tail -1)
[ -z "$l2" ] || echo "  (${l2#\# l2: })"

section "Debian 12's default kernel (6.1): build and the suites that exist there"
t=$(date +%s)
"$VM_DIR/run-vm.sh" --stock61 --out "$TREE/build/vm/stock61" 2>&1 | tee "$LOGS/vm-stock61.log"
count_results "$TREE/build/vm/stock61/results.json" "stock 6.1 kernel"
echo "  (stock 6.1 step took $(($(date +%s) - t)) s)"

section "DKMS on this host: add, build, install, remove for every kernel's headers"
t=$(date +%s)
if [ "$(id -u)" -eq 0 ]; then
	"$VM_DIR/check-dkms.sh" 2>&1 | tee "$LOGS/dkms.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOGS/dkms.log" | tail -1)
	if [ -n "$line" ]; then
		p=${line%% *}; f=$(echo "$line" | awk '{print $3}')
		PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
		[ "$f" -eq 0 ] || FAILS+=("DKMS: $f failed")
	else
		fail "DKMS check did not run (see $LOGS/dkms.log)"
	fi
else
	echo "  skipped: dkms needs root (run make check-dkms as root)"
fi
echo "  (DKMS step took $(($(date +%s) - t)) s)"

section "summary"
for f in "${FAILS[@]}"; do echo "  failed: $f"; done
echo "make check took $(($(date +%s) - T0)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
