# shellcheck shell=bash
# lab.sh: a network lab for xlb in network namespaces. Source it; don't run it.
#
#                 203.0.113.0/24                 198.51.100.0/24
#                 2001:db8:1::/64                2001:db8:2::/64
#   [client] eth0 ---------- cl0 [router] br0 ---+--- lb1 ---- eth0 [lb1]   (xlb, XDP)
#    .2 / ::2                 .1 / ::1   .1/::1  +--- be1 ---- eth0 [be1]   .101 / ::101
#                                                +--- be2 ---- eth0 [be2]   .102 / ::102
#                                                +--- ...
#
# - Every namespace, directory and mount is named after the run
#   ("xlblab-PID-RAND-..."), and all of it is removed on every exit path
#   (EXIT, INT, TERM, HUP traps): background processes killed, namespaces
#   deleted, the private bpffs unmounted.
# - The bridge lives in the router's namespace. The router routes the VIP
#   prefixes (LAB_VIP_NET4, LAB_VIP_NET6) to lb1 (static routes; lab_route_vip
#   changes them).
# - Backends hold the VIPs (LAB_VIPS4, LAB_VIPS6) on lo with arp_ignore=1 and
#   arp_announce=2, and route to the client through the router directly:
#   replies never cross the load balancer (DSR).
# - The router-side peer of each lb's veth runs xdp_pass.bpf.o (LAB_XDP_PASS),
#   so the frames the lb sends with XDP_TX are received.
# - XDP drops the partial-checksum metadata, so every frame that reaches an lb
#   must carry a full checksum: tx checksum offload is off on the router-side
#   peer of each lb's veth (the kernel then completes the checksum of every
#   frame sent to the lb, routed or bridged, whoever sent it), and on the
#   client and the lb's eth0 as well. (Checked: with the router-side peer's tx
#   on and the client's on, TCP through an XDP_TX forwarder fails; with
#   either one off, it works.)
# - xlb runs in an lb namespace with `nsenter --net=` (never `ip netns exec`,
#   which remounts /sys and hides bpffs) and a private bpffs mount:
#   lab_xlb ARGS... is `xlb --pin-path $LAB_BPFFS/lb1 ARGS...` in lb1.
#
# Settings (set before lab_up; all optional):
#   LAB_XLB        path of the xlb binary (lab_xlb)
#   LAB_XDP_PASS   path of xdp_pass.bpf.o (needed once an lb exists)
#   LAB_VIPS4 / LAB_VIPS6   arrays of VIPs put on every backend's lo
#   LAB_PYTHON     python3 for the servers and clients (default /usr/bin/python3)
#   LAB_VERBOSE=1  log every lab step to stderr
#   LAB_KEEP_LOGS=1  keep the logs directory (moved to /tmp/xlblab-logs-ID)
#   LAB_PREFIX     the first part of every name the lab makes (default xlblab;
#                  one per engineer on a shared machine, e.g. xlbB)
#
# Main functions:
#   lab_up [NBACKENDS [NLBS]]    build the lab (default 3 backends, 1 lb)
#   lab_down                     remove everything (also run by the traps)
#   lab_add_backend / lab_add_lb add one more (names be4, lb2, ...)
#   lab_in NODE CMD...           run CMD in NODE's namespace (client, router,
#                                lb1, be1, ...)
#   lab_bg NODE TAG CMD...       same, in the background; output in
#                                $LAB_LOGS/TAG.log; pid in LAB_LAST_PID
#   lab_xlb [@lbN] ARGS...       run xlb in an lb namespace (default lb1)
#   lab_servers NODE [ARGS]      start servers.py in a backend (name = NODE)
#   lab_client ARGS...           run clients.py in the client namespace
#   lab_addr NODE [4|6]          a node's address on its link
#   lab_mac NODE [DEV]           a node's MAC address (default eth0)
#   lab_link_stats NODE [DEV]    a device's packet counters (JSON)
#   lab_route_vip PREFIX NODE... route a VIP prefix from the router to NODE
#                                (several: ECMP); lab_unroute_vip PREFIX
#   lab_bird NODE CONF           BIRD in NODE (lab_birdc NODE ARGS: birdc)
#   lab_vip_del / lab_vip_add NODE VIP   take a VIP off / put it on a lo
#   lab_prime_neigh [lbN]        make the lb resolve every backend (ARP/ND)
#   lab_pin_neigh [lbN]          permanent neighbour entries in the lb
#   lab_unplug / lab_plug NODE   NODE's link goes down (a dead host: no
#                                ARP answer) / comes back
#   lab_garp NODE                NODE announces its MAC (gratuitous ARP)
#   lab_watchdog SECONDS         abort (with cleanup) after SECONDS
#   lab_sleep SECONDS            a sleep that signals interrupt at once
#   lab_on_exit CMD...           run CMD (eval'd) first thing in lab_down
#   lab_add_tunnel_backend [DECAP-ARGS...]
#                                a backend on a routed subnet with xlb-decap
#                                attached (tb1, tb2, ...; see below)
#   lab_decap NODE ARGS...       `xlb decap ARGS` in NODE with the lab's pin path
#   lab_encap_send NODE ARGS...  run encap_send.py in NODE (a tunnel packet)
#
# Tunnel backends (for the forwarding methods ipip, gre, gue and fou):
#
#   [router] br1 10.99.0.1/24, 2001:db8:3::1/64 ---+--- tb1 ---- eth0 [tb1]  .101 / ::101
#                                                  +--- tb2 ---- eth0 [tb2]  .102 / ::102
#
#   They are not on the load balancers' segment: the lb reaches them through
#   the router (routed), as tunnels allow. Each holds the VIPs on lo and runs
#   xlb-decap on eth0 (native), which strips the tunnel and hands the
#   client's packet to its stack; replies go straight to the client via the
#   router (DSR). LAB_TUNNEL_BACKENDS lists them.

