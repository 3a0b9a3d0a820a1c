#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench.sh: what `make bench` runs. Builds minivirt.ko for Debian's 6.1 kernel
# (BENCH_KERNEL=6.12 for the other), kvmbench and an initramfs, boots the
# emulated SVM host (QEMU TCG, -cpu max), where tools/testhost/bench-plan.sh
# runs kvmbench against minivirt and then against kvm_amd, and prints one
# table per compared pair: benchmark | minivirt ns/op | kvm ns/op | ratio |
# target | met?. The table is also saved to build/bench/results.md, the
# host's logs to build/bench/HOST-SERIES/.
# Then a second SVM host (tools/testhost/run.sh) boots Linux to /init under
# Debian's unmodified QEMU (-accel kvm), BENCH_BOOTS (5) times on each
# hypervisor, and adds a table of median wall times and their ratio; its
# logs go to build/bench/qemu-svm-SERIES/.
# A benchmark, not a test: a missed target never fails it. It exits 1 only
# when a benchmark could not run (an error, an unexpected exit), a QEMU boot
# failed or a host did not finish, so that such a run is not mistaken for
# numbers.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
th=$root/tools/testhost
out=$root/build/bench
series=${BENCH_KERNEL:-6.1}
# Guest modes of kvmbench to run (BENCH_MODES="flat32 long64"): the first is
# the main table; each further one adds a pair of columns and a table.
modes=${BENCH_MODES:-flat32}

# Targets of the issue, as the largest ratio minivirt/kvm that meets them.
targets="out_roundtrip:0.9 cpuid_inkernel:0.5 vmmcall_inkernel:0.5 first_touch_16k:1.0"
# Interrupts on the in-kernel irqchip (issue 11).
targets="$targets ipi_roundtrip:1.0 lapic_timer_irq:1.0 irqfd_to_handler:1.0"
# The paging loops, for shadow paging (with nested paging nothing exits).
targets="$targets minivirt-shadow/pte_invlpg:1.0 minivirt-shadow/pte_cr3_reload:1.0"
targets="$targets minivirt-shadow/cr3_switch:0.5"

# Unmodified QEMU's Linux boot to /init: the qemu suite's case, how many
# boots per column (the median of several: one boot is noise, TESTING.md),
# and the target for minivirt/kvm.
boot_case=linux_pc_qemu64_smp1 boots=${BENCH_BOOTS:-5} boot_target=1.0

# The emulated hosts measured. More (the Bochs VMX host) go here: each one is
# one boot and one section of results.md.
hosts=(svm)

rel=$("$th/kernel.sh" "$series")
mkdir -p "$out"
echo "bench: building minivirt.ko for $rel, kvmbench" >&2
ko=$("$th/build-module.sh" "$rel" "$out/module-$rel")
make -s -C "$root/tools/bench" O="$out"
# mkinitramfs.sh ships the coexist selftest in every initramfs: build just it.
make -s -C "$root/selftests" O="$out/selftests" "$out/selftests/coexist"

run_host() {	# run_host HOST: boots it; leaves DIR/bench.log
	local host=$1 dir=$out/$1-$series rc=0
	mkdir -p "$dir"
	rm -f "$dir/console.log" "$dir/serial1.log" "$dir/bench.log"
	case "$host" in
	svm)
		"$th/mkinitramfs.sh" --kernel "$rel" --ko "$ko" --vendor kvm_amd \
			--tests "$out/selftests" --suites "" --target svm \
			--plan "$th/bench-plan.sh" --extra "$out/kvmbench" --out "$dir/initrd.gz"
		echo "bench: booting the emulated SVM host (QEMU TCG; about a minute)" >&2
		"$th/boot-qemu.sh" --kernel "/boot/vmlinuz-$rel" --initrd "$dir/initrd.gz" \
			--console "$dir/console.log" --tap "$dir/serial1.log" \
			--timeout 600 --append "loglevel=7 minivirt_bench.modes=${modes// /,}" || rc=$?
		;;
	*)
		echo "bench.sh: no host $host yet" >&2
		return 1
		;;
	esac
	[ "$rc" -eq 124 ] && echo "bench.sh: the $host host's watchdog fired" >&2
	# The serial port's tty ends lines with CR LF.
	if [ -f "$dir/serial1.log" ]; then
		tr -d '\r' <"$dir/serial1.log" >"$dir/bench.log"
	else
		: >"$dir/bench.log"
	fi
}

title() {
	case "$1" in
	svm) echo "svm host: QEMU TCG -cpu max (SVM + NPT, no NRIPS), Debian $rel" ;;
	*) echo "$1 host, Debian $rel" ;;
	esac
}

status=0
{
	echo "# minivirt benchmarks"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), tree $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
} >"$out/results.md"
for host in "${hosts[@]}"; do
	run_host "$host"
	log=$out/$host-$series/bench.log
	echo >>"$out/results.md"
	awk -v title="$(title "$host")" -v targets="$targets" \
		-f "$root/tools/bench/results.awk" "$log" >>"$out/results.md"
	if grep -q -e '^# bench-error:' "$log" || ! grep -q '^# testhost: done' "$log"; then
		status=1
	fi
	# Not judged (a benchmark, not a test), but never silent.
	if grep -q -e 'Oops' -e 'BUG:' -e 'WARNING:' -e 'general protection' -e 'Kernel panic' \
		"$out/$host-$series/console.log"; then
		echo "bench.sh: the $host host's kernel console has an oops/BUG/WARNING:" \
		     "see $out/$host-$series/console.log" >&2
		status=1
	fi
done

# The QEMU boots get a host of their own: QEMU's tree and the L2 guest make
# a bigger initramfs and host (run.sh builds them as for make check), and
# the kvmbench host above stays as it was. run.sh's tapscan also judges
# each boot as a test; boots.awk gives a failed one no number.
qdir=$out/qemu-svm-$series
mkdir -p "$qdir"
echo "bench: booting an SVM host for $boots QEMU boots of Linux per column (5-10 minutes)" >&2
QEMU_SUITE_CASES=$boot_case QEMU_SUITE_REPEAT=$boots \
	"$th/run.sh" --target svm --kernel "$series" --suites qemu --out "$qdir" >&2 || status=1
[ -f "$qdir/tap.log" ] || : >"$qdir/tap.log"
echo >>"$out/results.md"
awk -v title="svm host: Debian's QEMU (-accel kvm) boots Linux to /init, Debian $rel" \
	-v cases="$boot_case" -v boots="$boots" -v target="$boot_target" \
	-f "$root/tools/bench/boots.awk" "$qdir/tap.log" >>"$out/results.md" || status=1

echo
cat "$out/results.md"
echo
echo "bench: saved to $out/results.md; logs in $out/<host>-$series/ and $qdir/"
exit "$status"
