#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs from busybox-static, our modules, the in-tree
# modules they need, the userspace test binaries and the init script.
#
# mkinitramfs.sh OUT.cpio.gz KREL MODSRC USERDIR LIST [KO...]
#   KREL    kernel release the initramfs is for
#   MODSRC  a directory holding lib/modules/KREL (from modules_install) or
#           /lib/modules/KREL itself for an installed kernel
#   USERDIR build/user (selftests/, samples/) or "-" for none; several
#           directories separated by ":" are merged (run-vm.sh
#           --with-selfcheck adds the self-proof's test to build/user's)
#   LIST    the modules.list to load in the VM
#   KO...   our .ko files, installed under lib/modules/KREL/extra
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_pkgs busybox-static cpio kmod gzip

[ $# -ge 5 ] || die "usage: mkinitramfs.sh OUT KREL MODSRC USERDIR LIST [KO...]"
OUT=$1 KREL=$2 MODSRC=$3 USERDIR=$4 LIST=$5
shift 5

ST=$(mktemp -d "${TMPDIR:-/tmp}/pasidvm-initramfs.XXXXXX")
trap 'rm -rf "$ST"' EXIT
# mktemp makes it 0700: the VM's / must be searchable by tests that drop
# to another uid
chmod 0755 "$ST"
mkdir -p "$ST"/{bin,sbin,etc,proc,sys,dev,tmp,out,host,root,lib64,usr/lib} \
	"$ST/lib/modules/$KREL/extra"

# busybox and its applets
cp /bin/busybox "$ST/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$ST/bin/$a" ] || ln -s busybox "$ST/bin/$a"
done
# The kernel's request_module() runs /sbin/modprobe (modprobe_path), as on
# a distribution: without it every module a module asks for is silently
# missing (vfio_iommu_nested asks for vfio_iommu_type1, to register after it)
ln -s ../bin/busybox "$ST/sbin/modprobe"

# copy_bin PATH: a dynamically linked host tool and the libraries it needs
copy_bin() {
	local bin=$1 lib
	[ -x "$bin" ] || return 0
	rm -f "$ST/sbin/$(basename "$bin")" "$ST/bin/$(basename "$bin")"
	cp "$bin" "$ST/sbin/"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$ST$(dirname "$lib")"
		cp -L "$lib" "$ST$lib"
	done
}
need_pkgs iproute2 mdevctl
copy_bin /sbin/vdpa
copy_bin /usr/sbin/mdevctl
copy_bin /usr/bin/mdevctl
# mdevctl refuses to run without its configuration directories (the
# package creates them on an installed system)
mkdir -p "$ST/etc/mdevctl.d/scripts.d/callouts" "$ST/etc/mdevctl.d/scripts.d/notifiers"

# in-tree modules: every module the kernel ships, resolved by modprobe; for
# a distribution kernel only what our modules and the list need.
MODDIR=$MODSRC
[ -d "$MODSRC/lib/modules/$KREL" ] && MODDIR="$MODSRC/lib/modules/$KREL"
[ -f "$MODDIR/modules.dep" ] || [ -f "$MODDIR/modules.order" ] || die "no modules for $KREL in $MODSRC"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$MODDIR/$f" ] && cp "$MODDIR/$f" "$ST/lib/modules/$KREL/"
done

wanted=()
# in-tree modules named in the list
while read -r _suite mod _params; do
	case "$_suite" in ''|'#'*) continue ;; esac
	wanted+=("$mod")
done <"$LIST"
# and whatever our modules depend on
for ko in "$@"; do
	for d in $(modinfo -F depends "$ko" | tr ',' ' '); do wanted+=("$d"); done
done
# the 9p share carrying results back to the host, where it is modular;
# KVM and VFIO's type1 and PCI drivers for the platform and KVM tests
wanted+=(9p 9pnet_virtio virtio_pci kvm_amd vfio_iommu_type1 vfio_pci)

ourmods=" "
for ko in "$@"; do ourmods+="$(basename "$ko" .ko) "; done
for m in "${wanted[@]}"; do
	m=${m//-/_}
	case "$ourmods" in *" $m "*) continue ;; esac
	grep -qE "/${m}\.ko(\.[a-z]+)?$" "$MODDIR/modules.builtin" 2>/dev/null && continue
	paths=$(modprobe -d "${MODDIR%/lib/modules/$KREL}" -S "$KREL" --show-depends "$m" 2>/dev/null |
		awk '$1 == "insmod" { print $2 }') || true
	for p in $paths; do
		rel=${p#"$MODDIR"/}
		[ "$rel" = "$p" ] && rel=${p#*/lib/modules/$KREL/}
		mkdir -p "$ST/lib/modules/$KREL/$(dirname "$rel")"
		# busybox's insmod wants plain ELF: decompress distribution modules
		case "$rel" in
		*.ko.xz) xz -dc "$p" >"$ST/lib/modules/$KREL/${rel%.xz}" ;;
		*.ko.zst) zstd -qdc "$p" >"$ST/lib/modules/$KREL/${rel%.zst}" ;;
		*.ko.gz) gzip -dc "$p" >"$ST/lib/modules/$KREL/${rel%.gz}" ;;
		*) cp "$p" "$ST/lib/modules/$KREL/$rel" ;;
		esac
	done
done

for ko in "$@"; do
	cp "$ko" "$ST/lib/modules/$KREL/extra/"
done
depmod -b "$ST" "$KREL" || die "depmod failed"

# userspace
if [ "$USERDIR" != "-" ]; then
	IFS=: read -ra udirs <<<"$USERDIR"
	for u in "${udirs[@]}"; do
		for kind in selftests samples; do
			[ -d "$u/$kind" ] || continue
			mkdir -p "$ST/$kind"
			cp -a "$u/$kind/." "$ST/$kind/"
		done
		# the VM's own helpers (kvm_hold) go with busybox's applets
		[ ! -d "$u/bin" ] || cp -a "$u/bin/." "$ST/sbin/"
	done
fi
mkdir -p "$ST/etc/pasidvm"
cp "$LIST" "$ST/etc/pasidvm/modules.list"
echo "${PRELOAD:-}" >"$ST/etc/pasidvm/preload"
for d in bench.d examples.d; do
	mkdir -p "$ST/etc/pasidvm/$d"
	cp "$VM_DIR/$d"/*.sh "$ST/etc/pasidvm/$d/" 2>/dev/null || true
done
cp "$VM_DIR/init.sh" "$ST/init"
chmod +x "$ST/init"

(cd "$ST" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT"
