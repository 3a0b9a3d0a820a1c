// SPDX-License-Identifier: GPL-2.0-only
/*
 * A catalogue of guest faults, each driven by a guest and checked against
 * what KVM does: triple faults in every mode, invalid guest state given to
 * KVM_SET_SREGS, RIP and page walks where no memslot is, a guest rewriting
 * its own page tables, exceptions raised while another is delivered (#NP,
 * #GP, #SS, #TS, #DF), an NMI storm and the most memslots a VM can have.
 * The runner checks the host's kernel log for splats after every suite.
 *
 * Rules: SDM vol 3A 6.15 "Exception and Interrupt Reference" (#DF, table 6-5,
 * and the triple fault: "the processor enters shutdown mode"), 6.13 "Error
 * Code", 6.14.5 "Interrupt Stack Table"; APM vol 2 8.4 "Error Codes", 8.9
 * "Long-Mode Interrupt Control Transfers", 15.5.1 "VMRUN" (its consistency
 * checks); SDM vol 3C 27.3.1 "Checks on the Guest State Area". Guest code:
 * guest/fault_catalogue.S.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/threads.h"	/* mt_host_is_bochs() */
#include "lib/vm.h"
#include "guest/fault_catalogue.h"
#include "fault_catalogue/host.h"

DECLARE_GUEST(fc_ud16);
DECLARE_GUEST(fc_ud32);
DECLARE_GUEST(fc_ud64);
DECLARE_GUEST(fc_hlt);
DECLARE_GUEST(fc_fixup32);
DECLARE_GUEST(fc_fixup64);
DECLARE_GUEST(fc_bad_stack64);
DECLARE_GUEST(fc_jmp_rbx);
DECLARE_GUEST(fc_walk_mmio);
DECLARE_GUEST_LABEL(fc_walk_mmio, load);
DECLARE_GUEST(fc_pt_rewrite);
DECLARE_GUEST(fc_nmi);
DECLARE_GUEST_LABEL(fc_nmi, handler);
DECLARE_GUEST(fc_slots);

#define NP_VECTOR	11
#define SS_VECTOR	12
#define TS_VECTOR	10
#define NMI_VECTOR	2

/* IDT gate bits, the low 8 bytes of both formats (SDM vol 3A 6.11, 6.14.1). */
#define GATE_IST(n)	((uint64_t)(n) << 32)
#define GATE_IST_MASK	GATE_IST(7)
#define GATE_TYPE_MASK	(0xfULL << 40)
#define GATE_P		(1ULL << 47)

#define TSS64_IST1	0x24
#define PFERR_FETCH	(1ULL << 4)	/* #PF and #NPF error code: I/D */
#define EPT_QUAL_FETCH	(1ULL << 2)	/* SDM vol 3C table 28-7 */
#define NONCANONICAL	0x8000000000000000ULL

/* The low 8 bytes of vector's IDT entry (16-byte entries in long mode). */
static uint64_t *gate(struct vm *vm, unsigned int vector, bool lm)
{
	return (uint64_t *)vm_ptr(vm, GUEST_IDT_GPA) + vector * (lm ? 2 : 1);
}

/*
 * A triple fault: KVM_EXIT_SHUTDOWN, and the state KVM leaves. SVM's VMCB
 * is undefined after a shutdown intercept (APM vol 2 15.5, as kmod/svm
 * cites), so KVM INITs the vCPU there (svm.c shutdown_interception()): CS
 * f000, RIP fff0, CR0 ET with CD and NW kept (SDM vol 3A 9.1.1, table
 * 9-1). A triple
 * fault KVM finds itself (an exception it intercepts, #PF under shadow
 * paging, raised while #DF is delivered: KVM_REQ_TRIPLE_FAULT) and one on
 * VT-x (the CPU's triple-fault exit) leave the state as it was.
 */
