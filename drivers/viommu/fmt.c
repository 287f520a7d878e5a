// SPDX-License-Identifier: GPL-2.0
/*
 * pvm_viommu: the AMD IOMMU specification's layouts. A command or log entry
 * is 16 bytes, read here as two little-endian qwords: q[0] holds the
 * specification's dwords 0 (bits 31:0) and 1 (bits 63:32), q[1] dwords 2
 * and 3. Device table entries are 32 bytes, four qwords.
 */
#include <kunit/visibility.h>
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/string.h>

#include "viommu_private.h"
#include "cmd_fmt.h"

/**
 * pv_cmd_encode() - encode a command, as a guest driver would
 * @c: the fields (those of @c->op)
 * @e: the command
 *
 * The inverse of pv_cmd_decode(), for tests and for documentation of the
 * layout by example.
 */
void pv_cmd_encode(const struct pv_cmd *c, struct pv_entry *e)
{
	u64 q0 = (u64)c->op << PVM_VIOMMU_CMD_OP_SHIFT, q1 = 0;

	switch (c->op) {
	case PVM_VIOMMU_CMD_COMPLETION_WAIT:
		q0 |= (c->store ? CW_S : 0) | (c->intr ? CW_I : 0) |
		      (c->flush ? CW_F : 0) | (c->store_addr & CW_ADDR);
		q1 = c->store_data;
		break;
	case PVM_VIOMMU_CMD_INV_DEVTAB_ENTRY:
	case PVM_VIOMMU_CMD_INV_INTR_TABLE:
		q0 |= FIELD_PREP(ID_DEVID, c->devid);
		break;
	case PVM_VIOMMU_CMD_INV_IOMMU_PAGES:
		q0 |= FIELD_PREP(IP_PASID, c->pasid) |
		      FIELD_PREP(IP_DOMID, c->domid);
		q1 = (c->size ? IP_S : 0) | (c->pde ? IP_PDE : 0) |
		     (c->gn ? IP_GN : 0) | (c->addr & IP_ADDR);
		break;
	case PVM_VIOMMU_CMD_INV_IOTLB_PAGES:
		q0 |= FIELD_PREP(IT_DEVID, c->devid) |
		      FIELD_PREP(IT_PASID_HI, (c->pasid >> 8) & 0xff) |
		      FIELD_PREP(IT_QUEUEID, c->devid) |
		      FIELD_PREP(IT_PASID_LO, c->pasid & 0xff) |
		      FIELD_PREP(IT_PASID_TOP, (c->pasid >> 16) & 0xf);
		q1 = (c->size ? IP_S : 0) | (c->gn ? IP_GN : 0) |
		     (c->addr & IP_ADDR);
		break;
	case PVM_VIOMMU_CMD_COMPLETE_PPR:
		q0 |= FIELD_PREP(CP_DEVID, c->devid) |
		      FIELD_PREP(CP_PASID, c->pasid);
		q1 = (c->gn ? CP_GN : 0) | FIELD_PREP(CP_TAG, c->tag) |
		     FIELD_PREP(CP_STATUS, c->status);
		break;
	default:
		break;
	}
	e->q[0] = q0;
	e->q[1] = q1;
}
EXPORT_SYMBOL_IF_KUNIT(pv_cmd_encode);

static u64 pv_evt_code(u8 code)
{
	return (u64)code << PVM_VIOMMU_EVT_CODE_SHIFT;
}

/**
 * pv_evt_illegal_command() - an ILLEGAL_COMMAND_ERROR event
 * @e: the entry
 * @gpa: the GPA of the command
 */
void pv_evt_illegal_command(struct pv_entry *e, u64 gpa)
{
	e->q[0] = pv_evt_code(PVM_VIOMMU_EVT_ILLEGAL_COMMAND_ERROR);
	e->q[1] = gpa;
}
EXPORT_SYMBOL_IF_KUNIT(pv_evt_illegal_command);

/**
 * pv_evt_hardware_error() - a COMMAND_HARDWARE_ERROR event
 * @e: the entry
 * @gpa: the GPA whose access failed (a command, or a COMPLETION_WAIT's
 *	store address)
 *
 * The model leaves the flags (the failed transaction's type) at 0.
 */
void pv_evt_hardware_error(struct pv_entry *e, u64 gpa)
{
	e->q[0] = pv_evt_code(PVM_VIOMMU_EVT_COMMAND_HARDWARE_ERROR);
	e->q[1] = gpa;
}
EXPORT_SYMBOL_IF_KUNIT(pv_evt_hardware_error);

/**
 * pv_evt_illegal_dte() - an ILLEGAL_DEV_TABLE_ENTRY event
 * @e: the entry
 * @devid: the guest device ID
 * @gpa: the GPA of the device table entry
 */
