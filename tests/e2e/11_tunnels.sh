#!/bin/bash
# 11_tunnels: L3 forwarding end to end. Two backends on another subnet behind
# the router (not on the lb's segment) run xlb-decap and no tunnel module.
# For every method (ipip, gre, gue, fou) and every family mix (4in4, 6in6,
# 4in6, 6in4), TCP (HTTP) and UDP (echo) through the VIP work, the backends
# answer the clients directly, and a capture on a backend's link shows the
# expected encapsulation. Health-check probes through the NAT path reach the
# VIP on a backend through the service's tunnel too.
source "$(dirname "$0")/common.sh"
e2e_require xlb tcpdump
lab_watchdog 140
N=12

# The services of one method: VIP -> backends of the family after "in".
ruleset() {
	local m=$1 port=
	[[ $m == gue ]] && port="port 6080"
	[[ $m == fou ]] && port="port 5555"
	cat <<-RULES
		flush ruleset
		set source4 $(lab_addr lb1 4)
		set source6 $(lab_addr lb1 6)
		service add t44 tcp 192.0.2.10:80 forward $m $port
		service add t66 tcp [2001:db8::10]:80 forward $m $port
		service add t46 tcp 192.0.2.11:80 forward $m $port
		service add t64 tcp [2001:db8::11]:80 forward $m $port
		service add u44 udp 192.0.2.53:53 forward $m $port
		service add u66 udp [2001:db8::53]:53 forward $m $port
		service add u46 udp 192.0.2.11:53 forward $m $port
		service add u64 udp [2001:db8::11]:53 forward $m $port
		check add t44 tcp
		check add t66 tcp
		check add u44 udp
	RULES
	for tb in tb1 tb2; do
		for s in t44 u44 t64 u64; do echo "backend add $s $(lab_addr $tb 4)"; done
		for s in t66 u66 t46 u46; do echo "backend add $s $(lab_addr $tb 6)"; done
	done
}

# The outer header each mix must show on the wire for a method (tcpdump).
outer_filter() {
	local m=$1 outer=$2 inner=$3 ip=ip
	[[ $outer == 6 ]] && ip=ip6
	case $m in
	ipip) [[ $inner == 4 ]] && echo "$ip proto 4" || echo "$ip proto 41" ;;
	gre) echo "$ip proto 47" ;;
	gue) echo "$ip and udp dst port 6080" ;;
	fou) echo "$ip and udp dst port 5555" ;;
	esac
}

e2e_step "lab: lb1, and 2 tunnel backends on 10.99.0.0/24 and 2001:db8:3::/64 with xlb-decap"
lab_up 0 1 || e2e_abort "lab_up"
for i in 1 2; do
	lab_add_tunnel_backend || e2e_abort "tunnel backend $i"
	lab_servers "tb$i" || e2e_abort "servers on tb$i"
done
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"

e2e_step "without IP forwarding on eth0: resolved next hops need no FIB lookup, so packets go; xlb warns for the fallback"
ruleset ipip >"$LAB_DIR/ipip.conf"
w=$(lab_xlb -f "$LAB_DIR/ipip.conf" 2>&1)
e2e_note "$w"
e2e_check "xlb -f warns about net.ipv4.conf.eth0.forwarding" grep -q "net.ipv4.conf.eth0.forwarding=1" <<<"$w"
e2e_check "and about net.ipv6.conf.eth0.forwarding" grep -q "net.ipv6.conf.eth0.forwarding=1" <<<"$w"
w=$(lab_xlb service set u44 forward ipip 2>&1)
e2e_check "a single command warns too" grep -q "net.ipv4.conf.eth0.forwarding=1" <<<"$w"
r=$(lab_client udp 192.0.2.53 53 --flows 2 --packets 1)
s=$(e2e_xlb_quiet -j stats)
e2e_expect "answered from the next-hop table: no FIB lookup, nothing dropped for forwarding" \
	"r['answered'] == 2 and s['global']['drop_fwd_disabled'] == 0 and s['global']['fib_lookups'] == 0" \
	r="$r" s="$s"
lab_in lb1 sysctl -qw net.ipv4.conf.eth0.forwarding=1 net.ipv6.conf.eth0.forwarding=1 ||
	e2e_abort "forwarding on lb1"
w=$(lab_xlb -f "$LAB_DIR/ipip.conf" 2>&1)
e2e_check "with forwarding on, no warning" test -z "$w"

for m in ipip gre gue fou; do
	e2e_step "forward $m"
	ruleset "$m" >"$LAB_DIR/$m.conf"
	e2e_xlb -f "$LAB_DIR/$m.conf" || e2e_abort "apply the $m ruleset"
	e2e_capture_start router tb1 "ip or ip6" || e2e_abort "capture"
	for mix in 44:192.0.2.10 66:[2001:db8::10] 46:192.0.2.11 64:[2001:db8::11]; do
		vip=${mix#*:}
		r=$(lab_client http "http://$vip/" --count $N --parallel 4)
		e2e_expect "$m ${mix%%:*}: $N HTTP requests through $vip, both backends answer" \
			"r['ok'] == $N and set(r['backends']) == {'tb1', 'tb2'}" r="$r"
	done
	for mix in 44:192.0.2.53 66:2001:db8::53 46:192.0.2.11 64:2001:db8::11; do
		r=$(lab_client udp "${mix#*:}" 53 --flows $N --packets 2)
		e2e_expect "$m ${mix%%:*}: $N UDP flows answered, none split" \
			"r['answered'] == $((2 * N)) and not r['split_flows']" r="$r"
	done
	lab_sleep 0.5 # let tcpdump read what the kernel holds for it
	e2e_capture_stop
	for mix in 44 66 46 64; do
		f=$(outer_filter "$m" "${mix:1:1}" "${mix:0:1}")
		inner=ip
		[[ ${mix:0:1} == 6 ]] && inner=ip6
		c=$(e2e_capture_count router tb1 "$f")
		e2e_check "$m ${mix}: tb1's link carries '$f' from lb1 ($c packets)" test "$c" -gt 0
	done
	# Health checks go through the service's tunnel, to the VIP on tb1.
	for c in t44:tcp:80 t66:tcp:80 u44:udp:53; do
		svc=${c%%:*} mode=${c#*:} fam=${svc:2:1}
		want=tb1
		[[ ${mode%%:*} == udp ]] && want="tb1 ping"
		out=$(e2e_probe "${mode%%:*}" "$(e2e_nat_of "$svc" "$(lab_addr tb1 "$fam")")" "${mode#*:}")
		e2e_check "$m: health-check probe of $svc through the tunnel answered by tb1 ('$out')" \
			test "$out" = "$want"
	done
	d=$(lab_decap tb1 -j list)
	e2e_expect "$m: tb1's xlb-decap counted $m packets and dropped none" \
		"d['counters']['$m'] > 0 and \
		 sum(v for k, v in d['counters'].items() if k.startswith('drop')) == 0" d="$d"
done
e2e_finish
