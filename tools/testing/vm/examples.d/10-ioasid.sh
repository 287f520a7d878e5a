#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ioasid example (busybox sh, inside the VM): a VMM allocates, maps and
# frees PASIDs for two guests through /dev/ioasid. Fails if any step does.
set -e
[ -c /dev/ioasid ] || modprobe pvm_ioasid
echo "== ioasid: a VMM allocating, mapping and freeing PASIDs for its guests"
/samples/ioasid/ioasid_vmm
