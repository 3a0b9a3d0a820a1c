# SPDX-License-Identifier: GPL-2.0-only
# boots.awk: the qemu suite's Linux boot times in a run.sh tap.log (lines
# "# qemu-boot: COLUMN CASE SECONDS", tools/testhost/qemu-suite.sh run with
# qemu_suite.repeat=N) as a Markdown table: per case, each column's median
# wall time (min-max) and the ratio minivirt/kvm against a target.
#   awk -v title="..." -v cases=a,b -v boots=N -v target=1.0 -f boots.awk tap.log
# A boot counts only when its own TAP line (the one just before its
# qemu-boot line) is a plain "ok": a failed, timed-out or TODO boot gives no
# number and is listed. Then, or when a column has fewer than N boots or
# the host did not finish, the row has no ratio and the exit status is 1.

function cell(col, c,    m) {
	m = nok[col, c] + 0
	if (m == 0)
		return "**FAIL**"
	return sprintf("%.2f (%.2f-%.2f)%s", median(col, c), t[col, c, 1], t[col, c, m],
		       m < boots ? sprintf(", %d of %d boots", m, boots) : "")
}

# The median of (col, c)'s times, which sort() keeps in order.
function median(col, c,    m) {
	m = nok[col, c]
	return m % 2 ? t[col, c, (m + 1) / 2] : (t[col, c, m / 2] + t[col, c, m / 2 + 1]) / 2
}

# sorted insert of v into (col, c)'s times
function add(col, c, v,    i) {
	i = ++nok[col, c]
	while (i > 1 && t[col, c, i - 1] + 0 > v + 0) {
		t[col, c, i] = t[col, c, i - 1]
		i--
	}
	t[col, c, i] = v
}

BEGIN {
	ncases = split(cases, order, ",")
	for (i = 1; i <= ncases; i++)
		listed[order[i]] = 1
}

{ sub(/\r$/, "") }	# a serial tty's CR LF

$1 == "#" && $2 == "testhost:" && $3 == "done" { done = 1; next }
$1 == "#" && $2 == "testhost:" { hostinfo = substr($0, 13); next }
$1 == "#" && $2 == "suite:" { suite = $3; next }
$1 == "#" && $2 == "end-suite:" { suite = ""; next }
suite == "qemu" && /^(not )?ok [0-9]+ / { tap = $0; next }

$1 == "#" && $2 == "qemu-boot:" && NF == 5 {
	col = $3; c = $4
	if (!(c in listed)) {
		listed[c] = 1
		order[++ncases] = c
	}
	tried[col, c]++
	name = tap
	sub(/^(not )?ok [0-9]+ /, "", name)
	if (tap ~ /^ok / && name == c)
		add(col, c, $5)
	else
		failures[++nfail] = sprintf("%s %s boot %d: `%s` (%s s)", col, c,
					    tried[col, c], tap, $5)
	tap = ""
}

END {
	printf "## %s\n\n", title
	if (hostinfo != "")
		printf "- %s\n", hostinfo
	printf "- wall time in the host from QEMU's start to its exit after the L2 /init powered off;\n"
	printf "  boots per column: %d, minivirt's then kvm_amd's (one loaded at a time)\n", boots
	printf "\n| case | minivirt median s (min-max) | kvm median s (min-max) | ratio (minivirt/kvm) | target | met? |\n"
	printf "| --- | ---: | ---: | ---: | ---: | --- |\n"
	bad = nfail > 0 || !done
	for (i = 1; i <= ncases; i++) {
		c = order[i]
		ratio = "-"
		met = "**FAIL**"
		if (nok["minivirt", c] == boots && nok["kvm", c] == boots && median("kvm", c) > 0) {
			ratio = sprintf("%.2f", median("minivirt", c) / median("kvm", c))
			met = (ratio + 0 <= target + 0) ? "yes" : "**no**"
		} else {
			bad = 1
		}
		printf "| %s | %s | %s | %s | <= %sx | %s |\n", c, cell("minivirt", c), cell("kvm", c),
		       ratio, target, met
	}
	if (nfail) {
		printf "\nBoots that failed (no number):\n"
		for (i = 1; i <= nfail; i++)
			printf "- %s\n", failures[i]
	}
	if (!done)
		printf "\n**The emulated host did not finish** (no `# testhost: done`: it died, or the watchdog fired).\n"
	exit bad
}
