/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb ABI: the one header shared by the XDP datapath (bpf/) and the control
 * plane (core/). Every map key and value, every constant and every counter
 * index the two sides exchange is defined here and nowhere else.
 *
 * State layout (see DESIGN.md, "One way to lay out the state"):
 *
 *   xlb_ctl       ARRAY[1]        control word: which bank is live
 *   xlb_banks     ARRAY[2]        per-bank settings (hash seed, ...)
 *   xlb_svcs      HASH            (bank, family, proto, port, vip) -> service
 *                                 plus one VIP-level entry per VIP (proto 0)
 *   xlb_rings     ARRAY_OF_MAPS   ring slot -> Maglev table (ARRAY of u32
 *                                 backend ids, one inner map per table)
 *   xlb_backends  ARRAY           stable backend id -> address, MAC, state
 *   xlb_flows     LRU_HASH        5-tuple -> backend id + cookie + last seen
 *                                 (one LRU list, per-CPU free lists)
 *   xlb_persist   LRU_HASH        (service id, client address) -> backend id
 *                                 + cookie + last seen: persistence
 *   xlb_guard     PERCPU_ARRAY[1] new flows recorded this second (flow guard)
 *   xlb_echo_guard PERCPU_ARRAY[1] ICMP echo replies sent this second
 *   xlb_svc_stats, xlb_be_stats   PERCPU_ARRAY by stable id
 *   xlb_global    PERCPU_ARRAY    counters by action and by drop reason
 *   xlb_store     HASH            the configuration model, serialised, per
 *                                 bank; the datapath never reads it
 *   xlb_nat       HASH            (bank, family, NAT address) -> VIP, backend,
 *                                 egress: the health-check NAT table
 *   xlb_hc_cfg    ARRAY[1]        the hc port and the lb source addresses
 *   xlb_hc_replies LRU_HASH       probe tuple -> NAT and prober address
 *   xlb_nexthops  ARRAY           stable backend id -> egress interface,
 *                                 VLAN, source and destination MAC
 *   xlb_tx_ports  DEVMAP_HASH     ifindex -> device: the egresses reached
 *                                 by XDP_REDIRECT
 *
 * A transaction writes the inactive bank completely, then flips
 * xlb_ctl.active_bank: packets see the whole old or the whole new ruleset.
 */
#ifndef XLB_ABI_H
#define XLB_ABI_H

#include <linux/types.h>

#define XLB_ABI_VERSION 9
/* 2: tunnel settings in xlb_bank, forward in xlb_backend.
 * 3: xlb_flow carries flags (SYN only) instead of svc_id; flow timeouts and
 *    the flow guard in xlb_bank; xlb_guard; xlb_nexthops, xlb_tx_ports;
 *    counters flow_guard_skipped and fib_lookups.
 * 4: xlb_nat's check_ports (was padding); counters hc_chatter and
 *    drop_hc_port (xlb_global grows by two).
 * 5: counters drop_hc_forwarded, echo_replies, drop_echo_rate and
 *    sync_ring_full (xlb_global grows by four); the tc program xlb_hc_guard
 *    on xlbhc0; xlb_echo_guard; the VIP entry's XLB_SVC_ECHO; flow sync:
 *    xlb_sync_ctl, xlb_sync_ring, xlb_sync_stats; xlb_flow's `exported`
 *    (was padding).
 * 6: xlb_flows has one LRU list for all CPUs (no BPF_F_NO_COMMON_LRU; see
 *    xlb_maps.h); entries unchanged. xlb_svc grows by 4 bytes: a VIP-level
 *    entry carries one of its services (XLB_SVC_CARRIES, proto, port).
 *    Capture: xlb_capture_ring, xlb_capture_note (the program
 *    xlb_xdp_capture is loaded only by `xlb capture`).
 * 7: persistence (service persist D): xlb_persist; xlb_svc grows by 4
 *    bytes (persist); backend flags XLB_BE_NO_NEW and XLB_BE_PERSIST.
 * 8: prefix VIPs: xlb_vip_prefixes (LPM trie of VIP-level entries) and
 *    xlb_vip_cover (per bank, what the trie can hold); Maglev tables are
 *    BPF_F_MMAPABLE (xlb_rings' inner template), filled through a mapping;
 *    entries of other maps unchanged.
 * 9: xlb_vip_cover carries a bitmap of the bank's exact VIPs (bits): the
 *    datapath looks an established flow up before the VIP, and traffic
 *    that is no VIP is told apart by one bit; entries unchanged. */

