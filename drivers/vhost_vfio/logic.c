// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: the rules that need no device (feature negotiation, feature
 * mask, IOTLB message checks, pinning runs, dirty-log bit arithmetic).
 * Exported for vhost_vfio_kunit only.
 */
#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <uapi/linux/virtio_config.h>
#include "vhost_vfio_private.h"

/**
 * vhost_vfio_offered_features() - features an instance offers to the VMM
 * @device_features: features of the vDPA device
 * @mask: the admin mask of the instance
 *
 * The bridge adds VHOST_F_LOG_ALL (it logs dirty pages itself); the mask then
 * hides what the admin wants hidden.
 *
 * Return: the offered feature bits.
 */
u64 vhost_vfio_offered_features(u64 device_features, u64 mask)
{
	return (device_features | BIT_ULL(VHOST_F_LOG_ALL)) & mask;
}
EXPORT_SYMBOL_GPL(vhost_vfio_offered_features);

/**
 * vhost_vfio_check_mask() - may an admin set this feature mask?
 * @device_features: features of the vDPA device
 * @mask: the proposed mask
 *
 * VERSION_1 cannot be hidden (the bridge only speaks modern virtio), nor
 * ACCESS_PLATFORM when the device has it (the device translates every
 * address through the IOTLB, a driver that ignores it would not work).
 *
 * Return: 0 or -EINVAL.
 */
int vhost_vfio_check_mask(u64 device_features, u64 mask)
{
	u64 keep = BIT_ULL(VIRTIO_F_VERSION_1) |
		   (device_features & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM));

	return (mask & keep) == keep ? 0 : -EINVAL;
}
EXPORT_SYMBOL_GPL(vhost_vfio_check_mask);

/**
 * vhost_vfio_check_features() - check features the VMM acks
 * @offered: what the instance offers
 * @features: what VHOST_SET_FEATURES asks for
 *
 * The virtio rules: only offered features; VERSION_1 must be accepted;
 * ACCESS_PLATFORM must be accepted when offered; ORDER_PLATFORM only when
 * offered (the subset rule).
 *
 * Return: 0 or -EINVAL.
 */
int vhost_vfio_check_features(u64 offered, u64 features)
{
	if (features & ~offered)
		return -EINVAL;
	if (!(features & BIT_ULL(VIRTIO_F_VERSION_1)))
		return -EINVAL;
	if ((offered & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM)) &&
	    !(features & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_vfio_check_features);

/**
 * vhost_vfio_check_range() - check an IOVA range of an IOTLB message
 * @iova: start
 * @size: length in bytes
 * @last: out, the last byte of the range
 *
 * Return: 0, or -EINVAL for an empty or wrapping range.
 */
int vhost_vfio_check_range(u64 iova, u64 size, u64 *last)
{
	if (!size || check_add_overflow(iova, size - 1, last))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_vfio_check_range);

/**
 * vhost_vfio_check_update() - check a VHOST_IOTLB_UPDATE message
 * @msg: the message
 * @first: first IOVA the device accepts
 * @last: last IOVA the device accepts
 *
 * IOVA, user address and size must be page aligned, the range must not wrap
 * and must lie in [@first, @last], the permission must be RO, WO or RW.
 *
 * Return: 0 or -EINVAL.
 */
int vhost_vfio_check_update(const struct vhost_iotlb_msg *msg, u64 first,
			    u64 last)
{
	u64 end, uend;

	if (vhost_vfio_check_range(msg->iova, msg->size, &end))
		return -EINVAL;
	if (check_add_overflow(msg->uaddr, msg->size - 1, &uend))
		return -EINVAL;
	if (!PAGE_ALIGNED(msg->iova) || !PAGE_ALIGNED(msg->uaddr) ||
	    !PAGE_ALIGNED(msg->size))
		return -EINVAL;
	if (msg->iova < first || end > last)
		return -EINVAL;
	if (msg->perm < VHOST_ACCESS_RO || msg->perm > VHOST_ACCESS_RW)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_vfio_check_update);

/**
 * vhost_vfio_pfn_run() - length of the physically contiguous run at @pfn
 * @pfn: page frame numbers
 * @n: number of entries (at least 1)
 *
 * Return: how many entries from the first are consecutive frames.
 */
unsigned long vhost_vfio_pfn_run(const unsigned long *pfn, unsigned long n)
{
	unsigned long i;

	for (i = 1; i < n; i++)
		if (pfn[i] != pfn[0] + i)
			break;
	return i;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pfn_run);

/**
 * vhost_vfio_log_mark() - set the log bits of a page range in a log window
 * @window: a piece of the log, byte-addressed, vhost layout (bit N of the
 *	log is bit N % 8 of byte N / 8)
 * @window_first: number of the log bit at bit 0 of @window (a multiple of 8)
 * @window_bits: number of bits in @window
 * @first: first log page (bit) to set
 * @last: last log page (bit) to set
 *
 * Only the part of [@first, @last] inside the window is set.
 *
 * Return: number of bits in the window that the range covers.
 */
u64 vhost_vfio_log_mark(u8 *window, u64 window_first, u64 window_bits,
			u64 first, u64 last)
{
	u64 wlast = window_first + window_bits - 1;
	u64 b, n = 0;

	if (!window_bits || last < window_first || first > wlast)
		return 0;
	first = max(first, window_first);
	last = min(last, wlast);
	for (b = first - window_first; b <= last - window_first; b++, n++)
		window[b / 8] |= 1U << (b % 8);
	return n;
}
EXPORT_SYMBOL_GPL(vhost_vfio_log_mark);
