#!/bin/sh
# ip's display variants: -br, -4, -o, show up, type veth, route selectors
# (dev, exact prefix, match, table main/all, proto, scope), ip -br neigh.
#   plref5a veth0 10.0.0.1/24 <----> plref5b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); ip_display.expected holds its
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
# --- display variants ---
ip netns exec plref5a ip -br addr
ip netns exec plref5a ip -br link
ip netns exec plref5a ip -br -4 addr
ip netns exec plref5a ip -4 addr
# Not compared: IPv6 addresses only: packetlab models IPv4.
ip netns exec plref5a ip -6 addr  # (not compared)
ip netns exec plref5a ip -o addr
ip netns exec plref5a ip -o link
ip netns exec plref5a ip addr show up
ip netns exec plref5a ip link show up
ip netns exec plref5a ip link show type veth
ip netns exec plref5a ip addr show type veth
# Not compared: ip -d prints kernel details packetlab does not model (queue counts follow the CPU
#   count, GSO/TSO limits).
ip netns exec plref5a ip -d link show dev veth0  # (not compared)
ip netns exec plref5a ip route show dev veth0
ip netns exec plref5a ip route show 10.0.0.0/24
ip netns exec plref5a ip route show 10.0.0.5
ip netns exec plref5a ip route show match 10.0.0.5
ip netns exec plref5a ip route list table main
ip netns exec plref5a ip route show table all
ip netns exec plref5a ip -4 route show table all
ip netns exec plref5a ip route show proto kernel
ip netns exec plref5a ip route show scope link
# Not compared: Linux's counters include its IPv6 neighbour discovery and MLD traffic (all 6
#   packets here); packetlab models IPv4 only. See veth_counters_ipv4.sh for the counters with
#   IPv6 off.
ip netns exec plref5a ip -s -s link show dev veth0  # (not compared)
ip netns exec plref5a ip -br neigh
# --- teardown ---
ip netns del plref5a
ip netns del plref5b
