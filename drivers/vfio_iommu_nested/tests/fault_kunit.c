// SPDX-License-Identifier: GPL-2.0
/* KUnit: faults (lands next). */
#include <linux/module.h>
