/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb's stages (issue 17), and what an operator's own XDP program chained in
 * front of xlb (`xlb interface attach DEV chain ...`) includes to go on into
 * xlb. Installed as <xlb/xlb_chain.h>.
 *
 * With filter rules or a chained program, an interface runs xlb's small
 * entry program instead of the balancer. The entry runs the stages by tail
 * calls through one prog array pinned as PIN_PATH/xlb_stages, indexed by
 * (the interface's slot * XLB_STAGES_PER_SLOT + stage):
 *   chain (the operator's program) -> filter (xlb's rules) -> balancer.
 * A stage whose entry is empty is skipped. The operator's XDP_DROP, XDP_TX,
 * XDP_REDIRECT and XDP_ABORTED are final, and so is its XDP_PASS: it hands
 * the packet to the kernel's stack, not to xlb (a tail call does not
 * return). To go on into xlb it returns xlb_chain_continue(ctx):
 *
 *	#include <xlb/xlb_chain.h>
 *	SEC("xdp") int mine(struct xdp_md *ctx)
 *	{
 *		if (drop_it(ctx))
 *			return XDP_DROP;
 *		return xlb_chain_continue(ctx);
 *	}
 *
 * The two maps below are xlb's, pinned under its pin path as xlb_stages and
 * xlb_stage_next. Loaded by xlb (`chain FILE.o`), the program is given
 * them; loaded by the operator, it must reuse those pins (bpftool prog load
 * ... map name xlb_stages pinned PIN_PATH/xlb_stages map name xlb_stage_next
 * pinned PIN_PATH/xlb_stage_next; or libbpf's bpf_map__reuse_fd), or its
 * tail calls find nothing and xlb_chain_continue() returns XDP_PASS.
 */
#ifndef XLB_CHAIN_H
#define XLB_CHAIN_H

#define XLB_STAGE_CHAIN	    0
#define XLB_STAGE_FILTER    1
#define XLB_STAGE_BALANCER  2
#define XLB_STAGES_PER_SLOT 4  /* one spare */
#define XLB_STAGE_SLOTS	    64 /* attached interfaces */

#ifndef __cplusplus
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XLB_STAGE_SLOTS *XLB_STAGES_PER_SLOT);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xlb_stages SEC(".maps");

/* Per CPU: the index of the stage after the chain, written by the entry
 * program just before it tail-calls the chain (a packet runs to the end
 * on one CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xlb_stage_next SEC(".maps");

/* On into xlb: its filter, else its balancer. Returns (XDP_PASS: the
 * kernel's stack) only when xlb has neither for this interface. */
static __attribute__((always_inline)) inline int
xlb_chain_continue(struct xdp_md *ctx)
{
	__u32 zero = 0, *next = bpf_map_lookup_elem(&xlb_stage_next, &zero);

	if (next) {
		__u32 at = *next;

		bpf_tail_call(ctx, &xlb_stages, at);
		bpf_tail_call(ctx, &xlb_stages, at + 1);
	}
	return XDP_PASS;
}
#endif /* !__cplusplus */

#endif /* XLB_CHAIN_H */
