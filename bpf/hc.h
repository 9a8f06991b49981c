/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Health-check NAT (README.md; xlb(8), HEALTH-CHECK NAT). A probe
 * must reach the VIP on the backend, as real clients do, so a backend that
 * serves the port on its own address but lacks the VIP fails its check.
 *
 *   probe  host NAT:port <- H:sport, sent on xlbhc0, arrives on xlbhc1
 *          xlb_hc: NAT entry of the live bank -> dst VIP, src L (the lb's
 *          address the backend routes back to), ports kept; the reply
 *          tuple is recorded; sent to the backend by the service's method
 *   reply  backend VIP:port -> L:sport, arrives on an attached interface
 *          xlb_xdp (only for dst in the hc settings' local addresses): the
 *          recorded tuple -> src NAT, dst H; redirected into xlbhc1, so it
 *          comes out of xlbhc0 to the host's socket
 *
 * Probes must come from the host side's own address of their family (the
 * last of the NAT range: the route's source), so nothing the host forwards
 * into the port is translated. Replies are matched by (VIP, port, L, sport,
 * proto): a prober must not
 * have two probes to the same VIP:port in flight with the same source port
 * (bind to port 0 before connecting; XLB_G_HC_REPLY_CLASH counts misuse).
 */
#ifndef XLB_HC_H
#define XLB_HC_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "counters.h"
#include "forward.h"
#include "csum.h"
#include "parse.h"
#include "xlb_maps.h"

static __always_inline struct xlb_hc_cfg *xlb_hc_cfg_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&xlb_hc_cfg, &zero);
}

/* The TCP or UDP checksum field of a parsed packet, or NULL. */
static __always_inline __u16 *xlb_l4_check(const struct xlb_packet *pkt,
					   void *data_end)
{
	if (pkt->key.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = pkt->l4;

		if ((void *)(tcp + 1) > data_end)
			return NULL;
		return &tcp->check;
	}
	if (pkt->key.proto == IPPROTO_UDP) {
		struct udphdr *udp = pkt->l4;

		if ((void *)(udp + 1) > data_end)
			return NULL;
		return &udp->check;
	}
	return NULL;
}

static __always_inline int xlb_rewrite_v4(struct xlb_packet *pkt,
					  void *data_end, __u32 src, __u32 dst)
{
	struct iphdr *ip = pkt->l3;
	__u32 from[2], to[2] = {src, dst};
	__u16 *l4;
	__s64 diff;

	if ((void *)(ip + 1) > data_end)
		return 0;
	l4 = xlb_l4_check(pkt, data_end);
	if (!l4)
		return 0;
	from[0] = ip->saddr;
	from[1] = ip->daddr;
	diff = xlb_csum_diff_v4(from, to);
	ip->saddr = src;
	ip->daddr = dst;
	ip->check = xlb_csum_apply(ip->check, diff);
	xlb_l4_csum_update(l4, pkt->key.proto, diff);
	return 1;
}

static __always_inline int xlb_rewrite_v6(struct xlb_packet *pkt,
					  void *data_end,
					  const struct xlb_addr *src,
					  const struct xlb_addr *dst)
{
	struct ipv6hdr *ip6 = pkt->l3;
	__u32 from[8], to[8];
	__u16 *l4;
	__s64 diff;

	if ((void *)(ip6 + 1) > data_end)
		return 0;
	l4 = xlb_l4_check(pkt, data_end);
	if (!l4)
		return 0;
	__builtin_memcpy(from, &ip6->saddr, 16);
	__builtin_memcpy(from + 4, &ip6->daddr, 16);
	__builtin_memcpy(to, src, 16);
	__builtin_memcpy(to + 4, dst, 16);
	diff = xlb_csum_diff_v6(from, to);
	__builtin_memcpy(&ip6->saddr, src, 16);
	__builtin_memcpy(&ip6->daddr, dst, 16);
	xlb_l4_csum_update(l4, pkt->key.proto, diff);
	return 1;
}

