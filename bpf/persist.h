/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Persistence (service persist D): a client address keeps its backend for
 * D after its last packet, across pool changes, while that backend stays
 * usable and in the table. The entries are in xlb_persist, keyed by
 * (service id, client address); see xlb_abi.h.
 *
 * Only services with persist set pay anything. A new flow of such a service
 * first asks xlb_persist (xlb_persist_find); the choice then passes the
 * same checks as a flow entry's backend (flows.h), plus XLB_BE_NO_NEW, so
 * a disabled, weight-0 or other-tier backend gets no new flows through
 * persistence either. Whatever the flow ends up on is written back when a
 * flow entry is written (xlb_persist_note): a SYN the flow guard does not
 * record writes none, so a SYN flood cannot evict persistence entries.
 *
 * "D after its last flow": the entry's last_seen moves when a flow of the
 * client is created, and with its established flows' packets at most once a
 * second (when the flow entry's own last_seen moves), so
 * an entry expires D after the client's last packet, whatever the length of
 * its connections. Established flows of other services pay one flag test,
 * on the packet that moves their entry's last_seen.
 *
 * Subprograms, not inlined: their keys and values live in their own frames,
 * not in the main program's, which is near the 512-byte stack limit.
 */
#ifndef XLB_PERSIST_H
#define XLB_PERSIST_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xlb_maps.h"

static __always_inline void xlb_persist_key_of(struct xlb_persist_key *k,
					       const struct xlb_flow_key *fk,
					       __u32 svc_id)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->svc_id = svc_id;
	k->family = fk->family;
	k->client = fk->src;
}

/* The backend persisted for the flow's client, as (cookie << 32) | id, when
 * its entry is younger than `timeout` seconds; 0 when there is none (a
 * backend in use never has cookie 0). */
static __noinline __u64 xlb_persist_find(const struct xlb_flow_key *fk,
					 __u32 svc_id, __u32 timeout, __u32 now)
{
	struct xlb_persist_key k;
	struct xlb_persist *p;

	xlb_persist_key_of(&k, fk, svc_id);
	p = bpf_map_lookup_elem(&xlb_persist, &k);
	if (!p || xlb_persist_expired(p, timeout, now))
		return 0;
	return ((__u64)p->cookie << 32) | p->backend;
}

/* A flow of the client went to `backend` (a new flow, or an established
 * one's packet that moved its entry's last_seen): the client's entry names
 * it, seen now. So the entry names the backend of the client's most
 * recently active flow. */
static __noinline int xlb_persist_note(const struct xlb_flow_key *fk,
				       __u32 svc_id, __u32 backend,
				       __u32 cookie, __u32 now)
{
	struct xlb_persist_key k;
	struct xlb_persist v = {
		.backend = backend,
		.cookie = cookie,
		.last_seen = now,
	};
	struct xlb_persist *p;

	xlb_persist_key_of(&k, fk, svc_id);
	p = bpf_map_lookup_elem(&xlb_persist, &k);
	if (p) {
		*p = v;
		return 0;
	}
	return bpf_map_update_elem(&xlb_persist, &k, &v, BPF_ANY);
}

#endif /* XLB_PERSIST_H */
