// SPDX-License-Identifier: GPL-2.0
/*
 * sva_sim: descriptor validation, the ring's arithmetic and the data
 * helpers of the engine. No device state: tests/sva_sim_kunit.c calls
 * these directly.
 */
#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/crc32.h>	/* crc32c() (7.x), __crc32c_le() (6.12) */

#include "sva_sim_private.h"

/* [addr, addr + len) does not wrap past 2^64 (len >= 1) */
static bool sva_sim_range_ok(u64 addr, u64 len)
{
	return addr + (len - 1) >= addr;
}

/* Size and address checks of the data opcodes; 0 or enum sva_sim_invalid. */
static u32 sva_sim_check_xfer(const struct sva_sim_desc *d, bool src,
			      bool dst)
{
	if (!d->size || d->size > SVA_SIM_MAX_XFER_SIZE)
		return SVA_SIM_INVALID_SIZE;
	if ((!src && d->src) || (!dst && d->dst))
		return SVA_SIM_INVALID_RESERVED;
	if ((src && !sva_sim_range_ok(d->src, d->size)) ||
	    (dst && !sva_sim_range_ok(d->dst, d->size)))
		return SVA_SIM_INVALID_ADDR;
	return SVA_SIM_INVALID_NONE;
}

/**
 * sva_sim_desc_check() - is a descriptor well formed
 * @d: the descriptor
 * @in_batch: it was read from a batch's list (no batch or drain in it, a
 *	@pasid of 0)
 *
 * Checks what does not depend on the queue: opcode, flags, reserved
 * fields, sizes, address alignment and wrap-around. The PASID's acceptance
 * is the queue's business.
 *
 * Context: any.
 * Return: SVA_SIM_INVALID_NONE (0) or the first reason found (enum
 * sva_sim_invalid).
 */
u32 sva_sim_desc_check(const struct sva_sim_desc *d, bool in_batch)
{
	if (d->opcode > SVA_SIM_OP_CRC32C ||
	    (in_batch && (d->opcode == SVA_SIM_OP_BATCH ||
			  d->opcode == SVA_SIM_OP_DRAIN)))
		return SVA_SIM_INVALID_OPCODE;
	if (d->flags & ~(SVA_SIM_F_RCR | SVA_SIM_F_RCI))
		return SVA_SIM_INVALID_FLAGS;
	if (d->__reserved[0] || d->__reserved[1] ||
	    (in_batch ? d->pasid : d->pasid >> SVA_SIM_PASID_BITS))
		return SVA_SIM_INVALID_RESERVED;
	if (d->flags & SVA_SIM_F_RCR) {
		if (!d->completion || !IS_ALIGNED(d->completion, 32))
			return SVA_SIM_INVALID_ADDR;
	} else if (d->completion) {
		return SVA_SIM_INVALID_RESERVED;
	}

	switch (d->opcode) {
	case SVA_SIM_OP_NOOP:
	case SVA_SIM_OP_DRAIN:
		if (d->size)
			return SVA_SIM_INVALID_SIZE;
		if (d->src || d->dst || d->pattern)
			return SVA_SIM_INVALID_RESERVED;
		return SVA_SIM_INVALID_NONE;
	case SVA_SIM_OP_BATCH:
		if (!d->size || d->size > SVA_SIM_MAX_BATCH)
			return SVA_SIM_INVALID_SIZE;
		if (d->dst || d->pattern)
			return SVA_SIM_INVALID_RESERVED;
		if (!IS_ALIGNED(d->src, sizeof(*d)) ||
		    !sva_sim_range_ok(d->src, (u64)d->size * sizeof(*d)))
			return SVA_SIM_INVALID_ADDR;
		return SVA_SIM_INVALID_NONE;
	case SVA_SIM_OP_MEMMOVE:
	case SVA_SIM_OP_COMPARE:
		if (d->pattern)
			return SVA_SIM_INVALID_RESERVED;
		return sva_sim_check_xfer(d, true, true);
	case SVA_SIM_OP_FILL:
		return sva_sim_check_xfer(d, false, true);
	default: /* SVA_SIM_OP_CRC32C */
		if (d->pattern >> 32)
			return SVA_SIM_INVALID_RESERVED;
		return sva_sim_check_xfer(d, true, false);
	}
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_desc_check);

