/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Tunnel encapsulation: the client's IP packet, byte for byte, behind a new
 * Ethernet header, an outer IP header from the bank's source address to the
 * backend, and the method's tunnel header. The wire formats (shared with
 * xlb-decap, which must strip exactly these):
 *
 *   ipip  outer protocol 4 (inner IPv4) or 41 (inner IPv6), nothing else:
 *         IPIP, 6in4, 4in6 and IP6IP6 by the families
 *   gre   protocol 47, a plain 4-byte GRE header (no checksum, key or
 *         sequence; version 0), protocol type 0x0800 / 0x86DD
 *   gue   UDP to the service's port (default 6080), then a 4-byte GUE
 *         variant 0 header: version 0, C 0, Hlen 0, proto/ctype 4 or 41,
 *         flags 0
 *   fou   UDP to the service's port (default 5555), the inner packet right
 *         after the UDP header
 *
 * The outer UDP source port comes from a hash of the flow (xlb_entropy
 * below), in 49152..65535, so ECMP and RSS on the way spread flows and
 * keep each one on its path. The
 * UDP checksum is set for both outer families (mandatory over IPv6, done
 * over IPv4 too), from the headers alone when the inner packet's own
 * checksum allows it (xlb_inner_lco4/6 below), else over the whole
 * datagram (csum.h).
 *
 * Outer IPv4: TTL 64, TOS copied from the inner packet, DF copied from an
 * inner IPv4 packet and set for an inner IPv6 one (which may never be
 * fragmented on the way), id 0 with DF, random without. Outer IPv6: hop
 * limit 64, traffic class copied, flow label from the same hash.
 *
 * Anything after the inner packet (Ethernet padding) stays after the outer
 * one, outside every length and checksum. The client's VLAN tags are not
 * kept: the frame leaves untagged, or with the one tag its next hop says
 * (xlb_nexthops, `backend ... vlan N`).
 */
#ifndef XLB_ENCAP_H
#define XLB_ENCAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "csum.h"
#include "parse.h"

#define XLB_IP_DF	0x4000
#define XLB_ENTROPY_MIN 49152
#define XLB_OUTER_TTL	64
#define XLB_MAX_L2	(ETH_HLEN + 4 * XLB_MAX_VLAN_TAGS)

/* What the encapsulation needs to know about the inner packet. */
struct xlb_inner {
	__u32 len; /* the IP packet, without Ethernet padding */
	__u8 family;
	__u8 tos; /* IPv4 TOS or IPv6 traffic class */
	__u8 df;  /* may not be fragmented: IPv4 DF, or IPv6 */
	__u8 lco; /* lco_sum is the packet's sum (see xlb_inner_lco) */
	__u64 lco_sum;
};

/* The headers one method and one outer family put before the inner packet. */
struct xlb_encap {
	__u8 outer_family;
	__u8 outer_proto; /* protocol / next header of the outer IP header */
	__u8 ip_len;	  /* 20 or 40 */
	__u8 tun_len;	  /* 0 (ipip), 4 (gre), 8 (fou), 12 (gue) */
	__u8 forward;
	__be16 dport; /* gue, fou */
};

/* The next hop: from xlb_nexthops (from_table), else from the FIB (or the
 * gateway's entry). */
struct xlb_nexthop {
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	__u32 ifindex;
	__u32 mtu; /* table: the egress MTU (0: unchecked); FIB: set when
			* the packet is too big */
	__u16 vlan;
	__u8 tagged; /* leaves with one 802.1Q tag, vlan */
	__u8 from_table;
};

