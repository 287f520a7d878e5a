#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build Documentation/ with Sphinx and the kernel's kernel-doc extension;
# any Sphinx warning is an error. Output: build/htmldocs/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_pkgs python3-sphinx
KSRC=$(kernel_src)
export KSRC
out=$TREE/build/htmldocs
rm -rf "$out"
# Debian's interpreter, which has Debian's Sphinx, whatever python3 is first on PATH
/usr/bin/python3 -m sphinx -q -W --keep-going -b html -d "$out/.doctrees" \
	"$TREE/Documentation" "$out" || die "the documentation has the problems above"
echo "htmldocs: built without warnings into $out"
