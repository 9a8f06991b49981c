/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The filter stage's maps (issue 17), shared by bpf/filter.bpf.c and the
 * control plane. The filter is its own program with its own pinned maps,
 * a stage of the prog array xlb_stages (xlb_chain.h): rules and the filter
 * program change without reloading the balancer, and with no rule (and no
 * chain) the interface runs the balancer directly.
 *
 * Precedence: the longest source prefix that has any rule decides alone.
 * Its drop rules are tried in order (a drop with no dst and no proto drops
 * every packet from the prefix); when none matches, its limit (if any)
 * polices the packet; shorter prefixes are not consulted.
 */
#ifndef XLB_FILTER_ABI_H
#define XLB_FILTER_ABI_H

#include <linux/types.h>

#define XLB_FILTER_MAX_PREFIXES 16384  /* per family */
#define XLB_FILTER_MAX_RULES	32768  /* rule ids: counters and limits */
#define XLB_FILTER_DROPS	4      /* drop rules of one source prefix */
#define XLB_FILTER_BUCKETS	262144 /* token buckets (LRU) */
#define XLB_FILTER_NO_RULE	0xffffffffu
/*
 * The IPv4 shortcut before the trie: one entry per /16 of the source,
 *   XLB_FILTER_DIR_WALK   (0) walk the trie (a prefix longer than /16 lies
 *                         in the block; and every entry of a map the
 *                         control plane has not written yet);
 *   XLB_FILTER_DIR_PASS   no rule covers any address of the block;
 *   XLB_FILTER_DIR_SHORT + i  the block is decided by prefix entry i of
 *                         xlb_filter_short4 (a /16 or shorter, with nothing
 *                         longer inside the block).
 * A flood from a listed /8, and a source no rule is near, cost two array
 * reads instead of a trie walk (about 50 ns with 10,000 prefixes).
 */
#define XLB_FILTER_DIR4_BLOCKS 65536
/*
 * Below the shortcut, for blocks that walk: one bit per IPv4 /24, set when
 * no prefix of any rule intersects that /24 (so the source passes without
 * the walk). Bits of blocks that do not walk are 0, and 0 means walk: a map
 * not written yet is right.
 */
#define XLB_FILTER_CLEAR4_WORDS (1u << 18) /* 2^24 /24s, 64 a word */
#define XLB_FILTER_SHORT4	4096 /* more short prefixes: their blocks walk */
#define XLB_FILTER_DIR_WALK	0
#define XLB_FILTER_DIR_PASS	1
#define XLB_FILTER_DIR_SHORT	2
#define XLB_FILTER_MAX_RATE \
	10000000000ull /* 1e10 per second: no overflow below */

/* Keys of the LPM tries, by source prefix. */
struct xlb_filter_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct xlb_filter_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* A drop rule narrowed (or not) by destination and protocol. */
struct xlb_filter_drop {
	__u32 id;
	__u8 proto;   /* 0: any; IPPROTO_ICMP matches ICMPv6 too */
	__u8 has_dst; /* dst is compared */
	__u16 port;   /* network order; 0: any */
	__u8 dst[16]; /* IPv4 in the first 4 bytes */
};

/* The rules of one source prefix. */
struct xlb_filter_entry {
	__u32 limit_id; /* XLB_FILTER_NO_RULE: no limit */
	__u8 n_drops;
	__u8 per_len; /* the bucket key: the source masked to this length */
	__u8 l3_only; /* 1: no drop needs ports or a protocol after IPv6
			* extension headers (0, as written before it existed:
			* parse them) */
	__u8 pad;
	struct xlb_filter_drop drops[XLB_FILTER_DROPS];
};

/* A limit rule, by rule id. Rate and burst in packets, or in bits (bps). */
struct xlb_filter_limit {
	__u64 rate;  /* per second, at most XLB_FILTER_MAX_RATE */
	__u64 burst; /* bucket depth, at most XLB_FILTER_MAX_RATE */
	__u32 bits;  /* 1: rate in bits per second */
	__u32 pad;
};

struct xlb_bucket_key {
	__u32 rule;
	__u32 family; /* XLB_AF_INET or XLB_AF_INET6 */
	__u8 addr[16];
};

/* Tokens in billionths (one token = 1e9), so that a nanosecond of refill
 * at any rate is a whole number. */
struct xlb_bucket {
	__u64 tokens;
	__u64 last_ns;
};

/* Per rule id and CPU: what the rule dropped. */
struct xlb_filter_counters {
	__u64 packets;
	__u64 bytes;
};

#ifdef __cplusplus
static_assert(sizeof(struct xlb_filter_drop) == 24, "filter drop layout");
static_assert(sizeof(struct xlb_filter_entry) == 8 + 24 * XLB_FILTER_DROPS,
	      "filter entry layout");
static_assert(sizeof(struct xlb_filter_limit) == 24, "filter limit layout");
static_assert(sizeof(struct xlb_bucket_key) == 24, "bucket key layout");
#else
_Static_assert(sizeof(struct xlb_filter_drop) == 24, "filter drop layout");
_Static_assert(sizeof(struct xlb_filter_entry) == 8 + 24 * XLB_FILTER_DROPS,
	       "filter entry layout");
#endif

#endif /* XLB_FILTER_ABI_H */
