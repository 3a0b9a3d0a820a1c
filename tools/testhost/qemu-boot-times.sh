#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# qemu-boot-times.sh TAP.LOG...: the qemu suite's Linux boot wall times
# ("# qemu-boot: COLUMN CASE SECONDS", qemu-suite.sh) as a table, one row per
# case and log (one per boot with qemu_suite.repeat=N: the k-th boot of each
# column side by side), with the minivirt/kvm ratio (goal <= 1.0). A boot that
# did not reach /init still has a time (its failure or timeout): the ratio is
# only shown when both boots passed ("ok" without a directive: the TAP line
# just before the qemu-boot line).
# Not a test: times under nested TCG vary several-fold with the machine's
# load (../../shared/TESTING.md); compare medians over several boots.
awk '
{ sub(/\r$/, "") }	# a serial tty'"'"'s CR LF
FNR == 1 { log_name = FILENAME }
/^# suite: qemu column=/ { col = substr($4, 8); next }
col != "" && /^(not )?ok [0-9]+ / {
	name = $0
	sub(/^(not )?ok [0-9]+ /, "", name)
	clean = (name !~ / #/ && $1 == "ok")
	next
}
/^# end-suite: qemu / { col = ""; next }
$1 == "#" && $2 == "qemu-boot:" {
	nb = ++boot[log_name, $3, $4]
	key = log_name SUBSEP $4 SUBSEP nb
	if (!(key in seen)) {
		seen[key] = 1
		rows[++n] = key
	}
	t[log_name, $3, $4, nb] = $5
	passed[log_name, $3, $4, nb] = clean && name == $4
}
END {
	printf "%-40s %-26s %10s %10s %7s\n", "log", "case", "minivirt s", "kvm s", "ratio"
	for (i = 1; i <= n; i++) {
		split(rows[i], k, SUBSEP)
		m = t[k[1], "minivirt", k[2], k[3]]
		v = t[k[1], "kvm", k[2], k[3]]
		r = "-"
		if (passed[k[1], "minivirt", k[2], k[3]] && passed[k[1], "kvm", k[2], k[3]] && v > 0)
			r = sprintf("%.2f", m / v)
		printf "%-40s %-26s %10s %10s %7s\n", k[1], k[2], m == "" ? "-" : m, v == "" ? "-" : v, r
	}
}' "$@"
