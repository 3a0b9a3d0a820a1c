// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM creation and destruction: many at once, and a thousand in a row without
 * leaking memory. The hardware is switched on with the first VM and off after
 * the last, so each cycle here exercises that path too.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"

#define CYCLES		1000
#define WARMUP_CYCLES	100
#define AT_ONCE		64

/*
 * Growth allowed after CYCLES VMs, in KiB. Each VM is made by a process of its
 * own, so a leaked VM also pins that process's mm (mm_struct, page-table root:
 * 5+ KiB a VM, 5+ MiB in all), far above the used-memory tolerance. Measured
 * noise in the emulated hosts (fork included): SUnreclaim +100..150 KiB, used
 * memory +100..250 KiB, for minivirt and kvm_amd alike.
 */
#define SLAB_TOLERANCE_KB	256
#define USED_TOLERANCE_KB	1024

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
 * and freeing a VM's memory fills them (after 1000 KVM VMs: ~2000 pages).
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

/* Fields worth seeing when memory did not come back. */
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

/* n times: a new process opens the device, makes a VM, uses and closes it. */
static void cycle_vms(int n)
{
	int i, status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		fflush(stdout);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			int sys = th_open(th_dev);
			int vm = th_create_vm(sys);

			ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION,
					KVM_CAP_CHECK_EXTENSION_VM), 1);
			_exit(close(vm) || close(sys));
		}
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

TEST_TIMEOUT(create_destroy_1000_no_leak, 900)
{
	long used0, slab0, dused = 0, dslab = 0;
	long before[NBREAK], after[NBREAK];
	int tries;

	cycle_vms(WARMUP_CYCLES);
	settle();
	used0 = used_kb();
	slab0 = th_meminfo_kb("SUnreclaim");
	snapshot(before);

	cycle_vms(CYCLES);
	for (tries = 0; tries < 30; tries++) {
		settle();
		dused = used_kb() - used0;
		dslab = th_meminfo_kb("SUnreclaim") - slab0;
		if (dused <= USED_TOLERANCE_KB && dslab <= SLAB_TOLERANCE_KB)
			break;
	}
	snapshot(after);
	log_growth(before, after);
	TH_LOG("after %d VMs: used memory %+ld KiB, SUnreclaim %+ld KiB (tolerance %d, %d)",
	       CYCLES, dused, dslab, USED_TOLERANCE_KB, SLAB_TOLERANCE_KB);
	EXPECT_LE(dused, USED_TOLERANCE_KB);
	EXPECT_LE(dslab, SLAB_TOLERANCE_KB);
}

TEST(many_vms_at_once)
{
	int sys = th_open(th_dev);
	int vms[AT_ONCE], i;

	for (i = 0; i < AT_ONCE; i++)
		vms[i] = th_create_vm(sys);
	for (i = 0; i < AT_ONCE; i++) {
		EXPECT_EQ(ioctl(vms[i], KVM_CHECK_EXTENSION,
				KVM_CAP_CHECK_EXTENSION_VM), 1);
		EXPECT_EQ(close(vms[i]), 0);
	}
	/* The hardware went off with the last one; the next VM turns it on. */
	EXPECT_EQ(close(th_create_vm(sys)), 0);
}
