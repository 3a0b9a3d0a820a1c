#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# kvm-selftests.sh --dev PATH [--dir DIR] [--list FILE] [--cases FILE]
# The kvm_selftests suite: Linux's own KVM selftests of the host kernel's
# series (kvm-selftests-build.sh built them, static; DIR, default
# /kvm-selftests, holds them and "programs", their names in the Makefile's
# order) against one KVM-API device, inside the emulated host. Prints TAP
# (tools/testhost/README.md): one line per program.
# The programs open /dev/kvm by name: for another device (/dev/minivirt) the
# suite makes a /dev/kvm node with that device's numbers for its run and
# removes it after, so KVM must not be loaded meanwhile (qemu-suite.sh does
# the same).
# Each program runs under a time limit in a process group of its own, the
# group killed at the limit (a hang is a failure line, never a stuck host)
# and after the program ends, with the arguments the list file
# (default /tests/kvm-selftests.list) gives to fit the emulated host; exit
# status 0 is ok, 4 (KSFT_SKIP) a skip with the program's last line as the
# reason, anything else a failure. A program the list excludes is a skip
# line naming the reason; one the list marks todo fails as a TODO; the list
# can also reserve hugetlb pages for the program's run.
# --cases FILE (default /tests/kvm-selftests.cases, if present): a
# comma-separated list of program names, the only ones run (the others
# print nothing): run.sh writes it from $KVM_SELFTESTS_CASES.
# Diagnostics: "# kvm-selftests: NAME rc=RC SECONDS s" per program, and
# "# kvm-selftests: column=C took N s" for the suite.
# POSIX sh: runs under the emulated host's busybox.
dev='' dir=/kvm-selftests list=/tests/kvm-selftests.list cases=/tests/kvm-selftests.cases
while [ $# -gt 0 ]; do
	case "$1" in
	--dev) dev=$2 ;;
	--dir) dir=$2 ;;
	--list) list=$2 ;;
	--cases) cases=$2 ;;
	*) echo "usage: $0 --dev PATH [--dir DIR] [--list FILE] [--cases FILE]" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$dev" ] || { echo "usage: $0 --dev PATH [--dir DIR] [--list FILE] [--cases FILE]" >&2; exit 2; }

case "$dev" in
/dev/kvm) column=kvm ;;
*) column=minivirt ;;
esac
# The host kernel's series (6.1, 6.12) and the emulated host (svm, vmx):
# list lines can be qualified by either, or by the column.
series=$(uname -r | cut -d. -f1,2)
target=
# shellcheck disable=SC1091,SC2153 # plan.env: written by mkinitramfs.sh
[ -r /plan.env ] && target=$(. /plan.env && echo "$TARGET")
# Bochs (vmx) runs guests slower than QEMU TCG: every limit times 4.
scale=1
[ "$target" = vmx ] && scale=4
default_limit=120

tmp=$(mktemp -d) || exit 1
made_node=
kvm_here=
cleanup() {
	[ -n "$made_node" ] && rm -f /dev/kvm
	for mod in $kvm_here; do
		rmmod "$mod"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
uptime_now() {
	cut -d' ' -f1 /proc/uptime
}
suite_t0=$(uptime_now)
n=0
failed=0
echo "TAP version 13"

only=
[ -r "$cases" ] && only=",$(tr -d ' \n' <"$cases"),"
[ "$only" = ",," ] && only=

# Linux 6.12's programs read KVM's module parameters as they start
# (kvm_selftest_arch_init(): kvm's force_emulation_prefix) and skip, every
# one, without them. For another device kvm.ko stands in, loaded without
# its vendor module: it then makes no /dev/kvm and takes no hardware; of
# its parameters the programs read, force_emulation_prefix 0 holds for
# minivirt too; enable_pmu comes with CPUID checks; tdp_mmu and
# eager_page_split describe KVM's own MMU (the one program going by them,
# dirty_log_page_splitting_test, is excluded for minivirt in the list).
# Unloaded after the suite.
if [ "$column" != kvm ] && [ ! -d /sys/module/kvm ] && [ -r /plan.env ]; then
	# shellcheck disable=SC1091 # plan.env: written by mkinitramfs.sh
	for m in $(. /plan.env && echo "$KVM_MODULES"); do
		mod=$(basename "$m" .ko | tr - _)
		[ -d /sys/module/"$mod" ] && continue
		insmod /modules/"$m" || break
		kvm_here="$mod $kvm_here"
		[ "$mod" = kvm ] && break
	done
fi

# /dev/kvm for the programs: the device itself, or a node with its numbers.
node_problem=
if [ "$dev" != /dev/kvm ]; then
	nums=$(cat /sys/class/misc/"$(basename "$dev")"/dev 2>/dev/null)
	if [ -z "$nums" ]; then
		node_problem="no /sys/class/misc/$(basename "$dev")/dev"
	elif [ -e /dev/kvm ]; then
		node_problem="/dev/kvm exists already (is kvm loaded?)"
	elif mknod /dev/kvm c "${nums%%:*}" "${nums##*:}"; then
		made_node=1
	else
		node_problem="mknod /dev/kvm c ${nums%%:*} ${nums##*:} failed"
	fi
fi
echo "# kvm-selftests: column=$column series=$series target=$target" \
	"${kvm_here:+(loaded for its parameters: $kvm_here)}" \
	"/dev/kvm=$(stat -c '%t:%T' /dev/kvm 2>/dev/null)" \
	"programs=$(wc -l <"$dir/programs" 2>/dev/null)" \
	"host MemAvailable $(awk '/MemAvailable/ { print $2 }' /proc/meminfo) kB"

# lookup DIRECTIVE NAME: the rest of the last list line "DIRECTIVE NAME
# REST" whose qualifiers (DIRECTIVE@Q@Q...) all name this series, target or
# column; status 1 if there is none.
lookup() {
	awk -v d="$1" -v name="$2" -v ctx=" $series $target $column " '
		/^[ \t]*(#|$)/ { next }
		{
			nq = split($1, q, "@")
			if (q[1] != d || $2 != name)
				next
			for (i = 2; i <= nq; i++)
				if (index(ctx, " " q[i] " ") == 0)
					next
			rest = $0
			sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]*/, "", rest)
			found = 1
			val = rest
		}
		END { if (!found) exit 1; print val }
	' "$list"
}

