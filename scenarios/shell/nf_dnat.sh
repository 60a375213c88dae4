#!/bin/sh
# DNAT: the router's second outside address, 198.51.100.10, is forwarded to
# the inside host. From the outside a ping to it is answered by plnfda (one hop
# further: ttl 63) under the public address, traceroute's ICMP errors — the
# router's time exceeded and the inside host's port unreachable — come back
# under it too, and the router's own address still answers for itself. Then
# the router's own pings, DNATed in OUTPUT, and the connections in conntrack.
#   plnfda 192.168.10.2 -- 192.168.10.1 plnfdr 198.51.100.1 (+ .10) -- 198.51.100.2 plnfdb
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, iptables 1.8.9 (nf_tables), conntrack-tools 1.4.7,
# Linux 6.x); nf_dnat.expected holds its output. The quiet pauses ("not
# compared") let Linux's ICMP rate limiter fill up again.

# --- setup ---
ip netns add plnfda
ip netns add plnfdr
ip netns add plnfdb
ip netns exec plnfda ip link add eth0 type veth peer name reth0
ip netns exec plnfda ip link set reth0 netns plnfdr
ip netns exec plnfdr ip link set reth0 name eth0
ip netns exec plnfdr ip link add eth1 type veth peer name beth0
ip netns exec plnfdr ip link set beth0 netns plnfdb
ip netns exec plnfdb ip link set beth0 name eth0
ip netns exec plnfda ip addr add 192.168.10.2/24 dev eth0
ip netns exec plnfdr ip addr add 192.168.10.1/24 dev eth0
ip netns exec plnfdr ip addr add 198.51.100.1/24 dev eth1
ip netns exec plnfdb ip addr add 198.51.100.2/24 dev eth0
ip netns exec plnfda ip link set lo up
ip netns exec plnfda ip link set eth0 up
ip netns exec plnfdr ip link set lo up
ip netns exec plnfdr ip link set eth0 up
ip netns exec plnfdr ip link set eth1 up
ip netns exec plnfdb ip link set lo up
ip netns exec plnfdb ip link set eth0 up
ip netns exec plnfda ip route add default via 192.168.10.1
ip netns exec plnfdr sysctl -w net.ipv4.ip_forward=1
ip netns exec plnfdr ip addr add 198.51.100.10/24 dev eth1
# --- before DNAT the public address is the router's ---
ip netns exec plnfdb ping -c 1 198.51.100.10
# --- DNAT to the inside host ---
ip netns exec plnfdr iptables -t nat -A PREROUTING -i eth1 -d 198.51.100.10 -j DNAT --to-destination 192.168.10.2
ip netns exec plnfdb ping -c 2 198.51.100.10
ip netns exec plnfdb ping -c 1 198.51.100.1
sleep 0.5
ip netns exec plnfdr conntrack -L
ip netns exec plnfdb traceroute -n -N 1 198.51.100.10
sleep 6  # (not compared)
ip netns exec plnfdb traceroute -n -N 1 -I 198.51.100.10
sleep 6  # (not compared)
ip netns exec plnfdb ping -c 1 -t 1 198.51.100.10
# --- the inside host's view: replies go out, nothing from outside needs a route ---
ip netns exec plnfda ping -c 1 198.51.100.10
# --- DNAT in OUTPUT: the router's own pings to the public address ---
ip netns exec plnfdr iptables -t nat -A OUTPUT -d 198.51.100.10 -p icmp -j DNAT --to-destination 192.168.10.2
ip netns exec plnfdr ping -c 1 198.51.100.10
sleep 0.5
ip netns exec plnfdr conntrack -L -p icmp -s 198.51.100.1
ip netns exec plnfdr iptables -t nat -L -n -v
ip netns exec plnfdr iptables -t nat -S
# --- teardown ---
ip netns del plnfda
ip netns del plnfdr
ip netns del plnfdb