LAB_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LAB_XLB:=}"
# The system's python3 (the lab needs only its standard library); a python3
# earlier in PATH may be a slow wrapper (pyenv shims start in ~1 s).
if [[ -z ${LAB_PYTHON:-} ]]; then
	if [[ -x /usr/bin/python3 ]]; then LAB_PYTHON=/usr/bin/python3; else LAB_PYTHON=$(command -v python3); fi
fi
: "${LAB_XDP_PASS:=}"
: "${LAB_VERBOSE:=0}"
: "${LAB_KEEP_LOGS:=0}"
: "${LAB_VIP_NET4:=192.0.2.0/24}"
: "${LAB_VIP_NET6:=2001:db8::/64}"
if ! declare -p LAB_VIPS4 >/dev/null 2>&1; then
	LAB_VIPS4=(192.0.2.10 192.0.2.11 192.0.2.53)
fi
if ! declare -p LAB_VIPS6 >/dev/null 2>&1; then
	LAB_VIPS6=(2001:db8::10 2001:db8::11 2001:db8::53)
fi

LAB_PREFIX=${LAB_PREFIX:-xlblab}
LAB_ID=""          # xlblab-PID-RAND, set by lab_up
LAB_DIR=""         # /tmp/$LAB_ID
LAB_LOGS=""        # $LAB_DIR/logs
LAB_BPFFS=""       # $LAB_DIR/bpffs, a private bpffs mount
LAB_NODES=()       # client router lb1 ... be1 ...
LAB_LBS=()         # lb1 lb2 ...
LAB_BACKENDS=()    # be1 be2 ...
LAB_TUNNEL_BACKENDS=() # tb1 tb2 ... (lab_add_tunnel_backend)
LAB_PIDS=()        # background processes started by the lab
LAB_EXIT_HOOKS=()
LAB_LAST_PID=""
LAB_STATE=down     # down | up | tearing

_lab_log() { [[ $LAB_VERBOSE == 1 ]] && printf '[lab] %s\n' "$*" >&2; return 0; }
_lab_err() { printf '[lab] error: %s\n' "$*" >&2; }

# _lab_run CMD...: run a setup command; on failure print it and its output.
_lab_run() {
	local out
	_lab_log "$*"
	if ! out=$("$@" 2>&1); then
		_lab_err "failed: $*"
		[[ -n $out ]] && printf '%s\n' "$out" >&2
		return 1
	fi
}

lab_ns() { printf '%s-%s' "$LAB_ID" "$1"; }
lab_nspath() { printf '/var/run/netns/%s-%s' "$LAB_ID" "$1"; }

# lab_in NODE CMD...: run CMD in NODE's network namespace (nsenter keeps the
# host's /sys and the bpffs mounts visible).
lab_in() {
	local node=$1
	shift
	nsenter --net="/var/run/netns/$LAB_ID-$node" "$@"
}

