// SPDX-License-Identifier: GPL-2.0-only
/* Leak measurement for cycle tests. See memstat.h. */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/membarrier.h>

#include "harness.h"
#include "kvm_util.h"
#include "memstat.h"

#define MS_MAX_CACHES	1024
#define MS_MIN_READINGS	3	/* per measurement; each figure is their minimum */
#define MS_MAX_READINGS	8	/* until one lowers no cache's count */
#define MS_RCU_WAIT_MS	100	/* for the callbacks of the grace periods waited for */
#define MS_ROUNDS	2	/* a metric must be suspect in each */
#define MS_SHOWN	6	/* largest changes logged per round */

struct ms_cache {
	char name[64];
	long objs;		/* active objects */
	long size;		/* object size, bytes */
};

struct ms_snap {
	int n;
	struct ms_cache c[MS_MAX_CACHES];
	long other_kb;		/* used outside the slab */
	long sunreclaim_kb;	/* the old measure, logged for comparison */
};

/* Static, and touched before the first reading: the test's own pages stay put. */
static struct ms_snap ms_base, ms_now, ms_tmp;

static void write_proc(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

/*
 * kmem_cache_shrink() on every cache (mm/slub.c, the sysfs "shrink"
 * attribute): flushes the per-CPU slabs, so that slabinfo's free count
 * covers every free object, and frees the empty slabs. Aliases (merged
 * caches) are symlinks to their cache: skipped.
 */
static void shrink_slabs(void)
{
	char path[512];
	struct dirent *d;
	struct stat st;
	DIR *dir;

	dir = opendir("/sys/kernel/slab");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s", d->d_name);
		if (lstat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		strncat(path, "/shrink", sizeof(path) - strlen(path) - 1);
		write_proc(path, "1");
	}
	closedir(dir);
}

/*
 * Let the kernel finish freeing what it has been handed: drop the page cache
 * and reclaimable slabs (drop_slab() also runs the kfree_rcu and THP
 * shrinkers), wait for RCU (MEMBARRIER_CMD_GLOBAL is synchronize_rcu() on
 * SMP, kernel/sched/membarrier.c; twice, for callbacks queued during the
 * first), flush the per-CPU slabs, fold the per-CPU vmstat counters.
 */
static void settle(void)
{
	int i;

	sync();
	write_proc("/proc/sys/vm/drop_caches", "3");
	for (i = 0; i < 2; i++)
		syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	usleep(MS_RCU_WAIT_MS * 1000);
	shrink_slabs();
	write_proc("/proc/sys/vm/stat_refresh", "1");
}

/*
 * Free pages parked on the per-CPU page lists: MemFree does not count them,
 * and freeing a VM's memory fills them.
 */
static long pcp_free_kb(void)
{
	long pages = 0, n;
	char line[256];
	FILE *f;

	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * One reading of /proc/slabinfo (SLUB: active = all - free on node partial
 * lists, exact once the per-CPU slabs are flushed). Not vmap_area: vfree()
 * frees the pages at once but the area's bookkeeping lazily, in batches past
 * lazy_max_pages, and 6.12 keeps freed areas in per-node pools
 * (mm/vmalloc.c), so its count follows the forks (each frees a vmalloc'd
 * stack): +650..1270 objects over 1000 cycles in the emulated hosts, and
 * -200..+370 under kvm_amd, whose own vmallocs bring the purges sooner. A
 * leaked vmalloc area holds at least a page, which shows outside the slab.
 */
static bool read_slabinfo(struct ms_snap *s)
{
	char line[512];
	FILE *f;

	s->n = 0;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f) && s->n < MS_MAX_CACHES) {
		struct ms_cache *c = &s->c[s->n];
		long all;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8) ||
		    !strncmp(line, "vmap_area ", 10))
			continue;
		if (sscanf(line, "%63s %ld %ld %ld", c->name, &c->objs, &all,
			   &c->size) == 4)
			s->n++;
	}
	fclose(f);
	return s->n > 0;
}

static void read_snap(struct ms_snap *s)
{
	settle();
	if (!read_slabinfo(s)) {
		TH_FAIL("/proc/slabinfo unreadable");
		exit(TH_EXIT_FAIL);
	}
	s->other_kb = th_meminfo_kb("MemTotal") - th_meminfo_kb("MemFree") -
		      pcp_free_kb() - th_meminfo_kb("Slab");
	s->sunreclaim_kb = th_meminfo_kb("SUnreclaim");
}

static const struct ms_cache *find(const struct ms_snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return &s->c[i];
	return NULL;
}

