/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Flow hashing shared by the datapath and the control plane: both sides must
 * pick the same Maglev slot for the same packet, so the code exists once.
 * This is Bob Jenkins' lookup3 (the kernel's jhash2), seeded.
 */
#ifndef XLB_HASH_H
#define XLB_HASH_H

#include "xlb_abi.h"

#ifdef __cplusplus
#define XLB_INLINE static inline
#elif defined(__bpf__)
#define XLB_INLINE static __always_inline
#else
#define XLB_INLINE static inline
#endif

#define XLB_JHASH_INITVAL 0xdeadbeefu

XLB_INLINE __u32 xlb_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* The kernel's jhash rounds, three steps a line. */
/* clang-format off */
#define XLB_JHASH_MIX(a, b, c)                                                 \
	do {                                                                   \
		a -= c; a ^= xlb_rol32(c, 4);  c += b;                         \
		b -= a; b ^= xlb_rol32(a, 6);  a += c;                         \
		c -= b; c ^= xlb_rol32(b, 8);  b += a;                         \
		a -= c; a ^= xlb_rol32(c, 16); c += b;                         \
		b -= a; b ^= xlb_rol32(a, 19); a += c;                         \
		c -= b; c ^= xlb_rol32(b, 4);  b += a;                         \
	} while (0)

#define XLB_JHASH_FINAL(a, b, c)                                               \
	do {                                                                   \
		c ^= b; c -= xlb_rol32(b, 14);                                 \
		a ^= c; a -= xlb_rol32(c, 11);                                 \
		b ^= a; b -= xlb_rol32(a, 25);                                 \
		c ^= b; c -= xlb_rol32(b, 16);                                 \
		a ^= c; a -= xlb_rol32(c, 4);                                  \
		b ^= a; b -= xlb_rol32(a, 14);                                 \
		c ^= b; c -= xlb_rol32(b, 24);                                 \
	} while (0)
/* clang-format on */

/* Hash of exactly 4 words (an address). */
XLB_INLINE __u32 xlb_jhash_4words(const __u32 *k, __u32 seed)
{
	__u32 a, b, c;

	a = b = c = XLB_JHASH_INITVAL + (4u << 2) + seed;
	a += k[0];
	b += k[1];
	c += k[2];
	XLB_JHASH_MIX(a, b, c);
	a += k[3];
	XLB_JHASH_FINAL(a, b, c);
	return c;
}

/* Hash of exactly 10 words (a struct xlb_flow_key). */
XLB_INLINE __u32 xlb_jhash_10words(const __u32 *k, __u32 seed)
{
	__u32 a, b, c;

	a = b = c = XLB_JHASH_INITVAL + (10u << 2) + seed;
	a += k[0];
	b += k[1];
	c += k[2];
	XLB_JHASH_MIX(a, b, c);
	a += k[3];
	b += k[4];
	c += k[5];
	XLB_JHASH_MIX(a, b, c);
	a += k[6];
	b += k[7];
	c += k[8];
	XLB_JHASH_MIX(a, b, c);
	a += k[9];
	XLB_JHASH_FINAL(a, b, c);
	return c;
}

/* The hash that picks a Maglev slot for a new flow. */
XLB_INLINE __u32 xlb_flow_hash(const struct xlb_flow_key *key, __u32 seed,
			       int source_only)
{
	if (source_only)
		return xlb_jhash_4words(key->src.w, seed);
	return xlb_jhash_10words((const __u32 *)key, seed);
}

/* Map a 32-bit hash onto [0, size) without a division. */
XLB_INLINE __u32 xlb_ring_slot(__u32 hash, __u32 size)
{
	return (__u32)(((__u64)hash * size) >> 32);
}

#endif /* XLB_HASH_H */
