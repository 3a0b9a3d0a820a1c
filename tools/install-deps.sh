#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# install-deps.sh: installs, with apt-get, the Debian 12 packages that building
# and testing minivirt need, if any is missing. Needs root (or sudo) only when
# something is missing. The kernels are Debian's own: the 6.1 series
# (linux-image-amd64) and the newest 6.12 (linux-image-6.12-amd64), with headers,
# and their sources (linux-source-*: the kvm_selftests suite builds Linux's KVM
# selftests from them at test time; their headers_install needs rsync), and
# what building a kernel from linux-source-6.1 needs (make sanitizer-kernel).
set -euo pipefail

packages=(
	build-essential pkg-config check sparse kmod file binutils
	cpio xz-utils zstd busybox-static
	qemu-system-x86
	bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools
	dkms
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-source-6.1 linux-source-6.12 rsync
	flex bison bc libelf-dev
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps.sh: installing ${missing[*]}" >&2
sudo=
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "install-deps.sh: need root to install: ${missing[*]}" >&2
		exit 1
	fi
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
