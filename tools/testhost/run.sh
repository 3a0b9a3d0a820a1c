#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh --target svm|vmx|nohw --kernel 6.1|6.12|6.1-sanitizer --out DIR [--timeout SECONDS]
#        [--mmu nested|shadow] [--suites "a b"] [--bochs-cpu MODEL]
#        [--bochs-cpus N] [--with-qemu] [--with-kvm-selftests]
#        [--detectors on|off|slub,pages,kfence]
# One cell of the test matrix: builds minivirt.ko for the newest installed
# Debian kernel of the series, the selftests and the initramfs, boots the
# emulated host (QEMU TCG for svm, Bochs for vmx; nohw: QEMU with a CPU that
# has neither, where the module must refuse to load), and judges both logs
# with tapscan. --kernel 6.1-sanitizer boots the sanitizer kernel instead
# (sanitizer-kernel.sh builds it once, in build/sanitizer-kernel: KASAN,
# KFENCE, lockdep, UBSAN, kmemleak), its own KVM modules the kvm column's;
# the qemu suite's L2 guest stays Debian's 6.1. --mmu shadow loads minivirt with tdp=0 and the KVM vendor
# module with npt=0 / ept=0: both columns then run on shadow paging.
# Leaves DIR/console.log, DIR/tap.log, DIR/counts; exits non-zero on
# any failure. --suites narrows the selftests to the named ones (to iterate
# on a few; a cell of the matrix runs them all). --bochs-cpu picks another
# Bochs CPU model for vmx (e.g. one without unrestricted guest),
# --bochs-cpus a host of N CPUs (vCPUs then move between them).
# --with-qemu adds the qemu suite to a vmx cell (make check-full; svm cells
# always run it), its time limits scaled for Bochs.
# --with-kvm-selftests adds the kvm_selftests suite (Linux's KVM selftests of
# the series; KVM_SELFTESTS_CASES=a,b narrows it).
# --detectors on|off|LIST: the memory detectors of Debian's kernels every
# cell boots with (detectors.sh: slub, pages, kfence where the kernel has
# it; on, the default, is all): tapscan fails a cell on their reports.
# QEMU_SUITE_CASES=a,b in the environment narrows the qemu suite's cases;
# QEMU_SUITE_REPEAT=N boots each of its Linux cases N times (make bench).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target= series= out= timeout= mmu=nested only= bochs_cpu= bochs_cpus= with_qemu= with_ksft=
detectors=on
while [ $# -gt 0 ]; do
	case "$1" in
	--target) target=$2 ;;
	--kernel) series=$2 ;;
	--out) out=$2 ;;
	--timeout) timeout=$2 ;;
	--mmu) mmu=$2 ;;
	--suites) only=$2 ;;
	--bochs-cpu) bochs_cpu=$2 ;;
	--bochs-cpus) bochs_cpus=$2 ;;
	--detectors) detectors=$2 ;;
	--with-qemu) with_qemu=1; shift; continue ;;
	--with-kvm-selftests) with_ksft=1; shift; continue ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
plan=$here/plan.sh qemu_cpu=max timeout_given=$timeout
# The suites that run guests need a backend that runs them: on VT-x the
# minivirt column runs the others until the VMX backend lands (issue 5).
host_suites="system_ioctls vm_lifecycle hardware_state module_unload"
case "$target" in
svm) vendor=kvm_amd; timeout=${timeout:-900} ;;
vmx) vendor=kvm_intel; timeout=${timeout:-1800} ;;
# qemu64 without SVM: -cpu max,-svm makes static glibc abort at start
# (_dl_get_origin assertion) under QEMU 7.2 TCG.
nohw) vendor=kvm_amd; timeout=${timeout:-300} plan=$here/nohw-plan.sh qemu_cpu=qemu64,-svm ;;
*) echo "usage: $0 --target svm|vmx|nohw --kernel 6.1|6.12 --out DIR" >&2; exit 2 ;;
esac
[ -n "$series" ] && [ -n "$out" ] || { echo "run.sh: --kernel and --out are required" >&2; exit 2; }
case "$mmu" in
nested) mv_params= kvm_params= ;;
shadow) mv_params=tdp=0 kvm_params=$([ "$vendor" = kvm_amd ] && echo npt=0 || echo ept=0) ;;
*) echo "run.sh: --mmu nested|shadow" >&2; exit 2 ;;
esac
# QEMU TCG's SVM delivers an injected interrupt twice unless an exit comes
# right after it (../shared/TESTING.md): minivirt's intr_exit=1 makes that
# exit with the in-kernel LAPIC too (kvm_amd has no such switch: its L2
# Linux hangs there). Bochs' VMX host keeps the default, KVM's behaviour.
[ "$target" = svm ] && mv_params="${mv_params:+$mv_params }intr_exit=1"

