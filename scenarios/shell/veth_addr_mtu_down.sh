#!/bin/sh
# Address add/del (already assigned, not found, secondary, wildcard deletion
# warning), the routes they make, MTU (local message too long), link down on one
# end (routes, peer NO-CARRIER state DOWN, linkdown route), back up, neigh flush.
#   plref2a veth0 10.0.0.1/24 <----> plref2b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); veth_addr_mtu_down.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands, or a command whose Linux
# output packetlab knowingly does not reproduce (the comment above it says why).

# --- setup ---
ip netns add plref2a
ip netns add plref2b
ip netns exec plref2a ip link add veth0 type veth peer name veth1
ip netns exec plref2a ip link set veth1 netns plref2b
ip netns exec plref2a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref2b ip addr add 10.0.0.2/24 dev veth1
ip netns exec plref2a ip link set lo up
ip netns exec plref2a ip link set veth0 up
ip netns exec plref2b ip link set lo up
ip netns exec plref2b ip link set veth1 up
sleep 1  # (not compared)
# --- address add/del ---
ip netns exec plref2a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref2a ip addr del 10.0.0.1/24 dev veth0
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip route
ip netns exec plref2a ip route show table local
ip netns exec plref2a ip addr del 10.0.0.1/24 dev veth0
ip netns exec plref2a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref2a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref2a ip addr add 10.0.0.11/24 dev veth0
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip route show table local
ip netns exec plref2a ip addr del 10.0.0.11/24 dev veth0
ip netns exec plref2a ip addr del 10.0.0.1 dev veth0
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip addr add 10.0.0.1/24 dev veth0
# --- MTU ---
ip netns exec plref2a ip link set dev veth0 mtu 1400
ip netns exec plref2a ip link show dev veth0
ip netns exec plref2a ping -c 1 -M do -s 1472 10.0.0.2
ip netns exec plref2a ping -c 1 -M do -s 1372 10.0.0.2
ip netns exec plref2a ip link set dev veth0 mtu 1500
# --- link down ---
ip netns exec plref2a ip link set dev veth0 down
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip link show dev veth0
ip netns exec plref2a ip route
ip netns exec plref2a ip route show table local
ip netns exec plref2a ip neigh
ip netns exec plref2a ping -c 1 -W 1 10.0.0.2
ip netns exec plref2a ip route get 10.0.0.2
# peer side while A is down:
ip netns exec plref2b ip addr show dev veth1
ip netns exec plref2b ip route
ip netns exec plref2b ip route get 10.0.0.1
ip netns exec plref2b ping -c 1 -W 1 10.0.0.1
ip netns exec plref2a ip link set dev veth0 up
sleep 1  # (not compared)
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip route
ip netns exec plref2a ip route show table local
ip netns exec plref2b ip route
ip netns exec plref2a ping -c 1 10.0.0.2
# --- neigh flush ---
ip netns exec plref2a ip neigh show dev veth0
ip netns exec plref2a ip neigh flush dev veth0
ip netns exec plref2a ip neigh
# --- teardown ---
ip netns del plref2a
ip netns del plref2b
