#!/bin/sh
# Run inside `unshare --net` as root: loopback up, echo requests ignored (ICMP links down).
set -e
ip link set lo up
sysctl -q -w net.ipv4.icmp_echo_ignore_all=1
B=/work/wt-v2/.build/debug/netaudit
cd /tmp/v2fix
rm -f v2.sqlite*
$B audit --inventory inventory.yaml --db v2.sqlite --links-only > /dev/null || true
$B audit --inventory inventory.yaml --db v2.sqlite --links-only > /dev/null || true
$B audit --inventory inventory.yaml --db v2.sqlite > /dev/null || true
$B audit --inventory inventory.yaml --db v2.sqlite --links-only > /dev/null || true