void pv_evt_illegal_dte(struct pv_entry *e, u16 devid, u64 gpa)
{
	e->q[0] = pv_evt_code(PVM_VIOMMU_EVT_ILLEGAL_DEV_TABLE_ENTRY) | devid;
	e->q[1] = gpa;
}
EXPORT_SYMBOL_IF_KUNIT(pv_evt_illegal_dte);

/**
 * pv_evt_io_page_fault() - an IO_PAGE_FAULT event from a backend record
 * @e: the entry
 * @devid: the guest device ID
 * @domid: the guest domain ID (written when the access had no PASID)
 * @rec: the backend's fault record
 *
 * Dword 0: device ID (15:0), PASID bits 19:16 (19:16). Dword 1: the guest
 * domain ID, or with GN the PASID bits 15:0 (15:0), flags (27:16), code
 * (31:28). Qword 1: the address.
 */
void pv_evt_io_page_fault(struct pv_entry *e, u16 devid, u16 domid,
			  const struct vfio_nested_fault *rec)
{
	bool gn = rec->flags & VFIO_NESTED_FAULT_PASID_VALID;
	u32 flags = 0, lo;
	u64 q0;

	if (gn)
		flags |= PV_EVT_F_GN;
	if (rec->perm & VFIO_NESTED_FAULT_PERM_EXEC)
		flags |= PV_EVT_F_NX;
	if (!(rec->perm & VFIO_NESTED_FAULT_PERM_PRIV))
		flags |= PV_EVT_F_US;
	if (rec->perm & VFIO_NESTED_FAULT_PERM_WRITE)
		flags |= PV_EVT_F_RW;
	switch (rec->reason) {
	case VFIO_NESTED_FAULT_REASON_S1_WRITE:
	case VFIO_NESTED_FAULT_REASON_S1_PRIV:
	case VFIO_NESTED_FAULT_REASON_S1_EXEC:
		flags |= PV_EVT_F_PR | PV_EVT_F_PE;
		break;
	case VFIO_NESTED_FAULT_REASON_S1_RESERVED:
		flags |= PV_EVT_F_PR | PV_EVT_F_RZ;
		break;
	default:
		break;
	}
	lo = gn ? rec->pasid & 0xffff : domid;
	q0 = devid | (u64)(gn ? (rec->pasid >> 16) & 0xf : 0) << 16;
	q0 |= ((u64)lo | (u64)flags << 16) << 32;
	e->q[0] = q0 | pv_evt_code(PVM_VIOMMU_EVT_IO_PAGE_FAULT);
	e->q[1] = rec->addr;
}
EXPORT_SYMBOL_IF_KUNIT(pv_evt_io_page_fault);

/**
 * pv_ppr_request() - a PPR log entry from a backend page request record
 * @e: the entry
 * @devid: the guest device ID
 * @rec: the backend's record (one page)
 *
 * Qword 0: device ID (15:0), PASID bits 15:0 (31:16), the tag, i.e. the
 * page request group index (40:32), PASID bits 19:16 (45:42), flags
 * (59:48), code 1 (63:60). Qword 1: the page's address.
 */
void pv_ppr_request(struct pv_entry *e, u16 devid,
		    const struct vfio_nested_fault *rec)
{
	bool gn = rec->flags & VFIO_NESTED_FAULT_PASID_VALID;
	u32 pasid = gn ? rec->pasid : 0;
	u64 flags = 0;

	if (gn)
		flags |= PV_PPR_F_GN;
	if (rec->perm & VFIO_NESTED_FAULT_PERM_EXEC)
		flags |= PV_PPR_F_EXEC;
	if (rec->perm & (VFIO_NESTED_FAULT_PERM_READ |
			 VFIO_NESTED_FAULT_PERM_WRITE))
		flags |= PV_PPR_F_READ;
	if (rec->perm & VFIO_NESTED_FAULT_PERM_WRITE)
		flags |= PV_PPR_F_WRITE;
	if (!(rec->perm & VFIO_NESTED_FAULT_PERM_PRIV))
		flags |= PV_PPR_F_US;
	e->q[0] = devid | (u64)(pasid & 0xffff) << 16 |
		  (u64)(rec->grpid & 0x1ff) << 32 |
		  (u64)((pasid >> 16) & 0xf) << 42 | flags << 48 |
		  pv_evt_code(PVM_VIOMMU_PPR_REQUEST);
	e->q[1] = rec->addr;
}
EXPORT_SYMBOL_IF_KUNIT(pv_ppr_request);

/**
 * pv_ppr_code() - the backend's page response code for a PPR status
 * @status: PV_PPR_SUCCESS, PV_PPR_INVALID or PV_PPR_FAILURE
 *
 * Return: the enum vfio_nested_page_resp_code.
 */