/* Default capacities, chosen at first attach (xlb interface attach). */
#define XLB_DEFAULT_MAX_SERVICES 1024
#define XLB_DEFAULT_MAX_BACKENDS 16384
#define XLB_DEFAULT_MAX_FLOWS	 262144
/* Each bank may need its own table for every service. */
#define XLB_RING_SLOTS_PER_SERVICE 2

/* Maglev table sizes: prime, between these bounds. */
#define XLB_RING_DEFAULT 16381
#define XLB_RING_MIN	 7
#define XLB_RING_MAX	 1048573

/* "No backend" in a Maglev table or a lookup result. */
#define XLB_NO_BACKEND 0xffffffffu
/* "No service" in a VIP entry. */
#define XLB_NO_SERVICE 0xffffffffu

/* Address families as stored in keys (values of AF_INET / AF_INET6). */
#define XLB_AF_INET  2
#define XLB_AF_INET6 10

/* Store chunking for the serialised model. */
#define XLB_STORE_CHUNK	     4088
#define XLB_STORE_MAX_CHUNKS 4096 /* per bank: 16 MiB of model */

/* An IPv4 address lives in the first 4 bytes, the rest zero. */
struct xlb_addr {
	union {
		__u8 b[16];
		__u32 w[4];
	};
};

/* ---------------------------------------------------------------- control */

struct xlb_ctl {
	__u32 active_bank; /* 0 or 1 */
	__u32 generation;  /* bumped by every committed transaction */
};

/* Service flags. */
#define XLB_SVC_SH	  0x0001 /* sched sh: hash the source address only */
#define XLB_SVC_PREFIX	  0x1000 /* VIP entry of a prefix (xlb_vip_prefixes) */
#define XLB_SVC_CARRIES	  0x2000 /* VIP entry: carries a service (xlb_svc) */
#define XLB_SVC_ECHO	  0x4000 /* VIP entry: answer ICMP echo (echo.h) */
#define XLB_SVC_VIP_ENTRY 0x8000 /* the VIP-level entry (proto 0, port 0) */

/* ICMP echo replies a CPU sends a second, at most (echo.h). */
#define XLB_ECHO_RATE 1000

/* Forwarding methods. */
enum xlb_forward {
	XLB_FWD_DSR = 0,
	XLB_FWD_IPIP = 1,
	XLB_FWD_GRE = 2,
	XLB_FWD_GUE = 3,
	XLB_FWD_FOU = 4,
	XLB_FWD_MAX,
};

/* Default outer UDP destination ports (forward gue / fou without `port`). */
#define XLB_GUE_PORT 6080
#define XLB_FOU_PORT 5555

/*
 * Per-bank settings. The tunnel fields are the outer source address of each
 * family and the gateway used when the FIB has no next hop for a backend
 * (all zero: not set). They live in the bank so that a ruleset changing
 * them flips with the services that use them.
 */
struct xlb_bank {
	__u32 hash_seed;
	__u32 flags;
	__be32 source4;
	__be32 gateway4;
	struct xlb_addr source6;
	struct xlb_addr gateway6;
	/* Idle timeouts of flow entries, in seconds (0: never, as in banks
	 * written before they existed). See xlb_flow_timeout(). */
	__u32 timeout_tcp;
	__u32 timeout_tcp_syn; /* TCP entries that have seen only SYNs */
	__u32 timeout_udp;
	/* Flow guard: above this many flow entries recorded per second on a
	 * CPU, a SYN is balanced but not recorded (0: off). */
	__u32 flow_guard;
};

/* Defaults of the settings above (xlb set timeout, xlb set flow-guard). */
#define XLB_TIMEOUT_TCP	    900 /* IPVS's established TCP timeout */
#define XLB_TIMEOUT_TCP_SYN 10	/* a handshake needs one round trip */
#define XLB_TIMEOUT_UDP	    300 /* IPVS's UDP timeout */
#define XLB_FLOW_GUARD	    10000

/*
 * Service key. proto is IPPROTO_TCP or IPPROTO_UDP; port is in network byte
 * order, 0 meaning every port. The VIP-level entry (proto 0, port 0) exists
 * for every VIP and tells the datapath the address is ours, so a VIP packet
 * on a port without a service is dropped rather than passed to the host.
 */
struct xlb_svc_key {
	__u32 bank;
	__u8 family;
	__u8 proto;
	__be16 port;
	struct xlb_addr vip;
};

