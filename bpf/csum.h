/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Internet checksums for headers the datapath writes: IPv4 headers (fixed
 * size, summed inline) and checksums over a whole variable-length payload
 * (outer UDP of gue/fou, the ICMP errors built in place).
 *
 * A payload is summed 512 bytes at a time: copied into a per-CPU scratch
 * buffer with bpf_xdp_load_bytes() and summed there by bpf_csum_diff(). The
 * copy is what keeps the verifier simple: sizes are bounded scalars rather
 * than packet pointers with variable offsets. The word holding the last
 * byte is zeroed first, so an odd tail is summed as if padded with zeros,
 * as RFC 1071 wants.
 *
 * Sums are "memory order": 16-bit words as loaded from the packet, so the
 * folded result is stored as is. Values built in registers (lengths,
 * protocol numbers) are converted to network order before being added.
 */
#ifndef XLB_CSUM_H
#define XLB_CSUM_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define XLB_CSUM_CHUNK	    512 /* bpf_csum_diff's limit */
#define XLB_CSUM_MAX_CHUNKS 8	/* 4 KiB: more than an XDP frame holds */

struct xlb_scratch {
	__u8 b[XLB_CSUM_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_scratch);
} xlb_scratch SEC(".maps");

static __always_inline __u16 xlb_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The header checksum of a 20-byte IPv4 header whose check field is 0. */
static __always_inline __u16 xlb_ipv4_csum(const void *hdr)
{
	const __u32 *w = hdr;
	__u64 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < 5; i++)
		sum += w[i];
	return xlb_csum_fold(sum);
}

/*
 * Adds the frame's bytes [off, off + len) to `sum`. Returns -1 when the
 * bytes are not all in the frame (nothing should then be sent).
 */
static __always_inline int xlb_csum_frame(struct xdp_md *ctx, __u32 off,
					  __u32 len, __u64 *sum)
{
	__u32 zero = 0, i;
	__u64 n, size, left = len;
	struct xlb_scratch *buf = bpf_map_lookup_elem(&xlb_scratch, &zero);
	__s64 part;

	if (!buf)
		return -1;
	for (i = 0; i < XLB_CSUM_MAX_CHUNKS && left; i++) {
		n = left < XLB_CSUM_CHUNK ? left : XLB_CSUM_CHUNK;
		/* bounds the verifier sees on the register passed on */
		asm volatile("" : "+r"(n));
		n &= 0x3ff;
		if (n == 0 || n > XLB_CSUM_CHUNK)
			return -1;
		*(__u32 *)&buf->b[(n - 1) & 0x1fc] = 0;
		if (bpf_xdp_load_bytes(ctx, off, buf->b, n))
			return -1;
		size = (n + 3) & 0x3fc;
		if (size > XLB_CSUM_CHUNK)
			return -1;
		part = bpf_csum_diff(NULL, 0, (__be32 *)buf->b, size, 0);
		if (part < 0)
			return -1;
		*sum += (__u32)part;
		off += n;
		left -= n;
	}
	return left ? -1 : 0;
}

/* Pseudo-header sums, network order. */
static __always_inline __u64 xlb_pseudo4(__be32 src, __be32 dst, __u8 proto,
					 __u32 len)
{
	return (__u64)src + dst + bpf_htons(proto) + bpf_htons((__u16)len);
}

static __always_inline __u64 xlb_pseudo6(const __u32 *src, const __u32 *dst,
					 __u8 proto, __u32 len)
{
	__u64 sum = (__u64)bpf_htonl(len) + bpf_htonl(proto);
	int i;

#pragma unroll
	for (i = 0; i < 4; i++)
		sum += (__u64)src[i] + dst[i];
	return sum;
}

/* Incremental updates (RFC 1624) for address rewrites (health-check NAT).
 * XDP has no bpf_l3/l4_csum_replace, so the difference is computed with
 * bpf_csum_diff; the same difference serves the IPv4 header checksum and the
 * TCP/UDP checksum, whose pseudo-header holds both addresses. */

/* old + (new - old), one's complement, for a 16-bit checksum field. */
static __always_inline __u16 xlb_csum_apply(__u16 check, __s64 diff_sum)
{
	return xlb_csum_fold((__u64)(__u16)~check + (__u32)diff_sum);
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

#endif /* XLB_CSUM_H */
