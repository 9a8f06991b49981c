#!/bin/bash
# 13_hc_nat: the health-check NAT path, as xlb-healthd uses it. From the lb's
# own namespace, a TCP connection (HTTP GET) or a UDP datagram to a
# backend's NAT address reaches that backend on the VIP and its answer comes
# back from the NAT address; when the backend serves the port on its own
# address but lacks the VIP, the probe fails, and succeeds again once the
# VIP is back. Traffic routed into the port from elsewhere is dropped.
# `interface detach` of the last interface removes the port.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100

e2e_step "lab: lb1 (xlb) and 2 backends serving HTTP and UDP echo on every address"
lab_up 2 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add web tcp 192.0.2.10:80 || e2e_abort "service add"
e2e_xlb service add web6 tcp "[2001:db8::10]:80" || e2e_abort "service add"
e2e_xlb service add dns udp 192.0.2.53:53 || e2e_abort "service add"
# The NAT addresses open only the ports the services' checks probe.
e2e_xlb check add web http || e2e_abort "check add"
e2e_xlb check add web6 tcp || e2e_abort "check add"
e2e_xlb check add dns udp || e2e_abort "check add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add web "$(lab_addr "$be" 4)" || e2e_abort "backend add"
	e2e_xlb backend add web6 "$(lab_addr "$be" 6)" || e2e_abort "backend add"
	e2e_xlb backend add dns "$(lab_addr "$be" 4)" || e2e_abort "backend add"
done
e2e_xlb nat list
e2e_check "the hc port exists: xlbhc0 (host side) and xlbhc1" \
	lab_in lb1 ip link show dev xlbhc0
e2e_check "the NAT ranges are routed into xlbhc0" \
	lab_in lb1 sh -c "ip route get 198.18.0.1 | grep -q 'dev xlbhc0' && \
		ip -6 route get fd00:786c:6200::1 | grep -q 'dev xlbhc0'"
n=$(e2e_xlb_quiet -j nat list)
e2e_expect "nat list: 6 NAT addresses, each with egress eth0 from lb1's address" \
	"len(n['nat']) == 6 and all(r['egress'] == 'eth0' and r['source'] in \
	 ('$(lab_addr lb1 4)', '$(lab_addr lb1 6)') for r in n['nat'])" n="$n"

e2e_step "probes through the NAT addresses reach exactly their backend, on the VIP"
for be in "${LAB_BACKENDS[@]}"; do
	for spec in "web tcp 4 80" "web6 tcp 6 80" "dns udp 4 53"; do
		read -r svc mode fam port <<<"$spec"
		nat=$(e2e_nat_of "$svc" "$(lab_addr "$be" "$fam")")
		want=$be
		[[ $mode == udp ]] && want="$be ping"
		out=$(e2e_probe "$mode" "$nat" "$port")
		e2e_check "$svc: $mode probe to $nat answered by $be ('$out')" test "$out" = "$want"
	done
done

e2e_step "a port no check probes is refused through the NAT address, and counted"
nat1=$(e2e_nat_of web "$(lab_addr be1 4)")
before=$(e2e_py "s['global']['drop_hc_port']" s="$(e2e_xlb_quiet -j stats)")
for port in 22 3306 9999; do
	out=$(e2e_probe tcp "$nat1" $port)
	e2e_check "a probe to port $port is not answered ('$out')" test "$out" != be1
done
after=$(e2e_py "s['global']['drop_hc_port']" s="$(e2e_xlb_quiet -j stats)")
e2e_check "drop_hc_port counted them ($before -> $after)" test "$after" -ge $((before + 3))

e2e_step "a stranger routing to the NAT addresses through lb1 is dropped before the port"
# With forwarding on, be2 routes to be1's NAT addresses through lb1: over
# IPv6 with xlbhc0's own address as source (a spoof the XDP program on
# xlbhc1 cannot tell from a probe), over IPv4 from its own address. The tc
# guard on xlbhc0's egress drops both; neither becomes a probe.
lab_in lb1 sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 || e2e_abort "sysctl"
host6=$(lab_in lb1 ip -6 -o addr show dev xlbhc0 scope global | awk '{print $4}' | cut -d/ -f1)
nat6=$(e2e_nat_of web6 "$(lab_addr be1 6)")
nat4=$(e2e_nat_of web "$(lab_addr be1 4)")
lab_in be2 sh -c "ip -6 addr add $host6/128 dev lo nodad && \
	ip -6 route add fd00:786c:6200::/64 via $(lab_addr lb1 6) && \
	ip route add 198.18.0.0/16 via $(lab_addr lb1 4)" || e2e_abort "be2 routes"
