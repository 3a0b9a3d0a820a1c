#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the emulated host: mount, run the plan, power off.
# The kernel console (ttyS0) gets every kernel message: the runner boots with
# loglevel=7 (no dump of the boot log here, which would interleave with live
# messages on the console), and debug messages are added from here on. The
# plan's test output goes to ttyS1 alone.
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# POSIX shared memory (shm_open(), sem_open()), as the programs expect it.
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

dmesg -n 8

sh /plan.sh >/dev/ttyS1 2>&1
echo "testhost: plan finished, powering off"
sync
# poweroff -f right after output loses the UART's last bytes (seen in Bochs).
sleep 1
poweroff -f
