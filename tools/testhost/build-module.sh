#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# build-module.sh RELEASE|KDIR OUTDIR [make args...]: builds minivirt.ko for one
# kernel release (its Debian headers) or kernel tree (a path: kernel.sh
# SERIES kdir) in OUTDIR (a copy of the sources, so that builds for several
# kernels never share object files). Prints the path of the .ko. Any compiler
# or sparse warning fails the build: the log is kept in OUTDIR/build.log.
set -euo pipefail

rel=$1 out=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$rel" in
*/*) kdir=$rel ;;
*) kdir=/usr/src/linux-headers-$rel ;;
esac

mkdir -p "$out"
rm -rf "$out/kmod" "$out/uapi"
cp -r "$root/Kbuild" "$root/kmod" "$root/uapi" "$out/"
if ! make -C "$kdir" M="$out" "$@" modules >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	echo "build-module.sh: build for $rel failed" >&2
	exit 1
fi
# Kbuild's own notes are not warnings; anything else the compiler or sparse said is.
if grep -v -e 'Skipping BTF generation' -e '^make' -e '^  [A-Z]' "$out/build.log" |
   grep -q -i -e 'warning' -e 'error'; then
	cat "$out/build.log" >&2
	echo "build-module.sh: warnings building for $rel" >&2
	exit 1
fi
echo "$out/kmod/minivirt.ko"
