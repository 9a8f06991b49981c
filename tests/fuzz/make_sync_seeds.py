#!/usr/bin/python3
"""Writes the seed corpus of fuzz_sync (tests/fuzz/corpus/sync): flow sync
datagrams (core/sync/wire.hpp) of every type. The first byte of a seed is
the harness's switch: 0 the datagram as is (tagged here with the harness's
key), 1 the datagram without its tag (the harness appends a valid one)."""
import hashlib
import hmac
import os
import struct
import sys

KEY = b"fuzz-key-0123456789abcdef"


def header(kind, count, sender=7, seq=1):
    return b"XLBS" + struct.pack(">BBHIQ", 1, kind, count, sender, seq)


def record(v6=False, proto=6, flags=1, sport=1024, dport=80, svc_port=80, age=3):
    fam = 10 if v6 else 2
    def addr(last):
        return (bytes(15) + bytes([last])) if v6 else (bytes([10, 0, 0, last]) + bytes(12))
    return (struct.pack(">BBBB", fam, proto, flags, fam) + struct.pack("!HH", sport, dport) +
            struct.pack(">HH", svc_port, age) + addr(1) + addr(2) + addr(3))


def tag(body):
    return hmac.new(KEY, body, hashlib.sha256).digest()


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {
        "bulk_request": header(2, 0),
        "one_v4": header(1, 1) + record(),
        "one_v6_udp": header(1, 1) + record(v6=True, proto=17, flags=0, svc_port=0),
        "three": header(1, 3) + record() + record(v6=True) + record(sport=9, age=600),
    }
    for name, body in seeds.items():
        with open(os.path.join(out, name + ".tagged"), "wb") as f:
            f.write(b"\0" + body + tag(body))
        with open(os.path.join(out, name + ".untagged"), "wb") as f:
            f.write(b"\1" + body)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "sync"))
