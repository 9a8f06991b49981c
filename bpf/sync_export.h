/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Flow sync export: tells xlb-syncd about flow entries this load balancer
 * writes, so its peers can carry on a connection whose ECMP path moves to
 * them (see xlb_abi.h, "flow sync").
 *
 * Only packets that wrote an entry can export: a new flow, or an
 * established entry whose second-granularity last_seen moved (at most once
 * a second per flow) or that just left the SYN-only state. Everything else
 * returns at the first test, and with export off the cost is one array
 * lookup per entry written. A long-lived flow is exported again once
 * `interval` seconds have passed since its last export (xlb_flow.exported,
 * 16 bits of seconds, compared modulo 2^16).
 */
#ifndef XLB_SYNC_EXPORT_H
#define XLB_SYNC_EXPORT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "counters.h"
#include "flows.h"
#include "lookup.h"
#include "xlb_maps.h"

/* The port of the flow's service: 0 when it is the VIP's port-0 service. */
static __always_inline __be16 xlb_sync_svc_port(const struct xlb_packet *pkt,
						const struct xlb_svc *vip,
						__u32 svc_id)
{
	int idx = xlb_any_port_index(pkt->key.proto);

	if (idx < 0 || vip->any_port[idx & 1] != svc_id)
		return pkt->key.dport;
	return 0;
}

/* Whether the packet's established entry is due for a refresh export;
 * marks it exported when it is. Looked up again (once a second per flow at
 * most, and only with export on) rather than kept from the flow lookup. */
static __always_inline int xlb_sync_refresh_due(const struct xlb_packet *pkt,
						const struct xlb_choice *ch,
						const struct xlb_sync_ctl *sc)
{
	struct xlb_flow *f = bpf_map_lookup_elem(&xlb_flows, &pkt->key);
	__u16 now;

	if (!f)
		return 0;
	now = (__u16)f->last_seen;
	if (!ch->left_syn && (__u16)(now - f->exported) < sc->interval)
		return 0;
	f->exported = now;
	return 1;
}

/* The export itself, a subprogram of its own: its locals stay off the main
 * program's stack, which the tunnel path already fills. */
static __noinline int xlb_sync_write(const struct xlb_packet *pkt,
				     const struct xlb_choice *ch, __u32 bank)
{
	const struct xlb_svc *vip;
	struct xlb_sync_event *ev;
	struct xlb_sync_ctl *sc;
	__u32 zero = 0;

	sc = bpf_map_lookup_elem(&xlb_sync_ctl, &zero);
	if (!sc || !(sc->flags & XLB_SYNC_EXPORT))
		return 0;
	if (!ch->new_flow && !xlb_sync_refresh_due(pkt, ch, sc))
		return 0;
	ev = bpf_ringbuf_reserve(&xlb_sync_ring, sizeof(*ev), 0);
	if (!ev) {
		xlb_count_global(XLB_G_SYNC_RING_FULL);
		return 0;
	}
	ev->key = pkt->key;
	ev->backend = ch->be->addr;
	/* Looked up here, not carried: an established flow was sent
	 * without its VIP (xlb.bpf.c). */
	vip = xlb_lookup_vip(bank, pkt);
	ev->svc_port = vip ? xlb_sync_svc_port(pkt, vip, ch->be->svc_id) :
			     pkt->key.dport;
	ev->be_family = ch->be->family;
	ev->flags = ch->new_flow && pkt->tcp_syn ? XLB_FLOW_SYN_ONLY : 0;
	ev->reserved = 0;
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

/* Only packets that wrote an entry go further than this test. */
static __always_inline void xlb_sync_export(const struct xlb_packet *pkt,
					    const struct xlb_choice *ch,
					    __u32 bank)
{
	if (ch->new_flow || ch->touched)
		xlb_sync_write(pkt, ch, bank);
}

#endif /* XLB_SYNC_EXPORT_H */
