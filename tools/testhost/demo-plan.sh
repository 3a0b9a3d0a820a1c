#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The in-host plan of `make demo`: load minivirt and show what it reports,
# then the same for Debian's KVM, and the two refusing each other's hardware.
. /plan.env

say() {
	echo
	echo "== $*"
}

say "emulated host: Linux $(uname -r); CPU virtualization flags:"
grep -o -w -e svm -e npt -e vmx -e ept -e nrip_save /proc/cpuinfo | sort -u | tr '\n' ' '
echo

say "insmod minivirt.ko"
insmod /modules/minivirt.ko && dmesg | grep 'minivirt:' | grep -v taint
ls -l /dev/minivirt
echo "module version $(cat /sys/module/minivirt/version)"

say "vmrun --info (the device's answers to the KVM API)"
/tests/vmrun --info

say "Debian's KVM in the same host, for comparison"
for m in $KVM_MODULES; do insmod /modules/"$m"; done
/tests/vmrun --info --dev /dev/kvm

say "one hypervisor at a time: a live KVM VM makes minivirt refuse"
/tests/coexist --dev /dev/minivirt --other /dev/kvm | grep -e '^ok' -e '^not ok'
dmesg | grep 'minivirt: .* already on' | tail -n 1

say "unload"
rmmod "$KVM_VENDOR" kvm && rmmod minivirt && echo "minivirt and kvm unloaded"
echo "# testhost: done"