/* New source and destination addresses, checksums fixed incrementally.
 * False when the headers are not where the parser left them. */
static __always_inline int xlb_rewrite_addrs(struct xdp_md *ctx,
					     struct xlb_packet *pkt,
					     const struct xlb_addr *src,
					     const struct xlb_addr *dst)
{
	void *data_end = (void *)(long)ctx->data_end;

	if (pkt->key.family == XLB_AF_INET)
		return xlb_rewrite_v4(pkt, data_end, src->w[0], dst->w[0]);
	return xlb_rewrite_v6(pkt, data_end, src, dst);
}

static __always_inline int xlb_addr_eq(const struct xlb_addr *a,
				       const struct xlb_addr *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] &&
	       a->w[3] == b->w[3];
}

/* ------------------------------------------------------------- the probes */

/* Leaves what the reply will need. A live entry for the same tuple with
 * another NAT address means two probes share a source port: the newer one
 * wins, and the clash is counted. */
static __always_inline void xlb_hc_record(const struct xlb_packet *pkt,
					  const struct xlb_nat *nat)
{
	struct xlb_hc_reply_key k = {};
	struct xlb_hc_reply v = {};
	struct xlb_hc_reply *old;

	k.vip = nat->vip;
	k.local = nat->src;
	k.vport = pkt->key.dport;
	k.sport = pkt->key.sport;
	k.proto = pkt->key.proto;
	k.family = pkt->key.family;
	v.nat = pkt->key.dst;
	v.host = pkt->key.src;
	old = bpf_map_lookup_elem(&xlb_hc_replies, &k);
	if (old && xlb_addr_eq(&old->nat, &v.nat) &&
	    xlb_addr_eq(&old->host, &v.host))
		return;
	if (old)
		xlb_count_global(XLB_G_HC_REPLY_CLASH);
	bpf_map_update_elem(&xlb_hc_replies, &k, &v, BPF_ANY);
}

/* L2 direct server return from the hc port: the frame leaves by the egress
 * interface towards the backend with that interface's MAC as source. */
static __always_inline int xlb_hc_dsr(struct xdp_md *ctx,
				      const struct xlb_nat *nat,
				      const struct xlb_backend *be)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nat->src_mac, ETH_ALEN);
	return bpf_redirect(nat->ifindex, 0);
}

/*
 * The one place where a translated probe meets a forwarding method. The
 * probe is by now exactly the packet a client would have sent to the VIP
 * (from the lb's address), so a tunnel method (bpf/encap.h, xlb_forward())
 * wraps it as it wraps client packets, then redirects to nat->ifindex.
 */
static __always_inline int xlb_hc_send(struct xdp_md *ctx,
				       struct xlb_packet *pkt,
				       const struct xlb_nat *nat,
				       const struct xlb_backend *be)
{
	struct xlb_nexthop nh = {};
	struct xlb_bank *bs;
	struct xlb_ctl *ctl;
	__u32 zero = 0;

	if (nat->forward == XLB_FWD_DSR)
		return xlb_hc_dsr(ctx, nat, be);
	ctl = bpf_map_lookup_elem(&xlb_ctl, &zero);
	bs = ctl ? bpf_map_lookup_elem(&xlb_banks, &ctl->active_bank) : NULL;
	if (!bs)
		return XDP_DROP;
	/* The packet is the probe as rewritten: from the lb to the VIP. */
	pkt->key.src = nat->src;
	pkt->key.dst = nat->vip;
	/* Probes ask the FIB from their egress (counted fib_lookups): the
	 * table's entries are relative to the interfaces clients come in on. */
	nh.ifindex = nat->ifindex;
	return xlb_forward_tunnel(ctx, pkt, be, bs, &nh);
}

