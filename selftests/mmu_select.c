// SPDX-License-Identifier: GPL-2.0-only
/*
 * minivirt's per-VM paging mode (uapi/minivirt.h, MINIVIRT_SET_MMU and
 * MINIVIRT_GET_MMU on the VM fd): the default follows the module parameter
 * tdp, the choice is refused once a vCPU exists, bad values get -EINVAL, and
 * guests run the same in both modes, also side by side in one process. KVM
 * has no such ioctls: on /dev/kvm both must be refused with -ENOTTY, as
 * kvm_arch_vm_ioctl() answers unknown commands. Guest code: guest/mmu_select.S.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../uapi/minivirt.h"
#include "lib/harness.h"
#include "lib/vm.h"

DECLARE_GUEST(guest_mmu);

#define MMU_ALIAS_GVA	0x200000000ULL
#define MMU_PAGES	16

static void need_minivirt(void)
{
	if (th_is_kvm)
		SKIP("a minivirt extension; KVM's refusal is tested by kvm_refuses");
}

static uint32_t get_mmu(struct vm *vm)
{
	uint32_t mode = 0xdead;

	ASSERT_OK(ioctl(vm->fd, MINIVIRT_GET_MMU, &mode));
	return mode;
}

static int set_mmu(struct vm *vm, uint32_t mode)
{
	return ioctl(vm->fd, MINIVIRT_SET_MMU, &mode) ? errno : 0;
}

/* Both modes must be there in our emulated hosts (SVM with NPT, VMX with EPT). */
static void set_mmu_or_skip(struct vm *vm, uint32_t mode)
{
	int e = set_mmu(vm, mode);

	if (e == EOPNOTSUPP)
		SKIP("mode %u not supported by this backend or CPU", mode);
	ASSERT_EQ(e, 0);
}

TEST(kvm_refuses)
{
	struct vm *vm;
	uint32_t mode = MINIVIRT_MMU_SHADOW;

	if (!th_is_kvm)
		SKIP("tests KVM's answer");
	vm = vm_new();
	errno = 0;
	EXPECT_EQ(ioctl(vm->fd, MINIVIRT_SET_MMU, &mode), -1);
	EXPECT_EQ(errno, ENOTTY);
	errno = 0;
	EXPECT_EQ(ioctl(vm->fd, MINIVIRT_GET_MMU, &mode), -1);
	EXPECT_EQ(errno, ENOTTY);
}

/* A new VM starts in the mode the module parameter tdp names. */
TEST(default_follows_tdp)
{
	char c = 0;
	int fd;
	struct vm *vm;

	need_minivirt();
	fd = open("/sys/module/minivirt/parameters/tdp", O_RDONLY);
	if (fd < 0)
		SKIP("no /sys/module/minivirt/parameters/tdp");
	ASSERT_EQ(read(fd, &c, 1), 1);
	close(fd);
	ASSERT_TRUE(c == 'Y' || c == 'N');
	vm = vm_new();
	EXPECT_EQ(get_mmu(vm), c == 'Y' ? MINIVIRT_MMU_NESTED : MINIVIRT_MMU_SHADOW);
}

TEST(set_get_and_bad_values)
{
	static const uint32_t bad[] = { 2, 3, 0x80000000, 0xffffffff };
	struct vm *vm;
	unsigned int i;

	need_minivirt();
	vm = vm_new();
	set_mmu_or_skip(vm, MINIVIRT_MMU_SHADOW);
	EXPECT_EQ(get_mmu(vm), MINIVIRT_MMU_SHADOW);
	set_mmu_or_skip(vm, MINIVIRT_MMU_NESTED);
	EXPECT_EQ(get_mmu(vm), MINIVIRT_MMU_NESTED);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(set_mmu(vm, bad[i]), EINVAL);
		EXPECT_EQ(get_mmu(vm), MINIVIRT_MMU_NESTED);
	}
	errno = 0;
	EXPECT_EQ(ioctl(vm->fd, MINIVIRT_GET_MMU, NULL), -1);
	EXPECT_EQ(errno, EFAULT);
	errno = 0;
	EXPECT_EQ(ioctl(vm->fd, MINIVIRT_SET_MMU, (void *)8), -1);
	EXPECT_EQ(errno, EFAULT);
}

/* The mode is fixed once a vCPU exists; a memslot alone does not fix it. */
TEST(busy_after_first_vcpu)
{
	struct vm *vm;
	uint32_t mode;

	need_minivirt();
	vm = vm_new();
	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	set_mmu_or_skip(vm, MINIVIRT_MMU_SHADOW);
	vcpu_new(vm, 0);
	mode = get_mmu(vm);
	EXPECT_EQ(mode, MINIVIRT_MMU_SHADOW);
	EXPECT_EQ(set_mmu(vm, MINIVIRT_MMU_NESTED), EBUSY);
	EXPECT_EQ(set_mmu(vm, MINIVIRT_MMU_SHADOW), EBUSY);
	EXPECT_EQ(get_mmu(vm), MINIVIRT_MMU_SHADOW);
}

/* VM, memory, the mode, then the vCPU in long mode with the alias mapped. */
static struct vcpu *mmu_guest(uint32_t mode)
{
	struct vm *vm = vm_new();
	struct vcpu *vcpu;
	unsigned int i;

	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	set_mmu_or_skip(vm, mode);
	vcpu = vcpu_new(vm, 0);
	vcpu_set_mode(vcpu, VM_MODE_LONG, 0);
	vm_load(vm, GUEST_CODE_GPA, GUEST(guest_mmu));
	for (i = 0; i < MMU_PAGES; i++)
		vm_map_page(vm, MMU_ALIAS_GVA + i * GUEST_PAGE_SIZE,
			    GUEST_FREE_GPA + i * GUEST_PAGE_SIZE, PTE_P | PTE_W);
	return vcpu;
}

static void check_pages(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < MMU_PAGES; i++)
		EXPECT_EQ(*(uint64_t *)vm_ptr(vm, GUEST_FREE_GPA + i * GUEST_PAGE_SIZE), i);
}

TEST(guest_runs_in_each_mode)
{
	static const uint32_t modes[] = { MINIVIRT_MMU_NESTED, MINIVIRT_MMU_SHADOW };
	unsigned int m;

	need_minivirt();
	for (m = 0; m < 2; m++) {
		struct vcpu *vcpu = mmu_guest(modes[m]);

		EXPECT_EQ(vcpu_run_to_report(vcpu), 120);
		vcpu_run_to_hlt(vcpu);
		check_pages(vcpu->vm);
		EXPECT_EQ(get_mmu(vcpu->vm), modes[m]);
	}
}

/* A nested-paging VM and a shadow-paging VM, their runs interleaved. */
TEST(both_modes_side_by_side)
{
	struct vcpu *a, *b;

	need_minivirt();
	a = mmu_guest(MINIVIRT_MMU_NESTED);
	b = mmu_guest(MINIVIRT_MMU_SHADOW);
	EXPECT_EQ(vcpu_run_to_report(a), 120);
	EXPECT_EQ(vcpu_run_to_report(b), 120);
	vcpu_run_to_hlt(b);
	vcpu_run_to_hlt(a);
	check_pages(a->vm);
	check_pages(b->vm);
}
