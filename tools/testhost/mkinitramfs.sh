#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# mkinitramfs.sh --kernel REL --ko MINIVIRT.KO --vendor kvm_amd|kvm_intel
#                --tests DIR --suites "a b c" --target svm|vmx --out FILE
#                [--minivirt-suites "a b"] [--minivirt-params "p=v"]
#                [--kvm-params "p=v"] [--plan PLAN.sh] [--extra PROGRAM]...
#                [--tree DIR]... [--moddir DIR]
# Builds the emulated host's initramfs: static busybox, /init, the plan
# (default plan.sh), our module, Debian's KVM modules for REL in load order,
# the static selftests (and coexist), and any extra programs, all in /tests;
# each --tree DIR's contents go to the root as they are (qemu-tree.sh's,
# kvm-selftests-build.sh's). --moddir: the root REL's /lib/modules is
# under (default /; kernel.sh SERIES moddir).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rel= ko= vendor= tests= suites= target= out= plan=$here/plan.sh mv_suites=
mv_params= kvm_params= moddir=/
extras=() trees=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) rel=$2 ;;
	--ko) ko=$2 ;;
	--vendor) vendor=$2 ;;
	--tests) tests=$2 ;;
	--suites) suites=$2 ;;
	--minivirt-suites) mv_suites=$2 ;;
	--minivirt-params) mv_params=$2 ;;
	--kvm-params) kvm_params=$2 ;;
	--target) target=$2 ;;
	--out) out=$2 ;;
	--plan) plan=$2 ;;
	--extra) extras+=("$2") ;;
	--tree) trees+=("$2") ;;
	--moddir) moddir=$2 ;;
	*) echo "mkinitramfs.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
for v in rel ko vendor tests target out; do
	if [ -z "${!v}" ]; then
		echo "mkinitramfs.sh: --${v/rel/kernel} is required" >&2
		exit 2
	fi
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,modules,tests}

busybox=$(command -v busybox)
if ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "mkinitramfs.sh: $busybox is not static (install busybox-static)" >&2
	exit 1
fi
cp "$busybox" "$stage/bin/busybox"
install -m 755 "$here/init.sh" "$stage/init"
install -m 755 "$plan" "$stage/plan.sh"

# A module for the initramfs: decompressed, without .BTF (the first module
# with BTF makes the kernel parse all of vmlinux's BTF: seconds under Bochs).
add_module() {
	local src=$1 dst=$stage/modules/$(basename "${1%.xz}")
	case "$src" in
	*.xz) xz -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	objcopy --remove-section=.BTF "$dst"
	basename "$dst"
}

# Debian modules of REL with their dependencies, in load order.
add_with_deps() {
	local m list=
	for m in $(modprobe -d "$moddir" -S "$rel" --show-depends "$1" | awk '$1 == "insmod" { print $2 }'); do
		list="$list $(add_module "$m")"
	done
	echo "${list# }"
}

add_module "$ko" >/dev/null
kvm_modules=$(add_with_deps "$vendor")
# msr: per-CPU MSR reads (/dev/cpu/N/msr) for the hardware_state selftest.
host_modules=$(add_with_deps msr)

# Suites that are not selftests (vmrun's check script) come as --extra.
for s in $suites coexist; do
	[ -e "$tests/$s" ] && cp "$tests/$s" "$stage/tests/"
done
for e in "${extras[@]}"; do
	cp "$e" "$stage/tests/"
done

for t in "${trees[@]}"; do
	cp -a "$t/." "$stage/"
done

cat >"$stage/plan.env" <<ENV
TARGET='$target'
KVM_VENDOR='$vendor'
KVM_MODULES='$kvm_modules'
HOST_MODULES='$host_modules'
SUITES='$suites'
MINIVIRT_SUITES='${mv_suites:-$suites}'
MINIVIRT_PARAMS='$mv_params'
KVM_VENDOR_PARAMS='$kvm_params'
ENV

(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
