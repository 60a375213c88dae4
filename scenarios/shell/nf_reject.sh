#!/bin/sh
# A filtering router with default DROP policies: FORWARD lets through what
# belongs to known connections (ESTABLISHED,RELATED), pings and traceroutes to
# 198.51.100.2, and answers everything else for 198.51.100.3-.10 with one REJECT
# variant each; INPUT takes pings from the inside only. What ping, traceroute
# and curl print for each ICMP error and the TCP reset, what the policy drops
# silently, and the counters afterwards.
#   plnffa 192.168.10.2 -- 192.168.10.1 plnffr 198.51.100.1 -- 198.51.100.2-.11 plnffb
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, curl 7.88.1, iptables 1.8.9 (nf_tables), Linux 6.x);
# nf_reject.expected holds its output. The quiet pauses ("not compared") let
# Linux's ICMP rate limiter (one error per second per destination, bursts of
# six) fill up again, so that no answer is lost to it.

# --- setup ---
ip netns add plnffa
ip netns add plnffr
ip netns add plnffb
ip netns exec plnffa ip link add eth0 type veth peer name reth0
ip netns exec plnffa ip link set reth0 netns plnffr
ip netns exec plnffr ip link set reth0 name eth0
ip netns exec plnffr ip link add eth1 type veth peer name beth0
ip netns exec plnffr ip link set beth0 netns plnffb
ip netns exec plnffb ip link set beth0 name eth0
ip netns exec plnffa ip addr add 192.168.10.2/24 dev eth0
ip netns exec plnffr ip addr add 192.168.10.1/24 dev eth0
ip netns exec plnffr ip addr add 198.51.100.1/24 dev eth1
ip netns exec plnffb ip addr add 198.51.100.2/24 dev eth0
ip netns exec plnffa ip link set lo up
ip netns exec plnffa ip link set eth0 up
ip netns exec plnffr ip link set lo up
ip netns exec plnffr ip link set eth0 up
ip netns exec plnffr ip link set eth1 up
ip netns exec plnffb ip link set lo up
ip netns exec plnffb ip link set eth0 up
ip netns exec plnffa ip route add default via 192.168.10.1
ip netns exec plnffr sysctl -w net.ipv4.ip_forward=1
ip netns exec plnffb ip addr add 198.51.100.3/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.4/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.5/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.6/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.7/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.8/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.9/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.10/24 dev eth0
ip netns exec plnffb ip addr add 198.51.100.11/24 dev eth0
ip netns exec plnffb ip route add 192.168.10.0/24 via 198.51.100.1
# --- the rule set ---
ip netns exec plnffr iptables -P FORWARD DROP
ip netns exec plnffr iptables -P INPUT DROP
ip netns exec plnffr iptables -A INPUT -i lo -j ACCEPT
ip netns exec plnffr iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
ip netns exec plnffr iptables -A INPUT -i eth0 -p icmp --icmp-type echo-request -j ACCEPT
ip netns exec plnffr iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
ip netns exec plnffr iptables -A FORWARD -i eth0 -d 198.51.100.2 -p icmp -j ACCEPT
ip netns exec plnffr iptables -A FORWARD -i eth0 -d 198.51.100.2 -p udp --dport 33434:33534 -j ACCEPT
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.3 -j REJECT
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.4 -j REJECT --reject-with icmp-host-prohibited
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.5 -j REJECT --reject-with icmp-net-unreachable
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.6 -j REJECT --reject-with icmp-host-unreachable
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.7 -j REJECT --reject-with icmp-admin-prohibited
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.8 -j REJECT --reject-with net-prohib
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.9 -j REJECT --reject-with icmp-proto-unreachable
ip netns exec plnffr iptables -A FORWARD -d 198.51.100.10 -p tcp -j REJECT --reject-with tcp-reset
ip netns exec plnffr iptables -S
# --- allowed, and its answers come back as ESTABLISHED ---
ip netns exec plnffa ping -c 2 198.51.100.2
ip netns exec plnffa ping -c 1 192.168.10.1
ip netns exec plnffa traceroute -n -q 1 -N 1 198.51.100.2
sleep 2  # (not compared)
# --- each REJECT as ping sees it ---
ip netns exec plnffa ping -c 1 198.51.100.3
sleep 1  # (not compared)
ip netns exec plnffa ping -c 1 198.51.100.4
sleep 1  # (not compared)
ip netns exec plnffa ping -c 1 198.51.100.5
sleep 1  # (not compared)
ip netns exec plnffa ping -c 1 198.51.100.6
sleep 1  # (not compared)
ip netns exec plnffa ping -c 1 198.51.100.7
sleep 1  # (not compared)
ip netns exec plnffa ping -c 1 198.51.100.8
sleep 1  # (not compared)
ip netns exec plnffa ping -c 2 198.51.100.9
sleep 2  # (not compared)
# --- the policy drops without a word ---
ip netns exec plnffa ping -c 1 -W 1 198.51.100.11
ip netns exec plnffa ping -c 1 -W 1 198.51.100.10
ip netns exec plnffb ping -c 1 -W 1 192.168.10.2
ip netns exec plnffb ping -c 1 -W 1 198.51.100.1
# --- traceroute into REJECT rules ---
ip netns exec plnffa traceroute -n -q 1 -N 1 198.51.100.3
sleep 2  # (not compared)
ip netns exec plnffa traceroute -n -q 1 -N 1 198.51.100.4
sleep 2  # (not compared)
ip netns exec plnffa traceroute -n -q 1 -N 1 -I 198.51.100.5
sleep 2  # (not compared)
# --- TCP: curl into REJECT rules ---
ip netns exec plnffa curl -sS http://198.51.100.10/
ip netns exec plnffa curl -sS http://198.51.100.3/
sleep 1  # (not compared)
ip netns exec plnffa curl -sS http://198.51.100.4:8080/
sleep 1  # (not compared)
ip netns exec plnffa curl -sS http://198.51.100.5/
sleep 1  # (not compared)
ip netns exec plnffa curl -sS http://198.51.100.7/
# --- counters ---
ip netns exec plnffr iptables -L -n -v --line-numbers
ip netns exec plnffr iptables -L FORWARD -v -x
# --- teardown ---
ip netns del plnffa
ip netns del plnffr
ip netns del plnffb
