// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio benchmark: the same userspace virtio-net driver on vdpa_sim_net
 * through vhost_vfio's vhost personality (VFIO mdev fd), through vhost-vdpa
 * (/dev/vhost-vdpa-N), or through vhost_vfio's virtio-pci personality (a
 * VFIO PCI device in a type1 v2 container, vhost_vfio_pci_utils.h).
 *
 *   vhost_vfio_bench vfio <mdev-uuid> [seconds]
 *   vhost_vfio_bench vdpa <vdpa-device-name> [seconds]
 *   vhost_vfio_bench pci <mdev-uuid> [seconds]
 *   vhost_vfio_bench pair <pci-mdev-uuid> <vhost-mdev-uuid> [seconds]
 *   vhost_vfio_bench pair2 <mode> <arg> <mode> <arg> [seconds]
 *
 * Prints "fps <frames per second>" (batches of 32 frames, 64-byte payload,
 * TX->RX loopback), "lat_us <mean kick-to-RX-interrupt microseconds>" (one
 * frame at a time) and, for vfio and pci, kicks per second through the
 * notify path with nothing queued: "kps_trap" (a write the kernel traps:
 * the doorbell region / the notify window of the BAR) and "kps_eventfd"
 * (the queue's kick eventfd / the VFIO_DEVICE_IOEVENTFD eventfd).
 * "vcsw_batch" and "ivcsw_batch" are the driver's voluntary and involuntary
 * context switches per batch of the frames/s run: how often it slept in
 * poll() and how often it was preempted (the CPU placement decides these
 * more than the path does).
 * "pair" runs the pci and the vfio client in one process, alternating
 * every batch (see pair()), and prints pair_fps_* and pair_lat_us_*
 * for both and their ratios (pci/vhost frames/s, vhost/pci latency), then
 * pair_kps_trap_* and pair_kps_eventfd_*: kicks per second, the clients
 * taking turns of KICKS kicks, and their ratios (pci/vhost).
 * "pair2" is the same for any two clients (vfio and vfio on two devices:
 * a control, whose ratio shows what the method itself gives the first),
 * printing the keys with "pci" the first and "vhost" the second client.
 */
#include <sys/resource.h>
#include "vhost_vfio_pci_utils.h"

#define BATCH	32
#define SLICE	1	/* pair: batches (or single frames) per turn */
#define FLEN	(64 + VV_NET_HDR)

/* One client, two transports: vhost ioctls or the virtio-pci registers. */
struct client {
	struct vv_net *n;	/* rings, buffers, MAC: &vn or &pn.n */
	struct vv_net vn;	/* vfio, vdpa */
	struct vv_be be;
	struct vp_dev d;	/* pci */
	struct vp_net pn;
	bool pci;
	uint32_t seq;		/* next frame's sequence number (pair) */
	unsigned long frames;	/* frames moved (pair) */
};

static int send(struct client *c, uint32_t seq, unsigned int count)
{
	return c->pci ? vp_net_send(&c->pn, seq, count, FLEN) :
			vv_net_send(c->n, seq, count, FLEN);
}

static int run_batch(struct client *c, uint32_t seq, unsigned int count)
{
	struct vv_net *n = c->n;
	uint16_t rx0 = vv_used_idx(&n->rx), tx0 = vv_used_idx(&n->tx);
	int ret;

	vv_net_post_rx(n, count);
	ret = send(c, seq, count);
	if (ret)
		return ret;
	ret = vv_wait_used(&n->rx, rx0 + count, 5000);
	if (ret)
		return ret;
	ret = vv_wait_used(&n->tx, tx0 + count, 5000);
	if (ret)
		return ret;
	/* spot-check one frame per batch */
	return vv_net_check_rx(n, rx0 + count - 1, seq + count - 1, FLEN);
}

#define KICKS	256	/* kicks per timed chunk */

/*
 * KICKS kicks on the TX queue with nothing new on it: the seconds they
 * took, or -1.
 */
static double kick_chunk(struct client *c, bool trapped)
{
	struct vv_vq *q = &c->n->tx;
	double t0 = vv_now();
	unsigned int i;

	for (i = 0; i < KICKS; i++) {
		int ret;

		if (c->pci)
			ret = vp_kick(&c->d, q, c->pn.tx_addr,
				      trapped ? VP_KICK_PWRITE : VP_KICK_IOEVENTFD);
		else
			ret = vv_kick(&c->be, q, trapped);
		if (ret)
			return -1;
	}
	return vv_now() - t0;
}

/* Kicks per second on the TX queue with nothing new on it. */
static double kicks(struct client *c, bool trapped, double secs)
{
	double t0 = vv_now(), busy = 0, d;
	unsigned long k = 0;

	do {
		d = kick_chunk(c, trapped);
		if (d < 0)
			return -1;
		busy += d;
		k += KICKS;
	} while (vv_now() - t0 < secs);
	return k / busy;
}

static bool can_kick(const struct client *c)
{
	return c->pci || c->be.vfio;
}

/* Open and bring up a client: "pci", "vfio" or "vdpa" on @arg. */
static int client_open(struct client *c, const char *mode, const char *arg)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->n = &c->vn;
	if (!strcmp(mode, "pci")) {
		c->pci = true;
		c->n = &c->pn.n;
		ret = vp_open(&c->d, arg, VFIO_TYPE1v2_IOMMU);
		return ret ? ret : vp_net_setup(&c->pn, &c->d, VV_NET_FEATURES,
						VP_KICK_IOEVENTFD);
	}
	if (!strcmp(mode, "vfio"))
		ret = vv_be_open_vfio(&c->be, arg);
	else if (!strcmp(mode, "vdpa"))
		ret = vv_be_open_vdpa(&c->be, arg);
	else
		return -EINVAL;
	return ret ? ret : vv_net_setup(c->n, &c->be, 0, true);
}

