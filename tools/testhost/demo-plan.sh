#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The in-host plan of `make demo`: load minivirt, show what it reports and run
# vmrun's bundled guests on it, then Debian's KVM for comparison, and the two
# refusing each other's hardware.
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

say "vmrun --multiboot hello.elf: a guest on minivirt, printing through the emulated UART"
/tests/vmrun --multiboot /tests/hello.elf --cmdline "hello from the demo"
echo "(vmrun exit status $?: the guest wrote 0x10 to isa-debug-exit, (0x10<<1)|1 = 33)"

say "vmrun --flat hello16.bin: a real-mode guest"
/tests/vmrun --flat /tests/hello16.bin

say "Debian's KVM in the same host, for comparison"
for m in $KVM_MODULES; do insmod /modules/"$m"; done
/tests/vmrun --info --dev /dev/kvm

say "one hypervisor at a time: a live KVM VM makes minivirt refuse"
/tests/coexist --dev /dev/minivirt --other /dev/kvm | grep -e '^ok' -e '^not ok'
dmesg | grep 'minivirt: .* already on' | tail -n 1

say "unload"
rmmod "$KVM_VENDOR" kvm && rmmod minivirt && echo "minivirt and kvm unloaded"
echo "# testhost: done"
