#!/bin/sh
# A NAT router: 192.168.10.0/24 behind plnfmr leaves through eth1 with
# MASQUERADE, and the forward filter (policy DROP) lets out what the inside
# starts and back in only what belongs to it. plnfmb has no route back to
# 192.168.10.0/24, so a ping comes back only once the router translates it.
# Then every listing of the rules and counters (iptables -L/-S in both tables,
# iptables-save) and the connections the pings made (conntrack -L, with its
# timeouts half a second after the last reply).
#   plnfma 192.168.10.2 -- 192.168.10.1 plnfmr 198.51.100.1 -- 198.51.100.2 plnfmb
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# iptables 1.8.9 (nf_tables), conntrack-tools 1.4.7, Linux 6.x);
# nf_masquerade.expected holds its output.

# --- setup ---
ip netns add plnfma
ip netns add plnfmr
ip netns add plnfmb
ip netns exec plnfma ip link add eth0 type veth peer name reth0
ip netns exec plnfma ip link set reth0 netns plnfmr
ip netns exec plnfmr ip link set reth0 name eth0
ip netns exec plnfmr ip link add eth1 type veth peer name beth0
ip netns exec plnfmr ip link set beth0 netns plnfmb
ip netns exec plnfmb ip link set beth0 name eth0
ip netns exec plnfma ip addr add 192.168.10.2/24 dev eth0
ip netns exec plnfmr ip addr add 192.168.10.1/24 dev eth0
ip netns exec plnfmr ip addr add 198.51.100.1/24 dev eth1
ip netns exec plnfmb ip addr add 198.51.100.2/24 dev eth0
ip netns exec plnfma ip link set lo up
ip netns exec plnfma ip link set eth0 up
ip netns exec plnfmr ip link set lo up
ip netns exec plnfmr ip link set eth0 up
ip netns exec plnfmr ip link set eth1 up
ip netns exec plnfmb ip link set lo up
ip netns exec plnfmb ip link set eth0 up
ip netns exec plnfma ip route add default via 192.168.10.1
ip netns exec plnfmr sysctl -w net.ipv4.ip_forward=1
# --- no NAT yet: the reply has no way back, and nothing is tracked ---
ip netns exec plnfma ping -c 1 -W 1 198.51.100.2
ip netns exec plnfmr conntrack -L
# --- MASQUERADE on the way out, a stateful forward filter ---
ip netns exec plnfmr iptables -t nat -A POSTROUTING -s 192.168.10.0/24 -o eth1 -j MASQUERADE
ip netns exec plnfmr iptables -P FORWARD DROP
ip netns exec plnfmr iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip netns exec plnfmr iptables -A FORWARD -i eth0 -o eth1 -s 192.168.10.0/24 -j ACCEPT
ip netns exec plnfma ping -c 2 198.51.100.2
ip netns exec plnfma ping -c 1 198.51.100.1
sleep 0.5
ip netns exec plnfmr conntrack -L
ip netns exec plnfmr conntrack -L -p icmp -d 198.51.100.2
ip netns exec plnfmr conntrack -C
ip netns exec plnfmb conntrack -L
# --- the outside cannot start anything ---
ip netns exec plnfmb ip route add 192.168.10.0/24 via 198.51.100.1
ip netns exec plnfmb ping -c 1 -W 1 192.168.10.2
# --- listings ---
ip netns exec plnfmr iptables -t nat -L -n -v
ip netns exec plnfmr iptables -t nat -L POSTROUTING -n -v -x --line-numbers
ip netns exec plnfmr iptables -L -n -v --line-numbers
ip netns exec plnfmr iptables -L
ip netns exec plnfmr iptables -S
ip netns exec plnfmr iptables -t nat -S
ip netns exec plnfmr iptables -v -S FORWARD
ip netns exec plnfmr iptables-save
ip netns exec plnfmr iptables-save -c -t nat
# --- teardown ---
ip netns del plnfma
ip netns del plnfmr
ip netns del plnfmb
