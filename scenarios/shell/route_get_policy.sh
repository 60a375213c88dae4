#!/bin/sh
# ip route get under policy routing: every route type (unicast, local,
# broadcast, blackhole, unreachable, prohibit, throw) and every rule action
# (lookup, blackhole, unreachable, prohibit, goto, suppress_prefixlength),
# for a locally sent packet and for one received on veth0 (iif), with fwmark
# (mark, in decimal below 16 and hex from 16), tos, ipproto/sport/dport, a
# from address that is or is not the host's own, forwarding off and on, table
# names in the answer ("table local" once the rules have been changed).
#   plrtga veth0 10.0.0.1/24 <----> plrtgb veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, Linux 6.x);
# route_get_policy.expected holds its output. A line marked "(not compared)"
# runs, but its output is not compared: a quiet pause the recording made
# between commands.

# --- setup ---
ip netns add plrtga
ip netns add plrtgb
ip netns exec plrtga ip link add veth0 type veth peer name veth1
ip netns exec plrtga ip link set veth1 netns plrtgb
ip netns exec plrtga ip addr add 10.0.0.1/24 dev veth0
ip netns exec plrtgb ip addr add 10.0.0.2/24 dev veth1
ip netns exec plrtga ip link set lo up
ip netns exec plrtga ip link set veth0 up
ip netns exec plrtgb ip link set lo up
ip netns exec plrtgb ip link set veth1 up
sleep 1  # (not compared)
# --- the default rules: no table named for local answers ---
ip netns exec plrtga ip route get 10.0.0.1
ip netns exec plrtga ip route get 10.0.0.255
ip netns exec plrtga ip route get 10.0.0.9
ip netns exec plrtga ip route get 10.0.0.9 from 10.0.0.1
ip netns exec plrtga ip route get 10.0.0.9 from 10.0.0.77
ip netns exec plrtga ip route get 10.0.0.9 from 10.0.0.5 iif veth0
ip netns exec plrtga ip route get 10.9.0.9 from 10.0.0.5 iif veth0
ip netns exec plrtga ip route get 10.0.0.1 from 10.0.0.5 iif veth0
ip netns exec plrtga ip route get 10.0.0.9 mark 1
ip netns exec plrtga ip route get 10.0.0.9 mark 10
ip netns exec plrtga ip route get 10.0.0.9 mark 16
ip netns exec plrtga ip route get 10.0.0.9 mark 0x100
ip netns exec plrtga ip -j route get 10.0.0.9 mark 16
ip netns exec plrtga ip -j route get 10.0.0.9 from 10.0.0.1 mark 3
ip netns exec plrtga ip route get 10.0.0.9 tos 0x10
ip netns exec plrtga ip route get 10.0.0.9 ipproto udp sport 5 dport 6
ip netns exec plrtga sysctl -w net.ipv4.ip_forward=1
# --- route types in a table picked by fwmark ---
ip netns exec plrtga ip rule add fwmark 1 table 100
ip netns exec plrtga ip route add default via 10.0.0.2 table 100
ip netns exec plrtga ip route add blackhole 10.30.0.0/16 table 100
ip netns exec plrtga ip route add unreachable 10.31.0.0/16 table 100
ip netns exec plrtga ip route add prohibit 10.32.0.0/16 table 100
ip netns exec plrtga ip route add throw 10.33.0.0/16 table 100
ip netns exec plrtga ip route show table 100
ip netns exec plrtga ip route get 8.8.8.8
ip netns exec plrtga ip route get 8.8.8.8 mark 1
ip netns exec plrtga ip route get 8.8.8.8 mark 2
ip netns exec plrtga ip route get 8.8.8.8 from 10.0.0.5 iif veth0 mark 1
ip netns exec plrtga ip route get 8.8.8.8 from 10.0.0.5 iif veth0
ip netns exec plrtga ip -j route get 8.8.8.8 from 10.0.0.5 iif veth0 mark 1
ip netns exec plrtga ip route get 10.30.1.1 mark 1
ip netns exec plrtga ip route get 10.31.1.1 mark 1
ip netns exec plrtga ip route get 10.32.1.1 mark 1
ip netns exec plrtga ip route get 10.33.1.1 mark 1
ip netns exec plrtga ip route get 10.30.1.1 from 10.0.0.2 iif veth0 mark 1
ip netns exec plrtga ip route get 10.31.1.1 from 10.0.0.2 iif veth0 mark 1
ip netns exec plrtga ip route get 10.32.1.1 from 10.0.0.2 iif veth0 mark 1
ip netns exec plrtga ip route get 10.33.1.1 from 10.0.0.2 iif veth0 mark 1
ip netns exec plrtga ip route get 10.0.0.1
ip netns exec plrtga ip route get 10.0.0.255
ip netns exec plrtga ip route get 127.0.0.1
ip netns exec plrtga ip route get 10.0.0.1 mark 1
ip netns exec plrtga ip route get fibmatch 8.8.8.8 mark 1
ip netns exec plrtga ip route get fibmatch 10.30.1.1 mark 1
# --- rule actions ---
ip netns exec plrtga ip rule add to 10.50.0.0/16 unreachable
ip netns exec plrtga ip rule add to 10.51.0.0/16 blackhole
ip netns exec plrtga ip rule add to 10.52.0.0/16 prohibit
ip netns exec plrtga ip route get 10.50.0.1
ip netns exec plrtga ip route get 10.51.0.1
ip netns exec plrtga ip route get 10.52.0.1
ip netns exec plrtga ip route get 10.50.0.1 from 10.0.0.2 iif veth0
ip netns exec plrtga ip route get 10.51.0.1 from 10.0.0.2 iif veth0
ip netns exec plrtga ip route get 10.52.0.1 from 10.0.0.2 iif veth0
ip netns exec plrtga ip rule add tos 0x10 table 100
ip netns exec plrtga ip route get 8.8.4.4 tos 0x10
ip netns exec plrtga ip route get 8.8.4.4 tos 0x08
ip netns exec plrtga ip rule add ipproto tcp dport 443 table 100
ip netns exec plrtga ip route get 8.8.4.4 ipproto tcp dport 443
ip netns exec plrtga ip route get 8.8.4.4 ipproto udp dport 443
ip netns exec plrtga ip rule add from 10.0.0.0/24 lookup main suppress_prefixlength 0 pref 10
ip netns exec plrtga ip rule add from 10.0.0.0/24 lookup 100 pref 11
ip netns exec plrtga ip route add 10.60.0.0/16 via 10.0.0.3
ip netns exec plrtga ip route add default via 10.0.0.4
ip netns exec plrtga ip route get 10.60.0.1 from 10.0.0.1
ip netns exec plrtga ip route get 8.8.8.8 from 10.0.0.1
ip netns exec plrtga ip route get 8.8.8.8 from 10.0.0.99 iif veth0
ip netns exec plrtga ip rule add from 10.0.0.7 goto 11 pref 5
ip netns exec plrtga ip route get 10.60.0.1 from 10.0.0.7 iif veth0
ip netns exec plrtga ip rule add iif lo table 100 pref 6
ip netns exec plrtga ip route get 10.60.0.1
ip netns exec plrtga ip route get 10.60.0.1 from 10.0.0.8 iif veth0
# --- bad command lines ---
ip netns exec plrtga ip route get 10.0.0.9 mark xyz
ip netns exec plrtga ip route get 10.0.0.9 mark -1
ip netns exec plrtga ip route get 10.0.0.9 mark 0x100000000
ip netns exec plrtga ip route get 10.0.0.9 sport x
ip netns exec plrtga ip route get 10.0.0.9 dport 70000
ip netns exec plrtga ip route get 10.0.0.9 ipproto foo
ip netns exec plrtga ip route get 10.0.0.9 tos foo
ip netns exec plrtga ip route get 10.0.0.9 table 100
ip netns exec plrtga ip route get 10.0.0.9 iif nosuch
ip netns exec plrtga ip route get
# --- teardown ---
ip netns del plrtga
ip netns del plrtgb