# lab_bg NODE TAG CMD...: start CMD in the background in NODE's namespace.
# stdout+stderr go to $LAB_LOGS/TAG.log; the pid (of CMD itself: nsenter
# execs it) is in LAB_LAST_PID and is killed by lab_down.
lab_bg() {
	local node=$1 tag=$2
	shift 2
	nsenter --net="/var/run/netns/$LAB_ID-$node" "$@" >"$LAB_LOGS/$tag.log" 2>&1 </dev/null &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	_lab_log "bg $tag pid $LAB_LAST_PID in $node: $*"
}

# lab_kill PID...: stop background processes (TERM, then KILL after 2 s).
lab_kill() {
	local pid i alive
	for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
	for ((i = 0; i < 20; i++)); do
		alive=0
		for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
		((alive)) || break
		sleep 0.1
	done
	for pid in "$@"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 0
}

lab_on_exit() { LAB_EXIT_HOOKS+=("$*"); }

# lab_sleep SECONDS: sleep that a TERM/INT interrupts at once (bash runs a
# trap only after the foreground command ends; `wait` is interruptible).
lab_sleep() {
	sleep "$1" &
	LAB_SLEEP_PID=$!
	wait "$LAB_SLEEP_PID"
	LAB_SLEEP_PID=""
}
LAB_SLEEP_PID=""

# _lab_ip NODE: run the ip(8) commands read from stdin (one per line, without
# the leading "ip") in NODE's namespace, as one batch.
_lab_ip() {
	local cmds out
	cmds=$(cat)
	_lab_log "ip -n $LAB_ID-$1 -batch: ${cmds//$'\n'/; }"
	if ! out=$(ip -n "$LAB_ID-$1" -batch - <<<"$cmds" 2>&1); then
		_lab_err "failed in $1: ip -batch with:"
		printf '%s\n' "$cmds" "$out" | sed 's/^/  /' >&2
		return 1
	fi
}

_lab_sysctl() {
	local node=$1
	shift
	lab_in "$node" sysctl -qw "$@" >/dev/null
}

# _lab_new_ns NODE [SYSCTL=VALUE...]
_lab_new_ns() {
	local node=$1
	shift
	_lab_run ip netns add "$LAB_ID-$node" || return 1
	LAB_NODES+=("$node")
	# No DAD anywhere: addresses are usable at once.
	_lab_sysctl "$node" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.dad_transmits=0 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 "$@" || return 1
	_lab_ip "$node" <<<"link set lo up"
}

# lab_addr NODE [4|6]: the node's address on its link (router: on the bridge).
lab_addr() {
	local node=$1 fam=${2:-4} n
	case $node in
	client) [[ $fam == 6 ]] && echo 2001:db8:1::2 || echo 203.0.113.2 ;;
	router) [[ $fam == 6 ]] && echo 2001:db8:2::1 || echo 198.51.100.1 ;;
	lb*) n=${node#lb}; [[ $fam == 6 ]] && echo "2001:db8:2::$((10 + n))" || echo "198.51.100.$((10 + n))" ;;
	be*) n=${node#be}; [[ $fam == 6 ]] && echo "2001:db8:2::$((100 + n))" || echo "198.51.100.$((100 + n))" ;;
	tb*) n=${node#tb}; [[ $fam == 6 ]] && echo "2001:db8:3::$((100 + n))" || echo "10.99.0.$((100 + n))" ;;
	*) _lab_err "lab_addr: unknown node $node"; return 1 ;;
	esac
}

# lab_mac NODE [DEV]: MAC address of DEV (default eth0; router: br0).
lab_mac() {
	local node=$1 dev=${2:-}
	[[ -z $dev ]] && { [[ $node == router ]] && dev=br0 || dev=eth0; }
	ip -n "$LAB_ID-$node" -j link show dev "$dev" |
		"$LAB_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'
}

# lab_link_stats NODE [DEV]: {"rx_packets": N, "rx_bytes": N, "tx_packets": N,
# "tx_bytes": N, "rx_dropped": N, "tx_dropped": N} of DEV (default eth0).
lab_link_stats() {
	local node=$1 dev=${2:-eth0}
	ip -n "$LAB_ID-$node" -j -s link show dev "$dev" | "$LAB_PYTHON" -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(json.dumps({d + "_" + k: s[d][k] for d in ("rx", "tx") for k in ("packets", "bytes", "dropped")}))'
}

