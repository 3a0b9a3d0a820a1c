// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMCB of a vCPU: its reset state and the state groups the core reads and
 * writes (control registers, segments, MSRs the VMCB holds).
 *
 * Segments convert as KVM's svm_get_segment()/svm_set_segment() do, so that
 * KVM_GET_SREGS answers the same on minivirt and kvm_amd: the VMCB has no
 * "unusable" bit (not present stands for it), G is synthesized from the limit,
 * SS.DPL is the CPL (APM vol 2 15.5.1: "the processor takes CPL from SS.DPL").
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "../cpuid.h"
#include "../vcpu.h"
#include "../vm.h"
#include "svm.h"

#define SEG_TYPE_LDT		2
#define SEG_TYPE_BUSY_TSS16	3

/* Power-on PAT (SDM vol 3A 13.12.4 "Programming the PAT"). */
#define PAT_POWER_ON		0x0007040600070406ULL

static void init_data_seg(struct vmcb_seg *s)
{
	s->selector = 0;
	s->attrib = VMCB_ATTR_P | VMCB_ATTR_S | 0x2;	/* read/write data */
	s->limit = 0xffff;
	s->base = 0;
}

static void init_sys_seg(struct vmcb_seg *s, u16 type)
{
	s->selector = 0;
	s->attrib = VMCB_ATTR_P | type;
	s->limit = 0xffff;
	s->base = 0;
}

/*
 * The architectural reset state (SDM vol 3A 9.1.1, APM vol 2 14.1.3), with
 * the intercepts minivirt needs: see the comment of each.
 */
void svm_reset_vmcb(struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;
	struct vmcb_save *s = &svm->vmcb->save;

	memset(svm->vmcb, 0, PAGE_SIZE);

	/*
	 * Debug registers: the hardware DR0-3 stay the host's, so every guest
	 * access to a DR is emulated (the core keeps them; svm_run() gives
	 * the VMCB the DR7 to run with and a reset DR6).
	 */
	c->intercept_dr = 0xffffffff;
	/* The core's list (debug.c: #MC, #AC, #DB; #PF, #BP when needed). */
	c->intercept_exceptions = mv_exception_intercepts(&svm->vcpu);
	/*
	 * The core's list (intercepts.c, mapped in run.c), and what this
	 * backend needs for itself: FERR_FREEZE (a legacy x87 error stop,
	 * taken back as a plain exit).
	 */
	c->intercept_misc1 = svm_intercept_words[0] | SVM_INTERCEPT_FERR_FREEZE;
	c->intercept_misc2 = svm_intercept_words[1];
	c->intercept_misc3 = svm_intercept_words[2];
	c->iopm_base_pa = svm_iopm_pa;
	c->msrpm_base_pa = svm_msrpm_pa;
	/* Guest IF masks only virtual interrupts (APM vol 2 15.21.1). */
	c->int_ctl = SVM_V_INTR_MASKING;
	c->nested_ctl = SVM_NP_ENABLE;
	c->nested_cr3 = svm->npt_root;

	init_data_seg(&s->es);
	init_data_seg(&s->ss);
	init_data_seg(&s->ds);
	init_data_seg(&s->fs);
	init_data_seg(&s->gs);
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	s->cs.limit = 0xffff;
	s->cs.attrib = VMCB_ATTR_P | VMCB_ATTR_S | 0xa;	/* execute/read code */
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	init_sys_seg(&s->ldtr, SEG_TYPE_LDT);
	init_sys_seg(&s->tr, SEG_TYPE_BUSY_TSS16);

	s->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	s->efer = EFER_SVME;		/* VMRUN requires it (APM vol 2 15.5.1) */
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = X86_EFLAGS_FIXED;
	s->rip = 0xfff0;
	s->g_pat = PAT_POWER_ON;

	svm->efer = 0;
	svm->shadow = svm->vcpu.vm->shadow_paging;
	if (svm->shadow) {
		/*
		 * Shadow paging (APM vol 2 15.25 without NP_ENABLE): the
		 * guest's CRs are emulated, its #PFs seen first. Not its
		 * INVLPGs: every guest page table with a shadow is
		 * write-protected and every change of a shadow entry flushes
		 * the TLB (mmu/shadow.c), so no translation the guest could
		 * invalidate is stale; INVLPG runs natively on the shadow, in
		 * the guest's ASID (KVM intercepts it to sync unsync pages,
		 * which minivirt does not have).
		 */
		c->nested_ctl = 0;
		c->intercept_cr = SVM_INTERCEPT_CR_READ(0) | SVM_INTERCEPT_CR_READ(3) |
				  SVM_INTERCEPT_CR_READ(4) | SVM_INTERCEPT_CR_WRITE(0) |
				  SVM_INTERCEPT_CR_WRITE(3) | SVM_INTERCEPT_CR_WRITE(4);
		c->intercept_misc3 |= SVM_INTERCEPT_INVPCID;
		svm->guest_cr0 = s->cr0;
		svm->guest_cr3 = 0;
		svm->guest_cr4 = 0;
		svm_update_hw_paging(svm);
	}
	/*
	 * The guest reads CR8 from V_TPR (APM vol 2 15.21.3), loaded from
	 * vcpu->cr8 at each entry; its writes exit so the core can tell
	 * userspace when the TPR drops (no in-kernel LAPIC, as KVM).
	 * Writes to CR0 and CR4 exit with nested paging too: the CPU checks
	 * only its own reserved bits, not what the vCPU's CPUID offers, nor
	 * KVM's other rules (cr.c), which the core applies (kvm_amd
	 * intercepts CR4 writes likewise). The intercept comes before the
	 * CPU's own operand checks (APM vol 2 15.7 "Instruction Intercepts").
	 */
	c->intercept_cr |= SVM_INTERCEPT_CR_WRITE(8) | SVM_INTERCEPT_CR_WRITE(0) |
			   SVM_INTERCEPT_CR_WRITE(4);
	svm->asid_generation = 0;
	svm->asid_cpu = -1;
	svm->awaiting_iret = false;
}

