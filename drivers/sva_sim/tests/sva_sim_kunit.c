// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of sva_sim: descriptor validation, the ring's full/retry
 * arithmetic, batch bounds, the portal slot answers and the data helpers.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "../sva_sim_private.h"

/* A well-formed memmove with a completion record. */
static struct sva_sim_desc sk_memmove(void)
{
	return (struct sva_sim_desc){
		.pasid = 5,
		.flags = SVA_SIM_F_RCR | SVA_SIM_F_RCI,
		.opcode = SVA_SIM_OP_MEMMOVE,
		.size = 4096,
		.completion = 0x10000,
		.src = 0x20000,
		.dst = 0x30000,
	};
}

static void sk_test_valid(struct kunit *test)
{
	struct sva_sim_desc d = sk_memmove();

	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	d.opcode = SVA_SIM_OP_FILL;
	d.src = 0;
	d.pattern = 0x0123456789abcdefULL;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	d = sk_memmove();
	d.opcode = SVA_SIM_OP_CRC32C;
	d.dst = 0;
	d.pattern = 0xffffffff;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	d = sk_memmove();
	d.opcode = SVA_SIM_OP_COMPARE;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	d = (struct sva_sim_desc){ .opcode = SVA_SIM_OP_NOOP, .pasid = 1 };
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	d.opcode = SVA_SIM_OP_DRAIN;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	/* the largest PASID, the largest size, a range ending at 2^64 - 1 */
	d = sk_memmove();
	d.pasid = (1U << SVA_SIM_PASID_BITS) - 1;
	d.size = SVA_SIM_MAX_XFER_SIZE;
	d.dst = 0 - (u64)SVA_SIM_MAX_XFER_SIZE;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
}

static void sk_test_invalid(struct kunit *test)
{
	struct sva_sim_desc d;

	d = sk_memmove();
	d.opcode = SVA_SIM_OP_CRC32C + 1;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_OPCODE);
	d = sk_memmove();
	d.flags |= 1U << 2;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_FLAGS);
	d = sk_memmove();
	d.__reserved[1] = 1;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_RESERVED);
	d = sk_memmove();
	d.pasid = 1U << SVA_SIM_PASID_BITS;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_RESERVED);
	d = sk_memmove();
	d.pattern = 1;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_RESERVED);
	d = sk_memmove();
	d.size = 0;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_SIZE);
	d.size = SVA_SIM_MAX_XFER_SIZE + 1;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_SIZE);
	d = sk_memmove();
	d.src = ~0ULL - 10;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_ADDR);
	d = sk_memmove();
	d.completion = 0x10010;		/* not 32-byte aligned */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_ADDR);
	d.completion = 0;		/* RCR without a record */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_ADDR);
	d = sk_memmove();
	d.flags = 0;			/* a record address without RCR */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_RESERVED);
	d = sk_memmove();
	d.opcode = SVA_SIM_OP_FILL;	/* fill has no source */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_RESERVED);
	d = sk_memmove();
	d.opcode = SVA_SIM_OP_CRC32C;
	d.dst = 0;
	d.pattern = 1ULL << 32;		/* a seed wider than 32 bits */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_RESERVED);
	d = (struct sva_sim_desc){ .opcode = SVA_SIM_OP_NOOP, .size = 1 };
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_SIZE);
}

static void sk_test_batch(struct kunit *test)
{
	struct sva_sim_desc d = {
		.pasid = 3, .opcode = SVA_SIM_OP_BATCH, .size = 1, .src = 0x4000,
	};

	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	d.size = SVA_SIM_MAX_BATCH;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);
	d.size = SVA_SIM_MAX_BATCH + 1;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_SIZE);
	d.size = 0;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_SIZE);
	d.size = 2;
	d.src = 0x4020;			/* the list is 64-byte aligned */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_ADDR);
	d.src = 0ULL - 64;		/* two entries past 2^64 */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), SVA_SIM_INVALID_ADDR);
	d.size = 1;			/* one entry ending at 2^64 - 1 */
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, false), 0);

	/* In a batch: no batch, no drain, no PASID. */
	d.src = 0x4000;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, true), SVA_SIM_INVALID_OPCODE);
	d = (struct sva_sim_desc){ .opcode = SVA_SIM_OP_DRAIN };
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, true), SVA_SIM_INVALID_OPCODE);
	d = sk_memmove();
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, true), SVA_SIM_INVALID_RESERVED);
	d.pasid = 0;
	KUNIT_EXPECT_EQ(test, sva_sim_desc_check(&d, true), 0);
}

