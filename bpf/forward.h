/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Sending a packet to its backend: xlb_forward() is the one entry point,
 * for every forwarding method.
 *
 * dsr: the backend, which holds the VIP on a loopback, is on the same L2
 * segment as the load balancer, so rewriting the destination MAC is all it
 * takes. The source MAC becomes the interface's own, so switches learn
 * nothing odd; everything else, VLAN tags included, goes back out unchanged.
 *
 * ipip, gre, gue, fou: the packet is encapsulated (encap.h, tunnel.h) from
 * the bank's source address of the backend's family to the backend, and
 * sent to the next hop the FIB gives: XDP_TX when it is out of the ingress
 * interface, bpf_redirect() otherwise. What cannot be sent is dropped and
 * counted by reason:
 *   drop_no_nexthop  no route or neighbour for the backend nor the gateway.
 *                    XDP cannot resolve a neighbour, and passing the packet
 *                    to the host would make it answer for, or route, a VIP;
 *                    the operator keeps the next hop in the neighbour table
 *                    (the host resolves it whenever it talks to it itself).
 *   drop_too_big     too big for the egress MTU, inner IPv4 without DF: XDP
 *                    cannot fragment. (With DF or IPv6 the client is told
 *                    instead: too_big.h, counted icmp_too_big_sent.)
 *   drop_encap       no source address, or no room for the headers.
 */
#ifndef XLB_FORWARD_H
#define XLB_FORWARD_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "xlb_abi.h"
#include "xlb_hash.h"
#include "xlb_maps.h"
#include "counters.h"
#include "tunnel.h"
#include "too_big.h"

/* Set by the loader (rodata): the MAC of the interface this instance is
 * attached to. */
const volatile __u8 xlb_iface_mac[ETH_ALEN] = {};

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

/* A drop with its reason; xlb_verdict() counts the drop itself. */
static __always_inline int xlb_tunnel_drop(__u32 reason)
{
	xlb_count_global(reason);
	return XDP_DROP;
}

/* The client is told the MTU, or the packet is dropped (see above). */
static __always_inline int xlb_tunnel_too_big(struct xdp_md *ctx,
					      const struct xlb_packet *pkt,
					      const struct xlb_inner *in,
					      __u32 mtu)
{
	int err;

	/* Never an ICMP error about an ICMP error. */
	if (!in->df || pkt->icmp_error)
		return xlb_tunnel_drop(XLB_G_DROP_TOO_BIG);
	if (in->family == XLB_AF_INET)
		err = xlb_too_big4(ctx, pkt->l3_off, pkt->frame_len, mtu);
	else
		err = xlb_too_big6(ctx, pkt->l3_off, pkt->frame_len, mtu);
	if (err)
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	xlb_count_global(XLB_G_ICMP_TOO_BIG);
	return XDP_TX;
}

static __always_inline const struct xlb_addr *
xlb_tunnel_source(const struct xlb_bank *bs, __u8 family, struct xlb_addr *src4)
{
	if (family == XLB_AF_INET6)
		return &bs->source6;
	__builtin_memset(src4, 0, sizeof(*src4));
	src4->w[0] = bs->source4;
	return src4;
}

/* fib_ifindex: the interface the next hop is looked up from (bpf_fib_lookup
 * answers as if the packet had come in there): the ingress for client
 * packets, the egress towards the backend for health-check probes. */
static __noinline int xlb_forward_tunnel(struct xdp_md *ctx,
					 const struct xlb_packet *pkt,
					 const struct xlb_backend *be,
					 const struct xlb_bank *bs,
					 __u32 fib_ifindex)
{
	struct xlb_addr src4, dst = be->addr;
	const struct xlb_addr *src;
	struct xlb_nexthop nh = {};
	struct xlb_encap e = {};
	struct xlb_inner in = {};
	__u32 overhead, hash;
	int rc;

	if (xlb_read_inner(ctx, pkt, &in))
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	xlb_encap_plan(be, &in, &e);
	src = xlb_tunnel_source(bs, be->family, &src4);
	if (xlb_addr_is_zero(src))
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	overhead = e.ip_len + e.tun_len;
	nh.ifindex = fib_ifindex;
	rc = xlb_nexthop(ctx, be, bs, src, in.len + overhead, &nh);
	if (rc == XLB_NH_TOO_BIG)
		return xlb_tunnel_too_big(ctx, pkt, &in, nh.mtu - overhead);
	if (rc == XLB_NH_FWD_OFF)
		return xlb_tunnel_drop(XLB_G_DROP_FWD_DISABLED);
	if (rc != XLB_NH_OK)
		return xlb_tunnel_drop(XLB_G_DROP_NO_NEXTHOP);
	hash = xlb_flow_hash(&pkt->key, bs->hash_seed, 0);
	if (xlb_encap_frame(ctx, pkt->l3_off, &e, &in, src, &dst, &nh, hash))
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	if (nh.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(nh.ifindex, 0);
}

/*
 * Sends the packet to backend `be` by the backend's forwarding method; the
 * XDP action to return (counted by the caller with xlb_verdict()).
 */
static __always_inline int xlb_forward(struct xdp_md *ctx,
				       const struct xlb_packet *pkt,
				       const struct xlb_backend *be, __u32 bank)
{
	struct xlb_bank *bs;

	if (be->forward == XLB_FWD_DSR)
		return xlb_forward_dsr(ctx, be);
	bs = bpf_map_lookup_elem(&xlb_banks, &bank);
	if (!bs)
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	return xlb_forward_tunnel(ctx, pkt, be, bs, ctx->ingress_ifindex);
}

#endif /* XLB_FORWARD_H */
