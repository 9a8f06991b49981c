#!/bin/bash
# 06_hitless_upgrade: during a continuous TCP stream (and 10 long-lived
# connections), `xlb interface attach eth0` is run again three times. Each
# re-attach swaps the XDP program (its id changes) and keeps the maps: the
# stream goes on without a reset or a stall, every byte echoed, and the
# configuration and the flow table are still there.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100
VIP=192.0.2.10
PORT=7

xdp_prog_id() {
	ip -n "$(lab_ns lb1)" -j link show dev eth0 |
		"$LAB_PYTHON" -c 'import json,sys; l=json.load(sys.stdin)[0]; print(l.get("xdp",{}).get("prog",{}).get("id","none"))'
}
flow_count() { lab_xlb flows count; }
# svc_packets: the echo service's packet counter.
svc_packets() {
	e2e_py "[x['packets'] for x in s['services'] if x['name'] == 'echo'][0]" s="$(lab_xlb -j stats)"
}

e2e_step "lab with 3 backends; service echo tcp $VIP:$PORT"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add echo tcp "$VIP:$PORT" || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add echo "$(lab_addr "$be")" || e2e_abort "backend add"
done
e2e_xlb interface list

e2e_step "a 4 MB/s TCP stream for 10 s and 10 long-lived connections"
e2e_stream_and_hold "$VIP" "$PORT" 10 10 0.1
e2e_note "stream on $(e2e_py "r['backend']" r="$(cat "$LAB_LOGS/stream.ready")")"
lab_sleep 1.5

config_before=$(e2e_xlb_quiet -j service list)
backends_before=$(e2e_xlb_quiet -j backend list)
flows_before=$(flow_count)
packets_before=$(svc_packets)
ids=("$(xdp_prog_id)")
e2e_note "xdp program id ${ids[0]}, $flows_before flows"

e2e_step "re-attach three times, 2 s apart"
for n in 1 2 3; do
	e2e_check "re-attach $n: xlb interface attach eth0 mode native" \
		lab_xlb interface attach eth0 mode native
	ids+=("$(xdp_prog_id)")
	e2e_note "xdp program id now ${ids[-1]}"
	lab_sleep 2
done
e2e_check "every re-attach put a new program in place (${ids[*]})" \
	test "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" -eq 4

e2e_expect_stream_and_hold_kept

e2e_step "state after the upgrades"
e2e_expect "services unchanged" "nocounters(a) == nocounters(b)" a="$config_before" b="$(e2e_xlb_quiet -j service list)"
e2e_expect "backends unchanged" "nocounters(a) == nocounters(b)" a="$backends_before" b="$(e2e_xlb_quiet -j backend list)"
flows_after=$(flow_count)
e2e_check "the flow table was kept ($flows_before flows before, $flows_after after)" \
	test "$flows_after" -ge "$flows_before" -a "$flows_before" -ge 11
packets_after=$(svc_packets)
e2e_check "the counters were kept ($packets_before packets before, $packets_after after)" \
	test "$packets_after" -gt "$packets_before" -a "$packets_before" -gt 1000
e2e_finish
