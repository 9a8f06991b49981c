#!/bin/bash
# 18_next_hops: next hops are maintained state (issue 13).
#   1. Boot with a dead backend: a ruleset whose be3 answers nothing (not
#      even ARP: its link is down) applies with exit 0 and a warning naming be3; be3 is shown
#      unresolved and the VIP is served by be1 and be2 with no failed
#      connection. be3 comes up: one `xlb backend refresh` brings it in.
#      Then, with xlb-healthd running, be3 (dead and unresolved again) joins
#      within 5 s of coming up, with no command.
#   2. MAC change: be2's eth0 gets a new MAC and announces it (gratuitous
#      ARP); xlb-healthd follows: connections reach be2 again within 2 s.
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 120
WEB=192.0.2.10
BE3=$(lab_addr be3)

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
next_hop_of() { # ADDR
	e2e_py "[b['next_hop'] for b in m['backends'] if b['address'] == '$1'][0]" \
		m="$(lab_xlb -j backend list web)"
}
# watch_start TAG SECONDS: HTTP to the VIP from the client, 4 at a time
# for SECONDS, each answer logged as "EPOCH_MS BACKEND" in $LAB_LOGS/TAG.log.
watch_start() {
	lab_bg client "$1" "$LAB_PYTHON" -u -c '
import http.client, sys, threading, time
end = time.time() + float(sys.argv[2])
def worker():
    while time.time() < end:
        try:
            c = http.client.HTTPConnection(sys.argv[1], 80, timeout=0.3)
            c.request("GET", "/", headers={"Connection": "close"})
            name = c.getresponse().read().decode().strip()
            sys.stdout.write("%d %s\n" % (int(time.time() * 1000), name))
            sys.stdout.flush()
        except Exception:
            pass
ts = [threading.Thread(target=worker) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
' "$WEB" "$2"
	WATCH_PID=$LAB_LAST_PID
}
# reached TAG NAME T0: ms from T0 (epoch ms) to NAME's first answer after it.
reached() {
	# Threads may interleave their lines: only whole "MS NAME" lines count.
	awk -v t0="$3" -v n="$2" 'NF == 2 && length($1) == 13 && $1 >= t0 && $2 == n { print $1 - t0; exit }' \
		"$LAB_LOGS/$1.log"
}
epoch_ms() { date +%s%3N; }
served_by_one_and_two() {
	local r
	r=$(lab_client http "http://$WEB/" --count 60 --parallel 4)
	e2e_expect "$1" "r['ok'] == 60 and r['failed'] == 0 and set(r['backends']) == {'be1', 'be2'}" r="$r"
}

e2e_step "lab: 3 backends, be3 answers nothing"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_unplug be3 || e2e_abort "unplug be3"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"

e2e_step "1. boot: the ruleset applies with be3 unresolved"
t0=$(now_ms)
err=$(lab_xlb -f - 2>&1 >/dev/null <<EOT
flush ruleset
service add web tcp $WEB:80
backend add web $(lab_addr be1)
backend add web $(lab_addr be2)
backend add web $BE3
EOT
)
rc=$?
e2e_note "applied in $(($(now_ms) - t0)) ms"
e2e_check "xlb -f exits 0" test $rc -eq 0
e2e_check "a warning names be3" grep -q "warning: backend $BE3 of service web: next hop unresolved" <<<"$err"
e2e_check "be3 is unresolved" test "$(next_hop_of "$BE3")" == unresolved
e2e_check "be1 is resolved" test "$(next_hop_of "$(lab_addr be1)")" == resolved
e2e_check "backend list says unresolved" grep -q "$BE3 .*unresolved" <<<"$(lab_xlb backend list)"
served_by_one_and_two "the VIP is served by be1 and be2, no connection fails"

e2e_step "be3 comes up; one xlb backend refresh"
lab_plug be3 || e2e_abort "plug be3"
e2e_xlb backend refresh
e2e_check "be3 is resolved" test "$(next_hop_of "$BE3")" == resolved
r=$(lab_client http "http://$WEB/" --count 90 --parallel 4)
e2e_expect "be3 gets its share, no connection fails" \
	"r['ok'] == 90 and r['backends'].get('be3', 0) >= 10" r="$r"

e2e_step "be3 dies again and is re-added: unresolved"
lab_unplug be3 || e2e_abort "unplug be3"
e2e_xlb backend del web "$BE3"
ip -n "$(lab_ns lb1)" neigh del "$BE3" dev eth0
lab_xlb backend add web "$BE3" 2>/dev/null
e2e_check "be3 is unresolved" test "$(next_hop_of "$BE3")" == unresolved
lab_bg lb1 healthd "$HEALTHD" --pin-path "$LAB_BPFFS/lb1"
lab_sleep 1.5
served_by_one_and_two "with xlb-healthd: served by be1 and be2, no connection fails"

e2e_step "be3 comes up with xlb-healthd running"
watch_start watch-join 8
lab_sleep 1
lab_plug be3 || e2e_abort "plug be3"
t0=$(epoch_ms)
wait "$WATCH_PID"
ms=$(reached watch-join be3 "$t0")
e2e_note "be3's first connection ${ms:-never} ms after it came up"
e2e_check "be3 gets connections within 5 s" test -n "$ms" -a "${ms:-99999}" -le 5000
e2e_check "be3 is resolved" test "$(next_hop_of "$BE3")" == resolved

e2e_step "2. be2's MAC changes and is announced"
old=$(lab_mac be2)
new=02:42:13:00:00:02
mac_of() { e2e_py "[b['mac'] for b in m['backends'] if b['address'] == '$1'][0]" m="$(lab_xlb -j backend list web)"; }
watch_start watch-mac 6
lab_sleep 1
lab_in be2 ip link set dev eth0 address $new || e2e_abort "set MAC"
e2e_note "be2: $old -> $new"
lab_garp be2
t0=$(epoch_ms)
for ((i = 0; i < 100; i++)); do lab_xlb backend list web | grep -q "$new" && break; sleep 0.02; done
e2e_note "xlb had the new MAC at most $(($(epoch_ms) - t0)) ms after the announcement"
wait "$WATCH_PID"
ms=$(reached watch-mac be2 "$t0")
e2e_note "be2's first connection ${ms:-never} ms after the announcement"
e2e_check "connections reach be2 again within 2 s" test -n "$ms" -a "${ms:-99999}" -le 2000
e2e_check "xlb has be2's new MAC" test "$(mac_of "$(lab_addr be2)")" == $new
e2e_check "xlb-healthd logged it" grep -q "Next hop of backend $(lab_addr be2) of service web: $old -> $new" "$LAB_LOGS/healthd.log"
r=$(lab_client http "http://$WEB/" --count 60 --parallel 4)
e2e_expect "all three serve, no connection fails" "r['ok'] == 60 and len(r['backends']) == 3" r="$r"
e2e_finish