static void expect_shutdown(struct vcpu *vcpu, bool pf_intercepted)
{
	struct kvm_sregs before, after;
	bool init = host_is_amd() && !(pf_intercepted && shadow_paging());

	vcpu_sregs_get(vcpu, &before);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_SHUTDOWN);
	vcpu_sregs_get(vcpu, &after);
	TH_LOG("after the shutdown: cs %#x rip %#llx cr0 %#llx",
	       after.cs.selector, (unsigned long long)vcpu_rip(vcpu),
	       (unsigned long long)after.cr0);
	if (!init) {
		EXPECT_EQ(after.cs.selector, before.cs.selector);
		EXPECT_EQ(after.cr0, before.cr0);
		return;
	}
	EXPECT_EQ(after.cs.selector, 0xf000);
	EXPECT_EQ(vcpu_rip(vcpu), 0xfff0);
	EXPECT_EQ(after.cr0, X86_CR0_ET | (before.cr0 & (X86_CR0_CD | X86_CR0_NW)));
}

/*
 * Real mode, IDTR limit 0: #UD, #GP and #DF are all beyond it. kvm_intel
 * without unrestricted guest (ept=0) emulates real mode, and there its
 * KVM_RUN never returned (vmx 6.1 ept=0: the 60 s timeout): skipped in
 * that column. minivirt runs real mode unrestricted on EPT even with
 * shadow paging (uapi/minivirt.h).
 */
TEST(triple_fault_real_mode)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;

	if (th_is_kvm && !host_is_amd() && !vmx_unrestricted_guest())
		SKIP("kvm_intel without unrestricted guest: KVM_RUN never returns "
		     "from a real-mode triple fault (measured, vmx 6.1 ept=0)");

	guest_new(VM_MODE_REAL, GUEST(fc_ud16), 0, &vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.idt.limit = 0;
	vcpu_sregs_set(vcpu, &sregs);
	expect_shutdown(vcpu, false);
}

/* 16-bit protected mode (a 16-bit code segment), IDTR limit 0. */
TEST(triple_fault_prot16)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_PROT32, GUEST(fc_ud16), VM_NO_IDT, &vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	vm_segment(SEL_CODE16, &sregs.cs);
	vcpu_sregs_set(vcpu, &sregs);
	expect_shutdown(vcpu, false);
}

/* 32-bit protected mode, every gate not present: #NP, #NP, #DF, #NP. */
TEST(triple_fault_prot32)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_PROT32, GUEST(fc_ud32), 0, &vcpu);
	unsigned int v;

	for (v = 0; v < 256; v++)
		*gate(vm, v, false) &= ~GATE_P;
	expect_shutdown(vcpu, false);
}

/*
 * PAE paging with the IDT at an unmapped address: #PF reading the gate,
 * #PF again for the #PF (#DF, table 6-5), then #PF for the #DF.
 */
#define PAE_PDPT	GUEST_FREE_GPA
#define PAE_PD		(GUEST_FREE_GPA + GUEST_PAGE_SIZE)
#define PAE_UNMAPPED	0x40000000	/* PDPTE 1: not present */

TEST(triple_fault_pae)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_PROT32, GUEST(fc_ud32), 0, &vcpu);
	uint64_t *pdpt = vm_ptr(vm, PAE_PDPT), *pd = vm_ptr(vm, PAE_PD);

	memset(pdpt, 0, GUEST_PAGE_SIZE);
	memset(pd, 0, GUEST_PAGE_SIZE);
	pdpt[0] = PAE_PD | PTE_P;		/* PDPTEs have no R/W, U/S */
	pd[0] = PTE_P | PTE_W | PTE_PS;		/* 0..2 MiB, identity */
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr3 = PAE_PDPT;
	sregs.cr4 |= X86_CR4_PAE;
	sregs.cr0 |= X86_CR0_PG;
	sregs.idt.base = PAE_UNMAPPED;
	vcpu_sregs_set(vcpu, &sregs);
	expect_shutdown(vcpu, true);
}

/* Long mode, every gate of type 0 (invalid): #GP, #GP, #DF, #GP. */
TEST(triple_fault_long_mode)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_ud64), 0, &vcpu);
	unsigned int v;

	for (v = 0; v < 256; v++)
		*gate(vm, v, true) &= ~GATE_TYPE_MASK;
	expect_shutdown(vcpu, false);
}

