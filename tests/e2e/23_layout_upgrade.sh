#!/bin/bash
# 23_layout_upgrade: pins of the previous map layout (2) are upgraded in
# place under traffic. The layout-2 datapath (tests/fixtures/xlb_v2.bpf.o,
# built from commit 26e1acc) is attached by tests/lab/xlb_v2_pins with its
# maps pinned as xlb 2 made them; the configuration is written into them;
# a TCP stream and 30 long-lived connections run through it. Then the
# first command of this xlb (`backend add`, adding a 4th backend) upgrades
# the pins: fresh maps of the current layout, the model re-applied, the flow entries
# converted and carried over, the program swapped with bpf_link_update
# (same link, no detach), then the backend added, which remaps about a
# quarter of the Maglev table. The stream goes on without a reset or a
# stall and every connection keeps working on its backend: their flow
# entries came over. The flow count is kept; `xlb --version` and
# `interface list` say the current layout (XLB_ABI_VERSION of bpf/xlb_abi.h).
source "$(dirname "$0")/common.sh"
LAYOUT=$(sed -n 's/^#define XLB_ABI_VERSION \([0-9]*\).*/\1/p' "$(dirname "$0")/../../bpf/xlb_abi.h")
e2e_require xlb bpftool
lab_watchdog 100
VIP=192.0.2.10
PORT=7
V2_OBJ=$E2E_DIR/../fixtures/xlb_v2.bpf.o
V2_PINS=$(dirname "$LAB_XDP_PASS")/xlb_v2_pins
[[ -r $V2_OBJ ]] || e2e_skip "no $V2_OBJ"
[[ -x $V2_PINS ]] || e2e_skip "no $V2_PINS (build the target xlb_v2_pins)"

xdp_prog_id() {
	ip -n "$(lab_ns lb1)" -j link show dev eth0 |
		"$LAB_PYTHON" -c 'import json,sys; l=json.load(sys.stdin)[0]; print(l.get("xdp",{}).get("prog",{}).get("id","none"))'
}
link_id() { bpftool -j link show pinned "$PIN/link_$IFINDEX" | e2e_py_stdin "d['id']"; }
e2e_py_stdin() { "$LAB_PYTHON" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
v2_flow_count() { bpftool -j map dump pinned "$PIN/xlb_flows" | e2e_py_stdin "len(d)"; }

e2e_step "lab with 4 backends; layout-2 pins attached to lb1's eth0"
lab_up 4 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
PIN=$LAB_BPFFS/lb1
IFINDEX=$(ip -n "$(lab_ns lb1)" -j link show dev eth0 | e2e_py_stdin "d[0]['ifindex']")
mkdir -p "$PIN"
e2e_check "xlb_v2_pins create: the layout-2 object attached" \
	lab_in lb1 "$V2_PINS" create "$V2_OBJ" "$PIN" eth0
e2e_xlb service add echo tcp "$VIP:$PORT" || e2e_abort "service add"
for be in be1 be2 be3; do
	e2e_xlb backend add echo "$(lab_addr "$be")" || e2e_abort "backend add"
done
e2e_check "xlb_v2_pins seal: the store says layout 2" lab_in lb1 "$V2_PINS" seal "$PIN"
e2e_check "no xlb_nexthops pin (layout 2 has none)" test ! -e "$PIN/xlb_nexthops"
prog_before=$(xdp_prog_id)
link_before=$(link_id)

e2e_step "a 4 MB/s TCP stream for 12 s and 30 long-lived connections through layout 2"
e2e_stream_and_hold "$VIP" "$PORT" 12 30 1
lab_sleep 1.5
flows_before=$(v2_flow_count)
e2e_note "xdp program $prog_before on link $link_before; $flows_before flow entries (layout 2)"

e2e_step "xlb backend add echo be4: the first command of this xlb upgrades the pins, then adds be4"
# be4 remaps about a quarter of the table within moments of the swap: a
# connection that sent nothing in between (they send once a second) stays
# on its backend only if its flow entry was carried over.
t0=${EPOCHREALTIME/./}
out=$(lab_xlb backend add echo "$(lab_addr be4)" 2>&1)
rc=$?
e2e_note "$out ($(((${EPOCHREALTIME/./} - t0) / 1000)) ms)"
e2e_check "backend add succeeded" test "$rc" -eq 0
e2e_check "it says it upgraded from layout 2 to $LAYOUT" grep -q "from layout 2 to $LAYOUT" <<<"$out"
e2e_check "a new program ($(xdp_prog_id), was $prog_before)" test "$(xdp_prog_id)" != "$prog_before"
e2e_check "on the same link ($(link_id), was $link_before): replaced, never detached" \
	test -n "$link_before" -a "$(link_id)" == "$link_before"
e2e_check "xlb_nexthops is pinned now" test -e "$PIN/xlb_nexthops"
flows_after=$(lab_xlb flows count)
e2e_check "the flow entries were carried over ($flows_before before, $flows_after after)" \
	test "$flows_after" -ge "$flows_before" -a "$flows_before" -ge 31
e2e_check "interface attach again: the same layout, the program replaced" \
	lab_xlb interface attach eth0 mode native

e2e_expect_stream_and_hold_kept

e2e_step "after the upgrade"
e2e_check "xlb --version says map layout $LAYOUT" grep -q "map layout $LAYOUT" <<<"$("$LAB_XLB" --version)"
e2e_expect "interface list says layout $LAYOUT" "d['layout'] == $LAYOUT" d="$(e2e_xlb_quiet -j interface list)"
e2e_check "the configuration came over: 4 backends" \
	test "$(lab_xlb list ruleset | grep -c '^backend add echo')" -eq 4
e2e_finish
