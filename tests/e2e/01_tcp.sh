#!/bin/bash
# 01_tcp: 1,000 short HTTP connections to a TCP VIP over IPv4 all succeed,
# three equal backends get 33% +- 6% each, xlb's per-backend flow counters
# agree with what the client saw, and no reply ever crosses the load balancer
# (direct server return).
source "$(dirname "$0")/common.sh"
e2e_require xlb tcpdump
lab_watchdog 100
FAMILY=${E2E_FAMILY:-4}
if [[ $FAMILY == 6 ]]; then
	VIPNET=2001:db8::/64 URL="http://[2001:db8::10]/" SPEC="[2001:db8::10]:80"
else
	VIPNET=192.0.2.0/24 URL="http://192.0.2.10/" SPEC="192.0.2.10:80"
fi
N=1000

e2e_step "lab: client, router, lb1 (xlb), 3 backends; IPv$FAMILY VIP $SPEC"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add web tcp "$SPEC" || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add web "$(lab_addr "$be" "$FAMILY")" || e2e_abort "backend add"
done
e2e_xlb backend list web

e2e_step "$N short HTTP connections, 8 at a time, with a capture on the router's port to lb1"
e2e_capture_start router lb1 "net $VIPNET" || e2e_abort "capture"
link0=$(lab_link_stats lb1)
g0=$(e2e_xlb_quiet -j stats)
r=$(lab_client http "$URL" --count "$N" --parallel 8)
lab_sleep 0.5
e2e_capture_stop
link1=$(lab_link_stats lb1)
s=$(e2e_xlb_quiet -j stats)
e2e_note "client: $(e2e_py "r['backends']" r="$r"), $(e2e_py "r['errors']" r="$r"), $(e2e_py "r['seconds']" r="$r") s"
e2e_expect "all $N connections succeed" "r['ok'] == $N" r="$r"
# One backend's share of 1,000 hashed connections has a standard deviation of
# 1.5%: 5% (3.4 sigma) failed about once in a thousand checks, 6% is 4 sigma.
for be in "${LAB_BACKENDS[@]}"; do
	e2e_expect "$be gets 33% +- 6% of the connections" \
		"abs(r['backends'].get('$be', 0) / $N - 1/3) <= 0.06" r="$r"
done

e2e_step "direct server return: replies never cross the lb"
lbmac=$(lab_mac lb1)
replies=$(e2e_capture_count router lb1 "src net $VIPNET")
to_lb=$(e2e_capture_count router lb1 "dst net $VIPNET and ether dst $lbmac")
from_lb=$(e2e_capture_count router lb1 "dst net $VIPNET and not ether dst $lbmac")
e2e_note "capture on the router's port to lb1: $to_lb VIP packets to the lb, $from_lb sent on by the lb, $replies from the VIP"
e2e_check "no reply (source = VIP) crossed the lb's link" test "$replies" -eq 0
e2e_check "the lb sent on every VIP packet it got" test "$from_lb" -eq "$to_lb" -a "$to_lb" -ge $((N * 3))
# The kernel's own count of what lb1 received, against xlb's verdicts: every
# frame is a forwarded VIP packet or one of a few passed ones (ARP/ND).
e2e_note "lb1 eth0 received $(e2e_py "l1['rx_packets'] - l0['rx_packets']" l0="$link0" l1="$link1") frames; \
xlb: tx $(e2e_py "s['global']['tx'] - g['global']['tx']" s="$s" g="$g0"), pass $(e2e_py "s['global']['pass'] - g['global']['pass']" s="$s" g="$g0")"
e2e_expect "lb1 received only request packets: xlb forwarded all of them but a few (ARP/ND)" \
	"(lambda rx, tx, ps: tx <= rx <= tx + 50 and ps < 50)(l1['rx_packets'] - l0['rx_packets'], \
	 s['global']['tx'] - g['global']['tx'], s['global']['pass'] - g['global']['pass'])" \
	l0="$link0" l1="$link1" s="$s" g="$g0"

e2e_step "xlb's counters"
e2e_xlb stats web
e2e_expect "stats: the service counted $N flows and as many packets as xlb forwarded" \
	"[(x['flows'], x['packets']) for x in s['services'] if x['name'] == 'web'] == [($N, s['global']['tx'])]" s="$s"
e2e_expect "stats: per-backend flows equal what the client saw" \
	"{m[b['address']]: b['flows'] for x in s['services'] if x['name'] == 'web' for b in x['backends']} \
	 == r['backends']" s="$s" r="$r" m="$(e2e_backends_json)"
e2e_finish