/*
 * Local checksum offload (the trick of Linux's LCO, Documentation/networking/
 * checksum-offloads.rst): the outer UDP checksum of gue and fou covers the
 * whole inner packet, but a valid inner packet's sum is known without
 * reading it. An IPv4 header with a valid checksum sums to zero (0xffff);
 * a TCP segment, or a UDP datagram with a checksum, sums to minus its
 * pseudo-header. So the inner packet sums to
 *   IPv4: -(src + dst + proto + L4 length)
 *   IPv6: its first 8 header bytes - (proto + L4 length), the addresses
 *         cancelling out,
 * and only the outer headers need summing: the cost no longer grows with
 * the packet. A client's corrupt inner checksum makes the outer one wrong
 * too, and the backend drops what it would have dropped anyway. Anything
 * else (fragments, ICMP errors, UDP without checksum, IPv6 extension
 * headers) is summed in full (csum.h).
 */
static __always_inline int
xlb_lco_l4(struct xdp_md *ctx, const struct xlb_packet *pkt, __u32 l4_off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct udphdr *udp;

	if (pkt->fragment || pkt->icmp_error)
		return 0;
	if (pkt->key.proto == IPPROTO_TCP)
		return 1;
	if (pkt->key.proto != IPPROTO_UDP || l4_off > 128)
		return 0;
	/* bounds the verifier sees on the register it adds */
	asm volatile("" : "+r"(l4_off));
	udp = data + (l4_off & 0xff);
	if ((void *)(udp + 1) > data_end)
		return 0;
	return udp->check != 0;
}

static __always_inline void xlb_inner_lco4(struct xdp_md *ctx,
					   const struct xlb_packet *pkt,
					   struct xlb_inner *in,
					   const struct iphdr *ip)
{
	__u32 hdr_len = in->len - pkt->l4_len;

	if (!xlb_lco_l4(ctx, pkt, pkt->l3_off + hdr_len))
		return;
	in->lco = 1;
	in->lco_sum = xlb_csum_fold(
		xlb_pseudo4(ip->saddr, ip->daddr, pkt->key.proto, pkt->l4_len));
}

static __always_inline void xlb_inner_lco6(struct xdp_md *ctx,
					   const struct xlb_packet *pkt,
					   struct xlb_inner *in,
					   const struct ipv6hdr *ip6)
{
	const __u32 *w = (const __u32 *)ip6;

	if (in->len - pkt->l4_len != sizeof(*ip6) ||
	    !xlb_lco_l4(ctx, pkt, pkt->l3_off + sizeof(*ip6)))
		return;
	in->lco = 1;
	in->lco_sum = (__u64)w[0] + w[1] +
		      xlb_csum_fold((__u64)bpf_htonl(pkt->l4_len) +
				    bpf_htonl(pkt->key.proto));
}

/* lco: whether the outer header is UDP, whose checksum needs the inner
 * packet's partial sum (ipip and gre skip it). */
static __always_inline int xlb_read_inner(struct xdp_md *ctx,
					  const struct xlb_packet *pkt,
					  struct xlb_inner *in, int lco)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 off = pkt->l3_off;

	if (off > XLB_MAX_L2)
		return -1;
	in->family = pkt->key.family;
	if (in->family == XLB_AF_INET) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > data_end)
			return -1;
		in->len = bpf_ntohs(ip->tot_len);
		in->tos = ip->tos;
		in->df = !!(ip->frag_off & bpf_htons(XLB_IP_DF));
		if (lco)
			xlb_inner_lco4(ctx, pkt, in, ip);
		return 0;
	}
	struct ipv6hdr *ip6 = data + off;

	if ((void *)(ip6 + 1) > data_end)
		return -1;
	in->len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	in->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	in->df = 1;
	if (lco)
		xlb_inner_lco6(ctx, pkt, in, ip6);
	return 0;
}

static __always_inline void xlb_encap_plan(const struct xlb_backend *be,
					   const struct xlb_inner *in,
					   struct xlb_encap *e)
{
	e->forward = be->forward;
	e->outer_family = be->family;
	e->ip_len = be->family == XLB_AF_INET ? sizeof(struct iphdr) :
						sizeof(struct ipv6hdr);
	e->dport = be->tun_port;
	if (be->forward == XLB_FWD_GRE) {
		e->outer_proto = IPPROTO_GRE;
		e->tun_len = 4;
	} else if (be->forward == XLB_FWD_GUE || be->forward == XLB_FWD_FOU) {
		e->outer_proto = IPPROTO_UDP;
		e->tun_len = be->forward == XLB_FWD_GUE ? 12 : 8;
	} else {
		e->outer_proto =
			in->family == XLB_AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
		e->tun_len = 0;
	}
}

