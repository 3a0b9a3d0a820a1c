#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# qemu-tree.sh --kernel VMLINUZ --guests DIR --rsp PROGRAM --out DIR
# Stages what the qemu suite (qemu-suite.sh) needs inside the emulated host,
# as a tree that mkinitramfs.sh --tree copies to the initramfs' root (the
# QEMU staged here runs with -accel kvm in the host, never TCG: the
# -accel tcg,thread=single rule is boot-qemu.sh's):
#   /qemu/bin/qemu-system-x86_64   Debian's own binary, unmodified
#   /lib..., /lib64/...            every shared library ldd lists, and the loader
#   /qemu/fw/                      the firmware it loads (passed with -L)
#   /qemu/vmlinuz                  the L2 guest's kernel (VMLINUZ)
#   /qemu/vmlinuz.release          its release, which the L2 guest prints (not
#                                  the host's: the sanitizer host boots Debian's)
#   /qemu/l2-initrd.gz             the L2 guest's initramfs: static busybox and
#                                  qemu-l2-init.sh as /init
#   /qemu/guests/                  vmrun's multiboot guests (hello.elf,
#                                  tests.elf) from DIR, links to tests.elf
#                                  named after its commands, and gdb.env: the
#                                  addresses in tests.elf the gdbstub case uses
#   /qemu/bin/rsp                  the gdb remote protocol client (rsp.c)
# ../../shared/TESTING.md, "Unmodified QEMU as a KVM client", has the recipe.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kernel= out= guests= rsp=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2 ;;
	--out) out=$2 ;;
	--guests) guests=$2 ;;
	--rsp) rsp=$2 ;;
	*) echo "qemu-tree.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$kernel" ] && [ -n "$out" ] && [ -n "$guests" ] && [ -n "$rsp" ] ||
	{ echo "usage: $0 --kernel VMLINUZ --guests DIR --rsp PROGRAM --out DIR" >&2; exit 2; }

qemu=/usr/bin/qemu-system-x86_64
[ -x "$qemu" ] || { echo "qemu-tree.sh: no $qemu (install qemu-system-x86)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/qemu/bin" "$out/qemu/fw"
cp "$qemu" "$rsp" "$out/qemu/bin/"

# The libraries at the paths the loader looks them up by, and the loader.
ldd "$qemu" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
while read -r lib; do
	mkdir -p "$out$(dirname "$lib")"
	cp -L "$lib" "$out$lib"
done

# The firmware: SeaBIOS and its VGA BIOS (the default machine's std VGA),
# the option ROMs of -kernel (Linux, multiboot) and the TPR patcher, the
# default NICs' ROMs (e1000 on pc, e1000e on q35). QEMU searches these
# folders (qemu-system-x86_64 -L help).
fw() {
	local f d
	for f in "$@"; do
		for d in /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
			if [ -e "$d/$f" ]; then
				cp -L "$d/$f" "$out/qemu/fw/$f"
				continue 2
			fi
		done
		echo "qemu-tree.sh: no firmware file $f" >&2
		exit 1
	done
}
fw bios-256k.bin vgabios-stdvga.bin linuxboot_dma.bin multiboot_dma.bin kvmvapic.bin \
	efi-e1000.rom efi-e1000e.rom

cp "$kernel" "$out/qemu/vmlinuz"
file -bL "$kernel" | sed -n 's/.*, version \([^ ]*\) .*/\1/p' >"$out/qemu/vmlinuz.release"
[ -s "$out/qemu/vmlinuz.release" ] || { echo "qemu-tree.sh: no release in $kernel" >&2; exit 1; }

# The L2 guest's initramfs.
busybox=$(command -v busybox)
file -L "$busybox" | grep -q 'statically linked' ||
	{ echo "qemu-tree.sh: $busybox is not static (install busybox-static)" >&2; exit 1; }
l2=$(mktemp -d)
trap 'rm -rf "$l2"' EXIT
mkdir -p "$l2/bin"
cp "$busybox" "$l2/bin/busybox"
install -m 755 "$here/qemu-l2-init.sh" "$l2/init"
(cd "$l2" && find . | cpio -o -H newc --quiet | gzip -9) >"$out/qemu/l2-initrd.gz"

# The multiboot guests. QEMU's multiboot command line starts with the
# kernel's file name, and tests.elf does what its first word says: links
# named after its commands select them. The gdbstub case stops tests.elf in
# "echo", which polls the UART for input that never comes, and steps it.
mkdir -p "$out/qemu/guests"
cp "$guests/hello.elf" "$guests/tests.elf" "$out/qemu/guests/"
for c in echo exitw shutdown; do
	ln -s tests.elf "$out/qemu/guests/$c"
done
sym() {
	local a
	a=$(nm "$guests/tests.elf" | awk -v s="$1" '$3 == s { print $1 }')
	[ -n "$a" ] || { echo "qemu-tree.sh: no symbol $1 in tests.elf" >&2; exit 1; }
	echo "0x$a"
}
# cmd_echo polls the UART for input: after "mov $s_echo, %esi; call puts",
# the loop "1: mov $0x3fd, %dx; in (%dx), %al; test $1, %al; je 1b".
insns=$(objdump -d --start-address="$(sym cmd_echo)" --stop-address="$(sym cmd_ports)" \
	"$guests/tests.elf" | awk -F'\t' '/^ +[0-9a-f]+:/ {
		sub(":", "", $1); sub(/^ +/, "", $1); gsub(/ /, "", $2)
		split($3, m, " "); printf "0x%s %s %s\n", $1, m[1], $2 }')
[ "$(echo "$insns" | sed -n 3,6p | awk '{ print $2 }' | tr '\n' ' ')" = "mov in test je " ] ||
	{ echo "qemu-tree.sh: cmd_echo in tests.elf does not poll as expected" >&2; exit 1; }
insn() {	# insn N FIELD: the Nth instruction's address (1) or bytes (3)
	echo "$insns" | sed -n "$1p" | cut -d' ' -f"$2"
}
cat >"$out/qemu/guests/gdb.env" <<ENV
GDB_POLL_MOV=$(insn 3 1)
GDB_POLL_IN=$(insn 4 1)
GDB_POLL_TEST=$(insn 5 1)
GDB_POLL_JE=$(insn 6 1)
GDB_POLL_BYTES=$(insn 3 3)$(insn 4 3)$(insn 5 3)$(insn 6 3)
GDB_STACK_TOP=$(sym stack_top)
ENV