/*
 * What the hardware runs a shadow-paged guest with: paging always on (AMD
 * allows paged real mode: APM vol 2 15.19), WP on so write protection holds
 * in the guest's kernel too, PAE on (a non-PAE guest runs on a PAE-format
 * shadow), and long mode only once the guest's paging is on.
 */
void svm_update_hw_paging(struct svm_vcpu *svm)
{
	struct vmcb_save *s = &svm->vmcb->save;
	u64 efer = svm->efer;

	s->cr0 = svm->guest_cr0 | X86_CR0_PG | X86_CR0_WP;
	s->cr4 = svm->guest_cr4 | X86_CR4_PAE;
	/*
	 * Without paging, SMEP, SMAP and PKE do nothing (SDM vol 3A 4.6); on
	 * the shadow's user-mode identity map they would fault (KVM likewise
	 * drops them from the hardware's CR4).
	 */
	if (!(svm->guest_cr0 & X86_CR0_PG)) {
		efer &= ~(EFER_LME | EFER_LMA);
		s->cr4 &= ~(X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE);
	}
	s->efer = efer | EFER_SVME;
}

/*
 * A guest write to CRn after the core's checks (cr.c). With nested paging
 * the VMCB holds the guest's own value; LMA follows through set_efer().
 */
void svm_set_cr(struct mv_vcpu *vcpu, int cr, u64 value)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save *s = &svm->vmcb->save;

	if (!svm->shadow) {
		switch (cr) {
		case 0:
			s->cr0 = value;
			break;
		case 3:
			s->cr3 = value;
			break;
		case 4:
			s->cr4 = value;
			break;
		}
		return;
	}
	switch (cr) {
	case 0:
		svm->guest_cr0 = value;
		break;
	case 3:
		svm->guest_cr3 = value;
		break;
	case 4:
		svm->guest_cr4 = value;
		break;
	}
	svm_update_hw_paging(svm);
}

void svm_set_shadow_root(struct mv_vcpu *vcpu, phys_addr_t root)
{
	to_svm(vcpu)->vmcb->save.cr3 = root;
}

void svm_vcpu_reset(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm_reset_vmcb(svm);
	/* INIT leaves the TSC: its offset is the core's (kvmclock.c). */
	svm->vmcb->control.tsc_offset = vcpu->clock.tsc_offset;
	vcpu->regs.rip = svm->vmcb->save.rip;
	vcpu->regs.rflags = svm->vmcb->save.rflags;
}

int svm_vcpu_create(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct page *page;

	vmcb_layout_checks();
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm_vcpu_reset(vcpu);
	return 0;
}

void svm_vcpu_free(struct mv_vcpu *vcpu)
{
	free_page((unsigned long)to_svm(vcpu)->vmcb);
}

void svm_set_tdp_root(struct mv_vcpu *vcpu, phys_addr_t root)
{
	to_svm(vcpu)->npt_root = root;
	to_svm(vcpu)->vmcb->control.nested_cr3 = root;
}

/* The guest's EFER: in shadow mode LMA is ours to keep, else the hardware's. */
static u64 guest_efer(struct svm_vcpu *svm)
{
	return svm->shadow ? svm->efer : svm->efer | (svm->vmcb->save.efer & EFER_LMA);
}