# prefix TEXT: stdin's lines with TEXT before each, every one ended.
prefix() {
	awk -v p="$1" '{ print p $0 }'
}

# result NAME STATUS TEXT: one TAP line; STATUS ok, skip, fail or todo.
result() {
	n=$((n + 1))
	case "$2" in
	ok) echo "ok $n $1" ;;
	skip) echo "ok $n $1 # SKIP $3" ;;
	todo) echo "not ok $n $1 # TODO $3" ;;
	*) echo "not ok $n $1 # $3"; failed=1 ;;
	esac
}

# run_one NAME: the program under its limit; judges and prints its output.
run_one() {
	name=$1
	reason=$(lookup exclude "$name") && { result "$name" skip "excluded: $reason"; return; }
	if [ -n "$node_problem" ]; then
		result "$name" fail "$node_problem"
		return
	fi
	if [ ! -x "$dir/$name" ]; then
		result "$name" fail "no program $dir/$name"
		return
	fi
	limit=$(lookup limit "$name") || limit=$default_limit
	limit=$((limit * scale))
	args=$(lookup args "$name") || args=
	todo=$(lookup todo "$name") || todo=
	huge=$(lookup hugepages "$name") || huge=
	[ -z "$huge" ] || echo "$huge" >/proc/sys/vm/nr_hugepages
	echo "testhost: kvm_selftests $name ($column)" >/dev/console
	t0=$(uptime_now)
	# The program in a session (and process group) of its own: at its time
	# limit the whole group is killed, and after it ends whatever it left
	# behind too (forked children, hardware_disable_test's), so nothing
	# lingers into the next program or the other column.
	# shellcheck disable=SC2086 # args: the list's words, split on purpose
	(cd "$tmp" && exec setsid "$dir/$name" $args) </dev/null >"$tmp/out" 2>&1 &
	pid=$!
	(trap 'kill $s 2>/dev/null; exit 0' TERM
	 sleep "$limit" & s=$!
	 wait $s
	 kill -KILL -- -"$pid" 2>/dev/null) &
	watchdog=$!
	wait "$pid"
	rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	kill -KILL -- -"$pid" 2>/dev/null
	[ -z "$huge" ] || echo 0 >/proc/sys/vm/nr_hugepages
	secs=$(awk -v a="$t0" -v b="$(uptime_now)" 'BEGIN { printf "%.1f", b - a }')
	if [ "$rc" = 0 ]; then
		status=ok text=
	elif [ "$rc" = 4 ]; then
		status=skip text=$(grep -v '^[[:space:]]*$' "$tmp/out" | tail -n 1)
	else
		status=fail
		if [ "$rc" = 137 ] && awk -v s="$secs" -v l="$limit" 'BEGIN { exit !(s >= l) }'; then
			text="timed out after $limit s (killed)"
		else
			text="exit status $rc"
		fi
		[ -z "$todo" ] || { status=todo text="$todo ($text)"; }
	fi
	result "$name" "$status" "$text"
	[ "$status" = ok ] && [ -n "$todo" ] && echo "# kvm-selftests: $name passes: its todo can go"
	echo "# kvm-selftests: $name rc=$rc $secs s (limit $limit s)${args:+, args: $args}${huge:+, $huge hugepages}"
	lines=$(wc -l <"$tmp/out")
	keep=10
	[ "$status" = ok ] || keep=60
	[ "$lines" -le "$keep" ] || echo "#   ($((lines - keep)) lines before these omitted)"
	tail -n "$keep" "$tmp/out" | prefix "#   "
}

while read -r name; do
	[ -n "$name" ] || continue
	if [ -n "$only" ]; then
		case "$only" in
		*",$name,"*) ;;
		*) continue ;;
		esac
	fi
	run_one "$name"
done <"$dir/programs"
[ -r "$dir/programs" ] || result programs fail "no $dir/programs (kvm-selftests-build.sh's tree is missing)"

echo "# kvm-selftests: column=$column took $(awk -v a="$suite_t0" -v b="$(uptime_now)" \
	'BEGIN { printf "%.0f", b - a }') s"
echo "1..$n"
exit $failed
