#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# dkms-build.sh RELEASE DIR: proves dkms.conf by building minivirt with dkms
# for one kernel release, in a private dkms tree under DIR (the system's
# /usr/src and /var/lib/dkms are left alone). `make dkms-install` is the real
# install on a host.
set -euo pipefail

rel=$1 dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
src=$dir/src/minivirt-$version

rm -rf "$dir"
mkdir -p "$src" "$dir/tree"
cp -r "$root/dkms.conf" "$root/Kbuild" "$root/kmod" "$root/uapi" "$src/"
dkms --dkmstree "$dir/tree" --sourcetree "$dir/src" add -m minivirt -v "$version"
dkms --dkmstree "$dir/tree" --sourcetree "$dir/src" build -m minivirt -v "$version" -k "$rel"
ls "$dir/tree/minivirt/$version/$rel/x86_64/module/minivirt.ko"*
