#!/bin/sh
# Routes: metric, src, add/replace/change/append/del, proto static,
# multipath (text and JSON), blackhole/unreachable/prohibit/throw for local
# traffic (ip route get, ping, traceroute) and forwarded traffic (ICMP errors),
# route flush.
#   plref5a veth0 10.0.0.1/24 <----> plref5b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); route_types.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands, or a command whose Linux
# output packetlab knowingly does not reproduce (the comment above it says why).

# --- setup ---
ip netns add plref5a
ip netns add plref5b
ip netns exec plref5a ip link add veth0 type veth peer name veth1
ip netns exec plref5a ip link set veth1 netns plref5b
ip netns exec plref5a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref5b ip addr add 10.0.0.2/24 dev veth1
ip netns exec plref5a ip link set lo up
ip netns exec plref5a ip link set veth0 up
ip netns exec plref5b ip link set lo up
ip netns exec plref5b ip link set veth1 up
sleep 2  # (not compared)
# --- metric / src / replace ---
ip netns exec plref5a ip route add 10.5.0.0/16 via 10.0.0.2 metric 100
ip netns exec plref5a ip route
ip netns exec plref5a ip route add 10.6.0.0/16 via 10.0.0.2 src 10.0.0.1
ip netns exec plref5a ip route
ip netns exec plref5a ip route get 10.5.1.1
ip netns exec plref5a ip route get 10.6.1.1
ip netns exec plref5a ip route add 10.5.0.0/16 via 10.0.0.2
ip netns exec plref5a ip route add 10.5.0.0/16 via 10.0.0.2 metric 100
ip netns exec plref5a ip route
ip netns exec plref5a ip route get 10.5.1.1
ip netns exec plref5a ip route replace 10.5.0.0/16 via 10.0.0.3 metric 100
ip netns exec plref5a ip route
ip netns exec plref5a ip route replace 10.11.0.0/16 via 10.0.0.2
ip netns exec plref5a ip route
ip netns exec plref5a ip route change 10.99.0.0/16 via 10.0.0.2
ip netns exec plref5a ip route change 10.11.0.0/16 via 10.0.0.3
ip netns exec plref5a ip route append 10.11.0.0/16 via 10.0.0.4
ip netns exec plref5a ip route
ip netns exec plref5a ip route del 10.5.0.0/16
ip netns exec plref5a ip route
ip netns exec plref5a ip route del 10.5.0.0/16 metric 100
ip netns exec plref5a ip route add 10.12.0.0/16 dev veth0
ip netns exec plref5a ip route add 10.13.0.0/16 via 10.0.0.2 dev veth0 proto static
ip netns exec plref5a ip route add 10.14.0.0/16 nexthop via 10.0.0.2 weight 1 nexthop via 10.0.0.3 weight 2
ip netns exec plref5a ip route
ip netns exec plref5a ip -j -p route show 10.14.0.0/16
# --- blackhole / unreachable / prohibit ---
ip netns exec plref5a ip route add blackhole 10.7.0.0/16
ip netns exec plref5a ip route add unreachable 10.8.0.0/16
ip netns exec plref5a ip route add prohibit 10.10.0.0/16
ip netns exec plref5a ip route add throw 10.15.0.0/16
ip netns exec plref5a ip route
ip netns exec plref5a ip -j route
ip netns exec plref5a ip route show type blackhole
ip netns exec plref5a ip route show type unreachable
ip netns exec plref5a ip route get 10.7.1.1
ip netns exec plref5a ip route get 10.8.1.1
ip netns exec plref5a ip route get 10.10.1.1
ip netns exec plref5a ip route get 10.15.1.1
ip netns exec plref5a ping -c 1 -W 1 10.7.1.1
ip netns exec plref5a ping -c 1 -W 1 10.8.1.1
ip netns exec plref5a ping -c 1 -W 1 10.10.1.1
ip netns exec plref5a ping -c 1 -W 1 10.15.1.1
ip netns exec plref5a traceroute -n 10.7.1.1
ip netns exec plref5a traceroute -n 10.8.1.1
ip netns exec plref5a traceroute -n 10.10.1.1
# same route types hit by FORWARDED traffic: A becomes a router, B pings through it
ip netns exec plref5a sysctl -w net.ipv4.ip_forward=1
ip netns exec plref5b ip route add default via 10.0.0.1
sleep 6
ip netns exec plref5b ping -c 2 -W 1 10.7.1.1
sleep 6
ip netns exec plref5b ping -c 2 -W 1 10.8.1.1
sleep 6
ip netns exec plref5b ping -c 2 -W 1 10.10.1.1
sleep 6
ip netns exec plref5b ping -c 2 -W 1 10.15.1.1
sleep 6
# Not compared: Linux rate-limits ICMP errors per destination (net.ipv4.icmp_ratelimit=1000, burst
#   6) and traceroute sends 16 probes at once, so Linux lost the third probe's answer ("!H !H *");
#   packetlab's rate limiting is off by default and its traceroute probes one at a time.
ip netns exec plref5b traceroute -n 10.8.1.1  # (not compared)
sleep 6
# Not compared: Linux rate-limits ICMP errors per destination (net.ipv4.icmp_ratelimit=1000, burst
#   6) and traceroute sends 16 probes at once, so Linux lost the third probe's answer ("!X !X *");
#   packetlab's rate limiting is off by default and its traceroute probes one at a time.
ip netns exec plref5b traceroute -n 10.10.1.1  # (not compared)
sleep 6
ip netns exec plref5b ping -c 2 -W 1 203.0.113.5
ip netns exec plref5b ip route get 10.8.1.1
ip netns exec plref5a ip route get 10.8.1.1 from 10.0.0.2 iif veth0
ip netns exec plref5a ip route get 10.10.1.1 from 10.0.0.2 iif veth0
ip netns exec plref5a ip route get 10.7.1.1 from 10.0.0.2 iif veth0
ip netns exec plref5a ip route del blackhole 10.7.0.0/16
ip netns exec plref5a ip route del 10.8.0.0/16
ip netns exec plref5a ip route del unreachable 10.10.0.0/16
ip netns exec plref5a ip route del prohibit 10.10.0.0/16
ip netns exec plref5a ip route
# --- flush ---
ip netns exec plref5a ip route flush 10.11.0.0/16
ip netns exec plref5a ip route
ip netns exec plref5a ip route flush dev veth0
ip netns exec plref5a ip route
ip netns exec plref5a ip route show table local
# --- teardown ---
ip netns del plref5a
ip netns del plref5b
