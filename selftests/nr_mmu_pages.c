// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_NR_MMU_PAGES (KVM_CAP_MMU_SHADOW_CACHE_CONTROL): the bound on a
 * VM's shadow pages. KVM (x86.c kvm_vm_ioctl_set_nr_mmu_pages()) refuses one
 * below KVM_MIN_ALLOC_MMU_PAGES (64) with -EINVAL and otherwise zaps the
 * oldest shadow pages to keep under it. With nested paging it binds nothing
 * the guest can see; under shadow paging a guest touching more page tables
 * than the bound must still see exactly its memory (the evicted shadows are
 * rebuilt on the next fault). Guest code: guest/nr_mmu_pages.S.
 */
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/vm.h"

DECLARE_GUEST(many_tables);

#define MIN_PAGES	64
#define TABLES		160		/* guest page tables, beyond the bound */
#define BASE_GVA	(1ULL << 39)	/* PML4 entry 1 */
#define STRIDE		0x200000ULL	/* one PD entry, one page table each */
#define SLOT_GPA	0x40000000ULL
#define PTE_PW		3ULL		/* present, writable */

static int set_nr(struct vm *vm, unsigned long n)
{
	return ioctl(vm->fd, KVM_SET_NR_MMU_PAGES, n) ? errno : 0;
}

TEST(cap_and_minimum)
{
	struct vm *vm = vm_new();

	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MMU_SHADOW_CACHE_CONTROL), 1);
	EXPECT_EQ(set_nr(vm, 0), EINVAL);
	EXPECT_EQ(set_nr(vm, MIN_PAGES - 1), EINVAL);
	EXPECT_EQ(set_nr(vm, MIN_PAGES), 0);
	EXPECT_EQ(set_nr(vm, 1UL << 20), 0);
}

/* GPA of page i of the extra slot: PDPT, PD, TABLES tables, TABLES data. */
static uint64_t slot_page(unsigned int i)
{
	return SLOT_GPA + (uint64_t)i * GUEST_PAGE_SIZE;
}

#define PDPT_PAGE	0
#define PD_PAGE		1
#define PT_PAGE(i)	(2 + (i))
#define DATA_PAGE(i)	(2 + TABLES + (i))

/*
 * TABLES pages 2 MiB apart at BASE_GVA, each behind a page table of its
 * own, written then summed by the guest twice over, with the bound at its
 * minimum set before the first run and again between the runs.
 */
TEST(guest_sees_its_memory_under_the_bound)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(many_tables), 0, &vcpu);
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint64_t *pml4, *pdpt, *pd;
	unsigned int i, run;

	vm_mem_add(vm, 1, SLOT_GPA, (uint64_t)DATA_PAGE(TABLES) * GUEST_PAGE_SIZE, 0);
	vcpu_sregs_get(vcpu, &sregs);
	pml4 = vm_ptr(vm, sregs.cr3 & ~0xfffULL);
	pdpt = vm_ptr(vm, slot_page(PDPT_PAGE));
	pd = vm_ptr(vm, slot_page(PD_PAGE));
	ASSERT_EQ(pml4[1], 0);
	pml4[1] = slot_page(PDPT_PAGE) | PTE_PW;
	pdpt[0] = slot_page(PD_PAGE) | PTE_PW;
	for (i = 0; i < TABLES; i++) {
		uint64_t *pt = vm_ptr(vm, slot_page(PT_PAGE(i)));

		pd[i] = slot_page(PT_PAGE(i)) | PTE_PW;
		pt[0] = slot_page(DATA_PAGE(i)) | PTE_PW;
	}

	for (run = 0; run < 2; run++) {
		ASSERT_EQ(set_nr(vm, MIN_PAGES), 0);
		for (i = 0; i < TABLES; i++)
			*(uint64_t *)vm_ptr(vm, slot_page(DATA_PAGE(i))) = ~0ULL;
		vcpu_regs_get(vcpu, &regs);
		regs.rip = GUEST_CODE_GPA;
		regs.rdi = BASE_GVA;
		regs.rcx = TABLES;
		vcpu_regs_set(vcpu, &regs);
		vcpu_run_to_hlt(vcpu);
		vcpu_regs_get(vcpu, &regs);
		EXPECT_EQ(regs.rax, (uint64_t)TABLES * (TABLES - 1) / 2);
		for (i = 0; i < TABLES; i++)
			EXPECT_EQ(*(uint64_t *)vm_ptr(vm, slot_page(DATA_PAGE(i))), i);
	}
}
