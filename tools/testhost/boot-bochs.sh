#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# boot-bochs.sh: boot a Debian kernel and an initramfs in Bochs, the VMX host.
#
#   boot-bochs.sh --kernel /boot/vmlinuz-VER --initrd INITRD.gz \
#       --console CONSOLE.log --tap TAP.log --timeout SECONDS --workdir DIR \
#       [--append "extra kernel args"] [--cpu corei7_haswell_4770] [--megs 512]
#       [--cpus 1]
#
# COM1 (ttyS0, the kernel console) goes to CONSOLE.log, COM2 (ttyS1, the test
# stream) to TAP.log; see README.md. Bochs cannot load a kernel itself, so it
# boots a GRUB ISO. Fast path (see /work/shared/TESTING.md, "VMX host"): the
# uncompressed vmlinux, taken out of the vmlinuz once and cached in --workdir,
# is laid out flat at its physical load address behind a small multiboot stub
# (pvh/) that enters the kernel's PVH entry point. That skips the in-guest
# decompression (~30-65 s under Bochs). Kernels without a PVH entry fall
# back to GRUB's "linux" command.
#
# Exit status: 0 the guest powered off; 124 the wall-clock watchdog fired;
# 3 the guest reset (panic=-1, triple fault, reboot); 4 the boot loader or the
# stub failed; 2 bad usage or setup; 1 Bochs failed otherwise.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly PVH_DIR=$SCRIPT_DIR/pvh
# TESTING.md: tsc=unstable keeps guest time in step with Bochs' timers; the
# rest cut ~75 s of boot work that the tests do not need.
readonly BASE_CMDLINE="console=ttyS0,115200 panic=-1 tsc=unstable quiet cryptomgr.notests mitigations=off init_on_alloc=0 nokaslr"
# Bochs' CPU models set CPUID.1:EDX.HT even with one thread, and leaf 0xB has
# no valid level then, so Linux >= 6.9 falls back to the legacy topology
# parse, which trips WARN_ON_ONCE(ebx1_nproc_shift < core_shift) in
# parse_legacy() (leaf 4 claims 8 cores, leaf 1 one logical CPU). A single
# CPU has no hyper-threading: clear the flag. Costs taint S (CPU out of spec).
readonly CPU_QUIRK_ARGS="clearcpuid=ht"
readonly BIOS=/usr/share/bochs/BIOS-bochs-latest
readonly VGABIOS=/usr/share/vgabios/vgabios.bin
# Bochs' rfb display (Debian's build has no "nogui") always listens here.
readonly RFB_PORT=5900
readonly RFB_LOCK=${TMPDIR:-/tmp}/minivirt-bochs-rfb.lock
readonly PORT_WAIT=${BOCHS_PORT_WAIT:-300}
# Written by grub.cfg to COM1 on every pass through the boot loader.
readonly GRUB_MARK="testhost: grub: booting"
readonly GRUB_FAIL="testhost: grub: boot failed"

KERNEL='' INITRD='' CONSOLE='' TAP='' TIMEOUT='' WORKDIR='' APPEND=''
CPU=corei7_haswell_4770
CPUS=1
MEGS=512
BOCHS_PID='' WATCH_PID='' PVH_IMAGE='' PORT_WAITED=0.0
# BOCHS_NO_PVH=1 forces the slow GRUB "linux" boot (to compare or debug).
NO_PVH=${BOCHS_NO_PVH:-0}

die() {
	echo "boot-bochs: $*" >&2
	exit 2
}

usage() {
	echo "usage:" >&2
	sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^#//' >&2
	exit 2
}

