/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The stages before the balancer (issue 17): the operator's own program
 * (`interface attach DEV chain FILE.o`), then the filter (bpf/filter.bpf.c).
 * Each is a global function that another program replaces with freplace
 * (BPF_PROG_TYPE_EXT), as libxdp's dispatcher does: the stub says XDP_PASS,
 * and a replacement's XDP_DROP, XDP_TX, XDP_REDIRECT or XDP_ABORTED is the
 * packet's verdict. Replacing changes neither the balancer nor its maps.
 *
 * The volatile keeps the compiler from folding the stub's answer into the
 * caller: it must stay a real call for a replacement to take effect.
 */
#ifndef XLB_STAGES_H
#define XLB_STAGES_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int xlb_chain_stage(struct xdp_md *ctx)
{
	volatile int verdict = XDP_PASS;

	if (!ctx)
		return XDP_ABORTED;
	return verdict;
}

__attribute__((noinline)) int xlb_filter_stage(struct xdp_md *ctx)
{
	volatile int verdict = XDP_PASS;

	if (!ctx)
		return XDP_ABORTED;
	return verdict;
}

/* XDP_PASS: on into the balancer. */
static __always_inline int xlb_run_stages(struct xdp_md *ctx)
{
	int verdict = xlb_chain_stage(ctx);

	if (verdict != XDP_PASS)
		return verdict;
	return xlb_filter_stage(ctx);
}

#endif /* XLB_STAGES_H */
