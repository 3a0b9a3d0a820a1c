# SPDX-License-Identifier: GPL-2.0-only
# results.awk: the emulated host's bench stream (tools/testhost/bench-plan.sh)
# as a Markdown table per compared pair of columns.
#   awk -v title="svm host ..." -v targets="NAME:RATIO ..." -f results.awk bench.log
# Generic on purpose: columns, pairs and benchmarks are whatever the stream
# names, in the order it names them, so more MMU modes (columns), hosts (one
# run of this script each) or benchmarks (rows) need no change here.
# A benchmark without a target is reported with target "-". A target
# COLUMN/NAME:RATIO holds only in the tables of pairs led by COLUMN, and
# there before a plain NAME:RATIO.

function num(s) { return s ~ /^[0-9]+(\.[0-9]+)?$/ }

# The median reported for (col, b); "" when none (without creating one).
function get(col, b) { return ((col, b) in med) ? med[col, b] : "" }

function cell(col, b) {
	if (get(col, b) == "")
		return "-"
	if (get(col, b) == "FAIL")
		return "**FAIL**"
	return sprintf("%d (%d-%d)", med[col, b], lo[col, b], hi[col, b])
}

BEGIN {
	n = split(targets, t, " ")
	for (i = 1; i <= n; i++) {
		split(t[i], kv, ":")
		target[kv[1]] = kv[2]
	}
}

{ sub(/\r$/, "") }	# a serial tty's CR LF

$1 == "#" && $2 == "testhost:" && $3 == "done" { done = 1; next }
$1 == "#" && $2 == "testhost:" { for (i = 3; i <= NF; i++) hostinfo = hostinfo " " $i; next }
$1 == "#" && $2 == "bench-host:" { sub(/^# bench-host: /, ""); hostnotes[++nhost] = $0; next }

$1 == "#" && $2 == "bench-column:" {
	col = $3
	if (!(col in coldesc))
		cols[++ncols] = col
	d = $0
	sub(/^# bench-column: +[^ ]+ +/, "", d)
	coldesc[col] = d
	next
}

$1 == "#" && $2 == "bench:" && NF >= 5 {
	col = $3; b = $4
	if (!(b in seen)) {
		seen[b] = 1
		benches[++nbench] = b
	}
	med[col, b] = $5
	lo[col, b] = $6
	hi[col, b] = $7
	next
}

$1 == "#" && $2 == "bench-error:" {
	e = $0
	sub(/^# bench-error: +/, "", e)
	errors[++nerr] = e
	next
}

$1 == "#" && $2 == "bench-pair:" { pairs[++npairs] = $3 " " $4; next }

END {
	printf "## %s\n\n", title
	if (hostinfo != "")
		printf "-%s\n", hostinfo
	for (i = 1; i <= nhost; i++)
		printf "- %s\n", hostnotes[i]
	printf "\nColumns:\n"
	for (i = 1; i <= ncols; i++)
		printf "- `%s`: %s\n", cols[i], coldesc[cols[i]]
	printf "\nns per operation (first_touch_16k: per page; lapic_timer_irq: from the timer's expiry to its handler): median of the repetitions (min-max).\n"

	for (p = 1; p <= npairs; p++) {
		split(pairs[p], pc, " ")
		a = pc[1]; r = pc[2]
		if (npairs > 1)
			printf "\n### %s vs %s\n", a, r
		printf "\n| benchmark | %s ns/op | %s ns/op | ratio (%s/%s) | target | met? |\n", a, r, a, r
		printf "| --- | ---: | ---: | ---: | ---: | --- |\n"
		for (i = 1; i <= nbench; i++) {
			b = benches[i]
			if (get(a, b) == "" && get(r, b) == "")
				continue	# measured in other columns only
			ratio = "-"
			met = "-"
			tg = ((a "/" b) in target) ? target[a "/" b] : (b in target) ? target[b] : ""
			if (num(get(a, b)) && num(get(r, b)) && get(r, b) > 0) {
				q = get(a, b) / get(r, b)
				ratio = sprintf("%.2f", q)
				if (tg != "")
					met = (ratio + 0 <= tg + 0) ? "yes" : "**no**"
			} else if (get(a, b) == "FAIL" || get(r, b) == "FAIL") {
				met = "**FAIL**"
			}
			printf "| %s | %s | %s | %s | %s | %s |\n", b, cell(a, b), cell(r, b),
			       ratio, (tg != "") ? "<= " tg "x" : "-", met
		}
	}
	if (nerr) {
		printf "\nFailures:\n"
		for (i = 1; i <= nerr; i++)
			printf "- %s\n", errors[i]
	}
	if (!done)
		printf "\n**The emulated host did not finish** (no `# testhost: done`: it died, or the watchdog fired).\n"
}
