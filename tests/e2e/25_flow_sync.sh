#!/bin/bash
# 25_flow_sync: two load balancers behind the router's ECMP route (L4 hash),
# xlb-syncd on each. 60 long-lived connections spread over both; a backend
# is added on both (the Maglev tables move about a third of the choices);
# then lb2 is withdrawn: every connection that went through lb2 carries on
# through lb1 with the same backend, zero resets, because lb1 has lb2's
# flow entries. The same scenario without syncd shows resets (so the test
# can fail). Then: a datagram with a wrong key and a replayed one are
# rejected and counted.
source "$(dirname "$0")/common.sh"
e2e_require xlb
SYNCD=${SYNCD:-$(dirname "$LAB_XLB")/xlb-syncd}
[[ -x $SYNCD ]] || e2e_abort "no xlb-syncd binary ('$SYNCD')"
lab_watchdog 140
VIP=192.0.2.10
PORT=7
N=60

e2e_step "lab: 3 backends, 2 lbs with be1 and be2; ECMP over both"
lab_up 3 2 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_in router sysctl -qw net.ipv4.fib_multipath_hash_policy=1
for lb in lb1 lb2; do
	lab_prime_neigh "$lb" || e2e_abort "$lb cannot resolve the backends"
	e2e_xlb "@$lb" interface attach eth0 mode native || e2e_abort "attach on $lb"
	e2e_xlb "@$lb" service add echo tcp "$VIP:$PORT" || e2e_abort "service add on $lb"
done
KEY=$LAB_DIR/sync.key
head -c 32 /dev/urandom | base64 >"$KEY"

start_syncd() { # lb peer
	lab_bg "$1" "syncd-$1" "$SYNCD" --pin-path "$LAB_BPFFS/$1" --key "$KEY" \
		--peer "$(lab_addr "$2")" --interval 2
	eval "SYNCD_$1=$LAB_LAST_PID"
}

# One round: fresh pools (be1, be2) and tables, N connections over both lbs,
# be3 added on both, lb2 withdrawn. Sets R (the hold client's result).
scenario() {
	local lb ready=$LAB_LOGS/hold-$1.ready stop=$LAB_LOGS/hold-$1.stop
	for lb in lb1 lb2; do
		lab_xlb "@$lb" backend del echo "$(lab_addr be3)" >/dev/null 2>&1
		for be in be1 be2; do lab_xlb "@$lb" backend add echo "$(lab_addr "$be")" >/dev/null 2>&1; done
		lab_xlb "@$lb" flows flush >/dev/null
		lab_xlb "@$lb" stats reset >/dev/null
	done
	lab_route_vip "$LAB_VIP_NET4" lb1 lb2
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
	lab_route_vip "$LAB_VIP_NET4" lb1
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
e2e_finish
