#!/bin/bash
# 23_tunnel_next_hops: tunnel next hops are followed without a model change
# (issue 13). An ipip service with two backends behind the router, under
# HTTP traffic, with xlb-healthd running:
#   1. `ip neigh flush all` on the lb: the next-hop table keeps the
#      gateway's MAC, traffic keeps flowing (no gap over 2 s).
#   2. The gateway (the router's br0) gets a new MAC and announces it:
#      xlb-healthd rewrites the next-hop table directly (the model has no
#      gateway MAC, so no transaction would) and connections flow again
#      within 2 s.
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 90
VIP=192.0.2.10
GW=198.51.100.1

epoch_ms() { date +%s%3N; }
# watch_start TAG SECONDS: HTTP to the VIP from the client, 4 at a time,
# each answer logged as "EPOCH_MS BACKEND" in $LAB_LOGS/TAG.log.
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
' "$VIP" "$2"
	WATCH_PID=$LAB_LAST_PID
}
# answers TAG T0: answers logged at or after T0 (epoch ms).
answers() { awk -v t0="$2" 'NF == 2 && length($1) == 13 && $1 >= t0' "$LAB_LOGS/$1.log" | wc -l; }
# longest_gap TAG T0: the longest time (ms) without an answer from T0 on.
longest_gap() {
	awk -v t0="$2" 'NF == 2 && length($1) == 13 && $1 >= t0 { if (p == "") p = t0; if ($1 - p > g) g = $1 - p; p = $1 }
		END { print g + 0 }' "$LAB_LOGS/$1.log"
}
# first_after TAG T0: ms from T0 to the first answer after it.
first_after() {
	awk -v t0="$2" 'NF == 2 && length($1) == 13 && $1 > t0 { print $1 - t0; exit }' "$LAB_LOGS/$1.log"
}
# The gateway announces its MAC (gratuitous ARP from br0).
gateway_garp() {
	lab_in router "$LAB_PYTHON" - "$GW" "$1" <<-'EOF'
		import socket, sys
		ip = socket.inet_aton(sys.argv[1])
		mac = bytes.fromhex(sys.argv[2].replace(":", ""))
		arp = b"\x00\x01\x08\x00\x06\x04\x00\x01" + mac + ip + b"\x00" * 6 + ip
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
		s.bind(("br0", 0))
		s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp)
	EOF
}

e2e_step "lab: lb1, 2 tunnel backends behind the router, ipip service, xlb-healthd"
lab_up 0 1 || e2e_abort "lab_up"
for i in 1 2; do
	lab_add_tunnel_backend || e2e_abort "tunnel backend $i"
	lab_servers "tb$i" || e2e_abort "servers on tb$i"
done
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb -f - <<EOT || e2e_abort "ruleset"
flush ruleset
set source4 $(lab_addr lb1 4)
service add web tcp $VIP:80 forward ipip
backend add web $(lab_addr tb1 4)
backend add web $(lab_addr tb2 4)
EOT
lab_bg lb1 healthd "$HEALTHD" --pin-path "$LAB_BPFFS/lb1"
lab_sleep 1
r=$(lab_client http "http://$VIP/" --count 40 --parallel 4)
e2e_expect "both backends answer, no connection fails" \
	"r['ok'] == 40 and r['failed'] == 0 and set(r['backends']) == {'tb1', 'tb2'}" r="$r"
ruleset=$(lab_xlb list ruleset)

e2e_step "1. ip neigh flush all on lb1 under traffic"
watch_start watch-flush 5
lab_sleep 1.5
t0=$(epoch_ms)
lab_in lb1 ip neigh flush all || e2e_abort "flush"
wait "$WATCH_PID"
gap=$(longest_gap watch-flush "$t0")
e2e_note "$(answers watch-flush "$t0") answers after the flush, longest gap $gap ms"
e2e_check "traffic keeps flowing (no gap over 2 s)" test "$gap" -le 2000
e2e_check "answers after the flush" test "$(answers watch-flush $((t0 + 1000)))" -gt 10

e2e_step "2. the gateway's MAC changes and is announced"
old=$(lab_mac router br0)
new=02:42:23:00:00:01
watch_start watch-gw 6
lab_sleep 1
lab_in router ip link set dev br0 address $new || e2e_abort "set MAC"
gateway_garp $new
t0=$(epoch_ms)
e2e_note "router br0: $old -> $new"
wait "$WATCH_PID"
ms=$(first_after watch-gw $((t0 + 50)))
gap=$(longest_gap watch-gw "$t0")
e2e_note "first answer ${ms:-never} ms after the announcement, longest gap $gap ms"
e2e_check "connections flow again within 2 s" test -n "$ms" -a "${gap:-99999}" -le 2000
e2e_check "xlb-healthd logged the gateway's new MAC" \
	grep -q "Next hop of backend $(lab_addr tb1 4) of service web: $old -> $new" "$LAB_LOGS/healthd.log"
e2e_check "the model did not change" test "$(lab_xlb list ruleset)" == "$ruleset"
r=$(lab_client http "http://$VIP/" --count 40 --parallel 4)
e2e_expect "both backends answer, no connection fails" \
	"r['ok'] == 40 and r['failed'] == 0 and set(r['backends']) == {'tb1', 'tb2'}" r="$r"
e2e_finish
