#!/bin/sh
# ping's timing options and their summaries: a deadline with and without a
# count, short waits for an unreachable host, options after the destination,
# -q, local message too long, -M dont, -I by address and by device.
#   plfixp1 veth0 10.0.0.1/24 <----> plfixp2 veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); ping_options.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared.

ip netns add plfixp1
ip netns add plfixp2
ip netns exec plfixp1 ip link add veth0 type veth peer name veth1
ip netns exec plfixp1 ip link set veth1 netns plfixp2
ip netns exec plfixp1 ip addr add 10.0.0.1/24 dev veth0
ip netns exec plfixp2 ip addr add 10.0.0.2/24 dev veth1
ip netns exec plfixp1 ip link set lo up
ip netns exec plfixp1 ip link set veth0 up
ip netns exec plfixp2 ip link set lo up
ip netns exec plfixp2 ip link set veth1 up
sleep 1  # (not compared)
ip netns exec plfixp1 ping -c 2 -W 1 -w 3 10.0.0.9
ip netns exec plfixp1 ping -c 3 -i 0.5 -W 0.5 10.0.0.7
ip netns exec plfixp1 ping -w 2 -i 0.3 10.0.0.2
ip netns exec plfixp1 ping -c 2 -w 5 10.0.0.2
ip netns exec plfixp1 ping 10.0.0.2 -c 3 -i 0.2
ip netns exec plfixp1 ping -q -c 2 -i 0.2 10.0.0.2
ip netns exec plfixp1 ping -c 1 -M do -s 1473 10.0.0.2
ip netns exec plfixp1 ping -c 1 -M dont -s 1600 10.0.0.2
ip netns exec plfixp1 ping -c 1 -I 10.0.0.1 10.0.0.2
ip netns exec plfixp1 ping -c 1 -I veth0 10.0.0.2
ip netns exec plfixp1 ping -c 1 -I 10.0.0.5 10.0.0.2
ip netns exec plfixp1 ping -c 1 localhost
ip netns exec plfixp1 ping -c 2 -i 0.2 -s 15 10.0.0.2
ip netns exec plfixp1 ping -c 2 -i 0.2 -s 16 10.0.0.2
ip netns exec plfixp2 ip link set veth1 down
ip netns exec plfixp1 ping -c 3 -i 0.5 10.0.0.2
ip netns del plfixp1
ip netns del plfixp2