static void client_close(struct client *c)
{
	if (c->pci) {
		vp_net_close(&c->pn);
		vp_close(&c->d);
	} else {
		vv_net_close(c->n);
		vv_be_close(&c->be);
	}
}

/* Warm up for @secs (code paths, caches, the sim's thread). */
static int warm_up(struct client *c, double secs)
{
	double t0 = vv_now();

	while (vv_now() - t0 < secs) {
		int ret = run_batch(c, c->seq, BATCH);

		if (ret)
			return ret;
		c->seq += BATCH;
	}
	return 0;
}

/*
 * @nb batches of @count frames on @c; the time they took is added to
 * *@busy and the frames to c->frames.
 */
static int run_slice(struct client *c, unsigned int nb, unsigned int count,
		     double *busy)
{
	double t0 = vv_now();
	unsigned int i;

	for (i = 0; i < nb; i++) {
		int ret = run_batch(c, c->seq, count);

		if (ret)
			return ret;
		c->seq += count;
		c->frames += count;
	}
	*busy += vv_now() - t0;
	return 0;
}

/*
 * Both personalities in one process, taking turns of SLICE batches (then
 * of SLICE single frames): the path changes every batch, well under a
 * host scheduling quantum, so what the host and the scheduler do to the
 * process, which moves the frame rate of a whole run by tens of percent,
 * reaches both paths alike.
 * Prints each path's frames/s and mean single-frame latency, and their
 * ratios; which path goes first alternates with the slice.
 */
