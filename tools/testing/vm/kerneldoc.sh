#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-doc checks: the kernel's scripts/kernel-doc must parse every
# comment of the tree without a warning, every exported symbol must have a
# kernel-doc comment, and so must every struct of a uAPI header.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SRC=$(kernel_src)
cd "$TREE"
mapfile -t files < <(git ls-files 'drivers/*.[ch]' 'include/*.h' 2>/dev/null)
[ ${#files[@]} -gt 0 ] || { echo "kernel-doc: no files"; exit 0; }
fail=0
out=$("$SRC/scripts/kernel-doc" -none -Wall "${files[@]}" 2>&1) || true
if [ -n "$out" ]; then echo "$out"; fail=1; fi

python3 - "${files[@]}" <<'EOPY' || fail=1
import re, sys
files = sys.argv[1:]
text = {f: open(f).read() for f in files}
docs = set()
for t in text.values():
    for m in re.finditer(r'/\*\*\s*\n\s*\*\s*(?:struct\s+|union\s+|enum\s+)?(\w+)', t):
        docs.add(m.group(1))
bad = []
for f, t in text.items():
    for m in re.finditer(r'EXPORT_SYMBOL\w*\((\w+)', t):
        if m.group(1) not in docs:
            bad.append(f'{f}: exported {m.group(1)} has no kernel-doc')
    if f.startswith('include/uapi/'):
        for m in re.finditer(r'^struct (\w+) \{', t, re.M):
            if m.group(1) not in docs:
                bad.append(f'{f}: uAPI struct {m.group(1)} has no kernel-doc')
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOPY
[ $fail -eq 0 ] || die "kernel-doc problems above"
echo "kernel-doc: clean (${#files[@]} files)"
