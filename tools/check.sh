#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# check.sh [--full] [CELL...]: everything `make check` runs, counted, ending with the
# lines "check: N skipped" and "N passed, N failed". A CELL is TARGET:SERIES[:MMU] of
# the emulated-host matrix (default: svm|vmx x 6.1|6.12 x nested|shadow, and
# nohw, a CPU without either, on both kernels; MMU defaults to nested), or
# vmx:SERIES:smp: a two-CPU Bochs host running vcpu_ioctls, whose
# run_on_each_cpu moves a vCPU between CPUs (VMCLEAR/VMPTRLD; Bochs' one-CPU
# cells skip it, and a whole two-CPU cell takes Bochs over 15 minutes), or
# svm:6.1-sanitizer: svm 6.1's suites on the sanitizer kernel (KASAN, KFENCE,
# lockdep, UBSAN, kmemleak; built once by sanitizer-kernel.sh),
# run by --full when no CELL is named. Steps:
#   unit tests (Check), the module built for each Debian kernel with W=1 and
#   sparse (any warning fails), the static selftests, the dkms build, and one
#   emulated-host run per cell, each judged by tapscan.
# The Bochs (vmx) cells run beside the QEMU (svm) cells: each emulator keeps
# one core busy and CI has two.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
# --full (make check-full): the vmx cells run the qemu suite too, every
# svm cell boots all of its cases, the soak runs 10^4 cycles, and
# fault_catalogue makes all of KVM_CAP_NR_MEMSLOTS' slots (make check: 2048).
# --full also makes the ioctl fuzzer (selftests/ioctl_fuzz.c) 10^6 calls per
# column with a new seed per cell (make check: 10^5, a fixed seed per cell).
full=()
if [ "${1:-}" = --full ]; then
	full=(--with-qemu)
	export IOCTL_FUZZ_CALLS=${IOCTL_FUZZ_CALLS:-1000000} IOCTL_FUZZ_SEED=${IOCTL_FUZZ_SEED:-random}
	export SOAK_CYCLES=${SOAK_CYCLES:-10000}
	export FAULT_CATALOGUE_SLOTS=${FAULT_CATALOGUE_SLOTS:-0}
	# The guest fuzzer (selftests/guest_fuzz.c): its five modes, 2000
	# sequences each (10^4 per cell), a new seed per cell.
	export GUEST_FUZZ=1 GUEST_FUZZ_COUNT=${GUEST_FUZZ_COUNT:-2000} GUEST_FUZZ_SEED=${GUEST_FUZZ_SEED:-random}
	shift
