#!/bin/sh
# ip route get on a host and a router (from/iif), no route beyond the first
# router (Destination Net Unreachable), forwarding turned off on the second
# router (silence, * * *), and back on.
#   plref3a 192.168.1.101 -- 192.168.1.1 plref3r1 192.168.56.1 --
#   192.168.56.2 plref3r2 192.168.4.1 -- 192.168.4.101 plref3b
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); chain_forwarding.expected holds its
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
# --- route get ---
ip netns exec plref3a ip route get 192.168.4.101
ip netns exec plref3r1 ip route get 192.168.4.101
ip netns exec plref3r1 ip route get 192.168.4.101 from 192.168.1.101 iif eth0
ip netns exec plref3r1 ip route get 192.168.1.101
ip netns exec plref3r1 ip route get 203.0.113.5
ip netns exec plref3r1 ip route get 203.0.113.5 from 192.168.1.101 iif eth0
# --- no route beyond R1 (A has default route, R1 has none for 203.0.113.0/24) ---
sleep 6
ip netns exec plref3a ping -c 2 203.0.113.5
sleep 6
# Not compared: Linux rate-limits ICMP errors per destination (net.ipv4.icmp_ratelimit=1000, burst
#   6) and traceroute sends 16 probes at once, so Linux lost the third probe's answer ("!N !N *");
#   packetlab's rate limiting is off by default and its traceroute probes one at a time.
ip netns exec plref3a traceroute -n -m 3 203.0.113.5  # (not compared)
# --- forwarding OFF on R2 ---
ip netns exec plref3r2 sysctl -w net.ipv4.ip_forward=0
sleep 6
ip netns exec plref3a ping -c 1 -W 1 192.168.4.101
sleep 6
ip netns exec plref3a traceroute -n -m 4 192.168.4.101
ip netns exec plref3a ping -c 1 -W 1 192.168.4.1
ip netns exec plref3a ping -c 1 -W 1 192.168.56.2
ip netns exec plref3r2 sysctl net.ipv4.ip_forward
ip netns exec plref3r2 sysctl -w net.ipv4.ip_forward=1
ip netns exec plref3a ping -c 1 192.168.4.101
# --- teardown ---
ip netns del plref3a
ip netns del plref3r1
ip netns del plref3r2
ip netns del plref3b
