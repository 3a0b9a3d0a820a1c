#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# sanitizer-kernel.sh [OUTDIR]: builds the sanitizer kernel (issue 12), Linux
# 6.1 from Debian's linux-source-6.1 with x86_64_defconfig and
# sanitizer.config (KASAN, KFENCE, lockdep, DEBUG_ATOMIC_SLEEP, UBSAN,
# kmemleak; KVM as modules), in OUTDIR (default build/sanitizer-kernel):
#   OUTDIR/linux-source-6.1   the tree, built in place (a KDIR for modules)
#   OUTDIR/bzImage            the kernel the emulated host boots
#   OUTDIR/mods/lib/modules/REL  its modules (modprobe -d OUTDIR/mods)
#   OUTDIR/release            REL, written last: the build is complete
# One change to the sources: PROVE_RCU's boot-time self test of Tasks RCU
# no longer waits for a grace period (synchronize_rcu_tasks()) before the
# second CPU is up; it still queues its callback, which late_initcall checks
# (kernel/rcu/tasks.h). With the wait the kernel hung there under QEMU TCG
# with two CPUs, in 2 boots of 2 (the last line "Running RCU-tasks wait API
# self tests", nothing for 14 minutes, not even RCU's stall report).
# Reused as it is when OUTDIR/release exists and neither sanitizer.config nor
# this script has changed since; otherwise (re)built, incrementally. The build runs niced on
# two jobs (SANITIZER_JOBS): the machine is shared. Prints REL.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build/sanitizer-kernel}
src=/usr/src/linux-source-6.1.tar.xz
fragment=$here/sanitizer.config
sum=$(cat "$fragment" "$0" | sha256sum | cut -d' ' -f1)
tree=$out/linux-source-6.1

if [ -f "$out/release" ] && [ "$(cat "$out/config.sum" 2>/dev/null)" = "$sum" ]; then
	cat "$out/release"
	exit 0
fi
[ -f "$src" ] || { echo "sanitizer-kernel.sh: $src missing (make deps installs it)" >&2; exit 1; }
for tool in flex bison; do
	command -v "$tool" >/dev/null || { echo "sanitizer-kernel.sh: $tool missing (make deps)" >&2; exit 1; }
done
rm -f "$out/release"
mkdir -p "$out"
if [ ! -f "$tree/Makefile" ]; then
	echo "sanitizer-kernel.sh: extracting $src" >&2
	tar -C "$out" -xJf "$src"
fi

# The self test's wait (see above), the only synchronize_rcu_tasks() call of
# Linux 6.1's kernel/rcu/tasks.h.
selftest=$tree/kernel/rcu/tasks.h
if grep -q '^	synchronize_rcu_tasks();$' "$selftest"; then
	[ "$(grep -c '^	synchronize_rcu_tasks();$' "$selftest")" = 1 ] ||
		{ echo "sanitizer-kernel.sh: $selftest is not 6.1's" >&2; exit 1; }
	sed -i '/^	synchronize_rcu_tasks();$/d' "$selftest"
fi

kmake() { nice -n 19 make -C "$tree" -j"${SANITIZER_JOBS:-2}" "$@"; }
start=$(date +%s)
kmake -s x86_64_defconfig
(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null)
kmake -s olddefconfig
# Every line of the fragment must have survived olddefconfig (a missing
# dependency drops an option silently).
bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$tree/.config" || { echo "sanitizer-kernel.sh: $line not in .config" >&2; bad=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$tree/.config" || { echo "sanitizer-kernel.sh: $opt still set" >&2; bad=1; } ;;
	esac
done <"$fragment"
[ "$bad" = 0 ] || exit 1

echo "sanitizer-kernel.sh: building in $tree (nice 19, -j${SANITIZER_JOBS:-2})" >&2
kmake bzImage modules >"$out/build.log" 2>&1 || { tail -n 50 "$out/build.log" >&2; exit 1; }
rm -rf "$out/mods"
kmake -s INSTALL_MOD_PATH="$out/mods" modules_install >>"$out/build.log" 2>&1
cp "$tree/arch/x86/boot/bzImage" "$out/bzImage"
cp "$tree/.config" "$out/config"
echo "sanitizer-kernel.sh: built in $(( $(date +%s) - start )) s" | tee -a "$out/build.log" >&2
echo "$sum" >"$out/config.sum"
make -s -C "$tree" kernelrelease >"$out/release"
cat "$out/release"
