#!/bin/sh
# Two namespaces joined by a veth pair: flags, state (M-DOWN, NO-CARRIER,
# LOWERLAYERDOWN, UP), ifindex kept across the move, NAME@ifN and link-netns,
# routes appearing with the link, JSON (compact and pretty) of addresses and routes.
#   plref2a veth0 10.0.0.1/24 <----> plref2b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); veth_link_states.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands, or a command whose Linux
# output packetlab knowingly does not reproduce (the comment above it says why).

# --- setup ---
ip netns add plref2a
ip netns add plref2b
ip netns exec plref2a ip link add veth0 type veth peer name veth1
# both ends still in plref2a, both down:
ip netns exec plref2a ip link
ip netns exec plref2a ip link set veth1 netns plref2b
ip netns exec plref2a ip link
ip netns exec plref2b ip link
ip netns exec plref2a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref2b ip addr add 10.0.0.2/24 dev veth1
# address assigned, link still admin-down:
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip route
ip netns exec plref2a ip route show table local
ip netns exec plref2a ip link set lo up
ip netns exec plref2a ip link set veth0 up
# A end up, B end still down (NO-CARRIER):
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip route
ip netns exec plref2b ip link set lo up
ip netns exec plref2b ip link set veth1 up
sleep 1  # (not compared)
# --- both ends up ---
ip netns exec plref2a ip addr show dev veth0
ip netns exec plref2a ip link show dev veth0
ip netns exec plref2a ip addr
ip netns exec plref2a ip route
ip netns exec plref2a ip route show table local
ip netns exec plref2a ip -j addr show dev veth0
ip netns exec plref2a ip -j -p addr show dev veth0
ip netns exec plref2a ip -j route
ip netns exec plref2a ip -j -p route
ip netns exec plref2a ip -j -p route show table local
ip netns exec plref2a ip neigh