s=$(e2e_xlb_quiet -j stats)
probes=$(e2e_py "s['global']['hc_probes']" s="$s")
forwarded=$(e2e_py "s['global']['drop_hc_forwarded']" s="$s")
stranger() { # SOURCE DEST: a TCP connect to DEST port 80 from be2, bound to SOURCE
	lab_in be2 "$LAB_PYTHON" -c "import socket,sys
fam = socket.AF_INET6 if ':' in sys.argv[2] else socket.AF_INET
c = socket.socket(fam, socket.SOCK_STREAM); c.settimeout(1.5); c.bind((sys.argv[1], 0))
try:
    c.connect((sys.argv[2], 80)); print('answered')
except OSError as e:
    print('no answer:', e)" "$@"
}
out=$(stranger "$host6" "$nat6")
e2e_check "be2's connect to $nat6 from $host6 is not answered ('$out')" test "${out#no answer}" != "$out"
out=$(stranger "$(lab_addr be2 4)" "$nat4")
e2e_check "be2's connect to $nat4 from its own address is not answered ('$out')" \
	test "${out#no answer}" != "$out"
s=$(e2e_xlb_quiet -j stats)
e2e_expect "drop_hc_forwarded counted them ($forwarded before), hc_probes unchanged ($probes)" \
	"s['global']['drop_hc_forwarded'] >= $forwarded + 2 and s['global']['hc_probes'] == $probes" \
	s="$s"
out=$(e2e_probe tcp "$nat6" 80)
e2e_check "lb1's own probe to $nat6 still succeeds ('$out')" test "$out" = be1

e2e_step "be1 loses VIP 192.0.2.10: it still serves port 80 on its own address, but the probe fails"
lab_vip_del be1 192.0.2.10 || e2e_abort "vip del"
nat1=$(e2e_nat_of web "$(lab_addr be1 4)")
nat2=$(e2e_nat_of web "$(lab_addr be2 4)")
out=$(e2e_probe tcp "$(lab_addr be1 4)" 80)
e2e_check "be1 answers on its own address ('$out')" test "$out" = be1
out=$(e2e_probe tcp "$nat1" 80)
e2e_check "the probe to be1's NAT address fails ('$out')" test "$out" != be1
out=$(e2e_probe tcp "$nat2" 80)
e2e_check "be2's probe still succeeds ('$out')" test "$out" = be2
lab_vip_add be1 192.0.2.10 || e2e_abort "vip add"
out=$(e2e_probe tcp "$nat1" 80)
e2e_check "VIP back on be1: its probe succeeds again ('$out')" test "$out" = be1

e2e_step "set nat4 moves the NAT addresses, the routes and the port's address"
e2e_xlb set nat4 100.127.0.0/16 || e2e_abort "set nat4"
nat1=$(e2e_nat_of web "$(lab_addr be1 4)")
e2e_check "be1's NAT address moved into 100.127.0.0/16 ($nat1)" test "${nat1#100.127.}" != "$nat1"
out=$(e2e_probe tcp "$nat1" 80)
e2e_check "the probe to the new NAT address succeeds ('$out')" test "$out" = be1
e2e_check "the new range is routed into xlbhc0 from its last address, the old one is gone" \
	lab_in lb1 sh -c "ip route get 100.127.0.1 | grep -q 'dev xlbhc0 src 100.127.255.255' && \
		! ip route get 198.18.0.1 | grep -q xlbhc0"
out=$(lab_xlb set nat4 192.0.2.0/24 2>&1)
e2e_check "a range holding a VIP is refused with exit 2 ($out)" \
	test $? -eq 2 -a "${out#*contains VIP 192.0.2.10}" != "$out"
out=$(lab_xlb set nat4 10.1.0.0/20 2>&1)
e2e_check "a range too small for the backend capacity is refused with exit 2 ($out)" \
	test $? -eq 2 -a "${out#*too small for 16384 backends}" != "$out"
rs=$(e2e_xlb_quiet -j list ruleset)
e2e_expect "list ruleset has set nat4 (and no set nat6: never set)" \
	"'set nat4 100.127.0.0/16' in r['ruleset'] and 'nat6' not in r['ruleset']" r="$rs"

e2e_step "counters, and the port goes with the last interface"
s=$(e2e_xlb_quiet -j stats)
# The host's own ND/MLD on the port counts as hc_chatter, not as unknown.
e2e_expect "hc_probes and hc_replies counted, nothing unknown, no clash" \
	"s['global']['hc_probes'] > 0 and s['global']['hc_replies'] > 0 and \
	 s['global']['drop_hc_unknown'] == 0 and s['global']['hc_reply_clash'] == 0" s="$s"
e2e_xlb interface detach eth0 || e2e_abort "detach"
e2e_check "xlbhc0 is gone after the last detach" \
	lab_in lb1 sh -c "! ip link show dev xlbhc0 2>/dev/null"
e2e_finish
