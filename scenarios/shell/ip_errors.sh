#!/bin/sh
# ip's error messages and exit statuses (1 local error, 2 refused by the
# kernel, 255 usage) for addr, link, route and neigh, and its help texts.
#   plref4a veth0 10.0.0.1/24 <----> plref4b veth1 10.0.0.2/24
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); ip_errors.expected holds its
# output. A line marked "(not compared)" runs, but its output is not compared:
# a quiet pause the recording made between commands, or a command whose Linux
# output packetlab knowingly does not reproduce (the comment above it says why).

# --- setup ---
ip netns add plref4a
ip netns add plref4b
ip netns exec plref4a ip link add veth0 type veth peer name veth1
ip netns exec plref4a ip link set veth1 netns plref4b
ip netns exec plref4a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref4b ip addr add 10.0.0.2/24 dev veth1
ip netns exec plref4a ip link set lo up
ip netns exec plref4a ip link set veth0 up
ip netns exec plref4b ip link set lo up
ip netns exec plref4b ip link set veth1 up
sleep 1  # (not compared)
# --- ip addr errors ---
ip netns exec plref4a ip addr add 10.0.0.300/24 dev veth0
ip netns exec plref4a ip addr add 10.0.0.1/33 dev veth0
ip netns exec plref4a ip addr add 10.0.0.1/24 dev nosuch
ip netns exec plref4a ip addr add 10.0.0.1/24
ip netns exec plref4a ip addr add dev veth0
ip netns exec plref4a ip addr add 10.0.0.1/24 dev veth0
ip netns exec plref4a ip addr del 10.0.0.77/24 dev veth0
ip netns exec plref4a ip addr show dev nosuch
ip netns exec plref4a ip addr foo
ip netns exec plref4a ip addr add 10.0.0.1/24 dev veth0 foo
# --- ip link errors ---
ip netns exec plref4a ip link set nosuch up
ip netns exec plref4a ip link set dev nosuch up
ip netns exec plref4a ip link show nosuch
ip netns exec plref4a ip link set veth0 mtu 70000
ip netns exec plref4a ip link set veth0 mtu 67
ip netns exec plref4a ip link set veth0 mtu abc
ip netns exec plref4a ip link set veth0 sideways
ip netns exec plref4a ip link add a type veth peer name a
ip netns exec plref4a ip link add veth0 type veth peer name vethz
ip netns exec plref4a ip link add q type nosuchtype
ip netns exec plref4a ip link del nosuch
# --- ip route errors ---
ip netns exec plref4a ip route add 10.9.0.0/16 via 10.99.0.1
ip netns exec plref4a ip route add 10.9.0.0/16 dev nosuch
ip netns exec plref4a ip route del 10.77.0.0/16
ip netns exec plref4a ip route add default via 10.0.0.254
ip netns exec plref4a ip route add default via 10.0.0.254
ip netns exec plref4a ip route
ip netns exec plref4a ip route del default
ip netns exec plref4a ip route del default
ip netns exec plref4a ip route add 10.0.0.0/24 dev veth0
ip netns exec plref4a ip route add 10.9.0.0/33 dev veth0
ip netns exec plref4a ip route add 10.9.0.300/16 dev veth0
ip netns exec plref4a ip route add 10.9.1.0/16 dev veth0
ip netns exec plref4a ip route
ip netns exec plref4a ip route del 10.9.0.0/16
ip netns exec plref4a ip route add 10.9.0.0/16 via 10.0.0.1
ip netns exec plref4a ip route add 10.9.0.0/16
ip netns exec plref4a ip route get
ip netns exec plref4a ip route get 10.0.0.300
ip netns exec plref4a ip route get nosuch
ip netns exec plref4a ip route show table 99
ip netns exec plref4a ip route show table nosuch
ip netns exec plref4a ip route foo
ip netns exec plref4a ip neigh foo
# --- ip top level ---
ip netns exec plref4a ip foo
ip netns exec plref4a ip
ip netns exec plref4a ip -Z addr
ip netns exec plref4a ip addr help
ip netns exec plref4a ip route help
ip netns exec plref4a ip link help
# --- teardown ---
ip netns del plref4a
ip netns del plref4b
