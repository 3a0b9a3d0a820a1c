/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Leak measurement for cycle tests (selftests/vm_lifecycle.c,
 * selftests/lifecycle_run.c), one method for all:
 *
 * - Each cycle runs in a fresh process, so a leaked VM also pins that
 *   process's mm and shows.
 * - What is measured is live slab objects, per cache (/proc/slabinfo), and
 *   the memory used outside the slab (MemTotal - MemFree - free pages on the
 *   per-CPU lists - Slab). Slab pages themselves are not compared: how many
 *   a cache keeps depends on fragmentation and per-CPU slabs, which is the
 *   noise that made a KiB tolerance on SUnreclaim flaky.
 * - Before each reading the kernel is settled: page cache and reclaimable
 *   slabs dropped (which also runs the kfree_rcu shrinker), two RCU grace
 *   periods waited for (membarrier), every slab cache shrunk (its per-CPU
 *   slabs flushed, so slabinfo's active count is exact), vmstat folded; each
 *   figure is the minimum of several such readings (pending frees only ever
 *   add).
 * - A leak scales with the cycle count; noise does not. A metric is suspect
 *   when it grows by half a unit (object of one cache, page outside the slab)
 *   per cycle; the test fails only if the same metric is suspect again over
 *   as many cycles more, measured from the end of the first round.
 */
#ifndef MINIVIRT_SELFTEST_MEMSTAT_H
#define MINIVIRT_SELFTEST_MEMSTAT_H

/* Runs fn(i) for i in [0, n) each in a new process; fails the test if one fails. */
void ms_cycles(int n, void (*fn)(int i));

/*
 * warmup cycles, a reading, then cycles more: passes if no metric grew by
 * cycles / 2 (objects of one slab cache, pages outside the slab); else a
 * second round of cycles decides: fails on a metric that grew by as much
 * again. Logs each round's largest changes (the measured noise). Skips when
 * /proc/slabinfo is not readable (not root).
 */
void ms_expect_no_leak(const char *what, void (*fn)(int i), int warmup,
		       int cycles);

#endif /* MINIVIRT_SELFTEST_MEMSTAT_H */
