#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict over every C source and header of the tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SRC=$(kernel_src)
cd "$TREE"
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')
[ ${#files[@]} -gt 0 ] || die "no C files found"
fail=0
for f in "${files[@]}"; do
	out=$("$SRC/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES -f "$f" 2>&1) || { echo "$out"; fail=1; }
done
[ $fail -eq 0 ] || die "checkpatch --strict found problems"
echo "checkpatch --strict: clean (${#files[@]} files)"