/*
 * Prefix VIPs (service add web tcp 192.0.2.0/28:80). xlb_vip_prefixes, an
 * LPM trie keyed by (bank, family, address), holds one VIP-level entry per
 * prefix (XLB_SVC_VIP_ENTRY | XLB_SVC_PREFIX; id: the prefix's index in
 * its bank, never a carried service). It is looked up only when the exact
 * VIP hash missed and the destination is inside the bank's cover
 * (xlb_vip_cover), so exact VIPs win. Non-VIP traffic is told apart
 * before either lookup (the same array value: the exact VIPs' bits, the
 * flag of the family, a masked compare). The prefix's services are in xlb_svcs under
 * family | XLB_AF_PREFIX and the address {index, 0, 0, 0}.
 */
struct xlb_vip_prefix_key {
	__u32 prefixlen; /* 64 + the prefix length */
	__u32 bank;
	__u32 family;
	__u8 addr[16];
};
#define XLB_PREFIX_KEY_BITS 64	 /* bank and family, before the address */
#define XLB_AF_PREFIX	    0x80 /* xlb_svc_key.family of a prefix's services */

/* xlb_vip_cover[bank]: per family, the longest prefix that holds every
 * prefix VIP of the bank (one prefix VIP: itself). A destination outside
 * it cannot be in the trie, which is then not walked (a trie lookup that
 * misses costs several ns; this compare about one). */
#define XLB_VIP_BITS	  65536 /* bits of xlb_vip_cover.bits: 8 KiB a bank */
#define XLB_VIP_BIT_WORDS (XLB_VIP_BITS / 64)
struct xlb_vip_cover {
	__u32 flags; /* XLB_COVER_V4, XLB_COVER_V6 */
	__be32 addr4;
	__be32 mask4;
	__u32 reserved;
	struct xlb_addr addr6;
	struct xlb_addr mask6;
	/* Layout 9: bit xlb_vip_bit(vip) is set for every exact VIP of the
	 * bank. A destination whose bit is clear and that is outside the
	 * prefix cover is no VIP: the datapath passes it after this one array
	 * lookup, and so can look a VIP packet's flow up before its VIP (an
	 * established flow needs no VIP lookup). With 1,000 VIPs about 1.5% of
	 * other destinations find their bit set and pay the VIP lookup. */
	__u64 bits[XLB_VIP_BIT_WORDS];
};
#define XLB_COVER_V4 0x1 /* the bank has IPv4 prefix VIPs */
#define XLB_COVER_V6 0x2 /* the bank has IPv6 prefix VIPs */

/* The bit of an address in xlb_vip_cover.bits (network-order words; an
 * IPv4 address has w[1..3] zero): its words folded, then one multiply,
 * whose top 16 bits spread neighbouring addresses. */
static inline __u32 xlb_vip_bit(const struct xlb_addr *a)
{
	__u32 x = a->w[0] ^ a->w[1] ^ a->w[2] ^ a->w[3];

	return (__u32)(x * 0x9e3779b1u) >> 16;
}

/*
 * A service, or a VIP-level entry. A VIP-level entry with XLB_SVC_CARRIES
 * also is one of the VIP's exact-port services (the first of the
 * configuration): its id, ring, ring_size, forward, XLB_SVC_SH, persist,
 * and its proto and port. A new flow to that (proto, port) then costs one hash
 * lookup, not two (lookup.h).
 */
struct xlb_svc {
	__u32 id;	 /* stable service id: counters, flows */
	__u32 ring;	 /* slot in xlb_rings */
	__u32 ring_size; /* entries in that table (prime) */
	__u16 flags;	 /* XLB_SVC_* */
	__u8 forward;	 /* enum xlb_forward */
	__u8 proto;	 /* VIP-level entry that carries a service: its proto */
	/* VIP-level entry only: the port-0 service per protocol, or
	 * XLB_NO_SERVICE. [0] tcp, [1] udp. */
	__u32 any_port[2];
	__be16 port; /* VIP-level entry that carries a service: its port */
	__u16 reserved;
	/* persist D: a client address keeps its backend for this many seconds
	 * after its last packet (0: off). See xlb_persist. */
	__u32 persist;
};

/* --------------------------------------------------------------- backends */

/* Backend states, as seen by the datapath. A drained backend is simply
 * absent from the Maglev table; its flows continue. */
#define XLB_BE_DOWN 0x01 /* health down: its flows are re-balanced */
/* Not in its service's Maglev table (disabled, weight 0, another tier): its
 * flows continue, but a client persisted to it is re-balanced. */
