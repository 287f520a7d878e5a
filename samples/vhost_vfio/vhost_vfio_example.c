// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_vfio example: the VMM side of the bridge in one page.
 *
 *   vhost_vfio_example <mdev-uuid> [frames]
 *
 * Opens the mdev's VFIO device (container, group, device fd), speaks vhost
 * on it (owner, features, status), maps its own memory through IOTLB
 * messages written to the IOTLB region, sets up the RX and TX rings of a
 * vdpa_sim_net device, sends frames and reads them back from the
 * simulator's TX->RX loopback, checking every byte.
 */
#include "vhost_vfio_utils.h"

int main(int argc, char **argv)
{
	unsigned int frames = argc > 2 ? atoi(argv[2]) : 256, done = 0;
	struct vv_net n = {};
	struct vv_be be;
	double t0;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <mdev-uuid> [frames]\n", argv[0]);
		return 2;
	}
	ret = vv_be_open_vfio(&be, argv[1]);
	if (ret) {
		fprintf(stderr, "open VFIO device %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	ret = vv_net_setup(&n, &be, 0, true);
	if (ret) {
		fprintf(stderr, "virtio-net set-up: %s\n", strerror(-ret));
		return 1;
	}
	printf("device MAC %02x:%02x:%02x:%02x:%02x:%02x\n", n.mac[0], n.mac[1],
	       n.mac[2], n.mac[3], n.mac[4], n.mac[5]);
	t0 = vv_now();
	while (done < frames) {
		unsigned int batch = frames - done > 64 ? 64 : frames - done, i;
		unsigned int rx0 = vv_used_idx(&n.rx);

		vv_net_post_rx(&n, batch);
		ret = vv_net_send(&n, done, batch, 60 + VV_NET_HDR);
		if (!ret)
			ret = vv_wait_used(&n.rx, rx0 + batch, 5000);
		for (i = 0; !ret && i < batch; i++)
			ret = vv_net_check_rx(&n, rx0 + i, done + i,
					      60 + VV_NET_HDR);
		if (ret) {
			fprintf(stderr, "frames %u..%u: %s\n", done,
				done + batch - 1, strerror(-ret));
			return 1;
		}
		done += batch;
	}
	printf("%u frames sent and received back intact in %.3f s\n", done,
	       vv_now() - t0);
	vv_net_close(&n);
	vv_be_close(&be);
	return 0;
}
