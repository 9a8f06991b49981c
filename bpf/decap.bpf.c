/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb-decap: the XDP program of the backends. It strips the encapsulations
 * xlb's tunnel methods emit (IPIP/IP6IP6/4in6/6in4, GRE, GUE, FOU) from
 * packets addressed to this host and passes the inner packet (the client's,
 * to a VIP the backend holds on lo) to the stack, so backends need no
 * kernel tunnel modules. A packet's path, top to bottom:
 *
 *   Ethernet (up to two VLAN tags) -> outer IPv4/IPv6 destination
 *   -> one of this host's addresses? (no: pass untouched)
 *   -> a tunnel protocol? (no: pass untouched) -> outer lengths, fragment
 *   -> tunnel header (decap_tunnel.h) -> inner IP header and length
 *   -> strip the outer headers, fix the ethertype, pass.
 *
 * Every packet is counted once (decap_abi.h): decapsulated by method,
 * passed, or dropped by reason. Drops are only for packets that claim to be
 * one of our tunnels to us and are not well formed (cut short, lengths that
 * disagree, an inner version other than the announced one): the kernel
 * could not use them either.
 *
 * Outer fragments are passed to the kernel untouched (counted as
 * "fragment"): XDP sees one fragment at a time and cannot reassemble. The
 * kernel reassembles them; a host with kernel tunnel devices then still
 * decapsulates them, and a host without drops them itself (visible in
 * nstat). Dropping them here would take that chance away and save
 * nothing.
 *
 * Checksums: the outer IPv4 header checksum, the GRE checksum and the outer
 * UDP checksum are not verified (the kernel's tunnel drivers do not verify
 * GRE's either); the inner packet's own checksums are verified by the stack
 * as for any packet.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "decap_abi.h"
#include "parse.h"
#include "decap_tunnel.h"

/* The UDP ports of GUE and FOU, set by the loader per program instance. */
const volatile struct xlb_decap_config xlb_decap_cfg = {
	.magic = XLB_DECAP_CONFIG_MAGIC,
	.gue_port = XLB_DECAP_GUE_PORT,
	.fou_port = XLB_DECAP_FOU_PORT,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_DECAP_MAX_ADDRS);
	__type(key, struct xlb_decap_addr_key);
	__type(value, struct xlb_decap_addr_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_decap_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DC_COUNT);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_decap_stats SEC(".maps");

/* Not a counter: the outer headers were fine, go on to the tunnel. */
#define XLB_DC_CONTINUE 0xff

/* The outer IP header, once checked. */
struct xlb_outer {
	void *l3;      /* the outer IP header */
	void *l4;      /* the first byte after it (and its extensions) */
	__u32 l3_off;  /* offset of l3 in the frame: the L2 header's length */
	__u32 l4_len;  /* payload bytes the outer header announces */
	__u8 proto;    /* the protocol it carries */
	__u8 fragment; /* IPv4 MF/offset, or an IPv6 fragment header */
	__u8 first_fragment; /* offset 0: the tunnel header is here */
};

static __always_inline int xlb_decap_verdict(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&xlb_decap_stats, &counter);

	if (value)
		*value += 1;
	return counter >= XLB_DC_DROP_TRUNCATED ? XDP_DROP : XDP_PASS;
}

static __always_inline int xlb_is_tunnel_proto(__u8 proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 ||
	       proto == IPPROTO_GRE || proto == IPPROTO_UDP;
}

/* Is the outer destination one of this host's addresses? */
static __always_inline int xlb_is_local(__u32 family, const void *addr)
{
	struct xlb_decap_addr_key key = {.family = family};

	__builtin_memcpy(key.addr, addr, family == XLB_AF_INET ? 4 : 16);
	return bpf_map_lookup_elem(&xlb_decap_addrs, &key) != NULL;
}