# _lab_link NODE: veth between NODE's eth0 and port NODE on the router's
# bridge, with the node's addresses and a default route via the router.
_lab_link() {
	local node=$1 nns
	nns=$LAB_ID-$node
	_lab_ip router <<-EOF || return 1
		link add $node type veth peer name eth0 netns $nns
		link set $node master br0 up
	EOF
	_lab_ip "$node" <<-EOF
		addr add $(lab_addr "$node" 4)/24 dev eth0
		addr add $(lab_addr "$node" 6)/64 dev eth0 nodad
		link set eth0 up
		route add default via 198.51.100.1
		route add default via 2001:db8:2::1
	EOF
}

# lab_add_lb: one more load balancer (lb1, lb2, ...), with the XDP_PASS
# program on its router-side peer and tx checksum offload off there.
lab_add_lb() {
	local node="lb$((${#LAB_LBS[@]} + 1))"
	if [[ -z $LAB_XDP_PASS || ! -r $LAB_XDP_PASS ]]; then
		_lab_err "LAB_XDP_PASS is not set to a readable xdp_pass.bpf.o ('$LAB_XDP_PASS')"
		return 1
	fi
	_lab_new_ns "$node" || return 1
	_lab_link "$node" || return 1
	LAB_LBS+=("$node")
	_lab_run ip -n "$LAB_ID-router" link set dev "$node" xdp obj "$LAB_XDP_PASS" sec xdp || return 1
	_lab_run lab_in router ethtool -K "$node" tx off || return 1
	_lab_run lab_in "$node" ethtool -K eth0 tx off || return 1
	mkdir -p "$LAB_BPFFS/$node"
}

# lab_add_backend: one more backend (be1, be2, ...) holding every VIP on lo.
lab_add_backend() {
	local node="be$((${#LAB_BACKENDS[@]} + 1))" vip
	# The kernel uses the larger of "all" and the device's value for both.
	_lab_new_ns "$node" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 || return 1
	_lab_link "$node" || return 1
	{
		for vip in "${LAB_VIPS4[@]}"; do echo "addr add $vip/32 dev lo"; done
		for vip in "${LAB_VIPS6[@]}"; do echo "addr add $vip/128 dev lo nodad"; done
	} | _lab_ip "$node" || return 1
	LAB_BACKENDS+=("$node")
}

# _lab_tunnel_net: the router's second bridge, br1, for the tunnel
# backends (made with the first of them).
_lab_tunnel_net() {
	ip -n "$LAB_ID-router" link show br1 >/dev/null 2>&1 && return 0
	_lab_ip router <<-EOF
		link add br1 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
		addr add 10.99.0.1/24 dev br1
		addr add 2001:db8:3::1/64 dev br1 nodad
		link set br1 up
	EOF
}

# lab_add_tunnel_backend [DECAP-ARGS...]: one more tunnel backend (tb1,
# tb2, ...) on br1, the router's second subnet (10.99.0.0/24,
# 2001:db8:3::/64), not on the lbs' segment. It holds every VIP on lo
# (arp_ignore=1, arp_announce=2), routes everything via the router, and
# runs `xlb decap attach eth0 mode native DECAP-ARGS...` (LAB_XLB needed;
# pin path $LAB_BPFFS/tbN, see lab_decap). Checksum offload is off on both
# ends of its veth, as for the lbs: frames reaching an XDP program must
# carry full checksums. Then, for example:
#   lab_add_tunnel_backend
#   lab_servers tb1                          # HTTP 80, TCP echo 7, UDP echo 53
#   lab_xlb service add web tcp 192.0.2.10:80 forward ipip
#   lab_xlb backend add web "$(lab_addr tb1 4)"
#   lab_decap tb1 list                       # counters by method
lab_add_tunnel_backend() {
	local node="tb$((${#LAB_TUNNEL_BACKENDS[@]} + 1))" vip
	if [[ -z $LAB_XLB ]]; then
		_lab_err "lab_add_tunnel_backend: LAB_XLB is not set (xlb-decap is attached with it)"
		return 1
	fi
	_lab_tunnel_net || return 1
	_lab_new_ns "$node" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 || return 1
	_lab_ip router <<-EOF || return 1
		link add $node type veth peer name eth0 netns $LAB_ID-$node
		link set $node master br1 up
	EOF
	{
		echo "addr add $(lab_addr "$node" 4)/24 dev eth0"
		echo "addr add $(lab_addr "$node" 6)/64 dev eth0 nodad"
		echo "link set eth0 up"
		echo "route add default via 10.99.0.1"
		echo "route add default via 2001:db8:3::1"
		for vip in "${LAB_VIPS4[@]}"; do echo "addr add $vip/32 dev lo"; done
		for vip in "${LAB_VIPS6[@]}"; do echo "addr add $vip/128 dev lo nodad"; done
	} | _lab_ip "$node" || return 1
	LAB_TUNNEL_BACKENDS+=("$node")
	_lab_run lab_in router ethtool -K "$node" tx off || return 1
	_lab_run lab_in "$node" ethtool -K eth0 tx off || return 1
	mkdir -p "$LAB_BPFFS/$node"
	_lab_run lab_decap "$node" attach eth0 mode native "$@"
}