/* The live NAT entry of the packet's destination and its backend. */
static __always_inline struct xlb_nat *
xlb_hc_lookup(const struct xlb_packet *pkt, struct xlb_backend **be)
{
	struct xlb_nat_key k = {};
	struct xlb_nat *nat;
	struct xlb_ctl *ctl;
	__u32 zero = 0;

	ctl = bpf_map_lookup_elem(&xlb_ctl, &zero);
	if (!ctl)
		return NULL;
	k.bank = ctl->active_bank;
	k.family = pkt->key.family;
	k.nat = pkt->key.dst;
	nat = bpf_map_lookup_elem(&xlb_nat, &k);
	if (!nat)
		return NULL;
	/* The id must still name the backend the entry was written for. */
	*be = bpf_map_lookup_elem(&xlb_backends, &nat->backend);
	if (!*be || !nat->cookie || (*be)->cookie != nat->cookie)
		return NULL;
	return nat;
}

/* The host's own chatter on the port (IPv6 neighbour discovery, MLD, router
 * solicitations, anything not TCP or UDP): dropped and counted by reason
 * only, so it does not show among the packets the balancer refused. */
static __always_inline int xlb_hc_ignore(void)
{
	xlb_count_global(XLB_G_HC_CHATTER);
	return XDP_DROP;
}

/* Whether a check of the entry's service probes the packet's port. */
static __always_inline int xlb_hc_port_checked(const struct xlb_nat *nat,
					       const struct xlb_packet *pkt)
{
	int i;

#pragma unroll
	for (i = 0; i < XLB_HC_MAX_CHECK_PORTS; i++)
		if (nat->check_ports[i] &&
		    nat->check_ports[i] == pkt->key.dport)
			return 1;
	return 0;
}

/* xlb_hc: everything arriving on xlbhc1. Only probes are expected there;
 * anything else is dropped (the host must not route it back out). */
static __always_inline int xlb_hc_probe(struct xdp_md *ctx)
{
	struct xlb_hc_cfg *cfg = xlb_hc_cfg_get();
	struct xlb_backend *be = NULL;
	struct xlb_packet pkt;
	struct xlb_nat *nat;
	int action;

	if (!cfg || ctx->ingress_ifindex != cfg->dp_ifindex)
		return xlb_verdict_pass(); /* not the hc port: not ours */
	__builtin_memset(&pkt, 0, sizeof(pkt));
	if (xlb_parse_l3(ctx, &pkt) != XLB_PARSE_OK)
		return xlb_hc_ignore();
	if (xlb_parse_l4(ctx, &pkt) != XLB_PARSE_OK || pkt.fragment)
		return xlb_verdict_drop(XLB_G_DROP_MALFORMED);
	if (pkt.key.proto != IPPROTO_TCP && pkt.key.proto != IPPROTO_UDP)
		return xlb_hc_ignore();
	if (pkt.key.family == XLB_AF_INET ?
		    pkt.key.src.w[0] != cfg->host4 :
		    !xlb_addr_eq(&pkt.key.src, &cfg->host6))
		return xlb_verdict_drop(XLB_G_DROP_HC_SOURCE);
	nat = xlb_hc_lookup(&pkt, &be);
	if (!nat || !be)
		return xlb_verdict_drop(XLB_G_DROP_HC_UNKNOWN);
	if (!xlb_hc_port_checked(nat, &pkt))
		return xlb_verdict_drop(XLB_G_DROP_HC_PORT);
	if (!nat->ifindex)
		return xlb_verdict_drop(XLB_G_DROP_HC_NO_ROUTE);
	xlb_hc_record(&pkt, nat);
	if (!xlb_rewrite_addrs(ctx, &pkt, &nat->src, &nat->vip))
		return xlb_verdict_drop(XLB_G_DROP_MALFORMED);
	action = xlb_hc_send(ctx, &pkt, nat, be);
	if (action == XDP_DROP)
		return xlb_verdict_drop(XLB_G_DROP_NO_BACKEND);
	xlb_count_global(XLB_G_HC_PROBE);
	return xlb_verdict(action);
}

