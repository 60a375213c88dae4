#!/bin/sh
# traceroute, tracepath and ping through a MASQUERADE router, two routers away
# from the target. plnfts has no route back to 192.168.10.0/24: before NAT its
# time exceeded and everything beyond stay silent; after, every ICMP error —
# time exceeded from plnfts, port unreachable from plnftb, frag needed from
# plnfts once its far link has MTU 1400 — comes back translated to the inside
# host, quoting the probe as it was sent. Then the connection a ping with TTL 2
# leaves behind ([UNREPLIED]: an error is not a reply).
#   plnfta 192.168.10.2 -- 192.168.10.1 plnftr 198.51.100.1 --
#   198.51.100.2 plnfts 203.0.113.1 -- 203.0.113.2 plnftb
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, iptables 1.8.9 (nf_tables), conntrack-tools 1.4.7,
# Linux 6.x); nf_masq_traceroute.expected holds its output. traceroute runs
# with -N 1 (one probe at a time, as packetlab's does); the quiet pauses ("not
# compared") let Linux's ICMP rate limiter fill up again.

# --- setup ---
ip netns add plnfta
ip netns add plnftr
ip netns add plnfts
ip netns add plnftb
ip netns exec plnfta ip link add eth0 type veth peer name reth0
ip netns exec plnfta ip link set reth0 netns plnftr
ip netns exec plnftr ip link set reth0 name eth0
ip netns exec plnftr ip link add eth1 type veth peer name seth0
ip netns exec plnftr ip link set seth0 netns plnfts
ip netns exec plnfts ip link set seth0 name eth0
ip netns exec plnfts ip link add eth1 type veth peer name beth0
ip netns exec plnfts ip link set beth0 netns plnftb
ip netns exec plnftb ip link set beth0 name eth0
ip netns exec plnfta ip addr add 192.168.10.2/24 dev eth0
ip netns exec plnftr ip addr add 192.168.10.1/24 dev eth0
ip netns exec plnftr ip addr add 198.51.100.1/24 dev eth1
ip netns exec plnfts ip addr add 198.51.100.2/24 dev eth0
ip netns exec plnfts ip addr add 203.0.113.1/24 dev eth1
ip netns exec plnftb ip addr add 203.0.113.2/24 dev eth0
ip netns exec plnfta ip link set lo up
ip netns exec plnfta ip link set eth0 up
ip netns exec plnftr ip link set lo up
ip netns exec plnftr ip link set eth0 up
ip netns exec plnftr ip link set eth1 up
ip netns exec plnfts ip link set lo up
ip netns exec plnfts ip link set eth0 up
ip netns exec plnfts ip link set eth1 up
ip netns exec plnftb ip link set lo up
ip netns exec plnftb ip link set eth0 up
ip netns exec plnfta ip route add default via 192.168.10.1
ip netns exec plnftr ip route add default via 198.51.100.2
ip netns exec plnftb ip route add default via 203.0.113.1
ip netns exec plnftr sysctl -w net.ipv4.ip_forward=1
ip netns exec plnfts sysctl -w net.ipv4.ip_forward=1
# --- no NAT: only the first router can answer ---
ip netns exec plnfta traceroute -n -N 1 -q 1 -w 1 -m 3 203.0.113.2
sleep 6  # (not compared)
# --- MASQUERADE ---
ip netns exec plnftr iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
ip netns exec plnfta traceroute -n -N 1 203.0.113.2
sleep 6  # (not compared)
ip netns exec plnfta traceroute -n -N 1 -I 203.0.113.2
sleep 6  # (not compared)
ip netns exec plnfta traceroute -n -N 1 -q 1 -f 2 -p 40000 203.0.113.2
sleep 6  # (not compared)
ip netns exec plnfta ping -c 1 -t 2 203.0.113.2
ip netns exec plnfta ping -c 1 203.0.113.2
sleep 6  # (not compared)
ip netns exec plnfta tracepath -n 203.0.113.2
sleep 6  # (not compared)
# --- a smaller MTU beyond the second router: frag needed, translated back ---
ip netns exec plnfts ip link set eth1 mtu 1400
ip netns exec plnftb ip link set eth0 mtu 1400
ip netns exec plnfta ping -c 1 -M do -s 1372 203.0.113.2
ip netns exec plnfta ping -c 2 -M do -s 1373 203.0.113.2
ip netns exec plnfta ip route get 203.0.113.2
sleep 6  # (not compared)
ip netns exec plnfta tracepath -n 203.0.113.2
sleep 6  # (not compared)
# --- what a ping with TTL 2 leaves in conntrack ---
ip netns exec plnftr conntrack -F
ip netns exec plnfta ping -c 1 -t 2 203.0.113.2
sleep 0.5
ip netns exec plnftr conntrack -L
ip netns exec plnftr iptables -t nat -L POSTROUTING -n -v
# --- teardown ---
ip netns del plnfta
ip netns del plnftr
ip netns del plnfts
ip netns del plnftb