static __always_inline int xlb_outer_ipv4(struct xlb_outer *o, __u32 frame_len,
					  void *data_end)
{
	struct iphdr *ip = o->l3;
	__u32 hlen, tot_len;

	if ((void *)(ip + 1) > data_end)
		return XLB_DC_PASS;
	/* The protocol first: it costs nothing, the lookup a hash. */
	if (!xlb_is_tunnel_proto(ip->protocol) ||
	    !xlb_is_local(XLB_AF_INET, &ip->daddr))
		return XLB_DC_PASS;
	if (ip->version != 4 || ip->ihl < 5)
		return XLB_DC_DROP_BAD_OUTER;
	hlen = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < hlen)
		return XLB_DC_DROP_BAD_OUTER;
	if (tot_len > frame_len - o->l3_off)
		return XLB_DC_DROP_TRUNCATED;
	o->proto = ip->protocol;
	o->fragment = !!(ip->frag_off & bpf_htons(XLB_IP_MF | XLB_IP_OFFSET));
	o->first_fragment = !(ip->frag_off & bpf_htons(XLB_IP_OFFSET));
	o->l4 = (void *)ip + hlen;
	o->l4_len = tot_len - hlen;
	return XLB_DC_CONTINUE;
}

static __always_inline int xlb_outer_ipv6(struct xlb_outer *o, __u32 frame_len,
					  void *data_end)
{
	struct ipv6hdr *ip6 = o->l3;
	struct xlb_ipv6_frag *frag;
	void *pos = ip6 + 1;
	__u32 payload_len, ext_len;
	int proto;

	if ((void *)(ip6 + 1) > data_end)
		return XLB_DC_PASS;
	proto = xlb_skip_ipv6_ext(&pos, data_end, ip6->nexthdr, &o->fragment);
	if (proto < 0 || !xlb_is_tunnel_proto(proto) ||
	    !xlb_is_local(XLB_AF_INET6, &ip6->daddr))
		return XLB_DC_PASS;
	payload_len = bpf_ntohs(ip6->payload_len);
	if (payload_len > frame_len - o->l3_off - sizeof(*ip6))
		return XLB_DC_DROP_TRUNCATED;
	ext_len = pos - (void *)(ip6 + 1);
	if (ext_len > payload_len)
		return XLB_DC_DROP_BAD_OUTER;
	o->first_fragment = 1;
	if (o->fragment) {
		frag = pos - sizeof(*frag);
		if ((void *)(frag + 1) > data_end)
			return XLB_DC_DROP_TRUNCATED;
		o->first_fragment = !(frag->frag_off & bpf_htons(0xfff8));
	}
	o->proto = proto;
	o->l4 = pos;
	o->l4_len = payload_len - ext_len;
	return XLB_DC_CONTINUE;
}

/* The tunnel in a UDP datagram: GUE or FOU by destination port. A UDP
 * datagram to another port is not ours. */
static __always_inline int xlb_tunnel_udp(struct xlb_outer *o, void *data_end,
					  struct xlb_tunnel *t)
{
	struct udphdr *udp = o->l4;
	__u16 dport, len;

	if ((void *)(udp + 1) > data_end)
		return o->fragment ? XLB_DC_PASS : XLB_DC_DROP_TRUNCATED;
	dport = bpf_ntohs(udp->dest);
	if (dport != xlb_decap_cfg.gue_port && dport != xlb_decap_cfg.fou_port)
		return XLB_DC_PASS;
	if (o->fragment)
		return XLB_DC_FRAGMENT;
	len = bpf_ntohs(udp->len);
	if (len < sizeof(*udp) || len > o->l4_len)
		return XLB_DC_DROP_BAD_OUTER;
	if (dport == xlb_decap_cfg.gue_port)
		return xlb_tunnel_gue(udp + 1, len - sizeof(*udp), data_end, t);
	return xlb_tunnel_direct(udp + 1, len - sizeof(*udp), data_end, t,
				 XLB_DC_FOU);
}

static __always_inline int xlb_tunnel(struct xlb_outer *o, void *data_end,
				      struct xlb_tunnel *t)
{
	if (o->proto == IPPROTO_UDP) {
		/* A later fragment has no UDP header: ordinary traffic as
		 * far as we can tell. */
		if (o->fragment && !o->first_fragment)
			return XLB_DC_PASS;
		return xlb_tunnel_udp(o, data_end, t);
	}
	if (o->fragment)
		return XLB_DC_FRAGMENT;
	if (o->proto == IPPROTO_GRE)
		return xlb_tunnel_gre(o->l4, o->l4_len, data_end, t);
	return xlb_tunnel_ipip(o->l4, o->l4_len, o->proto, t);
}

/* The inner header must be of the announced version and fill the tunnel's
 * payload exactly. */