/* ------------------------------------------------------------ the replies */

/* Whether the destination is one of the lb source addresses. */
static __always_inline int xlb_hc_is_local(const struct xlb_hc_cfg *cfg,
					   const struct xlb_packet *pkt)
{
	int i;

	if (pkt->key.family == XLB_AF_INET) {
#pragma unroll
		for (i = 0; i < XLB_HC_MAX_LOCAL; i++)
			if (i < cfg->n_local4 &&
			    cfg->local4[i] == pkt->key.dst.w[0])
				return 1;
		return 0;
	}
#pragma unroll
	for (i = 0; i < XLB_HC_MAX_LOCAL; i++)
		if (i < cfg->n_local6 &&
		    xlb_addr_eq(&cfg->local6[i], &pkt->key.dst))
			return 1;
	return 0;
}

/* The reply's Ethernet header, for xlbhc0: no VLAN tags (they are
 * removed), xlbhc1 -> xlbhc0. */
static __always_inline int xlb_hc_reframe(struct xdp_md *ctx,
					  const struct xlb_hc_cfg *cfg,
					  __u32 l3_off, __u8 family)
{
	struct ethhdr *eth;
	void *data_end;

	if (l3_off > sizeof(*eth) &&
	    bpf_xdp_adjust_head(ctx, l3_off - sizeof(*eth)))
		return 0;
	eth = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((void *)(eth + 1) > data_end)
		return 0;
	__builtin_memcpy(eth->h_dest, cfg->host_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->dp_mac, ETH_ALEN);
	eth->h_proto = bpf_htons(family == XLB_AF_INET ? ETH_P_IP : ETH_P_IPV6);
	return 1;
}

/*
 * Called by xlb_xdp for a packet that is not for a VIP. The cheap test
 * first (is the destination an lb source address?), so other traffic is
 * passed after one array lookup; then the recorded probe tuple.
 */
/* Out of line: its stack must not add to the main program's, which the
 * tunnel subprogram's frame already sits on (512 bytes in all). */
static __noinline int xlb_hc_translate_reply(struct xdp_md *ctx,
					     struct xlb_packet *pkt,
					     struct xlb_hc_cfg *cfg)
{
	struct xlb_hc_reply_key k = {};
	struct xlb_hc_reply *r;

	if (xlb_parse_l4(ctx, pkt) != XLB_PARSE_OK || pkt->fragment ||
	    (pkt->key.proto != IPPROTO_TCP && pkt->key.proto != IPPROTO_UDP))
		return xlb_verdict_pass(); /* the host's own traffic */
	k.vip = pkt->key.src;
	k.local = pkt->key.dst;
	k.vport = pkt->key.sport;
	k.sport = pkt->key.dport;
	k.proto = pkt->key.proto;
	k.family = pkt->key.family;
	r = bpf_map_lookup_elem(&xlb_hc_replies, &k);
	if (!r)
		return xlb_verdict_pass();
	if (!xlb_rewrite_addrs(ctx, pkt, &r->nat, &r->host) ||
	    !xlb_hc_reframe(ctx, cfg, pkt->l3_off, pkt->key.family))
		return xlb_verdict_drop(XLB_G_DROP_MALFORMED);
	xlb_count_global(XLB_G_HC_REPLY);
	return xlb_verdict(bpf_redirect(cfg->dp_ifindex, 0));
}

/* Non-VIP traffic: a reply to a probe only when addressed to an lb source
 * address (a few compares); everything else passes at once. */
static __always_inline int xlb_hc_reply(struct xdp_md *ctx,
					struct xlb_packet *pkt)
{
	struct xlb_hc_cfg *cfg = xlb_hc_cfg_get();

	if (!cfg || !cfg->dp_ifindex || !xlb_hc_is_local(cfg, pkt))
		return xlb_verdict_pass();
	return xlb_hc_translate_reply(ctx, pkt, cfg);
}

#endif /* XLB_HC_H */
