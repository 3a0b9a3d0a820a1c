#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kernel.sh SERIES [WHAT]: a kernel the emulated host boots. SERIES 6.1 or
# 6.12 is the newest installed Debian kernel release of the series, e.g.
# 6.1.0-56-amd64 (never hard-code the ABI number: it moves with every Debian
# point release); 6.1-sanitizer is the sanitizer kernel that
# sanitizer-kernel.sh (make sanitizer-kernel) built in build/sanitizer-kernel.
# WHAT (default release) picks what to print:
#   release  its release (uname -r)
#   kdir     the tree modules build against (make -C KDIR M=...)
#   vmlinuz  the kernel image
#   config   its .config
#   moddir   the root its /lib/modules/RELEASE is under (modprobe -d)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
what=${2:-release}
case "${1:-}" in
6.1)	glob='6.1.0-*-amd64' ;;
6.12)	glob='6.12.*+deb12-amd64' ;;
6.1-sanitizer)
	b=$root/build/sanitizer-kernel
	if [ ! -f "$b/release" ]; then
		echo "kernel.sh: no sanitizer kernel in $b (make sanitizer-kernel builds it)" >&2
		exit 1
	fi
	rel=$(cat "$b/release")
	case "$what" in
	release) echo "$rel" ;;
	kdir) echo "$b/linux-source-6.1" ;;
	vmlinuz) echo "$b/bzImage" ;;
	config) echo "$b/config" ;;
	moddir) echo "$b/mods" ;;
	*) echo "kernel.sh: unknown $what" >&2; exit 2 ;;
	esac
	exit 0
	;;
*)	echo "usage: $0 6.1|6.12|6.1-sanitizer [release|kdir|vmlinuz|config|moddir]" >&2; exit 2 ;;
esac

rel=$(cd /boot && ls -d vmlinuz-$glob 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
if [ -z "$rel" ]; then
	echo "kernel.sh: no Debian $1 kernel in /boot (make deps installs it)" >&2
	exit 1
fi
for need in "/usr/src/linux-headers-$rel" "/lib/modules/$rel/kernel"; do
	if [ ! -d "$need" ]; then
		echo "kernel.sh: $need missing for $rel" >&2
		exit 1
	fi
done
case "$what" in
release) echo "$rel" ;;
kdir) echo "/usr/src/linux-headers-$rel" ;;
vmlinuz) echo "/boot/vmlinuz-$rel" ;;
config) echo "/boot/config-$rel" ;;
moddir) echo / ;;
*) echo "kernel.sh: unknown $what" >&2; exit 2 ;;
esac
