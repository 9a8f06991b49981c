/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Counters. All are per-CPU, so plain increments are enough; user space
 * sums the CPUs. Every packet ends in exactly one verdict helper below, so
 * the action counters (pass, tx, drop) add up to the packets seen; a drop
 * also counts its reason.
 */
#ifndef XLB_COUNTERS_H
#define XLB_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xlb_maps.h"

static __always_inline void xlb_count_global(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&xlb_global, &index);

	if (value)
		*value += 1;
}

/* A drop's reason, for xlb_xdp_capture (capture.h) to read after the
 * balancer returns: one per-CPU store, on drops only. */
static __always_inline void xlb_note_drop(__u32 reason)
{
	__u32 zero = 0;
	struct xlb_capture_note *n =
		bpf_map_lookup_elem(&xlb_capture_note, &zero);

	if (n)
		n->reason = reason;
}

static __always_inline int xlb_verdict_pass(void)
{
	xlb_count_global(XLB_G_PASS);
	return XDP_PASS;
}

static __always_inline int xlb_verdict_drop(__u32 reason)
{
	xlb_count_global(XLB_G_DROP);
	xlb_count_global(reason);
	xlb_note_drop(reason);
	return XDP_DROP;
}

/* Counts the action a forwarding step chose. */
static __always_inline int xlb_verdict(int action)
{
	if (action == XDP_TX)
		xlb_count_global(XLB_G_TX);
	else if (action == XDP_REDIRECT)
		xlb_count_global(XLB_G_REDIRECT);
	else if (action == XDP_DROP)
		xlb_count_global(XLB_G_DROP);
	else if (action == XDP_PASS)
		xlb_count_global(XLB_G_PASS);
	else
		xlb_count_global(XLB_G_ABORTED);
	return action;
}

/* One packet (and maybe one new flow) for a service or a backend. */
static __always_inline void xlb_count_traffic(void *map, __u32 id, __u32 bytes,
					      int new_flow)
{
	struct xlb_counters *c = bpf_map_lookup_elem(map, &id);

	if (!c)
		return;
	c->packets += 1;
	c->bytes += bytes;
	c->new_flows += new_flow;
}

#endif /* XLB_COUNTERS_H */
