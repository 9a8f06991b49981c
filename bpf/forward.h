/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Sending a packet to its backend. v1 has L2 direct server return only:
 * the backend, which holds the VIP on a loopback, is on the same L2 segment
 * as the load balancer, so rewriting the destination MAC is all it takes.
 * The source MAC becomes the interface's own, so switches learn nothing
 * odd; everything else, VLAN tags included, goes back out unchanged.
 */
#ifndef XLB_FORWARD_H
#define XLB_FORWARD_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "xlb_abi.h"

/* Set by the loader (rodata): the MAC of the interface this instance is
 * attached to. */
const volatile __u8 xlb_iface_mac[ETH_ALEN] = {};

/* Whether this datapath can send a service's packets at all. */
static __always_inline int xlb_forward_supported(const struct xlb_svc *svc)
{
	return svc->forward == XLB_FWD_DSR;
}

static __always_inline int xlb_forward_dsr(struct xdp_md *ctx,
					   const struct xlb_backend *be)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	int i;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
#pragma unroll
	for (i = 0; i < ETH_ALEN; i++)
		eth->h_source[i] = xlb_iface_mac[i];
	return XDP_TX;
}

#endif /* XLB_FORWARD_H */
