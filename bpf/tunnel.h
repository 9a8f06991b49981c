/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Writing the encapsulation into the frame (formats: encap.h) and the next
 * hop of a tunnel packet.
 *
 * Next hop: normally the backend's entry in xlb_nexthops (forward.h), which
 * the control plane resolves. Without one (unresolved, or state written by
 * an older control plane) and for health-check probes: bpf_fib_lookup() for
 * the backend's address, as a router would
 * forward it from the ingress interface (so the host needs forwarding
 * enabled there: net.ipv4.ip_forward, net.ipv6.conf.all.forwarding). When
 * the FIB has no route or no neighbour entry for the backend and a gateway
 * of the backend's family is set, the gateway's entry is used instead. The
 * lookup also checks the egress MTU against the encapsulated length.
 */
#ifndef XLB_TUNNEL_H
#define XLB_TUNNEL_H

#include "encap.h"

#ifndef AF_INET
#define AF_INET	 2
#define AF_INET6 10
#endif

enum xlb_nh_result {
	XLB_NH_OK = 0,
	XLB_NH_TOO_BIG, /* nh->mtu says how much fits */
	XLB_NH_NONE,
	XLB_NH_FWD_OFF, /* IP forwarding is off: bpf_fib_lookup() will not answer */
};

/* nh->ifindex is both the interface the lookup is made from (in) and the
 * egress (out). */
static __always_inline int xlb_fib(struct xdp_md *ctx, __u8 family,
				   const struct xlb_addr *dst,
				   const struct xlb_addr *src, __u32 tot_len,
				   struct xlb_nexthop *nh)
{
	struct bpf_fib_lookup fib;
	int rc;

