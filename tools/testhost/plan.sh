#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The in-host plan: load minivirt and run every selftest against /dev/minivirt,
# then load Debian's KVM and run the same selftests against /dev/kvm (the
# differential column), then the coexistence tests in both orders. Output is
# the test stream of tools/testhost/README.md, on stdout (ttyS1).
# plan.env (written by mkinitramfs.sh) sets TARGET, KVM_VENDOR (kvm_amd or
# kvm_intel), KVM_MODULES and HOST_MODULES (file names in load order),
# SUITES (for KVM) and MINIVIRT_SUITES (the subset this backend can run),
# MINIVIRT_PARAMS and KVM_VENDOR_PARAMS (module parameters: the MMU mode).
. /plan.env

# Console markers: a hang or oops in the console log names what was running.
mark() {
	echo "testhost: $*" >/dev/console
}

# The host's own steps form small suites; their plan comes last.
host_n=0
host_failed=0
host_suite=
host_begin() {
	host_suite=$1
	host_n=0
	host_failed=0
	echo "# suite: $1 column=$2"
	echo "TAP version 13"
}
step() {
	name=$1
	shift
	host_n=$((host_n + 1))
	mark "step $name"
	if "$@" >/tmp/step.out 2>&1; then
		echo "ok $host_n $name"
	else
		echo "not ok $host_n $name"
		sed 's/^/# /' /tmp/step.out
		host_failed=1
	fi
}
host_end() {
	echo "1..$host_n"
	echo "# end-suite: $host_suite rc=$host_failed"
}

# The program behind a suite name: a selftest, or vmrun's own check script.
prog_of() {
	case "$1" in
	vmrun) echo testhost-check.sh ;;
	qemu) echo qemu-suite.sh ;;
	kvm_selftests) echo kvm-selftests.sh ;;
	*) echo "$1" ;;
	esac
}

# A suite's own options from the host's kernel command line: NAME.OPT=VALUE
# becomes --OPT VALUE (run.sh: ioctl_fuzz.calls=N ioctl_fuzz.seed=S).
suite_args() {
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"$1".*=*) w=${w#"$1".}; echo "--${w%%=*} ${w#*=}" ;;
		esac
	done
}

# run_suite NAME COLUMN PROGRAM ARGS...: one selftest against one device.
run_suite() {
	name=$1 col=$2 prog=$3
	shift 3
	mark "suite $name ($col)"
	echo "# suite: $name column=$col"
	/tests/"$prog" "$@" $(suite_args "$name")
	echo "# end-suite: $name rc=$?"
}

# load_kvm [kvm.ko parameters]: insmod in dependency order, skipping what is loaded.
load_kvm() {
	for m in $KVM_MODULES; do
		mod=$(basename "$m" .ko | tr - _)
		[ -d /sys/module/"$mod" ] && continue
		if [ "$mod" = kvm ]; then
			insmod /modules/"$m" "$@" || return 1
		elif [ "$mod" = "$KVM_VENDOR" ]; then
			insmod /modules/"$m" $KVM_VENDOR_PARAMS || return 1
		else
			insmod /modules/"$m" || return 1
		fi
	done
}

unload_kvm() {
	rmmod "$KVM_VENDOR" && rmmod kvm
}

reload_kvm() {
	unload_kvm && load_kvm "$@"
}

minivirt_said_busy() {
	dmesg | grep -q "minivirt: .* already on in CPU [0-9]* (.* set: another hypervisor holds it); VM not created"
}

echo "# testhost: target=$TARGET kernel=$(uname -r)"

# run.sh's memory detectors (detectors.sh), each asked for in effect: SLUB's
# debug flags on a kmalloc cache (mm/slub.c's sysfs attributes), page
# poisoning ahead of init_on_alloc (mm/page_alloc.c), KFENCE's pool.
memory_detectors() {
	if grep -q slub_debug= /proc/cmdline; then
		for a in sanity_checks red_zone poison store_user; do
			grep -qx 1 /sys/kernel/slab/kmalloc-64/$a || { echo "slub_debug: $a off"; return 1; }
		done
	fi
	if grep -q page_poison=1 /proc/cmdline; then
		dmesg | grep "mem auto-init: CONFIG_PAGE_POISONING is on" || return 1
	fi
	if grep -q kfence.sample_interval= /proc/cmdline; then
		dmesg | grep "kfence: initialized" || return 1
	fi
}

