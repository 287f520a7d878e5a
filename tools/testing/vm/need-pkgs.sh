#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the named Debian packages when missing.
. "$(dirname "$0")/lib.sh"
need_pkgs "$@"
