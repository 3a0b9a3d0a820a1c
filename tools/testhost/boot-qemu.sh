#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boot-qemu.sh --kernel VMLINUZ --initrd INITRD --console LOG --tap LOG
#              --timeout SECONDS [--smp N] [--cpu MODEL] [--append "ARGS"]
#              [--mem MiB]
# The SVM emulated host: QEMU TCG with -cpu max (SVM + NPT). Single-threaded
# TCG: multi-threaded TCG wedges this host under nested paging load
# (../shared/TESTING.md). ttyS0 is the kernel console, ttyS1 the test stream.
# Exits 0 when the host powered off, 124 when the watchdog fired.
set -euo pipefail

kernel= initrd= console= tap= timeout= smp=2 cpu=max append= mem=1024
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--console) console=$2 ;;
	--tap) tap=$2 ;;
	--timeout) timeout=$2 ;;
	--smp) smp=$2 ;;
	--cpu) cpu=$2 ;;
	--append) append=$2 ;;
	--mem) mem=$2 ;;
	*) echo "boot-qemu.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
for v in kernel initrd console tap timeout; do
	if [ -z "${!v}" ]; then
		echo "boot-qemu.sh: --$v is required" >&2
		exit 2
	fi
done

start=$(date +%s)
rc=0
timeout --kill-after=10 "$timeout" \
	qemu-system-x86_64 -machine q35 -accel tcg,thread=single -cpu "$cpu" \
	-m "$mem" -smp "$smp" -nodefaults -display none -no-reboot \
	-serial file:"$console" -serial file:"$tap" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet mitigations=off $append" \
	</dev/null || rc=$?
echo "boot-qemu.sh: host ran $(( $(date +%s) - start )) s, exit $rc" >&2
exit "$rc"
