#!/bin/sh
# ip rule: the three default rules, add with every selector packetlab models
# (from, to, not, tos, fwmark/mask, iif, oif, ipproto, sport, dport, pref)
# and every action (table/lookup, blackhole, unreachable, prohibit, goto,
# nop, suppress_prefixlength, protocol), the priorities Linux picks when none
# is given, duplicates, table 0 (a new empty table), show with filters, text,
# -d and JSON layouts, iproute2's and the kernel's errors, del (first match,
# only the given selectors compared), flush (everything but priority 0).
#   plrtra veth0 10.0.0.1/24, veth2 10.0.1.1/24 <----> plrtrb veth1, veth3
#
# Mirrors a recording made as root on Linux (iproute2 6.1, Linux 6.x);
# policy_rules.expected holds its output.

# --- setup ---
ip netns add plrtra
ip netns add plrtrb
ip netns exec plrtra ip link add veth0 type veth peer name veth1
ip netns exec plrtra ip link add veth2 type veth peer name veth3
ip netns exec plrtra ip link set veth1 netns plrtrb
ip netns exec plrtra ip link set veth3 netns plrtrb
ip netns exec plrtra ip addr add 10.0.0.1/24 dev veth0
ip netns exec plrtra ip addr add 10.0.1.1/24 dev veth2
ip netns exec plrtra ip link set lo up
ip netns exec plrtra ip link set veth0 up
ip netns exec plrtra ip link set veth2 up
ip netns exec plrtrb ip link set veth1 up
ip netns exec plrtrb ip link set veth3 up
# --- the defaults ---
ip netns exec plrtra ip rule
ip netns exec plrtra ip -d rule
ip netns exec plrtra ip -j rule show
ip netns exec plrtra ip -j -p rule show
# --- adding: priorities Linux chooses, duplicates ---
ip netns exec plrtra ip rule add
ip netns exec plrtra ip rule del
ip netns exec plrtra ip rule add from 192.168.1.101 table chao
ip netns exec plrtra ip rule add from 192.168.1.101 table 200
ip netns exec plrtra ip rule add from 192.168.1.101 table 200
ip netns exec plrtra ip rule show
ip netns exec plrtra ip rule add from 192.168.1.101 table 200 pref 1000
ip netns exec plrtra ip rule add from 192.168.1.101 table 200 pref 1000
ip netns exec plrtra ip rule add from 192.168.1.101 table 201 pref 1000
ip netns exec plrtra ip rule add fwmark 1 table 100
ip netns exec plrtra ip rule add fwmark 0x2/0xff table 101 pref 100
ip netns exec plrtra ip rule add fwmark 0/0xff table 5
ip netns exec plrtra ip rule add fwmark 0x10/0xffffffff table 5
ip netns exec plrtra ip rule add to 10.9.0.0/16 table main priority 50
ip netns exec plrtra ip rule add iif veth0 table 102
ip netns exec plrtra ip rule add oif veth2 table 103
ip netns exec plrtra ip rule add dev nosuch table 105
ip netns exec plrtra ip rule add not from 10.0.0.0/8 table 104
ip netns exec plrtra ip rule add from 10.0.0.0/8 blackhole
ip netns exec plrtra ip rule add from 10.1.0.0/16 unreachable
ip netns exec plrtra ip rule add to 10.53.0.0/16 type prohibit
ip netns exec plrtra ip rule add from 10.0.0.1/24 lookup 69
ip netns exec plrtra ip rule add from 10.0.0.0/8 goto 32766
ip netns exec plrtra ip rule add from 10.0.0.0/8 goto 1
ip netns exec plrtra ip rule add from 10.0.0.0/8 goto 40000
ip netns exec plrtra ip rule add from 10.0.0.5 nop
ip netns exec plrtra ip rule add lookup main suppress_prefixlength 0 pref 30
ip netns exec plrtra ip rule add from 192.168.1.0/24 table 100 ipproto tcp dport 80 sport 1000-2000
ip netns exec plrtra ip rule add from 10.0.0.5 ipproto udp sport 53 table 7 pref 13
ip netns exec plrtra ip rule add from 10.4.0.0/16 table 68 proto static
ip netns exec plrtra ip rule add tos 0x10 table 5
ip netns exec plrtra ip rule add dsfield 0x08 table 6
ip netns exec plrtra ip rule add table 0
ip netns exec plrtra ip rule add from 1.2.3.4 table 0
ip netns exec plrtra ip rule add from 1.2.3.4
ip netns exec plrtra ip rule add priority 4294967295 table 4294967295
ip netns exec plrtra ip rule
ip netns exec plrtra ip -d rule
ip netns exec plrtra ip -j rule
# --- listing with selectors ---
ip netns exec plrtra ip rule show table 200
ip netns exec plrtra ip rule show pref 1000
ip netns exec plrtra ip rule list from 192.168.1.101
ip netns exec plrtra ip rule show from 10.0.0.0/8
ip netns exec plrtra ip rule show from all
ip netns exec plrtra ip rule show to 10.9.0.0/16
ip netns exec plrtra ip rule show iif veth0
ip netns exec plrtra ip rule show fwmark 0x2/0xff
ip netns exec plrtra ip rule show not
ip netns exec plrtra ip rule show garbage
ip netns exec plrtra ip rule show table nosuch
# --- bad command lines ---
ip netns exec plrtra ip rule add priority abc table 5
ip netns exec plrtra ip rule add priority 4294967296 table 5
ip netns exec plrtra ip rule add fwmark xyz table 5
ip netns exec plrtra ip rule add fwmark 0x10/0xzz table 5
ip netns exec plrtra ip rule add from 1.2.3.300 table 5
ip netns exec plrtra ip rule add from 1.2.3.0/33 table 5
ip netns exec plrtra ip rule add to bogus table 5
ip netns exec plrtra ip rule add from 10.0.0.0/8 table 4294967296
ip netns exec plrtra ip rule add from 10.0.0.0/8 table -1
ip netns exec plrtra ip rule add from 10.0.0.0/8 table 5 garbage
ip netns exec plrtra ip rule add ipproto xyz table 7
ip netns exec plrtra ip rule add sport a-b table 7
ip netns exec plrtra ip rule add pref 14 goto
ip netns exec plrtra ip rule add pref 14 goto abc
ip netns exec plrtra ip rule add pref 14 table
ip netns exec plrtra ip rule add suppress_prefixlength -1 table 7
ip netns exec plrtra ip rule add tos lowdelay table 6
ip netns exec plrtra ip rule add iif abcdefghijklmnopq table 6
ip netns exec plrtra ip rule xyz
ip netns exec plrtra ip rule help
# --- deleting ---
ip netns exec plrtra ip rule del from 192.168.1.101 table 200
ip netns exec plrtra ip rule show table 200
ip netns exec plrtra ip rule del priority 32700
ip netns exec plrtra ip rule del iif veth0
ip netns exec plrtra ip rule del pref 12 table 8
ip netns exec plrtra ip rule del not from 10.0.0.5
ip netns exec plrtra ip rule del table main
ip netns exec plrtra ip rule del fwmark 0x2/0xff
ip netns exec plrtra ip rule del pref 0
ip netns exec plrtra ip rule
ip netns exec plrtra ip rule flush
ip netns exec plrtra ip rule
ip netns exec plrtra ip rule add from all lookup main pref 32766
ip netns exec plrtra ip rule add from all lookup local pref 0
ip netns exec plrtra ip rule
# --- teardown ---
ip netns del plrtra
ip netns del plrtrb
