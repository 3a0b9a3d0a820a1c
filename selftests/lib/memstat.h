/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Leak measurement for cycle tests, as selftests/vm_lifecycle.c measures:
 * each cycle runs in a fresh process (so a leaked VM also pins that process's
 * mm and shows), memory is compared after a warm-up, with free pages parked
 * on the per-CPU lists counted as free, RCU-deferred frees given time, and
 * the comparison retried while the kernel settles.
 */
#ifndef MINIVIRT_SELFTEST_MEMSTAT_H
#define MINIVIRT_SELFTEST_MEMSTAT_H

/* Runs fn(i) for i in [0, n) each in a new process; fails the test if one fails. */
void ms_cycles(int n, void (*fn)(int i));

/*
 * warmup cycles, a baseline, cycles more, then: used memory (MemTotal -
 * MemFree - per-CPU free pages) and SUnreclaim may have grown by at most the
 * tolerances (KiB). Logs the growth of the main /proc/meminfo fields.
 */
void ms_expect_no_leak(const char *what, void (*fn)(int i), int warmup,
		       int cycles, long used_tolerance_kb,
		       long slab_tolerance_kb);

#endif /* MINIVIRT_SELFTEST_MEMSTAT_H */
