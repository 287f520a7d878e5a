/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvm_viommu: the specification's command layouts and their decoding
 * (fmt.c has the other formats, and encodes commands with these layouts;
 * tests/pvm_viommu_kunit.c checks both). Inline, so that the command
 * processor decodes each command of the guest's ring without a call.
 */
#ifndef _PVM_VIOMMU_CMD_FMT_H
#define _PVM_VIOMMU_CMD_FMT_H

#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "viommu_private.h"

#define PV_OP(q0)		((u8)((q0) >> PVM_VIOMMU_CMD_OP_SHIFT))

/* COMPLETION_WAIT */
#define CW_S			BIT_ULL(0)
#define CW_I			BIT_ULL(1)
#define CW_F			BIT_ULL(2)
#define CW_ADDR			GENMASK_ULL(51, 3)
#define CW_RSVD			GENMASK_ULL(59, 52)
/* INVALIDATE_DEVTAB_ENTRY */
#define ID_DEVID		GENMASK_ULL(15, 0)
#define ID_RSVD0		GENMASK_ULL(59, 16)
/* INVALIDATE_IOMMU_PAGES */
#define IP_PASID		GENMASK_ULL(19, 0)
#define IP_RSVD0		(GENMASK_ULL(31, 20) | GENMASK_ULL(59, 48))
#define IP_DOMID		GENMASK_ULL(47, 32)
#define IP_S			BIT_ULL(0)
#define IP_PDE			BIT_ULL(1)
#define IP_GN			BIT_ULL(2)
#define IP_RSVD1		GENMASK_ULL(11, 3)
#define IP_ADDR			GENMASK_ULL(63, 12)
/* INVALIDATE_IOTLB_PAGES */
#define IT_DEVID		GENMASK_ULL(15, 0)
#define IT_PASID_HI		GENMASK_ULL(23, 16)
#define IT_MAXPEND		GENMASK_ULL(31, 24)
#define IT_QUEUEID		GENMASK_ULL(47, 32)
#define IT_PASID_LO		GENMASK_ULL(55, 48)
#define IT_PASID_TOP		GENMASK_ULL(59, 56)	/* PASID 19:16 */
#define IT_RSVD1		(BIT_ULL(1) | GENMASK_ULL(11, 3))
/* COMPLETE_PPR_REQUEST */
#define CP_DEVID		GENMASK_ULL(15, 0)
#define CP_RSVD0		(GENMASK_ULL(31, 16) | GENMASK_ULL(59, 52))
#define CP_PASID		GENMASK_ULL(51, 32)
#define CP_GN			BIT_ULL(2)
#define CP_TAG			GENMASK_ULL(40, 32)
#define CP_STATUS		GENMASK_ULL(47, 44)
#define CP_RSVD1		(GENMASK_ULL(1, 0) | GENMASK_ULL(31, 3) | \
				 GENMASK_ULL(43, 41) | GENMASK_ULL(63, 48))
/* INVALIDATE_INTERRUPT_TABLE */
#define IR_DEVID		GENMASK_ULL(15, 0)
/* every command: reserved above the opcode's fields */
#define OP_ONLY_RSVD0		GENMASK_ULL(59, 0)

/**
 * pv_cmd_decode() - decode one command
 * @e: the command as read from guest memory
 * @c: decoded fields
 *
 * Return: 0; -EINVAL for an opcode the model does not know or a reserved
 * bit set (the processor stops with ILLEGAL_COMMAND_ERROR).
 */
