#!/bin/sh
# Multipath routes: the notes' "ip route add default scope global nexthop via
# … weight 1 nexthop via … weight 2" (text, JSON, fibmatch), weights up to
# 256, device-only next hops, next hops given twice, multipath in another
# table, iproute2's and the kernel's errors, a next hop's device going down
# (dead linkdown; the flows all take the live one) and coming back, the
# peer's carrier going (linkdown), every device down (the routes go and do
# not come back).
#   plrtma veth0 198.51.100.2/24 <----> plrtmb veth1 198.51.100.1/24
#   plrtma veth2 203.0.113.2/24  <----> plrtmb veth3 203.0.113.1/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, Linux 6.x);
# multipath_routes.expected holds its output. A line marked "(not compared)"
# runs, but its output is not compared: a quiet pause the recording made
# between commands. Which next hop `ip route get` picks while both are alive
# depends on Linux's per-boot hash key, so it is asked only while one is dead.

# --- setup ---
ip netns add plrtma
ip netns add plrtmb
ip netns exec plrtma ip link add veth0 type veth peer name veth1
ip netns exec plrtma ip link add veth2 type veth peer name veth3
ip netns exec plrtma ip link set veth1 netns plrtmb
ip netns exec plrtma ip link set veth3 netns plrtmb
ip netns exec plrtma ip addr add 198.51.100.2/24 dev veth0
ip netns exec plrtma ip addr add 203.0.113.2/24 dev veth2
ip netns exec plrtmb ip addr add 198.51.100.1/24 dev veth1
ip netns exec plrtmb ip addr add 203.0.113.1/24 dev veth3
ip netns exec plrtma ip link set lo up
ip netns exec plrtma ip link set veth0 up
ip netns exec plrtma ip link set veth2 up
ip netns exec plrtmb ip link set lo up
ip netns exec plrtmb ip link set veth1 up
ip netns exec plrtmb ip link set veth3 up
sleep 1  # (not compared)
# --- the notes' weighted default route ---
ip netns exec plrtma ip route add default scope global nexthop via 198.51.100.1 weight 1 nexthop via 203.0.113.1 weight 2
ip netns exec plrtma ip route
ip netns exec plrtma ip route show default
ip netns exec plrtma ip -j route show default
ip netns exec plrtma ip -j -p route show default
ip netns exec plrtma ip route get fibmatch 8.8.8.8
ip netns exec plrtma ip route add default nexthop via 198.51.100.1
# --- more shapes ---
ip netns exec plrtma ip route add 10.1.0.0/16 nexthop via 198.51.100.1 weight 256 nexthop via 203.0.113.1
ip netns exec plrtma ip route add 10.5.0.0/16 nexthop dev veth0 nexthop dev veth2
ip netns exec plrtma ip route add 10.7.0.0/16 nexthop via 198.51.100.1 nexthop via 198.51.100.1
ip netns exec plrtma ip route add 10.8.0.0/16 table 100 nexthop via 198.51.100.1 weight 3 nexthop via 203.0.113.1 weight 5
ip netns exec plrtma ip route
ip netns exec plrtma ip route show table 100
ip netns exec plrtma ip route show 10.1.0.0/16
ip netns exec plrtma ip route show via 203.0.113.1
# --- bad command lines ---
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 weight 0
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 weight 257
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 weight x
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 192.0.2.1 nexthop via 203.0.113.1
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 dev veth2
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 nexthop
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 foo 1
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 nexthop via 203.0.113.1 table 100
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.1 nexthop dev nosuch
ip netns exec plrtma ip route add 10.2.0.0/16 nexthop via 198.51.100.300
ip netns exec plrtma ip route
# --- one next hop's device goes down, then comes back ---
ip netns exec plrtma ip link set veth2 down
ip netns exec plrtma ip route
ip netns exec plrtma ip -j route show 10.5.0.0/16
ip netns exec plrtma ip route get 8.8.8.8
ip netns exec plrtma ip route get 8.8.4.4
ip netns exec plrtma ip route get 10.5.0.1
ip netns exec plrtma ip route get 10.1.2.3
ip netns exec plrtma ip link set veth2 up
sleep 1  # (not compared)
ip netns exec plrtma ip route
# --- the peer's side goes down: no carrier ---
ip netns exec plrtmb ip link set veth3 down
ip netns exec plrtma ip route
ip netns exec plrtmb ip link set veth3 up
sleep 1  # (not compared)
# --- deleting, and every device down ---
ip netns exec plrtma ip route del 10.1.0.0/16
ip netns exec plrtma ip route del 10.7.0.0/16
ip netns exec plrtma ip link set veth0 down
ip netns exec plrtma ip route
ip netns exec plrtma ip route get 8.8.8.8
ip netns exec plrtma ip link set veth2 down
ip netns exec plrtma ip route
ip netns exec plrtma ip route show table 100
ip netns exec plrtma ip link set veth0 up
ip netns exec plrtma ip link set veth2 up
sleep 1  # (not compared)
ip netns exec plrtma ip route
ip netns exec plrtma ip route del default
# --- teardown ---
ip netns del plrtma
ip netns del plrtmb
