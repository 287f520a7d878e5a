#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-dkms: DKMS as a user runs it, on this host (root): dkms add,
# then for each kernel "dkms build -k" and "dkms install -k" (signed with
# the key dkms itself uses), then "dkms remove --all". Per kernel it checks
# that the build succeeds, that exactly the product modules are installed
# (pvm_ioasid, vhost_vfio only where the kernel has the vDPA bus,
# vfio_iommu_nested only where it has the VFIO container, sva_sim where
# vfio_iommu_nested and kvm_pasid are; never a test
# module), with our MODULE_VERSION, dkms's signature and the
# kernel's vermagic, that modprobe resolves them to the DKMS copies, and
# that a kernel without vDPA or the VFIO container says so instead of
# failing.
#
#   check-dkms.sh [KVER...]   default: every kernel with /lib/modules/KVER/build
#
# It cleans up after itself, also on failure: nothing of ours is left in
# /usr/src, /var/lib/dkms or /lib/modules, and a signing key dkms generated
# during the run is removed again. Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "check-dkms.sh runs dkms and needs root"
need_pkgs dkms openssl kmod

PKG=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$TREE/dkms.conf")
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TREE/dkms.conf")
[ -n "$PKG" ] && [ -n "$VER" ] || die "no PACKAGE_NAME/PACKAGE_VERSION in dkms.conf"
SRCDIR=/usr/src/$PKG-$VER
KEY=/var/lib/dkms/mok.key CERT=/var/lib/dkms/mok.pub

