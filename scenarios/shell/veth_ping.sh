#!/bin/sh
# ping across a veth pair: statistics, reply sizes, -s 0/8 (no time=), the
# host itself, unreachable on-link hosts (ARP failing: Destination Host
# Unreachable, +N errors, pipe N), neighbour states, broadcast with and without
# -b, -q, -n, no route; then ip route get (unicast, local, broadcast, JSON).
#   plref2a veth0 10.0.0.1/24 <----> plref2b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); veth_ping.expected holds its
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
# --- pings ---
ip netns exec plref2a ping -c 3 -i 0.2 10.0.0.2
ip netns exec plref2a ip neigh
ip netns exec plref2a ip -j neigh
ip netns exec plref2a ip -j -p neigh
ip netns exec plref2b ip neigh
ip netns exec plref2a ping -c 1 -s 1000 10.0.0.2
ip netns exec plref2a ping -c 1 -s 0 10.0.0.2
ip netns exec plref2a ping -c 1 -s 8 10.0.0.2
ip netns exec plref2a ping -c 1 10.0.0.1
ip netns exec plref2a ping -c 2 -W 1 10.0.0.9
ip netns exec plref2a ip neigh
# same unreachable on-link host, but long enough for ARP resolution (3 probes, ~3 s) to fail:
# Not compared: Linux printed "pipe 3" here: how this ping's 1 s interval meets the 1 s ARP
#   retransmissions of the entry the previous command left INCOMPLETE depends on Linux's
#   timer-wheel rounding (up to 64 ms per timer); packetlab's timers are exact and give "pipe 4".
#   The fresh host below (10.0.0.8) does not depend on it.
ip netns exec plref2a ping -c 5 10.0.0.9  # (not compared)
ip netns exec plref2a ip neigh
ip netns exec plref2a ping -c 1 -W 1 10.0.0.9
ip netns exec plref2a ip neigh show 10.0.0.9
# fresh on-link host with no neighbour entry yet (10.0.0.8):
ip netns exec plref2a ping -c 5 10.0.0.8
ip netns exec plref2a ip neigh show 10.0.0.8
ip netns exec plref2a ping -c 1 203.0.113.5
ip netns exec plref2a ping -c 1 -t 1 10.0.0.2
ip netns exec plref2a ping -c 1 10.0.0.255
ip netns exec plref2a ping -c 1 -W 1 -b 10.0.0.255
ip netns exec plref2a ping -c 2 -q 10.0.0.2
ip netns exec plref2a ping -c 1 -n 10.0.0.2
# --- route get ---
ip netns exec plref2a ip route get 10.0.0.2
ip netns exec plref2a ip route get 10.0.0.1
ip netns exec plref2a ip route get 10.0.0.255
ip netns exec plref2a ip route get 203.0.113.5
ip netns exec plref2a ip -j route get 10.0.0.2
ip netns exec plref2a ip route get 10.0.0.9
# --- counters after traffic ---
# Not compared: Linux's counters include its IPv6 neighbour discovery and MLD traffic (8 more
#   packets, 656 more bytes each way in the recording); packetlab models IPv4 only. See
#   veth_counters_ipv4.sh for the counters with IPv6 off.
ip netns exec plref2a ip -s link show dev veth0  # (not compared)
# Not compared: Linux's counters include its IPv6 neighbour discovery and MLD traffic (8 more
#   packets, 656 more bytes each way in the recording); packetlab models IPv4 only. See
#   veth_counters_ipv4.sh for the counters with IPv6 off.
ip netns exec plref2a ip -s addr show dev veth0  # (not compared)
# Not compared: Linux's counters include its IPv6 neighbour discovery and MLD traffic (8 more
#   packets, 656 more bytes each way in the recording); packetlab models IPv4 only. See
#   veth_counters_ipv4.sh for the counters with IPv6 off.
ip netns exec plref2b ip -s link show dev veth1  # (not compared)
# --- teardown ---
ip netns del plref2a
ip netns del plref2b