#define XLB_BE_NO_NEW 0x02
/* Its service has persist set: its established flows refresh their
 * client's persistence entry (xlb_persist). */
#define XLB_BE_PERSIST 0x04

/*
 * A backend by stable id. cookie is non-zero while the id is in use and
 * changes every time the id is given to a different (service, address), so
 * a flow entry naming a stale id is recognised and re-balanced.
 */
struct xlb_backend {
	struct xlb_addr addr;
	__u32 cookie;
	__u32 svc_id;
	__u8 family;
	__u8 flags;  /* XLB_BE_* */
	__u8 mac[6]; /* forward dsr only */
	/* The service's forwarding method and, for gue and fou, the outer UDP
	 * destination port (network order, default applied). They are here,
	 * not only in xlb_svc, because established flows never look up their
	 * service: the backend alone says how to send. */
	__u8 forward; /* enum xlb_forward */
	__u8 reserved;
	__be16 tun_port;
	__u32 reserved2;
};

/* -------------------------------------------------------------- next hops */

/*
 * xlb_nexthops: where a backend's packets leave, by stable backend id,
 * resolved by the control plane at every commit (and refresh) so the
 * datapath never asks the FIB: for dsr the backend's own MAC, for tunnels
 * the MAC of the route's gateway (or of the backend when on-link).
 *
 * flags 0 (never written, e.g. state from an older control plane): dsr
 * sends to xlb_backend.mac out of the ingress, tunnels ask the FIB.
 * XLB_NH_UNRESOLVED: dsr drops (drop_no_nexthop); tunnels ask the FIB,
 * which answers once the kernel has the neighbour. Every FIB lookup is
 * counted (fib_lookups).
 *
 * Per backend rather than per distinct next hop: the entry is found by the
 * id the flow already holds (one array lookup, no reference counts), and a
 * refresh rewrites exactly the backends whose next hop changed. ARRAY
 * values are copied in place: a packet racing a rewrite may see half of
 * the new MAC; the next one sees all of it.
 */
#define XLB_NH_RESOLVED	  0x01
#define XLB_NH_UNRESOLVED 0x02
#define XLB_NH_VLAN	  0x04 /* leaves with exactly one 802.1Q tag, vlan */

struct xlb_nh {
	__u32 ifindex; /* egress; 0: the interface the packet came in on */
	__u16 vlan;    /* with XLB_NH_VLAN: the tag's VLAN id */
	__u8 flags;    /* XLB_NH_* */
	__u8 pad;
	__u8 smac[6]; /* all zero: the attached interface's own MAC */
	__u8 dmac[6];
	__u32 mtu; /* tunnels: the egress MTU; 0: not checked */
};

#define XLB_MAX_TX_PORTS 256

/* ------------------------------------------------------------------ flows */