fi
# make check's budget is 45 minutes on CI's two cores, and CI took 53 with
# every qemu-suite case in all four svm cells (2026-12-07; the svm lane is
# the longer one). svm:6.1 boots every case; the three other svm cells one
# Linux case (pc, qemu64, 1 vCPU) besides multiboot and the gdbstub, about
# 250 s less each (a clean-clone run measured 2026-12-07 had its svm lane
# at 44 minutes with svm:6.12:shadow still full).
qemu_short=linux_pc_qemu64_smp1,multiboot_hello,multiboot_exit_2byte,multiboot_triple_fault
qemu_short=$qemu_short,gdbstub,gdbstub_break,gdbstub_hbreak
# Linux's KVM selftests (kvm_selftests suite, issue 11): svm:6.1 runs every
# program but these, which take minutes each (memslot_perf_test about 190 s,
# rseq_test 185 s on kvm_amd, hardware_disable_test its whole 120 s limit, a
# todo); check-full runs all of them in every svm cell.
ksft_slow="memslot_perf_test rseq_test hardware_disable_test"
cells=("$@")
[ ${#cells[@]} -gt 0 ] || cells=(svm:6.1 svm:6.12 svm:6.1:shadow svm:6.12:shadow
	nohw:6.1 nohw:6.12 vmx:6.1 vmx:6.12 vmx:6.1:shadow vmx:6.12:shadow
	vmx:6.12:smp)
[ $# -gt 0 ] || [ ${#full[@]} -eq 0 ] || cells+=(svm:6.1-sanitizer)

passed=0 failed=0 skipped=0
summary=()
record() {	# record NAME PASSED FAILED [SKIPPED]
	passed=$((passed + $2)) failed=$((failed + $3)) skipped=$((skipped + ${4:-0}))
	summary+=("$(printf '%-28s %4d passed, %d failed, %d skipped' "$1" "$2" "$3" "${4:-0}")")
}
step() {	# step NAME COMMAND...: one pass or one failure
	local name=$1 log=$build/check/$1.log
	shift
	if "$@" >"$log" 2>&1; then
		record "$name" 1 0
	else
		echo "check.sh: $name failed:" >&2
		tail -n 40 "$log" >&2
		record "$name" 0 1
	fi
}

mkdir -p "$build/check"
start=$(date +%s)

# The emulated-host cells; the vmx ones start first, in the background.
run_cell() {	# run_cell TARGET:SERIES[:MMU]
	local target series mmu name=${1//:/-} extra=() cases=${QEMU_SUITE_CASES:-}
	IFS=: read -r target series mmu <<<"$1"
	if [ "$mmu" = smp ]; then
		mmu=nested extra=(--bochs-cpus 2 --suites vcpu_ioctls)
	elif [ "$target" = vmx ]; then
		extra=("${full[@]}")
	fi
	# The sanitizer kernel: its own checks stand in for SLUB debugging
	# (KFENCE, as it boots, is also a detector of detectors.sh's); the
	# soak and the fuzzer at make check's counts and seed, which it
	# already slows down (README.md).
	local envs=()
	case "$series" in
	*-sanitizer)
		extra+=(--detectors kfence)
		envs=(-u SOAK_CYCLES -u IOCTL_FUZZ_CALLS -u IOCTL_FUZZ_SEED) ;;
	esac
	# The memory detectors (run.sh --detectors, on by default): SLUB
	# debugging made Bochs' host 1.6 times slower and QEMU's 1.23 times
	# (README.md): in make check only the two svm 6.12 cells (the shorter
	# svm cells, about a minute more each) have it; check-full everywhere.
	case "$1" in
	svm:6.12|svm:6.12:shadow|*-sanitizer*) ;;
	*) [ ${#full[@]} -gt 0 ] || extra+=(--detectors pages,kfence) ;;
	esac
	case "$1" in
	svm:6.12)
		[ ${#full[@]} -gt 0 ] || cases=${cases:-$qemu_short} ;;
	# QEMU's two 2-vCPU irqchip modes on VT-x, where kvm_intel boots
	# them too (about 65 s per boot in Bochs, 2026-12-07).
	vmx:6.1)
		[ ${#full[@]} -gt 0 ] || {
			extra+=(--with-qemu)
			cases=${cases:-linux_pc_irqchip_smp2,linux_q35_split_smp2}
		} ;;
	# Each svm shadow cell boots one 2-vCPU in-kernel irqchip mode too
	# (issue 11: QEMU's default and split, under shadow paging as well).
	svm:6.1:shadow)
		[ ${#full[@]} -gt 0 ] || cases=${cases:-$qemu_short,linux_pc_irqchip_smp2} ;;
	svm:6.12:shadow)
		[ ${#full[@]} -gt 0 ] || cases=${cases:-$qemu_short,linux_q35_split_smp2} ;;
	esac
	local ksft_cases=${KVM_SELFTESTS_CASES:-}
	if [ "$target" = svm ] && [ "$series" = "${series%-sanitizer}" ] &&
	   { [ ${#full[@]} -gt 0 ] || [ "$1" = svm:6.1 ]; }; then
		extra+=(--with-kvm-selftests)
		[ ${#full[@]} -gt 0 ] || ksft_cases=${ksft_cases:-$(ksft_quick "$series")}
	fi
	env "${envs[@]}" KVM_SELFTESTS_CASES="$ksft_cases" \
	QEMU_SUITE_CASES="$cases" "$root/tools/testhost/run.sh" --target "$target" --kernel "$series" \
		--mmu "${mmu:-nested}" "${extra[@]}" --out "$build/testhost/$name" \
		>"$build/check/$name.log" 2>&1
}
# ksft_quick SERIES: the series' KVM selftests but $ksft_slow, comma-separated
# (kvm-selftests-build.sh builds them once; run.sh finds them cached).
ksft_quick() {
	local tree
	tree=$("$root/tools/testhost/kvm-selftests-build.sh" --kernel "$1") || return
	grep -v -x -F -f <(tr ' ' '\n' <<<"$ksft_slow") "$tree/kvm-selftests/programs" | paste -s -d,
}
# What every cell's run.sh builds into build/, built once here so that the
# two lanes never write the same file at once.
step selftests-build make -C "$root/selftests" O="$build/selftests"
make -s -C "$root/tools/vmrun" O="$build/vmrun" >"$build/check/tools.log" 2>&1 &&
	make -s -C "$root/tools/testhost" tapscan modload >>"$build/check/tools.log" 2>&1 ||
	cat "$build/check/tools.log" >&2
# One Bochs at a time (boot-bochs.sh's port lock): the vmx cells run one
# after the other, in one background lane beside the svm cells.
vmx_cells=() vmx_lane=
for c in "${cells[@]}"; do
	case "$c" in vmx:*) vmx_cells+=("$c") ;; esac
done
if [ ${#vmx_cells[@]} -gt 0 ]; then
	( for c in "${vmx_cells[@]}"; do run_cell "$c"; done ) &
	vmx_lane=$!
fi

# Unit tests: each Check binary prints "NN%: Checks: N, Failures: F, Errors: E".
make -s -C "$root/tests" check >"$build/check/unit.log" 2>&1
unit_rc=$?
un=0 uf=0 lines=0
while read -r line; do
	if [[ $line =~ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+) ]]; then
		f=$((BASH_REMATCH[2] + BASH_REMATCH[3]))
		un=$((un + BASH_REMATCH[1] - f)) uf=$((uf + f)) lines=$((lines + 1))
	fi
done <"$build/check/unit.log"
# A binary that did not build or crashed prints no summary: one more failure.
if [ "$unit_rc" -ne 0 ] && [ "$uf" -eq 0 ] || [ "$lines" -eq 0 ]; then
	cat "$build/check/unit.log" >&2
	uf=$((uf + 1))
fi
record unit-tests "$un" "$uf"

for series in 6.1 6.12; do
	rel=$("$root/tools/testhost/kernel.sh" "$series") || { record "module-$series" 0 1; continue; }
	step "module-$series-W1-sparse" "$root/tools/testhost/build-module.sh" "$rel" \
		"$build/module-check/$rel" W=1 C=1
	step "dkms-build-$series" "$root/tools/dkms-build.sh" "$rel" "$build/dkms"
done
# The sanitizer kernel, built here (niced; reused once built) rather than
# inside its cell's time, and the module against it with W=1 and sparse.
if [[ " ${cells[*]} " == *-sanitizer* ]]; then
	step sanitizer-kernel "$root/tools/testhost/sanitizer-kernel.sh" "$build/sanitizer-kernel"
	kdir=$("$root/tools/testhost/kernel.sh" 6.1-sanitizer kdir) &&
		step module-6.1-sanitizer-W1-sparse "$root/tools/testhost/build-module.sh" \
			"$kdir" "$build/module-check/6.1-sanitizer" W=1 C=1
fi

# The other cells here, meanwhile; then the vmx lane's results.
other_cells=()
for c in "${cells[@]}"; do
	case "$c" in vmx:*) ;; *) other_cells+=("$c") ;; esac
done
for c in "${other_cells[@]}" "${vmx_cells[@]}"; do
	case "$c" in
	vmx:*) [ -z "$vmx_lane" ] || wait "$vmx_lane"; vmx_lane= ;;
	*) run_cell "$c" ;;
	esac
	cat "$build/check/${c//:/-}.log"
	counts=$build/testhost/${c//:/-}/counts
	if [ -s "$counts" ]; then
		read -r p f s <"$counts"
		record "host-${c//:/-}" "$p" "$f" "$s"
	else
		record "host-${c//:/-}" 0 1
	fi
done

echo
echo "Summary ($(( $(date +%s) - start )) s; logs in build/check and build/testhost):"
printf '  %s\n' "${summary[@]}"
# What failed, by name: CI keeps only the tail of this output.
for c in "${cells[@]}"; do
	grep -h '^failed: \|^problem: ' "$build/check/${c//:/-}.log" 2>/dev/null |
		sed "s/^/  host-${c//:/-}: /"
done
echo "check: $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
