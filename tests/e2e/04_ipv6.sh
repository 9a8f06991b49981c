#!/bin/bash
# 04_ipv6: the checks of 01_tcp on an IPv6 VIP ([2001:db8::10]:80) with IPv6
# backends: 1,000 short HTTP connections succeed, 33% +- 6% per backend,
# counters agree, no reply crosses the load balancer.
E2E_FAMILY=6 E2E_AS=04_ipv6 exec bash "$(dirname "$0")/01_tcp.sh" "$@"
