/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb-decap: the tunnel headers xlb emits, read from the outer payload.
 * Each reader gets the first byte after the outer IP (or UDP) header and
 * the number of payload bytes the outer header announces (already checked
 * to be in the frame), and returns a counter index (decap_abi.h): one of
 * the XLB_DC_IPIP..XLB_DC_FOU values when *t describes an inner packet to
 * strip down to, a pass or drop reason otherwise.
 *
 * Wire formats (see xlb(8), FORWARDING METHODS):
 *   ipip  outer protocol 4 (inner IPv4) or 41 (inner IPv6)
 *   gre   outer protocol 47; flags+version (0), protocol type 0x0800 or
 *         0x86dd; optional checksum, key and sequence words are skipped
 *   gue   UDP to the GUE port. Variant 0: ver(2) C(1) hlen(5), proto,
 *         flags(16), then hlen 32-bit words of options; variant 1: the
 *         inner IP header directly (first nibble 4 or 6)
 *   fou   UDP to the FOU port, the inner IP header directly
 */
#ifndef XLB_DECAP_TUNNEL_H
#define XLB_DECAP_TUNNEL_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "decap_abi.h"

#define XLB_GRE_CSUM	0x8000
#define XLB_GRE_ROUTING 0x4000
#define XLB_GRE_KEY	0x2000
#define XLB_GRE_SEQ	0x1000
/* Strict source route, recursion control, reserved flags, version. */
#define XLB_GRE_UNSUPPORTED 0x0fff

#define XLB_GUE_CONTROL 0x20
#define XLB_GUE_HLEN	0x1f

/* The inner packet a tunnel carries. */
struct xlb_tunnel {
	void *inner;	 /* its IP header */
	__u32 inner_len; /* bytes from there to the end of the tunnel */
	__u8 family;	 /* 4 or 6 as the tunnel announces it, 0: by nibble */
};

static __always_inline int xlb_tunnel_ipip(void *pos, __u32 len, __u8 proto,
					   struct xlb_tunnel *t)
{
	t->inner = pos;
	t->inner_len = len;
	t->family = proto == IPPROTO_IPIP ? 4 : 6;
	return XLB_DC_IPIP;
}

struct xlb_gre_hdr {
	__be16 flags;
	__be16 proto;
};

static __always_inline int xlb_tunnel_gre(void *pos, __u32 len, void *data_end,
					  struct xlb_tunnel *t)
{
	struct xlb_gre_hdr *gre = pos;
	__u32 hlen = sizeof(*gre);
	__u16 flags;

	if ((void *)(gre + 1) > data_end || len < sizeof(*gre))
		return XLB_DC_DROP_TRUNCATED;
	flags = bpf_ntohs(gre->flags);
	if (flags & (XLB_GRE_ROUTING | XLB_GRE_UNSUPPORTED))
		return XLB_DC_UNSUPPORTED;
	if (gre->proto == bpf_htons(0x0800))
		t->family = 4;
	else if (gre->proto == bpf_htons(0x86dd))
		t->family = 6;
	else
		return XLB_DC_UNSUPPORTED;
	/* The checksum word (checksum + reserved), key and sequence number
	 * each take 4 bytes, in that order. */
	hlen += (flags & XLB_GRE_CSUM) ? 4 : 0;
	hlen += (flags & XLB_GRE_KEY) ? 4 : 0;
	hlen += (flags & XLB_GRE_SEQ) ? 4 : 0;
	if (hlen > len)
		return XLB_DC_DROP_TRUNCATED;
	t->inner = pos + hlen;
	t->inner_len = len - hlen;
	return XLB_DC_GRE;
}

/* GUE variant 1 and FOU: the IP version nibble says the family. */
static __always_inline int xlb_tunnel_direct(void *pos, __u32 len,
					     void *data_end,
					     struct xlb_tunnel *t, int counter)
{
	__u8 *first = pos;

	if ((void *)(first + 1) > data_end || len < 1)
		return XLB_DC_DROP_TRUNCATED;
	if (*first >> 4 != 4 && *first >> 4 != 6)
		return XLB_DC_DROP_INNER_VERSION;
	t->inner = pos;
	t->inner_len = len;
	t->family = *first >> 4;
	return counter;
}

static __always_inline int xlb_tunnel_gue(void *pos, __u32 len, void *data_end,
					  struct xlb_tunnel *t)
{
	__u8 *hdr = pos;
	__u32 hlen;

	if ((void *)(hdr + 4) > data_end || len < 4)
		return XLB_DC_DROP_TRUNCATED;
	if (hdr[0] >> 6 == 1)
		return xlb_tunnel_direct(pos, len, data_end, t, XLB_DC_GUE);
	if (hdr[0] >> 6 != 0)
		return XLB_DC_UNSUPPORTED;
	if (hdr[0] & XLB_GUE_CONTROL)
		return XLB_DC_GUE_CONTROL;
	if (hdr[1] == IPPROTO_IPIP)
		t->family = 4;
	else if (hdr[1] == IPPROTO_IPV6)
		t->family = 6;
	else
		return XLB_DC_UNSUPPORTED;
	hlen = 4 + (hdr[0] & XLB_GUE_HLEN) * 4;
	if (hlen > len)
		return XLB_DC_DROP_TRUNCATED;
	t->inner = pos + hlen;
	t->inner_len = len - hlen;
	return XLB_DC_GUE;
}

#endif /* XLB_DECAP_TUNNEL_H */
