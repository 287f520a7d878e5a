#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kernel API probes for the out-of-tree build (in the style of NVIDIA's
# conftest.sh): compile tiny C files against the target kernel, with its
# compiler and flags, and write one header of HAVE_* macros plus the
# package version. The top Kbuild runs this while it is parsed and
# force-includes the header into every object, so code tests an API
# (#ifdef HAVE_...) instead of a version number, and Kbuild can leave out a
# module whose required API is missing.
#
#   conftest.sh OUT VERSION OBJTREE CC [FLAGS...]
#
# OUT      header to write (in the build output, never a tracked file)
# VERSION  the package version (dkms.conf's PACKAGE_VERSION)
# OBJTREE  the kernel's object tree (its generated autoconf.h and release)
# CC ...   the compiler command with the flags of a module object
#
# The probes run again only when the kernel, the compiler command, the
# version or this script changed (the key in OUT.key); otherwise the run
# costs one checksum. OUT is rewritten only when its content changes, so
# objects are not rebuilt for nothing. Prints the HAVE_* macros defined.
# Add a probe: a function probe_<name> printing a C file that compiles
# exactly when the API is there, and its name in PROBES (and in NEGATIVE
# when it can only be written to compile when the API is missing).
set -u

OUT=$1 VERSION=$2 OBJTREE=$3
shift 3

PROBES="symbol_ns_string vfio_get_region_info_caps vdpa_alloc_device_map \
vdpa_bind_mm eventfd_signal_ctx_only iommu_paging_domain_alloc \
crc32c_in_crc32_h"
# Probes that compile when the API is missing.
NEGATIVE="symbol_ns_string"
# Symbols a module may import: a compile probe cannot tell (7.x declares
# file_is_kvm() but exports it to KVM's own modules only), the kernel's
# Module.symvers can: listed with no namespace ("module:..." restricts it).
# A tree only prepared for external modules (modules_prepare, as
# check-mainline.sh uses) has no Module.symvers: then the exports every
# supported kernel has (SYMVERS_ALWAYS) are assumed and the others not, so
# the build takes the fallbacks that compile everywhere.
SYMVERS="file_is_kvm kvm_make_all_cpus_request kvm_get_kvm_safe"
SYMVERS_ALWAYS="kvm_get_kvm_safe"

symvers_lines() {
	awk -F '\t' -v syms=" $SYMVERS " 'index(syms, " " $2 " ")' \
		"$OBJTREE/Module.symvers" 2>/dev/null
}

have_list() { sed -n 's/^#define \(HAVE_[A-Z0-9_]*\) 1$/\1/p' "$1"; }

# Everything that can change a result goes into the key.
key=$({
	cat "$0"
	echo "$VERSION $*"
	cat "$OBJTREE/include/generated/autoconf.h" \
		"$OBJTREE/include/generated/utsrelease.h" 2>/dev/null
	symvers_lines
} | cksum | tr ' ' -)
if [ -f "$OUT" ] && [ "$(cat "$OUT.key" 2>/dev/null)" = "$key" ]; then
	have_list "$OUT"
	exit 0
fi

# --- the probes -------------------------------------------------------------

# 6.13: the namespace of EXPORT_SYMBOL_NS*() and MODULE_IMPORT_NS() is a
# string literal; before, a bare word the macros stringify. Negative: the
# bare word fails to compile only with the string form.
probe_symbol_ns_string() {
	echo '#include <linux/module.h>'
	echo 'MODULE_IMPORT_NS(PVM_CONFTEST);'
}

# 6.19: the VFIO core answers VFIO_DEVICE_GET_REGION_INFO and asks the
# driver for capabilities only.
probe_vfio_get_region_info_caps() {
	echo '#include <linux/stddef.h>'
	echo '#include <linux/vfio.h>'
	echo 'int pvm_conftest = offsetof(struct vfio_device_ops, get_region_info_caps);'
}

# 6.18: vdpa_alloc_device() takes the device's map ops.
probe_vdpa_alloc_device_map() {
	cat <<'EOF'
#include <linux/vdpa.h>
struct pvm_conftest { struct vdpa_device vdpa; };
void *pvm_conftest(struct device *parent, const struct vdpa_config_ops *ops);
void *pvm_conftest(struct device *parent, const struct vdpa_config_ops *ops)
{
	return vdpa_alloc_device(struct pvm_conftest, vdpa, parent, ops, NULL,
				 1, 1, NULL, false);
}
EOF
}

