/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ICMP echo to a VIP (`set icmp-echo on`, the default): the balancer answers
 * ping itself, as the XDP balancers of the seed talks do, so a VIP answers
 * while it can serve and stops answering when it cannot. The control plane
 * sets XLB_SVC_ECHO on the VIP-level entry only while one of the VIP's
 * services has a backend that takes new flows.
 *
 * The request becomes its reply in place and leaves by XDP_TX: MACs and
 * addresses swapped (neither checksum covers the order of the addresses),
 * TTL or hop limit 64, type echo reply. Replies are limited per CPU to
 * XLB_ECHO_RATE a second (a ping flood must not turn the balancer into a
 * reflector); the rest are dropped and counted.
 */
#ifndef XLB_ECHO_H
#define XLB_ECHO_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include "counters.h"
#include "csum.h"
#include "parse.h"

#define XLB_ECHO_TTL 64

/* True when this CPU may send one more reply this second. */
static __always_inline int xlb_echo_allowed(void)
{
	__u32 zero = 0, now = bpf_ktime_get_coarse_ns() / 1000000000ULL;
	struct xlb_guard *g = bpf_map_lookup_elem(&xlb_echo_guard, &zero);

	if (!g)
		return 0;
	if (g->second != now) {
		g->second = now;
		g->recorded = 0;
	}
	if (g->recorded >= XLB_ECHO_RATE)
		return 0;
	g->recorded++;
	return 1;
}

static __always_inline void xlb_swap_macs(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data, mac[ETH_ALEN];

	if (data + 2 * ETH_ALEN > data_end)
		return;
	__builtin_memcpy(mac, p, ETH_ALEN);
	__builtin_memcpy(p, p + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(p + ETH_ALEN, mac, ETH_ALEN);
}

/* The 16-bit word holding an ICMP type and code changed from `from` to
 * `to`: the checksum follows (RFC 1624). */
static __always_inline void xlb_icmp_type_csum(__u16 *check, __u8 from, __u8 to)
{
	__u32 sum = (__u16) ~*check;

	sum += (__u16)~bpf_htons((__u16)from << 8);
	sum += bpf_htons((__u16)to << 8);
	*check = xlb_csum_fold(sum);
}

/* Whether the packet is an ICMP or ICMPv6 echo request. */
static __always_inline int xlb_is_echo_request(const struct xlb_packet *pkt,
					       void *data_end)
{
	const __u8 *type = pkt->l4; /* type, then code */

	if ((void *)(type + 2) > data_end || type[1] != 0)
		return 0;
	if (pkt->key.family == XLB_AF_INET)
		return pkt->key.proto == IPPROTO_ICMP && type[0] == ICMP_ECHO;
	return pkt->key.proto == IPPROTO_ICMPV6 &&
	       type[0] == ICMPV6_ECHO_REQUEST;
}

static __always_inline void xlb_echo4(struct xlb_packet *pkt, void *data_end)
{
	struct iphdr *ip = pkt->l3;
	struct icmphdr *icmp = pkt->l4;
	__u16 old_ttl_word, new_ttl_word;
	__be32 a;

	if ((void *)(ip + 1) > data_end || (void *)(icmp + 1) > data_end)
		return;
	a = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = a;
	old_ttl_word = *(__u16 *)&ip->ttl;
	ip->ttl = XLB_ECHO_TTL;
	new_ttl_word = *(__u16 *)&ip->ttl;
	ip->check = xlb_csum_fold((__u64)(__u16)~ip->check +
				  (__u16)~old_ttl_word + new_ttl_word);
	icmp->type = ICMP_ECHOREPLY;
	xlb_icmp_type_csum(&icmp->checksum, ICMP_ECHO, ICMP_ECHOREPLY);
}

static __always_inline void xlb_echo6(struct xlb_packet *pkt, void *data_end)
{
	struct ipv6hdr *ip6 = pkt->l3;
	struct icmp6hdr *icmp = pkt->l4;
	struct in6_addr a;

	if ((void *)(ip6 + 1) > data_end || (void *)(icmp + 1) > data_end)
		return;
	a = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = a;
	ip6->hop_limit = XLB_ECHO_TTL;
	icmp->icmp6_type = ICMPV6_ECHO_REPLY;
	xlb_icmp_type_csum(&icmp->icmp6_cksum, ICMPV6_ECHO_REQUEST,
			   ICMPV6_ECHO_REPLY);
}

/* An echo request to a VIP that answers: the reply (XDP_TX) or a counted
 * drop. -1: not an echo request to answer, the caller goes on. */
static __always_inline int xlb_echo(struct xdp_md *ctx, struct xlb_packet *pkt,
				    const struct xlb_svc *vip)
{
	void *data_end = (void *)(long)ctx->data_end;

	if (!(vip->flags & XLB_SVC_ECHO) || pkt->icmp_error || pkt->fragment ||
	    !xlb_is_echo_request(pkt, data_end))
		return -1;
	if (!xlb_echo_allowed())
		return xlb_verdict_drop(XLB_G_DROP_ECHO_RATE);
	if (pkt->key.family == XLB_AF_INET)
		xlb_echo4(pkt, data_end);
	else
		xlb_echo6(pkt, data_end);
	xlb_swap_macs(ctx);
	xlb_count_global(XLB_G_ECHO_REPLY);
	return xlb_verdict(XDP_TX);
}

#endif /* XLB_ECHO_H */
