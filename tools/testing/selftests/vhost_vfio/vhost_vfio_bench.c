// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio benchmark: the same userspace virtio-net driver on vdpa_sim_net
 * through vhost_vfio (VFIO mdev fd) or through vhost-vdpa (/dev/vhost-vdpa-N).
 *
 *   vhost_vfio_bench vfio <mdev-uuid> [seconds]
 *   vhost_vfio_bench vdpa <vdpa-device-name> [seconds]
 *
 * Prints "fps <frames per second>" (batches of 32 frames, 64-byte payload,
 * TX->RX loopback) and "lat_us <mean kick-to-RX-interrupt microseconds>"
 * (one frame at a time).
 */
#include "vhost_vfio_utils.h"

#define BATCH	32
#define FLEN	(64 + VV_NET_HDR)

static int run_batch(struct vv_net *n, uint32_t seq, unsigned int count)
{
	uint16_t rx0 = vv_used_idx(&n->rx), tx0 = vv_used_idx(&n->tx);
	int ret;

	vv_net_post_rx(n, count);
	ret = vv_net_send(n, seq, count, FLEN);
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

int main(int argc, char **argv)
{
	double secs = argc > 3 ? atof(argv[3]) : 2.0, t0, t, lat = 0;
	unsigned long frames = 0, i, nlat = 0;
	struct vv_net n = {};
	struct vv_be be;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: %s vfio <uuid> | vdpa <name> [seconds]\n",
			argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "vfio"))
		ret = vv_be_open_vfio(&be, argv[2]);
	else
		ret = vv_be_open_vdpa(&be, argv[2]);
	if (ret) {
		fprintf(stderr, "open %s: %s\n", argv[2], strerror(-ret));
		return 1;
	}
	ret = vv_net_setup(&n, &be, 0, true);
	if (ret) {
		fprintf(stderr, "setup: %s\n", strerror(-ret));
		return 1;
	}
	/* warm up for half a second (code paths, caches, the sim's thread) */
	t0 = vv_now();
	for (i = 0; vv_now() - t0 < 0.5; i++)
		if (run_batch(&n, i * BATCH, BATCH))
			return 1;

	t0 = vv_now();
	do {
		ret = run_batch(&n, frames, BATCH);
		if (ret) {
			fprintf(stderr, "batch: %s\n", strerror(-ret));
			return 1;
		}
		frames += BATCH;
		t = vv_now();
	} while (t - t0 < secs);
	printf("fps %.0f\n", frames / (t - t0));

	t0 = vv_now();
	do {
		double s = vv_now();

		ret = run_batch(&n, nlat, 1);
		if (ret) {
			fprintf(stderr, "latency: %s\n", strerror(-ret));
			return 1;
		}
		t = vv_now();
		lat += t - s;
		nlat++;
	} while (t - t0 < secs);
	printf("lat_us %.1f\n", lat / nlat * 1e6);
	printf("frames %lu samples %lu\n", frames, nlat);
	vv_net_close(&n);
	vv_be_close(&be);
	return 0;
}
