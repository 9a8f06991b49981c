/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb: the XDP datapath. A packet's path, top to bottom:
 *
 *   parse to the destination -> may it be a VIP? (one bit of the bank's
 *      VIP bitmap; no: pass) -> parse the rest
 *   -> TCP or UDP, not a SYN: established flow? (yes: its backend, no
 *      VIP lookup) -> the VIP (none: pass; ICMP errors become their flow's
 *      key here) -> service (exact port, else port 0) -> Maglev -> new flow
 *   -> count -> forward (L2 DSR: rewrite the MACs, XDP_TX; or a tunnel:
 *      encapsulate, FIB next hop, XDP_TX or redirect; see forward.h).
 *
 * Not a VIP, but an lb source address: maybe a backend's reply to a
 * health-check probe (hc.h), translated back to the host.
 *
 * All state is in the pinned maps described in xlb_abi.h.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "xlb_maps.h"
#include "counters.h"
#include "parse.h"
#include "icmp.h"
#include "lookup.h"
#include "flows.h"
#include "forward.h"
#include "hc.h"
#include "echo.h"
#include "sync_export.h"
#include "capture.h"

static __always_inline int xlb_send(struct xdp_md *ctx,
				    const struct xlb_packet *pkt,
				    const struct xlb_choice *ch, __u32 bank)
{
	xlb_sync_export(pkt, ch, bank);
	xlb_count_traffic(&xlb_svc_stats, ch->be->svc_id, pkt->frame_len,
			  ch->new_flow);
	xlb_count_traffic(&xlb_be_stats, ch->id, pkt->frame_len, ch->new_flow);
	if (ch->new_flow)
		xlb_count_global(XLB_G_NEW_FLOW);
	if (ch->rebalanced)
		xlb_count_global(XLB_G_FLOW_REBALANCED);
	if (ch->guard_skipped)
		xlb_count_global(XLB_G_FLOW_GUARD_SKIPPED);
	if (pkt->icmp_error)
		xlb_count_global(XLB_G_ICMP_TO_FLOW);
	return xlb_verdict(xlb_forward(ctx, pkt, ch->be, ch->id, bank));
}

static __always_inline int xlb_is_tcp_or_udp(const struct xlb_packet *pkt)
{
	return pkt->key.proto == IPPROTO_TCP || pkt->key.proto == IPPROTO_UDP;
}

/*
 * One call site each for the send, the flow lookup and the host's path
 * (gotos): each is inlined, and the verifier walks what is inlined once
 * per call site.
 */
static __always_inline int xlb_balance(struct xdp_md *ctx)
{
	struct xlb_choice choice = {};
	struct xlb_svc *vip = NULL;
	const struct xlb_svc *svc;
	struct xlb_packet pkt;
	struct xlb_bank *bs;
	struct xlb_ctl *ctl;
	__u32 zero = 0, bank;

	__builtin_memset(&pkt, 0, sizeof(pkt));
	if (xlb_parse_l3(ctx, &pkt) != XLB_PARSE_OK)
		return xlb_verdict_pass();
	ctl = bpf_map_lookup_elem(&xlb_ctl, &zero);
	if (!ctl)
		return xlb_verdict_pass();
	bank = ctl->active_bank;
	if (!xlb_may_be_vip(bank, &pkt))
		goto not_vip;
	if (xlb_parse_l4(ctx, &pkt) != XLB_PARSE_OK) {
		if (!xlb_lookup_vip(bank, &pkt))
			goto not_vip; /* a bit shared with a VIP */
		return xlb_verdict_drop(XLB_G_DROP_MALFORMED);
	}
	bs = bpf_map_lookup_elem(&xlb_banks, &bank);
	if (!bs)
		return xlb_verdict_pass();
	/* TCP and UDP look their flow up before the VIP. Other protocols
	 * need the VIP first: an ICMP error takes its flow's key (icmp.h), an
	 * echo request may be answered. */
	if (!xlb_is_tcp_or_udp(&pkt)) {
		vip = xlb_lookup_vip(bank, &pkt);
		if (!vip)
			goto not_vip;
		if (xlb_parse_icmp(ctx, &pkt) != XLB_PARSE_OK)
			return xlb_verdict_drop(XLB_G_DROP_MALFORMED);
		if (!xlb_is_tcp_or_udp(&pkt)) {
			int echo = xlb_echo(ctx, &pkt, vip);

			if (echo >= 0)
				return echo;
		}
	}
	if (!pkt.tcp_syn && xlb_flow_established(&pkt, bs, &choice))
		goto send;

	if (!vip)
		vip = xlb_lookup_vip(bank, &pkt);
	if (!vip)
		goto not_vip; /* a bit shared with a VIP */
	svc = xlb_lookup_service(bank, vip, &pkt);
	if (!svc)
		return xlb_verdict_drop(pkt.fragment ? XLB_G_DROP_FRAGMENT :
						       XLB_G_DROP_NO_SERVICE);
	if (!xlb_choose_new(&pkt, svc, bs, &choice))
		return xlb_verdict_drop(XLB_G_DROP_NO_BACKEND);
send:
	return xlb_send(ctx, &pkt, &choice, bank);
not_vip:
	return xlb_hc_reply(ctx, &pkt); /* else XDP_PASS */
}

SEC("xdp")
int xlb_xdp(struct xdp_md *ctx)
{
	return xlb_balance(ctx);
}

/* The same balancer, run while `xlb capture` does (capture.h): each frame
 * as it arrived, with its verdict, into xlb_capture_ring. Loaded only for
 * a capture. */
SEC("xdp")
int xlb_xdp_capture(struct xdp_md *ctx)
{
	int verdict;

	xlb_capture_begin(ctx);
	verdict = xlb_balance(ctx);
	xlb_capture_end(verdict);
	return verdict;
}

/* On xlbhc1 only: health-check probes from the host (hc.h). */
SEC("xdp")
int xlb_hc(struct xdp_md *ctx)
{
	return xlb_hc_probe(ctx);
}

/* On xlbhc0: a veth receives frames redirected into its peer only when it
 * has an XDP program of its own. */
SEC("xdp")
int xlb_hc_host(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* On xlbhc0's egress (tc): only the host's own probes may enter the port.
 * A packet the host forwards there (a stranger routing to a NAT address,
 * maybe with the port's own address as source) came in on some interface;
 * a locally made one has no ingress interface. */
SEC("tc")
int xlb_hc_guard(struct __sk_buff *skb)
{
	if (!skb->ingress_ifindex)
		return TC_ACT_OK;
	xlb_count_global(XLB_G_DROP_HC_FORWARDED);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