static long objs_of(const struct ms_snap *s, const char *name)
{
	const struct ms_cache *c = find(s, name);

	return c ? c->objs : 0;
}

/*
 * Readings until one lowers no cache's count (MS_MIN_READINGS at least);
 * each figure is the minimum (a cache absent once counts 0). Returns how
 * many readings it took.
 */
static int measure(struct ms_snap *s)
{
	bool lowered = true;
	int i, j;

	read_snap(s);
	for (i = 1; i < MS_MAX_READINGS; i++) {
		if (!lowered && i >= MS_MIN_READINGS)
			break;
		read_snap(&ms_tmp);
		lowered = false;
		for (j = 0; j < s->n; j++) {
			long o = objs_of(&ms_tmp, s->c[j].name);

			if (o < s->c[j].objs) {
				s->c[j].objs = o;
				lowered = true;
			}
		}
		if (ms_tmp.other_kb < s->other_kb)
			s->other_kb = ms_tmp.other_kb;
		if (ms_tmp.sunreclaim_kb < s->sunreclaim_kb)
			s->sunreclaim_kb = ms_tmp.sunreclaim_kb;
	}
	return i;
}

/* The growth of cache i of b over a (a cache new in b grew from 0). */
static long grown(const struct ms_snap *a, const struct ms_snap *b, int i)
{
	return b->c[i].objs - objs_of(a, b->c[i].name);
}

/* Caches suspect in every round so far (names), and the pages outside the slab. */
static char suspect[MS_MAX_CACHES][64];
static int nsuspect;
static bool other_suspect;

static bool was_suspect(const char *name)
{
	int i;

	for (i = 0; i < nsuspect; i++)
		if (!strcmp(suspect[i], name))
			return true;
	return false;
}

/* Index in b of the cache with the largest change not yet shown, or -1. */
static int next_largest(const struct ms_snap *a, const struct ms_snap *b,
			const bool *shown)
{
	long d, best = 0;
	int i, r = -1;

	for (i = 0; i < b->n; i++) {
		d = labs(grown(a, b, i));
		if (!shown[i] && d > best) {
			best = d;
			r = i;
		}
	}
	return r;
}

/*
 * One round from a to b: logs the largest changes (the noise, when nothing
 * leaks), and keeps as suspect only what grew by cycles / 2 now and in every
 * earlier round. Returns whether anything is still suspect.
 */
static bool judge(const struct ms_snap *a, const struct ms_snap *b,
		  const char *what, int cycles, int round, int readings)
{
	long limit = cycles / 2, page_kb = sysconf(_SC_PAGESIZE) / 1024;
	long dother = b->other_kb - a->other_kb;
	static char keep[MS_MAX_CACHES][64];
	static bool shown[MS_MAX_CACHES];
	char list[MS_SHOWN * 80] = "";
	int i, j, nkeep = 0;
	size_t off = 0;

	memset(shown, 0, sizeof(shown));
	for (j = 0; j < MS_SHOWN; j++) {
		i = next_largest(a, b, shown);
		if (i < 0)
			break;
		shown[i] = true;
		off += snprintf(list + off, sizeof(list) - off, " %s %+ld",
				b->c[i].name, grown(a, b, i));
	}
	TH_LOG("round %d, %d %s: objects%s%s; outside the slab %+ld KiB; limits %ld objects of a cache, %ld KiB (%d readings; SUnreclaim %+ld KiB)",
	       round, cycles, what, off ? "" : " unchanged", list, dother,
	       limit, limit * page_kb, readings,
	       b->sunreclaim_kb - a->sunreclaim_kb);

	for (i = 0; i < b->n; i++) {
		if (grown(a, b, i) < limit ||
		    (round > 1 && !was_suspect(b->c[i].name)))
			continue;
		TH_LOG("suspect: %s +%ld objects of %ld bytes", b->c[i].name,
		       grown(a, b, i), b->c[i].size);
		strcpy(keep[nkeep++], b->c[i].name);
	}
	memcpy(suspect, keep, sizeof(keep[0]) * nkeep);
	nsuspect = nkeep;
	other_suspect = dother >= limit * page_kb && (round == 1 || other_suspect);
	if (other_suspect)
		TH_LOG("suspect: memory outside the slab %+ld KiB", dother);
	return nsuspect || other_suspect;
}

/*
 * The KiB of slabs the vmap_area cache holds: its objects' bookkeeping is
 * freed lazily (read_slabinfo()), about lazy_max_pages' worth of vfree'd
 * thread stacks at a time: +3321 objects (520 KiB) over 2000 cycles of
 * selftests/soak.c in one process on minivirt, whose soak makes no other
 * vmalloc to bring the purge sooner (svm 6.1 host, 2026-12-07).
 */