if [ $# -gt 0 ]; then
	KVERS=("$@")
else
	mapfile -t KVERS < <(for d in /lib/modules/*/build/.config; do
		[ -e "$d" ] && basename "$(dirname "$(dirname "$d")")"; done | sort -V)
fi
[ ${#KVERS[@]} -gt 0 ] || die "no kernel headers installed (linux-headers-*)"

exec 8>/tmp/pasid-vm-dkms.lock
flock -n 8 || { note "another check-dkms run holds /tmp/pasid-vm-dkms.lock; waiting"; flock 8; }

# Never touch a user's own installation of the package.
if [ -e "/var/lib/dkms/$PKG" ] || [ -e "$SRCDIR" ]; then
	die "$PKG is already known to dkms ($SRCDIR or /var/lib/dkms/$PKG): not touching it"
fi

PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "  ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL $*"; }
LOGS=$TREE/build/check-dkms
rm -rf "$LOGS" && mkdir -p "$LOGS"
T0=$(date +%s)

# What the run may change, to compare after the clean-up.
snapshot() { # KVER: our files and the module index of that kernel
	find "/lib/modules/$1" -path "/lib/modules/$1/kernel" -prune -o -print | sort
	sha256sum "/lib/modules/$1/modules.dep" "/lib/modules/$1/modules.alias" 2>/dev/null
}
had_key=0
[ -f "$KEY" ] && [ -f "$CERT" ] && had_key=1
for k in "${KVERS[@]}"; do snapshot "$k" >"$LOGS/before-$k"; done
ls -A /var/lib/dkms >"$LOGS/before-var-lib-dkms"

cleanup() {
	dkms remove "$PKG/$VER" --all >>"$LOGS/remove.log" 2>&1
	rm -rf "$SRCDIR" "${STAGE:-}"
	[ $had_key = 1 ] || rm -f "$KEY" "$CERT"
	for k in "${KVERS[@]}"; do
		# directories dkms created for us, when they are empty again
		rmdir "/lib/modules/$k/updates/dkms" "/lib/modules/$k/updates" 2>/dev/null
	done
}
trap cleanup EXIT

# The tracked tree only, as a release tarball would hold it.
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/pasid-vm-dkms.XXXXXX")
rsync -a --exclude /build --exclude /.git --filter=':- .gitignore' "$TREE/" "$STAGE/$PKG-$VER/"

echo "=== dkms $(dkms --version | sed 's/^dkms-//'): $PKG $VER for ${KVERS[*]}"
if dkms add "$STAGE/$PKG-$VER" >"$LOGS/add.log" 2>&1; then
	pass "dkms add"
else
	cat "$LOGS/add.log"; fail "dkms add"
fi

for k in "${KVERS[@]}"; do
	echo "--- $k"
	kconf=/lib/modules/$k/build/.config
	# the rule of README's DKMS part: vhost_vfio from 6.12 on, with vDPA
	want="pvm_ioasid vhost_vfio"
	for o in CONFIG_VDPA CONFIG_VHOST_IOTLB CONFIG_VFIO_MDEV; do
		grep -q "^$o=[ym]$" "$kconf" || want=pvm_ioasid
	done
	[ "$(printf '6.12\n%s\n' "$k" | sort -V | head -1)" = 6.12 ] || want=pvm_ioasid
	novdpa=$([ "$want" = pvm_ioasid ] && echo 1)
	# vfio_iommu_nested from 6.12 on, with the VFIO container and IOMMU API
	want_vn=vfio_iommu_nested
	for o in CONFIG_VFIO_CONTAINER CONFIG_IOMMU_API; do
		grep -q "^$o=[ym]$" "$kconf" || want_vn=
	done
	[ "$(printf '6.12\n%s\n' "$k" | sort -V | head -1)" = 6.12 ] || want_vn=
	want="$want${want_vn:+ $want_vn}"
	# pvm_viommu wherever vfio_iommu_nested is
	[ -n "$want_vn" ] && want="$want pvm_viommu"
	# kvm_pasid wherever the kernel has KVM
	want_kp=
	grep -q "^CONFIG_KVM=[ym]$" "$kconf" && want_kp=kvm_pasid
	want="$want${want_kp:+ $want_kp}"
	# sva_sim where both of them are built, with mdev
	want_ss=
	[ -n "$want_vn" ] && [ -n "$want_kp" ] &&
		grep -q "^CONFIG_VFIO_MDEV=[ym]$" "$kconf" && want_ss=sva_sim
	want="$want${want_ss:+ $want_ss}"
	t=$(date +%s)
	if dkms build "$PKG/$VER" -k "$k" >"$LOGS/build-$k.log" 2>&1; then
		pass "dkms build -k $k ($(($(date +%s) - t)) s)"
	else
		tail -30 "$LOGS/build-$k.log"
		find "/var/lib/dkms/$PKG/$VER/build" -name make.log -exec tail -30 {} \; 2>/dev/null
		fail "dkms build -k $k (see $LOGS/build-$k.log)"
		continue
	fi
	mlog=/var/lib/dkms/$PKG/$VER/$k/$(uname -m)/log/make.log
	cp "$mlog" "$LOGS/make-$k.log" 2>/dev/null
	if [ -z "$want_vn" ]; then
		if grep -q 'vfio_iommu_nested is skipped' "$LOGS/build-$k.log" &&
		   grep -q 'vfio_iommu_nested skipped' "$LOGS/make-$k.log"; then
			pass "$k has no VFIO container API: dkms and Kbuild say vfio_iommu_nested is skipped"
		else
			fail "$k has no VFIO container API but no skip message from dkms.conf and Kbuild"
		fi
		if grep -q 'pvm_viommu is skipped' "$LOGS/build-$k.log" &&
		   grep -q 'pvm_viommu skipped' "$LOGS/make-$k.log"; then
			pass "$k has no VFIO container API: dkms and Kbuild say pvm_viommu is skipped"
		else
			fail "$k has no VFIO container API but no pvm_viommu skip message from dkms.conf and Kbuild"
		fi
	fi
	if [ -z "$want_ss" ]; then
		if grep -q 'sva_sim is skipped' "$LOGS/build-$k.log" &&
		   grep -q 'sva_sim skipped' "$LOGS/make-$k.log"; then
			pass "$k has no nested backend: dkms and Kbuild say sva_sim is skipped"
		else
			fail "$k cannot build sva_sim but no skip message from dkms.conf and Kbuild"
		fi
	fi
	if [ -n "$novdpa" ]; then
		if grep -q 'vhost_vfio is skipped' "$LOGS/build-$k.log" &&
		   grep -q 'vhost_vfio skipped' "$LOGS/make-$k.log"; then
			pass "$k has no vDPA bus: dkms and Kbuild say vhost_vfio is skipped"
		else
			fail "$k has no vDPA bus but no skip message from dkms.conf and Kbuild"
		fi
	fi
	if grep -Eq '_kunit|_bench|_testdev' "$LOGS/make-$k.log"; then
		fail "$k: DKMS compiled test-only modules (see $LOGS/make-$k.log)"
	else
		pass "$k: DKMS compiles no test-only module"
	fi

	if dkms install "$PKG/$VER" -k "$k" >"$LOGS/install-$k.log" 2>&1; then
		pass "dkms install -k $k"
	else
		tail -30 "$LOGS/install-$k.log"; fail "dkms install -k $k"
		continue
	fi
	dir=/lib/modules/$k/updates/dkms
	got=$(find "$dir" -name '*.ko*' -printf '%f\n' 2>/dev/null | sed 's/\.ko.*//' | sort | xargs)
	if [ "$got" = "$(echo "$want" | tr ' ' '\n' | sort | xargs)" ]; then
		pass "$k: installed exactly: $got"
	else
		fail "$k: installed '$got', expected '$want'"
	fi
	for m in $want; do
		f=$(find "$dir" -name "$m.ko*" | head -1)
		[ -n "$f" ] || continue
		ver=$(modinfo -F version "$f") signer=$(modinfo -F signer "$f")
		vm=$(modinfo -F vermagic "$f" | awk '{print $1}')
		path=$(modprobe -S "$k" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }' | tail -1)
		if [ "$ver" = "$VER" ] && [ "$signer" = "DKMS module signing key" ] &&
		   [ "$vm" = "$k" ] && [ "$path" = "$f" ]; then
			pass "$k: $m version $ver, signed by dkms, vermagic $vm, modprobe finds it"
		else
			fail "$k: $m version '$ver' signer '$signer' vermagic '$vm' modprobe -> '$path'"
		fi
	done
done

dkms status "$PKG" >"$LOGS/status.log" 2>&1
if dkms remove "$PKG/$VER" --all >"$LOGS/remove.log" 2>&1; then
	pass "dkms remove --all"
else
	cat "$LOGS/remove.log"; fail "dkms remove --all"
fi
cleanup
trap - EXIT

left=""
[ -e "/var/lib/dkms/$PKG" ] && left+=" /var/lib/dkms/$PKG"
[ -e "$SRCDIR" ] && left+=" $SRCDIR"
ls -A /var/lib/dkms | diff -q "$LOGS/before-var-lib-dkms" - >/dev/null || left+=" /var/lib/dkms(changed)"
for k in "${KVERS[@]}"; do
	snapshot "$k" | diff "$LOGS/before-$k" - >"$LOGS/after-$k.diff" || left+=" /lib/modules/$k"
done
if [ -z "$left" ]; then
	pass "clean-up: nothing left in /usr/src, /var/lib/dkms or /lib/modules"
else
	fail "clean-up left:$left (see $LOGS/after-*.diff)"
fi

echo "check-dkms took $(($(date +%s) - T0)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