# 6.5: vDPA parents that use virtual addresses bind to the owner's mm.
probe_vdpa_bind_mm() {
	echo '#include <linux/stddef.h>'
	echo '#include <linux/vdpa.h>'
	echo 'int pvm_conftest = offsetof(struct vdpa_config_ops, bind_mm);'
}

# 6.8: eventfd_signal() takes the context only.
probe_eventfd_signal_ctx_only() {
	cat <<'EOF'
#include <linux/eventfd.h>
void pvm_conftest(struct eventfd_ctx *ctx);
void pvm_conftest(struct eventfd_ctx *ctx)
{
	eventfd_signal(ctx);
}
EOF
}

# 6.11: a paging domain is allocated for a device (7.x: an inline over
# iommu_paging_domain_alloc_flags(), the same call).
probe_iommu_paging_domain_alloc() {
	cat <<'EOF'
#include <linux/iommu.h>
struct iommu_domain *pvm_conftest(struct device *dev);
struct iommu_domain *pvm_conftest(struct device *dev)
{
	return iommu_paging_domain_alloc(dev);
}
EOF
}

# After 6.12 (7.x): crc32c() is declared in <linux/crc32.h> and built into lib/crc;
# before, it came from libcrc32c (<linux/crc32c.h>, a module a kernel may
# not build) and lib/crc32.c offered __crc32c_le() instead.
probe_crc32c_in_crc32_h() {
	cat <<'EOF2'
#include <linux/crc32.h>
u32 (*pvm_conftest)(u32 crc, const void *p, size_t len) = crc32c;
EOF2
}

# --- run them ---------------------------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pvm-conftest.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

compile() { # NAME: 0 when $TMP/NAME.c compiles
	"$@" -Wno-error -fsyntax-only "$TMP/$name.c" >"$TMP/$name.log" 2>&1
}

# The baseline must compile, or every negative answer would be a lie.
probe_baseline() { echo '#include <linux/module.h>'; }

for name in baseline $PROBES; do
	"probe_$name" >"$TMP/$name.c"
	( compile "$@"; echo $? >"$TMP/$name.rc" ) &
done
wait
if [ "$(cat "$TMP/baseline.rc")" != 0 ]; then
	echo "conftest: cannot compile against the kernel in $OBJTREE:" >&2
	head -20 "$TMP/baseline.log" >&2
	exit 1
fi

{
	echo "/* SPDX-License-Identifier: GPL-2.0 */"
	echo "/* Generated by scripts/conftest.sh for $(sed -n 's/.*"\(.*\)".*/\1/p' \
		"$OBJTREE/include/generated/utsrelease.h" 2>/dev/null); do not edit. */"
	echo "#ifndef _PVM_CONFIG_H"
	echo "#define _PVM_CONFIG_H"
	echo "#define PVM_VERSION \"$VERSION\""
	for sym in $SYMVERS; do
		macro=HAVE_$(echo "$sym" | tr '[:lower:]' '[:upper:]')
		if [ ! -f "$OBJTREE/Module.symvers" ]; then
			case " $SYMVERS_ALWAYS " in
			*" $sym "*) echo "#define $macro 1" ;;
			*) echo "/* #undef $macro */" ;;
			esac
		elif symvers_lines | awk -F '\t' -v s="$sym" \
			'$2 == s && $5 == "" { found = 1 } END { exit !found }'; then
			echo "#define $macro 1"
		else
			echo "/* #undef $macro */"
		fi
	done
	for name in $PROBES; do
		ok=0
		[ "$(cat "$TMP/$name.rc")" = 0 ] && ok=1
		case " $NEGATIVE " in *" $name "*) ok=$((1 - ok)) ;; esac
		macro=HAVE_$(echo "$name" | tr '[:lower:]' '[:upper:]')
		if [ $ok = 1 ]; then
			echo "#define $macro 1"
		else
			echo "/* #undef $macro */"
		fi
	done
	echo "#endif"
} >"$OUT.tmp$$"
if cmp -s "$OUT.tmp$$" "$OUT"; then
	rm -f "$OUT.tmp$$"
else
	mv -f "$OUT.tmp$$" "$OUT" || exit 1
fi
echo "$key" >"$OUT.key"
have_list "$OUT"