struct xlb_flow_key {
	struct xlb_addr src;
	struct xlb_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

/* xlb_flow flags. */
#define XLB_FLOW_SYN_ONLY 0x01 /* TCP: the client has sent nothing but SYNs */

/*
 * A flow entry. Its service is its backend's (xlb_backend.svc_id): the
 * cookie says the backend id still names what the flow was placed on, and
 * cookies are never reused, so the service cannot have changed either.
 */
struct xlb_flow {
	__u32 backend;	 /* stable backend id */
	__u32 cookie;	 /* the backend's cookie when the flow was placed */
	__u32 last_seen; /* seconds, CLOCK_MONOTONIC coarse */
	__u8 flags;	 /* XLB_FLOW_* */
	__u8 pad;
	/* Flow sync: the low 16 bits of the second the entry was last
	 * exported to xlb-syncd (sync_export.h); 0 in older entries. */
	__u16 exported;
};

/* The entry of ABI version 2, for converting pinned flows (see
 * xlb_flow_from_v2). */
struct xlb_flow_v2 {
	__u32 backend;
	__u32 cookie;
	__u32 last_seen;
	__u32 svc_id;
};

#ifdef __cplusplus
#define XLB_ABI_INLINE static inline
#elif defined(__bpf__)
#define XLB_ABI_INLINE static __always_inline
#else
#define XLB_ABI_INLINE static inline
#endif

/* A version 2 entry as a version 3 one. Whether it saw more than SYNs is
 * not known: taken as established, the longer timeout. */
XLB_ABI_INLINE struct xlb_flow xlb_flow_from_v2(const struct xlb_flow_v2 *old)
{
	struct xlb_flow f = {
		.backend = old->backend,
		.cookie = old->cookie,
		.last_seen = old->last_seen,
		.flags = 0,
		.pad = 0,
		.exported = 0,
	};

	return f;
}

#define XLB_PROTO_UDP 17 /* IPPROTO_UDP, without the libc header */

/* The idle timeout of a flow entry of protocol `proto`; 0: never. */
XLB_ABI_INLINE __u32 xlb_flow_timeout(const struct xlb_bank *bs, __u8 proto,
				      __u8 flags)
{
	if (proto == XLB_PROTO_UDP)
		return bs->timeout_udp;
	return flags & XLB_FLOW_SYN_ONLY ? bs->timeout_tcp_syn :
					   bs->timeout_tcp;
}

/* Expired: idle for more than its timeout (whole seconds, so an entry lives
 * between timeout and timeout + 1 seconds after its last packet). Both the
 * datapath and the listings decide with this. */
XLB_ABI_INLINE int xlb_flow_expired(const struct xlb_flow *f, __u32 timeout,
				    __u32 now)
{
	return timeout && now - f->last_seen > timeout;
}

/* ------------------------------------------------------------ persistence */

/*
 * xlb_persist: for a service with persist D, the backend a client address
 * was last placed on. A new flow of that client takes it (rather than the
 * Maglev choice) while the entry is younger than D and the backend usable
 * and in the table (not XLB_BE_DOWN, not XLB_BE_NO_NEW, same cookie).
 * last_seen moves when a flow of the client is created and, at most once a
 * second, with its established flows' packets (flows.h).
 */
struct xlb_persist_key {
	__u32 svc_id;
	__u8 family;
	__u8 pad[3];
	struct xlb_addr client;
};

struct xlb_persist {
	__u32 backend;	 /* stable backend id */
	__u32 cookie;	 /* the backend's cookie when the client was placed */
	__u32 last_seen; /* seconds, CLOCK_MONOTONIC coarse */
	__u32 reserved;
};

/* Expired: idle for more than the service's persist D (whole seconds, as
 * flows). The datapath and the sweep decide with this. */
XLB_ABI_INLINE int xlb_persist_expired(const struct xlb_persist *p,
				       __u32 timeout, __u32 now)
{
	return !timeout || now - p->last_seen > timeout;
}

/* xlb_guard: per CPU, the new flows of the current second (recorded, or
 * SYNs asking to be), and XLB_GUARD_FLOOD when the second before reached
 * the guard (flows.h). */
struct xlb_guard {
	__u32 second; /* CLOCK_MONOTONIC coarse */
	__u32 recorded;
};

#define XLB_GUARD_FLOOD 0x80000000u

/* ---------------------------------------------------------------- counters */

struct xlb_counters {
	__u64 packets;
	__u64 bytes;
	__u64 new_flows;
	__u64 reserved;
};

/* Indexes into xlb_global: first the XDP actions, then the drop reasons. */
enum xlb_global_counter {
	XLB_G_PASS = 0,
	XLB_G_TX,
	XLB_G_DROP,
	XLB_G_REDIRECT,
	XLB_G_ABORTED,
	XLB_G_DROP_NO_SERVICE, /* VIP, but no service on that proto/port */
	XLB_G_DROP_NO_BACKEND, /* service with an empty table */
	XLB_G_DROP_MALFORMED,  /* headers truncated or inconsistent */
	XLB_G_DROP_FRAGMENT,   /* fragment of a VIP without a port-0 service */
	XLB_G_ICMP_TO_FLOW,    /* ICMP error steered to its flow's backend */
	XLB_G_FLOW_REBALANCED, /* flow whose backend went away or down */
	XLB_G_NEW_FLOW,	       /* flows created */
	XLB_G_DROP_NO_NEXTHOP, /* tunnel: neither the FIB nor the gateway resolves */
	XLB_G_DROP_TOO_BIG, /* tunnel: too big, and IPv4 without DF */
	XLB_G_ICMP_TOO_BIG, /* tunnel: frag-needed / packet-too-big sent back */
	XLB_G_DROP_ENCAP,   /* tunnel: no source address, no room for headers */
	XLB_G_DROP_FWD_DISABLED, /* tunnel: the egress does not forward IP (sysctl) */
	/* Health-check NAT (hc.h). */
	XLB_G_HC_PROBE,	       /* probes translated and sent to a backend */
	XLB_G_HC_REPLY,	       /* backend replies translated back to the host */
	XLB_G_DROP_HC_UNKNOWN, /* on the hc port, not to a known NAT address */
	XLB_G_DROP_HC_NO_ROUTE, /* NAT entry without an egress interface */
	XLB_G_HC_REPLY_CLASH, /* reply tuple taken over by another NAT address */
	XLB_G_DROP_HC_SOURCE, /* on the hc port, not from the host's own address */
	XLB_G_FLOW_GUARD_SKIPPED, /* SYN balanced but not recorded: flow guard */
	XLB_G_FIB_LOOKUP, /* bpf_fib_lookup calls: hc probes, fallbacks */
	XLB_G_HC_CHATTER, /* on the hc port: the host's own ND, MLD, RS (dropped) */
	XLB_G_DROP_HC_PORT, /* probe to a port no check of the service uses */
	/* Layout 4 ended here (XLB_G_MAX_V4). */
	XLB_G_DROP_HC_FORWARDED, /* routed into the hc port from elsewhere */
	XLB_G_ECHO_REPLY,	 /* ICMP echo to a VIP answered */
	XLB_G_DROP_ECHO_RATE,	 /* ICMP echo over XLB_ECHO_RATE a second */
	XLB_G_SYNC_RING_FULL,	 /* flow sync event lost: xlb_sync_ring full */
	XLB_G_MAX,
};

/* Entries of xlb_global in pins of layout 4 (see pinned_layout()). */
#define XLB_G_MAX_V4 (XLB_G_DROP_HC_PORT + 1)

/* ------------------------------------------------------------- flow sync */

/*
 * Flow sync between load balancers (xlb-syncd, core/sync). While a syncd
 * runs it sets XLB_SYNC_EXPORT in xlb_sync_ctl; the datapath then writes an
 * event into the ring buffer xlb_sync_ring for every flow entry it creates,
 * and for a long-lived flow again when its entry is refreshed (last_seen
 * moves) at least `interval` seconds after its last export, or when it
 * leaves the SYN-only state. The event names the backend by what every
 * load balancer agrees on (the service's VIP, protocol and port, and the
 * backend's address), never by a local id. With the flag clear nothing is
 * written (one array lookup per entry write).
 */
#define XLB_SYNC_EXPORT 0x01

struct xlb_sync_ctl {
	__u32 flags;	/* XLB_SYNC_* */
	__u32 interval; /* seconds between exports of one flow (>= 1) */
};

/* Ring buffer bytes (a power of two, a multiple of the page size): about
 * 90,000 events, a second of new flows at full rate. */
#define XLB_SYNC_RING_BYTES (8u << 20)

struct xlb_sync_event {
	struct xlb_flow_key key;
	struct xlb_addr backend; /* the backend's address */
	__be16 svc_port;	 /* the service's port: key.dport or 0 */
	__u8 be_family;
	__u8 flags; /* the entry's XLB_FLOW_* */
	__u32 reserved;
};

/* ----------------------------------------------------------------- capture */

/*
 * xlb capture. While a capture runs, `xlb capture` swaps each interface's
 * program for xlb_xdp_capture, the same balancer with a copy step around
 * it: the first `snaplen` bytes of the frame as it arrived go into an event
 * of xlb_capture_ring with the verdict and, for a drop, its reason. The
 * plain program pays only on drops (the reason, noted in xlb_capture_note).
 */
#define XLB_CAPTURE_SNAP_MAX   256
#define XLB_CAPTURE_RING_BYTES (4u << 20)

struct xlb_capture_event {
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;
	__u32 wire_len; /* the frame's length */
	__u32 cap_len;	/* bytes in data */
	__u32 verdict;	/* XDP_* */
	__u32 reason;	/* a drop's XLB_G_* reason, or 0 */
	__u32 reserved;
	__u8 data[XLB_CAPTURE_SNAP_MAX];
};

/* Per CPU: the reason of the last drop, capture events lost because the
 * ring was full, and the event being built (the frame is copied here before
 * the balancer runs and output to the ring after: no ring reservation is
 * held across the balancer, whose verification would double). */
struct xlb_capture_note {
	__u32 reason;
	__u32 reserved;
	__u64 lost;
	struct xlb_capture_event ev;
};

/* xlb_sync_stats: counters xlb-syncd keeps (the datapath never touches
 * them), shown by `xlb stats` and the Prometheus metrics. */
enum xlb_sync_counter {
	XLB_SYNC_C_EVENTS = 0, /* events read from the ring buffer */
	XLB_SYNC_C_SENT,       /* flows sent to peers */
	XLB_SYNC_C_DATAGRAMS_SENT,
	XLB_SYNC_C_DATAGRAMS_RECEIVED,
	XLB_SYNC_C_RECEIVED,   /* flows received in accepted datagrams */
	XLB_SYNC_C_INSTALLED,  /* flows written into the flow table */
	XLB_SYNC_C_KEPT_LOCAL, /* not installed: the local entry is newer */
	XLB_SYNC_C_UNKNOWN_BACKEND, /* not installed: no such (service, backend) */
	XLB_SYNC_C_REJECT_TAG,	    /* datagrams: authentication failed */
	XLB_SYNC_C_REJECT_REPLAY, /* datagrams: sequence number seen or too old */
	XLB_SYNC_C_REJECT_MALFORMED, /* datagrams: not a valid sync datagram */
	XLB_SYNC_C_BULK_REQUESTS,    /* bulk syncs served */
	XLB_SYNC_C_MAX,
};

/* ------------------------------------------------------- health-check NAT */

/*
 * A health-check probe is sent by the host to a NAT address, which stands for
 * one (service, backend) pair, through the hc port: a veth pair xlb creates
 * (XLB_HC_HOST_DEV, where the host's routes to the NAT ranges point, and
 * XLB_HC_DP_DEV, where the xlb_hc program runs). xlb_hc rewrites the probe
 * into a packet from the lb's own address to the VIP and sends it to that
 * backend by the service's forwarding method; the main program turns the
 * backend's reply (VIP -> lb address) back into a reply from the NAT address
 * and redirects it into the hc port, so it reaches the host's socket.
 */
#define XLB_HC_HOST_DEV "xlbhc0"
#define XLB_HC_DP_DEV	"xlbhc1"
/* Local (lb source) addresses per family the reply path compares against. */
#define XLB_HC_MAX_LOCAL 4

/* xlb_nat key: per bank, like the services, so a probe sees the NAT table
 * of the bank it reads and never a half-written one. */
struct xlb_nat_key {
	__u32 bank;
	__u8 family; /* the VIP's (and NAT address's) family */
	__u8 pad[3];
	struct xlb_addr nat;
};

#define XLB_HC_MAX_CHECK_PORTS 3

struct xlb_nat {
	struct xlb_addr vip;
	struct xlb_addr src; /* the lb's address the backend routes back to */
	__u32 backend;	     /* stable backend id */
	__u32 cookie;  /* the backend's cookie: checked against xlb_backends */
	__u32 ifindex; /* egress interface towards the backend; 0: none */
	__u32 svc_id;
	__be16 port;	 /* the service's port (0: every port) */
	__u8 proto;	 /* the service's protocol */
	__u8 forward;	 /* enum xlb_forward of the service */
	__u8 src_mac[6]; /* the egress interface's MAC */
	/* The ports the service's checks probe (0: unused): probes to any
	 * other port are dropped (drop_hc_port), so the NAT addresses open no
	 * more of a backend than the checks need. */
	__be16 check_ports[XLB_HC_MAX_CHECK_PORTS];
};

/* The hc port and the lb source addresses. One entry, written by attach
 * (the port) and by every transaction (the addresses). */
struct xlb_hc_cfg {
	__u32 dp_ifindex; /* XLB_HC_DP_DEV: probes must come in there */
	__u8 host_mac[6]; /* XLB_HC_HOST_DEV's MAC: replies go there */
	__u8 dp_mac[6];
	__u8 n_local4;
	__u8 n_local6;
	__u8 pad[2];
	__u32 local4[XLB_HC_MAX_LOCAL];
	struct xlb_addr local6[XLB_HC_MAX_LOCAL];
	/* XLB_HC_HOST_DEV's own addresses (the last of each NAT range): the
	 * only sources of probes, so traffic the host would forward into the
	 * port from elsewhere is not translated. */
	__u32 host4;
	struct xlb_addr host6;
};

/* xlb_hc_replies: what a probe left for its reply to find. */
struct xlb_hc_reply_key {
	struct xlb_addr vip;
	struct xlb_addr local; /* the lb source address the probe used */
	__be16 vport;	       /* the probe's destination port */
	__be16 sport;	       /* the probe's source port, kept on the wire */
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

struct xlb_hc_reply {
	struct xlb_addr nat; /* becomes the reply's source */
	struct xlb_addr
		host; /* the prober's address: the reply's destination */
};

/* ------------------------------------------------------------------ store */

struct xlb_store_key {
	__u32 bank;
	__u32 chunk;
};

struct xlb_store_chunk {
	__u32 len; /* bytes used in data; chunk 0's len is the first chunk's */
	__u32 total; /* chunk 0 only: the whole blob's length */
	__u8 data[XLB_STORE_CHUNK];
};

#ifdef __cplusplus
static_assert(sizeof(struct xlb_addr) == 16, "xlb_addr");
static_assert(sizeof(struct xlb_ctl) == 8, "xlb_ctl");
static_assert(sizeof(struct xlb_bank) == 64, "xlb_bank");
static_assert(sizeof(struct xlb_svc_key) == 24, "xlb_svc_key");
static_assert(sizeof(struct xlb_svc) == 32, "xlb_svc");
static_assert(sizeof(struct xlb_persist_key) == 24, "xlb_persist_key");
static_assert(sizeof(struct xlb_persist) == 16, "xlb_persist");
static_assert(sizeof(struct xlb_vip_prefix_key) == 28, "xlb_vip_prefix_key");
static_assert(sizeof(struct xlb_vip_cover) == 48 + XLB_VIP_BITS / 8,
	      "xlb_vip_cover");
static_assert(sizeof(struct xlb_backend) == 40, "xlb_backend");
static_assert(sizeof(struct xlb_flow_key) == 40, "xlb_flow_key");
static_assert(sizeof(struct xlb_flow) == 16, "xlb_flow");
static_assert(sizeof(struct xlb_flow_v2) == 16, "xlb_flow_v2");
static_assert(sizeof(struct xlb_guard) == 8, "xlb_guard");
static_assert(sizeof(struct xlb_counters) == 32, "xlb_counters");
static_assert(sizeof(struct xlb_store_chunk) == 4096, "xlb_store_chunk");
static_assert(sizeof(struct xlb_nat_key) == 24, "xlb_nat_key");
static_assert(sizeof(struct xlb_nat) == 64, "xlb_nat");
static_assert(sizeof(struct xlb_hc_cfg) == 120, "xlb_hc_cfg");
static_assert(sizeof(struct xlb_hc_reply_key) == 40, "xlb_hc_reply_key");
static_assert(sizeof(struct xlb_hc_reply) == 32, "xlb_hc_reply");
static_assert(sizeof(struct xlb_nh) == 24, "xlb_nh");
static_assert(sizeof(struct xlb_sync_ctl) == 8, "xlb_sync_ctl");
static_assert(sizeof(struct xlb_sync_event) == 64, "xlb_sync_event");
static_assert(sizeof(struct xlb_capture_event) == 32 + XLB_CAPTURE_SNAP_MAX,
	      "xlb_capture_event");
static_assert(sizeof(struct xlb_capture_note) ==
		      16 + sizeof(struct xlb_capture_event),
	      "xlb_capture_note");
#else
_Static_assert(sizeof(struct xlb_sync_ctl) == 8, "xlb_sync_ctl");
_Static_assert(sizeof(struct xlb_sync_event) == 64, "xlb_sync_event");
_Static_assert(sizeof(struct xlb_svc_key) == 24, "xlb_svc_key");
_Static_assert(sizeof(struct xlb_svc) == 32, "xlb_svc");
_Static_assert(sizeof(struct xlb_persist_key) == 24, "xlb_persist_key");
_Static_assert(sizeof(struct xlb_persist) == 16, "xlb_persist");
_Static_assert(sizeof(struct xlb_vip_prefix_key) == 28, "xlb_vip_prefix_key");
_Static_assert(sizeof(struct xlb_vip_cover) == 48 + XLB_VIP_BITS / 8,
	       "xlb_vip_cover");
_Static_assert(sizeof(struct xlb_backend) == 40, "xlb_backend");
_Static_assert(sizeof(struct xlb_bank) == 64, "xlb_bank");
_Static_assert(sizeof(struct xlb_flow_key) == 40, "xlb_flow_key");
_Static_assert(sizeof(struct xlb_flow) == 16, "xlb_flow");
_Static_assert(sizeof(struct xlb_guard) == 8, "xlb_guard");
_Static_assert(sizeof(struct xlb_nat_key) == 24, "xlb_nat_key");
_Static_assert(sizeof(struct xlb_nat) == 64, "xlb_nat");
_Static_assert(sizeof(struct xlb_hc_cfg) == 120, "xlb_hc_cfg");
_Static_assert(sizeof(struct xlb_hc_reply_key) == 40, "xlb_hc_reply_key");
_Static_assert(sizeof(struct xlb_hc_reply) == 32, "xlb_hc_reply");
_Static_assert(sizeof(struct xlb_nh) == 24, "xlb_nh");
#endif

#endif /* XLB_ABI_H */
