/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Choosing the backend: the flow table first, the service's Maglev table
 * for anything the flow table cannot answer.
 *
 * A flow keeps its backend while that backend is usable: the id still names
 * the same (service, address) (the cookie), and health is not down.
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
 * Idle entries expire: an entry idle for longer than its protocol's timeout
 * (xlb_bank; TCP entries that have seen only SYNs have a short one) is a
 * miss, re-placed by the Maglev table, which gives the same backend while
 * the pool is unchanged. The control plane deletes expired entries
 * (xlb flows expire, xlb-healthd), so counts fall.
 *
 * New-flow counters count entries written, not packets scheduled: a
 * retransmitted SYN that finds its own SYN-only entry, same backend, is not
 * a new flow again.
 *
 * The flow guard: above bank.flow_guard new flows in one second on one
 * CPU, and through every following second while the flood lasts (see
 * xlb_guard_allows), a SYN is balanced by the Maglev table but not recorded
 * (no entry is inserted; an existing one is replaced in place); the
 * client's first non-SYN packet records it (with the same choice while the
 * pool is unchanged). So a flood of SYNs from spoofed sources cannot evict
 * the entries of established connections. The cost: a pool change between
 * a client's SYN and its first ACK can move a connection not recorded yet.
 *
 * The hot path writes to the flow table only when the second-granularity
 * last_seen changes, or when the first non-SYN packet ends the SYN-only
 * state, in place.
 */
#ifndef XLB_FLOWS_H
#define XLB_FLOWS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"
#include "xlb_hash.h"
#include "xlb_maps.h"
#include "persist.h"

#define XLB_NSEC_PER_SEC 1000000000ull

/* 24 bytes: it lives in the main program's frame, which the tunnel path
 * adds to (512 bytes in all). The service is be->svc_id: a usable backend
 * names its service (see above). */
struct xlb_choice {
	struct xlb_backend *be;
	struct xlb_flow
		*stale;	     /* an entry to re-place (backend gone, expired) */
	__u32 id;	     /* backend id */
	__u8 new_flow : 1;   /* a flow entry was written */
	__u8 rebalanced : 1; /* ... replacing one whose backend went away */
	__u8 expired : 1;    /* ch->stale is only idle for too long */
	__u8 guard_skipped : 1; /* a SYN not recorded: the flow guard */
	/* This packet wrote its established entry (last_seen moved, or it
	 * left the SYN-only state): a candidate for a flow sync refresh
	 * (sync_export.h). Flags, not a pointer: stack. */
	__u8 touched : 1;
	__u8 left_syn : 1;
};

static __always_inline __u32 xlb_now_seconds(void)
{
	return bpf_ktime_get_coarse_ns() / XLB_NSEC_PER_SEC;
}

/* Whether a backend still is what a flow or a table placed there. */
static __always_inline int xlb_backend_usable(const struct xlb_backend *be,
					      __u32 cookie)
{
	return be && cookie && be->cookie == cookie &&
	       !(be->flags & XLB_BE_DOWN);
}

/* The Maglev choice for a flow key; false when the table has none. */
static __always_inline int xlb_maglev_choose(const struct xlb_svc *svc,
					     const struct xlb_bank *bs,
					     const struct xlb_flow_key *key,
					     struct xlb_choice *ch)
{
	__u32 *id, slot, hash;
	void *table;

	table = bpf_map_lookup_elem(&xlb_rings, &svc->ring);
	if (!table)
		return 0;
	hash = xlb_flow_hash(key, bs->hash_seed, svc->flags & XLB_SVC_SH);
	slot = xlb_ring_slot(hash, svc->ring_size);
	id = bpf_map_lookup_elem(table, &slot);
	if (!id || *id == XLB_NO_BACKEND)
		return 0;
	ch->id = *id;
	ch->be = bpf_map_lookup_elem(&xlb_backends, &ch->id);
	return ch->be && ch->be->svc_id == svc->id &&
	       xlb_backend_usable(ch->be, ch->be->cookie);
}

/*
 * The backend of the packet's flow, when the flow exists, has not expired
 * and its backend is usable: fills `ch`, refreshes last_seen and ends the
 * SYN-only state (the established path never sees a SYN). Otherwise keeps
 * the entry in ch->stale for xlb_choose_new() to re-place. ICMP errors
 * follow their flow without refreshing it.
 */
static __always_inline int xlb_flow_established(const struct xlb_packet *pkt,
						const struct xlb_bank *bs,
						struct xlb_choice *ch)
{
	struct xlb_flow *flow = bpf_map_lookup_elem(&xlb_flows, &pkt->key);
	__u32 now;

	if (!flow)
		return 0;
	ch->id = flow->backend;
	ch->be = bpf_map_lookup_elem(&xlb_backends, &ch->id);
	if (!xlb_backend_usable(ch->be, flow->cookie)) {
		ch->stale = flow;
		return 0;
	}
	now = xlb_now_seconds();
	if (xlb_flow_expired(flow,
			     xlb_flow_timeout(bs, pkt->key.proto, flow->flags),
			     now)) {
		ch->stale = flow;
		ch->expired = 1;
		return 0;
	}
	if (pkt->icmp_error)
		return 1;
	if (flow->last_seen != now) {
		flow->last_seen = now;
		ch->touched = 1;
		if (ch->be->flags & XLB_BE_PERSIST) /* persist.h */
			xlb_persist_note(&pkt->key, ch->be->svc_id, ch->id,
					 flow->cookie, now);
	}
	if (flow->flags) {
		flow->flags = 0;
		ch->touched = 1;
		ch->left_syn = 1;
	}
	return 1;
}

