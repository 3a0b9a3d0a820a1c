// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU state through the KVM API: registers, special registers (validated as
 * KVM's kvm_is_valid_sregs() does since Linux 6.12), FPU/XSAVE/XCRs, pending
 * events, MP state and address translation. Each answers as KVM's x86.c does.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>

#include "backend.h"
#include "cpuid.h"
#include "cr.h"
#include "debug.h"
#include "mmu/walk.h"
#include "msr.h"
#include "irq/mp_state.h"
#include "state.h"
#include "vcpu.h"
#include "vm.h"

#define MV_MAX_XCRS	16	/* KVM_MAX_XCRS */

long mv_get_regs(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	const u64 *g = vcpu->regs.gpr;
	struct kvm_regs *r = karg;

	r->rax = g[MV_RAX]; r->rbx = g[MV_RBX]; r->rcx = g[MV_RCX];
	r->rdx = g[MV_RDX]; r->rsi = g[MV_RSI]; r->rdi = g[MV_RDI];
	r->rsp = g[MV_RSP]; r->rbp = g[MV_RBP];
	r->r8 = g[MV_R8]; r->r9 = g[MV_R9]; r->r10 = g[MV_R10];
	r->r11 = g[MV_R11]; r->r12 = g[MV_R12]; r->r13 = g[MV_R13];
	r->r14 = g[MV_R14]; r->r15 = g[MV_R15];
	r->rip = vcpu->regs.rip;
	r->rflags = mv_get_rflags(vcpu);
	return 0;
}

long mv_set_regs(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	u64 *g = vcpu->regs.gpr;
	struct kvm_regs *r = karg;

	g[MV_RAX] = r->rax; g[MV_RBX] = r->rbx; g[MV_RCX] = r->rcx;
	g[MV_RDX] = r->rdx; g[MV_RSI] = r->rsi; g[MV_RDI] = r->rdi;
	g[MV_RSP] = r->rsp; g[MV_RBP] = r->rbp;
	g[MV_R8] = r->r8; g[MV_R9] = r->r9; g[MV_R10] = r->r10;
	g[MV_R11] = r->r11; g[MV_R12] = r->r12; g[MV_R13] = r->r13;
	g[MV_R14] = r->r14; g[MV_R15] = r->r15;
	vcpu->regs.rip = r->rip;
	mv_set_rflags(vcpu, r->rflags | X86_EFLAGS_FIXED);
	/* KVM drops a pending (not yet injected) exception here. */
	vcpu->exception.pending = false;
	return 0;
}

long mv_get_sregs(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_sregs *s = karg;

	mv_backend->get_sregs(vcpu, s);
	s->cr8 = vcpu->cr8;
	s->apic_base = vcpu->apic_base;
	memset(s->interrupt_bitmap, 0, sizeof(s->interrupt_bitmap));
	if (vcpu->interrupt.injected)
		__set_bit(vcpu->interrupt.vector,
			  (unsigned long *)s->interrupt_bitmap);
	return 0;
}