# The selftests every cell runs against both hypervisors (coexist is run by
# the plan itself, with both devices).
suites="$host_suites vmrun modes pio mmio cpuid_msr intercepts pkru nr_mmu_pages exits fault_catalogue vcpu_ioctls mmu_select paging \
	interrupts memslots multi signals lifecycle_run invalid_input qemu_msrs \
	kvmclock cr_checks dirty_log guest_debug sync_regs"
# The soak (selftests/soak.c): SOAK_CYCLES in the environment sets its count.
# Its watchdog share: 0.12 s a cycle for both columns, svm 6.1's slowest
# (2026-12-07); Bochs x4, as for the qemu suite (vmx 6.12 took 0.05 s a
# cycle of its virtual clock).
suites="$suites soak"
[ -n "$timeout_given" ] || timeout=$((timeout + ${SOAK_CYCLES:-0} * 12 / 100 *
	$([ "$target" = vmx ] && echo 4 || echo 1)))
# The in-kernel interrupt controllers (issue 11): every svm cell; in Bochs'
# vmx host the nested-paging cells (the shadow ones add nothing the svm
# shadow cells do not cover, at Bochs' cost).
case "$target:$mmu" in
svm:*|vmx:nested) suites="$suites pit lapic irqchip_devices eventfd irq_routing" ;;
esac
# The ioctl fuzzer (selftests/ioctl_fuzz.c), both columns: every svm cell;
# the vmx cells only with IOCTL_FUZZ_VMX=1: Bochs enters a VMX guest whose
# RFLAGS.IF is 0 with the host's interrupts masked, so a random guest that
# spins wedges the host, in either column (README.md, "The ioctl fuzzer").
case "$target" in
svm) suites="$suites ioctl_fuzz" ;;
vmx) [ -z "${IOCTL_FUZZ_VMX:-}" ] || suites="$suites ioctl_fuzz" ;;
esac
# The differential guest fuzzer (selftests/guest_fuzz.c), run once with both
# devices at the end of the plan (plan.sh): with GUEST_FUZZ=1 (make
# check-full) or when named. Not in make check yet: in a make check of the
# merged tree (2026-12-08) QEMU 7.2 itself crashed (exit 139) under it in
# svm 6.1 and 6.12, and the vmx shadow cells disagreed (README.md).
[ -z "${GUEST_FUZZ:-}" ] || suites="$suites guest_fuzz"
# Unmodified QEMU as a client (qemu-suite.sh): in the SVM host; in Bochs'
# VMX host only when asked (README.md, "Unmodified QEMU on minivirt": an L2
# Linux boot takes Bochs about 4 minutes).
qemu_scale=1
[ "$target" = svm ] && suites="$suites qemu"
if [ -n "$with_qemu" ] && [ "$target" = vmx ]; then
	suites="$suites qemu" qemu_scale=4
fi
[ -n "$with_ksft" ] && suites="$suites kvm_selftests"
if [ -n "$only" ]; then
	suites=$only
	minivirt_suites=${minivirt_suites:+$only}
fi

# The sanitizer kernel is built once (reused after); its checks make the
# host slower: every time limit x3 (svm, all suites: 2679 s of host time,
# 3.3x the 807 s of Debian's 6.1 in the same hour, 2026-12-07).
slow=1
case "$series" in
*-sanitizer) "$here/sanitizer-kernel.sh" >/dev/null; slow=3 ;;
esac
rel=$("$here/kernel.sh" "$series")
kdir=$("$here/kernel.sh" "$series" kdir)
vmlinuz=$("$here/kernel.sh" "$series" vmlinuz)
# Debian's kernel of the series: the qemu suite's L2 guest, and the KVM
# selftests' sources.
base=${series%-sanitizer}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/console.log" "$out/tap.log" "$out/counts"
echo "run.sh: $target host, kernel $rel, logs in $out" >&2