static void sk_test_ring(struct kunit *test)
{
	struct sva_sim_ring r = { .size = 3 };
	u32 idx, i;

	KUNIT_EXPECT_FALSE(test, sva_sim_ring_pop(&r));
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_TRUE(test, sva_sim_ring_push(&r, &idx));
		KUNIT_EXPECT_EQ(test, idx, i);
	}
	KUNIT_EXPECT_TRUE(test, sva_sim_ring_full(&r));
	KUNIT_EXPECT_EQ(test, sva_sim_ring_used(&r), 3);
	/* full: "retry", nothing changes */
	idx = 99;
	KUNIT_EXPECT_FALSE(test, sva_sim_ring_push(&r, &idx));
	KUNIT_EXPECT_EQ(test, idx, 99);
	KUNIT_EXPECT_EQ(test, r.tail, 3);
	/* one completes: one more fits, at the wrapped index */
	KUNIT_EXPECT_TRUE(test, sva_sim_ring_pop(&r));
	KUNIT_EXPECT_FALSE(test, sva_sim_ring_full(&r));
	KUNIT_ASSERT_TRUE(test, sva_sim_ring_push(&r, &idx));
	KUNIT_EXPECT_EQ(test, idx, 0);
	KUNIT_EXPECT_FALSE(test, sva_sim_ring_push(&r, &idx));
	while (sva_sim_ring_pop(&r))
		;
	KUNIT_EXPECT_EQ(test, sva_sim_ring_used(&r), 0);
	KUNIT_EXPECT_EQ(test, r.head, 4);

	/* a queue of one */
	r = (struct sva_sim_ring){ .size = 1 };
	KUNIT_EXPECT_TRUE(test, sva_sim_ring_push(&r, &idx));
	KUNIT_EXPECT_FALSE(test, sva_sim_ring_push(&r, &idx));
}

static void sk_test_slot_status(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sva_sim_slot_status(0), SVA_SIM_SLOT_ACCEPTED);
	KUNIT_EXPECT_EQ(test, sva_sim_slot_status(-EAGAIN), SVA_SIM_SLOT_RETRY);
	KUNIT_EXPECT_EQ(test, sva_sim_slot_status(-EACCES), SVA_SIM_SLOT_REFUSED);
	KUNIT_EXPECT_EQ(test, sva_sim_slot_status(-EINVAL), SVA_SIM_SLOT_INVALID);
	KUNIT_EXPECT_EQ(test, sva_sim_slot_status(-ENXIO), SVA_SIM_SLOT_CLOSED);
}

static void sk_test_data(struct kunit *test)
{
	static const u8 check[] = "123456789";
	u8 a[40], b[40];
	unsigned int i;

	/* The fill pattern, also from an offset that is not a multiple of 8. */
	sva_sim_fill_pattern(a, sizeof(a), 0x0807060504030201ULL, 0);
	for (i = 0; i < sizeof(a); i++)
		KUNIT_EXPECT_EQ(test, a[i], i % 8 + 1);
	sva_sim_fill_pattern(b, 13, 0x0807060504030201ULL, 3);
	for (i = 0; i < 13; i++)
		KUNIT_EXPECT_EQ(test, b[i], (i + 3) % 8 + 1);

	memcpy(b, a, sizeof(a));
	KUNIT_EXPECT_EQ(test, sva_sim_first_diff(a, b, sizeof(a)), sizeof(a));
	b[17] ^= 0x40;
	KUNIT_EXPECT_EQ(test, sva_sim_first_diff(a, b, sizeof(a)), 17);

	/* CRC32C's check value: ~crc32c(~0, "123456789") == 0xe3069283 */
	KUNIT_EXPECT_EQ(test, ~sva_sim_crc32c(~0U, check, 9), 0xe3069283U);
	/* chained in two parts, as the engine does per chunk */
	KUNIT_EXPECT_EQ(test, sva_sim_crc32c(sva_sim_crc32c(7, check, 4),
					     check + 4, 5),
			sva_sim_crc32c(7, check, 9));
}

static struct kunit_case sk_cases[] = {
	KUNIT_CASE(sk_test_valid),
	KUNIT_CASE(sk_test_invalid),
	KUNIT_CASE(sk_test_batch),
	KUNIT_CASE(sk_test_ring),
	KUNIT_CASE(sk_test_slot_status),
	KUNIT_CASE(sk_test_data),
	{}
};

static struct kunit_suite sk_suite = {
	.name = "sva_sim",
	.test_cases = sk_cases,
};

kunit_test_suite(sk_suite);

#ifdef HAVE_SYMBOL_NS_STRING
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#else
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif
MODULE_LICENSE("GPL");
MODULE_VERSION(PVM_VERSION);
MODULE_DESCRIPTION("KUnit tests of sva_sim's descriptor checks and queue logic");
