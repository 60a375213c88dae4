#!/bin/sh
# Path MTU: a 1400-byte link between the routers. Frag needed and DF set,
# the learned PMTU in ip route get (expires, mtu), local message too long,
# fragmentation without -M do, tracepath with the PMTU cached and after
# ip route flush cache (it discovers 1400 itself), traceroute --mtu, -M want.
#   plref3a 192.168.1.101 -- 192.168.1.1 plref3r1 192.168.56.1 --
#   192.168.56.2 plref3r2 192.168.4.1 -- 192.168.4.101 plref3b
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); chain_pmtu.expected holds its
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
# --- MTU 1400 on the R1-R2 link (forwarding back on) ---
ip netns exec plref3r1 ip link set dev eth1 mtu 1400
ip netns exec plref3r2 ip link set dev eth0 mtu 1400
ip netns exec plref3r1 ip link show dev eth1
ip netns exec plref3r2 ip link show dev eth0
ip netns exec plref3a ip route get 192.168.4.101
sleep 6
ip netns exec plref3a ping -c 2 -M do -s 1472 192.168.4.101
ip netns exec plref3a ip route get 192.168.4.101
ip netns exec plref3a ping -c 1 -M do -s 1472 192.168.4.101
ip netns exec plref3a ping -c 1 -M do -s 1372 192.168.4.101
ip netns exec plref3a ping -c 1 -s 2000 192.168.4.101
ip netns exec plref3a ping -c 1 -s 1472 192.168.4.101
sleep 6
# tracepath with the PMTU (1400) already cached on A:
ip netns exec plref3a tracepath -n 192.168.4.101
ip netns exec plref3a ip route flush cache
ip netns exec plref3a ip route get 192.168.4.101
sleep 6
# tracepath with the cache flushed (discovers the PMTU itself):
ip netns exec plref3a tracepath -n 192.168.4.101
ip netns exec plref3a ip route flush cache
sleep 6
ip netns exec plref3a traceroute -n --mtu 192.168.4.101
ip netns exec plref3a ip route flush cache
sleep 6
ip netns exec plref3a ping -c 2 -M want -s 1472 192.168.4.101
# The recording ends with back-to-back traceroutes and pings showing Linux's ICMP rate limiting
#   (on by default there, off in packetlab); they are left out.
# --- teardown ---
ip netns del plref3a
ip netns del plref3r1
ip netns del plref3r2
ip netns del plref3b
