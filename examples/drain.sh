#!/bin/bash
# drain.sh: take a backend out of an xlb service without breaking its
# connections (the DRAIN RUNBOOK of xlb(8), as a script).
#
#   1. xlb backend disable SERVICE ADDR      no new flows; existing ones go on
#   2. every INTERVAL seconds, print its active flows and packet rate, until
#      fewer than MIN flows are active or TIMEOUT seconds have passed
#   3. xlb backend del SERVICE ADDR          (unless -k; on timeout only with -f)
#
# A flow is "active" when it saw a packet in the last ACTIVE seconds. The
# entries of closed connections stay until their idle timeout (xlb set
# timeout; tcp 900 s by default): -a 0 counts every live entry, which
# reaches 0 at most that timeout after the last connection ended.
#
# Uses only xlb and its JSON output (-j), read with python3 when present and
# plain bash otherwise. XLB (the xlb binary) and XLB_PIN_PATH are honoured.
#
# Exit status: 0 drained (and deleted unless -k), 1 an xlb command failed,
# 2 usage, 3 timed out (the backend is left disabled, not deleted).

set -u

usage() {
    cat <<EOF
usage: ${0##*/} [-t TIMEOUT] [-m MIN] [-a ACTIVE] [-i INTERVAL] [-k] [-f] SERVICE ADDR
  SERVICE     a service name, or PROTO VIP:PORT as two words (tcp 192.0.2.10:80)
  ADDR        the backend's address
  -t TIMEOUT  seconds to wait at most (default 300)
  -m MIN      done when fewer than MIN flows are active (default 1: none left)
  -a ACTIVE   a flow is active if it saw a packet in the last ACTIVE seconds
              (default 60; 0 counts every flow entry)
  -i INTERVAL seconds between checks (default 5)
  -k          keep the backend, disabled, instead of deleting it
  -f          delete it even when the timeout is reached
EOF
    exit 2
}

xlb=${XLB:-xlb}
timeout=300 min=1 active=60 interval=5 keep=0 force=0
while getopts "t:m:a:i:kfh" opt; do
    case $opt in
        t) timeout=$OPTARG ;;
        m) min=$OPTARG ;;
        a) active=$OPTARG ;;
        i) interval=$OPTARG ;;
        k) keep=1 ;;
        f) force=1 ;;
        *) usage ;;
    esac
done
shift $(( OPTIND - 1 ))
for n in "$timeout" "$min" "$active" "$interval"; do
    [[ $n =~ ^[0-9]+$ ]] || usage
done
(( interval >= 1 && interval <= 3600 )) || usage

# SERVICE is one word (NAME) or two (PROTO VIP:PORT).
case ${1:-} in
    tcp|udp) [[ $# -eq 3 ]] || usage; service=( "$1" "$2" ); addr=$3 ;;
    *)       [[ $# -eq 2 ]] || usage; service=( "$1" ); addr=$2 ;;
esac

have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }

# Flows of the backend that saw a packet in the last $active seconds (every
# flow entry when $active is 0). Reads `xlb -j flows list` on stdin.
count_active() {
    if (( have_python )); then
        python3 -c '
import json, sys
limit = int(sys.argv[1])
flows = json.load(sys.stdin)["flows"]
print(sum(1 for f in flows if limit == 0 or f["age"] < limit))' "$active"
    else
        local n=0 age
        while read -r age; do
            (( active == 0 || ${age#*:} < active )) && n=$(( n + 1 ))
        done < <(grep -o '"age":[0-9]*')
        echo "$n"
    fi
}

# Packets per second of the backend, from `xlb -j stats --rate` on stdin.
backend_pps() {
    if (( have_python )); then
        python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    for b in s["backends"]:
        if b["address"] == sys.argv[1]:
            print(b["pps"])
            sys.exit(0)
print("?")' "$addr"
    else
        # Backends print their fields in alphabetical order: address ... pps.
        local obj
        obj=$(grep -o "{\"address\":\"$addr\"[^}]*}")
        obj=${obj#*\"pps\":}
        echo "${obj%%[,\}]*}"
    fi
}

on_interrupt() {
    echo
    say "interrupted: $addr stays disabled in ${service[*]}"
    say "undo with: $xlb backend enable ${service[*]} $addr"
    exit 130
}
trap on_interrupt INT TERM

if ! $xlb backend disable "${service[@]}" "$addr"; then
    exit 1
fi
say "disabled $addr in ${service[*]}: no new flows, existing flows continue"
if (( active > 0 )); then
    say "waiting for fewer than $min flow(s) active in the last ${active}s (timeout ${timeout}s)"
else
    say "waiting for fewer than $min flow entries (timeout ${timeout}s)"
fi

start=$SECONDS
while :; do
    # `stats --rate` measures over the interval: it is also the wait.
    stats=$($xlb -j stats "${service[@]}" --rate interval $(( interval * 1000 )) count 1) || exit 1
    pps=$(backend_pps <<< "$stats")
    flows=$($xlb -j flows list "${service[@]}" backend "$addr") || exit 1
    total=$(grep -o '"age":' <<< "$flows" | wc -l)
    now_active=$(count_active <<< "$flows")
    elapsed=$(( SECONDS - start ))
    say "${elapsed}s: $now_active active flow(s), $total flow entries, $pps packets/s"
    if (( now_active < min )); then
        say "drained"
        break
    fi
    if (( elapsed >= timeout )); then
        if (( force )); then
            say "timeout after ${elapsed}s: deleting anyway (-f), $now_active flow(s) move"
            break
        fi
        say "timeout after ${elapsed}s: $addr stays disabled in ${service[*]}"
        say "delete it with: $xlb backend del ${service[*]} $addr"
        exit 3
    fi
done

if (( keep )); then
    say "kept $addr disabled (-k); take it back with: $xlb backend enable ${service[*]} $addr"
    exit 0
fi
$xlb backend del "${service[@]}" "$addr" || exit 1
say "deleted $addr from ${service[*]}"