void svm_get_ctrl(struct mv_vcpu *vcpu, struct mv_ctrl *ctrl)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save *s = &svm->vmcb->save;

	ctrl->cr0 = svm->shadow ? svm->guest_cr0 : s->cr0;
	ctrl->cr3 = svm->shadow ? svm->guest_cr3 : s->cr3;
	ctrl->cr4 = svm->shadow ? svm->guest_cr4 : s->cr4;
	ctrl->efer = guest_efer(svm);
	ctrl->cs_base = s->cs.base;
	ctrl->cs_l = s->cs.attrib & VMCB_ATTR_L;
	ctrl->cs_db = s->cs.attrib & VMCB_ATTR_DB;
	ctrl->cpl = s->cpl;
}

/* KVM's VCPU_SREG_* numbering, for the per-segment quirks. */
enum { VCPU_SREG_ES, VCPU_SREG_CS, VCPU_SREG_SS, VCPU_SREG_DS, VCPU_SREG_FS,
       VCPU_SREG_GS, VCPU_SREG_TR, VCPU_SREG_LDTR };

static void get_seg(const struct vmcb_save *save, const struct vmcb_seg *s,
		    struct kvm_segment *var, int which)
{
	var->base = s->base;
	var->limit = s->limit;
	var->selector = s->selector;
	var->type = s->attrib & VMCB_ATTR_TYPE_MASK;
	var->s = !!(s->attrib & VMCB_ATTR_S);
	var->dpl = (s->attrib >> VMCB_ATTR_DPL_SHIFT) & 3;
	var->present = !!(s->attrib & VMCB_ATTR_P);
	var->avl = !!(s->attrib & VMCB_ATTR_AVL);
	var->l = !!(s->attrib & VMCB_ATTR_L);
	var->db = !!(s->attrib & VMCB_ATTR_DB);
	var->g = s->limit > 0xfffff;
	var->unusable = !var->present;
	var->padding = 0;

	switch (which) {
	case VCPU_SREG_TR:
		var->type |= 0x2;		/* busy */
		break;
	case VCPU_SREG_DS:
	case VCPU_SREG_ES:
	case VCPU_SREG_FS:
	case VCPU_SREG_GS:
		if (!var->unusable)
			var->type |= 0x1;	/* the cached accessed bit */
		break;
	case VCPU_SREG_SS:
		if (var->unusable)
			var->db = 0;
		var->dpl = save->cpl;
		break;
	}
}

static void set_seg(struct vmcb_save *save, struct vmcb_seg *s,
		    const struct kvm_segment *var, int which)
{
	s->base = var->base;
	s->limit = var->limit;
	s->selector = var->selector;
	s->attrib = (var->type & VMCB_ATTR_TYPE_MASK) |
		    (var->s & 1) << 4 | (var->dpl & 3) << VMCB_ATTR_DPL_SHIFT |
		    ((var->present & 1) && !var->unusable) << 7 |
		    (var->avl & 1) << 8 | (var->l & 1) << 9 |
		    (var->db & 1) << 10 | (var->g & 1) << 11;
	if (which == VCPU_SREG_SS)
		save->cpl = var->dpl & 3;
}

void svm_get_sregs(struct mv_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save *s = &svm->vmcb->save;

	get_seg(s, &s->cs, &sregs->cs, VCPU_SREG_CS);
	get_seg(s, &s->ds, &sregs->ds, VCPU_SREG_DS);
	get_seg(s, &s->es, &sregs->es, VCPU_SREG_ES);
	get_seg(s, &s->fs, &sregs->fs, VCPU_SREG_FS);
	get_seg(s, &s->gs, &sregs->gs, VCPU_SREG_GS);
	get_seg(s, &s->ss, &sregs->ss, VCPU_SREG_SS);
	get_seg(s, &s->tr, &sregs->tr, VCPU_SREG_TR);
	get_seg(s, &s->ldtr, &sregs->ldt, VCPU_SREG_LDTR);
	sregs->gdt.base = s->gdtr.base;
	sregs->gdt.limit = s->gdtr.limit;
	sregs->idt.base = s->idtr.base;
	sregs->idt.limit = s->idtr.limit;
	memset(sregs->gdt.padding, 0, sizeof(sregs->gdt.padding));
	memset(sregs->idt.padding, 0, sizeof(sregs->idt.padding));
	sregs->cr0 = svm->shadow ? svm->guest_cr0 : s->cr0;
	sregs->cr2 = s->cr2;
	sregs->cr3 = svm->shadow ? svm->guest_cr3 : s->cr3;
	sregs->cr4 = svm->shadow ? svm->guest_cr4 : s->cr4;
	sregs->efer = guest_efer(svm);
}

