#!/bin/sh
# The versions the shell reports: the tools packetlab follows, as the Linux
# machine the reference recordings were made on reports them.
#
# Mirrors a recording made as root on Linux (iproute2 6.1, iputils 20221126,
# traceroute 2.1.2, procps-ng 4.0.2, Linux 6.x); versions.expected holds its
# output.

ip -V
ping -V
traceroute -V
tracepath -V
sysctl --version
