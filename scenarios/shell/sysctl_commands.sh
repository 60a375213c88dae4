#!/bin/sh
# sysctl: reading, writing (with and without -w), unknown keys, invalid
# syntax and values, -n, the usage text.
#   plref4a veth0 10.0.0.1/24 <----> plref4b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); sysctl_commands.expected holds its
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
# --- sysctl ---
ip netns exec plref4a sysctl -w net.ipv4.nosuch=1
ip netns exec plref4a sysctl net.ipv4.nosuch
ip netns exec plref4a sysctl net.ipv4.ip_forward
ip netns exec plref4a sysctl -w net.ipv4.ip_forward=1
ip netns exec plref4a sysctl net.ipv4.ip_forward
ip netns exec plref4a sysctl -w net.ipv4.ip_forward=0
ip netns exec plref4a sysctl net.ipv4.ip_forward=1
ip netns exec plref4a sysctl net.ipv4.ip_forward
ip netns exec plref4a sysctl -w net.ipv4.ip_forward
ip netns exec plref4a sysctl -w net.ipv4.ip_forward=2
ip netns exec plref4a sysctl -w net.ipv4.ip_forward=abc
# Not compared: Linux keeps the 2 written above (any non-zero value turns forwarding on);
#   packetlab stores ip_forward as 0 or 1 and prints 1.
ip netns exec plref4a sysctl -n net.ipv4.ip_forward  # (not compared)
ip netns exec plref4a sysctl -w net.ipv4.ip_forward=0
ip netns exec plref4a sysctl
# Not compared: packetlab's sysctl store has only the keys it models; Linux also lists
#   ip_forward_update_priority and ip_forward_use_pmtu.
ip netns exec plref4a sysctl -a --pattern 'net.ipv4.ip_forward'  # (not compared)
# Not compared: packetlab's sysctl store has only the keys it models; Linux lists 37 keys per
#   interface, packetlab 8.
ip netns exec plref4a sysctl -a --pattern 'net.ipv4.conf.veth0'  # (not compared)
# --- teardown ---
ip netns del plref4a
ip netns del plref4b