/*
 * Runs a fixup guest to its HLT and checks the one exception its stubs
 * saw. The EXT bit (bit 0) of an error code is left out: the exception
 * came while #UD was delivered, so the SDM (vol 3A 6.13) sets it, and QEMU
 * TCG, the SVM test host, never does (target/i386/tcg/seg_helper.c).
 */
static void expect_exception(struct vcpu *vcpu, struct vm *vm,
			     unsigned int vector, uint64_t error)
{
	struct guest_exc *exc = guest_exc(vm);

	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(exc->vector, vector);
	EXPECT_EQ(exc->error & ~1ULL, error);
	EXPECT_EQ(exc->count, 1);
}

/* #UD's gate not present: #NP with the gate's IDT error code. */
TEST(np_during_delivery)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_PROT32, GUEST(fc_fixup32), 0, &vcpu);

	*gate(vm, UD_VECTOR, false) &= ~GATE_P;
	expect_exception(vcpu, vm, NP_VECTOR, UD_VECTOR * 8 + 2);
}

/* #NP's gate not present either: #NP while #NP is delivered is #DF(0). */
TEST(df_from_np)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_PROT32, GUEST(fc_fixup32), 0, &vcpu);

	*gate(vm, UD_VECTOR, false) &= ~GATE_P;
	*gate(vm, NP_VECTOR, false) &= ~GATE_P;
	expect_exception(vcpu, vm, DF_VECTOR, 0);
}

/*
 * Long mode, #UD's gate of type 0: #GP with the gate's IDT error code, the
 * vector in bits 15:3 (SDM vol 3A 6.13, APM vol 2 8.4.1: "the index of the
 * gate", 16-byte gates or not). QEMU 7.2 TCG, the SVM test host, puts
 * vector * 16 + 2 there (seg_helper.c do_interrupt64(), fixed in later
 * QEMU); accepted from it alone, in both columns: the delivery is the
 * emulated CPU's, neither hypervisor sees it.
 */
TEST(gp_during_delivery)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_fixup64), 0, &vcpu);
	bool qemu_tcg = host_is_qemu();

	*gate(vm, UD_VECTOR, true) &= ~GATE_TYPE_MASK;
	expect_exception(vcpu, vm, GP_VECTOR,
			 qemu_tcg ? UD_VECTOR * 16 + 2 : UD_VECTOR * 8 + 2);
}

/* #GP's gate too: #GP while #GP is delivered is #DF(0). */
TEST(df_from_gp)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_fixup64), 0, &vcpu);

	*gate(vm, UD_VECTOR, true) &= ~GATE_TYPE_MASK;
	*gate(vm, GP_VECTOR, true) &= ~GATE_TYPE_MASK;
	expect_exception(vcpu, vm, DF_VECTOR, 0);
}

/*
 * #UD's gate switches to IST 1, which holds a non-canonical address:
 * #SS(EXT) (SDM vol 2A "INT n": "IF NewRSP is non-canonical THEN
 * #SS(EXT)"; APM vol 2 8.9.4), delivered on the good stack. Bochs 2.7, the
 * VMX test host, puts the current SS selector in the error code instead
 * (0x10 here): accepted from it alone, in both columns (the emulated CPU
 * delivers it; neither hypervisor sees it).
 */
TEST(ss_during_delivery)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_fixup64), 0, &vcpu);

	*gate(vm, UD_VECTOR, true) |= GATE_IST(1);
	*(uint64_t *)vm_ptr(vm, GUEST_TSS_GPA + TSS64_IST1) = NONCANONICAL;
	expect_exception(vcpu, vm, SS_VECTOR, mt_host_is_bochs() ? SEL_DATA : 0);
}

/*
 * A task gate for #UD to a TSS whose limit is below 0x67: the task switch
 * fails with #TS(the TSS's selector) (SDM vol 3A 7.3 "Task Switching",
 * step 6). Needs task switches, which a hypervisor emulates (SVM and VMX
 * intercept them).
 */