# kmemleak (the sanitizer kernel's CONFIG_DEBUG_KMEMLEAK, scanned only on
# demand): after each column's hypervisor is unloaded, a scan reports what
# it left that no pointer reaches (mm/kmemleak.c: only objects 5 s old or
# more, hence the wait); the boot's own suspects are cleared first. A
# report fails the step and goes to the console, where tapscan flags it.
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_scan() {
	sleep 5
	echo scan >$kmemleak || return 1
	cat $kmemleak >/tmp/kmemleak.out
	echo clear >$kmemleak
}
kmemleak_check() {
	kmemleak_scan || return 1
	[ -s /tmp/kmemleak.out ] || return 0
	echo "kmemleak: $(grep -c 'unreferenced object' /tmp/kmemleak.out) suspects"
	cat /tmp/kmemleak.out
	cat /tmp/kmemleak.out >/dev/console
	return 1
}

# Column 1: minivirt alone.
load_host_modules() {
	for m in $HOST_MODULES; do
		insmod /modules/"$m" || return 1
	done
}

host_begin host minivirt
grep -qE "slub_debug=|page_poison=|kfence[.]" /proc/cmdline && step memory_detectors memory_detectors
[ -e $kmemleak ] && step kmemleak_clear_boot kmemleak_scan
step load_host_modules load_host_modules
step load_minivirt insmod /modules/minivirt.ko $MINIVIRT_PARAMS
step dev_minivirt_exists test -c /dev/minivirt
host_end
for s in $MINIVIRT_SUITES; do
	[ "$s" = guest_fuzz ] && continue	# both devices at once, below
	run_suite "$s" minivirt "$(prog_of "$s")" --dev /dev/minivirt
done
host_begin host_unload minivirt
step unload_after_close rmmod minivirt
[ -e $kmemleak ] && step kmemleak kmemleak_check
step reload insmod /modules/minivirt.ko $MINIVIRT_PARAMS
host_end

# Column 2: Debian's KVM, same selftests.
host_begin host kvm
step load_kvm load_kvm
step dev_kvm_exists test -c /dev/kvm
host_end
for s in $SUITES; do
	[ "$s" = guest_fuzz ] && continue
	run_suite "$s" kvm "$(prog_of "$s")" --dev /dev/kvm
done

# Both loaded: one hypervisor at a time, both orders.
run_suite coexist minivirt coexist --dev /dev/minivirt --other /dev/kvm
run_suite coexist kvm coexist --dev /dev/kvm --other /dev/minivirt
host_begin host_coexist minivirt
step minivirt_explains_ebusy minivirt_said_busy
if [ -e /sys/module/kvm/parameters/enable_virt_at_load ]; then
	# 6.12: again with KVM taking the hardware at its first VM, as 6.1 does.
	step reload_kvm_virt_at_first_vm reload_kvm enable_virt_at_load=0
fi
host_end
if [ -e /sys/module/kvm/parameters/enable_virt_at_load ]; then
	run_suite coexist_virt_at_first_vm minivirt coexist --dev /dev/minivirt --other /dev/kvm
	run_suite coexist_virt_at_first_vm kvm coexist --dev /dev/kvm --other /dev/minivirt
fi

# The differential guest fuzzer (selftests/guest_fuzz.c): one process runs
# each sequence on minivirt, then on KVM, one VM at a time, and compares
# (6.12's KVM now takes the hardware at its first VM, as 6.1's does).
case " $SUITES " in
*" guest_fuzz "*)
	run_suite guest_fuzz minivirt guest_fuzz --dev /dev/minivirt --other /dev/kvm ;;
esac

host_begin host_teardown minivirt
step unload_kvm unload_kvm
step unload_minivirt rmmod minivirt
[ -e $kmemleak ] && step kmemleak kmemleak_check
host_end
mark "plan done"
echo "# testhost: done"