static inline int pv_cmd_decode(const struct pv_entry *e, struct pv_cmd *c)
{
	u64 q0 = e->q[0], q1 = e->q[1];

	/*
	 * Every field, one by one: the processor decodes into a structure
	 * nobody cleared, and a memset() of it would be a string store per
	 * command. The compiler drops the stores a case overwrites.
	 */
	c->op = PV_OP(q0);
	c->store = false;
	c->intr = false;
	c->flush = false;
	c->store_addr = 0;
	c->store_data = 0;
	c->devid = 0;
	c->domid = 0;
	c->pasid = 0;
	c->gn = false;
	c->size = false;
	c->pde = false;
	c->addr = 0;
	c->tag = 0;
	c->status = 0;
	switch (c->op) {
	case PVM_VIOMMU_CMD_COMPLETION_WAIT:
		if (q0 & CW_RSVD)
			return -EINVAL;
		c->store = q0 & CW_S;
		c->intr = q0 & CW_I;
		c->flush = q0 & CW_F;
		c->store_addr = q0 & CW_ADDR;
		c->store_data = q1;
		return 0;
	case PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY:
		if ((q0 & ID_RSVD0) || q1)
			return -EINVAL;
		c->devid = FIELD_GET(ID_DEVID, q0);
		return 0;
	case PVM_VIOMMU_CMD_INV_IOMMU_PAGES:
		if ((q0 & IP_RSVD0) || (q1 & IP_RSVD1))
			return -EINVAL;
		c->pasid = FIELD_GET(IP_PASID, q0);
		c->domid = FIELD_GET(IP_DOMID, q0);
		c->size = q1 & IP_S;
		c->pde = q1 & IP_PDE;
		c->gn = q1 & IP_GN;
		c->addr = q1 & IP_ADDR;
		return 0;
	case PVM_VIOMMU_CMD_INV_IOTLB_PAGES:
		if (q1 & IT_RSVD1)
			return -EINVAL;
		c->devid = FIELD_GET(IT_DEVID, q0);
		c->pasid = FIELD_GET(IT_PASID_TOP, q0) << 16 |
			   FIELD_GET(IT_PASID_HI, q0) << 8 |
			   FIELD_GET(IT_PASID_LO, q0);
		c->size = q1 & IP_S;
		c->gn = q1 & IP_GN;
		c->addr = q1 & IP_ADDR;
		return 0;
	case PVM_VIOMMU_CMD_INV_INTR_TABLE:
		if ((q0 & ID_RSVD0) || q1)
			return -EINVAL;
		c->devid = FIELD_GET(IR_DEVID, q0);
		return 0;
	case PVM_VIOMMU_CMD_COMPLETE_PPR:
		if ((q0 & CP_RSVD0) || (q1 & CP_RSVD1))
			return -EINVAL;
		c->devid = FIELD_GET(CP_DEVID, q0);
		c->pasid = FIELD_GET(CP_PASID, q0);
		c->gn = q1 & CP_GN;
		c->tag = FIELD_GET(CP_TAG, q1);
		c->status = FIELD_GET(CP_STATUS, q1);
		if (c->status != PV_PPR_SUCCESS && c->status != PV_PPR_INVALID &&
		    c->status != PV_PPR_FAILURE)
			return -EINVAL;
		return 0;
	case PVM_VIOMMU_CMD_INV_IOMMU_ALL:
		if ((q0 & OP_ONLY_RSVD0) || q1)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * pv_cmd_range() - the address range of an invalidation command
 * @c: a decoded INVALIDATE_IOMMU_PAGES or INVALIDATE_IOTLB_PAGES
 * @r: the range
 *
 * Without S, the 4 KiB page of @c->addr. With S, the size is given by the
 * address itself: its lowest clear bit from bit 12 up, say bit n, makes
 * the range the aligned 2^(n+1) bytes that hold the address; an address
 * with every bit from 12 to 62 set names everything.
 */
static inline void pv_cmd_range(const struct pv_cmd *c, struct pv_range *r)
{
	u64 ones;
	unsigned int n;

	memset(r, 0, sizeof(*r));
	if (!c->size) {
		r->start = c->addr;
		r->len = 1ULL << 12;
		return;
	}
	ones = ~(c->addr >> 12);
	n = ones ? __ffs64(ones) + 12 : 64;
	if (n >= 63) {
		r->all = true;
		return;
	}
	r->len = 1ULL << (n + 1);
	r->start = c->addr & ~(r->len - 1);
}

#endif /* _PVM_VIOMMU_CMD_FMT_H */
