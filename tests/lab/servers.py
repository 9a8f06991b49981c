#!/usr/bin/env python3
"""The lab's backend servers (python3 standard library only).

One process runs any of:
  --http PORT      HTTP: every GET (and HEAD) is answered "NAME\\n" (200,
                   Connection: close); the X-Backend header carries NAME too.
  --tcp-echo PORT  TCP echo. If a connection starts with "WHO?\\n" that line is
                   answered with "NAME\\n" instead of being echoed; everything
                   after it (or everything, without it) is echoed back as is.
  --udp-echo PORT  UDP: every datagram is answered with "NAME " + the datagram,
                   sent from the address it was sent to (so a VIP on lo works).

All of them listen on every IPv4 and IPv6 address (or --bind ADDR). The line
"ready ..." is printed once every socket listens; SIGTERM (and SIGINT, unless
it was ignored at start) stops it.
"""
import argparse
import http.server
import signal
import socket
import socketserver
import struct
import sys
import threading

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
IPV6_RECVPKTINFO = getattr(socket, "IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = getattr(socket, "IPV6_PKTINFO", 50)

NAME = "backend"


class DualStackMixin:
    """Listen on [::] with IPV6_V6ONLY off (IPv4 and IPv6), or on --bind."""

    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class HTTPHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "xlb-lab"

    def _answer(self, with_body):
        body = (NAME + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Backend", NAME)
        self.send_header("Connection", "close")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):
        self._answer(True)

    def do_HEAD(self):
        self._answer(False)

    def log_message(self, fmt, *args):
        pass


class HTTPServer(DualStackMixin, socketserver.ThreadingMixIn, http.server.HTTPServer):
    pass


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        first = True
        pending = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                if first:
                    pending += data
                    if len(pending) < 5 and b"WHO?\n".startswith(pending):
                        continue
                    first = False
                    data, pending = pending, b""
                    if data.startswith(b"WHO?\n"):
                        sock.sendall((NAME + "\n").encode())
                        data = data[5:]
                if data:
                    sock.sendall(data)
        except OSError:
            pass


class EchoServer(DualStackMixin, socketserver.ThreadingMixIn, socketserver.TCPServer):
    pass


def udp_echo(sock, family):
    """Answer every datagram with NAME + ' ' + data, from its destination."""
    prefix = (NAME + " ").encode()
    while True:
        try:
            data, anc, _flags, peer = sock.recvmsg(65535, 256)
        except OSError:
            return
        cmsgs = []
        for level, ctype, cdata in anc:
            if family == socket.AF_INET and level == socket.IPPROTO_IP and ctype == IP_PKTINFO:
                # struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
                dst = cdata[8:12]
                cmsgs = [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("i4s4s", 0, dst, b"\0" * 4))]
            elif family == socket.AF_INET6 and level == socket.IPPROTO_IPV6 and ctype == IPV6_PKTINFO:
                # struct in6_pktinfo { in6_addr addr; int ifindex; }
                dst = cdata[:16]
                cmsgs = [(socket.IPPROTO_IPV6, IPV6_PKTINFO, struct.pack("16si", dst, 0))]
        try:
            sock.sendmsg([prefix + data], cmsgs, 0, peer)
        except OSError as e:
            print(f"udp send to {peer}: {e}", file=sys.stderr, flush=True)


def udp_sockets(port, bind):
    socks = []
    families = []
    if bind:
        families = [socket.AF_INET6 if ":" in bind else socket.AF_INET]
    else:
        families = [socket.AF_INET, socket.AF_INET6]
    for fam in families:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
            s.bind((bind or "::", port))
        else:
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            s.bind((bind or "0.0.0.0", port))
        socks.append((s, fam))
    return socks


def tcp_server(cls, handler, port, bind):
    if bind and ":" not in bind:
        srv_cls = type(cls.__name__ + "4", (cls,), {"address_family": socket.AF_INET})
    else:
        srv_cls = cls
    return srv_cls((bind or "::", port), handler)


def main():
    global NAME
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", required=True, help="backend name sent in every answer")
    ap.add_argument("--bind", default="", help="listen on this address only (default: all, v4+v6)")
    ap.add_argument("--http", type=int, action="append", default=[], metavar="PORT")
    ap.add_argument("--tcp-echo", type=int, action="append", default=[], metavar="PORT")
    ap.add_argument("--udp-echo", type=int, action="append", default=[], metavar="PORT")
    args = ap.parse_args()
    NAME = args.name
    if not (args.http or args.tcp_echo or args.udp_echo):
        ap.error("nothing to serve: give --http, --tcp-echo and/or --udp-echo")

    threads = []
    servers = []
    for port in args.http:
        servers.append(tcp_server(HTTPServer, HTTPHandler, port, args.bind))
    for port in args.tcp_echo:
        servers.append(tcp_server(EchoServer, EchoHandler, port, args.bind))
    for srv in servers:
        threads.append(threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True))
    for port in args.udp_echo:
        for s, fam in udp_sockets(port, args.bind):
            threads.append(threading.Thread(target=udp_echo, args=(s, fam), daemon=True))

    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    # Started in the background by a script, SIGINT is ignored: keep it so, so
    # a Ctrl-C meant for the script leaves the servers to its cleanup.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, on_signal)
    for t in threads:
        t.start()
    print(f"ready {NAME} http={args.http} tcp-echo={args.tcp_echo} udp-echo={args.udp_echo}", flush=True)
    while not stop.wait(0.5):
        pass
    for srv in servers:
        srv.shutdown()
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