u32 pv_ppr_code(u8 status)
{
	switch (status) {
	case PV_PPR_SUCCESS:
		return VFIO_NESTED_PAGE_RESP_SUCCESS;
	case PV_PPR_INVALID:
		return VFIO_NESTED_PAGE_RESP_INVALID;
	default:
		return VFIO_NESTED_PAGE_RESP_FAILURE;
	}
}
EXPORT_SYMBOL_IF_KUNIT(pv_ppr_code);

/* device table entry fields */
#define DTE_V			BIT_ULL(0)
#define DTE_TV			BIT_ULL(1)
#define DTE_MODE		GENMASK_ULL(11, 9)
#define DTE_PPR			BIT_ULL(52)
#define DTE_GIOV		BIT_ULL(54)
#define DTE_GV			BIT_ULL(55)
#define DTE_GLX			GENMASK_ULL(57, 56)
#define DTE_GCR3_A		GENMASK_ULL(60, 58)	/* GCR3 bits 14:12 */
#define DTE_DOMID		GENMASK_ULL(15, 0)
#define DTE_GCR3_B		GENMASK_ULL(31, 16)	/* GCR3 bits 30:15 */
#define DTE_GCR3_C		GENMASK_ULL(63, 43)	/* GCR3 bits 51:31 */
#define DTE_GPT_LEVEL		GENMASK_ULL(55, 54)	/* third qword */

/**
 * pv_dte_decode() - decode a device table entry
 * @q: its four qwords
 * @d: the fields the model uses
 *
 * Return: 0; -EINVAL for a GV entry with GLX 3 or a guest paging level
 * above 1 (5 levels), both reserved.
 */
int pv_dte_decode(const u64 *q, struct pv_dte *d)
{
	memset(d, 0, sizeof(*d));
	d->v = q[0] & DTE_V;
	d->tv = q[0] & DTE_TV;
	d->mode = FIELD_GET(DTE_MODE, q[0]);
	d->ppr = q[0] & DTE_PPR;
	d->giov = q[0] & DTE_GIOV;
	d->gv = q[0] & DTE_GV;
	d->glx = FIELD_GET(DTE_GLX, q[0]);
	d->domid = FIELD_GET(DTE_DOMID, q[1]);
	d->gcr3_root = FIELD_GET(DTE_GCR3_A, q[0]) << 12 |
		       FIELD_GET(DTE_GCR3_B, q[1]) << 15 |
		       FIELD_GET(DTE_GCR3_C, q[1]) << 31;
	d->gpt_level = FIELD_GET(DTE_GPT_LEVEL, q[2]);
	if (d->v && d->gv && (d->glx > 2 || d->gpt_level > 1))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pv_dte_decode);

/**
 * pv_base_decode() - a command buffer, event log or PPR log base register
 * @val: the register
 * @base: its GPA (bits 51:12)
 * @size: its size in bytes (16 << the length field, bits 59:56)
 *
 * Return: 0; -EINVAL for a set bit outside the two fields, or a length
 * field below PVM_VIOMMU_LOG_LEN_MIN (a zero register is accepted: the
 * structure is unset, @size 0).
 */
int pv_base_decode(u64 val, u64 *base, u32 *size)
{
	u64 len = (val >> PVM_VIOMMU_BASE_LEN_SHIFT) & PVM_VIOMMU_BASE_LEN_MASK;

	*base = val & PVM_VIOMMU_BASE_ADDR_MASK;
	*size = 0;
	if (val & ~(PVM_VIOMMU_BASE_ADDR_MASK |
		    PVM_VIOMMU_BASE_LEN_MASK << PVM_VIOMMU_BASE_LEN_SHIFT))
		return -EINVAL;
	if (!val)
		return 0;
	if (len < PVM_VIOMMU_LOG_LEN_MIN)
		return -EINVAL;
	*size = PVM_VIOMMU_CMD_SIZE << len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pv_base_decode);

/**
 * pv_dtb_decode() - the device table base register
 * @val: the register
 * @base: the table's GPA (bits 51:12)
 * @entries: how many 32-byte entries its size (bits 8:0, 4 KiB pages
 *	minus one) holds
 *
 * Return: 0; -EINVAL for a set bit outside the two fields.
 */
int pv_dtb_decode(u64 val, u64 *base, u32 *entries)
{
	*base = val & PVM_VIOMMU_BASE_ADDR_MASK;
	*entries = ((val & PVM_VIOMMU_DTB_SIZE_MASK) + 1) * (4096 / PV_DTE_SIZE);
	if (val & ~(PVM_VIOMMU_BASE_ADDR_MASK | PVM_VIOMMU_DTB_SIZE_MASK))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pv_dtb_decode);