/* The core validated sregs as KVM does (kvm_is_valid_sregs()). */
void svm_set_sregs(struct mv_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save *s = &svm->vmcb->save;

	set_seg(s, &s->cs, &sregs->cs, VCPU_SREG_CS);
	set_seg(s, &s->ds, &sregs->ds, VCPU_SREG_DS);
	set_seg(s, &s->es, &sregs->es, VCPU_SREG_ES);
	set_seg(s, &s->fs, &sregs->fs, VCPU_SREG_FS);
	set_seg(s, &s->gs, &sregs->gs, VCPU_SREG_GS);
	set_seg(s, &s->ss, &sregs->ss, VCPU_SREG_SS);
	set_seg(s, &s->tr, &sregs->tr, VCPU_SREG_TR);
	set_seg(s, &s->ldtr, &sregs->ldt, VCPU_SREG_LDTR);
	s->gdtr.base = sregs->gdt.base;
	s->gdtr.limit = sregs->gdt.limit;
	s->idtr.base = sregs->idt.base;
	s->idtr.limit = sregs->idt.limit;
	s->cr2 = sregs->cr2;
	if (svm->shadow) {
		svm->guest_cr0 = sregs->cr0;
		svm->guest_cr3 = sregs->cr3;
		svm->guest_cr4 = sregs->cr4;
	} else {
		s->cr0 = sregs->cr0;
		s->cr3 = sregs->cr3;
		s->cr4 = sregs->cr4;
	}
	svm_set_efer(vcpu, sregs->efer);
}

void svm_set_efer(struct mv_vcpu *vcpu, u64 efer)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (svm->shadow) {
		svm->efer = efer;
		svm_update_hw_paging(svm);
		return;
	}
	svm->efer = efer & ~EFER_LMA;
	/* LMA is the hardware's to keep, from CR0.PG and EFER.LME (APM vol 2 14.6). */
	svm->vmcb->save.efer = efer | EFER_SVME;
}

/* The MSRs the VMCB holds; VMLOAD/VMSAVE switch most of them. */
int svm_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb_save *s = &to_svm(vcpu)->vmcb->save;

	switch (index) {
	case MSR_STAR:			*data = s->star; break;
	case MSR_LSTAR:			*data = s->lstar; break;
	case MSR_CSTAR:			*data = s->cstar; break;
	case MSR_SYSCALL_MASK:		*data = s->sfmask; break;
	case MSR_KERNEL_GS_BASE:	*data = s->kernel_gs_base; break;
	case MSR_FS_BASE:		*data = s->fs.base; break;
	case MSR_GS_BASE:		*data = s->gs.base; break;
	case MSR_IA32_SYSENTER_CS:	*data = s->sysenter_cs; break;
	/*
	 * As KVM's svm_get_msr(): ESP as the VMCB holds it, EIP's 32 bits for
	 * an AMD guest (see svm_set_msr(); --only real --seed 1624098591).
	 */
	case MSR_IA32_SYSENTER_ESP:	*data = s->sysenter_esp; break;
	case MSR_IA32_SYSENTER_EIP:
		*data = mv_guest_is_intel(vcpu) ? s->sysenter_eip : (u32)s->sysenter_eip;
		break;
	case MSR_IA32_CR_PAT:		*data = s->g_pat; break;
	case MSR_IA32_DEBUGCTLMSR:	*data = s->dbgctl; break;
	default:
		return -ENOENT;
	}
	return 0;
}

int svm_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save *s = &vmcb->save;

	switch (index) {
	case MSR_STAR:			s->star = data; break;
	case MSR_LSTAR:			s->lstar = data; break;
	case MSR_CSTAR:			s->cstar = data; break;
	case MSR_SYSCALL_MASK:		s->sfmask = data; break;
	case MSR_KERNEL_GS_BASE:	s->kernel_gs_base = data; break;
	case MSR_FS_BASE:		s->fs.base = data; break;
	case MSR_GS_BASE:		s->gs.base = data; break;
	case MSR_IA32_SYSENTER_CS:	s->sysenter_cs = data; break;
	/*
	 * 32 bits for an AMD guest, as KVM's svm_set_msr() keeps them (AMD's
	 * SYSENTER is legacy-mode only); all 64 for an Intel-vendor one.
	 * The guest's own WRMSR passes through (svm_passthrough_msrs): QEMU
	 * TCG kept bits 63:32 that KVM_GET_MSRS showed (guest_fuzz, svm 6.1,
	 * --only long --seed 1624098499: 800000000 vs KVM's 0).
	 */
	case MSR_IA32_SYSENTER_ESP:
		s->sysenter_esp = mv_guest_is_intel(vcpu) ? data : (u32)data;
		break;
	case MSR_IA32_SYSENTER_EIP:
		s->sysenter_eip = mv_guest_is_intel(vcpu) ? data : (u32)data;
		break;
	case MSR_IA32_CR_PAT:		s->g_pat = data; break;
	case MSR_IA32_DEBUGCTLMSR:	s->dbgctl = data; break;
	default:
		return -ENOENT;
	}
	return 0;
}

void svm_set_tsc_offset(struct mv_vcpu *vcpu, u64 offset)
{
	to_svm(vcpu)->vmcb->control.tsc_offset = offset;
}