/* Counts one new flow (recorded, or a SYN asking to be) against this CPU's
 * flow guard; true when a SYN may be recorded. The guard closes for the
 * rest of a second once the second's demand reaches bank.flow_guard, and
 * stays closed for every following second while the demand of the second
 * before reached it: a sustained flood records one second's worth of SYNs
 * at its start and none after, however long it lasts. */
static __always_inline int xlb_guard_allows(const struct xlb_bank *bs,
					    __u32 now, int count)
{
	__u32 zero = 0, demand;
	struct xlb_guard *g = bpf_map_lookup_elem(&xlb_guard, &zero);

	if (!g || !bs->flow_guard)
		return 1;
	if (g->second != now) {
		demand = g->recorded & ~XLB_GUARD_FLOOD;
		g->recorded = now == g->second + 1 && demand >= bs->flow_guard ?
				      XLB_GUARD_FLOOD :
				      0;
		g->second = now;
	}
	demand = g->recorded & ~XLB_GUARD_FLOOD;
	g->recorded += 1;
	return count ||
	       !((g->recorded & XLB_GUARD_FLOOD) || demand >= bs->flow_guard);
}

/* The entry that pins a flow to the chosen backend, seen now. */
static __always_inline struct xlb_flow
xlb_flow_entry(const struct xlb_choice *ch, __u32 now, __u8 flags)
{
	struct xlb_flow e = {
		.backend = ch->id,
		.cookie = ch->be->cookie,
		.last_seen = now,
		.flags = flags,
		.exported = (__u16)now, /* a new flow is exported at once */
	};

	return e;
}

/* Writes the entry of a new or re-placed non-SYN flow. */
static __always_inline void xlb_record(const struct xlb_packet *pkt,
				       const struct xlb_bank *bs,
				       struct xlb_choice *ch, __u32 now)
{
	struct xlb_flow placed = xlb_flow_entry(ch, now, 0);

	/* A failed insert still sends the packet to the backend, but no flow
	 * was created, so none is counted. */
	if (ch->stale)
		*ch->stale = placed;
	else if (bpf_map_update_elem(&xlb_flows, &pkt->key, &placed, BPF_ANY))
		return;
	xlb_guard_allows(bs, now, 1);
	ch->new_flow = 1;
	ch->rebalanced = ch->stale && !ch->expired;
}

/*
 * Writes the entry of a SYN. A SYN that finds an entry is a retransmission
 * when that entry is its own (SYN-only, not expired, same backend):
 * refreshed, not a new flow; anything else there (a closed connection's
 * entry: the client reuses its port) is replaced by a new flow. While the
 * flow guard is closed, a SYN only replaces an entry in place (so a reused
 * port's later packets follow the new choice) and inserts none.
 */
static __always_inline void xlb_record_syn(const struct xlb_packet *pkt,
					   const struct xlb_bank *bs,
					   struct xlb_choice *ch, __u32 now)
{
	struct xlb_flow placed = xlb_flow_entry(ch, now, XLB_FLOW_SYN_ONLY);
	struct xlb_flow *old;

	if (xlb_guard_allows(bs, now, 0)) {
		if (!bpf_map_update_elem(&xlb_flows, &pkt->key, &placed,
					 BPF_NOEXIST)) {
			ch->new_flow = 1;
			return;
		}
		old = bpf_map_lookup_elem(&xlb_flows, &pkt->key);
		if (!old) /* evicted meanwhile */
			return;
	} else {
		old = bpf_map_lookup_elem(&xlb_flows, &pkt->key);
		if (!old) {
			ch->guard_skipped = 1;
			return;
		}
	}
	ch->new_flow = !(old->backend == placed.backend &&
			 old->cookie == placed.cookie &&
			 old->flags == XLB_FLOW_SYN_ONLY &&
			 !xlb_flow_expired(old, bs->timeout_tcp_syn, now));
	*old = placed;
}

/* Persistence (persist.h): the backend the client was persisted to, when
 * it is still usable and in the table; false otherwise. */
static __always_inline int xlb_persist_choose(const struct xlb_packet *pkt,
					      const struct xlb_svc *svc,
					      struct xlb_choice *ch)
{
	__u64 found = xlb_persist_find(&pkt->key, svc->id, svc->persist,
				       xlb_now_seconds());

	if (!found)
		return 0;
	ch->id = (__u32)found;
	ch->be = bpf_map_lookup_elem(&xlb_backends, &ch->id);
	return ch->be && !(ch->be->flags & XLB_BE_NO_NEW) &&
	       xlb_backend_usable(ch->be, found >> 32);
}

/*
 * The choice for a packet with no usable flow: the client's persisted
 * backend (services with persist), else the Maglev table's; written to the
 * flow table (except for ICMP errors, which never create flows or
 * persistence entries). False when the service has no backend to offer.
 */
static __always_inline int xlb_choose_new(const struct xlb_packet *pkt,
					  const struct xlb_svc *svc,
					  const struct xlb_bank *bs,
					  struct xlb_choice *ch)
{
	__u32 now;

	if (!(svc->persist && xlb_persist_choose(pkt, svc, ch)) &&
	    !xlb_maglev_choose(svc, bs, &pkt->key, ch))
		return 0;
	if (pkt->icmp_error)
		return 1;
	now = xlb_now_seconds();
	if (pkt->tcp_syn)
		xlb_record_syn(pkt, bs, ch, now);
	else
		xlb_record(pkt, bs, ch, now);
	if (svc->persist && ch->new_flow)
		xlb_persist_note(&pkt->key, svc->id, ch->id, ch->be->cookie,
				 now);
	return 1;
}

#endif /* XLB_FLOWS_H */