ko=$("$here/build-module.sh" "$kdir" "$out/module" W=1)
make -s -C "$root/selftests" O="$root/build/selftests"
make -s -C "$root/tools/vmrun" O="$root/build/vmrun"
make -s -C "$here" tapscan modload
# The qemu suite (qemu-suite.sh) needs Debian's QEMU, its libraries and
# firmware, an L2 kernel and initramfs in the host (qemu-tree.sh), and more
# host memory for them and the L2 guest's 256 MiB.
qemu_args=() host_mem=1024
case " $suites " in
*" qemu "*)
	make -s -C "$here" rsp
	"$here/qemu-tree.sh" --kernel "$("$here/kernel.sh" "$base" vmlinuz)" --guests "$root/build/vmrun" \
		--rsp "$here/rsp" --out "$out/qemu-tree"
	qemu_args=(--tree "$out/qemu-tree" --extra "$here/qemu-suite.sh")
	host_mem=1536
	# Up to ten L2 boots per column under nested TCG (Bochs: scaled).
	[ -n "$timeout_given" ] || timeout=$((timeout + 900 * qemu_scale))
	;;
esac
# The kvm_selftests suite (kvm-selftests.sh): Linux's KVM selftests of this
# series, built static once (cached in build/kvm-selftests), with its list
# of limits, arguments and exclusions; KVM_SELFTESTS_CASES=a,b narrows it.
ksft_args=()
case " $suites " in
*" kvm_selftests "*)
	ksft_tree=$("$here/kvm-selftests-build.sh" --kernel "$base")
	ksft_args=(--tree "$ksft_tree" --extra "$here/kvm-selftests.sh"
		--extra "$here/kvm-selftests.list")
	rm -f "$out/kvm-selftests.cases"
	if [ -n "${KVM_SELFTESTS_CASES:-}" ]; then
		echo "$KVM_SELFTESTS_CASES" >"$out/kvm-selftests.cases"
		ksft_args+=(--extra "$out/kvm-selftests.cases")
	fi
	# Both columns, each within its budget (README.md); Bochs: x4.
	[ -n "$timeout_given" ] || timeout=$((timeout + 2400 * $([ "$target" = vmx ] && echo 4 || echo 1)))
	;;
esac
# The ioctl fuzzer's time: both columns' 10^5 calls took 92 s in svm 6.1
# (2026-12-07); its limit grows with IOCTL_FUZZ_CALLS, 300 s per 10^5 (Bochs: x4).
case " $suites " in
*" ioctl_fuzz "*)
	[ -n "$timeout_given" ] ||
		timeout=$((timeout + (${IOCTL_FUZZ_CALLS:-100000} + 99999) / 100000 * 300 *
			$([ "$target" = vmx ] && echo 4 || echo 1)))
	;;
esac
# The guest fuzzer's time: 0.08-0.12 s a sequence (both devices), svm 6.1
# (2026-12-07); a limit of 0.5 s a sequence (Bochs: x4).
case " $suites " in
*" guest_fuzz "*)
	[ -n "$timeout_given" ] ||
		timeout=$((timeout + ${GUEST_FUZZ_COUNT:-60} * 5 / 2 *
			$([ "$target" = vmx ] && echo 4 || echo 1)))
	;;
esac
vmrun_files=
for f in vmrun hello.elf hello-aout.bin hello16.bin tests.elf; do
	vmrun_files="$vmrun_files --extra $root/build/vmrun/$f"
done
"$here/mkinitramfs.sh" --kernel "$rel" --ko "$ko" --vendor "$vendor" \
	--tests "$root/build/selftests" --suites "$suites" --target "$target" \
	--minivirt-suites "${minivirt_suites:-$suites}" --plan "$plan" \
	--minivirt-params "$mv_params" --kvm-params "$kvm_params" \
	--moddir "$("$here/kernel.sh" "$series" moddir)" \
	--extra "$here/modload" --extra "$root/tools/vmrun/testhost-check.sh" \
	$vmrun_files "${qemu_args[@]}" "${ksft_args[@]}" --out "$out/initrd.gz"

