/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Path MTU for tunnels. An encapsulated packet that would not fit the
 * egress MTU, and whose inner packet may not be fragmented (IPv4 with DF,
 * or IPv6), is answered, as a router on the path would answer it: the
 * client gets ICMP fragmentation needed (type 3 code 4) or ICMPv6 packet
 * too big carrying the MTU it should use, the egress MTU less the
 * encapsulation (at least 1280 for IPv6, 68 for IPv4).
 *
 * The error is built in place from the client's packet and sent back with
 * XDP_TX, Ethernet (and VLAN) header reused with the MACs swapped, from the
 * VIP (the address the client sent to) to the client. The quote: the IPv4
 * header and the first 8 bytes of its data (RFC 792), or as much of the
 * IPv6 packet as fits in 1280 bytes (RFC 4443).
 */
#ifndef XLB_TOO_BIG_H
#define XLB_TOO_BIG_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include "encap.h"

#define XLB_ICMP4_HLEN		(sizeof(struct iphdr) + sizeof(struct icmphdr))
#define XLB_ICMP6_HLEN		(sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr))
#define XLB_IPV6_MIN_MTU	1280
#define XLB_IPV4_MIN_MTU	68
#define XLB_TOS_INTERNETCONTROL 0xc0

/* Moves the L2 header to the new frame start and swaps its MACs. */
static __always_inline int xlb_reply_l2(struct xdp_md *ctx, __u32 grown)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data, mac[ETH_ALEN];

	if (grown != XLB_ICMP4_HLEN && grown != XLB_ICMP6_HLEN)
		return -1;
	if (data + XLB_ICMP6_HLEN + XLB_MAX_L2 > data_end)
		return -1;
	if (grown == XLB_ICMP4_HLEN)
		__builtin_memcpy(p, p + XLB_ICMP4_HLEN, XLB_MAX_L2);
	else
		__builtin_memcpy(p, p + XLB_ICMP6_HLEN, XLB_MAX_L2);
	__builtin_memcpy(mac, p, ETH_ALEN);
	__builtin_memcpy(p, p + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(p + ETH_ALEN, mac, ETH_ALEN);
	return 0;
}

/* Cuts the frame from `cur` bytes to `len`. */
static __always_inline int xlb_trim(struct xdp_md *ctx, __u32 cur, __u32 len)
{
	return bpf_xdp_adjust_tail(ctx, (int)len - (int)cur);
}

/* Stores a checksum at frame offset `off` (2 bytes). */
static __always_inline int xlb_store_csum(struct xdp_md *ctx, __u32 off,
					  __u16 check)
{
	void *data = (void *)(long)ctx->data;
	__u16 *p = data + off;

	if (off > 256 || (void *)(p + 1) > (void *)(long)ctx->data_end)
		return -1;
	*p = check;
	return 0;
}

static __always_inline int xlb_too_big4(struct xdp_md *ctx, __u32 l3_off,
					__u32 frame_len, __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + (l3_off & 0x1f);
	struct icmphdr *icmp;
	__be32 client, vip;
	__u32 q;
	__u64 sum = 0;

	if (l3_off > XLB_MAX_L2 || (void *)(ip + 1) > data_end)
		return -1;
	q = ip->ihl * 4 + 8;
	if (q > bpf_ntohs(ip->tot_len))
		q = bpf_ntohs(ip->tot_len);
	client = ip->saddr;
	vip = ip->daddr;
	if (bpf_xdp_adjust_head(ctx, -(int)XLB_ICMP4_HLEN) ||
	    xlb_reply_l2(ctx, XLB_ICMP4_HLEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip = data + (l3_off & 0x1f);
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end)
		return -1;
	*(__u16 *)ip = bpf_htons(0x4500 | XLB_TOS_INTERNETCONTROL);
	ip->tot_len = bpf_htons(XLB_ICMP4_HLEN + q);
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = XLB_OUTER_TTL;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->saddr = vip;
	ip->daddr = client;
	ip->check = xlb_ipv4_csum(ip);
	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->un.frag.__unused = 0;
	icmp->un.frag.mtu =
		bpf_htons(mtu < XLB_IPV4_MIN_MTU ? XLB_IPV4_MIN_MTU : mtu);
	if (xlb_trim(ctx, frame_len + XLB_ICMP4_HLEN,
		     l3_off + XLB_ICMP4_HLEN + q) ||
	    xlb_csum_frame(ctx, l3_off + sizeof(*ip), sizeof(*icmp) + q, &sum))
		return -1;
	return xlb_store_csum(ctx, l3_off + sizeof(*ip) + 2,
			      xlb_csum_fold(sum));
}

static __always_inline int xlb_too_big6(struct xdp_md *ctx, __u32 l3_off,
					__u32 frame_len, __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + (l3_off & 0x1f);
	struct xlb_addr client, vip;
	struct icmp6hdr *icmp6;
	__u32 q;
	__u64 sum;

	if (l3_off > XLB_MAX_L2 || (void *)(ip6 + 1) > data_end)
		return -1;
	q = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (q > XLB_IPV6_MIN_MTU - XLB_ICMP6_HLEN)
		q = XLB_IPV6_MIN_MTU - XLB_ICMP6_HLEN;
	__builtin_memcpy(&client, &ip6->saddr, 16);
	__builtin_memcpy(&vip, &ip6->daddr, 16);
	if (bpf_xdp_adjust_head(ctx, -(int)XLB_ICMP6_HLEN) ||
	    xlb_reply_l2(ctx, XLB_ICMP6_HLEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + (l3_off & 0x1f);
	icmp6 = (void *)(ip6 + 1);
	if ((void *)(icmp6 + 1) > data_end)
		return -1;
	*(__be32 *)ip6 = bpf_htonl(0x60000000);
	ip6->payload_len = bpf_htons(sizeof(*icmp6) + q);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = XLB_OUTER_TTL;
	__builtin_memcpy(&ip6->saddr, &vip, 16);
	__builtin_memcpy(&ip6->daddr, &client, 16);
	icmp6->icmp6_type = ICMPV6_PKT_TOOBIG;
	icmp6->icmp6_code = 0;
	icmp6->icmp6_cksum = 0;
	icmp6->icmp6_mtu =
		bpf_htonl(mtu < XLB_IPV6_MIN_MTU ? XLB_IPV6_MIN_MTU : mtu);
	sum = xlb_pseudo6(vip.w, client.w, IPPROTO_ICMPV6, sizeof(*icmp6) + q);
	if (xlb_trim(ctx, frame_len + XLB_ICMP6_HLEN,
		     l3_off + XLB_ICMP6_HLEN + q) ||
	    xlb_csum_frame(ctx, l3_off + sizeof(*ip6), sizeof(*icmp6) + q,
			   &sum))
		return -1;
	return xlb_store_csum(ctx, l3_off + sizeof(*ip6) + 2,
			      xlb_csum_fold(sum));
}

#endif /* XLB_TOO_BIG_H */
