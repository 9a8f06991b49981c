/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * ICMP errors about a VIP flow: IPv4 fragmentation needed (type 3 code 4)
 * and ICMPv6 packet too big (type 2). With DSR the backend answers the
 * client directly, so a router on that path quotes the backend's reply,
 * VIP:vport -> client:cport, and sends the error to the VIP. Path MTU
 * discovery only works if the error reaches the backend that owns the
 * connection, so the quote is reversed into the flow key the client's own
 * packets have, {client, VIP, cport, vport}, and the packet then takes the
 * same service, flow and Maglev steps as the flow's packets, except that it
 * never creates a flow.
 *
 * Any other ICMP to a VIP keeps proto ICMP in its key, finds no service and
 * is dropped as such.
 */
#ifndef XLB_ICMP_H
#define XLB_ICMP_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include "parse.h"

/* Fills the flow key from the quoted packet's L4 header. */
static __always_inline int xlb_read_quoted_ports(struct xlb_packet *pkt,
						 void *l4, void *data_end)
{
	__be16 *ports = l4; /* [0] source, [1] destination: TCP and UDP */

	if (pkt->fragment ||
	    (pkt->key.proto != IPPROTO_TCP && pkt->key.proto != IPPROTO_UDP))
		return XLB_PARSE_OK;
	if ((void *)(ports + 2) > data_end)
		return XLB_PARSE_MALFORMED;
	pkt->key.sport = ports[1];
	pkt->key.dport = ports[0];
	return XLB_PARSE_OK;
}

static __always_inline int xlb_parse_icmp4_error(struct xlb_packet *pkt,
						 void *data_end)
{
	struct icmphdr *icmp = pkt->l4;
	struct iphdr *quote;

	if ((void *)(icmp + 1) > data_end || pkt->l4_len < sizeof(*icmp))
		return XLB_PARSE_MALFORMED;
	if (icmp->type != ICMP_DEST_UNREACH || icmp->code != ICMP_FRAG_NEEDED)
		return XLB_PARSE_OK;
	quote = (void *)(icmp + 1);
	if ((void *)(quote + 1) > data_end || quote->version != 4 ||
	    quote->ihl < 5)
		return XLB_PARSE_MALFORMED;
	/* Our own reply, from the VIP the error was sent to. */
	if (quote->saddr != pkt->key.dst.w[0])
		return XLB_PARSE_OK;
	pkt->key.src.w[0] = quote->daddr;
	pkt->key.proto = quote->protocol;
	pkt->fragment =
		!!(quote->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET));
	pkt->icmp_error = 1;
	return xlb_read_quoted_ports(pkt, (void *)quote + quote->ihl * 4,
				     data_end);
}

static __always_inline int xlb_same_addr6(const struct xlb_addr *a,
					  const struct in6_addr *b)
{
	return a->w[0] == b->in6_u.u6_addr32[0] &&
	       a->w[1] == b->in6_u.u6_addr32[1] &&
	       a->w[2] == b->in6_u.u6_addr32[2] &&
	       a->w[3] == b->in6_u.u6_addr32[3];
}

static __always_inline int xlb_parse_icmp6_error(struct xlb_packet *pkt,
						 void *data_end)
{
	struct icmp6hdr *icmp6 = pkt->l4;
	struct ipv6hdr *quote;
	void *quoted_l4;
	int proto;

	if ((void *)(icmp6 + 1) > data_end || pkt->l4_len < sizeof(*icmp6))
		return XLB_PARSE_MALFORMED;
	if (icmp6->icmp6_type != ICMPV6_PKT_TOOBIG)
		return XLB_PARSE_OK;
	quote = (void *)(icmp6 + 1);
	if ((void *)(quote + 1) > data_end || quote->version != 6)
		return XLB_PARSE_MALFORMED;
	if (!xlb_same_addr6(&pkt->key.dst, &quote->saddr))
		return XLB_PARSE_OK;
	quoted_l4 = quote + 1;
	proto = xlb_skip_ipv6_ext(&quoted_l4, data_end, quote->nexthdr,
				  &pkt->fragment);
	if (proto < 0)
		return XLB_PARSE_MALFORMED;
	__builtin_memcpy(&pkt->key.src, &quote->daddr, 16);
	pkt->key.proto = proto;
	pkt->icmp_error = 1;
	return xlb_read_quoted_ports(pkt, quoted_l4, data_end);
}

/* For an error about a VIP flow, turns pkt->key into that flow's key. */
static __always_inline int xlb_parse_icmp(struct xdp_md *ctx,
					  struct xlb_packet *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;

	if (pkt->fragment)
		return XLB_PARSE_OK;
	if (pkt->key.family == XLB_AF_INET && pkt->key.proto == IPPROTO_ICMP)
		return xlb_parse_icmp4_error(pkt, data_end);
	if (pkt->key.family == XLB_AF_INET6 && pkt->key.proto == IPPROTO_ICMPV6)
		return xlb_parse_icmp6_error(pkt, data_end);
	return XLB_PARSE_OK;
}

#endif /* XLB_ICMP_H */
