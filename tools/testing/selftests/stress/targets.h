/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device files under stress, one line each: STRESS_TARGET(name) names
 * "const struct stress_target stress_target_<name>", defined in <name>.c of
 * this directory (the Makefile builds every .c file here). A new module adds
 * its file and its line; nothing else changes.
 */
STRESS_TARGET(ioasid)
STRESS_TARGET(vhost_vfio)
