#!/usr/bin/env python3
"""The lab's traffic clients (python3 standard library only).

Each subcommand prints one JSON object on stdout (its result) and exits 0 when
it could run at all; the test decides what the numbers mean.

  http URL [--count N] [--parallel P] [--source ADDR]...
      N short HTTP/1.0 GETs, one TCP connection each, P at a time, the
      source addresses taken in turn. Result: ok, failed, errors,
      backends {NAME: n}, by_source {ADDR: {NAME: n}}, seconds.
  udp HOST PORT [--flows F] [--packets K] [--source ADDR]...
      F flows (one socket, so one source port, each), K datagrams per flow,
      sent one after the other; every flow has its own source port. Result:
      answered, lost, backends {NAME: flows}, split_flows (flows answered by
      more than one backend), flow_backends {"ADDR:PORT": [NAME...]}.
  hold HOST PORT [--conns N] [--interval S] [--duration D] [--ready-file F]
       [--stop-file F]
      N long-lived TCP connections to the echo server; each is asked WHO?
      first, then every S seconds every connection sends a line and must get
      it back, until D seconds passed or the stop file exists. The ready file
      is written (JSON: conn -> backend) once all are open. Result: backends,
      by_backend, rounds, errors [{conn, round, error}], ok.
  stream HOST PORT [--duration D] [--rate BYTES/S] [--ready-file F]
      One TCP connection to the echo server carrying a continuous stream; every
      byte must come back, in order. Result: backend, sent, received, errors,
      max_stall (longest time without progress while data was outstanding).
"""
import argparse
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def connect(host, port, source=None, timeout=5.0):
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by peer")
        buf += chunk
    return buf


def recv_line(sock):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("connection closed by peer")
        buf += chunk
    return buf


def err_name(e):
    return f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- http
def cmd_http(a):
    url = urllib.parse.urlsplit(a.url)
    host = url.hostname
    port = url.port or 80
    path = url.path or "/"
    sources = a.source or [None]
    lock = threading.Lock()
    next_i = [0]
    backends = Counter()
    by_source = defaultdict(Counter)
    errors = Counter()
    ok = [0]

    def worker():
        while True:
            with lock:
                i = next_i[0]
                if i >= a.count:
                    return
                next_i[0] += 1
            src = sources[i % len(sources)]
            try:
                conn = http.client.HTTPConnection(
                    host, port, timeout=a.timeout, source_address=(src, 0) if src else None
                )
                conn.request("GET", path, headers={"Connection": "close"})
                resp = conn.getresponse()
                body = resp.read().decode(errors="replace").strip()
                conn.close()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                with lock:
                    ok[0] += 1
                    backends[body] += 1
                    by_source[src or "-"][body] += 1
            except Exception as e:  # noqa: BLE001 - every failure is a result
                with lock:
                    errors[err_name(e)] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(max(1, a.parallel))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "requests": a.count,
        "ok": ok[0],
        "failed": a.count - ok[0],
        "errors": dict(errors),
        "backends": dict(sorted(backends.items())),
        "by_source": {k: dict(v) for k, v in sorted(by_source.items())},
        "seconds": round(time.monotonic() - t0, 3),
    }


# ----------------------------------------------------------------- udp
def cmd_udp(a):
    sources = a.source or [None]
    flow_backends = {}
    answered = lost = 0
    errors = Counter()
    open_socks = []
    t0 = time.monotonic()
    for f in range(a.flows):
        src = sources[f % len(sources)]
        s = socket.socket(family_of(a.host), socket.SOCK_DGRAM)
        s.settimeout(a.timeout)
        s.bind((src or ("::" if ":" in a.host else "0.0.0.0"), 0))
        s.connect((a.host, a.port))
        key = f"{s.getsockname()[0]}:{s.getsockname()[1]}"
        names = []
        for k in range(a.packets):
            msg = f"flow {f} seq {k}".encode()
            got = None
            for _attempt in range(a.retries + 1):
                try:
                    s.send(msg)
                    while True:
                        data = s.recv(65535)
                        name, _, rest = data.partition(b" ")
                        if rest == msg:
                            got = name.decode(errors="replace")
                            break
                except socket.timeout:
                    continue
                except OSError as e:
                    errors[err_name(e)] += 1
                    time.sleep(a.timeout / 4)
                    continue
                break
            if got is None:
                lost += 1
            else:
                answered += 1
                names.append(got)
        # Keep the socket (so its port) until the end: every flow of the run
        # is a different 5-tuple.
        open_socks.append(s)
        flow_backends[key] = sorted(set(names))
    for s in open_socks:
        s.close()
    per_backend = Counter()
    split = []
    for key, names in flow_backends.items():
        if len(names) == 1:
            per_backend[names[0]] += 1
        elif len(names) > 1:
            split.append(key)
    return {
        "flows": a.flows,
        "packets": a.flows * a.packets,
        "answered": answered,
        "lost": lost,
        "errors": dict(errors),
        "backends": dict(sorted(per_backend.items())),
        "split_flows": split,
        "flow_backends": flow_backends,
        "seconds": round(time.monotonic() - t0, 3),
    }


