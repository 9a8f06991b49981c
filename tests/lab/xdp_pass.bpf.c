/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * xdp_pass: the lab's do-nothing XDP program.
 *
 * On a veth, a frame sent with XDP_TX (or redirected) by one end is received
 * by the other end only if that end has an XDP program of its own. The lab
 * attaches this program to the router-side peer of each load balancer's veth
 * so the frames xlb forwards with XDP_TX reach the bridge:
 *
 *   ip link set dev lb1 xdp obj xdp_pass.bpf.o sec xdp
 */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
