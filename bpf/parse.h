/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Packet parsing: Ethernet with up to two VLAN tags, IPv4 with options, IPv6
 * with extension headers, then TCP and UDP ports. Every read is checked
 * against data_end.
 *
 * Parsing is split in two so that traffic not for a VIP pays only for the
 * first half: xlb_parse_l3() finds the destination address, which is all
 * the VIP lookup needs; xlb_parse_l4() does the rest for VIP packets only.
 * Until the destination is known a frame is not ours to judge (pass it to
 * the host); after that, a bad or short header on a VIP packet is an attack
 * or a broken sender (drop it).
 */
#ifndef XLB_PARSE_H
#define XLB_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "xlb_abi.h"

#define XLB_MAX_VLAN_TAGS     2
#define XLB_MAX_IPV6_EXT_HDRS 4

#define XLB_IP_MF     0x2000
#define XLB_IP_OFFSET 0x1fff

enum xlb_parse_result {
	XLB_PARSE_OK = 0,
	XLB_PARSE_NOT_OURS,  /* not IP, or cut before the destination */
	XLB_PARSE_MALFORMED, /* destination known, the rest bad or short */
};

/* What the datapath knows about a packet once parsed. */
struct xlb_packet {
	/* The flow the packet belongs to; for an ICMP error, the flow the
	 * error is about (see icmp.h). Ports stay 0 for fragments. */
	struct xlb_flow_key key;
	void *l3;	 /* IP header */
	void *l4;	 /* first byte after the IP headers */
	__u32 frame_len; /* data_end - data: the byte counters */
	__u32 l3_off;	 /* offset of the IP header in the frame */
	__u32 l4_len;	 /* L4 bytes the IP header announces */
	__u8 fragment;	 /* IPv4 MF/offset, or an IPv6 fragment header */
	__u8 icmp_error; /* key was taken from an ICMP error's quote */
	__u8 tcp_syn;	 /* SYN without ACK: a new connection (see flows.h) */
};

struct xlb_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* IPv6 extension headers we step over, as their common prefix. */
struct xlb_ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-octet units, not counting the first 8 */
};

struct xlb_ipv6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset << 3 | M */
	__be32 id;
};

static __always_inline int xlb_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

/* Steps over Ethernet and VLAN tags; returns the L3 ethertype or 0. */
static __always_inline __be16 xlb_parse_eth(struct xlb_packet *pkt, void *data,
					    void *data_end)
{
	struct ethhdr *eth = data;
	struct xlb_vlan_hdr *vlan;
	void *pos = eth + 1;
	__be16 proto;
	int i;

	if (pos > data_end)
		return 0;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < XLB_MAX_VLAN_TAGS; i++) {
		if (!xlb_is_vlan(proto))
			break;
		vlan = pos;
		if ((void *)(vlan + 1) > data_end)
			return 0;
		proto = vlan->proto;
		pos = vlan + 1;
	}
	pkt->l3 = pos;
	pkt->l3_off = pos - data;
	return proto;
}

/* Fills family and destination: all the VIP lookup needs. */
static __always_inline int xlb_parse_l3(struct xdp_md *ctx,
					struct xlb_packet *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 proto = xlb_parse_eth(pkt, data, data_end);

	pkt->frame_len = data_end - data;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = pkt->l3;

		if ((void *)(ip + 1) > data_end)
			return XLB_PARSE_NOT_OURS;
		pkt->key.family = XLB_AF_INET;
		pkt->key.dst.w[0] = ip->daddr;
		return XLB_PARSE_OK;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = pkt->l3;

		if ((void *)(ip6 + 1) > data_end)
			return XLB_PARSE_NOT_OURS;
		pkt->key.family = XLB_AF_INET6;
		__builtin_memcpy(&pkt->key.dst, &ip6->daddr, 16);
		return XLB_PARSE_OK;
	}
	return XLB_PARSE_NOT_OURS;
}

/* Checks the rest of an IPv4 header whose first 20 bytes are in the frame. */
static __always_inline int xlb_parse_ipv4(struct xlb_packet *pkt,
					  void *data_end)
{
	struct iphdr *ip = pkt->l3;
	__u32 hdr_len, tot_len;

	if ((void *)(ip + 1) > data_end)
		return XLB_PARSE_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return XLB_PARSE_MALFORMED;
	hdr_len = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	/* Ethernet padding may follow the packet; a short frame may not. */
	if (tot_len < hdr_len || tot_len > pkt->frame_len - pkt->l3_off)
		return XLB_PARSE_MALFORMED;
	pkt->key.src.w[0] = ip->saddr;
	pkt->key.proto = ip->protocol;
	pkt->fragment = !!(ip->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET));
	pkt->l4 = (void *)ip + hdr_len;
	pkt->l4_len = tot_len - hdr_len;
	return XLB_PARSE_OK;
}

