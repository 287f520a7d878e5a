#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict over every C source and header of the tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SRC=$(kernel_src)
cd "$TREE"
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')
[ ${#files[@]} -gt 0 ] || die "no C files found"
# Many files per checkpatch.pl run (its start-up costs as much as a file),
# two runs at a time; a run that finds something prints it and fails.
fail=0
printf '%s\0' "${files[@]}" |
	xargs -0 -n 16 -P "$(nproc)" "$SRC/scripts/checkpatch.pl" --strict --no-tree \
		--quiet --show-types --ignore FILE_PATH_CHANGES -f || fail=1
[ $fail -eq 0 ] || die "checkpatch --strict found problems"
echo "checkpatch --strict: clean (${#files[@]} files)"