static __always_inline int xlb_check_inner(const struct xlb_tunnel *t,
					   void *data_end)
{
	struct iphdr *ip = t->inner;
	struct ipv6hdr *ip6 = t->inner;
	__u8 *first = t->inner;

	if ((void *)(first + 1) > data_end || t->inner_len < 1)
		return XLB_DC_DROP_TRUNCATED;
	if (*first >> 4 != t->family)
		return XLB_DC_DROP_INNER_VERSION;
	if (t->family == 4) {
		if ((void *)(ip + 1) > data_end || t->inner_len < sizeof(*ip))
			return XLB_DC_DROP_TRUNCATED;
		if (ip->ihl < 5 || bpf_ntohs(ip->tot_len) != t->inner_len ||
		    ip->ihl * 4 > t->inner_len)
			return XLB_DC_DROP_INNER_LENGTH;
		return XLB_DC_CONTINUE;
	}
	if ((void *)(ip6 + 1) > data_end || t->inner_len < sizeof(*ip6))
		return XLB_DC_DROP_TRUNCATED;
	if (sizeof(*ip6) + bpf_ntohs(ip6->payload_len) != t->inner_len)
		return XLB_DC_DROP_INNER_LENGTH;
	return XLB_DC_CONTINUE;
}

#define XLB_L2_MAX (sizeof(struct ethhdr) + 4 * XLB_MAX_VLAN_TAGS)

/* Writes the saved L2 header (l3_off bytes) at the new start of the frame
 * with the inner packet's ethertype as its last two bytes. */
static __always_inline int xlb_put_l2(struct xdp_md *ctx, const __u8 *l2,
				      __u32 l3_off, __be16 type)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + XLB_L2_MAX > data_end)
		return -1;
	if (l3_off == sizeof(struct ethhdr)) {
		__builtin_memcpy(data, l2, sizeof(struct ethhdr) - 2);
		*(__be16 *)(data + sizeof(struct ethhdr) - 2) = type;
	} else if (l3_off == sizeof(struct ethhdr) + 4) {
		__builtin_memcpy(data, l2, sizeof(struct ethhdr) + 2);
		*(__be16 *)(data + sizeof(struct ethhdr) + 2) = type;
	} else {
		__builtin_memcpy(data, l2, XLB_L2_MAX - 2);
		*(__be16 *)(data + XLB_L2_MAX - 2) = type;
	}
	return 0;
}

/* Removes everything between the L2 header and the inner IP header. */
static __always_inline int xlb_strip(struct xdp_md *ctx,
				     const struct xlb_outer *o,
				     const struct xlb_tunnel *t)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 strip = t->inner - o->l3;
	__u8 l2[XLB_L2_MAX];

	/* The frame holds at least an outer and an inner IP header. */
	if (data + XLB_L2_MAX > data_end)
		return -1;
	__builtin_memcpy(l2, data, XLB_L2_MAX);
	if (bpf_xdp_adjust_head(ctx, strip))
		return -1;
	return xlb_put_l2(ctx, l2, o->l3_off,
			  t->family == 4 ? bpf_htons(ETH_P_IP) :
					   bpf_htons(ETH_P_IPV6));
}

static __always_inline int xlb_outer(struct xdp_md *ctx, struct xlb_outer *o)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xlb_packet pkt = {};
	__be16 proto = xlb_parse_eth(&pkt, data, data_end);

	o->l3 = pkt.l3;
	o->l3_off = pkt.l3_off;
	if (proto == bpf_htons(ETH_P_IP))
		return xlb_outer_ipv4(o, data_end - data, data_end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return xlb_outer_ipv6(o, data_end - data, data_end);
	return XLB_DC_PASS;
}

SEC("xdp")
int xlb_decap(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct xlb_outer outer = {};
	struct xlb_tunnel tunnel = {};
	int rc, method;

	rc = xlb_outer(ctx, &outer);
	if (rc != XLB_DC_CONTINUE)
		return xlb_decap_verdict(rc);
	method = xlb_tunnel(&outer, data_end, &tunnel);
	if (method < XLB_DC_IPIP || method > XLB_DC_FOU)
		return xlb_decap_verdict(method);
	rc = xlb_check_inner(&tunnel, data_end);
	if (rc != XLB_DC_CONTINUE)
		return xlb_decap_verdict(rc);
	if (xlb_strip(ctx, &outer, &tunnel))
		return xlb_decap_verdict(XLB_DC_DROP_ERROR);
	return xlb_decap_verdict(method);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
