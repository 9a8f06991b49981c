/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb's entry program (issue 17): what an interface runs instead of the
 * balancer while it has filter rules or a chained program. It only
 * tail-calls the interface's stages (xlb_chain.h); one instance per
 * interface, whose slot is a constant of its read-only data so that every
 * tail call has a constant index (the JIT patches it into a direct jump).
 * No subprograms: a tail-calling program with bpf2bpf calls is limited to
 * 256-byte frames.
 */
#include "xlb_chain.h"

const volatile __u32 xlb_slot = 0;
const volatile __u32 xlb_has_chain = 0;

SEC("xdp")
int xlb_entry(struct xdp_md *ctx)
{
	__u32 base = xlb_slot * XLB_STAGES_PER_SLOT;

	if (xlb_has_chain) {
		__u32 zero = 0,
		      *next = bpf_map_lookup_elem(&xlb_stage_next, &zero);

		if (next)
			*next = base + XLB_STAGE_FILTER;
		bpf_tail_call(ctx, &xlb_stages, base + XLB_STAGE_CHAIN);
	}
	bpf_tail_call(ctx, &xlb_stages, base + XLB_STAGE_FILTER);
	bpf_tail_call(ctx, &xlb_stages, base + XLB_STAGE_BALANCER);
	return XDP_PASS; /* no balancer in the slot: the kernel's stack */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
