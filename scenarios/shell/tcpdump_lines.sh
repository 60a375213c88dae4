#!/bin/sh
# tcpdump's lines (no -v) for what the other tools send: ARP requests and
# replies, echo requests and replies, fragments, time exceeded, port and
# frag-needed unreachables, with -e and with capture filters. tcpdump runs in
# the background into a file that is printed once it has its -c packets, so
# the order does not depend on terminal buffering.
#   plfixd1 10.0.0.1 -- 10.0.0.2 plfixd2 10.0.1.1 -- 10.0.1.2 plfixd3
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, tcpdump 4.99, Linux 6.x); tcpdump_lines.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared.
# The sleeps let Linux's ICMP rate limiter fill up again.

ip netns add plfixd1
ip netns add plfixd2
ip netns add plfixd3
ip netns exec plfixd1 ip link add veth0 type veth peer name veth1
ip netns exec plfixd1 ip link set veth1 netns plfixd2
ip netns exec plfixd2 ip link add eth1 type veth peer name ceth0
ip netns exec plfixd2 ip link set ceth0 netns plfixd3
ip netns exec plfixd3 ip link set ceth0 name eth0
ip netns exec plfixd1 ip addr add 10.0.0.1/24 dev veth0
ip netns exec plfixd2 ip addr add 10.0.0.2/24 dev veth1
ip netns exec plfixd2 ip addr add 10.0.1.1/24 dev eth1
ip netns exec plfixd3 ip addr add 10.0.1.2/24 dev eth0
ip netns exec plfixd1 ip link set lo up
ip netns exec plfixd1 ip link set veth0 up
ip netns exec plfixd2 ip link set lo up
ip netns exec plfixd2 ip link set veth1 up
ip netns exec plfixd2 ip link set eth1 up
ip netns exec plfixd3 ip link set lo up
ip netns exec plfixd3 ip link set eth0 up
ip netns exec plfixd1 ip route add default via 10.0.0.2
ip netns exec plfixd3 ip route add default via 10.0.1.1
ip netns exec plfixd2 sysctl -qw net.ipv4.ip_forward=1
sleep 2  # (not compared)
ip netns exec plfixd1 tcpdump -n -i veth0 -c 4 'arp or icmp' > plfix-capture.txt 2>/dev/null & sleep 1; ip netns exec plfixd1 ping -c 1 10.0.0.2; wait; cat plfix-capture.txt
ip netns exec plfixd1 ip neigh flush dev veth0
ip netns exec plfixd2 ip neigh flush dev veth1
ip netns exec plfixd1 tcpdump -n -e -i veth0 -c 4 'arp or icmp' > plfix-capture.txt 2>/dev/null & sleep 1; ip netns exec plfixd1 ping -c 1 10.0.0.2; wait; cat plfix-capture.txt
ip netns exec plfixd1 tcpdump -n -i veth0 -c 4 icmp > plfix-capture.txt 2>/dev/null & sleep 1; ip netns exec plfixd1 ping -c 1 -s 2000 10.0.1.2; wait; cat plfix-capture.txt
sleep 6
ip netns exec plfixd1 tcpdump -n -i veth0 -c 2 icmp > plfix-capture.txt 2>/dev/null & sleep 1; ip netns exec plfixd1 ping -c 1 -t 1 10.0.1.2; wait; cat plfix-capture.txt
sleep 6
ip netns exec plfixd1 tcpdump -n -i veth0 -c 2 'icmp and not host 10.0.1.1' > plfix-capture.txt 2>/dev/null & sleep 1; ip netns exec plfixd1 traceroute -n -q 1 -m 2 10.0.1.2; wait; cat plfix-capture.txt
ip netns exec plfixd2 ip link set dev eth1 mtu 1400
ip netns exec plfixd3 ip link set dev eth0 mtu 1400
sleep 6
ip netns exec plfixd1 tcpdump -n -i veth0 -c 2 'icmp and not arp' > plfix-capture.txt 2>/dev/null & sleep 1; ip netns exec plfixd1 ping -c 1 -M do -s 1472 10.0.1.2; wait; cat plfix-capture.txt
ip netns exec plfixd1 tcpdump -n -e -i veth0 -c 3 'arp and src host 10.0.0.1' > plfix-capture.txt 2>/dev/null & sleep 1; ip netns exec plfixd1 ping -c 1 -W 1 10.0.0.9; wait; cat plfix-capture.txt
ip netns del plfixd1
ip netns del plfixd2
ip netns del plfixd3
