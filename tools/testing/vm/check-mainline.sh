#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Compile check against the newest mainline Debian carries: unstable's
# linux-source-N.M, fetched with apt-get download (a private apt state under
# the cache, the system's sources untouched) and unpacked with dpkg -x.
# The tree is configured like the test kernel (x86_64_defconfig plus
# kernel.config) and prepared for external modules only (modules_prepare,
# no kernel build); then every module of the project is built with W=1.
# modpost runs without the kernel's Module.symvers (nothing is linked), so
# the imported symbols are checked against the source's EXPORT_SYMBOL*()s.
#
#   check-mainline.sh            newest linux-source-* in unstable
#   MAINLINE_PKG=linux-source-7.2 check-mainline.sh
#   check-mainline.sh --kernel   also build that kernel (bzImage and
#                                modules, cached), print its directory
#                                last: run-vm.sh --mainline boots it
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BUILD_KERNEL=0
[ "${1:-}" != --kernel ] || BUILD_KERNEL=1

need_pkgs build-essential bc flex bison libelf-dev libssl-dev xz-utils \
	python3 dpkg-dev rsync

# One caller at a time fetches, extracts and prepares (another checkout or
# CI sharing the cache waits); each step's stamp is written last.
cache_lock "$CACHE/mainline/prepare.lock" "the mainline source and its prepared tree"
APT=$CACHE/mainline/apt
mkdir -p "$APT/lists/partial" "$APT/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
	>"$APT/sources.list"
aptopts=(-o Dir::Etc::sourcelist="$APT/sources.list" -o Dir::Etc::sourceparts=-
	 -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT"
	 -o APT::Sandbox::User=root)
apt-get "${aptopts[@]}" -qq update || die "cannot reach Debian unstable"

pkg=${MAINLINE_PKG:-$(apt-cache "${aptopts[@]}" pkgnames linux-source- |
	grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V | tail -1)}
[ -n "$pkg" ] || die "no linux-source package in unstable"
ver=$(apt-cache "${aptopts[@]}" show "$pkg" | sed -n 's/^Version: //p' | head -1)
key=$(printf '%s' "$pkg-$ver-$(sha256sum "$VM_DIR/kernel.config" | cut -c1-12)" |
	tr -c 'A-Za-z0-9.+\n-' '_')
SRC=$CACHE/mainline/src/$pkg-$ver
KDIR=$CACHE/mainline/kernel/$key
note "mainline: $pkg $ver"

if [ ! -f "$SRC/.extract-ok" ]; then
	rm -rf "$SRC" && mkdir -p "$SRC"
	(cd "$APT/archives" && apt-get "${aptopts[@]}" -qq download "$pkg=$ver") ||
		die "cannot download $pkg $ver"
	deb=$(ls "$APT/archives/${pkg}_"*.deb | head -1)
	dpkg -x "$deb" "$SRC/pkg"
	tar -C "$SRC" -xaf "$SRC"/pkg/usr/src/"$pkg".tar.*
	rm -rf "$SRC/pkg" "$deb"
	touch "$SRC/.extract-ok"
fi
KSRC=$SRC/$pkg

if [ ! -f "$KDIR/.prepare-ok" ]; then
	mkdir -p "$KDIR"
	note "configuring and preparing $KDIR (log: $KDIR/prepare.log)"
	{
		make -C "$KSRC" O="$KDIR" x86_64_defconfig
		"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KDIR" "$KDIR/.config" \
			"$VM_DIR/kernel.config"
		make -C "$KSRC" O="$KDIR" olddefconfig
		make -C "$KSRC" O="$KDIR" -j"$JOBS" modules_prepare
	} >"$KDIR/prepare.log" 2>&1 || { tail -30 "$KDIR/prepare.log" >&2; die "prepare failed"; }
	fragment_applied "$KDIR/.config" ||
		die "the config fragment does not apply cleanly to $pkg $ver"
	touch "$KDIR/.prepare-ok"
fi

cache_unlock

# A private copy of the tree: objects of another kernel stay out of ours.
OUT=$TREE/build/mainline/tree
tree_copy "$OUT"
log=$TREE/build/mainline/build.log
if ! make -C "$KDIR" M="$OUT" W=1 KBUILD_MODPOST_WARN=1 -j"$JOBS" modules \
	>"$log" 2>&1; then
	cat "$log"
	die "the modules do not build against $pkg $ver"
fi
if grep -E '(warning|error):' "$log" | grep -v 'modpost: '; then
	die "W=1 warnings against $pkg $ver (above)"
fi

# Without the kernel's Module.symvers modpost cannot tell a missing export:
# list what the modules import, drop what they export to each other, and
# look every other symbol up among the EXPORT_SYMBOL*() of the source.
# Exports made by macros that build the name (KASAN hooks, static-call
# trampolines, retpoline thunks, the per-CPU preempt count and current
# task, module parameter ops,
# the sized get_random_*() and dev_*() printk helpers) are let through.
exports=$KDIR/exports-v2.txt
if [ ! -s "$exports" ]; then
	grep -rhoE --include='*.c' --include='*.h' --include='*.S' \
		'EXPORT_(SYMBOL|SYMBOL_GPL|SYMBOL_NS|SYMBOL_NS_GPL|SYMBOL_FOR_MODULES|SYMBOL_GPL_FOR_MODULES|PER_CPU_SYMBOL|PER_CPU_SYMBOL_GPL)\(\s*\w+' \
		"$KSRC" | sed -E 's/.*\(\s*//' | sort -u >"$exports.$$"
	mv "$exports.$$" "$exports"
fi
missing=$(comm -23 \
	<(find "$OUT" -name '*.ko' -exec nm -u {} + | awk '{print $2}' | sort -u) \
	<(awk '{print $2}' "$OUT/Module.symvers" | sort -u) |
	comm -23 - "$exports" |
	grep -vE '^(__asan_|__SCT__|__x86_indirect_thunk_|__preempt_count$|current_task$|param_ops_|get_random_u[0-9]+$|_dev_[a-z]+$)' || true)
if [ -n "$missing" ]; then
	echo "$missing"
	die "$pkg $ver does not export the symbols above"
fi
echo "mainline: modules build W=1 clean against $pkg $ver; every symbol they import is exported there"

if [ $BUILD_KERNEL = 1 ]; then
	if [ ! -f "$KDIR/.build-ok" ]; then
		cache_lock "$KDIR.lock" "the $pkg kernel $KDIR"
	fi
	if [ ! -f "$KDIR/.build-ok" ]; then
		# an interrupted build resumes: make's incremental build in KDIR
		note "building the $pkg kernel in $KDIR (log: $KDIR/build.log)"
		make -C "$KSRC" O="$KDIR" -j"$JOBS" bzImage modules >>"$KDIR/build.log" 2>&1 &
		pid=$!
		trap 'kill "$pid" 2>/dev/null' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		progress_while "$pid" "building the $pkg kernel" "$KDIR/build.log"
		wait "$pid" || { tail -30 "$KDIR/build.log" >&2; die "kernel build failed"; }
		trap - EXIT
		touch "$KDIR/.build-ok"
	fi
	cache_unlock
	echo "$KDIR"
fi
