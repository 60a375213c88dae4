#!/bin/sh
# iptables, iptables-save, iptables-restore and conntrack on bad command lines,
# in a fresh namespace: the messages and exit statuses of iptables 1.8.9
# (nf_tables) and conntrack-tools 1.4.7 — parse errors (2), what the kernel
# refuses (1, or 4 for a rule), built-in chains that do not exist yet, jumps
# to built-in chains and loops, -C, restore files with bad lines.
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iptables 1.8.9
# (nf_tables), conntrack-tools 1.4.7, Linux 6.x); nf_errors.expected holds its
# output.

ip netns add plnfe
ip netns exec plnfe ip link set lo up
# --- nothing to do, or nothing there yet ---
ip netns exec plnfe iptables
ip netns exec plnfe iptables -X INPUT
ip netns exec plnfe iptables -Z INPUT
ip netns exec plnfe iptables -D INPUT 1
ip netns exec plnfe iptables -D INPUT -j ACCEPT
ip netns exec plnfe iptables -R INPUT 1 -j ACCEPT
ip netns exec plnfe iptables -E INPUT first
ip netns exec plnfe iptables -C INPUT -j ACCEPT
ip netns exec plnfe iptables -I INPUT 2 -j ACCEPT
ip netns exec plnfe iptables -L nochain
ip netns exec plnfe iptables -S nochain
ip netns exec plnfe iptables -F nochain
ip netns exec plnfe iptables-save
ip netns exec plnfe iptables -t nat -S
# --- parsing ---
ip netns exec plnfe iptables -t foo -L
ip netns exec plnfe iptables -A
ip netns exec plnfe iptables --frobnicate
ip netns exec plnfe iptables -L -A INPUT
ip netns exec plnfe iptables -A INPUT -p foo -j ACCEPT
ip netns exec plnfe iptables -A INPUT --dport 22 -j ACCEPT
ip netns exec plnfe iptables -A INPUT -p tcp --dport 70000 -j ACCEPT
ip netns exec plnfe iptables -A INPUT -p tcp --dport 30:20 -j ACCEPT
ip netns exec plnfe iptables -A INPUT -s 300.1.1.1 -j ACCEPT
ip netns exec plnfe iptables -A INPUT -s 10.0.0.0/33 -j ACCEPT
ip netns exec plnfe iptables -A INPUT -m foo -j ACCEPT
ip netns exec plnfe iptables -A INPUT -m state -j ACCEPT
ip netns exec plnfe iptables -A INPUT -m state --state FOO -j ACCEPT
ip netns exec plnfe iptables -A INPUT -p icmp --icmp-type foo -j ACCEPT
ip netns exec plnfe iptables -A INPUT -j ACCEPT -j DROP
ip netns exec plnfe iptables -A INPUT -j NOSUCH
ip netns exec plnfe iptables -A INPUT -j REJECT --reject-with foo
ip netns exec plnfe iptables -A INPUT -j LOG --log-level 9
ip netns exec plnfe iptables -A INPUT -j MARK
ip netns exec plnfe iptables -I INPUT 0 -j ACCEPT
ip netns exec plnfe iptables -D INPUT x
ip netns exec plnfe iptables -A INPUT -o eth0 -j ACCEPT
ip netns exec plnfe iptables -A OUTPUT -i eth0 -j ACCEPT
# --- policies and chains ---
ip netns exec plnfe iptables -P INPUT FOO
ip netns exec plnfe iptables -P foo ACCEPT
ip netns exec plnfe iptables -P INPUT
ip netns exec plnfe iptables -N ACCEPT
ip netns exec plnfe iptables -N a123456789012345678901234567890
ip netns exec plnfe iptables -N first
ip netns exec plnfe iptables -N first
ip netns exec plnfe iptables -N second
ip netns exec plnfe iptables -E first second
ip netns exec plnfe iptables -X INPUT
# --- NAT targets in the wrong place ---
ip netns exec plnfe iptables -t nat -A POSTROUTING -j DNAT --to-destination 192.0.2.1
ip netns exec plnfe iptables -t nat -A PREROUTING -j DNAT
ip netns exec plnfe iptables -t nat -A POSTROUTING -j DROP
ip netns exec plnfe iptables -A INPUT -j MASQUERADE
ip netns exec plnfe iptables -t nat -A POSTROUTING -p udp -j REJECT --reject-with tcp-reset
# --- jumps: to built-in chains, loops ---
ip netns exec plnfe iptables -A first -j FORWARD
ip netns exec plnfe iptables -A INPUT -j INPUT
ip netns exec plnfe iptables -A first -j second
ip netns exec plnfe iptables -A second -j first
ip netns exec plnfe iptables -A INPUT -j first
ip netns exec plnfe iptables -t nat -A PREROUTING -j first
ip netns exec plnfe iptables -D second 1
ip netns exec plnfe iptables -A INPUT -j first
ip netns exec plnfe iptables -A INPUT -p tcp --syn -j ACCEPT
ip netns exec plnfe iptables -C INPUT -p tcp --syn -j ACCEPT
ip netns exec plnfe iptables -C INPUT -p tcp -j ACCEPT
ip netns exec plnfe iptables -S
ip netns exec plnfe iptables-save -t filter
# --- iptables-save and iptables-restore ---
ip netns exec plnfe iptables-save -t foo
ip netns exec plnfe iptables-save --frobnicate
echo '*filter' > /tmp/plnfe.rules
echo ':INPUT DROP [0:0]' >> /tmp/plnfe.rules
echo '-A INPUT -i lo -j ACCEPT' >> /tmp/plnfe.rules
echo '-A INPUT -p tcp --dport 99999 -j ACCEPT' >> /tmp/plnfe.rules
echo 'COMMIT' >> /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
echo '*filter' > /tmp/plnfe.rules
echo ':INPUT DROP [0:0]' >> /tmp/plnfe.rules
echo '-A INPUT -i lo -j ACCEPT' >> /tmp/plnfe.rules
echo 'COMMIT' >> /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
ip netns exec plnfe iptables -S
echo '*foo' > /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
echo '*filter' > /tmp/plnfe.rules
echo ':INPUT ACCEPT [0:0]' >> /tmp/plnfe.rules
echo '-A INPUT -j MASQUERADE' >> /tmp/plnfe.rules
echo 'COMMIT' >> /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
echo '*filter' > /tmp/plnfe.rules
echo ':INPUT ACCEPT [0:0]' >> /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
echo ':INPUT FOO [0:0]' >> /tmp/plnfe.rules
echo 'COMMIT' >> /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
echo '*filter' > /tmp/plnfe.rules
echo 'bogus' >> /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
echo '*filter' > /tmp/plnfe.rules
echo '-A nochain -j ACCEPT' >> /tmp/plnfe.rules
echo 'COMMIT' >> /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
echo '-A INPUT -j ACCEPT' > /tmp/plnfe.rules
ip netns exec plnfe iptables-restore < /tmp/plnfe.rules
ip netns exec plnfe iptables-restore --frobnicate
ip netns exec plnfe iptables-save -t
ip netns exec plnfe iptables-save -x
ip netns exec plnfe iptables-save filter
# Every failed restore left the rules as the last good one made them.
ip netns exec plnfe iptables -S
# --- conntrack ---
ip netns exec plnfe conntrack -L -p foo
ip netns exec plnfe conntrack -L -s 10.0.0
ip netns exec plnfe conntrack -L -s 10.0.0.256
ip netns exec plnfe conntrack -L -d 10.0.0.0/33
ip netns exec plnfe conntrack -L -d 10.0.0.0/8
ip netns exec plnfe conntrack -L -s ::1
ip netns exec plnfe conntrack -L --sport 80
ip netns exec plnfe conntrack -L -p tcp --state FOO
ip netns exec plnfe conntrack -F -p tcp
ip netns exec plnfe conntrack -L -C
ip netns exec plnfe conntrack -D -p icmp
ip netns exec plnfe conntrack -L -p udp --dport 53
ip netns exec plnfe conntrack -C
ip netns exec plnfe conntrack -F
ip netns exec plnfe conntrack --frobnicate
ip netns del plnfe