#define TS_SEL		0x40
#define GATE_TASK(sel)	((uint64_t)(sel) << 16 | 0x85ULL << 40)

TEST(ts_bad_tss_on_task_gate)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t *gdt;

	if (!th_is_kvm)
		SKIP("minivirt does not emulate task switches: KVM_EXIT_INTERNAL_ERROR "
		     "(kmod/intercepts.c, uapi/minivirt.h)");
	vm = guest_new(VM_MODE_PROT32, GUEST(fc_fixup32), 0, &vcpu);
	gdt = vm_ptr(vm, GUEST_GDT_GPA);
	/* An available 32-bit TSS (type 9) at GUEST_FREE_GPA, limit 0x20. */
	gdt[TS_SEL / 8] = 0x20 | (uint64_t)GUEST_FREE_GPA << 16 | 0x89ULL << 40;
	*gate(vm, UD_VECTOR, false) = GATE_TASK(TS_SEL);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.gdt.limit = TS_SEL + 7;
	vcpu_sregs_set(vcpu, &sregs);
	expect_exception(vcpu, vm, TS_VECTOR, TS_SEL);
}

/*
 * Long mode on a stack whose page is not present: #UD's push faults (#PF),
 * the #PF's too: #DF, which reaches its handler on IST 1. Then with the
 * IST gone from #DF's gate the #DF's push faults as well: a triple fault.
 */
#define BAD_STACK_TOP	0x1e000
#define IST_STACK_TOP	(GUEST_STACK_TOP - 0x800)

TEST(df_from_pf_on_unmapped_stack)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_bad_stack64), 0, &vcpu);

	*vm_pte(vm, BAD_STACK_TOP - GUEST_PAGE_SIZE) &= ~PTE_P;
	*gate(vm, DF_VECTOR, true) |= GATE_IST(1);
	*(uint64_t *)vm_ptr(vm, GUEST_TSS_GPA + TSS64_IST1) = IST_STACK_TOP;
	vcpu_regs_get(vcpu, &regs);
	regs.rbx = BAD_STACK_TOP;
	vcpu_regs_set(vcpu, &regs);
	expect_exception(vcpu, vm, DF_VECTOR, 0);

	*gate(vm, DF_VECTOR, true) &= ~GATE_IST_MASK;
	expect_shutdown(vcpu, true);
}

/*
 * The KVM_EXIT_INTERNAL_ERROR of an instruction KVM cannot fetch from addr
 * (identity-mapped; 0: not checked): as KVM's
 * prepare_emulation_failure_exit(), data[0] the flags (no instruction
 * bytes), then the exit's reason and details (svm_get_exit_info(),
 * vmx_get_exit_info()). The fault is nested paging's: SVM's #NPF (0x400,
 * EXITINFO1 the error code with the I/D bit, EXITINFO2 the GPA, no event
 * in EXITINTINFO), VMX's EPT violation (48, the qualification with the
 * fetch bit, no IDT-vectoring or exit interruption information); or,
 * under shadow paging, the guest's #PF intercepted: SVM 0x4e with
 * EXITINFO2 the address, VMX 0 with the address in the qualification and
 * the #PF in the exit interruption information. The #PF's error code (SVM
 * EXITINFO1, VMX data[5]) has the I/D bit on KVM only, which runs a
 * shadow-paged guest with EFER.NX (svm_set_efer(), vmx's
 * update_transition_efer()); not compared (uapi/minivirt.h).
 */
#define VMX_PF_INTR_INFO	0x80000b0eULL	/* valid, error code, #PF */