/* KVM's kvm_is_valid_sregs() (6.12): consistent modes, legal CRs and EFER. */
static bool sregs_valid(struct mv_vcpu *vcpu, const struct kvm_sregs *s)
{
	u64 cr3_rsvd = GENMASK_ULL(63, boot_cpu_data.x86_phys_bits);

	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
		if (s->cr3 & cr3_rsvd)
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	if (!mv_cr4_valid(vcpu, s->cr4) || !mv_cr0_valid(s->cr0))
		return false;
	if (s->efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return false;
	if ((s->efer & (EFER_LME | EFER_LMA)) &&
	    !mv_guest_has(vcpu, 0x80000001, MV_EDX, 29))
		return false;
	if ((s->efer & EFER_NX) && !mv_guest_has(vcpu, 0x80000001, MV_EDX, 20))
		return false;
	return true;
}

long mv_set_sregs(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_sregs *s = karg;
	unsigned int vec;

	if (!sregs_valid(vcpu, s) ||
	    mv_msr_set(vcpu, MSR_IA32_APICBASE, s->apic_base, true))
		return -EINVAL;
	mv_backend->set_sregs(vcpu, s);
	if (vcpu->vm->shadow_paging)
		mv_vcpu_request(vcpu, MV_REQ_MMU_RELOAD);
	vcpu->cr8 = s->cr8;
	vec = find_first_bit((unsigned long *)s->interrupt_bitmap,
			     KVM_NR_INTERRUPTS);
	if (vec < KVM_NR_INTERRUPTS) {
		vcpu->interrupt.injected = true;
		vcpu->interrupt.vector = vec;
	}
	return 0;
}

long mv_get_fpu(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct fxregs_state *fx = &vcpu->fpu.fpstate->regs.fxsave;
	struct kvm_fpu *f = karg;

	memcpy(f->fpr, fx->st_space, sizeof(f->fpr));
	f->fcw = fx->cwd;
	f->fsw = fx->swd;
	f->ftwx = fx->twd;
	f->last_opcode = fx->fop;
	f->last_ip = fx->rip;
	f->last_dp = fx->rdp;
	memcpy(f->xmm, fx->xmm_space, sizeof(f->xmm));
	/* mxcsr stays 0, as KVM's kvm_arch_vcpu_ioctl_get_fpu(): see below. */
	return 0;
}

long mv_set_fpu(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct fxregs_state *fx = &vcpu->fpu.fpstate->regs.fxsave;
	struct kvm_fpu *f = karg;

	memcpy(fx->st_space, f->fpr, sizeof(f->fpr));
	fx->cwd = f->fcw;
	fx->swd = f->fsw;
	fx->twd = f->ftwx;
	fx->fop = f->last_opcode;
	fx->rip = f->last_ip;
	fx->rdp = f->last_dp;
	memcpy(fx->xmm_space, f->xmm, sizeof(fx->xmm_space));
	/*
	 * Not mxcsr, as KVM's kvm_arch_vcpu_ioctl_set_fpu(): KVM_SET_XSAVE is
	 * the way to it, and it checks the reserved bits, which would make
	 * the host's XRSTOR of this state fault (SDM vol 1 13.8).
	 */
	return 0;
}

/* struct kvm_xsave is 4 KiB: copied here, not by the dispatcher. */
long mv_get_xsave(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_xsave *x;
	long r = 0;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	/*
	 * KVM's kvm_vcpu_ioctl_x86_get_xsave2(): only the components the
	 * guest's CPUID offers, plus x87 and SSE always, so that the header
	 * names nothing KVM_SET_XSAVE elsewhere could refuse. PKRU is kept
	 * outside the fpstate (run.c).
	 */
	fpu_copy_guest_fpstate_to_uabi(&vcpu->fpu, x->region, sizeof(x->region),
				       mv_guest_supported_xcr0(vcpu) |
				       XFEATURE_MASK_FPSSE, vcpu->pkru);
	if (copy_to_user((void __user *)arg, x, sizeof(*x)))
		r = -EFAULT;
	kfree(x);
	return r;
}

long mv_set_xsave(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_xsave *x;
	long r;

	x = memdup_user((void __user *)arg, sizeof(*x));
	if (IS_ERR(x))
		return PTR_ERR(x);
	/* PKRU is set only when the header's XSTATE_BV names it (KVM). */
	r = fpu_copy_uabi_to_guest_fpstate(&vcpu->fpu, x->region,
					   mv_supported_xcr0(), &vcpu->pkru);
	kfree(x);
	return r;
}

long mv_get_xcrs(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_xcrs *x = karg;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	x->nr_xcrs = 1;
	x->xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	x->xcrs[0].value = vcpu->xcr0;
	return 0;
}

long mv_set_xcrs(void *obj, unsigned long arg, void *karg)
{
	struct kvm_xcrs *x = karg;
	unsigned int i;

	if (!boot_cpu_has(X86_FEATURE_XSAVE) || x->nr_xcrs > MV_MAX_XCRS ||
	    x->flags)
		return -EINVAL;
	for (i = 0; i < x->nr_xcrs; i++)
		if (x->xcrs[i].xcr == XCR_XFEATURE_ENABLED_MASK)
			return mv_set_xcr(obj, 0, x->xcrs[i].value) ? -EINVAL : 0;
	return 0;
}

/* KVM's kvm_vcpu_ioctl_x86_get_vcpu_events() without payload/SMM caps. */
long mv_get_events(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_vcpu_events *e = karg;

	/*
	 * As KVM: a #BP/#OF (INT3/INTO's trap) is not reported, the ABI having
	 * no field for its instruction's length; RIP is still at the
	 * instruction, which raises it again.
	 */
	e->exception.injected = (vcpu->exception.injected || vcpu->exception.pending) &&
				vcpu->exception.vector != BP_VECTOR &&
				vcpu->exception.vector != OF_VECTOR;
	e->exception.pending = 0;
	e->exception.nr = vcpu->exception.vector;
	e->exception.has_error_code = vcpu->exception.has_error_code;
	e->exception.error_code = vcpu->exception.error_code;
	e->interrupt.injected = vcpu->interrupt.injected;
	e->interrupt.nr = vcpu->interrupt.vector;
	e->interrupt.soft = 0;
	e->interrupt.shadow = mv_backend->get_interrupt_shadow(vcpu);
	e->nmi.injected = vcpu->nmi_injected;
	e->nmi.pending = vcpu->nmi_pending;	/* a count, as Linux 6.12 */
	e->nmi.masked = vcpu->nmi_masked;
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		   KVM_VCPUEVENT_VALID_SMM;
	return 0;
}

long mv_set_events(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_vcpu_events *e = karg;

	if (e->flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING |
			 KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			 KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM))
		return -EINVAL;
	if (e->exception.injected &&
	    (e->exception.nr > 31 || e->exception.nr == NMI_VECTOR))
		return -EINVAL;
	/* No SMM in minivirt. */
	if ((e->flags & KVM_VCPUEVENT_VALID_SMM) && e->smi.smm)
		return -EINVAL;

	vcpu->exception.injected = e->exception.injected;
	vcpu->exception.pending = false;
	vcpu->exception.vector = e->exception.nr;
	vcpu->exception.has_error_code = e->exception.has_error_code;
	vcpu->exception.error_code = e->exception.error_code;
	vcpu->exception.payload = 0;
	vcpu->interrupt.injected = e->interrupt.injected;
	vcpu->interrupt.vector = e->interrupt.nr;
	if (e->flags & KVM_VCPUEVENT_VALID_SHADOW)
		mv_backend->set_interrupt_shadow(vcpu, e->interrupt.shadow);
	vcpu->nmi_injected = e->nmi.injected;
	vcpu->nmi_masked = e->nmi.masked;
	/* KVM's process_nmi() limit: two pending, one while NMIs are blocked. */
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		vcpu->nmi_pending = min_t(unsigned int, e->nmi.pending,
					  vcpu->nmi_masked || vcpu->nmi_injected ? 1 : 2);
	return 0;
}

long mv_get_mp_state(void *obj, unsigned long arg, void *karg)
{
	return mv_mp_get_state(obj, karg);
}

/* Without an in-kernel LAPIC, KVM accepts only RUNNABLE (mp_state.c). */
long mv_set_mp_state(void *obj, unsigned long arg, void *karg)
{
	return mv_mp_set_state(obj, karg);
}

/* KVM_TRANSLATE: a supervisor read; KVM reports writeable 1, usermode 0. */
long mv_translate(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_translation *tr = karg;
	struct mv_walk walk;
	struct mv_ctrl ctrl;
	int idx, r;

	mv_backend->get_ctrl(vcpu, &ctrl);
	idx = srcu_read_lock(&vcpu->vm->srcu);
	r = mv_walk(vcpu->vm, &ctrl, tr->linear_address, 0,
		    vcpu->regs.rflags & X86_EFLAGS_AC, &walk);
	srcu_read_unlock(&vcpu->vm->srcu, idx);
	tr->physical_address = r ? ~0ULL : walk.gpa;
	tr->valid = !r;
	tr->writeable = 1;
	tr->usermode = 0;
	return 0;
}
