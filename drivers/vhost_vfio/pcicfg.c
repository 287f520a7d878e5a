// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio: the device-free rules of the virtio-pci personality: the
 * layout of BAR0 and BAR2, the emulated PCI config space (IDs, BAR sizing,
 * the capability list, the VIRTIO_PCI_CAP_PCI_CFG window) and the field map
 * of the virtio common configuration. Exported for vhost_vfio_kunit.
 */
#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/pci_ids.h>
#include <linux/pci_regs.h>
#include <linux/unaligned.h>
#include <linux/vhost_iotlb.h>
#include <uapi/linux/virtio_ids.h>
#include <uapi/linux/virtio_pci.h>
#include "vhost_vfio_private.h"

/**
 * vhost_vfio_pci_layout() - compute where everything lives
 * @l: filled in
 * @virtio_id: the vDPA device's virtio device id
 * @nvqs: its number of virtqueues
 * @devcfg_len: its config space size
 * @doorbell: it has one doorbell page per queue (the notify window is then
 *	one page per queue, so that each can be mapped)
 * @page_size: PAGE_SIZE (a parameter for the tests)
 *
 * BAR0 holds the common configuration at 0, the ISR at 0x1000, the device
 * configuration at 0x2000 and the notify window at 0x3000; BAR2 holds the
 * MSI-X table at 0 and the PBA after it. One vector per queue plus one for
 * configuration changes.
 *
 * Return: 0, or -EINVAL for a device this layout cannot present.
 */
int vhost_vfio_pci_layout(struct vv_pci_layout *l, u32 virtio_id, u16 nvqs,
			  u32 devcfg_len, bool doorbell, u32 page_size)
{
	u32 pba_len;

	if (!nvqs || nvqs + 1 > VV_PCI_MAX_VECTORS ||
	    devcfg_len > VV_PCI_DEVCFG_MAX || virtio_id > 0xffff - 0x1040 ||
	    (doorbell && (!is_power_of_2(page_size) || page_size < SZ_4K ||
			  page_size > SZ_64K)))
		return -EINVAL;
	l->virtio_id = virtio_id;
	l->nvqs = nvqs;
	l->nvec = nvqs + 1;
	l->devcfg_len = devcfg_len;
	l->notify_mult = doorbell ? page_size : VV_PCI_NOTIFY_MULT;
	l->notify_len = nvqs * l->notify_mult;
	l->bar0_size = roundup_pow_of_two(VV_PCI_NOTIFY_OFF + l->notify_len);
	l->pba_off = ALIGN(l->nvec * PCI_MSIX_ENTRY_SIZE, 8);
	pba_len = DIV_ROUND_UP(l->nvec, 64) * 8;
	l->bar2_size = roundup_pow_of_two(max_t(u32, l->pba_off + pba_len,
						SZ_4K));
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pci_layout);

static u32 vv_pci_class(u32 virtio_id)
{
	switch (virtio_id) {
	case VIRTIO_ID_NET:
		return PCI_CLASS_NETWORK_ETHERNET << 8;
	case VIRTIO_ID_BLOCK:
		return PCI_CLASS_STORAGE_SCSI << 8;
	default:
		return 0xff0000;
	}
}

static void vv_pci_vcap(struct vv_pcicfg *c, u8 pos, u8 next, u8 len,
			u8 type, u32 off, u32 length)
{
	u8 *p = c->cfg + pos;

	p[0] = PCI_CAP_ID_VNDR;
	p[1] = next;
	p[2] = len;
	p[3] = type;
	p[4] = 0;		/* bar */
	put_unaligned_le32(off, p + 8);
	put_unaligned_le32(length, p + 12);
}

/**
 * vhost_vfio_pcicfg_init() - build the config space of a layout
 * @c: filled in
 * @l: the layout
 *
 * A type 0 header of a modern virtio device (vendor 0x1af4, device 0x1040 +
 * virtio id, revision 1), BAR0 a 64-bit memory BAR, BAR2 a 32-bit one, no
 * expansion ROM, no INTx (interrupt pin 0); capabilities at 0x40: common,
 * notify, ISR, device, PCI cfg access, then MSI-X.
 */
