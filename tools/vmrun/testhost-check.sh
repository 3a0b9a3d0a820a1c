#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# testhost-check.sh --dev PATH [--vmrun PATH] [--guests DIR]
# Runs vmrun's bundled guests against one KVM-API device and prints TAP
# (tools/testhost/README.md): one case per guest behaviour, each checking
# vmrun's exit status and the expected output. POSIX sh: runs under the
# emulated host's busybox. vmrun and the guests default to this script's own
# directory (the initramfs' /tests). Exits 1 if any case failed.
here=$(cd "$(dirname "$0")" && pwd)
dev= vmrun=$here/vmrun guests=$here
while [ $# -gt 0 ]; do
	case "$1" in
	--dev) dev=$2 ;;
	--vmrun) vmrun=$2 ;;
	--guests) guests=$2 ;;
	*) echo "usage: $0 --dev PATH [--vmrun PATH] [--guests DIR]" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$dev" ] || { echo "usage: $0 --dev PATH [--vmrun PATH] [--guests DIR]" >&2; exit 2; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
echo "TAP version 13"

# run INPUT ARGS...: vmrun on $dev with INPUT on stdin; $status, $tmp/out, $tmp/err.
run() {
	input=$1
	shift
	printf '%b' "$input" >"$tmp/in"
	timeout -s KILL 120 "$vmrun" --dev "$dev" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# expect NAME STATUS [out:REGEX | err:REGEX]...: judges the last run.
expect() {
	name=$1 want=$2
	shift 2
	n=$((n + 1))
	problems=
	[ "$status" = "$want" ] || problems="exit status $status, expected $want"
	for p in "$@"; do
		case "$p" in
		out:*) f=$tmp/out what=stdout re=${p#out:} ;;
		err:*) f=$tmp/err what=stderr re=${p#err:} ;;
		esac
		grep -q -E -e "$re" "$f" || problems="$problems${problems:+; }no /$re/ in $what"
	done
	if [ -z "$problems" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # $problems"
		failed=1
	fi
	if [ -n "$problems" ] || [ -n "$show" ]; then
		sed 's/^/#   out: /' "$tmp/out"
		sed 's/^/#   err: /' "$tmp/err"
	fi
	show=
}

# The demo guests; their output is shown even when they pass.
run "" --multiboot "$guests/hello.elf" --cmdline "hello from vmrun" --timeout 60
show=1 expect hello_multiboot 33 \
	"out:^Hello from a guest of minivirt$" \
	"out:^CPU vendor: [[:print:]]{12}$" \
	"out:^memory: 64 MiB \(mem_lower 640 KiB, mem_upper 64512 KiB\)$" \
	"out:^memory map: 3 entries, 65152 KiB available$" \
	"out:^command line: hello from vmrun$" \
	"out:^boot loader: vmrun$"
run "" --multiboot "$guests/hello.elf" --mem 256 --timeout 60
expect hello_multiboot_mem256 33 \
	"out:^memory: 256 MiB \(mem_lower 640 KiB, mem_upper 261120 KiB\)$" \
	"out:^memory map: 3 entries, 261760 KiB available$"
run "" --multiboot "$guests/hello-aout.bin" --mem 2 --timeout 60
expect hello_multiboot_aout_kludge 33 \
	"out:^Hello from a guest of minivirt$" \
	"out:^memory: 2 MiB \(mem_lower 640 KiB, mem_upper 1024 KiB\)$" \
	"out:^boot loader: vmrun$"
run "" --flat "$guests/hello16.bin" --timeout 60
show=1 expect hello_flat 0 \
	"out:^Hello from a real-mode guest of minivirt$" \
	"out:^CS=1000 SS:SP=1000:8000 sum\(1..100\)=0x13ba$"

# Every way a run ends (tests.elf does what its command line says).
t=$guests/tests.elf
run "" --multiboot "$t" --cmdline hlt --timeout 60
expect exit_hlt 0 "out:^tests: hlt$"
run "" --multiboot "$t" --cmdline shutdown --timeout 60
expect exit_shutdown 2 "out:^tests: shutdown$" "err:KVM_EXIT_SHUTDOWN" "err:exit_reason +8 " \
	"err:^ +rip [0-9a-f]{16}"
run "" --multiboot "$t" --cmdline mmio --timeout 60
expect exit_mmio 4 "out:^tests: mmio$" "err:unhandled exit KVM_EXIT_MMIO: 4-byte write at 0xd0000000" \
	"err:mmio.phys_addr +0x00000000d0000000$" "err:mmio.data +78 56 34 12" \
	"err:mmio.len +4$" "err:mmio.is_write +1$"
run "" --multiboot "$t" --cmdline loop --timeout 2
expect exit_timeout 6 "out:^tests: loop$" "err:--timeout 2 s expired" "err:^ +rip [0-9a-f]{16}"
run "" --multiboot "$t" --cmdline "exitw 2-byte" --timeout 60
expect debug_exit_2byte 5 "out:^tests: exitw$"
run "" --multiboot "$t" --cmdline nonsense --timeout 60
expect debug_exit_unknown_253 253 "out:^tests: unknown command$"

# Devices: UART input (stdin), registers, string I/O; unclaimed ports.
run "minivirt\\n" --multiboot "$t" --cmdline echo --timeout 60
expect uart_input_echo 1 "out:^tests: echo: minivirt$"
run "" --multiboot "$t" --cmdline ports --timeout 60 --verbose
expect ports_and_uart_registers 7 \
	"out:^tests: unclaimed ports read ff ffff ffffffff$" \
	"out:^tests: uart scratch 5a insb 5a5a5a5a divisor 0001 lcr 03 iir c1 c2 c1 lsr 60$" \
	"out:^tests: ports done$" \
	"err:port 0x0080: 2 reads, 1 writes" "err:port 0x0087: 1 reads, 0 writes" \
	"err:exits: .*IO [0-9]+"

# A signal stops the guest cleanly, with the registers. (busybox timeout
# execs the program itself: $! is vmrun.)
timeout -s KILL 60 "$vmrun" --dev "$dev" --multiboot "$t" --cmdline loop --timeout 60 </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 2
kill -TERM "$pid"
wait "$pid"
status=$?
expect sigterm 143 "err:stopped by signal 15" "err:^ +rip [0-9a-f]{16}"

# Setup errors name the problem.
run "" --multiboot "$vmrun" --timeout 60
expect bad_image 8 "err:no multiboot header"

echo "1..$n"
exit $failed
