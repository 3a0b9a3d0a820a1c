// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor holds the hardware exactly while it has VMs, on every online
 * CPU, across CPU hotplug. On AMD hosts that is visible: EFER.SVME, read per
 * CPU through the msr driver (/dev/cpu/N/msr). CR4.VMXE is not readable from
 * userspace, so on Intel hosts these tests skip (the coexistence tests show
 * VMX being taken and released there).
 *
 * A hypervisor that holds the hardware from module load (KVM 6.12 with
 * enable_virt_at_load=Y) keeps SVME set with no VM too.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"

#define MSR_EFER	0xc0000080
#define EFER_SVME	(1ULL << 12)
#define MAX_CPUS	64

/* Fills online[] from /sys/devices/system/cpu/online ("0-1,3"); returns count. */
static int online_cpus(bool *online)
{
	char buf[256], *p;
	int n = 0, a, b, i;
	FILE *f;

	memset(online, 0, MAX_CPUS * sizeof(*online));
	f = fopen("/sys/devices/system/cpu/online", "r");
	ASSERT_TRUE(f && fgets(buf, sizeof(buf), f));
	fclose(f);
	for (p = strtok(buf, ",\n"); p; p = strtok(NULL, ",\n")) {
		if (sscanf(p, "%d-%d", &a, &b) != 2)
			b = a = atoi(p);
		for (i = a; i <= b && i < MAX_CPUS; i++, n++)
			online[i] = true;
	}
	return n;
}

static uint64_t read_efer(int cpu)
{
	char path[64];
	uint64_t v = 0;
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pread(fd, &v, sizeof(v), MSR_EFER), (long)sizeof(v));
	close(fd);
	return v;
}

static void need_svm_msr(void)
{
	if (access("/dev/cpu/0/msr", R_OK))
		SKIP("no /dev/cpu/0/msr (load the msr module)");
	if (system("grep -qw svm /proc/cpuinfo"))
		SKIP("not an AMD-V host: CR4.VMXE cannot be read from userspace");
}

/* Every online CPU has SVME == want; names the first that does not. */
static void expect_svme(bool want, const char *when)
{
	bool online[MAX_CPUS];
	int cpu;

	online_cpus(online);
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!online[cpu])
			continue;
		if (!!(read_efer(cpu) & EFER_SVME) != want)
			TH_FAIL("%s: CPU %d EFER.SVME is %d, expected %d", when,
				cpu, !want, want);
	}
}

static bool set_online(int cpu, bool on)
{
	char path[64];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(on ? "1" : "0", f) >= 0;
	return !fclose(f) && ok;
}

TEST(svme_held_exactly_while_vms_exist)
{
	bool idle = th_holds_at_load(th_dev);
	int sys, vm1, vm2;

	need_svm_msr();
	sys = th_open(th_dev);
	expect_svme(idle, "no VM");

	vm1 = th_create_vm(sys);
	expect_svme(true, "one VM");
	vm2 = th_create_vm(sys);
	ASSERT_EQ(close(vm1), 0);
	expect_svme(true, "second VM still open");
	ASSERT_EQ(close(vm2), 0);
	expect_svme(idle, "all VMs closed");
}

/* A CPU that comes online while VMs exist gets SVM too; none gets it idle. */
TEST(cpu_hotplug)
{
	bool idle = th_holds_at_load(th_dev);
	bool online[MAX_CPUS], down, up;
	int sys, vm, cpu = 1;

	need_svm_msr();
	if (online_cpus(online) < 2 || !online[cpu] ||
	    access("/sys/devices/system/cpu/cpu1/online", W_OK))
		SKIP("needs CPU 1 online and hot-pluggable");
	sys = th_open(th_dev);

	vm = th_create_vm(sys);
	down = set_online(cpu, false);
	up = set_online(cpu, true);
	ASSERT_TRUE(down && up);
	EXPECT_TRUE(read_efer(cpu) & EFER_SVME);
	ASSERT_EQ(close(vm), 0);
	expect_svme(idle, "VM closed after hotplug");

	down = set_online(cpu, false);
	up = set_online(cpu, true);
	ASSERT_TRUE(down && up);
	expect_svme(idle, "hotplug without VMs");
}
