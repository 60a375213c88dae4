#!/bin/sh
# The notes' two-uplink router: a fast default route (ISP 1 on eth2), a slow
# line (ISP 2 on eth3), and a table named "chao" that sends one LAN host,
# 192.168.1.101, over the slow line: naming the table in rt_tables, the
# errors before it has a name, ip rule add/ls/del, the route in table chao,
# the notes' "ip route fush cache" typo, ip route get from/iif for the chosen
# host and its neighbour, ping and traceroute from both hosts.
#   plrtch1 192.168.1.101 \
#                          192.168.1.1 eth1  plrtcr  eth2 198.51.100.34 -- 198.51.100.1 plrtcf
#   plrtch2 192.168.1.102 /    (switch: plrtcr's br)  eth3 203.0.113.190/30 -- .189 plrtcs
# (The notes' router has public addresses on its uplinks; the recording used
# documentation addresses in their place.)
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); policy_chao.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands.

# --- setup ---
ip netns add plrtcr
ip netns add plrtch1
ip netns add plrtch2
ip netns add plrtcf
ip netns add plrtcs
ip netns exec plrtcr ip link add br0 type bridge
ip netns exec plrtch1 ip link add eth0 type veth peer name p1
ip netns exec plrtch1 ip link set p1 netns plrtcr
ip netns exec plrtch2 ip link add eth0 type veth peer name p2
ip netns exec plrtch2 ip link set p2 netns plrtcr
ip netns exec plrtcr ip link set p1 master br0
ip netns exec plrtcr ip link set p2 master br0
ip netns exec plrtcf ip link add eth0 type veth peer name r2
ip netns exec plrtcf ip link set r2 netns plrtcr
ip netns exec plrtcr ip link set r2 name eth2
ip netns exec plrtcs ip link add eth0 type veth peer name r3
ip netns exec plrtcs ip link set r3 netns plrtcr
ip netns exec plrtcr ip link set r3 name eth3
ip netns exec plrtcr ip link set br0 name eth1
ip netns exec plrtch1 ip addr add 192.168.1.101/24 dev eth0
ip netns exec plrtch2 ip addr add 192.168.1.102/24 dev eth0
ip netns exec plrtcr ip addr add 192.168.1.1/24 dev eth1
ip netns exec plrtcr ip addr add 198.51.100.34/24 dev eth2
ip netns exec plrtcf ip addr add 198.51.100.1/24 dev eth0
ip netns exec plrtcr ip addr add 203.0.113.190/30 dev eth3
ip netns exec plrtcs ip addr add 203.0.113.189/30 dev eth0
ip netns exec plrtcr ip link set lo up
ip netns exec plrtcr ip link set p1 up
ip netns exec plrtcr ip link set p2 up
ip netns exec plrtcr ip link set eth1 up
ip netns exec plrtcr ip link set eth2 up
ip netns exec plrtcr ip link set eth3 up
ip netns exec plrtch1 ip link set lo up
ip netns exec plrtch1 ip link set eth0 up
ip netns exec plrtch2 ip link set lo up
ip netns exec plrtch2 ip link set eth0 up
ip netns exec plrtcf ip link set lo up
ip netns exec plrtcf ip link set eth0 up
ip netns exec plrtcs ip link set lo up
ip netns exec plrtcs ip link set eth0 up
ip netns exec plrtch1 ip route add default via 192.168.1.1
ip netns exec plrtch2 ip route add default via 192.168.1.1
ip netns exec plrtcf ip route add 192.168.1.0/24 via 198.51.100.34
ip netns exec plrtcs ip route add 192.168.1.0/24 via 203.0.113.190
ip netns exec plrtcr ip route add default via 198.51.100.1 dev eth2
ip netns exec plrtcr sysctl -w net.ipv4.ip_forward=1
sleep 3  # (not compared)
# --- the router's main table: everything leaves by the fast line ---
ip netns exec plrtcr ip route list table main
ip netns exec plrtcr ip rule ls
ip netns exec plrtcr ip route get 192.168.1.1
# --- "chao" has no name yet ---
ip netns exec plrtcr ip rule add from 192.168.1.101 table chao
ip netns exec plrtcr ip route add default via 203.0.113.189 dev eth3 table chao
ip netns exec plrtcr ip route show table chao
# --- add a table, chao ---
echo 200 chao >> /etc/iproute2/rt_tables
cat /etc/iproute2/rt_tables
ip netns exec plrtcr ip route show table chao
ip netns exec plrtcr ip rule add from 192.168.1.101 table chao
ip netns exec plrtcr ip rule ls
ip netns exec plrtcr ip route show table chao
ip netns exec plrtcr ip route add default via 203.0.113.189 dev eth3 table chao
ip netns exec plrtcr ip route fush cache
ip netns exec plrtcr ip route flush cache
ip netns exec plrtcr ip route show table chao
ip netns exec plrtcr ip route show table 200
ip netns exec plrtcr ip -j route show table chao
# --- the decisions: 192.168.1.101 goes slow, its neighbour fast ---
ip netns exec plrtcr ip route get 8.8.8.8 from 192.168.1.101 iif eth1
ip netns exec plrtcr ip route get 8.8.8.8 from 192.168.1.102 iif eth1
ip netns exec plrtcr ip route get 8.8.8.8
ip netns exec plrtcr ip route get 8.8.8.8 from 198.51.100.34
ip netns exec plrtcr ip route get 192.168.1.1
ip netns exec plrtcr ip route get 198.51.100.1 from 192.168.1.101 iif eth1
ip netns exec plrtch1 traceroute -n -q 1 203.0.113.189
ip netns exec plrtch2 traceroute -n -q 1 203.0.113.189
ip netns exec plrtch1 ping -c 1 -W 1 198.51.100.1
ip netns exec plrtch2 ping -c 1 -W 1 198.51.100.1
ip netns exec plrtch1 ping -c 1 -W 1 203.0.113.189
# --- undo ---
ip netns exec plrtcr ip rule del from 192.168.1.101 table chao
ip netns exec plrtcr ip rule del from 192.168.1.101 table chao
ip netns exec plrtcr ip rule ls
ip netns exec plrtcr ip route get 8.8.8.8 from 192.168.1.101 iif eth1
ip netns exec plrtcr ip route get 192.168.1.1
# --- teardown ---
ip netns del plrtch1
ip netns del plrtch2
ip netns del plrtcf
ip netns del plrtcs
ip netns del plrtcr
