#!/usr/bin/env python3
"""Send one client packet encapsulated as xlb's tunnel methods emit it.

    encap_send.py --iface DEV --dst-mac MAC --method ipip|gre|gue|fou
                  --outer-src ADDR --outer-dst ADDR
                  --inner-src ADDR --inner-dst ADDR --proto tcp|udp
                  --sport N --dport N [--payload TEXT] [--count N]
                  [--gue-port 6080] [--fou-port 5555]

A stand-in for the load balancer's encapsulating side in the lab: the frame
(Ethernet to --dst-mac, the outer IPv4/IPv6 header from --outer-src to
--outer-dst, the GRE/GUE header or none, the inner TCP SYN or UDP datagram
from the client to the VIP) is built here with the standard library only,
checksums computed, and sent on --iface with an AF_PACKET socket.
Wire formats: see xlb(8), DECAP.
"""
import argparse
import ipaddress
import socket
import struct


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pseudo(src, dst, proto, length):
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, proto, length)
    return src.packed + dst.packed + struct.pack("!IxxxB", length, proto)


def ip_packet(src, dst, proto, body):
    if src.version == 4:
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0x1234, 0x4000, 64,
                        proto, 0, src.packed, dst.packed)
        h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
        return h + body
    return struct.pack("!IHBB16s16s", 0x60000000, len(body), proto, 64,
                       src.packed, dst.packed) + body


def l4_segment(src, dst, proto, sport, dport, payload):
    if proto == "tcp":
        seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 65535, 0, 0)
        seg += payload
        c = checksum(pseudo(src, dst, 6, len(seg)) + seg)
        return 6, seg[:16] + struct.pack("!H", c) + seg[18:]
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = checksum(pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return 17, seg[:6] + struct.pack("!H", c) + seg[8:]


def udp(src, dst, sport, dport, payload):
    return l4_segment(src, dst, "udp", sport, dport, payload)[1]


def encapsulate(a, inner, inner_v6):
    osrc, odst = ipaddress.ip_address(a.outer_src), ipaddress.ip_address(a.outer_dst)
    ipproto = 41 if inner_v6 else 4
    if a.method == "ipip":
        return ip_packet(osrc, odst, ipproto, inner)
    if a.method == "gre":
        gre = struct.pack("!HH", 0, 0x86DD if inner_v6 else 0x0800)
        return ip_packet(osrc, odst, 47, gre + inner)
    # The UDP source port stands for the flow hash xlb puts there.
    if a.method == "gue":
        gue = struct.pack("!BBH", 0, ipproto, 0)
        return ip_packet(osrc, odst, 17, udp(osrc, odst, 40000 + a.sport % 20000, a.gue_port, gue + inner))
    return ip_packet(osrc, odst, 17, udp(osrc, odst, 40000 + a.sport % 20000, a.fou_port, inner))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--method", choices=["ipip", "gre", "gue", "fou"], required=True)
    ap.add_argument("--outer-src", required=True)
    ap.add_argument("--outer-dst", required=True)
    ap.add_argument("--inner-src", required=True)
    ap.add_argument("--inner-dst", required=True)
    ap.add_argument("--proto", choices=["tcp", "udp"], default="udp")
    ap.add_argument("--sport", type=int, default=40000)
    ap.add_argument("--dport", type=int, default=53)
    ap.add_argument("--payload", default="hello")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--gue-port", type=int, default=6080)
    ap.add_argument("--fou-port", type=int, default=5555)
    a = ap.parse_args()

    isrc, idst = ipaddress.ip_address(a.inner_src), ipaddress.ip_address(a.inner_dst)
    proto, seg = l4_segment(isrc, idst, a.proto, a.sport, a.dport,
                            a.payload.encode() if a.proto == "udp" else b"")
    inner = ip_packet(isrc, idst, proto, seg)
    outer = encapsulate(a, inner, isrc.version == 6)
    ethertype = 0x86DD if ipaddress.ip_address(a.outer_src).version == 6 else 0x0800
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    src_mac = s.getsockname()[4]
    frame = bytes.fromhex(a.dst_mac.replace(":", "")) + src_mac + struct.pack("!H", ethertype) + outer
    for _ in range(a.count):
        s.send(frame)


if __name__ == "__main__":
    main()
