// SPDX-License-Identifier: GPL-2.0-only
/* Leak measurement for cycle tests. See memstat.h. */
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "kvm_util.h"
#include "memstat.h"

static void write_proc(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

/* Let RCU-deferred frees finish, drop caches, and fold per-CPU counters. */
static void settle(void)
{
	usleep(100 * 1000);
	write_proc("/proc/sys/vm/drop_caches", "3");
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

static long used_kb(void)
{
	return th_meminfo_kb("MemTotal") - th_meminfo_kb("MemFree") -
	       pcp_free_kb();
}

static const char *const breakdown[] = {
	"MemFree", "Cached", "SReclaimable", "SUnreclaim", "KernelStack",
	"PageTables", "Percpu", "VmallocUsed",
};
#define NBREAK (sizeof(breakdown) / sizeof(breakdown[0]))

static void snapshot(long *kb)
{
	size_t i;

	for (i = 0; i < NBREAK; i++)
		kb[i] = th_meminfo_kb(breakdown[i]);
}

static void log_growth(const long *before, const long *after)
{
	char buf[512];
	size_t i, off = 0;

	for (i = 0; i < NBREAK && off < sizeof(buf); i++)
		off += snprintf(buf + off, sizeof(buf) - off, " %s %+ld",
				breakdown[i], after[i] - before[i]);
	TH_LOG("growth in KiB:%s", buf);
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
		       int cycles, long used_tolerance_kb,
		       long slab_tolerance_kb)
{
	long used0, slab0, dused = 0, dslab = 0;
	long before[NBREAK], after[NBREAK];
	int tries;

	ms_cycles(warmup, fn);
	settle();
	used0 = used_kb();
	slab0 = th_meminfo_kb("SUnreclaim");
	snapshot(before);

	ms_cycles(cycles, fn);
	for (tries = 0; tries < 30; tries++) {
		settle();
		dused = used_kb() - used0;
		dslab = th_meminfo_kb("SUnreclaim") - slab0;
		if (dused <= used_tolerance_kb && dslab <= slab_tolerance_kb)
			break;
	}
	snapshot(after);
	log_growth(before, after);
	TH_LOG("after %d %s: used memory %+ld KiB, SUnreclaim %+ld KiB (tolerance %ld, %ld)",
	       cycles, what, dused, dslab, used_tolerance_kb, slab_tolerance_kb);
	EXPECT_LE(dused, used_tolerance_kb);
	EXPECT_LE(dslab, slab_tolerance_kb);
}
