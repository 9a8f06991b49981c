# shellcheck shell=bash
# common.sh: what every end-to-end test shares. Source it first thing:
#
#   NN_name.sh [XLB [XDP_PASS_OBJ]]     (or the env XLB and LAB_XDP_PASS;
#                                        default: the repository's build/)
#
# Exit codes: 0 pass, 1 fail, 77 skipped (not root, or no xlb binary).
# Every check prints one line ("  ok  ..." / "  FAIL ..."); the script ends
# with "PASS: NAME (Ns)" or "FAIL: NAME (N of M checks failed)".

E2E_NAME=${E2E_AS:-$(basename "$0" .sh)}
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
E2E_T0=${EPOCHREALTIME/./}
E2E_CHECKS=0
E2E_FAILS=0

# Without arguments or env: the binaries of a build in ./build.
_e2e_build=$(cd "$E2E_DIR/../.." && pwd)/build
LAB_XLB=${1:-${XLB:-$_e2e_build/cmd/xlb}}
LAB_XDP_PASS=${2:-${LAB_XDP_PASS:-$_e2e_build/tests/lab/xdp_pass.bpf.o}}
# shellcheck source=../lab/lab.sh
source "$E2E_DIR/../lab/lab.sh"

e2e_skip() {
	echo "SKIP: $E2E_NAME: $*"
	exit 77
}

# e2e_require [xlb] [TOOL...]: skip unless root and the tools are there.
e2e_require() {
	local t
	[[ $(id -u) == 0 ]] || e2e_skip "needs root (network namespaces, XDP)"
	for t in "$@"; do
		if [[ $t == xlb ]]; then
			[[ -n $LAB_XLB && -x $LAB_XLB ]] || e2e_skip "no xlb binary ('$LAB_XLB')"
		else
			command -v "$t" >/dev/null || e2e_skip "$t is not installed"
		fi
	done
	[[ -n $LAB_XDP_PASS && -r $LAB_XDP_PASS ]] || e2e_skip "no xdp_pass.bpf.o ('$LAB_XDP_PASS')"
}

# e2e_elapsed: seconds since the start, one decimal.
e2e_elapsed() {
	local us=$((${EPOCHREALTIME/./} - E2E_T0))
	printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000))
}

# e2e_step TEXT: a heading for what comes next.
e2e_step() { printf '[%5ss] %s\n' "$(e2e_elapsed)" "$*"; }

# e2e_note TEXT: an indented detail line.
e2e_note() { printf '        %s\n' "$*"; }

e2e_ok() {
	E2E_CHECKS=$((E2E_CHECKS + 1))
	printf '  ok    %s\n' "$*"
}
e2e_fail() {
	E2E_CHECKS=$((E2E_CHECKS + 1))
	E2E_FAILS=$((E2E_FAILS + 1))
	printf '  FAIL  %s\n' "$*"
}

# e2e_check TEXT CMD...: CMD must succeed. Its output is shown on failure.
e2e_check() {
	local text=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ((rc == 0)); then
		e2e_ok "$text"
	else
		e2e_fail "$text (rc $rc: $*)"
		[[ -n $out ]] && printf '%s\n' "$out" | head -n 20 | sed 's/^/        | /'
	fi
	return $rc
}

# e2e_expect TEXT PYEXPR [NAME=JSON]...: a Python expression over the JSON
# documents given as NAME=JSON must be true. Shows the values on failure.
# nocounters(DOC) is DOC without its packets/bytes/flows keys.
e2e_expect() {
	local text=$1 expr=$2 out
	shift 2
	if out=$("$LAB_PYTHON" - "$expr" "$@" <<'EOF' 2>&1
import json, sys
expr = sys.argv[1]
def nocounters(v):
    """v without its counters (packets, bytes, flows): the configuration."""
    if isinstance(v, dict):
        return {k: nocounters(x) for k, x in v.items() if k not in ("packets", "bytes", "flows")}
    if isinstance(v, list):
        return [nocounters(x) for x in v]
    return v
env = {"__builtins__": __builtins__, "nocounters": nocounters}
for arg in sys.argv[2:]:
    name, _, doc = arg.partition("=")
    env[name] = json.loads(doc)
ok = eval(expr, env)
if not ok:
    print("expression: " + expr)
    for k, v in env.items():
        if k in ("__builtins__", "nocounters"):
            continue
        s = json.dumps(v, sort_keys=True)
        print(f"{k} = {s[:600]}{'...' if len(s) > 600 else ''}")
    sys.exit(1)
EOF
	); then
		e2e_ok "$text"
	else
		e2e_fail "$text"
		printf '%s\n' "$out" | sed 's/^/        | /'
		return 1
	fi
}