static int pair(const char *mode0, const char *arg0, const char *mode1,
		const char *arg1, double secs)
{
	struct client *c = calloc(2, sizeof(*c));
	double busy[2] = {}, lat[2] = {}, t0;
	unsigned long nlat[2] = {};
	unsigned int k, s, m;
	int ret;

	if (!c)
		return -ENOMEM;
	ret = client_open(&c[0], mode0, arg0);
	ret = ret ? ret : client_open(&c[1], mode1, arg1);
	ret = ret ? ret : warm_up(&c[0], 0.25);
	ret = ret ? ret : warm_up(&c[1], 0.25);
	if (ret)
		goto out;
	for (k = 0; k < 2; k++)
		c[k].frames = 0;
	t0 = vv_now();
	for (s = 0; !ret && vv_now() - t0 < secs; s++)
		for (k = 0; k < 2 && !ret; k++)
			ret = run_slice(&c[k ^ (s & 1)], SLICE, BATCH,
					&busy[k ^ (s & 1)]);
	if (ret)
		goto out;
	printf("pair_fps_pci %.0f\npair_fps_vhost %.0f\npair_fps_ratio %.4f\n",
	       c[0].frames / busy[0], c[1].frames / busy[1],
	       (c[0].frames / busy[0]) / (c[1].frames / busy[1]));
	t0 = vv_now();
	for (s = 0; !ret && vv_now() - t0 < secs; s++)
		for (k = 0; k < 2 && !ret; k++) {
			ret = run_slice(&c[k ^ (s & 1)], SLICE, 1,
					&lat[k ^ (s & 1)]);
			nlat[k ^ (s & 1)] += SLICE;
		}
	if (ret)
		goto out;
	printf("pair_lat_us_pci %.1f\npair_lat_us_vhost %.1f\npair_lat_ratio %.4f\n",
	       lat[0] / nlat[0] * 1e6, lat[1] / nlat[1] * 1e6,
	       (lat[1] / nlat[1]) / (lat[0] / nlat[0]));
	/* kicks with nothing queued, a chunk each in turn: trapped, eventfd */
	for (m = 0; m < 2 && can_kick(&c[0]) && can_kick(&c[1]); m++) {
		const char *how = m ? "eventfd" : "trap";
		double kb[2] = {}, r[2];

		t0 = vv_now();
		for (s = 0; vv_now() - t0 < secs / 2; s++)
			for (k = 0; k < 2; k++) {
				double d = kick_chunk(&c[k ^ (s & 1)], !m);

				if (d < 0) {
					ret = -EIO;
					goto out;
				}
				kb[k ^ (s & 1)] += d;
			}
		/* both took s chunks */
		r[0] = s * KICKS / kb[0];
		r[1] = s * KICKS / kb[1];
		printf("pair_kps_%s_pci %.0f\npair_kps_%s_vhost %.0f\npair_kps_%s_ratio %.4f\n",
		       how, r[0], how, r[1], how, r[0] / r[1]);
	}
out:
	if (ret) {
		/* the process exits: a half-open client is not closed */
		fprintf(stderr, "%s: %s\n", __func__, strerror(-ret));
		return ret;
	}
	client_close(&c[0]);
	client_close(&c[1]);
	free(c);
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 3 ? atof(argv[3]) : 2.0, t0, t, lat = 0;
	unsigned long frames = 0, i, nlat = 0;
	struct rusage ru0, ru1;
	struct client c;
	int ret;

	if (argc >= 4 && !strcmp(argv[1], "pair")) {
		secs = argc > 4 ? atof(argv[4]) : 2.0;
		return pair("pci", argv[2], "vfio", argv[3], secs) ? 1 : 0;
	}
	if (argc >= 6 && !strcmp(argv[1], "pair2")) {
		secs = argc > 6 ? atof(argv[6]) : 2.0;
		return pair(argv[2], argv[3], argv[4], argv[5], secs) ? 1 : 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: %s vfio <uuid> | vdpa <name> | pci <uuid> [seconds]\n"
			"       %s pair <pci-uuid> <vhost-uuid> [seconds]\n"
			"       %s pair2 <mode> <arg> <mode> <arg> [seconds]\n",
			argv[0], argv[0], argv[0]);
		return 2;
	}
	ret = client_open(&c, argv[1], argv[2]);
	if (ret) {
		fprintf(stderr, "%s %s: %s\n", argv[1], argv[2], strerror(-ret));
		return 1;
	}
	/* warm up for half a second (code paths, caches, the sim's thread) */
	t0 = vv_now();
	for (i = 0; vv_now() - t0 < 0.5; i++)
		if (run_batch(&c, i * BATCH, BATCH))
			return 1;

	getrusage(RUSAGE_SELF, &ru0);
	t0 = vv_now();
	do {
		ret = run_batch(&c, frames, BATCH);
		if (ret) {
			fprintf(stderr, "batch: %s\n", strerror(-ret));
			return 1;
		}
		frames += BATCH;
		t = vv_now();
	} while (t - t0 < secs);
	getrusage(RUSAGE_SELF, &ru1);
	printf("fps %.0f\n", frames / (t - t0));
	printf("vcsw_batch %.2f\n",
	       (double)(ru1.ru_nvcsw - ru0.ru_nvcsw) / (frames / BATCH));
	printf("ivcsw_batch %.2f\n",
	       (double)(ru1.ru_nivcsw - ru0.ru_nivcsw) / (frames / BATCH));

	t0 = vv_now();
	do {
		double s = vv_now();

		ret = run_batch(&c, nlat, 1);
		if (ret) {
			fprintf(stderr, "latency: %s\n", strerror(-ret));
			return 1;
		}
		t = vv_now();
		lat += t - s;
		nlat++;
	} while (t - t0 < secs);
	printf("lat_us %.1f\n", lat / nlat * 1e6);
	if (c.pci || c.be.vfio) {
		printf("kps_trap %.0f\n", kicks(&c, true, secs / 2));
		printf("kps_eventfd %.0f\n", kicks(&c, false, secs / 2));
	}
	printf("frames %lu samples %lu\n", frames, nlat);
	client_close(&c);
	return 0;
}
