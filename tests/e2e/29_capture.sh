#!/bin/bash
# 29_capture: `xlb capture` during traffic. 20 packets of an HTTP service
# written as pcapng: tcpdump reads 20, and their comments name the verdict
# and the backends. Drops to a port without a service
# captured as text lines with their reason. One capture at a time; Ctrl-C
# ends one cleanly, and afterwards the interface runs the plain balancer
# again; after a SIGKILL an attach puts it back.
source "$(dirname "$0")/common.sh"
e2e_require xlb tcpdump
lab_watchdog 100
VIP=192.0.2.10

e2e_step "lab: 3 backends behind lb1, HTTP service on $VIP:80"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add web tcp "$VIP:80" || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add web "$(lab_addr "$be")" || e2e_abort "backend add"
done
prog_name() {
	local id
	id=$(e2e_py "l['interfaces'][0]['prog_id']" l="$(e2e_xlb_quiet -j interface list)")
	bpftool -j prog show id "$id" | e2e_py "p['name']" p="$(cat)"
}
e2e_check "eth0 runs the plain balancer" test "$(prog_name)" = xlb_xdp

e2e_step "capture count 20 -w FILE during 300 HTTP connections"
PCAP=$LAB_DIR/web.pcapng
lab_bg lb1 capture "$LAB_XLB" --pin-path "$LAB_BPFFS/lb1" capture count 20 -w "$PCAP" service web
cap_pid=$LAB_LAST_PID
for ((i = 0; i < 50; i++)); do [[ $(prog_name) == xlb_xdp_capture ]] && break; lab_sleep 0.1; done
e2e_check "eth0 runs the capture balancer while it runs" test "$(prog_name)" = xlb_xdp_capture
r=$(lab_client http "http://$VIP/" --count 300 --parallel 4)
e2e_expect "all 300 connections succeed while capturing" "r['ok'] == 300" r="$r"
wait "$cap_pid"
e2e_check "capture exited 0" test $? -eq 0
e2e_check "it says how many it captured" grep -q '^xlb: 20 packets captured' "$LAB_LOGS/capture.log"
n=$(tcpdump -nn -r "$PCAP" 2>/dev/null | wc -l)
e2e_check "tcpdump -r reads 20 packets ($n)" test "$n" -eq 20
e2e_check "they are the clients' packets to the VIP" \
	test "$(tcpdump -nn -r "$PCAP" "dst host $VIP and tcp dst port 80" 2>/dev/null | wc -l)" -eq 20
comments=$("$LAB_PYTHON" - "$PCAP" <<'PY'
# The comments (option 1) of the Enhanced Packet Blocks (type 6), read by
# hand: pcapng is little endian here (xlb writes it on x86).
import json, struct, sys
data, out, at = open(sys.argv[1], "rb").read(), [], 0
while at + 8 <= len(data):
    kind, size = struct.unpack_from("<II", data, at)
    if kind == 6:
        caplen = struct.unpack_from("<I", data, at + 20)[0]
        opt = at + 28 + (caplen + 3) // 4 * 4
        while opt + 4 <= at + size - 4:
            code, n = struct.unpack_from("<HH", data, opt)
            if code == 0:
                break
            if code == 1:
                out.append(data[opt + 4:opt + 4 + n].decode())
            opt += 4 + (n + 3) // 4 * 4
    at += size
print(json.dumps(out))
PY
)
e2e_note "first comment: $(e2e_py "c[0]" c="$comments")"
backends=$(printf '"%s",' $(for be in "${LAB_BACKENDS[@]}"; do lab_addr "$be"; done))
e2e_expect "every comment: verdict tx, service web and one of the backends" \
	"len(c) == 20 and all(x.startswith('xlb: verdict tx, service web, backend ') and
	 x.rsplit(' ', 1)[1] in [$backends] for x in c)" c="$comments"
e2e_expect "more than one backend named" "len({x.rsplit(' ', 1)[1] for x in c}) > 1" c="$comments"
e2e_check "eth0 runs the plain balancer again" test "$(prog_name)" = xlb_xdp

e2e_step "drops to a port without a service, as text lines with their reason"
lab_bg lb1 capture2 "$LAB_XLB" --pin-path "$LAB_BPFFS/lb1" capture count 3 verdict drop
cap_pid=$LAB_LAST_PID
for ((i = 0; i < 50; i++)); do [[ $(prog_name) == xlb_xdp_capture ]] && break; lab_sleep 0.1; done
lab_client http "http://$VIP:81/" --count 3 --parallel 3 --timeout 1 >/dev/null
lab_client http "http://$VIP:81/" --count 3 --parallel 3 --timeout 1 >/dev/null
wait "$cap_pid"
sed 's/^/          /' "$LAB_LOGS/capture2.log"
e2e_check "3 lines: tcp to $VIP:81, drop no_service" \
	test "$(grep -c "eth0 tcp .* > $VIP:81: verdict drop, reason no_service$" "$LAB_LOGS/capture2.log")" -eq 3

e2e_step "one capture at a time; SIGINT ends one cleanly"
lab_bg lb1 capture3 "$LAB_XLB" --pin-path "$LAB_BPFFS/lb1" capture
cap_pid=$LAB_LAST_PID
for ((i = 0; i < 50; i++)); do [[ $(prog_name) == xlb_xdp_capture ]] && break; lab_sleep 0.1; done
out=$(lab_xlb capture count 1 2>&1)
rc=$?
e2e_note "$out"
e2e_check "a second capture is refused (exit 2)" test $rc -eq 2
e2e_check "and says why" grep -q "a capture is already running on eth0" <<<"$out"
lab_client http "http://$VIP/" --count 5 --parallel 1 >/dev/null
kill -INT "$cap_pid"
wait "$cap_pid"
e2e_check "SIGINT: exit 0" test $? -eq 0
e2e_check "the count is printed" grep -q '^xlb: [0-9]* packets\? captured' "$LAB_LOGS/capture3.log"
e2e_check "eth0 runs the plain balancer again" test "$(prog_name)" = xlb_xdp

e2e_step "SIGKILL leaves the capture balancer balancing; attach puts the plain one back"
lab_bg lb1 capture4 "$LAB_XLB" --pin-path "$LAB_BPFFS/lb1" capture -w /dev/null
cap_pid=$LAB_LAST_PID
for ((i = 0; i < 50; i++)); do [[ $(prog_name) == xlb_xdp_capture ]] && break; lab_sleep 0.1; done
kill -KILL "$cap_pid"
wait "$cap_pid" 2>/dev/null
e2e_check "the capture balancer stayed" test "$(prog_name)" = xlb_xdp_capture
r=$(lab_client http "http://$VIP/" --count 50 --parallel 4)
e2e_expect "it still balances: 50 of 50" "r['ok'] == 50" r="$r"
e2e_xlb interface attach eth0 mode native
e2e_check "attach put the plain balancer back" test "$(prog_name)" = xlb_xdp
e2e_finish
