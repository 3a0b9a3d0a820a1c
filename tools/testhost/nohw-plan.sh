#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The in-host plan of the `nohw` cell: a CPU with neither VT-x nor AMD-V
# (QEMU -cpu max,-svm). Loading minivirt must fail with -ENODEV, leave no
# /dev/minivirt, and say why in exactly one dmesg line.
. /plan.env

n=0
failed=0
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=1
	fi
}

echo "# testhost: target=$TARGET kernel=$(uname -r)"
echo "# suite: no_virtualization column=minivirt"
echo "TAP version 13"
out=$(/tests/modload /modules/minivirt.ko 2>&1)
rc=$?
echo "# $out"
check load_refused "$([ $rc -eq 1 ] && echo 0)"
echo "$out" | grep -q "errno 19 "
check errno_is_enodev $?
check no_device_node "$([ ! -e /dev/minivirt ] && echo 0)"
lines=$(dmesg | grep -v -e 'taints kernel' -e 'verification failed' | grep -c 'minivirt: ')
dmesg | grep 'minivirt: ' | sed 's/^/# /'
check one_dmesg_line "$([ "$lines" = 1 ] && echo 0)"
dmesg | grep -q 'minivirt: no hardware virtualization'
check dmesg_says_why $?
echo "1..$n"
echo "# end-suite: no_virtualization rc=$failed"
echo "# testhost: done"
