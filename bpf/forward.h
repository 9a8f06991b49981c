/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Sending a packet to its backend: xlb_forward() is the one entry point,
 * for every forwarding method.
 *
 * Where a packet goes is the backend's entry in xlb_nexthops (xlb_abi.h),
 * which the control plane resolves and keeps: egress interface, VLAN tag,
 * source and destination MAC. Out of the ingress interface: XDP_TX; out of
 * another: XDP_REDIRECT through the devmap xlb_tx_ports.
 *
 * dsr: the backend, which holds the VIP on a loopback, is on a segment the
 * load balancer reaches at L2, so rewriting the MACs (and the VLAN tag, for
 * a backend behind a trunk) is all it takes.
 *
 * ipip, gre, gue, fou: the packet is encapsulated (encap.h, tunnel.h) from
 * the bank's source address of the backend's family to the backend, and
 * sent to the next hop of the table; with no resolved entry, to the one
 * bpf_fib_lookup() gives (counted fib_lookups). What cannot be sent is
 * dropped and counted by reason:
 *   drop_no_nexthop  dsr: the next hop is unresolved. tunnels: unresolved,
 *                    and neither the FIB nor the gateway resolves. XDP
 *                    cannot resolve a neighbour, and passing the packet to
 *                    the host would make it answer for, or route, a VIP.
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

/* A drop with its reason; xlb_verdict() counts the drop itself. */
static __always_inline int xlb_tunnel_drop(__u32 reason)
{
	xlb_count_global(reason);
	xlb_note_drop(reason);
	return XDP_DROP;
}

/* Out of the ingress interface by XDP_TX, out of another by XDP_REDIRECT
 * through xlb_tx_ports (an egress missing there is a drop: the control
 * plane adds every egress it writes into xlb_nexthops). */