# e2e_py PYEXPR [NAME=JSON]...: print the value of a Python expression.
e2e_py() {
	"$LAB_PYTHON" - "$@" <<'EOF'
import json, sys
def nocounters(v):
    """v without its counters (packets, bytes, flows): the configuration."""
    if isinstance(v, dict):
        return {k: nocounters(x) for k, x in v.items() if k not in ("packets", "bytes", "flows")}
    if isinstance(v, list):
        return [nocounters(x) for x in v]
    return v
env = {"__builtins__": __builtins__, "nocounters": nocounters}
for arg in sys.argv[2:]:
    name, _, doc = arg.partition("=")
    env[name] = json.loads(doc)
v = eval(sys.argv[1], env)
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
EOF
}

# e2e_xlb ARGS...: run an xlb command in lb1, echoing it; fail the test
# (a failed check) when it fails.
e2e_xlb() {
	local out rc
	out=$(lab_xlb "$@" 2>&1)
	rc=$?
	if ((rc != 0)); then
		e2e_fail "xlb $* (rc $rc)"
		printf '%s\n' "$out" | head -n 20 | sed 's/^/        | /'
		return $rc
	fi
	printf '        $ xlb %s\n' "$*"
	[[ -n $out ]] && printf '%s\n' "$out" | head -n 40 | sed 's/^/          /'
	return 0
}

# e2e_xlb_quiet ARGS...: same, without echoing the output (for -j reads).
e2e_xlb_quiet() {
	local out rc
	out=$(lab_xlb "$@" 2>&1)
	rc=$?
	if ((rc != 0)); then
		e2e_fail "xlb $* (rc $rc)"
		printf '%s\n' "$out" | head -n 20 | sed 's/^/        | /' >&2
		return $rc
	fi
	printf '%s\n' "$out"
}

# e2e_backends_json: {"198.51.100.101": "be1", "2001:db8:2::101": "be1", ...}
e2e_backends_json() {
	local be sep="" out="{"
	for be in "${LAB_BACKENDS[@]}"; do
		out+="$sep\"$(lab_addr "$be" 4)\": \"$be\", \"$(lab_addr "$be" 6)\": \"$be\""
		sep=", "
	done
	printf '%s}\n' "$out"
}

# e2e_capture_start NODE DEV FILTER: tcpdump in the background (pcap in
# $LAB_LOGS/capture-NODE-DEV.pcap); waits until it listens.
e2e_capture_start() {
	local node=$1 dev=$2 filter=$3 tag="capture-$1-$2" i
	lab_bg "$node" "$tag" tcpdump -i "$dev" -n -U -B 65536 -Z root -w "$LAB_LOGS/$tag.pcap" "$filter"
	E2E_CAPTURE_PID=$LAB_LAST_PID
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$LAB_LOGS/$tag.log" 2>/dev/null && return 0
		sleep 0.05
	done
	e2e_fail "tcpdump on $node $dev did not start"
	cat "$LAB_LOGS/$tag.log"
	return 1
}

# e2e_capture_stop: stop the capture (flushes the file).
e2e_capture_stop() {
	lab_kill "$E2E_CAPTURE_PID"
}

# e2e_capture_count NODE DEV FILTER: packets in that capture matching FILTER.
e2e_capture_count() {
	tcpdump -n -r "$LAB_LOGS/capture-$1-$2.pcap" "$3" 2>/dev/null | wc -l
}

