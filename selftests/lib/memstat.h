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
 *   periods waited for (membarrier) and their callbacks given 100 ms, every
 *   slab cache shrunk (its per-CPU slabs flushed, so slabinfo's active count
 *   is exact), vmstat folded. Readings are repeated until one lowers no
 *   cache's count (3 to 8); each figure is the minimum (pending frees only
 *   ever add).
 * - vmap_area is not compared: its count follows the forks (lazily purged
 *   vmalloc'd stacks); a leaked vmalloc area holds pages, which are.
 * - A leak scales with the cycle count; noise does not. A metric is suspect
 *   when it grows by half a unit (object of one cache, page outside the slab)
 *   per cycle; the test fails only if the same metric is suspect again over
 *   as many cycles more, measured from the end of the first round. With a
 *   noise range R in one metric, a false failure needs R >= cycles (two rises
 *   of cycles / 2 in a row), and a leak of one object or page per cycle is
 *   caught while R <= cycles / 2.
 * - Measured (svm hosts, Debian 6.1 and 6.12, nested and shadow paging, nine
 *   boots; 1000 cycles, and 400 closing the vCPU fd last): the largest rise
 *   of one cache was +170 objects (lsm_file_cache, once per boot on 6.1, in
 *   either column; +103 lsm_inode_cache in a 400-cycle run); drops reach -276
 *   (kmalloc-8 just after a module load). Outside the slab: -36..+80 KiB, both columns.
 *   A planted leak of 64 bytes per VM and a page per vCPU measured
 *   kmalloc-cg-64 +1000 objects and +4036..4056 KiB outside the slab in each
 *   round of 1000 (SUnreclaim, the old measure: +152 KiB, under its 256).
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

/*
 * One long run instead of cycles (selftests/ioctl_fuzz.c): ms_mark() takes
 * the settled reading before it, ms_expect_below() the one after, and fails
 * the test if a slab cache grew by objs objects or more, or the memory
 * outside the slab by kb KiB or more (limits the caller measured as well
 * above its noise); it logs the largest changes.
 */
void ms_mark(void);
void ms_expect_below(const char *what, long objs, long kb);

/*
 * The settled kernel's Slab and MemAvailable in KiB, both without the slabs
 * of vmap_area (freed lazily), MemAvailable with the free pages on the
 * per-CPU lists (which it does not count): the smallest Slab and the largest
 * MemAvailable of a few readings (pending frees only lower the one and raise
 * the other). For soaks that compare totals (selftests/soak.c).
 */
void ms_meminfo(long *slab_kb, long *avail_kb);

#endif /* MINIVIRT_SELFTEST_MEMSTAT_H */