static long vmap_area_kb(void)
{
	long objs, size, per_slab, pages, kb = 0;
	char line[512];
	FILE *f;

	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "vmap_area %*d %ld %ld %ld %ld", &objs, &size,
			   &per_slab, &pages) == 4 && per_slab > 0)
			kb = objs / per_slab * pages * (sysconf(_SC_PAGESIZE) / 1024);
	fclose(f);
	return kb;
}

void ms_meminfo(long *slab_kb, long *avail_kb)
{
	long slab, avail, vmap;
	int i;

	*slab_kb = LONG_MAX;
	*avail_kb = 0;
	for (i = 0; i < MS_MIN_READINGS; i++) {
		settle();
		vmap = vmap_area_kb();
		slab = th_meminfo_kb("Slab") - vmap;
		avail = th_meminfo_kb("MemAvailable") + pcp_free_kb() + vmap;
		if (slab < *slab_kb)
			*slab_kb = slab;
		if (avail > *avail_kb)
			*avail_kb = avail;
	}
}

void ms_cycles(int n, void (*fn)(int i))
{
	int i, status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		fflush(stdout);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			th_failed = false;
			fn(i);
			fflush(stdout);
			_exit(th_failed ? TH_EXIT_FAIL : TH_EXIT_PASS);
		}
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			TH_FAIL("cycle %d failed (status %#x)", i, status);
			exit(TH_EXIT_FAIL);
		}
	}
}

void ms_expect_no_leak(const char *what, void (*fn)(int i), int warmup,
		       int cycles)
{
	struct ms_snap *a = &ms_base, *b = &ms_now, *t;
	int round, readings, i;

	if (access("/proc/slabinfo", R_OK))
		SKIP("/proc/slabinfo not readable: leaks not measurable");
	memset(&ms_base, 0, sizeof(ms_base));
	memset(&ms_now, 0, sizeof(ms_now));
	memset(&ms_tmp, 0, sizeof(ms_tmp));

	ms_cycles(warmup, fn);
	measure(a);
	for (round = 1; round <= MS_ROUNDS; round++) {
		ms_cycles(cycles, fn);
		readings = measure(b);
		if (!judge(a, b, what, cycles, round, readings))
			return;
		t = a;
		a = b;
		b = t;
	}
	for (i = 0; i < nsuspect; i++)
		TH_FAIL("%s grew by %d+ objects in each of %d rounds of %d %s: a leak",
			suspect[i], cycles / 2, MS_ROUNDS, cycles, what);
	if (other_suspect)
		TH_FAIL("memory outside the slab grew by %ld+ KiB in each of %d rounds of %d %s: a leak",
			cycles / 2 * (sysconf(_SC_PAGESIZE) / 1024), MS_ROUNDS,
			cycles, what);
}

void ms_mark(void)
{
	memset(&ms_base, 0, sizeof(ms_base));
	memset(&ms_tmp, 0, sizeof(ms_tmp));
	measure(&ms_base);
}

void ms_expect_below(const char *what, long objs, long kb)
{
	static bool shown[MS_MAX_CACHES];
	long dother;
	int i, j;

	memset(&ms_now, 0, sizeof(ms_now));
	measure(&ms_now);
	dother = ms_now.other_kb - ms_base.other_kb;
	memset(shown, 0, sizeof(shown));
	TH_LOG("after %s: outside the slab %+ld KiB (limit %ld), SUnreclaim %+ld KiB",
	       what, dother, kb, ms_now.sunreclaim_kb - ms_base.sunreclaim_kb);
	for (j = 0; j < MS_SHOWN; j++) {
		i = next_largest(&ms_base, &ms_now, shown);
		if (i < 0)
			break;
		shown[i] = true;
		TH_LOG("after %s: %s %+ld objects (limit %ld)", what, ms_now.c[i].name,
		       grown(&ms_base, &ms_now, i), objs);
	}
	for (i = 0; i < ms_now.n; i++)
		if (grown(&ms_base, &ms_now, i) >= objs)
			TH_FAIL("%s grew by %ld objects of %ld bytes over %s: a leak",
				ms_now.c[i].name, grown(&ms_base, &ms_now, i),
				ms_now.c[i].size, what);
	if (dother >= kb)
		TH_FAIL("memory outside the slab grew by %ld KiB over %s: a leak",
			dother, what);
}
