/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb's filter stage (issue 17): the stage before the balancer while there
 * are rules, reached by a tail call from the entry program (or from a
 * chained program), and tail-calling the balancer of its interface's slot
 * when the packet passes (xlb_chain.h). One instance per interface: the
 * slot is a constant of its read-only data. Every packet on the interface
 * passes here, VIP or not, so a drop list protects the host too. Rules,
 * precedence and the maps: filter_abi.h. No subprograms (tail calls).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "filter_abi.h"
#include "parse.h"
#include "xlb_chain.h"

const volatile __u32 xlb_slot = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XLB_FILTER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xlb_filter_key4);
	__type(value, struct xlb_filter_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XLB_FILTER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xlb_filter_key6);
	__type(value, struct xlb_filter_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_FILTER_DIR4_BLOCKS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter_dir4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_FILTER_CLEAR4_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter_clear4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_FILTER_SHORT4);
	__type(key, __u32);
	__type(value, struct xlb_filter_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter_short4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_FILTER_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xlb_filter_limit);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter_limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_FILTER_BUCKETS);
	__type(key, struct xlb_bucket_key);
	__type(value, struct xlb_bucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_FILTER_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xlb_filter_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter_stats SEC(".maps");

#define XLB_NSEC_PER_SEC_FILTER 1000000000ull

static __always_inline int xlb_filter_drop(__u32 id, __u32 len)
{
	struct xlb_filter_counters *c =
		bpf_map_lookup_elem(&xlb_filter_stats, &id);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
	return XDP_DROP;
}

static __always_inline int xlb_same_addr(const __u8 *a,
					 const struct xlb_addr *b)
{
	const __u32 *w = (const __u32 *)a;

	return w[0] == b->w[0] && w[1] == b->w[1] && w[2] == b->w[2] &&
	       w[3] == b->w[3];
}

static __always_inline int xlb_drop_matches(const struct xlb_filter_drop *d,
					    const struct xlb_packet *pkt)
{
	if (d->proto && d->proto != pkt->key.proto &&
	    !(d->proto == IPPROTO_ICMP && pkt->key.proto == IPPROTO_ICMPV6))
		return 0;
	if (d->has_dst && !xlb_same_addr(d->dst, &pkt->key.dst))
		return 0;
	return !d->port || d->port == pkt->key.dport;
}

/* The source masked to len bits, the bucket's key. */
static __always_inline void xlb_mask_source(struct xlb_bucket_key *k,
					    const struct xlb_packet *pkt,
					    __u32 len)
{
	int i;

#pragma unroll
	for (i = 0; i < 16; i++) {
		__u8 b = pkt->key.src.b[i];

		if (len < (__u32)(i + 1) * 8)
			b = len <= (__u32)i * 8 ?
				    0 :
				    b & (0xff << (8 - (len - i * 8)));
		k->addr[i] = b;
	}
}

/* Refills by the time elapsed (a second or more fills it), then takes the
 * packet's cost. Racing CPUs may both take the same tokens: a limit is
 * approximate under contention, exact for one CPU. */
static __always_inline int xlb_bucket_take(struct xlb_bucket *b,
					   const struct xlb_filter_limit *l,
					   __u64 now, __u64 cost)
{
	__u64 full = l->burst * XLB_NSEC_PER_SEC_FILTER;
	__u64 elapsed = now - b->last_ns;
	__u64 tokens = b->tokens, add;

	if (tokens > full)
		tokens = full;
	/* Both below 1e19 (XLB_FILTER_MAX_RATE): no overflow. */
	add = elapsed >= XLB_NSEC_PER_SEC_FILTER ? full : elapsed * l->rate;
	if (add >= full - tokens)
		tokens = full;
	else
		tokens += add;
	b->last_ns = now;
	if (tokens < cost) {
		b->tokens = tokens;
		return 0;
	}
	b->tokens = tokens - cost;
	return 1;
}

static __always_inline int xlb_police(const struct xlb_filter_entry *e,
				      const struct xlb_packet *pkt)
{
	struct xlb_bucket_key k = {.rule = e->limit_id,
				   .family = pkt->key.family};
	const struct xlb_filter_limit *l;
	struct xlb_bucket *b, fresh;
	__u64 now = bpf_ktime_get_ns(), cost = XLB_NSEC_PER_SEC_FILTER;

	l = bpf_map_lookup_elem(&xlb_filter_limits, &k.rule);
	if (!l || !l->rate)
		return XDP_PASS;
	if (l->bits)
		cost *= (__u64)pkt->frame_len * 8;
	xlb_mask_source(&k, pkt, e->per_len);
	b = bpf_map_lookup_elem(&xlb_filter_buckets, &k);
	if (!b) {
		/* A new source starts with a full bucket. */
		fresh.tokens = l->burst * XLB_NSEC_PER_SEC_FILTER;
		fresh.last_ns = now;
		if (fresh.tokens < cost)
			return xlb_filter_drop(k.rule, pkt->frame_len);
		fresh.tokens -= cost;
		bpf_map_update_elem(&xlb_filter_buckets, &k, &fresh, BPF_ANY);
		return XDP_PASS;
	}
	if (xlb_bucket_take(b, l, now, cost))
		return XDP_PASS;
	return xlb_filter_drop(k.rule, pkt->frame_len);
}

/* Whether no rule's prefix intersects the source's /24 (filter_abi.h). */
static __always_inline int xlb_source_clear4(__u32 saddr)
{
	__u32 n24 = bpf_ntohl(saddr) >> 8, word = n24 >> 6;
	__u64 *bits = bpf_map_lookup_elem(&xlb_filter_clear4, &word);

	return bits && (*bits >> (n24 & 63)) & 1;
}

/* The source's entry: by its /16's shortcut, else the trie (filter_abi.h). */
static __always_inline struct xlb_filter_entry *xlb_filter_lookup4(__u32 saddr)
{
	struct xlb_filter_key4 k4 = {.prefixlen = 32};
	__u32 block = bpf_ntohl(saddr) >> 16, *dir;

	dir = bpf_map_lookup_elem(&xlb_filter_dir4, &block);
	if (dir && (*dir == XLB_FILTER_DIR_PASS ||
		    (*dir == XLB_FILTER_DIR_WALK && xlb_source_clear4(saddr))))
		return 0;
	if (dir && *dir >= XLB_FILTER_DIR_SHORT) {
		__u32 i = *dir - XLB_FILTER_DIR_SHORT;

		return bpf_map_lookup_elem(&xlb_filter_short4, &i);
	}
	__builtin_memcpy(k4.addr, &saddr, 4);
	return bpf_map_lookup_elem(&xlb_filter4, &k4);
}

static __always_inline struct xlb_filter_entry *
xlb_filter_lookup(struct xdp_md *ctx, struct xlb_packet *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;

	if (pkt->key.family == XLB_AF_INET) {
		struct iphdr *ip = pkt->l3;

		if ((void *)(ip + 1) > data_end)
			return 0;
		pkt->key.src.w[0] = ip->saddr;
		pkt->key.proto = ip->protocol;
		return xlb_filter_lookup4(ip->saddr);
	} else {
		struct ipv6hdr *ip6 = pkt->l3;
		struct xlb_filter_key6 k6 = {.prefixlen = 128};

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		__builtin_memcpy(&pkt->key.src, &ip6->saddr, 16);
		pkt->key.proto = ip6->nexthdr;
		__builtin_memcpy(k6.addr, &ip6->saddr, 16);
		return bpf_map_lookup_elem(&xlb_filter6, &k6);
	}
}

static __always_inline int xlb_filter_verdict(struct xdp_md *ctx)
{
	struct xlb_filter_entry *e;
	struct xlb_packet pkt;
	int i;

	__builtin_memset(&pkt, 0, sizeof(pkt));
	if (xlb_parse_l3(ctx, &pkt) != XLB_PARSE_OK)
		return XDP_PASS;
	e = xlb_filter_lookup(ctx, &pkt);
	if (!e)
		return XDP_PASS;
	/* Ports and the protocol after IPv6 extension headers; a packet too
	 * short for them keeps port 0 (only port-less rules match it). */
	if (e->n_drops && !e->l3_only)
		xlb_parse_l4(ctx, &pkt);
	for (i = 0; i < XLB_FILTER_DROPS; i++) {
		if (i >= e->n_drops)
			break;
		if (xlb_drop_matches(&e->drops[i], &pkt))
			return xlb_filter_drop(e->drops[i].id, pkt.frame_len);
	}
	if (e->limit_id == XLB_FILTER_NO_RULE)
		return XDP_PASS;
	return xlb_police(e, &pkt);
}

/* Untagged IPv4, a flood's shape, decided by the /16 shortcut alone when
 * the block passes or its prefix's first drop takes every packet: no
 * general parse. -1: take the general path. */
static __always_inline int xlb_filter_fast4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	const struct xlb_filter_drop *d;
	struct xlb_filter_entry *e;
	__u32 block, *dir, i;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	block = bpf_ntohl(ip->saddr) >> 16;
	dir = bpf_map_lookup_elem(&xlb_filter_dir4, &block);
	if (!dir)
		return -1;
	if (*dir == XLB_FILTER_DIR_PASS ||
	    (*dir == XLB_FILTER_DIR_WALK && xlb_source_clear4(ip->saddr)))
		return XDP_PASS;
	if (*dir == XLB_FILTER_DIR_WALK)
		return -1;
	i = *dir - XLB_FILTER_DIR_SHORT;
	e = bpf_map_lookup_elem(&xlb_filter_short4, &i);
	if (!e || !e->n_drops)
		return -1;
	d = &e->drops[0];
	if (d->proto || d->has_dst || d->port)
		return -1;
	return xlb_filter_drop(d->id, data_end - data);
}

SEC("xdp")
int xlb_filter(struct xdp_md *ctx)
{
	int verdict = xlb_filter_fast4(ctx);

	if (verdict < 0)
		verdict = xlb_filter_verdict(ctx);

	if (verdict != XDP_PASS)
		return verdict;
	bpf_tail_call(ctx, &xlb_stages,
		      xlb_slot * XLB_STAGES_PER_SLOT + XLB_STAGE_BALANCER);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
