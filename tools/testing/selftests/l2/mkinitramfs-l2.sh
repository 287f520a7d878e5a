#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs-l2.sh OUT.cpio.gz: the L2 guest's initramfs for the stock
# Debian 6.12 kernel: busybox-static, l2-init.sh as /init, and the image's
# own virtio_net and virtio_blk modules with what they depend on
# (decompressed: busybox's insmod wants plain ELF). The kernel's release
# goes next to OUT in "l2-kernel": the L1 test boots /host/boot/vmlinuz-<it>.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../vm/lib.sh"
need_pkgs busybox-static cpio kmod gzip xz-utils

OUT=$1
# the newest stock 6.12 image installed (run-vm.sh --stock installs it)
ABI=$(find /boot -maxdepth 1 -name 'vmlinuz-6.12.*+deb12-amd64' | sed 's|.*/vmlinuz-||' |
	sort -V | tail -1)
if [ -z "$ABI" ]; then
	ABI=$(stock_abi)
	[ -n "$ABI" ] || die "no linux-image-6.12.*+deb12-amd64 in the package lists"
	need_pkgs "linux-image-$ABI"
fi
MODDIR=/lib/modules/$ABI
[ -f "$MODDIR/modules.dep" ] || die "no modules for $ABI in $MODDIR"

ST=$(mktemp -d "${TMPDIR:-/tmp}/pasidvm-l2.XXXXXX")
trap 'rm -rf "$ST"' EXIT
chmod 0755 "$ST"
mkdir -p "$ST"/{bin,dev,proc,sys,tmp} "$ST/lib/modules/$ABI"
cp /bin/busybox "$ST/bin/busybox"
ln -s busybox "$ST/bin/sh"	# /init installs the other applets
for f in modules.order modules.builtin modules.builtin.modinfo; do
	cp "$MODDIR/$f" "$ST/lib/modules/$ABI/"
done
for m in virtio_net virtio_blk; do
	for p in $(modprobe -S "$ABI" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'); do
		rel=${p#"$MODDIR"/}
		mkdir -p "$ST/lib/modules/$ABI/$(dirname "$rel")"
		case "$rel" in
		*.ko.xz) xz -dc "$p" >"$ST/lib/modules/$ABI/${rel%.xz}" ;;
		*.ko.zst) zstd -qdc "$p" >"$ST/lib/modules/$ABI/${rel%.zst}" ;;
		*.ko.gz) gzip -dc "$p" >"$ST/lib/modules/$ABI/${rel%.gz}" ;;
		*) cp "$p" "$ST/lib/modules/$ABI/$rel" ;;
		esac
	done
done
depmod -b "$ST" "$ABI" || die "depmod failed"
cp "$HERE/l2-init.sh" "$ST/init"
chmod +x "$ST/init"
(cd "$ST" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$ABI" >"$(dirname "$OUT")/l2-kernel"
