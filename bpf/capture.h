/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb capture (see xlb_abi.h): the copy steps of xlb_xdp_capture. The frame
 * is copied as it arrived, before the balancer rewrites or encapsulates it,
 * into this CPU's note; after the balancer the verdict and a drop's reason
 * are filled in and the event is copied to the ring.
 */
#ifndef XLB_CAPTURE_H
#define XLB_CAPTURE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xlb_maps.h"

/* Bytes of the frame to copy: 1..XLB_CAPTURE_SNAP_MAX, or 0. The mask is
 * hidden from the compiler so that the verifier sees the bound. */
_Static_assert(XLB_CAPTURE_SNAP_MAX == 256, "the mask below");

static __always_inline __u32 xlb_capture_len(__u32 len)
{
	if (len == 0)
		return 0;
	if (len > XLB_CAPTURE_SNAP_MAX)
		len = XLB_CAPTURE_SNAP_MAX;
	len -= 1;
	asm volatile("%0 &= 0xff" : "+r"(len));
	return len + 1;
}

static __always_inline void xlb_capture_begin(struct xdp_md *ctx)
{
	__u32 zero = 0, len = ctx->data_end - ctx->data, cap;
	struct xlb_capture_note *n =
		bpf_map_lookup_elem(&xlb_capture_note, &zero);

	if (!n)
		return;
	n->reason = 0;
	n->ev.ts_ns = bpf_ktime_get_ns();
	n->ev.ifindex = ctx->ingress_ifindex;
	n->ev.wire_len = len;
	n->ev.cap_len = 0;
	cap = xlb_capture_len(len);
	if (cap && bpf_xdp_load_bytes(ctx, 0, n->ev.data, cap) == 0)
		n->ev.cap_len = cap;
}

static __always_inline void xlb_capture_end(int verdict)
{
	__u32 zero = 0;
	struct xlb_capture_note *n =
		bpf_map_lookup_elem(&xlb_capture_note, &zero);

	if (!n)
		return;
	n->ev.verdict = verdict;
	n->ev.reason = verdict == XDP_DROP ? n->reason : 0;
	n->ev.reserved = 0;
	if (bpf_ringbuf_output(&xlb_capture_ring, &n->ev, sizeof(n->ev), 0))
		n->lost += 1;
}

#endif /* XLB_CAPTURE_H */
