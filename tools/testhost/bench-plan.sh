#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The in-host plan of `make bench` (tools/bench.sh): kvmbench against minivirt,
# then against Debian's KVM, one hypervisor loaded at a time. Output on stdout
# (ttyS1), one line per result, parsed by tools/bench.sh:
#   # bench-column: COLUMN dev=DEVICE DESCRIPTION...   a device in one mode
#   # bench: COLUMN NAME MEDIAN_NS MIN_NS MAX_NS        or: ... NAME FAIL
#   # bench-error: COLUMN NAME REASON...                why NAME failed there
#   # bench-end: COLUMN rc=N                            kvmbench's exit status
#   # bench-pair: COLUMN REFERENCE                      compare these two
#   # testhost: done
# A COLUMN names a device and its modes, not just a path: `minivirt` and
# `kvm` run the default flat32 guest; other guest modes (kernel command line
# minivirt_bench.modes=flat32,long64) add `minivirt-long64` and `kvm-long64`.
# Shadow paging adds `minivirt-shadow` (minivirt.ko tdp=0) and `kvm-npt0`
# (kvm_amd npt=0; kvm-ept0 on Intel), both in long64, paired.
. /plan.env

modes=flat32
for w in $(cat /proc/cmdline); do
	case "$w" in
	minivirt_bench.modes=*) modes=$(echo "${w#*=}" | tr , ' ') ;;
	esac
done

# The column of a hypervisor in a guest mode: the plain name for flat32.
column() {
	if [ "$2" = flat32 ]; then echo "$1"; else echo "$1-$2"; fi
}

mark() {
	echo "testhost: $*" >/dev/console
}

# run_column COLUMN DEVICE MODE DESCRIPTION...: kvmbench's lines, live, in
# the stream's form; everything else it says is kept as "#   " diagnostics.
run_column() {
	col=$1 dev=$2 mode=$3
	shift 3
	echo "# bench-column: $col dev=$dev guest=$mode $*"
	mark "bench $col on $dev"
	{ /tests/kvmbench --dev "$dev" --mode "$mode"; echo "rc $?"; } 2>&1 | awk -v col="$col" '
		$1 == "bench" && $3 == "FAIL" {
			why = $0
			sub(/^bench +[^ ]+ +FAIL +/, "", why)
			print "# bench: " col " " $2 " FAIL"
			print "# bench-error: " col " " $2 " " why
			fflush()
			next
		}
		$1 == "bench" {
			print "# bench: " col " " $2 " " $3 " " $4 " " $5
			print "#   " $0
			fflush()
			next
		}
		$1 == "rc" && NF == 2 { print "# bench-end: " col " rc=" $2; next }
		{ print "#   " $0; fflush() }'
}

# A column whose hypervisor did not load: every benchmark fails, with why.
column_failed() {
	echo "# bench-column: $1 dev=$2 (not loaded)"
	echo "# bench-error: $1 - $3"
	echo "# bench-end: $1 rc=2"
}

load_kvm() {	# load_kvm [kvm-amd/kvm-intel parameters]; skips what is loaded
	for m in $KVM_MODULES; do
		[ -d /sys/module/"$(basename "$m" .ko | tr - _)" ] && continue
		case "$(basename "$m" .ko | tr - _)" in
		"$KVM_VENDOR") insmod /modules/"$m" "$@" || return 1 ;;
		*) insmod /modules/"$m" || return 1 ;;
		esac
	done
}

echo "# testhost: target=$TARGET kernel=$(uname -r)"
flags=
for f in svm npt nrip_save decodeassists vgif vmx ept vpid; do
	grep -q -w "$f" /proc/cpuinfo && flags="$flags $f"
done
echo "# bench-host: cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
     "$(grep -c ^processor /proc/cpuinfo) CPUs, virtualization flags:$flags"

# minivirt: nested paging (the default, tdp=1), every guest mode.
if insmod /modules/minivirt.ko; then
	for m in $modes; do
		run_column "$(column minivirt "$m")" /dev/minivirt "$m" "minivirt.ko, nested paging"
	done
	rmmod minivirt || echo "# bench-host: rmmod minivirt failed"
else
	for m in $modes; do
		column_failed "$(column minivirt "$m")" /dev/minivirt "insmod minivirt.ko failed"
	done
fi

# Debian's KVM, the yardstick: nested paging too (npt=0/ept=0, KVM's shadow
# MMU, is a column of its own below, after a reload).
case "$KVM_VENDOR" in
kvm_intel) tdp=ept ;;
*) tdp=npt ;;
esac
if load_kvm "$tdp=1"; then
	tdp_now=$(cat /sys/module/"$KVM_VENDOR"/parameters/"$tdp" 2>/dev/null)
	for m in $modes; do
		run_column "$(column kvm "$m")" /dev/kvm "$m" "$KVM_VENDOR $tdp=$tdp_now"
	done
	rmmod "$KVM_VENDOR" kvm || echo "# bench-host: rmmod $KVM_VENDOR kvm failed"
else
	for m in $modes; do
		column_failed "$(column kvm "$m")" /dev/kvm "loading $KVM_MODULES failed"
	done
fi

# Shadow paging: minivirt loaded with tdp=0 against KVM's shadow MMU
# (npt=0/ept=0), in one guest mode with guest page tables (long64), so that
# first_touch_16k faults through the guest's tables too.
if insmod /modules/minivirt.ko tdp=0; then
	run_column minivirt-shadow /dev/minivirt long64 \
		"minivirt.ko tdp=$(cat /sys/module/minivirt/parameters/tdp 2>/dev/null), shadow paging"
	rmmod minivirt || echo "# bench-host: rmmod minivirt failed"
else
	column_failed minivirt-shadow /dev/minivirt "insmod minivirt.ko tdp=0 failed"
fi
if load_kvm "$tdp=0"; then
	run_column "kvm-${tdp}0" /dev/kvm long64 \
		"$KVM_VENDOR $tdp=$(cat /sys/module/"$KVM_VENDOR"/parameters/"$tdp" 2>/dev/null), shadow paging"
	rmmod "$KVM_VENDOR" kvm || echo "# bench-host: rmmod $KVM_VENDOR kvm failed"
else
	column_failed "kvm-${tdp}0" /dev/kvm "loading $KVM_MODULES $tdp=0 failed"
fi

for m in $modes; do
	echo "# bench-pair: $(column minivirt "$m") $(column kvm "$m")"
done
echo "# bench-pair: minivirt-shadow kvm-${tdp}0"
mark "plan done"
echo "# testhost: done"
