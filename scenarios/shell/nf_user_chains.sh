#!/bin/sh
# User chains on a forwarding router: FORWARD jumps to from_inside, which
# sends ICMP on to icmp_in; pings and traceroutes go through them while rules
# are inserted (-I), replaced (-R), deleted by number and by specification
# (-D), chains renamed (-E, the jumps follow) and deleted (-X, refused while
# referenced or not empty). Listings with --line-numbers and references,
# single rules (-L/-S CHAIN N), policy counters, and zeroing (-Z of a chain, of
# one rule, -L -Z, -Z -v).
#   plnfua 192.168.10.2 -- 192.168.10.1 plnfur 198.51.100.1 -- 198.51.100.2 plnfub
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, iptables 1.8.9 (nf_tables), Linux 6.x); nf_user_chains.expected
# holds its output. The quiet pauses ("not compared") let Linux's ICMP rate
# limiter fill up again.

# --- setup ---
ip netns add plnfua
ip netns add plnfur
ip netns add plnfub
ip netns exec plnfua ip link add eth0 type veth peer name reth0
ip netns exec plnfua ip link set reth0 netns plnfur
ip netns exec plnfur ip link set reth0 name eth0
ip netns exec plnfur ip link add eth1 type veth peer name beth0
ip netns exec plnfur ip link set beth0 netns plnfub
ip netns exec plnfub ip link set beth0 name eth0
ip netns exec plnfua ip addr add 192.168.10.2/24 dev eth0
ip netns exec plnfur ip addr add 192.168.10.1/24 dev eth0
ip netns exec plnfur ip addr add 198.51.100.1/24 dev eth1
ip netns exec plnfub ip addr add 198.51.100.2/24 dev eth0
ip netns exec plnfua ip link set lo up
ip netns exec plnfua ip link set eth0 up
ip netns exec plnfur ip link set lo up
ip netns exec plnfur ip link set eth0 up
ip netns exec plnfur ip link set eth1 up
ip netns exec plnfub ip link set lo up
ip netns exec plnfub ip link set eth0 up
ip netns exec plnfua ip route add default via 192.168.10.1
ip netns exec plnfur sysctl -w net.ipv4.ip_forward=1
ip netns exec plnfub ip route add 192.168.10.0/24 via 198.51.100.1
# --- chains and jumps ---
ip netns exec plnfur iptables -N from_inside
ip netns exec plnfur iptables -N icmp_in
ip netns exec plnfur iptables -P FORWARD DROP
ip netns exec plnfur iptables -A FORWARD -i eth0 -j from_inside
ip netns exec plnfur iptables -A from_inside -p icmp -j icmp_in
ip netns exec plnfur iptables -A from_inside -p udp --dport 33434:33534 -j ACCEPT
ip netns exec plnfur iptables -A icmp_in -p icmp --icmp-type echo-request -j ACCEPT
ip netns exec plnfur iptables -A icmp_in -j RETURN
ip netns exec plnfur iptables -I FORWARD -m state --state ESTABLISHED -j ACCEPT
ip netns exec plnfur iptables -L -n --line-numbers
ip netns exec plnfua ping -c 2 198.51.100.2
# The port unreachable coming back is RELATED, not ESTABLISHED: the policy drops it.
ip netns exec plnfua traceroute -n -N 1 -q 1 -w 1 -m 3 198.51.100.2
sleep 3  # (not compared)
ip netns exec plnfur iptables -R FORWARD 1 -m state --state ESTABLISHED,RELATED -j ACCEPT
ip netns exec plnfua traceroute -n -N 1 -q 1 -w 1 -m 3 198.51.100.2
ip netns exec plnfub ping -c 1 -W 1 192.168.10.2
ip netns exec plnfur iptables -L -v -n --line-numbers
ip netns exec plnfur iptables -L from_inside 2 -n -v
ip netns exec plnfur iptables -S from_inside 2
ip netns exec plnfur iptables -S from_inside
# --- renaming, inserting, deleting ---
ip netns exec plnfur iptables -E icmp_in ICMP-IN
ip netns exec plnfur iptables -I ICMP-IN 2 -p icmp --icmp-type timestamp-request -j DROP
ip netns exec plnfur iptables -I ICMP-IN 5 -j ACCEPT
ip netns exec plnfur iptables -X ICMP-IN
ip netns exec plnfur iptables -X from_inside
ip netns exec plnfur iptables -N ICMP-IN
ip netns exec plnfur iptables -E from_inside ICMP-IN
ip netns exec plnfur iptables -S
ip netns exec plnfur iptables -D from_inside -p icmp -j ICMP-IN
ip netns exec plnfur iptables -D from_inside -p icmp -j ICMP-IN
ip netns exec plnfur iptables -L ICMP-IN -n
ip netns exec plnfur iptables -D ICMP-IN 3
ip netns exec plnfur iptables -D ICMP-IN 2
ip netns exec plnfur iptables -X ICMP-IN
ip netns exec plnfur iptables -F ICMP-IN
ip netns exec plnfur iptables -X ICMP-IN
ip netns exec plnfur iptables -A from_inside -p icmp -g FORWARD
ip netns exec plnfur iptables -A from_inside -p icmp -j ACCEPT
ip netns exec plnfua ping -c 1 198.51.100.2
ip netns exec plnfur iptables -L -v -n --line-numbers
# --- zeroing ---
ip netns exec plnfur iptables -Z FORWARD 1
ip netns exec plnfur iptables -L FORWARD -v -n
ip netns exec plnfur iptables -Z from_inside
ip netns exec plnfur iptables -L -v -n -Z FORWARD
ip netns exec plnfur iptables -L FORWARD -v -n
ip netns exec plnfua ping -c 1 198.51.100.2
ip netns exec plnfur iptables -Z -v
ip netns exec plnfur iptables -v -S
# --- INPUT, which no command wrote to, sees nothing; -X refuses a chain with rules ---
ip netns exec plnfua ping -c 1 192.168.10.1
ip netns exec plnfur iptables -L INPUT -v -n
ip netns exec plnfur iptables -X
ip netns exec plnfur iptables -F
ip netns exec plnfur iptables -X
ip netns exec plnfur iptables -S
# --- teardown ---
ip netns del plnfua
ip netns del plnfur
ip netns del plnfub
