#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvm_pasid example (busybox sh, inside the VM): a VMM attaches two KVM VMs
# to their ioasid sets and watches their ENQCMD PASID tables follow the
# binds and unbinds it makes. Fails if any step does.
set -e
[ -c /dev/ioasid ] || modprobe pvm_ioasid
[ -c /dev/kvm_pasid ] || modprobe kvm_pasid
# KVM: built in on the test kernel, kvm_amd (or kvm_intel) on a stock one.
[ -c /dev/kvm ] || modprobe kvm_amd 2>/dev/null || modprobe kvm_intel
echo "== kvm_pasid: a VM's guest-to-host PASID table following the VMM's binds"
/samples/kvm_pasid/kvm_pasid_example
