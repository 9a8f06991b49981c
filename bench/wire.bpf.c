/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The two ends of the wire-rate bench (bench/wire_bench.sh):
 *
 *   wire_gen    run by BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 *               on the generator's veth: every frame is sent with XDP_TX,
 *               so the kernel's page pool is the packet source.
 *   wire_count  on the receiving veth: counts what the load balancer
 *               delivered and drops it (per-CPU counter, summed by the
 *               script with bpftool).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} wire_rx SEC(".maps");

SEC("xdp")
int wire_gen(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int wire_count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&wire_rx, &zero);

	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
