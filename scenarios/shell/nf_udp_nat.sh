#!/bin/sh
# UDP through a NAT router, with dig bound to a fixed source port so that the
# connection's tuples are the same on every run: the port unreachable from a
# host with no name server comes back through MASQUERADE (dig: "connection
# refused"), and the entry stays [UNREPLIED]; conntrack -L and -D with UDP
# filters; SNAT to one port rewrites the source port; a REJECT with
# host-prohibited and a DROP as dig reports them.
#   plnfna 192.168.10.2 -- 192.168.10.1 plnfnr 198.51.100.1 -- 198.51.100.2 plnfnb
#
# Mirrors a recording made as root on Linux (iproute2 6.1, bind9 dig 9.18,
# iptables 1.8.9 (nf_tables), conntrack-tools 1.4.7, Linux 6.x);
# nf_udp_nat.expected holds its output. The quiet pauses ("not compared") let
# Linux's ICMP rate limiter fill up again.

# --- setup ---
ip netns add plnfna
ip netns add plnfnr
ip netns add plnfnb
ip netns exec plnfna ip link add eth0 type veth peer name reth0
ip netns exec plnfna ip link set reth0 netns plnfnr
ip netns exec plnfnr ip link set reth0 name eth0
ip netns exec plnfnr ip link add eth1 type veth peer name beth0
ip netns exec plnfnr ip link set beth0 netns plnfnb
ip netns exec plnfnb ip link set beth0 name eth0
ip netns exec plnfna ip addr add 192.168.10.2/24 dev eth0
ip netns exec plnfnr ip addr add 192.168.10.1/24 dev eth0
ip netns exec plnfnr ip addr add 198.51.100.1/24 dev eth1
ip netns exec plnfnb ip addr add 198.51.100.2/24 dev eth0
ip netns exec plnfna ip link set lo up
ip netns exec plnfna ip link set eth0 up
ip netns exec plnfnr ip link set lo up
ip netns exec plnfnr ip link set eth0 up
ip netns exec plnfnr ip link set eth1 up
ip netns exec plnfnb ip link set lo up
ip netns exec plnfnb ip link set eth0 up
ip netns exec plnfna ip route add default via 192.168.10.1
ip netns exec plnfnr sysctl -w net.ipv4.ip_forward=1
# --- MASQUERADE: the port unreachable is translated back ---
ip netns exec plnfnr iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
ip netns exec plnfna dig +short +tries=1 -b 192.168.10.2#5353 @198.51.100.2 example.test
sleep 0.2
ip netns exec plnfnr conntrack -L
ip netns exec plnfnr conntrack -L -p udp --dport 53
ip netns exec plnfnr conntrack -D -p udp --sport 5353
ip netns exec plnfnr conntrack -D -p udp --sport 5353
ip netns exec plnfnr conntrack -L -p udp --sport 53
ip netns exec plnfnr conntrack -L -p tcp
sleep 1  # (not compared)
# --- SNAT to one port ---
ip netns exec plnfnr iptables -t nat -I POSTROUTING -p udp -o eth1 -j SNAT --to-source 198.51.100.1:6000
ip netns exec plnfna dig +short +tries=1 -b 192.168.10.2#5354 @198.51.100.2 example.test
sleep 0.5
ip netns exec plnfnr conntrack -L -p udp
ip netns exec plnfnr conntrack -L -n
ip netns exec plnfnr iptables -t nat -L POSTROUTING -n -v --line-numbers
sleep 1  # (not compared)
# --- the router answers for the name server: REJECT, then DROP ---
ip netns exec plnfnr iptables -A FORWARD -p udp --dport 53 -d 198.51.100.2 -j REJECT --reject-with icmp-host-prohibited
ip netns exec plnfna dig +short +tries=1 -b 192.168.10.2#5355 @198.51.100.2 example.test
ip netns exec plnfnr iptables -R FORWARD 1 -p udp --dport 53 -d 198.51.100.2 -j DROP
ip netns exec plnfna dig +short +tries=1 +timeout=1 -b 192.168.10.2#5356 @198.51.100.2 example.test
ip netns exec plnfnr iptables -L FORWARD -n -v
ip netns exec plnfnr conntrack -C
# --- teardown ---
ip netns del plnfna
ip netns del plnfnr
ip netns del plnfnb
