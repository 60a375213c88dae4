#!/bin/sh
# A chain of two routers: routing tables, ip -br addr, ping through both
# routers, neighbour tables, traceroute (-n, names, -q, -m, -I), tracepath (-n,
# names), ping with -t 1/2/3 (Time to live exceeded from each router).
#   plref3a 192.168.1.101 -- 192.168.1.1 plref3r1 192.168.56.1 --
#   192.168.56.2 plref3r2 192.168.4.1 -- 192.168.4.101 plref3b
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); chain_ping_traceroute.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands, or a command whose Linux
# output packetlab knowingly does not reproduce (the comment above it says why).

# --- setup ---
ip netns add plref3a
ip netns add plref3r1
ip netns add plref3r2
ip netns add plref3b
ip netns exec plref3a ip link add eth0 type veth peer name r1eth0
ip netns exec plref3a ip link set r1eth0 netns plref3r1
ip netns exec plref3r1 ip link set r1eth0 name eth0
ip netns exec plref3r1 ip link add eth1 type veth peer name r2eth0
ip netns exec plref3r1 ip link set r2eth0 netns plref3r2
ip netns exec plref3r2 ip link set r2eth0 name eth0
ip netns exec plref3r2 ip link add eth1 type veth peer name beth0
ip netns exec plref3r2 ip link set beth0 netns plref3b
ip netns exec plref3b ip link set beth0 name eth0
ip netns exec plref3a ip addr add 192.168.1.101/24 dev eth0
ip netns exec plref3r1 ip addr add 192.168.1.1/24 dev eth0
ip netns exec plref3r1 ip addr add 192.168.56.1/24 dev eth1
ip netns exec plref3r2 ip addr add 192.168.56.2/24 dev eth0
ip netns exec plref3r2 ip addr add 192.168.4.1/24 dev eth1
ip netns exec plref3b ip addr add 192.168.4.101/24 dev eth0
ip netns exec plref3a ip link set lo up
ip netns exec plref3a ip link set eth0 up
ip netns exec plref3r1 ip link set lo up
ip netns exec plref3r1 ip link set eth0 up
ip netns exec plref3r2 ip link set lo up
ip netns exec plref3r2 ip link set eth0 up
ip netns exec plref3b ip link set lo up
ip netns exec plref3b ip link set eth0 up
ip netns exec plref3r1 ip link set eth1 up
ip netns exec plref3r2 ip link set eth1 up
ip netns exec plref3a ip route add default via 192.168.1.1
ip netns exec plref3b ip route add default via 192.168.4.1
ip netns exec plref3r1 ip route add 192.168.4.0/24 via 192.168.56.2
ip netns exec plref3r2 ip route add 192.168.1.0/24 via 192.168.56.1
ip netns exec plref3r1 sysctl -w net.ipv4.ip_forward=1
ip netns exec plref3r2 sysctl -w net.ipv4.ip_forward=1
sleep 2  # (not compared)
# --- routing tables ---
ip netns exec plref3a ip route
ip netns exec plref3r1 ip route
ip netns exec plref3r2 ip route
ip netns exec plref3b ip route
ip netns exec plref3r1 ip addr
ip netns exec plref3r1 ip -br addr
# --- ICMP rate limiting settings (per namespace defaults) ---
# Not compared: packetlab's ICMP rate limiting is off by default (net.ipv4.icmp_ratelimit=0;
#   Linux: 1000) and it has no icmp_msgs_per_sec/icmp_msgs_burst keys.
ip netns exec plref3r1 sysctl net.ipv4.icmp_ratelimit net.ipv4.icmp_ratemask net.ipv4.icmp_msgs_per_sec net.ipv4.icmp_msgs_burst  # (not compared)
# --- A -> B through two routers ---
ip netns exec plref3a ping -c 2 192.168.4.101
ip netns exec plref3r1 ip neigh
ip netns exec plref3r2 ip neigh
ip netns exec plref3a ip neigh
sleep 6
ip netns exec plref3a traceroute -n 192.168.4.101
sleep 6
ip netns exec plref3a traceroute 192.168.4.101
sleep 6
ip netns exec plref3a traceroute 192.168.4.101
sleep 6
ip netns exec plref3a traceroute -n -q 1 -m 2 192.168.4.101
sleep 6
ip netns exec plref3a traceroute -n -m 1 192.168.4.101
sleep 6
ip netns exec plref3a traceroute -n -I 192.168.4.101
sleep 6
# Not compared: TCP SYN probes (-T) are not supported by packetlab's traceroute.
ip netns exec plref3a traceroute -n -T -p 80 192.168.4.101  # (not compared)
sleep 6
ip netns exec plref3a traceroute -n 192.168.1.1
sleep 6
ip netns exec plref3a traceroute -n 192.168.56.2
sleep 6
ip netns exec plref3a tracepath -n 192.168.4.101
sleep 6
# Not compared: Linux answered "Temporary failure in name resolution" ("???" for tracepath) here:
#   its resolver was unreachable from the namespace. packetlab has no resolver and answers as one
#   that finds no name, as in the next command.
ip netns exec plref3a tracepath 192.168.4.101  # (not compared)
sleep 6
ip netns exec plref3a tracepath 192.168.4.101
sleep 6
# Not compared: Linux printed "??? (192.168.1.1)": its resolver was unreachable. See
#   tracepath_names.sh for -b with a resolver that finds no name.
ip netns exec plref3a tracepath -b 192.168.4.101  # (not compared)
sleep 6
ip netns exec plref3a ping -c 1 -t 1 192.168.4.101
ip netns exec plref3a ping -c 1 -t 2 192.168.4.101
ip netns exec plref3a ping -c 1 -t 3 192.168.4.101
sleep 6
ip netns exec plref3a ping -c 3 -t 1 192.168.4.101
ip netns exec plref3a ping -c 1 192.168.56.2
ip netns exec plref3a ping -c 1 192.168.4.1
# --- teardown ---
ip netns del plref3a
ip netns del plref3r1
ip netns del plref3r2
ip netns del plref3b
