/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The datapath's maps. Sizes here are defaults: the control plane sets the
 * real capacities with bpf_map__set_max_entries() before the first load, and
 * every later load reuses the pinned maps (pinning by name, under the pin
 * path given to libbpf).
 */
#ifndef XLB_MAPS_H
#define XLB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xlb_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xlb_bank);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_banks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* two banks, each with services plus one VIP-level entry per VIP */
	__uint(max_entries, 4 * XLB_DEFAULT_MAX_SERVICES);
	__type(key, struct xlb_svc_key);
	__type(value, struct xlb_svc);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_svcs SEC(".maps");

/* Prefix VIPs: VIP-level entries by longest prefix (xlb_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * XLB_DEFAULT_MAX_SERVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xlb_vip_prefix_key);
	__type(value, struct xlb_svc);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_vip_prefixes SEC(".maps");

/* Per bank: what xlb_vip_prefixes can hold (xlb_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xlb_vip_cover);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_vip_cover SEC(".maps");

/* The template of every Maglev table. BPF_F_INNER_MAP lets each table have
 * its own (prime) size; BPF_F_MMAPABLE lets the control plane fill a new
 * table with one memcpy instead of a batch of 16381 (or 65537) updates. */
struct xlb_ring_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_RING_DEFAULT);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries,
	       XLB_RING_SLOTS_PER_SERVICE *XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xlb_ring_inner); /* must come last */
} xlb_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_backends SEC(".maps");

/* The flow table: one LRU list for all CPUs (layout 6; before, per-CPU
 * lists, BPF_F_NO_COMMON_LRU). The common LRU hands each CPU free entries
 * from a local list refilled 128 at a time, evicting in batches, where the
 * per-CPU LRU evicts 4 at a time: a new flow that has to evict cost ~2x
 * (bench/README.md, issue 16's churn). Each CPU can also use the whole
 * table rather than its 1/Nth share. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_MAX_FLOWS);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_flows SEC(".maps");

/* Persistence (see xlb_abi.h): a quarter of the flow table's capacity
 * (Capacities::persist()), one LRU list for all CPUs like it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_MAX_FLOWS / 4);
	__type(key, struct xlb_persist_key);
	__type(value, struct xlb_persist);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_persist SEC(".maps");

/* The flow guard's count of this second, per CPU (see flows.h). Pinned so
 * that every attached instance counts against the same guard. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_guard);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_guard SEC(".maps");

/* ICMP echo replies sent this second, per CPU (echo.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_guard);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_echo_guard SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_be_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_G_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XLB_STORE_MAX_CHUNKS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xlb_store_key);
	__type(value, struct xlb_store_chunk);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_store SEC(".maps");

/* Never read by the datapath. Replacing its one entry makes the kernel wait
 * for an RCU grace period (map-in-map updates do), so the control plane
 * knows no packet still reads the bank it is about to rewrite. */
struct xlb_grace_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xlb_grace_inner);
} xlb_grace SEC(".maps");

/* Health-check NAT (see xlb_abi.h). Two banks of at most one entry per
 * backend. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XLB_DEFAULT_MAX_BACKENDS);
	__type(key, struct xlb_nat_key);
	__type(value, struct xlb_nat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_hc_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_hc_cfg SEC(".maps");

/* Probes in flight: a few per backend and check at most. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct xlb_hc_reply_key);
	__type(value, struct xlb_hc_reply);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_hc_replies SEC(".maps");

/* Next hops by stable backend id (see xlb_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_nh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_nexthops SEC(".maps");

/* Egress devices for XDP_REDIRECT, by ifindex: every attached interface
 * (at attach) and every next hop's egress (at commit). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XLB_MAX_TX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_tx_ports SEC(".maps");

/* Flow sync (see xlb_abi.h): the export switch xlb-syncd sets, the events
 * it reads, and its counters. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_sync_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_sync_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XLB_SYNC_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_sync_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_SYNC_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_sync_stats SEC(".maps");

/* Capture (see xlb_abi.h): events while `xlb capture` runs, and per CPU
 * the last drop's reason. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XLB_CAPTURE_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_capture_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_capture_note);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_capture_note SEC(".maps");

#endif /* XLB_MAPS_H */
