#!/usr/bin/env python3
"""Writes the store seed corpus (corpus/store): models in the CBOR form the
store keeps (nlohmann's to_cbor of model_json.cpp's JSON: keys sorted,
shortest integers), plus the damaged blobs of issue 20."""
import os
import struct
import sys


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(n)


def cbor(v):
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(v[k]) for k in sorted(v))
    raise TypeError(v)


def backend(addr, bid, mac="00:00:00:00:00:00", explicit=False, admin="enabled"):
    return {"addr": addr, "weight": 1, "mac": mac, "mac_explicit": explicit, "admin": admin,
            "health": "up", "id": bid, "cookie": bid + 1}


def check(kind, **kw):
    c = {"type": kind, "port": 0, "path": "/", "expect_lo": 200, "expect_hi": 399, "host": "",
         "interval_ms": 5000, "timeout_ms": 2000, "rise": 2, "fall": 3}
    c.update(kw)
    return c


def service(name, proto, vip, port, backends, checks=(), **kw):
    s = {"name": name, "proto": proto, "vip": vip, "port": port, "sched": "mh", "ring": 16381,
         "forward": "dsr", "forward_port": 0, "backends": list(backends), "checks": list(checks),
         "need": 1, "id": 0, "ring_slot": 0}
    s.update(kw)
    return s


def model(services, **settings):
    st = {"seed": 0x786C6221}
    st.update(settings)
    return {"abi": 2, "settings": st, "next_cookie": 10, "services": services}


SEEDS = {
    "empty": model([]),
    "web": model([service("web", "tcp", "192.0.2.10", 80,
                          [backend("10.0.0.1", 0), backend("10.0.0.2", 1, "02:00:00:00:00:02", True)],
                          [check("http", path="/h;#x", host="a.example")])]),
    "dns6": model([service("dns", "udp", "2001:db8::53", 53, [backend("2001:db8::10", 0)],
                           [check("dns", host="example.org")], sched="sh", id=1)],
                  nat4="198.18.0.0/16", nat6="fd00:786c:6200::/64"),
    "tunnel": model([service("t", "tcp", "192.0.2.20", 443, [backend("198.51.100.1", 0)],
                             forward="gue", forward_port=6080)],
                    source4="192.0.2.1", gateway4="192.0.2.254"),
}

# Issue 20, defect 8: an array announcing 8.3e18 elements; 200,000 nested arrays.
DAMAGED = {
    "huge-array": bytes.fromhex("9b73652155 21f86221".replace(" ", "")),
    "nested": b"\x81" * 2000 + b"\x80",
}


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, m in SEEDS.items():
        with open(os.path.join(out, name + ".cbor"), "wb") as f:
            f.write(cbor(m))
    for name, blob in DAMAGED.items():
        with open(os.path.join(out, name + ".cbor"), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "store"))
