#!/bin/sh
# traceroute and tracepath options on a one-router chain: -q, -m, -f, -I,
# packet lengths, names (a resolver that finds none prints the address),
# localhost; tracepath -b, -l, -m, -p, the first hop probed twice, "reached"
# twice next door, no reply from a host that does not forward, a smaller MTU
# beyond the router.
#   plfixt1 10.0.0.1 -- 10.0.0.2 plfixt2 10.0.1.1 -- 10.0.1.2 plfixt3
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); trace_options.expected holds
# its output. A line marked "(not compared)" runs, but its output is not
# compared. The sleeps let Linux's ICMP rate limiter (1 error per second per
# destination, burst 6) fill up again between traces.

ip netns add plfixt1
ip netns add plfixt2
ip netns add plfixt3
ip netns exec plfixt1 ip link add veth0 type veth peer name veth1
ip netns exec plfixt1 ip link set veth1 netns plfixt2
ip netns exec plfixt2 ip link add eth1 type veth peer name ceth0
ip netns exec plfixt2 ip link set ceth0 netns plfixt3
ip netns exec plfixt3 ip link set ceth0 name eth0
ip netns exec plfixt1 ip addr add 10.0.0.1/24 dev veth0
ip netns exec plfixt2 ip addr add 10.0.0.2/24 dev veth1
ip netns exec plfixt2 ip addr add 10.0.1.1/24 dev eth1
ip netns exec plfixt3 ip addr add 10.0.1.2/24 dev eth0
ip netns exec plfixt1 ip link set lo up
ip netns exec plfixt1 ip link set veth0 up
ip netns exec plfixt2 ip link set lo up
ip netns exec plfixt2 ip link set veth1 up
ip netns exec plfixt2 ip link set eth1 up
ip netns exec plfixt3 ip link set lo up
ip netns exec plfixt3 ip link set eth0 up
ip netns exec plfixt1 ip route add default via 10.0.0.2
ip netns exec plfixt3 ip route add default via 10.0.1.1
ip netns exec plfixt2 sysctl -w net.ipv4.ip_forward=1
sleep 2  # (not compared)
ip netns exec plfixt1 ping -c 1 10.0.1.2
sleep 6
ip netns exec plfixt1 traceroute 10.0.1.2
sleep 6
ip netns exec plfixt1 traceroute -n -q 2 -m 1 10.0.1.2
sleep 6
ip netns exec plfixt1 traceroute -q 1 -n -m 2 -w 1 10.0.1.2 50
sleep 6
ip netns exec plfixt1 traceroute -n -q 1 10.0.1.2 27
sleep 6
ip netns exec plfixt1 traceroute -n --max-hops=2 -q 1 -I 10.0.1.2
sleep 6
ip netns exec plfixt1 traceroute -f 2 -q 1 10.0.1.2
ip netns exec plfixt1 traceroute localhost
sleep 6
ip netns exec plfixt1 tracepath -n 10.0.0.2
sleep 6
ip netns exec plfixt1 tracepath 10.0.1.2
sleep 6
ip netns exec plfixt1 tracepath -b 10.0.1.2
sleep 6
ip netns exec plfixt1 tracepath -n -b 10.0.1.2
sleep 6
ip netns exec plfixt1 tracepath -n -l 1000 10.0.1.2
sleep 6
ip netns exec plfixt1 tracepath -n -m 1 10.0.1.2
ip netns exec plfixt1 tracepath localhost
ip netns exec plfixt2 ip link set dev eth1 mtu 1400
ip netns exec plfixt3 ip link set dev eth0 mtu 1400
sleep 6
ip netns exec plfixt1 tracepath -n -p 5000 10.0.1.2
ip netns exec plfixt1 ip route flush cache
sleep 6
ip netns exec plfixt1 traceroute -n --mtu 10.0.1.2
ip netns exec plfixt1 ip route flush cache
ip netns exec plfixt2 sysctl -w net.ipv4.ip_forward=0
sleep 6
ip netns exec plfixt1 tracepath -n -m 2 10.0.1.2
ip netns exec plfixt1 traceroute -n -m 2 -w 1 10.0.1.2
ip netns del plfixt1
ip netns del plfixt2
ip netns del plfixt3
