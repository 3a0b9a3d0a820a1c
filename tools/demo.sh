#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: builds minivirt.ko and vmrun, boots the emulated SVM host (Debian's
# 6.1 kernel under QEMU TCG, -cpu max), loads minivirt there, shows what it
# reports and runs vmrun's bundled guests on it. Everything the host printed is
# kept in build/demo/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
th=$root/tools/testhost
out=$root/build/demo
mkdir -p "$out"

rel=$("$th/kernel.sh" 6.1)
echo "demo: building minivirt.ko for $rel, vmrun, selftests"
ko=$("$th/build-module.sh" "$rel" "$out/module")
make -s -C "$root/tools/vmrun" O="$out"
make -s -C "$root/selftests" O="$root/build/selftests"
"$th/mkinitramfs.sh" --kernel "$rel" --ko "$ko" --vendor kvm_amd \
	--tests "$root/build/selftests" --suites "" --target svm \
	--plan "$th/demo-plan.sh" --extra "$out/vmrun" --extra "$out/hello.elf" \
	--extra "$out/hello16.bin" --out "$out/initrd.gz"

echo "demo: booting the emulated SVM host (QEMU TCG, single-threaded; ~15 s)"
"$th/boot-qemu.sh" --kernel "/boot/vmlinuz-$rel" --initrd "$out/initrd.gz" \
	--console "$out/console.log" --tap "$out/demo.log" --timeout 300
cat "$out/demo.log"
grep -q '^# testhost: done' "$out/demo.log"
