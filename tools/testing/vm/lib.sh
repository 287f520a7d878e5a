# SPDX-License-Identifier: GPL-2.0
# Shared settings of the test-VM scripts. Sourced, not run.

# shellcheck disable=SC2034
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$(cd "$VM_DIR/../../.." && pwd)
CACHE=${PASID_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pasid-vm}
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${JOBS:-$(nproc)}

die() { echo "error: $*" >&2; exit 1; }
note() { echo ">>> $*" >&2; }

# need_pkgs PKG...: install the Debian packages that are missing.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	note "installing Debian packages: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "need root (or sudo) to install ${missing[*]}"
		SUDO=sudo
	fi
	${SUDO:-} apt-get update -qq || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

# cache_lock FILE WHAT: take the exclusive lock FILE (flock) on a new file
# descriptor, stored in CACHE_LOCK_FD, before building or extracting WHAT
# into the cache. Another checkout (or CI) doing the same waits, saying
# every 30 s what it waits for, who holds it and since how long. The lock
# goes with the process (or subshell) that took it; cache_unlock drops it
# earlier. The file keeps the holder's description, never truncated by a
# waiter opening it.
CACHE_LOCK_FD=
cache_lock() {
	local file=$1 what=$2 fd t0
	mkdir -p "$(dirname "$file")"
	exec {fd}<>"$file"
	if ! flock -n "$fd"; then
		t0=$(date +%s)
		note "waiting for $what; $file is held by: $(lock_holder "$file")"
		until flock -w 30 "$fd"; do
			note "still waiting for $what after $(($(date +%s) - t0)) s; held by: $(lock_holder "$file")"
		done
		note "waited $(($(date +%s) - t0)) s for $what"
	fi
	echo "pid $$ on $(hostname) since $(date +%T) (${0##*/}: $what)" >"$file"
	CACHE_LOCK_FD=$fd
}

lock_holder() {
	local h
	h=$(head -1 "$1" 2>/dev/null)
	echo "${h:-another process (an older script that does not say who)}"
}

cache_unlock() {
	[ -n "$CACHE_LOCK_FD" ] || return 0
	flock -u "$CACHE_LOCK_FD"
	exec {CACHE_LOCK_FD}>&-
	CACHE_LOCK_FD=
}

# progress_while PID WHAT [LOG]: while PID runs, say every PROGRESS_EVERY
# seconds (default 60) how long WHAT has been running, with LOG's last line.
progress_while() {
	local pid=$1 what=$2 log=${3:-} t0 n=0 last
	t0=$(date +%s)
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		[ $((n % ${PROGRESS_EVERY:-60})) -eq 0 ] || continue
		last=""
		[ -z "$log" ] || last=$(tail -n 1 "$log" 2>/dev/null | tr -d '\r' | cut -c1-100)
		note "$what: $(($(date +%s) - t0)) s${last:+; last line: $last}"
	done
}

src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

# src_tag: the source version as a file-name component
src_tag() { src_version | tr -c 'A-Za-z0-9.+\n' '_'; }

# kernel_key: cache key of the test kernel, from source version and fragment.
kernel_key() {
	local v h
	v=$(src_tag)
	h=$(sha256sum <"$VM_DIR/kernel.config" | cut -c1-12)
	echo "$v-$h"
}

kernel_dir() { echo "$CACHE/kernel/$(kernel_key)"; }

# Stock Debian kernel, the "real test host".
STOCK_ABI=${STOCK_ABI:-}
stock_abi() {
	if [ -n "$STOCK_ABI" ]; then echo "$STOCK_ABI"; return; fi
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\)-unsigned .*/\1/p' |
		sort -V | tail -1
}

# kernel_src: extract Debian's linux-source-6.12 once (into the cache) and
# print its path. checkpatch.pl, kselftest_harness.h and kunit.py come from it.
kernel_src() {
	need_pkgs linux-source-6.12 xz-utils >&2
	local src
	src="$CACHE/src/linux-source-6.12-$(src_tag)"
	if [ ! -f "$src/.extracted" ]; then
		cache_lock "$src.lock" "the kernel source $src"
		# the stamp is written last: without it, extract again
		if [ ! -f "$src/.extracted" ]; then
			note "extracting $SRC_TARBALL"
			rm -rf "$src" && mkdir -p "$src"
			tar -xJf "$SRC_TARBALL" -C "$src" --strip-components=1 ||
				die "extracting $SRC_TARBALL failed"
			touch "$src/.extracted"
		fi
		cache_unlock
	fi
	echo "$src"
}

# uapi_headers: the 6.12 uAPI headers (headers_install), for userspace builds.
uapi_headers() {
	local src dir
	src=$(kernel_src)
	dir="$CACHE/uapi/$(src_tag)"
	if [ ! -f "$dir/.ok" ]; then
		cache_lock "$dir.lock" "the uAPI headers $dir"
		if [ ! -f "$dir/.ok" ]; then
			note "installing kernel uAPI headers into $dir"
			rm -rf "$dir" && mkdir -p "$dir/build"
			make -s -C "$src" O="$dir/build" ARCH=x86 headers_install \
				INSTALL_HDR_PATH="$dir" >"$dir/log" 2>&1 ||
				{ cat "$dir/log" >&2; die "headers_install failed"; }
			rm -rf "$dir/build"
			touch "$dir/.ok"
		fi
		cache_unlock
	fi
	echo "$dir/include"
}

# fragment_applied CONFIG: every option kernel.config sets or unsets
# survived olddefconfig in CONFIG; names the ones that did not.
fragment_applied() {
	local line opt bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qx -- "$line" "$1" ||
				{ echo "fragment option lost: $line" >&2; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			if grep -q "^$opt=" "$1"; then
				echo "fragment option still set: $opt" >&2; bad=1
			fi ;;
		esac
	done <"$VM_DIR/kernel.config"
	return $bad
}

# tree_copy DEST: the tracked tree (no build/, .git or ignored files) in
# DEST, so objects built for another kernel stay out of the work tree.
tree_copy() {
	mkdir -p "$1"
	rsync -a --delete --exclude /build --exclude /.git --filter=':- .gitignore' \
		"$TREE/" "$1/"
}
