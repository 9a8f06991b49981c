/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Finding the service of a packet.
 *
 * Traffic that is no VIP is told apart first, by one bit of the bank's
 * VIP bitmap (xlb_may_be_vip), and passed on. A non-SYN TCP or UDP packet
 * that may be for a VIP looks its flow up next (flows.h: an established
 * flow names its backend and service, so it needs no VIP lookup); the
 * VIP-level entry is looked up only when that misses. A VIP packet then needs the exact
 * service (proto, port), or else the VIP's port-0 service for that proto,
 * which the VIP entry says exists (any_port) so the second lookup is only
 * made when it can hit. The VIP entry also carries one exact-port service
 * (XLB_SVC_CARRIES; the first of the VIP's): a packet for it needs no
 * second lookup, so a VIP with one port costs one hash lookup per new flow.
 *
 * Fragments. Only the first fragment of a datagram carries its ports, so
 * ports cannot choose the backend of the others, and nothing here
 * reassembles. xlb's rule:
 *   - a fragment (IPv4 MF set or offset != 0, or any IPv6 packet with a
 *     fragment header, the first fragment included) is served only by the
 *     VIP's port-0 service for its protocol, and is balanced by the 3-tuple
 *     (source, VIP, protocol): its flow key has sport = dport = 0. All the
 *     fragments of a datagram therefore reach the same backend, whichever
 *     one arrives first, and that backend reassembles;
 *   - a VIP without a port-0 service for that protocol drops fragments
 *     (XLB_G_DROP_FRAGMENT): sending them by port is impossible and
 *     passing them would expose the host.
 * Ports are never read from a fragment, first or not. For IPv6 the protocol
 * is the fragment header's next header; a fragmentable part that starts
 * with another extension header finds no service and is dropped.
 */
#ifndef XLB_LOOKUP_H
#define XLB_LOOKUP_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"
#include "xlb_maps.h"

static __always_inline void xlb_svc_key_init(struct xlb_svc_key *k, __u32 bank,
					     const struct xlb_packet *pkt)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->bank = bank;
	k->family = pkt->key.family;
	k->vip = pkt->key.dst;
}

/* Whether the destination is inside the bank's cover of its prefix VIPs
 * (xlb_abi.h): only then can the trie hold it. */
static __always_inline int xlb_in_cover(const struct xlb_vip_cover *c,
					const struct xlb_packet *pkt)
{
	const __u32 *d = pkt->key.dst.w;

	if (pkt->key.family == XLB_AF_INET)
		return (c->flags & XLB_COVER_V4) &&
		       (d[0] & c->mask4) == c->addr4;
	if (!(c->flags & XLB_COVER_V6))
		return 0;
	return ((d[0] & c->mask6.w[0]) ^ c->addr6.w[0]) == 0 &&
	       ((d[1] & c->mask6.w[1]) ^ c->addr6.w[1]) == 0 &&
	       ((d[2] & c->mask6.w[2]) ^ c->addr6.w[2]) == 0 &&
	       ((d[3] & c->mask6.w[3]) ^ c->addr6.w[3]) == 0;
}

/* Whether the destination may be a VIP of the bank: its bit among the
 * exact VIPs' (xlb_abi.h), or inside the prefix VIPs' cover. False: no VIP,
 * for one array lookup (most traffic that is no VIP stops here). */
static __always_inline int xlb_may_be_vip(__u32 bank,
					  const struct xlb_packet *pkt)
{
	const struct xlb_vip_cover *c;
	__u32 bit;

	c = bpf_map_lookup_elem(&xlb_vip_cover, &bank);
	if (!c)
		return 0;
	bit = xlb_vip_bit(&pkt->key.dst);
	if ((c->bits[(bit >> 6) & (XLB_VIP_BIT_WORDS - 1)] >> (bit & 63)) & 1)
		return 1;
	return xlb_in_cover(c, pkt);
}

/*
 * The VIP-level entry of the prefix VIP that holds the destination, or
 * NULL. A subprogram of its own: its key stays off xlb_xdp's stack. Only
 * packets that passed xlb_may_be_vip() and missed the exact VIP hash get
 * here; outside the cover they pay the call, an array lookup and a masked
 * compare, inside it the trie walk.
 */
static __noinline struct xlb_svc *
xlb_lookup_prefix(__u32 bank, const struct xlb_packet *pkt)
{
	struct xlb_vip_prefix_key k;
	const struct xlb_vip_cover *c;

	c = bpf_map_lookup_elem(&xlb_vip_cover, &bank);
	if (!c || !xlb_in_cover(c, pkt))
		return NULL;
	k.prefixlen = XLB_PREFIX_KEY_BITS +
		      (pkt->key.family == XLB_AF_INET6 ? 128 : 32);
	k.bank = bank;
	k.family = pkt->key.family;
	__builtin_memcpy(k.addr, &pkt->key.dst, sizeof(k.addr));
	return bpf_map_lookup_elem(&xlb_vip_prefixes, &k);
}

/* The VIP-level entry of the packet's destination, or NULL: not a VIP.
 * An exact VIP wins over a prefix that holds it. */
static __always_inline struct xlb_svc *
xlb_lookup_vip(__u32 bank, const struct xlb_packet *pkt)
{
	struct xlb_svc_key k;
	struct xlb_svc *vip;

	xlb_svc_key_init(&k, bank, pkt);
	vip = bpf_map_lookup_elem(&xlb_svcs, &k);
	if (!vip)
		return xlb_lookup_prefix(bank, pkt);
	if (!(vip->flags & XLB_SVC_VIP_ENTRY))
		return NULL;
	return vip;
}

/* Index of a protocol in xlb_svc.any_port, or -1. */
static __always_inline int xlb_any_port_index(__u8 proto)
{
	if (proto == IPPROTO_TCP)
		return 0;
	if (proto == IPPROTO_UDP)
		return 1;
	return -1;
}

/* Whether the VIP entry carries the exact service of the packet. */
static __always_inline int xlb_vip_carries(const struct xlb_svc *vip,
					   const struct xlb_packet *pkt)
{
	return (vip->flags & XLB_SVC_CARRIES) && vip->proto == pkt->key.proto &&
	       vip->port == pkt->key.dport;
}

/* The service of a VIP packet, or NULL: no service for its proto/port. */
static __always_inline const struct xlb_svc *
xlb_lookup_service(__u32 bank, const struct xlb_svc *vip,
		   const struct xlb_packet *pkt)
{
	int idx = xlb_any_port_index(pkt->key.proto);
	const struct xlb_svc *svc;
	struct xlb_svc_key k;

	if (idx < 0)
		return NULL;
	if (!pkt->fragment && xlb_vip_carries(vip, pkt))
		return vip;
	xlb_svc_key_init(&k, bank, pkt);
	k.proto = pkt->key.proto;
	if (vip->flags & XLB_SVC_PREFIX) {
		/* A prefix's services: under its index, not the address. */
		k.family |= XLB_AF_PREFIX;
		__builtin_memset(&k.vip, 0, sizeof(k.vip));
		__builtin_memcpy(&k.vip, &vip->id, sizeof(vip->id));
	}
	if (!pkt->fragment) {
		k.port = pkt->key.dport;
		svc = bpf_map_lookup_elem(&xlb_svcs, &k);
		if (svc)
			return svc;
	}
	if (vip->any_port[idx] == XLB_NO_SERVICE)
		return NULL;
	k.port = 0;
	return bpf_map_lookup_elem(&xlb_svcs, &k);
}

#endif /* XLB_LOOKUP_H */
