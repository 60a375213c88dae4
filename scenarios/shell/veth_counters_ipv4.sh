#!/bin/sh
# Interface counters after known traffic, with IPv6 turned off on the Linux
# side (a quiet setting packetlab, which models IPv4 only, does not need): what
# remains is ARP and IPv4, and the counters must match byte for byte. Also
# ip -s -s (error rows, carrier transitions) and ip -s -j (stats64).
#   plfixc1 veth0 10.0.0.1/24 <----> plfixc2 veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); veth_counters_ipv4.expected
# holds its output. A line marked "(not compared)" runs, but its output is not
# compared: settings packetlab does not have, or a quiet pause.

ip netns add plfixc1
ip netns add plfixc2
ip netns exec plfixc1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1  # (not compared)
ip netns exec plfixc1 sysctl -qw net.ipv6.conf.default.disable_ipv6=1  # (not compared)
ip netns exec plfixc2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1  # (not compared)
ip netns exec plfixc2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1  # (not compared)
ip netns exec plfixc1 ip link add veth0 type veth peer name veth1
ip netns exec plfixc1 ip link set veth1 netns plfixc2
ip netns exec plfixc1 ip addr add 10.0.0.1/24 dev veth0
ip netns exec plfixc2 ip addr add 10.0.0.2/24 dev veth1
ip netns exec plfixc1 ip -s link show dev veth0
ip netns exec plfixc1 ip link set lo up
ip netns exec plfixc1 ip link set veth0 up
ip netns exec plfixc2 ip link set lo up
ip netns exec plfixc2 ip link set veth1 up
sleep 1  # (not compared)
ip netns exec plfixc1 ip -s link show dev veth0
ip netns exec plfixc1 ping -c 3 -i 0.2 10.0.0.2
ip netns exec plfixc1 ping -c 1 -s 2000 10.0.0.2
ip netns exec plfixc1 ping -c 1 -s 0 10.0.0.2
ip netns exec plfixc1 ping -c 1 127.0.0.1
ip netns exec plfixc1 ip -s link show dev veth0
ip netns exec plfixc1 ip -s addr show dev veth0
ip netns exec plfixc2 ip -s link show dev veth1
ip netns exec plfixc1 ip -s -s link show dev veth0
ip netns exec plfixc1 ip -s link show dev lo
ip netns exec plfixc1 ip -s -j link show dev veth0
ip netns exec plfixc1 ip -s -j -p link show dev lo
ip netns exec plfixc1 ping -c 2 -W 1 10.0.0.9
ip netns exec plfixc1 ip -s link show dev veth0
ip netns exec plfixc2 ip link set veth1 down
ip netns exec plfixc1 ping -c 1 -W 1 10.0.0.2
ip netns exec plfixc1 ip -s -s link show dev veth0
ip netns del plfixc1
ip netns del plfixc2
