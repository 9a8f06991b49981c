/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xlb-decap ABI: what the backend-side decapsulator (decap.bpf.c) and the
 * control plane (core/decap*.cpp) exchange. Separate from xlb_abi.h: the
 * two programs share no map, and a backend runs only this one.
 *
 * State layout (pinned under PIN_PATH/decap):
 *
 *   xlb_decap_addrs  HASH          this host's addresses: a packet is
 *                                  decapsulated only when its outer
 *                                  destination is one of them
 *   xlb_decap_stats  PERCPU_ARRAY  counters by encapsulation and by reason
 *
 * The UDP ports of GUE and FOU are load-time settings of each program
 * instance (struct xlb_decap_config in .rodata), so each device may have
 * its own, and `xlb decap list` reads them back from the kernel.
 */
#ifndef XLB_DECAP_ABI_H
#define XLB_DECAP_ABI_H

#include <linux/types.h>

#define XLB_DECAP_GUE_PORT  6080
#define XLB_DECAP_FOU_PORT  5555
#define XLB_DECAP_MAX_ADDRS 1024

/* Distinguishes our .rodata from anything else the compiler puts there. */
#define XLB_DECAP_CONFIG_MAGIC 0x786c6264 /* "xlbd" */

struct xlb_decap_config {
	__u32 magic;
	__u16 gue_port; /* host order */
	__u16 fou_port; /* host order */
};

/* A local address. family is XLB_AF_INET (2) or XLB_AF_INET6 (10); an IPv4
 * address lives in the first 4 bytes of addr, the rest zero. */
struct xlb_decap_addr_key {
	__u32 family;
	__u8 addr[16];
};

/* Where an address came from: `decap refresh` replaces the netlink ones
 * and keeps the explicit ones. */
#define XLB_DECAP_ADDR_NETLINK	1
#define XLB_DECAP_ADDR_EXPLICIT 2

struct xlb_decap_addr_val {
	__u32 source;
};

/*
 * Counters (packets). Every packet ends in exactly one of them: a
 * decapsulated one, a passed one or a drop reason.
 */
enum xlb_decap_counter {
	XLB_DC_PASS = 0,       /* not for us, or not a tunnel: untouched */
	XLB_DC_IPIP,	       /* decapsulated: IPIP, IP6IP6, 4in6, 6in4 */
	XLB_DC_GRE,	       /* decapsulated: GRE */
	XLB_DC_GUE,	       /* decapsulated: GUE (variant 0 or 1) */
	XLB_DC_FOU,	       /* decapsulated: FOU */
	XLB_DC_GUE_CONTROL,    /* GUE control message: passed untouched */
	XLB_DC_UNSUPPORTED,    /* a tunnel for us we do not strip: passed */
	XLB_DC_FRAGMENT,       /* an outer fragment: passed (see decap.bpf.c) */
	XLB_DC_DROP_TRUNCATED, /* the frame ends inside a header */
	XLB_DC_DROP_BAD_OUTER, /* outer IP or UDP lengths inconsistent */
	XLB_DC_DROP_INNER_VERSION, /* inner IP version is not the announced one */
	XLB_DC_DROP_INNER_LENGTH, /* inner length is not the tunnel payload's */
	XLB_DC_DROP_ERROR,	  /* bpf_xdp_adjust_head failed */
	XLB_DC_COUNT,
};

#ifdef __cplusplus
static_assert(sizeof(struct xlb_decap_config) == 8, "xlb_decap_config");
static_assert(sizeof(struct xlb_decap_addr_key) == 20, "xlb_decap_addr_key");
static_assert(sizeof(struct xlb_decap_addr_val) == 4, "xlb_decap_addr_val");
#else
_Static_assert(sizeof(struct xlb_decap_config) == 8, "xlb_decap_config");
_Static_assert(sizeof(struct xlb_decap_addr_key) == 20, "xlb_decap_addr_key");
_Static_assert(sizeof(struct xlb_decap_addr_val) == 4, "xlb_decap_addr_val");
#endif

#endif /* XLB_DECAP_ABI_H */