static void expect_fetch_failure(struct vcpu *vcpu, uint64_t addr)
{
	struct kvm_run *run = vcpu->run;
	const __u64 *d = run->internal.data;
	bool shadow = shadow_paging();
	unsigned int i;

	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(run->internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	for (i = 0; i < run->internal.ndata && i < 16; i++)
		TH_LOG("data[%u] %#llx", i, (unsigned long long)d[i]);
	ASSERT_EQ(run->internal.ndata, 6);
	EXPECT_EQ(d[0], 0);
	if (host_is_amd()) {
		EXPECT_EQ(d[1], shadow ? 0x40 + PF_VECTOR : 0x400);
		if (!shadow)
			EXPECT_TRUE(d[2] & PFERR_FETCH);
		if (addr)
			EXPECT_EQ(d[3], addr);
		EXPECT_EQ(d[4], 0);
		EXPECT_EQ(d[5], 0);
		return;
	}
	EXPECT_EQ(d[1], shadow ? 0 : 48);
	if (!shadow)
		EXPECT_TRUE(d[2] & EPT_QUAL_FETCH);
	else if (addr)
		EXPECT_EQ(d[2], addr);
	EXPECT_EQ(d[3], 0);
	EXPECT_EQ(d[4], shadow ? VMX_PF_INTR_INFO : 0);
	if (!shadow)
		EXPECT_EQ(d[5], 0);
}

/* RIP in long mode at an identity-mapped GPA without a memslot. */
TEST(rip_without_memslot)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_LONG, GUEST(fc_hlt), 0, &vcpu);
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_MMIO_GPA + 0x123;
	vcpu_regs_set(vcpu, &regs);
	expect_fetch_failure(vcpu, GUEST_MMIO_GPA + 0x123);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_MMIO_GPA + 0x123);
}

/* A jump there from running code. */
TEST(jump_to_mmio)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_LONG, GUEST(fc_jmp_rbx), 0, &vcpu);
	vcpu_regs_get(vcpu, &regs);
	regs.rbx = GUEST_MMIO_GPA;
	vcpu_regs_set(vcpu, &regs);
	expect_fetch_failure(vcpu, GUEST_MMIO_GPA);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_MMIO_GPA);
}

/* RIP on the in-kernel LAPIC's page: MMIO that a device in the kernel takes. */
TEST(rip_in_lapic_page)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = vm_new();

	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0)
		SKIP("no KVM_CAP_IRQCHIP");
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	vm_load(vm, GUEST_CODE_GPA, GUEST(fc_hlt));
	vcpu = vcpu_new(vm, 0);
	vcpu_set_mode(vcpu, VM_MODE_LONG, 0);
	vcpu_regs_get(vcpu, &regs);
	regs.rip = 0xfee00000;
	vcpu_regs_set(vcpu, &regs);
	/*
	 * kvm_intel without EPT maps its APIC-access page there (flexpriority,
	 * a private memslot of zeroes): the guest runs through it and the
	 * fetch fails at 0xfee01000 (measured, vmx 6.1 ept=0). minivirt has
	 * no such page: the address is not compared there.
	 */
	expect_fetch_failure(vcpu, th_is_kvm && !host_is_amd() && shadow_paging() ?
				   0 : 0xfee00000);
}

/*
 * The page table of FC_WALK_GVA is at a GPA without a memslot: the page
 * walk itself reads "MMIO". With nested paging the CPU's walk exits (#NPF,
 * EPT violation) at the table's GPA, and KVM's emulator, given that GPA
 * with the exit, takes it for the load's (x86.c
 * emulator_read_write_onepage(), gpa_available): KVM_EXIT_MMIO there, RIP
 * at the load. Under shadow paging KVM's walker finds no table and the
 * guest gets a not-present #PF (paging_tmpl.h walk_addr_generic()).
 */
TEST(page_walk_through_mmio)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_walk_mmio), 0, &vcpu);
	uint64_t *pml4 = vm_ptr(vm, GUEST_PT_GPA), *pdpt, *pd;
	struct guest_exc *exc = guest_exc(vm);

	pdpt = vm_ptr(vm, pml4[0] & PTE_ADDR_MASK);
	pd = vm_ptr(vm, pdpt[0] & PTE_ADDR_MASK);
	pd[FC_WALK_GVA >> 21] = GUEST_MMIO_GPA | PTE_P | PTE_W;
	vcpu_run(vcpu);
	vcpu_log_exit(vcpu);
	if (!shadow_paging()) {
		ASSERT_MMIO(vcpu, GUEST_MMIO_GPA, 8, false);
		EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(fc_walk_mmio, load));
		return;
	}
	ASSERT_EXIT(vcpu, KVM_EXIT_HLT);
	EXPECT_EQ(exc->vector, PF_VECTOR);
	EXPECT_EQ(exc->error, 0);
	EXPECT_EQ(exc->count, 1);
	EXPECT_EQ(guest_report(vm)[0], FC_POISON);
}

