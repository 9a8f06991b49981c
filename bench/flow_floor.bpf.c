/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The flow floor of the wire bench (bench/wire_bench.sh): the least any
 * load balancer with a flow table does per packet, and nothing else. It
 * parses Ethernet, IPv4 and TCP, looks the 5-tuple up in an LRU hash of
 * xlb's key, entry and size (xlb_flows: 40-byte key, 16-byte entry,
 * XLB_DEFAULT_MAX_FLOWS, one LRU for all CPUs), inserts it on a miss,
 * rewrites the destination MAC to the entry's backend and sends the frame
 * back out (XDP_TX). No VIP, service, Maglev table, counter, clock or
 * health check: what this costs above floor_tx is what the flow table
 * alone costs on this machine, a bound on what xlb can reach in each mode.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xlb_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_MAX_FLOWS);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_flow);
} flow_floor_flows SEC(".maps");

/* Three backends' MACs, as the bench's ruleset has (02:be:00:00:00:0N). */
static __always_inline void set_backend_mac(struct ethhdr *eth, __u32 backend)
{
	eth->h_dest[0] = 0x02;
	eth->h_dest[1] = 0xbe;
	eth->h_dest[2] = 0;
	eth->h_dest[3] = 0;
	eth->h_dest[4] = 0;
	eth->h_dest[5] = (__u8)(backend + 1);
}

SEC("xdp")
int flow_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	struct xlb_flow_key key = {};
	struct xlb_flow *flow, fresh = {};

	if ((void *)(tcp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	key.src.w[0] = ip->saddr;
	key.dst.w[0] = ip->daddr;
	key.sport = tcp->source;
	key.dport = tcp->dest;
	key.proto = IPPROTO_TCP;
	key.family = XLB_AF_INET;
	flow = bpf_map_lookup_elem(&flow_floor_flows, &key);
	if (!flow) {
		fresh.backend = key.sport % 3;
		fresh.cookie = 1;
		bpf_map_update_elem(&flow_floor_flows, &key, &fresh, BPF_ANY);
		flow = &fresh;
	}
	set_backend_mac(eth, flow->backend);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