static __always_inline int xlb_egress(struct xdp_md *ctx, __u32 ifindex)
{
	if (!ifindex || ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect_map(&xlb_tx_ports, ifindex, XDP_DROP);
}

static __always_inline void xlb_own_mac(__u8 *mac)
{
	int i;

#pragma unroll
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = xlb_iface_mac[i];
}

static __always_inline int xlb_mac_is_zero(const __u8 *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/*
 * Rewrites the frame's L2 header into dmac, smac and either no VLAN tag or
 * exactly one (802.1Q, PCP 0): pushes, rewrites or strips the client's
 * tags (up to the two parse.h steps over).
 */
static __always_inline int xlb_set_l2(struct xdp_md *ctx,
				      const struct xlb_packet *pkt,
				      const struct xlb_nexthop *nh)
{
	int delta = (int)pkt->l3_off - (nh->tagged ? ETH_HLEN + 4 : ETH_HLEN);

	if (pkt->l3_off > XLB_MAX_L2)
		return -1;
	if (delta && bpf_xdp_adjust_head(ctx, delta))
		return -1;
	return xlb_put_l2(ctx, nh,
			  pkt->key.family == XLB_AF_INET ?
				  bpf_htons(ETH_P_IP) :
				  bpf_htons(ETH_P_IPV6)) < 0;
}

/* Fills nh from the backend's xlb_nexthops entry; 0 when it is resolved. */
static __always_inline int xlb_nh_from_table(struct xdp_md *ctx,
					     const struct xlb_nh *t,
					     struct xlb_nexthop *nh)
{
	if (!t || !(t->flags & XLB_NH_RESOLVED))
		return -1;
	__builtin_memcpy(nh->dmac, t->dmac, ETH_ALEN);
	if (xlb_mac_is_zero(t->smac))
		xlb_own_mac(nh->smac);
	else
		__builtin_memcpy(nh->smac, t->smac, ETH_ALEN);
	nh->ifindex = t->ifindex ? t->ifindex : ctx->ingress_ifindex;
	nh->mtu = t->mtu;
	nh->vlan = t->vlan;
	nh->tagged = !!(t->flags & XLB_NH_VLAN);
	nh->from_table = 1;
	return 0;
}

/*
 * dsr: the backend's MAC from its next hop. Out of the ingress without a
 * `vlan`, only the MACs change and the client's tags stay (the backend is
 * on the client's segment); otherwise the L2 header is rebuilt with the
 * next hop's tag or none. Without an entry (older state): the backend's
 * MAC out of the ingress, as before next hops were kept.
 */
static __always_inline int xlb_forward_dsr(struct xdp_md *ctx,
					   const struct xlb_packet *pkt,
					   const struct xlb_backend *be,
					   const struct xlb_nh *t,
					   struct xlb_nexthop *nh)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (t && (t->flags & XLB_NH_UNRESOLVED))
		return xlb_tunnel_drop(XLB_G_DROP_NO_NEXTHOP);
	if (xlb_nh_from_table(ctx, t, nh)) {
		__builtin_memcpy(nh->dmac, be->mac, ETH_ALEN);
		xlb_own_mac(nh->smac);
		nh->ifindex = ctx->ingress_ifindex;
	}
	if (nh->tagged || nh->ifindex != ctx->ingress_ifindex) {
		if (xlb_set_l2(ctx, pkt, nh))
			return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
		return xlb_egress(ctx, nh->ifindex);
	}
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, nh->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nh->smac, ETH_ALEN);
	return XDP_TX;
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

/* The bank's source address of a family, or NULL when it is unset. For
 * IPv4 the result points at source4 itself: IPv4 users read only w[0]
 * (no 16-byte copy on the tunnel path's stack, which adds to the main
 * program's). */
static __always_inline const struct xlb_addr *
xlb_tunnel_source(const struct xlb_bank *bs, __u8 family)
{
	if (family == XLB_AF_INET6)
		return xlb_addr_is_zero(&bs->source6) ? NULL : &bs->source6;
	return bs->source4 ? (const struct xlb_addr *)&bs->source4 : NULL;
}

/* The next hop of a tunnel packet: the table's (filled by the caller), or
 * the FIB's from nh->ifindex (counted). Checks the egress MTU. */
static __always_inline int
xlb_tunnel_next_hop(struct xdp_md *ctx, const struct xlb_backend *be,
		    const struct xlb_bank *bs, const struct xlb_addr *src,
		    __u32 tot_len, struct xlb_nexthop *nh)
{
	if (!nh->from_table) {
		xlb_count_global(XLB_G_FIB_LOOKUP);
		return xlb_nexthop(ctx, be, bs, src, tot_len, nh);
	}
	if (nh->mtu && tot_len > nh->mtu)
		return XLB_NH_TOO_BIG;
	return XLB_NH_OK;
}

/* nh: the next hop from xlb_nexthops, or (from_table 0) the interface the
 * FIB answers from (bpf_fib_lookup answers as if the packet had come in
 * there): the ingress for client packets, the egress towards the backend
 * for health-check probes. */
static __noinline int xlb_forward_tunnel(struct xdp_md *ctx,
					 const struct xlb_packet *pkt,
					 const struct xlb_backend *be,
					 const struct xlb_bank *bs,
					 struct xlb_nexthop *nh)
{
	const struct xlb_addr *src;
	struct xlb_encap e = {};
	struct xlb_inner in = {};
	__u32 overhead, hash;
	int rc;

	in.family = pkt->key.family;
	xlb_encap_plan(be, &in, &e);
	if (xlb_read_inner(ctx, pkt, &in, e.outer_proto == IPPROTO_UDP))
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	src = xlb_tunnel_source(bs, be->family);
	if (!src)
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	overhead = e.ip_len + e.tun_len;
	rc = xlb_tunnel_next_hop(ctx, be, bs, src, in.len + overhead, nh);
	if (rc == XLB_NH_TOO_BIG)
		return xlb_tunnel_too_big(ctx, pkt, &in, nh->mtu - overhead);
	if (rc == XLB_NH_FWD_OFF)
		return xlb_tunnel_drop(XLB_G_DROP_FWD_DISABLED);
	if (rc != XLB_NH_OK)
		return xlb_tunnel_drop(XLB_G_DROP_NO_NEXTHOP);
	/* entropy for the outer UDP source port and IPv6 flow label; an
	 * outer IPv4 ipip or gre header has no field for it */
	hash = 0;
	if (e.outer_proto == IPPROTO_UDP || e.outer_family == XLB_AF_INET6)
		hash = xlb_entropy(&pkt->key, bs->hash_seed);
	if (xlb_encap_frame(ctx, pkt->l3_off, &e, &in, src, &be->addr, nh,
			    hash))
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	if (nh->from_table || nh->ifindex == ctx->ingress_ifindex)
		return xlb_egress(ctx, nh->ifindex);
	/* the FIB's egress may be in no map: as before the table */
	return bpf_redirect(nh->ifindex, 0);
}

/*
 * Sends the packet to backend `be` (stable id `id`) by the backend's
 * forwarding method; the XDP action to return (counted by the caller with
 * xlb_verdict()).
 */
static __always_inline int xlb_forward(struct xdp_md *ctx,
				       const struct xlb_packet *pkt,
				       const struct xlb_backend *be, __u32 id,
				       __u32 bank)
{
	struct xlb_nexthop nh = {};
	struct xlb_bank *bs;
	struct xlb_nh *t;

	/* one xlb_nexthop for either method: two would both sit in the main
	 * program's frame, the stack the tunnel path adds to */
	t = bpf_map_lookup_elem(&xlb_nexthops, &id);
	if (be->forward == XLB_FWD_DSR)
		return xlb_forward_dsr(ctx, pkt, be, t, &nh);
	bs = bpf_map_lookup_elem(&xlb_banks, &bank);
	if (!bs)
		return xlb_tunnel_drop(XLB_G_DROP_ENCAP);
	if (xlb_nh_from_table(ctx, t, &nh))
		nh.ifindex = ctx->ingress_ifindex;
	return xlb_forward_tunnel(ctx, pkt, be, bs, &nh);
}

#endif /* XLB_FORWARD_H */