/*
 * The guest points one PTE at four pages in turn, FC_ROUNDS times, reading
 * and incrementing through it after each INVLPG. Under shadow paging every
 * write to that page table is trapped and the shadow kept in step.
 */
TEST(page_table_rewrite_loop)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_pt_rewrite), 0, &vcpu);
	uint8_t *base = vm_ptr(vm, 0);
	uint64_t sum = 0;
	unsigned int i, k;

	for (k = 0; k < 4; k++)
		*(uint64_t *)vm_ptr(vm, FC_PAGES + k * GUEST_PAGE_SIZE) =
			(uint64_t)(k + 1) << 32;
	for (i = 0; i < FC_ROUNDS; i++)
		sum += ((uint64_t)((i & 3) + 1) << 32) + (i >> 2);
	vcpu_regs_get(vcpu, &regs);
	regs.rbx = (uint8_t *)vm_pte(vm, FC_WINDOW) - base;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_report(vm)[0], sum);
	for (k = 0; k < 4; k++)
		EXPECT_EQ(*(uint64_t *)vm_ptr(vm, FC_PAGES + k * GUEST_PAGE_SIZE),
			  ((uint64_t)(k + 1) << 32) + FC_ROUNDS / 4);
}

/*
 * FC_NMI_RUNS times, FC_NMI_BURST KVM_NMIs and a KVM_RUN to the guest's
 * next exit. At most two NMIs are pending at a time (KVM's process_nmi()),
 * so the handler runs at least once a run and never more often than NMIs
 * were sent: KVM measured 2000 (the second after the handler's IRET, which
 * it single-steps), minivirt 1001 (uapi/minivirt.h: the second waits for
 * the guest's next exit, by which time the next burst has come).
 */
#define FC_NMI_RUNS	1000
#define FC_NMI_BURST	10

TEST(nmi_storm)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_nmi), 0, &vcpu);
	uint64_t *stop = vm_ptr(vm, FC_STOP), *nmis = vm_ptr(vm, FC_NMIS);
	uint64_t target = GUEST_ADDR(fc_nmi, handler);
	uint64_t *g = gate(vm, NMI_VECTOR, true);
	unsigned int r, b;

	/* Vector 2's gate to the guest's own handler. */
	g[0] = (target & 0xffff) | SEL_CODE64 << 16 | 0x8eULL << 40 |
	       (target & 0xffff0000) << 32;
	g[1] = target >> 32;
	for (r = 0; r < FC_NMI_RUNS; r++) {
		for (b = 0; b < FC_NMI_BURST; b++)
			ASSERT_OK(ioctl(vcpu->fd, KVM_NMI, 0));
		vcpu_run(vcpu);
		ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, GUEST_PORT_REPORT, 1);
	}
	*stop = 1;
	vcpu_run_to_hlt(vcpu);
	TH_LOG("%llu NMIs handled of %u sent", (unsigned long long)*nmis,
	       FC_NMI_RUNS * FC_NMI_BURST);
	/* Every entry with NMIs pending and unmasked delivers one. */
	EXPECT_GE(*nmis, FC_NMI_RUNS);
	EXPECT_TRUE(*nmis <= FC_NMI_RUNS * FC_NMI_BURST);
}

/*
 * KVM_CAP_NR_MEMSLOTS slots: slot 0 the guest's, every other a 4 KiB page
 * at FC_SLOTS_GPA + 8 KiB * id. The guest reads a few; one more id is
 * refused; all are deleted, and a read of one is MMIO again. --slots N
 * makes at most N (run.sh: make check 2048, make check-full all).
 */
