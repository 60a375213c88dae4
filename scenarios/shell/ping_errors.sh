#!/bin/sh
# ping's option errors, address forms (inet_aton: 10.1, 0x0a000002), names
# that do not resolve, 0.0.0.0 (the host itself), sizes at and over the limits,
# TTL 0, a garbage -W, two destinations, and -h.
#   plref4a veth0 10.0.0.1/24 <----> plref4b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); ping_errors.expected holds its
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
# --- ping ---
ip netns exec plref4a ping
ip netns exec plref4a ping -c 0 10.0.0.2
ip netns exec plref4a ping -c x 10.0.0.2
ip netns exec plref4a ping -c -1 10.0.0.2
ip netns exec plref4a ping -i 0.001 -c 2 10.0.0.2
ip netns exec plref4a ping -s 70000 -c 1 10.0.0.2
ip netns exec plref4a ping -s 65507 -c 1 10.0.0.2
ip netns exec plref4a ping -t 0 -c 1 10.0.0.2
ip netns exec plref4a ping -t 256 -c 1 10.0.0.2
ip netns exec plref4a ping -W x -c 1 10.0.0.2
ip netns exec plref4a ping -Z 10.0.0.2
ip netns exec plref4a ping -c 1 10.0.0.2 10.0.0.3
# Not compared: Linux answered "Temporary failure in name resolution" ("???" for tracepath) here:
#   its resolver was unreachable from the namespace. packetlab has no resolver and answers as one
#   that finds no name, as in the next command.
ip netns exec plref4a ping nosuch.invalid  # (not compared)
ip netns exec plref4a ping nosuch.invalid
# Not compared: Linux answered "Temporary failure in name resolution" ("???" for tracepath) here:
#   its resolver was unreachable from the namespace. packetlab has no resolver and answers as one
#   that finds no name, as in the next command.
ip netns exec plref4a ping 10.0.0.256  # (not compared)
ip netns exec plref4a ping 10.0.0.256
ip netns exec plref4a ping -c 1 256.1.1.1
ip netns exec plref4a ping -c 1 10.1
ip netns exec plref4a ping -c 1 10.0.2
ip netns exec plref4a ping -c 1 0x0a000002
ip netns exec plref4a ping -c 1 -W 1 0.0.0.0
ip netns exec plref4a ping -c 1 -W 1 10.0.0.0
ip netns exec plref4a ping -h
# --- teardown ---
ip netns del plref4a
ip netns del plref4b
