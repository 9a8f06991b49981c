/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xlb_maps.h"

/* Set by the loader: the MAC of the interface this instance is attached to. */
const volatile __u8 xlb_iface_mac[6] = {};

SEC("xdp")
int xlb_xdp(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct xlb_ctl *c = bpf_map_lookup_elem(&xlb_ctl, &k);
	if (!c)
		return XDP_PASS;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
