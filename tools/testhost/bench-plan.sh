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
# A COLUMN names a device and its mode, not just a path: a shadow-paging
# minivirt VM or kvm_amd npt=0 (both on the same device nodes) become more
# columns, each with the pair it is measured against.
. /plan.env

mark() {
	echo "testhost: $*" >/dev/console
}

# run_column COLUMN DEVICE DESCRIPTION...: kvmbench's lines, live, in the
# stream's form; everything else it says is kept as "#   " diagnostics.
run_column() {
	col=$1 dev=$2
	shift 2
	echo "# bench-column: $col dev=$dev $*"
	mark "bench $col on $dev"
	{ /tests/kvmbench --dev "$dev"; echo "rc $?"; } 2>&1 | awk -v col="$col" '
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

load_kvm() {	# load_kvm [kvm-amd/kvm-intel parameters]
	for m in $KVM_MODULES; do
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

# minivirt: nested paging (its only mode today).
if insmod /modules/minivirt.ko; then
	run_column minivirt /dev/minivirt "minivirt.ko, nested paging"
	rmmod minivirt || echo "# bench-host: rmmod minivirt failed"
else
	column_failed minivirt /dev/minivirt "insmod minivirt.ko failed"
fi

# Debian's KVM, the yardstick: nested paging too.
if load_kvm npt=1; then
	run_column kvm /dev/kvm "$KVM_VENDOR npt=$(cat /sys/module/"$KVM_VENDOR"/parameters/npt 2>/dev/null)"
	rmmod "$KVM_VENDOR" kvm || echo "# bench-host: rmmod $KVM_VENDOR kvm failed"
else
	column_failed kvm /dev/kvm "loading $KVM_MODULES failed"
fi

echo "# bench-pair: minivirt kvm"
mark "plan done"
echo "# testhost: done"
