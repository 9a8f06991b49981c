// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * vlan_switch: the lab's model of a VLAN-aware switch, for a kernel with
 * neither 802.1Q devices nor bridge VLAN filtering. Attached (XDP) to the
 * switch side of a trunk port: a frame with one 802.1Q tag loses the tag
 * and is redirected to the access port of its VLAN, which is the device
 * with ifindex XLB_LAB_ACCESS_BASE + VID in the switch's namespace (the lab
 * creates access ports with `ip link add ... index N`, so no map is
 * needed). Untagged frames go to the host (XDP_PASS); a tag without an
 * access port is dropped, as a switch drops a VLAN it does not carry.
 * One direction only: the lab's backends answer clients through the router,
 * never back through the trunk (DSR).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define XLB_LAB_ACCESS_BASE 1000

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

SEC("xdp")
int vlan_switch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *tag = (void *)(eth + 1);
	__u8 macs[2 * ETH_ALEN];
	__u16 vid;

	if ((void *)(tag + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	vid = bpf_ntohs(tag->tci) & 0xfff;
	__builtin_memcpy(macs, eth, sizeof(macs));
	/* the inner ethertype stays where it is: it becomes eth->h_proto */
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth, macs, sizeof(macs));
	return bpf_redirect(XLB_LAB_ACCESS_BASE + vid, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
