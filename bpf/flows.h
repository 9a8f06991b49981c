/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Choosing the backend: the flow table first, the service's Maglev table
 * for anything the flow table cannot answer.
 *
 * A flow keeps its backend while that backend is usable: the id still names
 * the same (service, address) (cookie and svc_id), and health is not down.
 * A drained backend (disabled, weight 0) is only absent from the Maglev
 * table, so its flows go on. Anything else is re-balanced by the Maglev
 * table, exactly as a packet with no flow is, including TCP packets that
 * are not SYNs: every load balancer with the same configuration makes the
 * same choice, which is what lets connections survive a failover.
 *
 * Established flows are looked up before the service. A usable backend
 * names its service (svc_id), and the control plane removes a service's
 * backends when it removes the service, so the flow alone says where the
 * packet goes and which counters it feeds: the hot path saves the service
 * lookup, a third of its hash lookups. The consequence: an established flow
 * stays with its service's backend even when a more specific service (an
 * exact port beside a port-0 service) is added later; new flows take the
 * new service.
 *
 * A TCP SYN without ACK opens a new connection, so it is scheduled by the
 * Maglev table even when its 5-tuple has a flow: a client that reuses a
 * source port after closing a connection to a drained backend must not be
 * sent back to it (IPVS's conn_reuse_mode does the same). The cost: a SYN
 * retransmitted across a table change may reach another backend, which
 * answers the handshake it did not start with a reset.
 *
 * The hot path writes to the flow table only when the second-granularity
 * last_seen changes, in place.
 */
#ifndef XLB_FLOWS_H
#define XLB_FLOWS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"
#include "xlb_hash.h"
#include "xlb_maps.h"

#define XLB_NSEC_PER_SEC 1000000000ull

struct xlb_choice {
	struct xlb_backend *be;
	struct xlb_flow *stale; /* a flow whose backend is no longer usable */
	__u32 id;		/* backend id */
	__u32 svc_id;
	__u8 new_flow;	 /* a flow entry was written */
	__u8 rebalanced; /* ... replacing a stale one */
};

static __always_inline __u32 xlb_now_seconds(void)
{
	return bpf_ktime_get_coarse_ns() / XLB_NSEC_PER_SEC;
}

/* Whether a backend still is what a flow or a table placed there. */
static __always_inline int xlb_backend_usable(const struct xlb_backend *be,
					      __u32 cookie, __u32 svc_id)
{
	return be && cookie && be->cookie == cookie && be->svc_id == svc_id &&
	       !(be->flags & XLB_BE_DOWN);
}

/* The Maglev choice for a flow key; false when the table has none. */
static __always_inline int xlb_maglev_choose(const struct xlb_svc *svc,
					     __u32 bank,
					     const struct xlb_flow_key *key,
					     struct xlb_choice *ch)
{
	struct xlb_bank *settings = bpf_map_lookup_elem(&xlb_banks, &bank);
	__u32 *id, slot, hash;
	void *table;

	if (!settings)
		return 0;
	table = bpf_map_lookup_elem(&xlb_rings, &svc->ring);
	if (!table)
		return 0;
	hash = xlb_flow_hash(key, settings->hash_seed, svc->flags & XLB_SVC_SH);
	slot = xlb_ring_slot(hash, svc->ring_size);
	id = bpf_map_lookup_elem(table, &slot);
	if (!id || *id == XLB_NO_BACKEND)
		return 0;
	ch->id = *id;
	ch->be = bpf_map_lookup_elem(&xlb_backends, &ch->id);
	return ch->be && xlb_backend_usable(ch->be, ch->be->cookie, svc->id);
}

/*
 * Points an existing flow entry, or a new one, at the chosen backend. False
 * when the new entry could not be inserted: the packet still goes to the
 * backend, but no flow was created (nor is one counted).
 */
static __always_inline int xlb_flow_place(struct xlb_flow *flow,
					  const struct xlb_flow_key *key,
					  const struct xlb_choice *ch,
					  __u32 svc_id, __u32 now)
{
	struct xlb_flow placed = {
		.backend = ch->id,
		.cookie = ch->be->cookie,
		.last_seen = now,
		.svc_id = svc_id,
	};

	if (flow) {
		*flow = placed;
		return 1;
	}
	return bpf_map_update_elem(&xlb_flows, key, &placed, BPF_ANY) == 0;
}

/*
 * The backend of the packet's flow, when the flow exists and its backend is
 * usable: fills `ch` and refreshes last_seen. Otherwise keeps a stale flow
 * in ch->stale for xlb_choose_new() to re-place. ICMP errors follow their
 * flow without refreshing it.
 */
static __always_inline int xlb_flow_established(const struct xlb_packet *pkt,
						struct xlb_choice *ch)
{
	struct xlb_flow *flow = bpf_map_lookup_elem(&xlb_flows, &pkt->key);
	__u32 now;

	if (!flow)
		return 0;
	ch->id = flow->backend;
	ch->be = bpf_map_lookup_elem(&xlb_backends, &ch->id);
	if (!xlb_backend_usable(ch->be, flow->cookie, flow->svc_id)) {
		ch->stale = flow;
		return 0;
	}
	ch->svc_id = flow->svc_id;
	if (pkt->icmp_error)
		return 1;
	now = xlb_now_seconds();
	if (flow->last_seen != now)
		flow->last_seen = now;
	return 1;
}

/*
 * The Maglev choice for a packet with no usable flow, written to the flow
 * table (except for ICMP errors, which never create flows). False when the
 * service has no backend to offer.
 */
static __always_inline int xlb_choose_new(const struct xlb_packet *pkt,
					  const struct xlb_svc *svc, __u32 bank,
					  struct xlb_choice *ch)
{
	if (!xlb_maglev_choose(svc, bank, &pkt->key, ch))
		return 0;
	ch->svc_id = svc->id;
	if (pkt->icmp_error)
		return 1;
	ch->new_flow = xlb_flow_place(ch->stale, &pkt->key, ch, svc->id,
				      xlb_now_seconds());
	ch->rebalanced = ch->stale != NULL;
	return 1;
}

#endif /* XLB_FLOWS_H */
