// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMs that run, created and destroyed many times: 1000 cycles of VM +
 * memslot + vCPU + a guest run to HLT + destroy, each in a fresh process,
 * without leaking memory (measured as selftests/vm_lifecycle.c measures:
 * lib/memstat.h). A vCPU fd keeps its VM alive after the VM fd is closed:
 * the vCPU still runs; closing it frees the VM (the hardware is released
 * where that is visible: EFER.SVME on AMD, for a hypervisor that holds it
 * only while it has VMs), also without leaks.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/memstat.h"
#include "lib/vm.h"

DECLARE_GUEST(lr_mark);

#define CYCLES		1000
#define WARMUP		100
/* Its limit, 200 objects of a cache: about twice the largest rise measured (+103). */
#define FD_CYCLES	400
#define MSR_EFER_INDEX	0xc0000080
#define MAX_CPUS	64

/* Closes everything of a VM with one vCPU, vCPU first. */
static void destroy(struct vm *vm, struct vcpu *vcpu)
{
	int i;

	ASSERT_OK(munmap(vcpu->run, vcpu->run_size));
	ASSERT_OK(close(vcpu->fd));
	ASSERT_OK(close(vm->fd));
	ASSERT_OK(close(vm->sys_fd));
	for (i = 0; i < vm->nr_slots; i++)
		ASSERT_OK(munmap(vm->slots[i].hva, vm->slots[i].size));
}

/* One cycle: a VM with memory and a vCPU runs its guest to HLT, goes away. */
static void run_cycle(int i)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(lr_mark), 0, &vcpu);

	(void)i;
	vcpu_run_to_hlt(vcpu);
	ASSERT_EQ(*guest_report(vm), 1);
	destroy(vm, vcpu);
}

TEST_TIMEOUT(run_cycles_1000_no_leak, 900)
{
	ms_expect_no_leak("VMs that ran", run_cycle, WARMUP, CYCLES);
}

/* Can EFER.SVME be read, and does the hypervisor hold SVM only with VMs? */
static bool svme_visible(void)
{
	return !access("/dev/cpu/0/msr", R_OK) &&
	       !system("grep -qw svm /proc/cpuinfo") &&
	       !th_holds_at_load(th_dev);
}

/* Online CPUs whose EFER.SVME is set. */
static int cpus_with_svme(void)
{
	char path[64];
	uint64_t efer;
	int cpu, fd, n = 0;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (pread(fd, &efer, sizeof(efer), MSR_EFER_INDEX) == sizeof(efer) &&
		    (efer & EFER_SVME))
			n++;
		close(fd);
	}
	return n;
}

/*
 * The VM fd (and the system fd) closed first: the vCPU fd keeps the VM,
 * whose vCPU goes on running; once the vCPU fd (and its kvm_run mapping)
 * is gone, so is the VM.
 */
TEST(vcpu_fd_outlives_vm_fd)
{
	struct kvm_userspace_memory_region r = { .slot = 1 };
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(lr_mark), 0, &vcpu);
	uint64_t *mark = guest_report(vm);
	bool svme = svme_visible();
	struct kvm_regs regs;
	int vm_fd = vm->fd;

	if (!svme)
		TH_LOG("EFER.SVME not checked (no msr driver, not AMD, or held from load)");
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*mark, 1);
	ASSERT_OK(close(vm->fd));
	ASSERT_OK(close(vm->sys_fd));
	EXPECT_ERRNO(ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r), EBADF);

	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*mark, 2);
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_CODE_GPA;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*mark, 3);
	if (svme)
		EXPECT_GE(cpus_with_svme(), 1);

	ASSERT_OK(munmap(vcpu->run, vcpu->run_size));
	if (svme)
		EXPECT_GE(cpus_with_svme(), 1);	/* the fd still holds it */
	ASSERT_OK(close(vcpu->fd));
	if (svme)
		EXPECT_EQ(cpus_with_svme(), 0);
	/* The guest's memory is the process's: still there. */
	EXPECT_EQ(*mark, 3);
}

/* One cycle of that: VM fd first, run, then the vCPU fd. */
static void vm_fd_first_cycle(int i)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(lr_mark), 0, &vcpu);

	(void)i;
	ASSERT_OK(close(vm->fd));
	ASSERT_OK(close(vm->sys_fd));
	vcpu_run_to_hlt(vcpu);
	vcpu_run_to_hlt(vcpu);
	ASSERT_EQ(*guest_report(vm), 2);
	ASSERT_OK(munmap(vcpu->run, vcpu->run_size));
	ASSERT_OK(close(vcpu->fd));
}

TEST_TIMEOUT(vcpu_fd_outlives_vm_fd_no_leak, 600)
{
	ms_expect_no_leak("VMs closed through their vCPU", vm_fd_first_cycle,
			  WARMUP / 2, FD_CYCLES);
}