parse_args() {
	while (($#)); do
		(($# >= 2)) || usage
		case $1 in
		--kernel) KERNEL=$2 ;;
		--initrd) INITRD=$2 ;;
		--console) CONSOLE=$2 ;;
		--tap) TAP=$2 ;;
		--timeout) TIMEOUT=$2 ;;
		--workdir) WORKDIR=$2 ;;
		--append) APPEND=$2 ;;
		--cpu) CPU=$2 ;;
		--megs) MEGS=$2 ;;
		--cpus) CPUS=$2 ;;
		*) usage ;;
		esac
		shift 2
	done
	[[ -n $KERNEL && -n $INITRD && -n $CONSOLE && -n $TAP && -n $TIMEOUT && -n $WORKDIR ]] || usage
	[[ -f $KERNEL ]] || die "no kernel $KERNEL"
	[[ -f $INITRD ]] || die "no initrd $INITRD"
	[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout wants whole seconds"
	[[ $MEGS =~ ^[1-9][0-9]*$ ]] || die "--megs wants a number"
	[[ $CPUS =~ ^[1-9][0-9]*$ ]] || die "--cpus wants a number"
	# GRUB re-quotes arguments with quotes or backslashes; keep it simple.
	[[ $APPEND != *[\'\"\\]* ]] || die "--append: quotes and backslashes are not supported"
	mkdir -p "$WORKDIR"
	WORKDIR=$(cd "$WORKDIR" && pwd)
	KERNEL=$(readlink -f "$KERNEL")
	INITRD=$(readlink -f "$INITRD")
	CONSOLE=$(realpath -m "$CONSOLE")
	TAP=$(realpath -m "$TAP")
}

need() {
	local tool
	for tool; do
		command -v "$tool" >/dev/null || die "missing tool '$tool' (see TESTING.md for the packages)"
	done
}

# --- the uncompressed kernel ------------------------------------------------

le32() { # FILE OFFSET
	od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}

# Like the kernel's scripts/extract-vmlinux, but exact: the bzImage header
# (Documentation/arch/x86/boot.rst, protocol >= 2.08) says where the payload
# is: setup_sects at 0x1f1, payload_offset/length at 0x248/0x24c, counted
# from the protected-mode code at (setup_sects + 1) * 512. The payload ends
# with the uncompressed size as a le32 (arch/x86/boot/compressed/mkpiggy.c),
# which the decompressors must not see but which checks the result.
extract_vmlinux() { # VMLINUZ OUT
	local in=$1 out=$2 setup_sects pm_start offset length magic want
	setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$in" | tr -d ' ')
	((setup_sects)) || setup_sects=4
	pm_start=$(((setup_sects + 1) * 512))
	offset=$((pm_start + $(le32 "$in" $((0x248)))))
	length=$(le32 "$in" $((0x24c)))
	((length > 4)) || return 1
	magic=$(od -An -tx1 -j "$offset" -N6 "$in" | tr -d ' ')
	want=$(le32 "$in" $((offset + length - 4)))
	local -a unpack
	case $magic in
	fd377a585a00) unpack=(xz -dc) ;;
	28b52ffd*) unpack=(zstd -dcq) ;;
	1f8b*) unpack=(gzip -dc) ;;
	02214c18*) unpack=(lz4 -dcq) ;;
	425a68*) unpack=(bzip2 -dc) ;;
	*) echo "boot-bochs: $in: unknown compression (magic $magic)" >&2; return 1 ;;
	esac
	need "${unpack[0]}"
	dd if="$in" bs=1M iflag=skip_bytes,count_bytes skip="$offset" count=$((length - 4)) status=none |
		"${unpack[@]}" >"$out" || return 1
	[[ $(stat -c %s "$out") == "$want" ]] || { echo "boot-bochs: $in: unpacked size is not $want" >&2; return 1; }
	[[ $(od -An -tx1 -N4 "$out" | tr -d ' ') == 7f454c46 ]]
}