#define FC_SLOTS_GPA	0x40000000ULL
#define FC_TABLE	GUEST_FREE_GPA
#define FC_OUT		(GUEST_FREE_GPA + GUEST_PAGE_SIZE)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int set_slot(struct vm *vm, uint32_t slot, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = FC_SLOTS_GPA + slot * 2ULL * GUEST_PAGE_SIZE,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static void run_slots_guest(struct vcpu *vcpu, unsigned int n)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_CODE_GPA;
	regs.rsi = FC_TABLE;
	regs.rdi = FC_OUT;
	regs.rcx = n;
	vcpu_regs_set(vcpu, &regs);
}

/*
 * KVM allocates each slot's metadata with vmalloc (x86.c
 * kvm_alloc_memslot_metadata(): the large-page info, and under its shadow
 * MMU the rmaps, a page or more per level): its 32764 slots OOM-killed a
 * 1 GiB test host with npt=0, and with ept=1 17234 of them took 262 MB
 * (15 KiB each; measured). So the count is the capability's, or as many as
 * half of MemAvailable holds at FC_SLOT_COST a slot.
 */
#define FC_SLOT_COST	(shadow_paging() ? 32 : 16)	/* KiB */

TH_OPTION(slots, "memslots to create at most (0: KVM_CAP_NR_MEMSLOTS)", 0);

static long slots_that_fit(long nr)
{
	long fit = th_meminfo_kb("MemAvailable") / 2 / FC_SLOT_COST;

	if (th_opt_slots && th_opt_slots < (unsigned long long)nr) {
		TH_LOG("--slots %llu of %ld", th_opt_slots, nr);
		nr = th_opt_slots;
	}

	if (fit >= nr)
		return nr;
	TH_LOG("%ld slots of %ld fit in half of MemAvailable", fit, nr);
	return fit;
}

TEST_TIMEOUT(max_memslots, 120)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(fc_slots), 0, &vcpu);
	long cap = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS), nr;
	uint64_t *table = vm_ptr(vm, FC_TABLE), *out = vm_ptr(vm, FC_OUT);
	unsigned int touch[4], i;
	uint64_t t0;
	uint8_t *mem;

	ASSERT_TRUE(cap > 4 && cap <= 32768);
	nr = slots_that_fit(cap);
	touch[0] = 1;
	touch[1] = 2;
	touch[2] = nr / 2;
	touch[3] = nr - 1;
	mem = mmap(NULL, cap * GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(mem != MAP_FAILED);
	t0 = now_ms();
	for (i = 1; i < nr; i++)
		if (set_slot(vm, i, GUEST_PAGE_SIZE, mem + i * GUEST_PAGE_SIZE)) {
			TH_FAIL("slot %u of %ld: %s", i, nr, strerror(errno));
			return;
		}
	EXPECT_ERRNO(set_slot(vm, cap, GUEST_PAGE_SIZE, mem), EINVAL);
	for (i = 0; i < 4; i++) {
		*(uint64_t *)(mem + touch[i] * GUEST_PAGE_SIZE) = 0x5100000000ULL | touch[i];
		table[i] = FC_SLOTS_GPA + touch[i] * 2ULL * GUEST_PAGE_SIZE;
	}
	run_slots_guest(vcpu, 4);
	vcpu_run_to_hlt(vcpu);
	TH_LOG("with %ld slots: MemAvailable %ld kB", nr, th_meminfo_kb("MemAvailable"));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(out[i], 0x5100000000ULL | touch[i]);
	for (i = 1; i < nr; i++)
		if (set_slot(vm, i, 0, mem + i * GUEST_PAGE_SIZE)) {
			TH_FAIL("deleting slot %u: %s", i, strerror(errno));
			return;
		}
	TH_LOG("%ld slots made, used and deleted in %llu ms", nr,
	       (unsigned long long)(now_ms() - t0));
	table[0] = table[2];
	run_slots_guest(vcpu, 1);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, table[0], 8, false);
	TH_LOG("%ld slots, MemAvailable %ld kB", nr, th_meminfo_kb("MemAvailable"));
}
