#!/bin/bash
# 25_flow_sync: two load balancers announce the VIP over BGP (BIRD on each,
# fed by xlb-healthd through kernel table 100); the router's BIRD merges the
# paths and its kernel hashes on L4 (as 16_healthd_ecmp). xlb-syncd on each.
# 60 long-lived connections spread over both; a backend is added on both
# (the Maglev tables move about a third of the choices); then lb2's route is
# withdrawn over BGP: every connection that went through lb2 carries on
# through lb1 with the same backend, zero resets, because lb1 has lb2's
# flow entries. The same scenario without syncd shows resets (so the test
# can fail). Then: a datagram with a wrong key and a replayed one are
# rejected and counted.
source "$(dirname "$0")/common.sh"
e2e_require xlb bird birdc
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
SYNCD=${SYNCD:-$(dirname "$LAB_XLB")/xlb-syncd}
[[ -x $SYNCD ]] || e2e_abort "no xlb-syncd binary ('$SYNCD')"
lab_watchdog 140
VIP=192.0.2.10
PORT=7
N=60

e2e_step "lab: 3 backends, 2 lbs with be1 and be2; BGP and ECMP over both"
lab_up 3 2 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
for lb in lb1 lb2; do
	lab_prime_neigh "$lb" || e2e_abort "$lb cannot resolve the backends"
	e2e_xlb "@$lb" interface attach eth0 mode native || e2e_abort "attach on $lb"
	e2e_xlb "@$lb" service add echo tcp "$VIP:$PORT" || e2e_abort "service add on $lb"
done
lab_bgp_ecmp lb1 lb2 || e2e_abort "BIRD"
KEY=$LAB_DIR/sync.key
head -c 32 /dev/urandom | base64 >"$KEY"

start_syncd() { # lb peer
	lab_bg "$1" "syncd-$1" "$SYNCD" --pin-path "$LAB_BPFFS/$1" --key "$KEY" \
		--peer "$(lab_addr "$2")" --interval 2
	eval "SYNCD_$1=$LAB_LAST_PID"
}

# announce LB: xlb-healthd writes the VIP's route, BIRD sends it to the router.
# withdraw LB: the route goes, BIRD withdraws it.
announce() {
	lab_in "$1" "$HEALTHD" --pin-path "$LAB_BPFFS/$1" --once --kernel-table 100 \
		>>"$LAB_LOGS/healthd-$1.log" 2>&1
}
withdraw() { lab_in "$1" ip route flush table 100; }

# One round: fresh pools (be1, be2) and tables, N connections over both lbs,
# be3 added on both, lb2 withdrawn over BGP. Sets R (the hold client's result).
scenario() {
	local lb ready=$LAB_LOGS/hold-$1.ready stop=$LAB_LOGS/hold-$1.stop
	for lb in lb1 lb2; do
		lab_xlb "@$lb" backend del echo "$(lab_addr be3)" >/dev/null 2>&1
		for be in be1 be2; do lab_xlb "@$lb" backend add echo "$(lab_addr "$be")" >/dev/null 2>&1; done
		lab_xlb "@$lb" flows flush >/dev/null
		lab_xlb "@$lb" stats reset >/dev/null
	done
	announce lb1 && announce lb2 || e2e_abort "healthd"
	lab_wait_nexthops $VIP 2 || e2e_abort "the router has not two paths to $VIP"
	lab_bg client "hold-$1" "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold "$VIP" "$PORT" --conns $N \
		--interval 0.1 --duration 60 --ready-file "$ready" --stop-file "$stop"
	local pid=$LAB_LAST_PID i
	for ((i = 0; i < 100; i++)); do
		[[ -s $ready ]] && break
		lab_sleep 0.1
	done
	[[ -s $ready ]] || e2e_abort "the connections did not open"
	lab_sleep 1.5
	local n1 n2
	n1=$(e2e_py "s['global']['new_flows']" s="$(e2e_xlb_quiet @lb1 -j stats)")
	n2=$(e2e_py "s['global']['new_flows']" s="$(e2e_xlb_quiet @lb2 -j stats)")
	e2e_note "$1: new flows on lb1 $n1, on lb2 $n2"
	e2e_check "$1: the connections crossed both lbs" test "$n1" -gt 0 -a "$n2" -gt 0
	for lb in lb1 lb2; do
		lab_xlb "@$lb" backend add echo "$(lab_addr be3)" >/dev/null || e2e_abort "add be3 on $lb"
	done
	lab_sleep 0.5
	withdraw lb2
	lab_wait_nexthops $VIP 1 || e2e_abort "lb2 was not withdrawn"
	lab_sleep 3
	touch "$stop"
	wait "$pid"
	R=$(cat "$LAB_LOGS/hold-$1.log")
	e2e_note "$1: open at end $(e2e_py "r['open_at_end']" r="$R") of $N," \
		"errors: $(e2e_py "len(r['errors'])" r="$R")"
}

e2e_step "without syncd: connections that crossed lb2 and moved in the table are reset"
scenario nosync
e2e_expect "without syncd: some connections were reset" "r['open_at_end'] < $N" r="$R"