# Builds (or reuses) WORKDIR/kernels/KEY/pvh.img for this kernel: the stub,
# padding, and the flat kernel; sets PVH_IMAGE. Returns 1 when the kernel
# cannot take the fast path (no PVH entry note, unknown compression); dies
# on anything else, such as a stub that does not build.
prepare_pvh_image() {
	local key dir rc=0
	# Keyed by the kernel's name, size and mtime: a reinstalled kernel of the
	# same ABI gets a new image.
	key=$(basename "$KERNEL")-$(stat -c %s-%Y "$KERNEL")
	dir=$WORKDIR/kernels/$key
	mkdir -p "$dir"
	make -s -C "$PVH_DIR" O="$dir" mkimage >&2 || die "building pvh/mkimage failed"
	if [[ ! -s $dir/kernel.env ]]; then
		extract_vmlinux "$KERNEL" "$dir/vmlinux" || return 1
		# Reads XEN_ELFNOTE_PHYS32_ENTRY and the PT_LOAD layout; exit 2: no note.
		"$dir/mkimage" "$dir/vmlinux" "$dir/kernel.bin" >"$dir/kernel.env.tmp" || rc=$?
		rm -f "$dir/vmlinux"
		((rc != 2)) || return 1
		((rc == 0)) || die "pvh/mkimage failed on $KERNEL"
		mv "$dir/kernel.env.tmp" "$dir/kernel.env"
	fi
	# make relinks the stub when its sources changed.
	# shellcheck disable=SC2046 # kernel.env is make-style VAR=value words
	make -s -C "$PVH_DIR" O="$dir" $(cat "$dir/kernel.env") image >&2 ||
		die "building the pvh stub image failed"
	PVH_IMAGE=$dir/pvh.img
}

# --- the GRUB ISO -----------------------------------------------------------

# GRUB script words in single quotes: nothing inside is special to GRUB.
grub_words() {
	local word out='' words
	read -ra words <<<"$1"
	for word in "${words[@]}"; do
		out+=" '$word'"
	done
	echo "${out# }"
}

# Hard link when possible: the images are tens of MB.
place() { # SRC DST
	ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"
}