# ---------------------------------------------------------------- hold
def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def cmd_hold(a):
    conns = {}
    backends = {}
    errors = []
    sources = a.source or [None]
    for i in range(a.conns):
        try:
            s = connect(a.host, a.port, sources[i % len(sources)], a.timeout)
            s.sendall(b"WHO?\n")
            backends[i] = recv_line(s).decode().strip()
            conns[i] = s
        except Exception as e:  # noqa: BLE001
            errors.append({"conn": i, "round": 0, "error": err_name(e)})
    if a.ready_file:
        write_atomic(a.ready_file, json.dumps(backends))
    rounds = 0
    t_end = time.monotonic() + a.duration
    while time.monotonic() < t_end and not (a.stop_file and os.path.exists(a.stop_file)):
        rounds += 1
        for i, s in list(conns.items()):
            msg = f"conn {i} round {rounds} {'x' * (i % 7)}\n".encode()
            try:
                s.sendall(msg)
                back = recv_exact(s, len(msg))
                if back != msg:
                    raise RuntimeError(f"echo mismatch: {back!r}")
            except Exception as e:  # noqa: BLE001
                errors.append({"conn": i, "round": rounds, "error": err_name(e)})
                s.close()
                del conns[i]
        time.sleep(a.interval)
    for s in conns.values():
        s.close()
    return {
        "conns": a.conns,
        "open_at_end": len(conns),
        "rounds": rounds,
        "backends": {str(k): v for k, v in backends.items()},
        "by_backend": dict(sorted(Counter(backends.values()).items())),
        "errors": errors,
        "ok": not errors and len(conns) == a.conns,
    }


# -------------------------------------------------------------- stream
def pattern(offset, n):
    # Bytes that depend on their offset, so a lost/duplicated/reordered byte
    # shows: 251 is prime, so the pattern never lines up with chunk sizes.
    start = offset % 251
    base = bytes(range(251))
    reps = (start + n) // 251 + 1
    return (base * reps)[start : start + n]


def cmd_stream(a):
    res = {"backend": None, "sent": 0, "received": 0, "errors": [], "max_stall": 0.0}
    try:
        s = connect(a.host, a.port, a.source, a.timeout)
        s.sendall(b"WHO?\n")
        res["backend"] = recv_line(s).decode().strip()
    except Exception as e:  # noqa: BLE001
        res["errors"].append(err_name(e))
        return res
    if a.ready_file:
        write_atomic(a.ready_file, json.dumps({"backend": res["backend"]}))
    s.settimeout(a.timeout)
    done = threading.Event()
    lock = threading.Lock()
    chunk = 8192

    def reader():
        last = time.monotonic()
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    if not done.is_set() or res["received"] < res["sent"]:
                        raise ConnectionError("connection closed by peer")
                    return
                now = time.monotonic()
                with lock:
                    res["max_stall"] = max(res["max_stall"], now - last)
                    if data != pattern(res["received"], len(data)):
                        raise RuntimeError(f"corrupt stream at byte {res['received']}")
                    res["received"] += len(data)
                    last = now
                    if done.is_set() and res["received"] >= res["sent"]:
                        return
        except Exception as e:  # noqa: BLE001
            res["errors"].append("read: " + err_name(e))
            done.set()

    rt = threading.Thread(target=reader)
    rt.start()
    t0 = time.monotonic()
    try:
        while not done.is_set() and time.monotonic() - t0 < a.duration:
            if a.stop_file and os.path.exists(a.stop_file):
                break
            # Pace to --rate bytes/s.
            ahead = res["sent"] - (time.monotonic() - t0) * a.rate
            if ahead > 0:
                time.sleep(min(0.05, ahead / a.rate))
                continue
            s.sendall(pattern(res["sent"], chunk))
            with lock:
                res["sent"] += chunk
    except Exception as e:  # noqa: BLE001
        res["errors"].append("write: " + err_name(e))
    done.set()
    try:
        # The echo server closes its side once it has echoed everything: the
        # reader then sees the end of the stream.
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    rt.join(a.timeout + 1)
    s.close()
    res["max_stall"] = round(res["max_stall"], 3)
    res["seconds"] = round(time.monotonic() - t0, 3)
    res["ok"] = not res["errors"] and res["received"] == res["sent"] and res["sent"] > 0
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("http")
    p.add_argument("url")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--parallel", type=int, default=8)
    p.add_argument("--source", action="append")
    p.add_argument("--timeout", type=float, default=5.0)

    p = sub.add_parser("udp")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--flows", type=int, default=100)
    p.add_argument("--packets", type=int, default=5)
    p.add_argument("--source", action="append")
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--retries", type=int, default=2)

    p = sub.add_parser("hold")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--conns", type=int, default=20)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--source", action="append")
    p.add_argument("--ready-file")
    p.add_argument("--stop-file")
    p.add_argument("--timeout", type=float, default=5.0)

    p = sub.add_parser("stream")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--rate", type=float, default=4e6, help="bytes per second")
    p.add_argument("--source")
    p.add_argument("--ready-file")
    p.add_argument("--stop-file")
    p.add_argument("--timeout", type=float, default=5.0)

    a = ap.parse_args()
    res = {"http": cmd_http, "udp": cmd_udp, "hold": cmd_hold, "stream": cmd_stream}[a.cmd](a)
    json.dump(res, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
