/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sva_sim: a simulated SVA accelerator (an mdev) with dedicated and shared
 * work queues; descriptors execute as DMA through the nested VFIO backend.
 *
 * Files: main.c (module, mdev parent and type, sysfs configuration),
 * vfio.c (the VFIO device: ioctls, portal region, IRQs, open/close/reset,
 * removal), queue.c (submission, the kick, the worker, drain and abort),
 * desc.c (descriptor validation and the ring's arithmetic, no device
 * state: the KUnit suite tests it).
 *
 * Lock order (outer first)
 * ------------------------
 * 1. &sva_sim_dev.lock (mutex): the configuration, @opened, @gone, queue
 *    state changes (enable, disable, PASID, kick), open/close/reset/
 *    request. Held while waiting for an abort to finish (bounded: the
 *    waits of the DMA are ended by vfio_nested_dma_abort()), never while
 *    waiting for a graceful drain (which needs the VMM to answer page
 *    requests).
 * 2. a kick eventfd's wait-queue lock (the eventfd core holds it while it
 *    calls sva_sim_kick_wake()).
 * 3. &sva_sim_queue.lock (spinlock, taken with interrupts off): the ring,
 *    @open, @abort_until, the PASID fields the submission reads, @kp,
 *    the counters. Nothing is taken inside it but kvm_pasid_translate()'s
 *    RCU read side and queue_work()'s locks.
 * &sva_sim_dev.irq_lock (spinlock, interrupts off) guards the IRQ eventfd
 * pointers; it is never taken with a queue lock held, and eventfd_signal()
 * is called under it (the eventfd's lock is inside it).
 *
 * The worker (one work item per queue on sva_sim_wq) holds no lock while
 * it does DMA: a page request may wait there for the VMM.
 */
#ifndef _SVA_SIM_PRIVATE_H
#define _SVA_SIM_PRIVATE_H

#include <linux/eventfd.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/sva_sim.h>

struct kvm_pasid;

/* Bytes of a queue's bounce buffer: a 64 KiB memmove is one read, one write. */
#define SVA_SIM_BOUNCE_SIZE	(64 * 1024)
#define SVA_SIM_DEFAULT_QUEUES	2
#define SVA_SIM_DEFAULT_SIZE	32

/* The portal region's index and offsets (index in bits 63:40). */
#define SVA_SIM_REGION_PORTAL	0
#define SVA_SIM_NUM_REGIONS	1
#define SVA_SIM_OFFSET_SHIFT	40
#define SVA_SIM_OFFSET_MASK	((1ULL << SVA_SIM_OFFSET_SHIFT) - 1)

/**
 * struct sva_sim_ring - the arithmetic of a bounded ring
 * @size: entries, 1 to SVA_SIM_MAX_QUEUE_SIZE
 * @head: sequence number of the oldest entry not completed
 * @tail: sequence number the next accepted entry gets
 *
 * Sequence numbers grow for the queue's life; entry @seq is at index
 * ``seq % size``. In flight: ``tail - head`` entries.
 */
struct sva_sim_ring {
	u32 size;
	u64 head;
	u64 tail;
};

/**
 * struct sva_sim_entry - an accepted descriptor
 * @desc: the descriptor as the portal took it
 * @hpasid: the host PASID it executes with
 */
struct sva_sim_entry {
	struct sva_sim_desc desc;
	u32 hpasid;
};

/**
 * struct sva_sim_qstats - counters of a queue (see &struct sva_sim_stats)
 * @c: in the order of &struct sva_sim_stats from @submitted on
 */
struct sva_sim_qstats {
	u64 c[16];
};

enum {
	SVA_SIM_ST_SUBMITTED, SVA_SIM_ST_ACCEPTED, SVA_SIM_ST_RETRY,
	SVA_SIM_ST_REFUSED, SVA_SIM_ST_INVALID, SVA_SIM_ST_CLOSED,
	SVA_SIM_ST_COMPLETED, SVA_SIM_ST_SUCCESS, SVA_SIM_ST_ABORTED,
	SVA_SIM_ST_FAULTS, SVA_SIM_ST_BAD_PASID, SVA_SIM_ST_PAGE_REQUESTS,
	SVA_SIM_ST_BYTES, SVA_SIM_ST_IRQS, SVA_SIM_ST_CR_FAULTS,
	SVA_SIM_ST_KICKS, SVA_SIM_ST_NR,
};

struct sva_sim_dev;

/**
 * struct sva_sim_queue - one work queue of an open device
 * @sd: the device
 * @idx: its index
 * @mode: enum sva_sim_queue_mode
 * @lock: lock 3
 * @ring: the ring (@lock)
 * @entries: @ring.size accepted descriptors (@lock)
 * @open: the portal is open (@lock)
 * @disabling: closed with descriptors still in flight (lock 1)
 * @guest: shared queue: descriptors carry guest PASIDs (@lock)
 * @kp: the KVM VM's attachment while @guest (@lock)
 * @pasid_set: a dedicated queue's PASID is set (lock 1, read under @lock)
 * @pasid_guest: it was named as a guest PASID
 * @pasid: it, as named
 * @hpasid: its host PASID
 * @abort_until: entries below this sequence number are aborted (@lock;
 *	read without by the worker)
 * @busy: the worker has entries to run (@lock)
 * @work: the worker
 * @wq: drains wait here for @ring.head to move
 * @bounce: the worker's buffer, SVA_SIM_BOUNCE_SIZE bytes
 * @batch: the worker's copy of a batch's list
 * @portal: the queue's portal page (struct sva_sim_portal)
 * @kick: the kick eventfd or NULL (lock 1)
 * @kick_wait: our entry on its wait queue
 * @kick_pt: the poll table that puts it there
 * @kick_wqh: the wait queue it is on
 * @st: counters (@lock)
 */
struct sva_sim_queue {
	struct sva_sim_dev *sd;
	unsigned int idx;
	u32 mode;
	spinlock_t lock;		/* lock 3 */
	struct sva_sim_ring ring;
	struct sva_sim_entry *entries;
	bool open;
	bool disabling;
	bool guest;
	struct kvm_pasid *kp;
	bool pasid_set;
	bool pasid_guest;
	u32 pasid;
	u32 hpasid;
	u64 abort_until;
	bool busy;
	struct work_struct work;
	wait_queue_head_t wq;
	void *bounce;
	struct sva_sim_desc *batch;
	struct page *portal;
	struct eventfd_ctx *kick;
	wait_queue_entry_t kick_wait;
	poll_table kick_pt;
	wait_queue_head_t *kick_wqh;
	struct sva_sim_qstats st;
};

/**
 * struct sva_sim_cfg - the sysfs configuration of an instance
 * @nr_queues: work queues
 * @size: their sizes
 * @mode: their modes (enum sva_sim_queue_mode)
 */
struct sva_sim_cfg {
	u32 nr_queues;
	u32 size[SVA_SIM_MAX_QUEUES];
	u32 mode[SVA_SIM_MAX_QUEUES];
};

/**
 * struct sva_sim_dev - one mdev instance
 * @vdev: the VFIO device
 * @lock: lock 1
 * @cfg: the configuration (lock 1)
 * @opened: the device fd is open (lock 1)
 * @gone: the mdev is being removed (lock 1; read without)
 * @nq: queues of the open device (@cfg.nr_queues at open)
 * @q: the queues
 * @portal: the portal pages, allocated with the device
 * @irq_lock: guards @irq and @req
 * @irq: per queue, the completion eventfd or NULL
 * @req: the request eventfd or NULL
 */
struct sva_sim_dev {
	struct vfio_device vdev;
	struct mutex lock;		/* lock 1 */
	struct sva_sim_cfg cfg;
	bool opened;
	bool gone;
	unsigned int nq;
	struct sva_sim_queue q[SVA_SIM_MAX_QUEUES];
	struct page *portal[SVA_SIM_MAX_QUEUES];
	spinlock_t irq_lock;		/* IRQ eventfds */
	struct eventfd_ctx *irq[SVA_SIM_MAX_QUEUES];
	struct eventfd_ctx *req;
};

static inline struct sva_sim_dev *vdev_to_sd(struct vfio_device *vdev)
{
	return container_of(vdev, struct sva_sim_dev, vdev);
}

/* The portal pages can be mapped: a page is a portal's size. */
static inline bool sva_sim_mappable(void)
{
	return PAGE_SIZE == SVA_SIM_PORTAL_SIZE;
}

extern struct workqueue_struct *sva_sim_wq;

/* desc.c: no device state (the KUnit suite calls these) */
u32 sva_sim_desc_check(const struct sva_sim_desc *d, bool in_batch);
bool sva_sim_ring_full(const struct sva_sim_ring *r);
bool sva_sim_ring_push(struct sva_sim_ring *r, u32 *index);
bool sva_sim_ring_pop(struct sva_sim_ring *r);
u32 sva_sim_ring_used(const struct sva_sim_ring *r);
u32 sva_sim_slot_status(int err);
void sva_sim_fill_pattern(void *buf, size_t len, u64 pattern, u64 offset);
size_t sva_sim_first_diff(const void *a, const void *b, size_t len);
u32 sva_sim_crc32c(u32 crc, const void *buf, size_t len);

/* queue.c */
int sva_sim_queue_open(struct sva_sim_dev *sd, unsigned int i);
void sva_sim_queue_close(struct sva_sim_queue *q);
int sva_sim_submit(struct sva_sim_queue *q, const struct sva_sim_desc *d);
int sva_sim_queue_set_kick(struct sva_sim_queue *q, int fd);
struct kvm_pasid *sva_sim_queue_shut(struct sva_sim_queue *q);
void sva_sim_queue_abort(struct sva_sim_queue *q);
int sva_sim_queue_wait(struct sva_sim_queue *q);
void sva_sim_signal(struct sva_sim_dev *sd, unsigned int index,
		    unsigned int vector);

/* vfio.c */
extern const struct vfio_device_ops sva_sim_vfio_ops;

#endif /* _SVA_SIM_PRIVATE_H */