# Every kernel message reaches the console log, from the first.
append="loglevel=7${QEMU_SUITE_CASES:+ qemu_suite.cases=$QEMU_SUITE_CASES}"
append="$append${QEMU_SUITE_REPEAT:+ qemu_suite.repeat=$QEMU_SUITE_REPEAT}"
append="$append${SOAK_CYCLES:+ soak.cycles=$SOAK_CYCLES}"
# fault_catalogue's memslot case: FAULT_CATALOGUE_SLOTS slots at most (0:
# KVM_CAP_NR_MEMSLOTS, make check-full); make check's 2048 keep KVM's column
# short (2026-12-07: kvm_amd's 25268 slots took 16 s in svm 6.1, kvm_intel's
# 4096 10 s of Bochs' clock in vmx 6.1; minivirt's 512, 0.1-0.5 s).
append="$append fault_catalogue.slots=${FAULT_CATALOGUE_SLOTS:-2048}"
[ "$qemu_scale" = 1 ] || append="$append qemu_suite.scale=$qemu_scale qemu_suite.host=bochs"
# The ioctl fuzzer's seed, the same in both columns: IOCTL_FUZZ_SEED, or
# "random" for a new one, or by default one fixed per cell (from its name);
# IOCTL_FUZZ_CALLS calls per column (the program's default: 10^5).
fuzz_seed=${IOCTL_FUZZ_SEED:-$(echo "$target-$series-$mmu" | cksum | cut -d' ' -f1)}
[ "$fuzz_seed" != random ] || fuzz_seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
append="$append ioctl_fuzz.seed=$fuzz_seed${IOCTL_FUZZ_CALLS:+ ioctl_fuzz.calls=$IOCTL_FUZZ_CALLS}"
# The guest fuzzer's first seed, alike (GUEST_FUZZ_SEED, "random"), and
# GUEST_FUZZ_COUNT sequences per mode (the program's default: 200).
gfuzz_seed=${GUEST_FUZZ_SEED:-$(echo "guest-$target-$series-$mmu" | cksum | cut -d' ' -f1)}
[ "$gfuzz_seed" != random ] || gfuzz_seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
# Its console markers, one per sequence and device, all kept (/dev/kmsg
# writes are rate-limited otherwise).
append="$append printk.devkmsg=on guest_fuzz.seed=$gfuzz_seed"
# GUEST_FUZZ_COUNT sequences per mode, five modes: make check 60 (the
# program's default is 200), make check-full 2000.
append="$append guest_fuzz.count=${GUEST_FUZZ_COUNT:-60}"
# GUEST_FUZZ_ARGS="only=long trace=1": more of its options, to replay one.
for a in ${GUEST_FUZZ_ARGS:-}; do append="$append guest_fuzz.$a"; done
# IOCTL_FUZZ_ARGS="trace=1 mute=0x4048ae9b": more of its options (selftests/README.md).
for a in ${IOCTL_FUZZ_ARGS:-}; do append="$append ioctl_fuzz.$a"; done
append="$append $("$here/detectors.sh" "$("$here/kernel.sh" "$series" config)" "$detectors")"
[ -n "$timeout_given" ] || timeout=$((timeout * slow))
boot_rc=0
case "$target" in
svm|nohw)
	"$here/boot-qemu.sh" --cpu "$qemu_cpu" --kernel "$vmlinuz" --initrd "$out/initrd.gz" \
		--console "$out/console.log" --tap "$out/tap.log" \
		--timeout "$timeout" --append "$append" --mem "$host_mem" || boot_rc=$?
	;;
vmx)
	"$here/boot-bochs.sh" --kernel "$vmlinuz" --initrd "$out/initrd.gz" \
		--console "$out/console.log" --tap "$out/tap.log" \
		--timeout "$timeout" --workdir "$out/bochs" --append "$append" \
		$([ "$host_mem" = 1024 ] || echo "--megs $host_mem") \
		${bochs_cpu:+--cpu "$bochs_cpu"} ${bochs_cpus:+--cpus "$bochs_cpus"} || boot_rc=$?
	;;
esac
[ "$boot_rc" -eq 124 ] && echo "run.sh: watchdog fired after $timeout s" >&2

# tapscan judges; a host that died or hung shows as a missing "testhost: done".
"$here/tapscan" --tap "$out/tap.log" --console "$out/console.log" \
	--label "$target-$series$([ "$mmu" = shadow ] && echo -shadow)${bochs_cpus:+-${bochs_cpus}cpus}" \
	--counts "$out/counts"
