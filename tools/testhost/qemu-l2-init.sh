#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the L2 guest that the qemu suite boots under QEMU inside the
# emulated host: prints one marker line (qemu-suite.sh looks for it) and
# powers off at once.
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
cs=$(/bin/busybox cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
cpus=$(/bin/busybox grep -c ^processor /proc/cpuinfo)
up=$(/bin/busybox cut -d' ' -f1 /proc/uptime)
echo "qemu-l2: init release=$(/bin/busybox uname -r) cpus=$cpus clocksource=$cs uptime=$up"
/bin/busybox poweroff -f
