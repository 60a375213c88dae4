#!/bin/sh
# A fresh network namespace: lo down, then up (127.0.0.1/8 appears, the local
# table is created), pings over lo, ip route get, lo counters (IPv4 only here,
# so they match byte for byte), then lo down again: the local routes stay, the
# broadcast route goes, and a ping gets no answer.
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); fresh_netns.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands, or a command whose Linux
# output packetlab knowingly does not reproduce (the comment above it says why).

ip netns add plref1
ip netns exec plref1 ip addr
ip netns exec plref1 ip link
ip netns exec plref1 ip -s link
ip netns exec plref1 ip route
ip netns exec plref1 ip route show table local
ip netns exec plref1 ip -j addr
ip netns exec plref1 ip -j route
ip netns exec plref1 ip neigh
ip netns exec plref1 ip rule
ip netns exec plref1 ip -6 route
ip netns exec plref1 ip -4 route show table all
ip netns exec plref1 sysctl net.ipv4.ip_forward
ip netns exec plref1 ip link set lo up
ip netns exec plref1 ip addr
ip netns exec plref1 ip link
ip netns exec plref1 ip route
ip netns exec plref1 ip route show table local
ip netns exec plref1 ip -j addr
ip netns exec plref1 ip -j route show table local
ip netns exec plref1 ip -6 route
ip netns exec plref1 ip -6 route show table local
ip netns exec plref1 ping -c 2 -i 0.2 127.0.0.1
ip netns exec plref1 ping -c 1 127.1.2.3
ip netns exec plref1 ip route get 127.0.0.1
ip netns exec plref1 ip -s link show lo
ip netns exec plref1 ip link set lo down
ip netns exec plref1 ip addr
ip netns exec plref1 ip route show table local
ip netns exec plref1 ping -c 1 127.0.0.1
ip netns del plref1
