#!/bin/sh
# traceroute and tracepath option and argument errors, no route, too big a
# packet, and their usage texts.
#   plref4a veth0 10.0.0.1/24 <----> plref4b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); trace_errors.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands, or a command whose Linux
# output packetlab knowingly does not reproduce (the comment above it says why).

# --- setup ---
ip netns add plref4a
ip netns add plref4b
ip netns exec plref4a ip link add veth0 type veth peer name veth1
ip netns exec plref4a ip link set veth1 netns plref4b
ip netns exec plref4a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref4b ip addr add 10.0.0.2/24 dev veth1
ip netns exec plref4a ip link set lo up
ip netns exec plref4a ip link set veth0 up
ip netns exec plref4b ip link set lo up
ip netns exec plref4b ip link set veth1 up
sleep 1  # (not compared)
# --- traceroute / tracepath ---
ip netns exec plref4a traceroute
ip netns exec plref4a traceroute -m 0 10.0.0.2
ip netns exec plref4a traceroute -m 300 10.0.0.2
ip netns exec plref4a traceroute -q 0 10.0.0.2
ip netns exec plref4a traceroute -q 11 10.0.0.2
ip netns exec plref4a traceroute -Z 10.0.0.2
# Not compared: Linux answered "Temporary failure in name resolution" ("???" for tracepath) here:
#   its resolver was unreachable from the namespace. packetlab has no resolver and answers as one
#   that finds no name, as in the next command.
ip netns exec plref4a traceroute nosuch.invalid  # (not compared)
ip netns exec plref4a traceroute nosuch.invalid
ip netns exec plref4a traceroute 10.0.0.256
ip netns exec plref4a traceroute -n 203.0.113.5
ip netns exec plref4a traceroute -n 10.0.0.2 70000
ip netns exec plref4a tracepath
ip netns exec plref4a tracepath -n 203.0.113.5
ip netns exec plref4a tracepath nosuch.invalid
# --- teardown ---
ip netns del plref4a
ip netns del plref4b
