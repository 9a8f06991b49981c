/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * drop_port: an operator's own XDP program, chained in front of xlb in the
 * tests (`interface attach DEV chain drop_port.bpf.o`): drops IPv4 TCP and
 * UDP to port 9999, answers XDP_TX for port 9998 and XDP_PASS (to the
 * kernel's stack) for port 9997, verdicts xlb must keep; everything else
 * goes on into xlb by xlb_chain_continue() (bpf/xlb_chain.h), as an
 * operator's program would.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "xlb_chain.h"

SEC("xdp")
int drop_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *l4;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return xlb_chain_continue(ctx);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return xlb_chain_continue(ctx);
	l4 = (void *)ip + ip->ihl * 4;
	if ((void *)(l4 + 1) > data_end)
		return xlb_chain_continue(ctx);
	if (l4->dest == bpf_htons(9999))
		return XDP_DROP;
	if (l4->dest == bpf_htons(9998))
		return XDP_TX;
	if (l4->dest == bpf_htons(9997))
		return XDP_PASS;
	return xlb_chain_continue(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