# make_iso MODE IMAGE: MODE pvh (IMAGE = pvh.img) or linux (IMAGE = vmlinuz).
make_iso() {
	local mode=$1 image=$2 iso=$WORKDIR/iso cmdline load
	cmdline=$(grub_words "$BASE_CMDLINE $CPU_QUIRK_ARGS $APPEND")
	rm -rf "$iso"
	mkdir -p "$iso/boot/grub"
	place "$INITRD" "$iso/boot/initrd.gz"
	if [[ $mode == pvh ]]; then
		place "$image" "$iso/boot/pvh.img"
		# The stub takes module 0 as the initrd (PVH: "first module is ramdisk").
		load="multiboot /boot/pvh.img $cmdline
module /boot/initrd.gz initrd"
	else
		place "$image" "$iso/boot/vmlinuz"
		load="linux /boot/vmlinuz $cmdline
initrd /boot/initrd.gz"
	fi
	# No menu, no timeout: run the commands and boot. The marks let the
	# watchdog see a second pass (the guest reset) or a failed load.
	cat >"$iso/boot/grub/grub.cfg" <<-EOF
		serial --unit=0 --speed=115200
		terminal_input serial
		terminal_output serial
		echo "$GRUB_MARK"
		$load
		boot
		echo "$GRUB_FAIL"
	EOF
	# Fonts, themes and locales are for a graphical menu; skipping them keeps
	# the ISO small.
	grub-mkrescue --fonts= --locales= --themes= -o "$WORKDIR/boot.iso" "$iso" >"$WORKDIR/grub-mkrescue.log" 2>&1 ||
		{ cat "$WORKDIR/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
}

# --- Bochs ------------------------------------------------------------------

write_bochsrc() {
	cat >"$WORKDIR/bochsrc" <<-EOF
		megs: $MEGS
		cpu: model=$CPU, count=$CPUS, ips=100000000, reset_on_triple_fault=1, ignore_bad_msrs=1
		clock: sync=none
		romimage: file=$BIOS
		vgaromimage: file=$VGABIOS
		pci: enabled=1, chipset=i440fx
		ata0-master: type=cdrom, path=$WORKDIR/boot.iso, status=inserted
		boot: cdrom
		com1: enabled=1, mode=file, dev=$CONSOLE
		com2: enabled=1, mode=file, dev=$TAP
		display_library: rfb, options="timeout=0"
		sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
		log: $WORKDIR/bochs.log
		panic: action=fatal
	EOF
	# The built-in debugger stops at the first instruction: "c" continues.
	echo c >"$WORKDIR/bochs.rc"
}

port_listening() { # PORT
	local hex
	hex=$(printf '%04X' "$1")
	# /proc/net/tcp*: local_address is ADDR:PORT in hex, state 0A is LISTEN.
	awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# One Bochs at a time: its rfb display needs TCP port 5900. The lock orders
# our own runs; the port check catches anything else holding the port.
claim_rfb_port() {
	local waited=0 start=$EPOCHREALTIME
	exec {lock_fd}>"$RFB_LOCK"
	if ! flock -n "$lock_fd"; then
		echo "boot-bochs: another Bochs run holds $RFB_LOCK; waiting (up to ${PORT_WAIT}s)" >&2
		flock -w "$PORT_WAIT" "$lock_fd" || die "gave up waiting for $RFB_LOCK"
	fi
	while port_listening $RFB_PORT; do
		((waited)) || echo "boot-bochs: TCP port $RFB_PORT is busy (another Bochs or VNC server?); waiting (up to ${PORT_WAIT}s)" >&2
		((waited < PORT_WAIT)) || die "TCP port $RFB_PORT still busy after ${PORT_WAIT}s: Bochs' rfb display needs it"
		sleep 1
		waited=$((waited + 1))
	done
	PORT_WAITED=$(elapsed "$start")
}

# BOCHS_PID is timeout(1): it passes TERM on to Bochs and KILLs it 5 s later
# if it is still there (-k 5).
stop_bochs() {
	[[ -z $BOCHS_PID ]] || kill -TERM "$BOCHS_PID" 2>/dev/null || true
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	[[ -z $WATCH_PID ]] || kill "$WATCH_PID" 2>/dev/null || true
	if [[ -n $BOCHS_PID ]]; then
		stop_bochs
		wait "$BOCHS_PID" 2>/dev/null || true
	fi
}

now_us() {
	echo "${EPOCHREALTIME//[!0-9]/}"
}

# Runs beside Bochs: ends it when the time is up, when GRUB runs a second
# time (the guest reset and the BIOS booted the ISO again) or when GRUB
# could not load the kernel. Leaves the reason in WORKDIR/watchdog.
watch_bochs() { # DEADLINE (now_us)
	local deadline=$1 reason=''
	while kill -0 "$BOCHS_PID" 2>/dev/null; do
		if (($(now_us) >= deadline)); then
			reason=timeout
		elif (($(grep -c -F "$GRUB_MARK" "$CONSOLE" 2>/dev/null) > 1)); then
			reason=reset
		elif grep -q -F "$GRUB_FAIL" "$CONSOLE" 2>/dev/null; then
			reason=loader
		fi
		if [[ -n $reason ]]; then
			echo "$reason" >"$WORKDIR/watchdog"
			stop_bochs
			return 0
		fi
		sleep 0.2
	done
}

# Sets RESULT (a phrase) and STATUS (the exit code).
run_bochs() {
	local rc=0
	: >"$CONSOLE"
	: >"$TAP"
	rm -f "$WORKDIR/watchdog"
	# timeout(1) as a second line of defence: should this script be killed
	# outright, Bochs still ends (and frees port 5900) soon after the deadline.
	timeout -k 5 $((TIMEOUT + 15)) \
		bochs -q -f "$WORKDIR/bochsrc" -rc "$WORKDIR/bochs.rc" </dev/null >"$WORKDIR/bochs.out" 2>&1 &
	BOCHS_PID=$!
	# Not holding the lock: a leftover "sleep" of the watcher must not delay the
	# next run. Bochs does hold it, as long as it lives.
	watch_bochs $(($(now_us) + TIMEOUT * 1000000)) {lock_fd}>&- &
	WATCH_PID=$!
	wait "$BOCHS_PID" || rc=$?
	# The watcher has written its verdict (if any) before it stopped Bochs.
	kill "$WATCH_PID" 2>/dev/null || true
	wait "$WATCH_PID" 2>/dev/null || true
	WATCH_PID=
	BOCHS_PID=
	classify "$rc" "$(cat "$WORKDIR/watchdog" 2>/dev/null || true)"
}

# How the guest reset, from bochs.log. After a reset the debugger stops
# again at the reset vector, finds no more commands and Bochs exits (1).
reset_cause() {
	local log=$WORKDIR/bochs.log
	(($(grep -c 'bx_pc_system_c::Reset(' "$log" 2>/dev/null) > 1)) || return 1
	if grep -q 'command 0xfe: reset cpu' "$log"; then
		echo "the guest rebooted (a panic, with panic=-1, or reboot)"
	elif grep -q 'exception with no resolution' "$log"; then
		echo "triple fault"
	else
		echo "reset"
	fi
}

classify() { # BOCHS_EXIT WATCHDOG_REASON
	local rc=$1 reason=$2 cause
	case $reason in
	timeout) RESULT="watchdog: killed Bochs after ${TIMEOUT}s"; STATUS=124; return ;;
	reset) RESULT="guest reset: GRUB ran twice"; STATUS=3; return ;;
	loader) RESULT="GRUB could not load the kernel (see $CONSOLE)"; STATUS=4; return ;;
	esac
	if grep -q "Shutdown port: shutdown requested" "$WORKDIR/bochs.out" "$WORKDIR/bochs.log" 2>/dev/null; then
		RESULT="the pvh stub failed (see $CONSOLE)"; STATUS=4
	elif grep -q "ACPI control: soft power off" "$WORKDIR/bochs.out" "$WORKDIR/bochs.log" 2>/dev/null; then
		# Bochs reports the guest's ACPI S5 as a fatal "panic" and exits 1.
		RESULT="guest powered off"; STATUS=0
	elif cause=$(reset_cause); then
		RESULT="guest reset: $cause"; STATUS=3
	elif ((rc == 0)); then
		RESULT="Bochs exited"; STATUS=0
	else
		RESULT="Bochs failed with exit code $rc (see $WORKDIR/bochs.out, bochs.log)"; STATUS=1
	fi
}