/*
 * Steps over hop-by-hop, routing and destination options headers, at most
 * XLB_MAX_IPV6_EXT_HDRS of them, and stops at a fragment header (what
 * follows it belongs to the fragmentable part). Returns the next protocol,
 * or -1 when a header is cut short; *pos moves past what was skipped.
 */
static __always_inline int xlb_skip_ipv6_ext(void **pos, void *data_end,
					     __u8 nexthdr, __u8 *fragment)
{
	struct xlb_ipv6_ext *ext;
	struct xlb_ipv6_frag *frag;
	int i;

#pragma unroll
	for (i = 0; i < XLB_MAX_IPV6_EXT_HDRS; i++) {
		if (nexthdr == IPPROTO_FRAGMENT) {
			frag = *pos;
			if ((void *)(frag + 1) > data_end)
				return -1;
			*fragment = 1;
			*pos = frag + 1;
			return frag->nexthdr;
		}
		if (nexthdr != IPPROTO_HOPOPTS && nexthdr != IPPROTO_ROUTING &&
		    nexthdr != IPPROTO_DSTOPTS)
			return nexthdr;
		ext = *pos;
		if ((void *)ext + 8 > data_end)
			return -1;
		nexthdr = ext->nexthdr;
		*pos = (void *)ext + (ext->hdrlen + 1) * 8;
	}
	return nexthdr;
}

/* Checks an IPv6 header whose first 40 bytes are in the frame and steps
 * over its extension headers. */
static __always_inline int xlb_parse_ipv6(struct xlb_packet *pkt,
					  void *data_end)
{
	struct ipv6hdr *ip6 = pkt->l3;
	void *pos = ip6 + 1;
	__u32 payload_len, ext_len;
	int proto;

	if ((void *)(ip6 + 1) > data_end)
		return XLB_PARSE_MALFORMED;
	if (ip6->version != 6)
		return XLB_PARSE_MALFORMED;
	payload_len = bpf_ntohs(ip6->payload_len);
	if (payload_len > pkt->frame_len - pkt->l3_off - sizeof(*ip6))
		return XLB_PARSE_MALFORMED;
	proto = xlb_skip_ipv6_ext(&pos, data_end, ip6->nexthdr, &pkt->fragment);
	if (proto < 0)
		return XLB_PARSE_MALFORMED;
	ext_len = pos - (void *)(ip6 + 1);
	if (ext_len > payload_len)
		return XLB_PARSE_MALFORMED;
	__builtin_memcpy(&pkt->key.src, &ip6->saddr, 16);
	pkt->key.proto = proto;
	pkt->l4 = pos;
	pkt->l4_len = payload_len - ext_len;
	return XLB_PARSE_OK;
}

/* Reads the ports of a TCP or UDP packet that is not a fragment. */
static __always_inline int xlb_parse_ports(struct xlb_packet *pkt,
					   void *data_end)
{
	if (pkt->key.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = pkt->l4;

		if ((void *)(tcp + 1) > data_end ||
		    pkt->l4_len < sizeof(*tcp) || tcp->doff < 5 ||
		    tcp->doff * 4 > pkt->l4_len)
			return XLB_PARSE_MALFORMED;
		pkt->key.sport = tcp->source;
		pkt->key.dport = tcp->dest;
		pkt->tcp_syn = tcp->syn && !tcp->ack;
	} else if (pkt->key.proto == IPPROTO_UDP) {
		struct udphdr *udp = pkt->l4;

		if ((void *)(udp + 1) > data_end || pkt->l4_len < sizeof(*udp))
			return XLB_PARSE_MALFORMED;
		pkt->key.sport = udp->source;
		pkt->key.dport = udp->dest;
	}
	return XLB_PARSE_OK;
}

/* Everything after the destination, for a packet to a VIP: the rest of
 * the IP header, and the ports unless the packet is a fragment (a later
 * fragment has none, and all fragments are handled alike: see lookup.h). */
static __always_inline int xlb_parse_l4(struct xdp_md *ctx,
					struct xlb_packet *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;
	int rc;

	if (pkt->key.family == XLB_AF_INET)
		rc = xlb_parse_ipv4(pkt, data_end);
	else
		rc = xlb_parse_ipv6(pkt, data_end);
	if (rc != XLB_PARSE_OK || pkt->fragment)
		return rc;
	return xlb_parse_ports(pkt, data_end);
}

#endif /* XLB_PARSE_H */
