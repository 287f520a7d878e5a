#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the default KDIR: the running kernel's build directory when it
# exists, otherwise the project's test kernel (which may not be built yet).
. "$(dirname "$0")/lib.sh"
if [ -d "/lib/modules/$(uname -r)/build" ]; then
	echo "/lib/modules/$(uname -r)/build"
else
	kernel_dir
fi
