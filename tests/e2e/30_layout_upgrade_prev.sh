#!/bin/bash
# 30_layout_upgrade_prev: pins made and driven by the PREVIOUS xlb (a binary
# of the last layout, given as XLB_PREV; skipped without it) are upgraded
# in place under traffic by this xlb. Unlike 23 (whose layout-2 pins are
# filled by this xlb), everything before the upgrade is the old release's
# own doing: attach, configuration, and flow entries its program made.
# A TCP stream and 30 long-lived connections run through it; this xlb's
# `backend add` (a 4th backend, remapping about a quarter of the table)
# upgrades the pins: fresh maps of this layout (the flow table recreated
# when its map flags changed: per-CPU LRU lists in layout 5, one LRU in 6),
# the flow entries carried over, the program swapped on the same link. The
# stream and every connection go on on their backends.
#
#   XLB_PREV=/path/to/old/xlb bash 30_layout_upgrade_prev.sh XLB XDP_PASS_OBJ
#
# An XLB_PREV binary of the last layout: `git archive LAST_COMMIT | tar -x`
# and build its xlb target (bench/ab.sh keeps such trees in XLB_AB_CACHE).
source "$(dirname "$0")/common.sh"
LAYOUT=$(sed -n 's/^#define XLB_ABI_VERSION \([0-9]*\).*/\1/p' "$(dirname "$0")/../../bpf/xlb_abi.h")
e2e_require xlb
[[ -x ${XLB_PREV:-} ]] || e2e_skip "XLB_PREV (the previous release's xlb binary) is not set"
PREV_LAYOUT=$("$XLB_PREV" --version | sed -n 's/.*map layout \([0-9]*\).*/\1/p')
[[ -n $PREV_LAYOUT && $PREV_LAYOUT -lt $LAYOUT ]] ||
	e2e_skip "XLB_PREV is map layout '${PREV_LAYOUT}', not older than $LAYOUT"
lab_watchdog 100
VIP=192.0.2.10
PORT=7
NEW_XLB=$LAB_XLB

e2e_step "lab with 4 backends; the previous xlb (layout $PREV_LAYOUT) attached to lb1's eth0"
lab_up 4 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
LAB_XLB=$XLB_PREV
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add echo tcp "$VIP:$PORT" || e2e_abort "service add"
for be in be1 be2 be3; do
	e2e_xlb backend add echo "$(lab_addr "$be")" || e2e_abort "backend add"
done
e2e_expect "interface list says layout $PREV_LAYOUT" "d['layout'] == $PREV_LAYOUT" \
	d="$(e2e_xlb_quiet -j interface list)"

e2e_step "a 4 MB/s TCP stream for 12 s and 30 long-lived connections through layout $PREV_LAYOUT"
e2e_stream_and_hold "$VIP" "$PORT" 12 30 1
lab_sleep 1.5
flows_before=$(lab_xlb flows count)
flows_map() { bpftool -j map show pinned "$LAB_BPFFS/lb1/xlb_flows" 2>/dev/null | e2e_py_stdin "(d['id'], d['flags'])"; }
e2e_py_stdin() { "$LAB_PYTHON" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
map_before=$(flows_map)
e2e_note "$flows_before flow entries (layout $PREV_LAYOUT); xlb_flows (id, flags): $map_before"

e2e_step "this xlb's backend add echo be4 upgrades the pins, then adds be4"
LAB_XLB=$NEW_XLB
out=$(lab_xlb backend add echo "$(lab_addr be4)" 2>&1)
rc=$?
e2e_note "$out"
e2e_check "backend add succeeded" test "$rc" -eq 0
e2e_check "it says it upgraded from layout $PREV_LAYOUT to $LAYOUT" \
	grep -q "from layout $PREV_LAYOUT to $LAYOUT" <<<"$out"
flows_after=$(lab_xlb flows count)
e2e_note "xlb_flows (id, flags): $(flows_map), was $map_before"
e2e_check "the flow entries were carried over ($flows_before before, $flows_after after)" \
	test "$flows_after" -ge "$flows_before" -a "$flows_before" -ge 31

e2e_expect_stream_and_hold_kept

e2e_step "after the upgrade"
e2e_expect "interface list says layout $LAYOUT" "d['layout'] == $LAYOUT" d="$(e2e_xlb_quiet -j interface list)"
e2e_check "the configuration came over: 4 backends" \
	test "$(lab_xlb list ruleset | grep -c '^backend add echo')" -eq 4
e2e_finish