/*
 * Entropy for the outer headers (UDP source port, IPv6 flow label): the
 * flow key's words folded by XOR and spread by one multiply (Fibonacci
 * hashing). Stable within a flow and spread across flows, which is all
 * ECMP and RSS ask of it; a fifth of the Maglev hash's work, and nothing
 * needs the two to agree.
 */
static __always_inline __u32 xlb_entropy(const struct xlb_flow_key *k,
					 __u32 seed)
{
	const __u32 *w = (const __u32 *)k;
	__u32 x = seed;
	int i;

#pragma unroll
	for (i = 0; i < (int)(sizeof(*k) / 4); i++)
		x ^= w[i];
	return (__u32)(((__u64)x * 0x9E3779B97F4A7C15ull) >> 32);
}

static __always_inline __be16 xlb_inner_ethertype(const struct xlb_inner *in)
{
	return in->family == XLB_AF_INET ? bpf_htons(ETH_P_IP) :
					   bpf_htons(ETH_P_IPV6);
}

static __always_inline void xlb_write_outer4(struct iphdr *ip,
					     const struct xlb_encap *e,
					     const struct xlb_inner *in,
					     __be32 saddr, __be32 daddr)
{
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = in->tos;
	ip->tot_len = bpf_htons(sizeof(*ip) + e->tun_len + in->len);
	ip->id = in->df ? 0 : (__be16)bpf_get_prandom_u32();
	ip->frag_off = in->df ? bpf_htons(XLB_IP_DF) : 0;
	ip->ttl = XLB_OUTER_TTL;
	ip->protocol = e->outer_proto;
	ip->check = 0;
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->check = xlb_ipv4_csum(ip);
}

static __always_inline void
xlb_write_outer6(struct ipv6hdr *ip6, const struct xlb_encap *e,
		 const struct xlb_inner *in, const struct xlb_addr *saddr,
		 const struct xlb_addr *daddr, __u32 hash)
{
	/* version 6, traffic class, flow label: one network-order word */
	*(__be32 *)ip6 = bpf_htonl(0x60000000 | ((__u32)in->tos << 20) |
				   (hash & 0xfffff));
	ip6->payload_len = bpf_htons(e->tun_len + in->len);
	ip6->nexthdr = e->outer_proto;
	ip6->hop_limit = XLB_OUTER_TTL;
	__builtin_memcpy(&ip6->saddr, saddr, 16);
	__builtin_memcpy(&ip6->daddr, daddr, 16);
}

/* GRE, or UDP (+ GUE) without its checksum, right after the outer IP. */
static __always_inline void xlb_write_tunnel(void *pos,
					     const struct xlb_encap *e,
					     const struct xlb_inner *in,
					     __u32 hash)
{
	if (e->forward == XLB_FWD_GRE) {
		__be16 *gre = pos;

		gre[0] = 0;
		gre[1] = xlb_inner_ethertype(in);
		return;
	}
	if (e->outer_proto != IPPROTO_UDP)
		return;
	struct udphdr *udp = pos;

	udp->source = bpf_htons(XLB_ENTROPY_MIN | (hash & 0x3fff));
	udp->dest = e->dport;
	udp->len = bpf_htons(e->tun_len + in->len);
	udp->check = 0;
	if (e->forward == XLB_FWD_GUE) {
		__u8 *gue = (void *)(udp + 1);

		gue[0] = 0; /* version 0, C 0, Hlen 0 */
		gue[1] =
			in->family == XLB_AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
		gue[2] = 0;
		gue[3] = 0;
	}
}

#endif /* XLB_ENCAP_H */