# A 4 MB/s TCP stream and CONNS long-lived connections (a message every
# INTERVAL s) to VIP:PORT for SECONDS s, in the background; returns once
# both clients are connected. Sets stream_pid and hold_pid.
e2e_stream_and_hold() {
	local vip=$1 port=$2 seconds=$3 conns=$4 interval=$5 i
	lab_bg client stream "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" stream "$vip" "$port" \
		--duration "$seconds" --rate 4e6 --ready-file "$LAB_LOGS/stream.ready"
	stream_pid=$LAB_LAST_PID
	lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold "$vip" "$port" --conns "$conns" \
		--interval "$interval" --duration "$seconds" --ready-file "$LAB_LOGS/hold.ready"
	hold_pid=$LAB_LAST_PID
	for ((i = 0; i < 100; i++)); do
		[[ -s $LAB_LOGS/stream.ready && -s $LAB_LOGS/hold.ready ]] && return 0
		lab_sleep 0.1
	done
	e2e_abort "the clients did not start"
}

# After e2e_stream_and_hold: waits for both clients, then checks that the
# stream echoed every byte in order without a stall of 1 s and that every
# long-lived connection kept working.
e2e_expect_stream_and_hold_kept() {
	local r h
	wait "$stream_pid" "$hold_pid"
	r=$(cat "$LAB_LOGS/stream.log")
	h=$(cat "$LAB_LOGS/hold.log")
	e2e_note "stream: $(e2e_py "r['received']" r="$r") bytes echoed, longest stall $(e2e_py "r['max_stall']" r="$r") s, errors $(e2e_py "r.get('errors')" r="$r")"
	e2e_expect "the stream went on without a reset: every byte echoed, in order" "r['ok']" r="$r"
	e2e_expect "the stream never stalled for 1 s or more" "r['max_stall'] < 1.0" r="$r"
	e2e_expect "the long-lived connections kept working on their backends (${h:0:200})" "h['ok']" h="$h"
}

# e2e_probe tcp|udp ADDR PORT: one probe from the lb, as xlb-healthd sends it
# (source port from bind(port 0), so no two probes in flight share one).
# Prints the answer's first line and exits 0, or prints why and exits 1.
e2e_probe() {
	lab_in lb1 "$LAB_PYTHON" - "$@" <<'EOF'
import socket, sys
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
kind = socket.SOCK_STREAM if mode == "tcp" else socket.SOCK_DGRAM
s = socket.socket(fam, kind)
s.settimeout(1.5)
try:
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))
    s.connect((addr, port))
    if mode == "tcp":
        s.sendall(b"GET / HTTP/1.0\r\nHost: probe\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        print(data.split(b"\r\n\r\n", 1)[1].decode().strip())
    else:
        s.send(b"ping")
        print(s.recv(4096).decode().strip())
except OSError as e:
    print(f"no answer: {e.__class__.__name__}: {e}")
    sys.exit(1)
EOF
}

# e2e_nat_of SERVICE BACKEND: the backend's NAT address in that service.
e2e_nat_of() {
	e2e_py "[r['nat'] for r in n['nat'] if r['service'] == '$1' and r['backend'] == '$2'][0]" \
		n="$(e2e_xlb_quiet -j nat list)"
}

# e2e_finish: the final PASS/FAIL line and the exit code.
e2e_finish() {
	local t
	t=$(e2e_elapsed)
	if ((E2E_FAILS == 0 && E2E_CHECKS > 0)); then
		echo "PASS: $E2E_NAME ($E2E_CHECKS checks, ${t}s)"
		exit 0
	fi
	if ((E2E_CHECKS == 0)); then
		echo "FAIL: $E2E_NAME (no check ran, ${t}s)"
	else
		echo "FAIL: $E2E_NAME ($E2E_FAILS of $E2E_CHECKS checks failed, ${t}s)"
	fi
	lab_dump_logs
	exit 1
}

# e2e_abort TEXT: a failure that makes the rest pointless.
e2e_abort() {
	e2e_fail "$*"
	e2e_finish
}
