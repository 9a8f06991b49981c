/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The two ends of the wire-rate bench (bench/wire_bench.sh):
 *
 *   wire_gen    run by BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 *               on the generator's veth: every frame is sent with XDP_TX,
 *               so the kernel's page pool is the packet source.
 *   wire_gen_fresh  the same, but every frame gets a client endpoint never
 *               sent before (IPv4 source address low word and TCP source
 *               port from a counter), so each is a new flow at the load
 *               balancer. The IPv4 header checksum is updated (RFC 1624);
 *               the TCP checksum is left stale, which no load balancer
 *               here checks.
 *   wire_gen_cycle  the same, but the IPv4 source address is
 *               cycle_base + (n mod cycle) for the n-th frame (TCP port
 *               as given): `cycle` clients visited in turn, each sending
 *               one frame per cycle. Used for "100,000 flows in turn" and
 *               for a flood from 1,000,000 sources.
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} wire_seq SEC(".maps");

SEC("xdp")
int wire_gen(struct xdp_md *ctx)
{
	return XDP_TX;
}

/* Offsets in an untagged Ethernet + 20-byte IPv4 + TCP frame. */
#define WIRE_IP_CSUM  (14 + 10)
#define WIRE_SADDR_LO (14 + 14)
#define WIRE_SPORT    (14 + 20)

/* RFC 1624: the checksum after one 16-bit word changed from old to new. */
static __always_inline __u16 csum_replace(__u16 sum, __u16 old, __u16 new)
{
	__u32 s = (__u16)~sum + (__u16)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

SEC("xdp")
int wire_gen_fresh(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u16 *csum = data + WIRE_IP_CSUM, *saddr = data + WIRE_SADDR_LO;
	__u16 *sport = data + WIRE_SPORT, lo;
	__u32 zero = 0, *seq = bpf_map_lookup_elem(&wire_seq, &zero), n;

	if (!seq || (void *)(sport + 1) > end)
		return XDP_ABORTED;
	n = (*seq)++;
	/* 2^14 ports per address (as the datapath bench), in network order. */
	lo = __builtin_bswap16((__u16)(n >> 14));
	*csum = csum_replace(*csum, *saddr, lo);
	*saddr = lo;
	*sport = __builtin_bswap16(1024 + (n & 0x3fff));
	return XDP_TX;
}

/* Set before load by xlb_bench_wire --cycle (host byte order base). */
const volatile __u32 cycle = 1;
const volatile __u32 cycle_base;

SEC("xdp")
int wire_gen_cycle(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u16 *csum = data + WIRE_IP_CSUM, *saddr = data + WIRE_SADDR_LO - 2;
	__u32 zero = 0, *seq = bpf_map_lookup_elem(&wire_seq, &zero), a;
	__u16 hi, lo;

	if (!seq || (void *)(saddr + 2) > end)
		return XDP_ABORTED;
	a = cycle_base + (*seq)++ % cycle;
	hi = __builtin_bswap16((__u16)(a >> 16));
	lo = __builtin_bswap16((__u16)a);
	*csum = csum_replace(*csum, saddr[0], hi);
	*csum = csum_replace(*csum, saddr[1], lo);
	saddr[0] = hi;
	saddr[1] = lo;
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
