#!/bin/sh
# ip netns: add/del/exec errors, listing, exec without or with an unknown
# command.
#   plref4a veth0 10.0.0.1/24 <----> plref4b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); netns_commands.expected holds its
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
# --- ip netns ---
ip netns add plrefX
ip netns add plrefX
ip netns del plrefNOPE
ip netns exec plrefNOPE ip addr
# Not compared: Linux lists /run/netns in directory order; on the recording machine /run was on
#   ext4 (hash order: plref4b, plrefX, plref4a). packetlab lists newest first, as tmpfs (where
#   /run usually is) does.
ip netns list  # (not compared)
ip netns exec plrefX ip link
ip netns del plrefX
ip netns list
ip netns exec plref4a
ip netns exec plref4a nosuchcommand
# --- teardown ---
ip netns del plref4a
ip netns del plref4b
