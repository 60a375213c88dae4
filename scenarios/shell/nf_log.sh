#!/bin/sh
# LOG rules on a MASQUERADE router, read back with dmesg: a forwarded ping
# and its reply (filter FORWARD, then mangle POSTROUTING, which runs before
# NAT: the inside source still shows, and a forwarded packet keeps IN= and
# MAC=), a ping to the router itself (INPUT, its reply in OUTPUT and
# POSTROUTING without MAC=), and the time exceeded the router sends for a
# TTL-1 ping (the quoted packet in brackets, PREC=0xC0). Then the LOG rules as
# iptables lists and prints them.
#   plnfla 192.168.10.2 -- 192.168.10.1 plnflr 198.51.100.1 -- 198.51.100.2 plnflb
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# iptables 1.8.9 (nf_tables), util-linux 2.38 dmesg, Linux 6.x);
# nf_log.expected holds its output. The kernel log is the machine's: the rules
# log at level 5 (notice), a level no other kernel line used there, and dmesg
# shows only that level, without time stamps; the mask hides the IP and echo
# identifiers (random on Linux).

# --- setup ---
ip netns add plnfla
ip netns add plnflr
ip netns add plnflb
ip netns exec plnfla ip link add eth0 type veth peer name reth0
ip netns exec plnfla ip link set reth0 netns plnflr
ip netns exec plnflr ip link set reth0 name eth0
ip netns exec plnflr ip link add eth1 type veth peer name beth0
ip netns exec plnflr ip link set beth0 netns plnflb
ip netns exec plnflb ip link set beth0 name eth0
ip netns exec plnfla ip addr add 192.168.10.2/24 dev eth0
ip netns exec plnflr ip addr add 192.168.10.1/24 dev eth0
ip netns exec plnflr ip addr add 198.51.100.1/24 dev eth1
ip netns exec plnflb ip addr add 198.51.100.2/24 dev eth0
ip netns exec plnfla ip link set lo up
ip netns exec plnfla ip link set eth0 up
ip netns exec plnflr ip link set lo up
ip netns exec plnflr ip link set eth0 up
ip netns exec plnflr ip link set eth1 up
ip netns exec plnflb ip link set lo up
ip netns exec plnflb ip link set eth0 up
ip netns exec plnfla ip route add default via 192.168.10.1
ip netns exec plnflr sysctl -w net.ipv4.ip_forward=1
ip netns exec plnflr iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
ip netns exec plnflr iptables -A FORWARD -p icmp -j LOG --log-prefix "fwd: " --log-level 5
ip netns exec plnflr iptables -A INPUT -p icmp -j LOG --log-prefix "in: " --log-level notice
ip netns exec plnflr iptables -A OUTPUT -p icmp -j LOG --log-prefix "out: " --log-level 5
ip netns exec plnflr iptables -t mangle -A POSTROUTING -p icmp -j LOG --log-prefix "post: " --log-level 5
ip netns exec plnflr iptables -t raw -A PREROUTING -p icmp --icmp-type echo-request -j LOG --log-prefix "raw: " --log-level 5 --log-ip-options
ip netns exec plnflr iptables -A INPUT -p icmp -j LOG --log-prefix "in, debug: " --log-level 7
ip netns exec plnfla ping -c 1 198.51.100.2
ip netns exec plnfla ping -c 1 -s 100 192.168.10.1
ip netns exec plnfla ping -c 1 -t 1 198.51.100.2
dmesg -t -l notice --color=never
ip netns exec plnflr iptables -L -n -v
ip netns exec plnflr iptables -t raw -S
ip netns exec plnflr iptables -t mangle -L POSTROUTING
dmesg -l bogus
dmesg --frobnicate
# --- teardown ---
ip netns del plnfla
ip netns del plnflr
ip netns del plnflb