void vhost_vfio_pcicfg_init(struct vv_pcicfg *c, const struct vv_pci_layout *l)
{
	u8 *cfg = c->cfg;
	u8 *p;

	memset(c, 0, sizeof(*c));
	put_unaligned_le16(PCI_VENDOR_ID_REDHAT_QUMRANET, cfg + PCI_VENDOR_ID);
	put_unaligned_le16(0x1040 + l->virtio_id, cfg + PCI_DEVICE_ID);
	put_unaligned_le16(PCI_STATUS_CAP_LIST, cfg + PCI_STATUS);
	put_unaligned_le32(vv_pci_class(l->virtio_id) << 8 | 1,
			   cfg + PCI_CLASS_REVISION);
	put_unaligned_le32(PCI_BASE_ADDRESS_MEM_TYPE_64, cfg + PCI_BASE_ADDRESS_0);
	put_unaligned_le16(PCI_VENDOR_ID_REDHAT_QUMRANET,
			   cfg + PCI_SUBSYSTEM_VENDOR_ID);
	put_unaligned_le16(0x40, cfg + PCI_SUBSYSTEM_ID);
	cfg[PCI_CAPABILITY_LIST] = VV_PCI_CAP_COMMON;

	vv_pci_vcap(c, VV_PCI_CAP_COMMON, VV_PCI_CAP_NOTIFY,
		    sizeof(struct virtio_pci_cap), VIRTIO_PCI_CAP_COMMON_CFG,
		    VV_PCI_COMMON_OFF, VV_PCI_COMMON_LEN);
	vv_pci_vcap(c, VV_PCI_CAP_NOTIFY, VV_PCI_CAP_ISR,
		    sizeof(struct virtio_pci_notify_cap),
		    VIRTIO_PCI_CAP_NOTIFY_CFG, VV_PCI_NOTIFY_OFF, l->notify_len);
	put_unaligned_le32(l->notify_mult, cfg + VV_PCI_CAP_NOTIFY +
			   offsetof(struct virtio_pci_notify_cap,
				    notify_off_multiplier));
	vv_pci_vcap(c, VV_PCI_CAP_ISR, VV_PCI_CAP_DEVICE,
		    sizeof(struct virtio_pci_cap), VIRTIO_PCI_CAP_ISR_CFG,
		    VV_PCI_ISR_OFF, 1);
	vv_pci_vcap(c, VV_PCI_CAP_DEVICE, VV_PCI_CAP_PCICFG,
		    sizeof(struct virtio_pci_cap), VIRTIO_PCI_CAP_DEVICE_CFG,
		    VV_PCI_DEVCFG_OFF, l->devcfg_len);
	vv_pci_vcap(c, VV_PCI_CAP_PCICFG, VV_PCI_CAP_MSIX,
		    sizeof(struct virtio_pci_cfg_cap), VIRTIO_PCI_CAP_PCI_CFG,
		    0, 0);
	p = cfg + VV_PCI_CAP_MSIX;
	p[0] = PCI_CAP_ID_MSIX;
	p[1] = 0;
	put_unaligned_le16(l->nvec - 1, p + PCI_MSIX_FLAGS);
	put_unaligned_le32(VV_PCI_MSIX_BAR, p + PCI_MSIX_TABLE);
	put_unaligned_le32(l->pba_off | VV_PCI_MSIX_BAR, p + PCI_MSIX_PBA);

	/* what a write may change */
	c->wmask[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	c->wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	c->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	c->wmask[PCI_LATENCY_TIMER] = 0xff;
	c->wmask[PCI_INTERRUPT_LINE] = 0xff;
	/* BAR0 (low, high) and BAR2: the type bits are read-only */
	c->bar_mask[0] = ~(l->bar0_size - 1);
	c->bar_mask[1] = ~0U;
	c->bar_mask[2] = ~(l->bar2_size - 1);
	memset(c->wmask + PCI_BASE_ADDRESS_0, 0xff, 12);
	c->wmask[PCI_BASE_ADDRESS_0] = 0xf0;
	c->wmask[PCI_BASE_ADDRESS_2] = 0xf0;
	/* the PCI cfg access window: bar, offset, length, data */
	p = c->wmask + VV_PCI_CAP_PCICFG;
	p[offsetof(struct virtio_pci_cap, bar)] = 0xff;
	memset(p + offsetof(struct virtio_pci_cap, offset), 0xff, 8);
	memset(p + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), 0xff, 4);
	/* MSI-X enable and function mask */
	c->wmask[VV_PCI_CAP_MSIX + PCI_MSIX_FLAGS + 1] =
		(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pcicfg_init);

/**
 * vhost_vfio_pcicfg_check() - is this a valid config space access?
 * @off: offset in the config region
 * @count: bytes
 *
 * Any width at any offset inside the 256 bytes (vfio-pci allows the same):
 * a VMM reads the whole space at once.
 *
 * Return: 0 or -EINVAL.
 */
int vhost_vfio_pcicfg_check(u64 off, u64 count)
{
	if (!count || off >= VV_PCI_CFG_SIZE || count > VV_PCI_CFG_SIZE - off)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pcicfg_check);

/**
 * vhost_vfio_pcicfg_write() - write bytes of the config space
 * @c: the config space
 * @off: first byte, checked by vhost_vfio_pcicfg_check()
 * @buf: the bytes
 * @n: how many
 *
 * Only the writable bits change; a BAR keeps its size: writing all ones
 * reads back the size mask with the type bits, as on hardware.
 */
void vhost_vfio_pcicfg_write(struct vv_pcicfg *c, u32 off, const u8 *buf,
			     u32 n)
{
	u32 i, b, pos, v;

	for (i = 0; i < n; i++) {
		pos = off + i;
		c->cfg[pos] = (c->cfg[pos] & ~c->wmask[pos]) |
			      (buf[i] & c->wmask[pos]);
	}
	for (b = 0; b < 6; b++) {
		pos = PCI_BASE_ADDRESS_0 + 4 * b;
		if (pos + 4 <= off || pos >= off + n)
			continue;
		v = get_unaligned_le32(c->cfg + pos);
		v &= c->bar_mask[b] | (c->bar_mask[b] ? 0xf : 0);
		put_unaligned_le32(v, c->cfg + pos);
	}
}
EXPORT_SYMBOL_GPL(vhost_vfio_pcicfg_write);

/**
 * vhost_vfio_pcicfg_hits_data() - does an access touch pci_cfg_data?
 * @off: first byte
 * @n: bytes
 *
 * Return: true when [@off, @off + @n) overlaps the window's data field.
 */
bool vhost_vfio_pcicfg_hits_data(u32 off, u32 n)
{
	u32 d = VV_PCI_CAP_PCICFG + offsetof(struct virtio_pci_cfg_cap,
					      pci_cfg_data);

	return off < d + 4 && off + n > d;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pcicfg_hits_data);

/**
 * vhost_vfio_pcicfg_window() - decode the PCI cfg access window
 * @c: the config space
 * @bar: out, the BAR the driver selected
 * @off: out, the offset in it
 * @len: out, the access width
 *
 * Return: 0, or -EINVAL when the width is not 1, 2 or 4, the offset is not
 * aligned to it, or the BAR is not 0-5 (the caller checks the BAR's size).
 */
int vhost_vfio_pcicfg_window(const struct vv_pcicfg *c, u32 *bar, u32 *off,
			     u32 *len)
{
	const u8 *p = c->cfg + VV_PCI_CAP_PCICFG;

	*bar = p[offsetof(struct virtio_pci_cap, bar)];
	*off = get_unaligned_le32(p + offsetof(struct virtio_pci_cap, offset));
	*len = get_unaligned_le32(p + offsetof(struct virtio_pci_cap, length));
	if (*bar > 5 || (*len != 1 && *len != 2 && *len != 4) ||
	    (*off & (*len - 1)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pcicfg_window);

/* Start and width of each field of struct virtio_pci_common_cfg. */
static const u8 vv_common_fields[][2] = {
	{ 0x00, 4 }, { 0x04, 4 }, { 0x08, 4 }, { 0x0c, 4 }, { 0x10, 2 },
	{ 0x12, 2 }, { 0x14, 1 }, { 0x15, 1 }, { 0x16, 2 }, { 0x18, 2 },
	{ 0x1a, 2 }, { 0x1c, 2 }, { 0x1e, 2 }, { 0x20, 4 }, { 0x24, 4 },
	{ 0x28, 4 }, { 0x2c, 4 }, { 0x30, 4 }, { 0x34, 4 },
};

/**
 * vhost_vfio_pci_common_field() - check an access to the common config
 * @off: offset in the common configuration
 * @len: width
 *
 * The virtio spec has the driver access each field with its own width.
 *
 * Return: @off when [@off, @off + @len) is exactly one field, -ENOENT
 * when it lies past the structure (a hole of the BAR), -EINVAL otherwise.
 */
int vhost_vfio_pci_common_field(u32 off, u32 len)
{
	unsigned int i;

	if (off >= VV_PCI_COMMON_LEN)
		return -ENOENT;
	for (i = 0; i < ARRAY_SIZE(vv_common_fields); i++)
		if (vv_common_fields[i][0] == off)
			return vv_common_fields[i][1] == len ? off : -EINVAL;
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pci_common_field);

/**
 * vhost_vfio_pci_bar_check() - check an access to a BAR
 * @bar_size: the BAR's size
 * @off: offset in it
 * @count: bytes
 *
 * Return: 0 for a naturally aligned access of 1, 2, 4 or 8 bytes inside
 * the BAR, -EINVAL otherwise.
 */
int vhost_vfio_pci_bar_check(u32 bar_size, u64 off, u64 count)
{
	if ((count != 1 && count != 2 && count != 4 && count != 8) ||
	    (off & (count - 1)) || off >= bar_size || count > bar_size - off)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pci_bar_check);

/**
 * vhost_vfio_pci_map_add() - add a run to a map, merged with its neighbour
 * @tlb: the map
 * @iova: first IOVA of the run
 * @size: its size
 * @pa: the physical address @iova maps to
 * @perm: VHOST_MAP_RO or VHOST_MAP_RW
 *
 * A run that continues the entry ending at @iova - 1 (same permission, the
 * physical addresses contiguous too) extends that entry: a VMM's RAM
 * arrives as many runs that are often contiguous.
 *
 * Return: 0, or the errno of vhost_iotlb_add_range() (the map unchanged).
 */
int vhost_vfio_pci_map_add(struct vhost_iotlb *tlb, u64 iova, u64 size,
			   u64 pa, u32 perm)
{
	struct vhost_iotlb_map *prev = NULL;
	u64 start, addr;

	if (iova)
		prev = vhost_iotlb_itree_first(tlb, iova - 1, iova - 1);
	if (!prev || prev->last != iova - 1 || prev->perm != perm ||
	    prev->addr + prev->size != pa)
		return vhost_iotlb_add_range(tlb, iova, iova + size - 1, pa, perm);
	start = prev->start;
	addr = prev->addr;
	vhost_iotlb_map_free(tlb, prev);
	if (!vhost_iotlb_add_range(tlb, start, iova + size - 1, addr, perm))
		return 0;
	/* put the old entry back: it fitted before (one entry freed) */
	return vhost_iotlb_add_range(tlb, start, iova - 1, addr, perm) ?:
	       -ENOMEM;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pci_map_add);

/**
 * vhost_vfio_pci_map_del() - remove a range from a map
 * @tlb: the map
 * @iova: first IOVA
 * @size: size
 *
 * Entries that stick out of the range keep their outside parts.
 *
 * Return: 0, or -ENOMEM when such a part could not be kept (the range is
 * gone in any case; the caller decides what to do with the rest).
 */
int vhost_vfio_pci_map_del(struct vhost_iotlb *tlb, u64 iova, u64 size)
{
	u64 last = iova + size - 1;
	struct vhost_iotlb_map *m;
	u64 start, end, addr;
	int ret = 0;
	u32 perm;

	while ((m = vhost_iotlb_itree_first(tlb, iova, last))) {
		start = m->start;
		end = m->last;
		addr = m->addr;
		perm = m->perm;
		vhost_iotlb_map_free(tlb, m);
		if (start < iova &&
		    vhost_iotlb_add_range(tlb, start, iova - 1, addr, perm))
			ret = -ENOMEM;
		if (end > last &&
		    vhost_iotlb_add_range(tlb, last + 1, end,
					  addr + (last + 1 - start), perm))
			ret = -ENOMEM;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(vhost_vfio_pci_map_del);
