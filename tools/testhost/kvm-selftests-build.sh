#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kvm-selftests-build.sh --kernel 6.1|6.12 [--build DIR]
# Builds Linux's own KVM selftests (tools/testing/selftests/kvm, every
# x86_64 program) statically from Debian's linux-source-SERIES package
# (/usr/src/linux-source-SERIES.tar.xz), for the kvm_selftests suite
# (kvm-selftests.sh). Prints the tree to put at the initramfs' root
# (mkinitramfs.sh --tree): DIR/SERIES/tree, holding /kvm-selftests/ with the
# stripped programs (x86_64/NAME and NAME, as the Makefile names them; its
# TEST_PROGS scripts too) and /kvm-selftests/programs, their names in the
# Makefile's order.
# Only what the build needs is extracted, into DIR/SERIES/src (removed after
# a good build): the top Makefile, scripts/, include/uapi/, arch/x86/ (for
# `make headers_install`) and tools/. Nothing is copied into the repository.
# The result is cached: DIR/SERIES/key names the tarball (path, size, mtime),
# this script, the compat header and the compiler; a matching key skips the
# build, so make check builds each series once. DIR defaults to build/kvm-selftests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
series= dir=$root/build/kvm-selftests
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) series=$2 ;;
	--build) dir=$2 ;;
	*) echo "kvm-selftests-build.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$series" ] || { echo "usage: $0 --kernel 6.1|6.12 [--build DIR]" >&2; exit 2; }
tarball=/usr/src/linux-source-$series.tar.xz
if [ ! -r "$tarball" ]; then
	echo "kvm-selftests-build.sh: no $tarball (apt-get install linux-source-$series)" >&2
	exit 1
fi
# The kernel's headers_install copies with rsync.
if ! command -v rsync >/dev/null; then
	echo "kvm-selftests-build.sh: no rsync, which make headers_install needs (apt-get install rsync)" >&2
	exit 1
fi
compat=$here/kvm-selftests-compat.h
out=$dir/$series
mkdir -p "$out"

# One build per series at a time (make check's two lanes may both ask).
exec 9>"$out/lock"
flock 9

key=$({
	stat -L -c '%n %s %Y' "$tarball"
	sha256sum "$0" "$compat" | cut -d' ' -f1
	gcc --version | head -n 1
} | sha256sum | cut -d' ' -f1)
if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] &&
	[ -s "$out/tree/kvm-selftests/programs" ]; then
	echo "$out/tree"
	exit 0
fi

rm -rf "$out/src" "$out/obj" "$out/tree" "$out/key"
start=$(date +%s)
top=linux-source-$series
mkdir -p "$out/src"
echo "kvm-selftests-build.sh: extracting $tarball (Makefile scripts include/uapi arch/x86 tools)" >&2
tar -xJf "$tarball" -C "$out/src" --wildcards "$top/Makefile" "$top/scripts/*" \
	"$top/include/uapi/*" "$top/arch/x86/*" "$top/tools/*"
src=$out/src/$top
kvm=$src/tools/testing/selftests/kvm

# The uapi headers the selftests include from usr/include (their Makefile's
# LINUX_HDR_PATH): the tree's own, not the build machine's.
make -s -C "$src" headers_install INSTALL_HDR_PATH="$src/usr" >&2

# Static: the emulated host's initramfs has no libc. EXTRA_CFLAGS reaches
# the link line too (lib.mk's LINK.c). The compat header only for a tree
# whose test_util.h lacks TEST_ASSERT_EQ: 6.1.192's, which two stable
# backports broke (kvm-selftests-compat.h says how).
cflags=-static
grep -q 'define TEST_ASSERT_EQ' "$kvm/include/test_util.h" || cflags="$cflags -include $compat"
make -s -j"$(nproc)" -C "$kvm" EXTRA_CFLAGS="$cflags" OUTPUT="$out/obj" >&2

# The program list, in the Makefile's order: TEST_GEN_PROGS (lib.mk
# prefixed them with OUTPUT/), then TEST_PROGS (scripts, from the source).
lists=$(make -s -C "$kvm" OUTPUT="$out/obj" --eval \
	'kvm-selftests-programs: ; @echo $(TEST_GEN_PROGS); echo $(TEST_PROGS)' \
	kvm-selftests-programs)
mkdir -p "$out/tree/kvm-selftests/x86_64"
: >"$out/tree/kvm-selftests/programs.new"
for p in $(echo "$lists" | sed -n 1p); do
	name=${p#"$out/obj/"}
	strip --strip-all -o "$out/tree/kvm-selftests/$name" "$p"
	echo "$name" >>"$out/tree/kvm-selftests/programs.new"
done
for name in $(echo "$lists" | sed -n 2p); do
	install -m 755 "$kvm/$name" "$out/tree/kvm-selftests/$name"
	echo "$name" >>"$out/tree/kvm-selftests/programs.new"
done
mv "$out/tree/kvm-selftests/programs.new" "$out/tree/kvm-selftests/programs"
rm -rf "$out/src" "$out/obj"
echo "$key" >"$out/key"
echo "kvm-selftests-build.sh: $series: $(wc -l <"$out/tree/kvm-selftests/programs") programs," \
	"$(du -sm "$out/tree" | cut -f1) MB, built in $(( $(date +%s) - start )) s" >&2
echo "$out/tree"