/**
 * sva_sim_ring_used() - entries accepted and not completed
 * @r: the ring
 *
 * Return: ``tail - head``.
 */
u32 sva_sim_ring_used(const struct sva_sim_ring *r)
{
	return r->tail - r->head;
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_ring_used);

/**
 * sva_sim_ring_full() - would a submission be refused with "retry"
 * @r: the ring
 *
 * Return: true when @r->size entries are in flight.
 */
bool sva_sim_ring_full(const struct sva_sim_ring *r)
{
	return sva_sim_ring_used(r) >= r->size;
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_ring_full);

/**
 * sva_sim_ring_push() - take an entry for a new submission
 * @r: the ring
 * @index: output, the entry's index in the ring's array
 *
 * Return: false (nothing changed) when the ring is full.
 */
bool sva_sim_ring_push(struct sva_sim_ring *r, u32 *index)
{
	if (sva_sim_ring_full(r))
		return false;
	*index = r->tail % r->size;
	r->tail++;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_ring_push);

/**
 * sva_sim_ring_pop() - the oldest entry completed
 * @r: the ring
 *
 * Return: false (nothing changed) when the ring is empty.
 */
bool sva_sim_ring_pop(struct sva_sim_ring *r)
{
	if (r->head == r->tail)
		return false;
	r->head++;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_ring_pop);

/**
 * sva_sim_slot_status() - a portal slot's answer for a submission's result
 * @err: sva_sim_submit()'s return
 *
 * Return: the enum sva_sim_slot_status matching the pwrite(2) errno.
 */
u32 sva_sim_slot_status(int err)
{
	switch (err) {
	case 0:
		return SVA_SIM_SLOT_ACCEPTED;
	case -EAGAIN:
		return SVA_SIM_SLOT_RETRY;
	case -EACCES:
		return SVA_SIM_SLOT_REFUSED;
	case -EINVAL:
		return SVA_SIM_SLOT_INVALID;
	default:
		return SVA_SIM_SLOT_CLOSED;
	}
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_slot_status);

/**
 * sva_sim_fill_pattern() - the bytes of a fill
 * @buf: output
 * @len: bytes
 * @pattern: the 8-byte pattern (byte i is byte ``i % 8`` of it, little
 *	endian)
 * @offset: the offset of @buf[0] in the whole fill
 */
void sva_sim_fill_pattern(void *buf, size_t len, u64 pattern, u64 offset)
{
	__le64 p = cpu_to_le64(pattern);
	const u8 *pb = (const u8 *)&p;
	u8 *b = buf;
	size_t i;

	/* Byte-wise up to an 8-byte boundary of the fill, then 8 at a time. */
	for (i = 0; i < len && ((offset + i) & 7); i++)
		b[i] = pb[(offset + i) & 7];
	for (; i + 8 <= len; i += 8)
		memcpy(b + i, &p, 8);
	for (; i < len; i++)
		b[i] = pb[(offset + i) & 7];
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_fill_pattern);

/**
 * sva_sim_first_diff() - where two buffers differ first
 * @a: first buffer
 * @b: second buffer
 * @len: bytes
 *
 * Return: the offset of the first differing byte, @len if equal.
 */
size_t sva_sim_first_diff(const void *a, const void *b, size_t len)
{
	const u8 *x = a, *y = b;
	size_t i = 0;

	/* memcmp() finds whether, the scan only where: 4 KiB at a time. */
	while (i < len) {
		size_t n = min_t(size_t, len - i, 4096);

		if (memcmp(x + i, y + i, n)) {
			while (x[i] == y[i])
				i++;
			return i;
		}
		i += n;
	}
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_first_diff);

/**
 * sva_sim_crc32c() - CRC32C, not inverted before or after
 * @crc: seed
 * @buf: bytes
 * @len: how many
 *
 * Return: the CRC (that of crc32c() with the same seed).
 */
u32 sva_sim_crc32c(u32 crc, const void *buf, size_t len)
{
#ifdef HAVE_CRC32C_IN_CRC32_H
	return crc32c(crc, buf, len);
#else
	return __crc32c_le(crc, buf, len);
#endif
}
EXPORT_SYMBOL_IF_KUNIT(sva_sim_crc32c);