e2e_step "with xlb-syncd on both lbs: no connection is reset"
start_syncd lb1 lb2
start_syncd lb2 lb1
lab_sleep 1
scenario sync
e2e_expect "with syncd: all $N connections carried on" "r['ok'] and r['open_at_end'] == $N" r="$R"
s=$(e2e_xlb_quiet @lb1 -j stats)
e2e_note "lb1 sync: $(e2e_py "s['sync']" s="$s")"
e2e_expect "lb1 installed lb2's flows" "s['sync']['installed'] > 0" s="$s"
out=$(lab_xlb @lb1 stats)
e2e_check "xlb stats shows the Sync line" grep -q '^Sync: .*installed [1-9]' <<<"$out"

e2e_step "a wrong key and a replayed datagram are rejected and counted"
before=$(e2e_xlb_quiet @lb1 -j stats)
lab_in lb2 "$LAB_PYTHON" - "$(lab_addr lb1)" "$KEY" <<'PY'
import hashlib, hmac, socket, struct, sys
addr, keyfile = sys.argv[1], sys.argv[2]
key = open(keyfile, "rb").read().rstrip()
def datagram(k, seq):
    body = b"XLBS" + struct.pack(">BBHIQ", 1, 1, 0, 0xfeed, seq)
    return body + hmac.new(k, body, hashlib.sha256).digest()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(datagram(b"not the shared key at all", 1), (addr, 8848))
good = datagram(key, 1 << 62)
s.sendto(good, (addr, 8848))
s.sendto(good, (addr, 8848))
PY
lab_sleep 0.5
after=$(e2e_xlb_quiet @lb1 -j stats)
e2e_expect "wrong key: rejected_tag +1" "a['sync']['rejected_tag'] == b['sync']['rejected_tag'] + 1" \
	a="$after" b="$before"
e2e_expect "replay: rejected_replay +1" \
	"a['sync']['rejected_replay'] == b['sync']['rejected_replay'] + 1" a="$after" b="$before"
p=$(e2e_xlb_quiet @lb1 stats --prometheus)
e2e_check "Prometheus has the rejections" grep -q 'xlb_sync_rejected_total{reason="replay"} [1-9]' <<<"$p"

e2e_step "SIGTERM turns the export off"
flags() { bpftool -j map lookup pinned "$LAB_BPFFS/lb1/xlb_sync_ctl" key 0 0 0 0 |
	e2e_py "v['formatted']['value']['flags']" v="$(cat)"; }
e2e_check "export is on while syncd runs" test "$(flags)" = 1
kill -TERM "$SYNCD_lb1"
wait "$SYNCD_lb1"
e2e_check "syncd on lb1 exited with status 0" test $? -eq 0
e2e_check "export is off after SIGTERM" test "$(flags)" = 0

e2e_step "a syncd that starts gets its peer's live flows (bulk sync)"
lab_xlb @lb1 flows flush >/dev/null
c2=$(lab_xlb @lb2 flows count)
e2e_note "lb1 flushed; lb2 holds $c2 flow entries"
start_syncd lb1 lb2
bulk_arrived() { [[ $(lab_xlb @lb1 flows count) -ge $c2 ]]; }
for ((i = 0; i < 50; i++)); do bulk_arrived && break; lab_sleep 0.1; done
e2e_check "lb1 has lb2's $c2 entries again ($(lab_xlb @lb1 flows count))" bulk_arrived

e2e_step "SIGKILL leaves the export on; xlb-syncd --stop-export turns it off"
kill -KILL "$SYNCD_lb1"
wait "$SYNCD_lb1" 2>/dev/null
e2e_check "export is still on after SIGKILL" test "$(flags)" = 1
e2e_check "--stop-export exits 0" lab_in lb1 "$SYNCD" --pin-path "$LAB_BPFFS/lb1" --stop-export
e2e_check "export is off" test "$(flags)" = 0
out=$(lab_in lb1 "$SYNCD" --pin-path "$LAB_BPFFS/nowhere" --stop-export 2>&1)
e2e_check "--stop-export without a datapath exits 1 and says why" \
	test $? -eq 1 -a -n "$(grep -F 'cannot open' <<<"$out")"

e2e_step "multicast: flows through lb1 reach lb2 over a group on eth0"
kill -TERM "$SYNCD_lb2"
wait "$SYNCD_lb2" 2>/dev/null
for lb in lb1 lb2; do
	lab_bg "$lb" "msyncd-$lb" "$SYNCD" --pin-path "$LAB_BPFFS/$lb" --key "$KEY" \
		--group 239.0.88.48 --dev eth0 --no-bulk
done
lab_xlb @lb2 flows flush >/dev/null
lab_sleep 1
before=$(e2e_xlb_quiet @lb2 -j stats)
r=$(lab_client hold "$VIP" "$PORT" --conns 10 --interval 0.1 --duration 1)
e2e_expect "10 connections through lb1" "r['ok'] and r['open_at_end'] == 10" r="$r"
lab_sleep 0.5
after=$(e2e_xlb_quiet @lb2 -j stats)
e2e_expect "lb2 installed lb1's 10 new flows from the group" \
	"a['sync']['installed'] - b['sync']['installed'] >= 10" a="$after" b="$before"
e2e_check "lb2's flow table holds them" test "$(lab_xlb @lb2 flows count)" -ge 10
e2e_finish