# lab_decap NODE ARGS...: `xlb decap ARGS...` in NODE, pin path $LAB_BPFFS/NODE
# (xlb-decap's state is in its decap/ subdirectory).
lab_decap() {
	local node=$1
	shift
	nsenter --net="/var/run/netns/$LAB_ID-$node" "$LAB_XLB" --pin-path "$LAB_BPFFS/$node" decap "$@"
}

# lab_encap_send NODE ARGS...: encap_send.py ARGS in NODE: one client packet
# in a tunnel, built and sent as raw frames (see encap_send.py --help).
lab_encap_send() {
	local node=$1
	shift
	lab_in "$node" "$LAB_PYTHON" "$LAB_SRC_DIR/encap_send.py" "$@"
}

# lab_vip_del NODE VIP / lab_vip_add NODE VIP: take a VIP off a backend's lo
# (the backend then drops that VIP's traffic), or put it back.
lab_vip_del() {
	local len=32
	[[ $2 == *:* ]] && len=128
	_lab_run ip -n "$LAB_ID-$1" addr del "$2/$len" dev lo
}
lab_vip_add() {
	local len=32 opt=()
	[[ $2 == *:* ]] && { len=128; opt=(nodad); }
	_lab_run ip -n "$LAB_ID-$1" addr add "$2/$len" dev lo "${opt[@]}"
}