elapsed() { # START (an $EPOCHREALTIME)
	LC_ALL=C awk -v a="${1/,/.}" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }'
}

main() {
	local start image='' mode=pvh
	parse_args "$@"
	need bochs grub-mkrescue xorriso mformat make gcc ld objcopy flock od awk
	[[ -r $BIOS && -r $VGABIOS ]] || die "missing $BIOS or $VGABIOS (packages bochsbios, vgabios)"
	start=$EPOCHREALTIME

	if [[ $NO_PVH == 1 ]]; then
		echo "boot-bochs: BOCHS_NO_PVH=1: booting with GRUB's linux command (slow)" >&2
		mode=linux image=$KERNEL
	elif prepare_pvh_image; then
		image=$PVH_IMAGE
	else
		echo "boot-bochs: no PVH fast path for $KERNEL; falling back to GRUB's linux command (slow: the guest decompresses the kernel)" >&2
		mode=linux image=$KERNEL
	fi
	make_iso "$mode" "$image"
	write_bochsrc

	trap cleanup EXIT
	trap 'exit 130' INT TERM
	claim_rfb_port
	run_bochs
	local waited=''
	[[ $PORT_WAITED == 0.0 ]] || waited="; ${PORT_WAITED} s of it waiting for port $RFB_PORT"
	echo "boot-bochs: $RESULT in $(elapsed "$start") s ($mode, $(basename "$KERNEL"), $CPU$waited)"
	exit "$STATUS"
}

main "$@"
