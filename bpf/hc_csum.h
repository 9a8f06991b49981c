/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Incremental checksum updates (RFC 1624) for address rewrites. XDP has no
 * bpf_l3/l4_csum_replace, so the difference is computed with bpf_csum_diff
 * and folded by hand. The same difference serves the IPv4 header checksum
 * and the TCP/UDP checksum, whose pseudo-header holds both addresses.
 */
#ifndef XLB_HC_CSUM_H
#define XLB_HC_CSUM_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

/* old + (new - old), one's complement, for a 16-bit checksum field. */
static __always_inline __u16 xlb_csum_apply(__u16 check, __s64 diff_sum)
{
	__u32 c = (__u16)~check;

	c += (__u32)diff_sum;
	if (c < (__u32)diff_sum)
		c++; /* end-around carry */
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	return (__u16)~c;
}

/* The one's complement difference between two (source, destination)
 * address pairs, IPv4 or IPv6. */
static __always_inline __s64 xlb_csum_diff_v4(__u32 *from, __u32 *to)
{
	return bpf_csum_diff(from, 8, to, 8, 0);
}

static __always_inline __s64 xlb_csum_diff_v6(__u32 *from, __u32 *to)
{
	return bpf_csum_diff(from, 32, to, 32, 0);
}

/* Applies an address difference to a TCP or UDP checksum at `check`. A UDP
 * checksum of 0 over IPv4 means "none" and stays so; a computed 0 is sent
 * as 0xffff (RFC 768). */
static __always_inline void xlb_l4_csum_update(__u16 *check, __u8 proto,
					       __s64 diff)
{
	__u16 c;

	if (proto == IPPROTO_UDP && *check == 0)
		return;
	c = xlb_csum_apply(*check, diff);
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff;
	*check = c;
}

#endif /* XLB_HC_CSUM_H */
