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

# ttyS1 is no console, so it would run at the serial driver's default 9600
# baud, which Bochs emulates (about 1 KB/s of test stream); 115200 as ttyS0.
stty -F /dev/ttyS1 115200
sh /plan.sh >/dev/ttyS1 2>&1
echo "testhost: plan finished, powering off"
sync
# At 9600 baud Bochs' vmx 6.1 cell lost the last 340 bytes of its stream
# (CI and here, 2026-12-07: "coexist[kvm]: no end marker"); at 115200 with
# this drain the file has every byte the driver counted (tx in
# /proc/tty/driver/serial). stty's TCSETSW returns once the UART has sent
# everything (tty_wait_until_sent(), then the transmitter empty), whoever
# else may still hold it open.
timeout 60 stty -F /dev/ttyS1 115200
timeout 10 stty -F /dev/ttyS0 115200
sync
sleep 1
poweroff -f