	__builtin_memset(&fib, 0, sizeof(fib));
	fib.ifindex = nh->ifindex;
	fib.tot_len = tot_len;
	if (family == XLB_AF_INET) {
		fib.family = AF_INET;
		fib.ipv4_dst = dst->w[0];
		fib.ipv4_src = src->w[0];
	} else {
		fib.family = AF_INET6;
		__builtin_memcpy(fib.ipv6_dst, dst, 16);
		__builtin_memcpy(fib.ipv6_src, src, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		nh->mtu = fib.mtu_result;
		return XLB_NH_TOO_BIG;
	}
	if (rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
		return XLB_NH_FWD_OFF;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XLB_NH_NONE;
	__builtin_memcpy(nh->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(nh->smac, fib.smac, ETH_ALEN);
	nh->ifindex = fib.ifindex;
	return XLB_NH_OK;
}

static __always_inline int xlb_addr_is_zero(const struct xlb_addr *a)
{
	return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

/* The next hop to the backend, else to the gateway of its family. */
static __always_inline int xlb_nexthop(struct xdp_md *ctx,
				       const struct xlb_backend *be,
				       const struct xlb_bank *bs,
				       const struct xlb_addr *src,
				       __u32 tot_len, struct xlb_nexthop *nh)
{
	const struct xlb_addr *gw;
	int rc;

	__u32 from = nh->ifindex;

	rc = xlb_fib(ctx, be->family, &be->addr, src, tot_len, nh);
	if (rc != XLB_NH_NONE)
		return rc;
	nh->ifindex = from;
	/* IPv4 reads only w[0]: gateway4 itself, not a copy (stack) */
	if (be->family == XLB_AF_INET)
		gw = bs->gateway4 ? (const struct xlb_addr *)&bs->gateway4 :
				    NULL;
	else
		gw = xlb_addr_is_zero(&bs->gateway6) ? NULL : &bs->gateway6;
	if (!gw)
		return XLB_NH_NONE;
	return xlb_fib(ctx, be->family, gw, src, tot_len, nh);
}

/* Writes the Ethernet header (and the one VLAN tag the next hop may want)
 * at the frame's start; returns its length or -1. */
static __always_inline int
xlb_put_l2(struct xdp_md *ctx, const struct xlb_nexthop *nh, __be16 ethertype)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xlb_vlan_hdr *tag = (void *)(eth + 1);

	if ((void *)(tag + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, nh->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, nh->smac, ETH_ALEN);
	if (!nh->tagged) {
		eth->h_proto = ethertype;
		return ETH_HLEN;
	}
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	tag->tci = bpf_htons(nh->vlan & 0xfff);
	tag->proto = ethertype;
	return ETH_HLEN + sizeof(*tag);
}

/* Sums the UDP datagram at `off` (its check field 0) and stores the sum. */
static __always_inline int xlb_udp_csum_full(struct xdp_md *ctx, __u32 off,
					     __u32 len, __u64 sum)
{
	struct udphdr *udp;
	void *data_end;
	__u16 check;

	if (xlb_csum_frame(ctx, off, len, &sum))
		return -1;
	check = xlb_csum_fold(sum);
	udp = (void *)(long)ctx->data + off;
	data_end = (void *)(long)ctx->data_end;
	if (off > 128 || (void *)(udp + 1) > data_end)
		return -1;
	udp->check = check ? check : 0xffff;
	return 0;
}

/* The outer UDP checksum: from the headers alone when the inner packet
 * allows it (LCO, encap.h), else over the whole datagram at `off`. */
static __always_inline int xlb_udp_csum(struct xdp_md *ctx, struct udphdr *udp,
					__u32 off, const struct xlb_encap *e,
					const struct xlb_inner *in, __u64 sum)
{
	const __u32 *w = (const __u32 *)udp;

	if (!in->lco)
		return xlb_udp_csum_full(ctx, off, e->tun_len + in->len, sum);
	/* the GUE word follows the UDP header: the caller checked 12 bytes */
	sum += (__u64)w[0] + w[1] + in->lco_sum;
	if (e->forward == XLB_FWD_GUE)
		sum += w[2];
	udp->check = xlb_csum_fold(sum) ?: 0xffff;
	return 0;
}

static __always_inline int
xlb_encap_write4(struct xdp_md *ctx, const struct xlb_encap *e,
		 const struct xlb_inner *in, const struct xlb_addr *src,
		 const struct xlb_addr *dst, const struct xlb_nexthop *nh,
		 __u32 hash)
{
	int l2 = xlb_put_l2(ctx, nh, bpf_htons(ETH_P_IP));
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 udp_len = e->tun_len + in->len;
	struct iphdr *ip;

	if (l2 < 0 || l2 > ETH_HLEN + 4)
		return -1;
	ip = data + l2;
	if ((void *)(ip + 1) + 12 > data_end)
		return -1;
	xlb_write_outer4(ip, e, in, src->w[0], dst->w[0]);
	xlb_write_tunnel(ip + 1, e, in, hash);
	if (e->outer_proto != IPPROTO_UDP)
		return 0;
	return xlb_udp_csum(
		ctx, (void *)(ip + 1), l2 + sizeof(*ip), e, in,
		xlb_pseudo4(src->w[0], dst->w[0], IPPROTO_UDP, udp_len));
}

static __always_inline int
xlb_encap_write6(struct xdp_md *ctx, const struct xlb_encap *e,
		 const struct xlb_inner *in, const struct xlb_addr *src,
		 const struct xlb_addr *dst, const struct xlb_nexthop *nh,
		 __u32 hash)
{
	int l2 = xlb_put_l2(ctx, nh, bpf_htons(ETH_P_IPV6));
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 udp_len = e->tun_len + in->len;
	struct ipv6hdr *ip6;

	if (l2 < 0 || l2 > ETH_HLEN + 4)
		return -1;
	ip6 = data + l2;
	if ((void *)(ip6 + 1) + 12 > data_end)
		return -1;
	xlb_write_outer6(ip6, e, in, src, dst, hash);
	xlb_write_tunnel(ip6 + 1, e, in, hash);
	if (e->outer_proto != IPPROTO_UDP)
		return 0;
	return xlb_udp_csum(ctx, (void *)(ip6 + 1), l2 + sizeof(*ip6), e, in,
			    xlb_pseudo6(src->w, dst->w, IPPROTO_UDP, udp_len));
}

/* Makes room before the inner packet and writes every outer header. */
static __always_inline int
xlb_encap_frame(struct xdp_md *ctx, __u32 l3_off, const struct xlb_encap *e,
		const struct xlb_inner *in, const struct xlb_addr *src,
		const struct xlb_addr *dst, const struct xlb_nexthop *nh,
		__u32 hash)
{
	int delta = ETH_HLEN + (nh->tagged ? 4 : 0) + e->ip_len + e->tun_len -
		    (int)l3_off;

	if (bpf_xdp_adjust_head(ctx, -delta))
		return -1;
	if (e->outer_family == XLB_AF_INET)
		return xlb_encap_write4(ctx, e, in, src, dst, nh, hash);
	return xlb_encap_write6(ctx, e, in, src, dst, nh, hash);
}

#endif /* XLB_TUNNEL_H */
