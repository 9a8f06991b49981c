#!/bin/bash
# 27_filter_switch: a running xlb (eth0 attached, a TCP stream and 10
# long-lived connections through it, flows in the table) gains its first
# filter rule: eth0 switches from the balancer (xlb_xdp) to xlb's entry
# program (xlb_entry, which tail-calls filter -> balancer) by bpf_link_update
# of the same link: no detach, the link id stays, the flows stay, the stream
# never stalls. When the last rule goes, eth0 runs the balancer itself again
# (issue 17: no cost to the plain path).
source "$(dirname "$0")/common.sh"
e2e_require xlb bpftool
lab_watchdog 100
VIP=192.0.2.10
PORT=7

e2e_py_stdin() { "$LAB_PYTHON" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# The id of the pinned link of lb1's eth0, and the name of the program it runs.
link_json() {
	local ifindex
	ifindex=$(ip -n "$(lab_ns lb1)" -j link show dev eth0 | e2e_py_stdin "d[0]['ifindex']") || return 1
	bpftool -j link show pinned "$LAB_BPFFS/lb1/link_$ifindex"
}
link_id() { link_json | e2e_py_stdin "d['id']"; }
prog_name() {
	bpftool -j prog show id "$(link_json | e2e_py_stdin "d['prog_id']")" | e2e_py_stdin "d['name']"
}
flow_count() { lab_xlb flows count; }

e2e_step "lab with 3 backends; service echo tcp $VIP:$PORT"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add echo tcp "$VIP:$PORT" || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add echo "$(lab_addr "$be")" || e2e_abort "backend add"
done
link=$(link_id)
e2e_check "no rule: eth0 runs the balancer (link $link)" test "$(prog_name)" = xlb_xdp

e2e_step "a 4 MB/s TCP stream for 8 s and 10 long-lived connections"
e2e_stream_and_hold "$VIP" "$PORT" 8 10 0.1
lab_sleep 1.5
flows_before=$(flow_count)
e2e_note "$flows_before flows"

e2e_step "the first filter rule (a prefix no client uses): eth0 switches to the entry program"
e2e_xlb filter add drop src 198.18.0.0/15 || e2e_abort "filter add"
e2e_check "eth0 runs xlb_entry" test "$(prog_name)" = xlb_entry
e2e_check "through the same link (id $link): no detach" test "$(link_id)" = "$link"
flows_mid=$(flow_count)
e2e_check "the flows stayed ($flows_before before, $flows_mid after)" \
	test "$flows_mid" -ge "$flows_before" -a "$flows_before" -ge 11
lab_sleep 2
e2e_xlb filter add drop src 198.20.0.0/16 || e2e_abort "second filter add"
e2e_check "a second rule: still xlb_entry" test "$(prog_name)" = xlb_entry
lab_sleep 1

e2e_step "the last rule goes: eth0 runs the balancer itself again"
e2e_xlb -f - <<'EOF' || e2e_abort "filter del"
filter del drop src 198.18.0.0/15
filter del drop src 198.20.0.0/16
EOF
e2e_check "eth0 runs xlb_xdp" test "$(prog_name)" = xlb_xdp
e2e_check "through the same link (id $link)" test "$(link_id)" = "$link"

e2e_expect_stream_and_hold_kept
flows_after=$(flow_count)
e2e_check "the flow table was kept ($flows_after flows)" test "$flows_after" -ge "$flows_before"
e2e_finish