# lab_route_vip PREFIX NODE...: route PREFIX (a VIP or VIP net) from the
# router to NODE (an lb, or a backend to bypass the load balancer); with
# several nodes, a multipath (ECMP) route over them.
lab_route_vip() {
	local prefix=$1 fam=4 node hops=()
	shift
	[[ $prefix == *:* ]] && fam=6
	if (($# == 1)); then
		hops=(via "$(lab_addr "$1" "$fam")" dev br0)
	else
		for node in "$@"; do hops+=(nexthop via "$(lab_addr "$node" "$fam")" dev br0); done
	fi
	_lab_run ip -n "$LAB_ID-router" -"$fam" route replace "$prefix" "${hops[@]}"
}

# lab_unroute_vip PREFIX: remove the router's static route for PREFIX (so
# routes learnt by BGP take over).
lab_unroute_vip() {
	local fam=4
	[[ $1 == *:* ]] && fam=6
	ip -n "$LAB_ID-router" -"$fam" route del "$1" proto static 2>/dev/null ||
		ip -n "$LAB_ID-router" -"$fam" route del "$1" proto boot 2>/dev/null
	return 0
}

# lab_bird NODE CONF: run BIRD in NODE's namespace in the foreground (killed by
# lab_down), control socket $LAB_DIR/bird-NODE.ctl; waits until it answers.
# lab_birdc NODE ARGS...: birdc on that socket.
lab_bird() {
	local node=$1 conf=$2 i
	lab_bg "$node" "bird-$node" bird -f -c "$conf" -s "$LAB_DIR/bird-$node.ctl" \
		-P "$LAB_DIR/bird-$node.pid"
	for ((i = 0; i < 100; i++)); do
		lab_birdc "$node" show status >/dev/null 2>&1 && return 0
		kill -0 "$LAB_LAST_PID" 2>/dev/null || break
		sleep 0.05
	done
	_lab_err "bird in $node did not start:"
	cat "$LAB_LOGS/bird-$node.log" >&2
	return 1
}
lab_birdc() {
	local node=$1
	shift
	birdc -s "$LAB_DIR/bird-$node.ctl" "$@"
}

# lab_gc: remove what earlier runs left behind when they were killed without a
# chance to clean up (SIGKILL): only labs whose owner process is gone.
lab_gc() {
	local ns pid dir
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_PREFIX-[0-9]*-"); do
		pid=${ns#"$LAB_PREFIX"-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		_lab_log "gc: namespace $ns (pid $pid is gone)"
		_lab_kill_ns_pids "$ns"
		ip netns del "$ns" 2>/dev/null
	done
	for dir in /tmp/"$LAB_PREFIX"-[0-9]*-*; do
		[[ -d $dir ]] || continue
		pid=${dir#/tmp/"$LAB_PREFIX"-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		_lab_log "gc: $dir (pid $pid is gone)"
		mountpoint -q "$dir/bpffs" && umount "$dir/bpffs" 2>/dev/null
		mountpoint -q "$dir/bpffs" || rm -rf "$dir"
	done
}

_lab_kill_ns_pids() {
	local pids
	pids=$(ip netns pids "$1" 2>/dev/null)
	[[ -n $pids ]] && kill -KILL $pids 2>/dev/null
	return 0
}

# lab_up [NBACKENDS [NLBS]]: build the lab.
lab_up() {
	local nbe=${1:-3} nlb=${2:-1} i
	if [[ $LAB_STATE != down ]]; then
		_lab_err "lab_up: the lab is already up"
		return 1
	fi
	if [[ $(id -u) != 0 ]]; then
		_lab_err "lab_up: needs root"
		return 1
	fi
	lab_gc
	LAB_ID="$LAB_PREFIX-$$-$(printf '%04x' $((RANDOM % 65536)))"
	LAB_DIR=/tmp/$LAB_ID
	LAB_LOGS=$LAB_DIR/logs
	LAB_BPFFS=$LAB_DIR/bpffs
	LAB_NODES=() LAB_LBS=() LAB_BACKENDS=() LAB_TUNNEL_BACKENDS=() LAB_PIDS=()
	LAB_STATE=up
	trap '_lab_on_exit_trap' EXIT
	trap '_lab_on_signal INT 130' INT
	trap '_lab_on_signal TERM 143' TERM
	trap '_lab_on_signal HUP 129' HUP
	mkdir -p "$LAB_LOGS" "$LAB_BPFFS" || return 1
	_lab_run mount -t bpf bpf "$LAB_BPFFS" || return 1
	_lab_log "lab $LAB_ID: $nbe backends, $nlb load balancers"

	_lab_new_ns client || return 1
	_lab_new_ns router net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 || return 1
	_lab_ip router <<-EOF || return 1
		link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
		addr add 198.51.100.1/24 dev br0
		addr add 2001:db8:2::1/64 dev br0 nodad
		link set br0 up
		link add cl0 type veth peer name eth0 netns $LAB_ID-client
		addr add 203.0.113.1/24 dev cl0
		addr add 2001:db8:1::1/64 dev cl0 nodad
		link set cl0 up
	EOF
	_lab_ip client <<-EOF || return 1
		addr add 203.0.113.2/24 dev eth0
		addr add 2001:db8:1::2/64 dev eth0 nodad
		link set eth0 up
		route add default via 203.0.113.1
		route add default via 2001:db8:1::1
	EOF
	_lab_run lab_in client ethtool -K eth0 tx off || return 1

	for ((i = 0; i < nlb; i++)); do lab_add_lb || return 1; done
	for ((i = 0; i < nbe; i++)); do lab_add_backend || return 1; done
	if ((nlb > 0)); then
		lab_route_vip "$LAB_VIP_NET4" lb1 || return 1
		lab_route_vip "$LAB_VIP_NET6" lb1 || return 1
	fi
}

# lab_xlb [@lbN] ARGS...: run xlb in an lb's namespace with the lab's pin path.
lab_xlb() {
	local lb=lb1
	if [[ ${1:-} == @* ]]; then
		lb=${1#@}
		shift
	fi
	if [[ -z $LAB_XLB ]]; then
		_lab_err "LAB_XLB is not set"
		return 1
	fi
	nsenter --net="/var/run/netns/$LAB_ID-$lb" "$LAB_XLB" --pin-path "$LAB_BPFFS/$lb" "$@"
}

# lab_prime_neigh [lbN]: make the lb resolve every backend's MAC (v4 ARP and
# v6 ND: a UDP datagram to the discard port, then wait for the neighbour
# entry), so xlb finds them in its neighbour table. No ping needed.
lab_prime_neigh() {
	local lb=${1:-lb1} be addrs=() addr i rc=0
	for be in "${LAB_BACKENDS[@]}"; do
		addrs+=("$(lab_addr "$be" 4)" "$(lab_addr "$be" 6)")
	done
	lab_in "$lb" "$LAB_PYTHON" -c '
import socket, sys
for a in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(b"x", (a, 9))
    except OSError:
        pass
' "${addrs[@]}"
	for addr in "${addrs[@]}"; do
		for ((i = 0; i < 60; i++)); do
			lab_in "$lb" ip neigh show "$addr" dev eth0 | grep -q lladdr && break
			sleep 0.05
		done
		((i < 60)) || { _lab_err "$lb cannot resolve $addr"; rc=1; }
	done
	return $rc
}

# lab_pin_neigh [lbN]: permanent neighbour entries for every backend in the
# lb (MACs read with ip -j link), for tests that must not depend on ARP/ND.
lab_pin_neigh() {
	local lb=${1:-lb1} be mac
	for be in "${LAB_BACKENDS[@]}"; do
		mac=$(lab_mac "$be") || return 1
		_lab_run ip -n "$LAB_ID-$lb" neigh replace "$(lab_addr "$be" 4)" lladdr "$mac" dev eth0 nud permanent || return 1
		_lab_run ip -n "$LAB_ID-$lb" neigh replace "$(lab_addr "$be" 6)" lladdr "$mac" dev eth0 nud permanent || return 1
	done
}

# lab_unplug NODE: NODE's eth0 goes down (a host that is off: not even ARP
# is answered). lab_plug NODE: it comes back, with its default routes.
lab_unplug() { _lab_run ip -n "$LAB_ID-$1" link set dev eth0 down; }
lab_plug() {
	_lab_ip "$1" <<-EOF
		link set eth0 up
		route replace default via 198.51.100.1
	EOF
}

# lab_garp NODE: NODE announces its eth0 MAC for its IPv4 address (one
# gratuitous ARP request, broadcast), as a host does after a NIC change or
# a VM migration; neighbours update their existing entries.
lab_garp() {
	local node=$1
	lab_in "$node" "$LAB_PYTHON" - "$(lab_addr "$node" 4)" "$(lab_mac "$node")" <<-'EOF'
		import socket, sys
		ip = socket.inet_aton(sys.argv[1])
		mac = bytes.fromhex(sys.argv[2].replace(":", ""))
		arp = b"\x00\x01\x08\x00\x06\x04\x00\x01" + mac + ip + b"\x00" * 6 + ip
		frame = b"\xff" * 6 + mac + b"\x08\x06" + arp
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
		s.bind(("eth0", 0))
		s.send(frame)
	EOF
}

# lab_servers NODE [servers.py ARGS]: start the lab servers in a backend,
# named after it (default: HTTP on 80, TCP echo on 7, UDP echo on 53, IPv4
# and IPv6), and wait until they listen. Pid in LAB_LAST_PID and
# LAB_SERVER_PID[NODE].
declare -gA LAB_SERVER_PID=()
lab_servers() {
	_lab_servers_start "$@" && _lab_servers_wait "$1"
}

_lab_servers_start() {
	local node=$1
	shift
	local args=("$@")
	((${#args[@]})) || args=(--http 80 --tcp-echo 7 --udp-echo 53)
	# A restart must not see the previous run's "ready" line: lab_bg
	# truncates the log only once the background process has started.
	rm -f "$LAB_LOGS/servers-$node.log"
	lab_bg "$node" "servers-$node" "$LAB_PYTHON" -u "$LAB_SRC_DIR/servers.py" --name "$node" "${args[@]}"
	LAB_SERVER_PID[$node]=$LAB_LAST_PID
}

_lab_servers_wait() {
	local node=$1 pid=${LAB_SERVER_PID[$1]} i
	for ((i = 0; i < 300; i++)); do
		grep -q '^ready' "$LAB_LOGS/servers-$node.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	_lab_err "servers in $node did not start:"
	cat "$LAB_LOGS/servers-$node.log" >&2
	return 1
}

# lab_servers_all [ARGS]: lab_servers on every backend (started together).
lab_servers_all() {
	local be
	for be in "${LAB_BACKENDS[@]}"; do _lab_servers_start "$be" "$@" || return 1; done
	for be in "${LAB_BACKENDS[@]}"; do _lab_servers_wait "$be" || return 1; done
}

# lab_stop_servers NODE: stop the servers of a backend.
lab_stop_servers() {
	local pid=${LAB_SERVER_PID[$1]:-}
	[[ -n $pid ]] && lab_kill "$pid"
	unset "LAB_SERVER_PID[$1]"
	return 0
}

# lab_client ARGS...: run clients.py in the client namespace.
lab_client() {
	lab_in client "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" "$@"
}

# lab_watchdog SECONDS: abort the script (with cleanup) after SECONDS, even
# while it waits for a foreground command.
lab_watchdog() {
	local secs=$1 main=$$
	(
		trap - EXIT INT TERM HUP
		sleep "$secs" &
		wait $!
		echo "[lab] watchdog: ${secs}s elapsed, aborting" >&2
		kill -TERM "$main" 2>/dev/null
		sleep 1
		# Unblock the script: end what it is waiting for (its own children,
		# but not this watchdog).
		local p
		for p in $(pgrep -P "$main"); do
			[[ $p != "$BASHPID" ]] && kill -TERM "$p" 2>/dev/null
		done
	) &
	LAB_WATCHDOG_PID=$!
}
LAB_WATCHDOG_PID=""

_lab_on_signal() {
	trap - "$1"
	printf '[lab] caught SIG%s, cleaning up\n' "$1" >&2
	exit "$2"
}

_lab_on_exit_trap() {
	local rc=$?
	lab_down
	exit "$rc"
}

# lab_down: remove everything the lab made. Safe to call more than once.
lab_down() {
	local hook node i
	[[ $LAB_STATE == up ]] || return 0
	LAB_STATE=tearing
	_lab_log "lab $LAB_ID: tearing down"
	for hook in "${LAB_EXIT_HOOKS[@]}"; do eval "$hook" || true; done
	LAB_EXIT_HOOKS=()
	if [[ -n $LAB_WATCHDOG_PID ]]; then
		# The subshell first (so it reports nothing), then its sleep.
		local wd_children
		wd_children=$(pgrep -P "$LAB_WATCHDOG_PID")
		kill -KILL "$LAB_WATCHDOG_PID" 2>/dev/null
		wait "$LAB_WATCHDOG_PID" 2>/dev/null
		[[ -n $wd_children ]] && kill -KILL $wd_children 2>/dev/null
		LAB_WATCHDOG_PID=""
	fi
	[[ -n $LAB_SLEEP_PID ]] && kill -KILL "$LAB_SLEEP_PID" 2>/dev/null
	((${#LAB_PIDS[@]})) && lab_kill "${LAB_PIDS[@]}"
	LAB_PIDS=()
	# Anything else still running in our namespaces (started by lab_in).
	for node in "${LAB_NODES[@]}"; do _lab_kill_ns_pids "$LAB_ID-$node"; done
	# Backends and lbs first, the router (bridge) and client last.
	for ((i = ${#LAB_NODES[@]} - 1; i >= 0; i--)); do
		ip netns del "$LAB_ID-${LAB_NODES[i]}" 2>/dev/null ||
			_lab_err "cannot delete namespace $LAB_ID-${LAB_NODES[i]}"
	done
	LAB_NODES=() LAB_LBS=() LAB_BACKENDS=() LAB_TUNNEL_BACKENDS=()
	if [[ -n $LAB_BPFFS ]] && mountpoint -q "$LAB_BPFFS"; then
		umount "$LAB_BPFFS" 2>/dev/null || umount -l "$LAB_BPFFS" ||
			_lab_err "cannot unmount $LAB_BPFFS"
	fi
	if [[ -n $LAB_DIR && -d $LAB_DIR ]] && ! mountpoint -q "$LAB_BPFFS"; then
		if [[ $LAB_KEEP_LOGS == 1 ]]; then
			rm -rf "/tmp/$LAB_PREFIX-logs-${LAB_ID#"$LAB_PREFIX"-}"
			mv "$LAB_LOGS" "/tmp/$LAB_PREFIX-logs-${LAB_ID#"$LAB_PREFIX"-}" &&
				echo "[lab] logs kept in /tmp/$LAB_PREFIX-logs-${LAB_ID#"$LAB_PREFIX"-}" >&2
		fi
		rm -rf "$LAB_DIR"
	fi
	LAB_STATE=down
	trap - EXIT INT TERM HUP
	return 0
}

# lab_dump_logs: print every background log (for failures).
lab_dump_logs() {
	local f
	for f in "$LAB_LOGS"/*.log; do
		[[ -f $f ]] || continue
		echo "----- $(basename "$f")" >&2
		tail -n 20 "$f" >&2
	done
}
