// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guests in each x86 mode: real mode, 32-bit protected mode, and 64-bit long
 * mode with page tables built by the test. Each computes mode-specific
 * results (operand-size wraparound, the stack, calls, far jumps, a real-mode
 * INT through the IVT, a compatibility-mode detour, a high canonical alias)
 * into the report page and halts: KVM_EXIT_HLT with RIP right after the HLT.
 * Guest code: guest/modes.S.
 */
#include "lib/harness.h"
#include "lib/vm.h"

DECLARE_GUEST(guest_real);
DECLARE_GUEST_LABEL(guest_real, hlt);
DECLARE_GUEST(guest_prot32);
DECLARE_GUEST_LABEL(guest_prot32, hlt);
DECLARE_GUEST(guest_long);
DECLARE_GUEST_LABEL(guest_long, hlt);

#define LONG_ALIAS_GVA	0xffff800000000000ULL

TEST(real_mode)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_REAL, GUEST(guest_real), 0, &vcpu);
	uint16_t *r = (uint16_t *)guest_report(vm);
	struct kvm_sregs sregs;

	/* CR0 as the guest reads it: PE clear; as KVM_GET_SREGS has it. */
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(vcpu_run_to_report(vcpu), (uint32_t)sregs.cr0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(r[0], 0x0010);
	EXPECT_EQ(r[1], 1);
	EXPECT_EQ(r[2], 0x5678);
	EXPECT_EQ(r[3], 0x1234);
	EXPECT_EQ(r[4], 0x0abc);
	EXPECT_EQ(r[5], 0x7777);
	EXPECT_EQ(r[6], GUEST_STACK_TOP);
	EXPECT_EQ(r[8], 0xbeef);
	EXPECT_EQ(r[9], 0x0700);
	EXPECT_EQ(r[10] | (uint32_t)r[11] << 16, 0x12345678);

	/* RIP is an offset in CS: 0x0700 after the far jump, base 0x7000. */
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(sregs.cs.selector, 0x0700);
	EXPECT_EQ(sregs.cs.base, 0x7000);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(guest_real, hlt) + 1 - 0x7000);
	EXPECT_EQ(sregs.cr0 & X86_CR0_PE, 0);
}

TEST(protected_mode_32)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_PROT32, GUEST(guest_prot32), 0, &vcpu);
	uint32_t *r = (uint32_t *)guest_report(vm);
	struct kvm_sregs sregs;

	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(r[0], 1);
	EXPECT_EQ(r[1], 1);
	EXPECT_EQ(r[2], 0x34567800);
	EXPECT_EQ(r[3], 0x12);
	EXPECT_EQ(r[4], 0xcafef00d);
	EXPECT_EQ(r[5], 0x0abc0def);
	EXPECT_EQ(r[6], SEL_CODE32);
	EXPECT_EQ(r[7], GUEST_STACK_TOP);
	EXPECT_EQ(r[8], 0xffff8000);

	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(guest_prot32, hlt) + 1);
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(sregs.cs.selector, SEL_CODE32);
	EXPECT_EQ(sregs.cs.db, 1);
	EXPECT_EQ(sregs.cs.l, 0);
	EXPECT_EQ(sregs.cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE);
	EXPECT_EQ(sregs.efer & EFER_LMA, 0);
}

TEST(long_mode_64)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(guest_long), 0, &vcpu);
	uint64_t *r = guest_report(vm);
	uint64_t *data = vm_ptr(vm, GUEST_DATA_GPA);
	struct kvm_sregs sregs;

	vm_map_page(vm, LONG_ALIAS_GVA, GUEST_DATA_GPA, PTE_P | PTE_W);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(r[0], 0x56789abcdef01234ULL);
	EXPECT_EQ(r[1], 1);
	EXPECT_EQ(r[2], 2);
	EXPECT_EQ(r[3], 1);
	EXPECT_EQ(r[4], (uint64_t)-2);
	EXPECT_EQ(r[5], 0x1122334455667788ULL);
	EXPECT_EQ(*data, 0x1122334455667788ULL);
	EXPECT_EQ(r[6], 0x80);
	EXPECT_EQ(r[7], SEL_CODE64);
	EXPECT_EQ(r[12], GUEST_STACK_TOP);

	/* What the guest saw is what KVM_GET_SREGS says. */
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(r[8], sregs.cr0);
	EXPECT_EQ(r[9], sregs.cr4);
	EXPECT_EQ(r[10] & ~EFER_SVME, sregs.efer);
	EXPECT_EQ(r[11], GUEST_PT_GPA);
	EXPECT_EQ(sregs.cr3, GUEST_PT_GPA);
	EXPECT_EQ(sregs.efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	EXPECT_TRUE(sregs.cr0 & X86_CR0_PG);
	EXPECT_TRUE(sregs.cr4 & X86_CR4_PAE);
	EXPECT_EQ(sregs.cs.selector, SEL_CODE64);
	EXPECT_EQ(sregs.cs.l, 1);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(guest_long, hlt) + 1);
}
