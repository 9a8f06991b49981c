/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The floor of the benchmarks: programs that do nothing but return a
 * verdict. Whatever BPF_PROG_TEST_RUN (or a veth) reports for them is the
 * fixed cost of the harness, which the datapath's figures are reported net
 * of. Both read one byte of the frame, as any real program must.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int floor_pass(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	return data + 1 <= end ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int floor_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	return data + 1 <= end ? XDP_TX : XDP_ABORTED;
}

/* The floor of a flood that is dropped (the filter's figure). */
SEC("xdp")
int floor_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	return data + 1 <= end ? XDP_DROP : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
