// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debugging: KVM_SET_GUEST_DEBUG for a debugger in userspace (QEMU's
 * gdbstub), the guest's own debug registers through KVM_GET/SET_DEBUGREGS,
 * and what a #DB or #BP the backends intercepted means. Semantics are KVM's
 * (x86.c kvm_arch_vcpu_ioctl_set_guest_debug(), kvm_get/set_rflags(),
 * kvm_vcpu_do_singlestep(), kvm_deliver_exception_payload(); svm.c
 * db_interception(), bp_interception(); vmx.c handle_exception_nmi()):
 * - SINGLESTEP sets RFLAGS.TF for the guest; KVM_GET_REGS hides it, and it
 *   is set again only while RIP is where stepping was asked for. A step
 *   over an instruction the core completes (CPUID, an OUT userspace
 *   finished...) exits as KVM_EXIT_DEBUG with DR6.BS, not a hardware #DB.
 * - USE_HW_BP: debugreg[0-3] and [7] are in the hardware instead of the
 *   guest's DR0-3/DR7, which the guest still reads and writes as its own.
 * - USE_SW_BP: #BP is intercepted (the core's exception list) and exits.
 * - A #DB while the debugger steps or uses breakpoints is the debugger's;
 *   otherwise the guest's, merged into its DR6 as KVM does.
 */
#include <linux/kernel.h>
#include <linux/kvm.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "backend.h"
#include "debug.h"
#include "insn.h"
#include "vcpu.h"
#include "vm.h"

#define DR6_BS		BIT_ULL(14)	/* SDM vol 3B 18.2.3 */
#define DR6_RSVD_12	BIT_ULL(12)	/* reserved in DR6, "enabled bp" in VMX */
#define DR6_TRAP_BITS	0xfULL		/* B0-3 */
#define DR6_BD		BIT_ULL(13)

/* KVM's kvm_get_linear_rip(): CS base + RIP, 32 bits outside 64-bit mode. */
static u64 linear_rip(struct mv_vcpu *vcpu)
{
	struct mv_ctrl ctrl;

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (mv_code_mode(&ctrl, vcpu->regs.rflags) == MV_EMU_MODE64)
		return vcpu->regs.rip;
	return (u32)(ctrl.cs_base + vcpu->regs.rip);
}

u64 mv_hw_dr7(const struct mv_vcpu *vcpu)
{
	if (vcpu->guest_debug.control & KVM_GUESTDBG_USE_HW_BP)
		return vcpu->guest_debug.dr7;
	return vcpu->dr7;
}

const u64 *mv_hw_db(const struct mv_vcpu *vcpu)
{
	if (vcpu->guest_debug.control & KVM_GUESTDBG_USE_HW_BP)
		return vcpu->guest_debug.db;
	return vcpu->dr;
}

/*
 * #MC is the host's; #AC and #DB are intercepted so that a guest cannot wedge
 * the CPU in an endless delivery (CVE-2015-5307, CVE-2015-8104); #UD for the
 * other vendor's hypercall (hypercall.c); #PF under shadow paging; #BP while
 * the debugger plants INT3s (KVM's vmx_update_exception_bitmap(),
 * svm_update_exception_bitmap(), and init_vmcb()'s UD_VECTOR).
 */
u32 mv_exception_intercepts(const struct mv_vcpu *vcpu)
{
	u32 eb = BIT(MC_VECTOR) | BIT(AC_VECTOR) | BIT(DB_VECTOR) |
		 BIT(UD_VECTOR);

	if (vcpu->vm->shadow_paging)
		eb |= BIT(PF_VECTOR);
	if (vcpu->guest_debug.control & KVM_GUESTDBG_USE_SW_BP)
		eb |= BIT(BP_VECTOR);
	return eb;
}

u64 mv_get_rflags(struct mv_vcpu *vcpu)
{
	u64 rflags = vcpu->regs.rflags;

	if (vcpu->guest_debug.control & KVM_GUESTDBG_SINGLESTEP)
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

void mv_set_rflags(struct mv_vcpu *vcpu, u64 rflags)
{
	const struct mv_guest_debug *gd = &vcpu->guest_debug;

	if ((gd->control & KVM_GUESTDBG_SINGLESTEP) &&
	    linear_rip(vcpu) == gd->singlestep_rip)
		rflags |= X86_EFLAGS_TF;
	vcpu->regs.rflags = rflags;
}

/*
 * KVM's kvm_deliver_exception_payload() for #DB: B0-3 replaced, the active-
 * low bits flipped where the payload has them, bit 12 clear; the CPU clears
 * DR7.GD as it enters the handler (SDM vol 3B 18.2.4).
 */
void mv_queue_db(struct mv_vcpu *vcpu, u64 payload)
{
	u64 dr6 = (vcpu->dr6 & ~DR6_TRAP_BITS) | MV_DR6_ACTIVE_LOW | payload;

	vcpu->dr6 = (dr6 ^ (payload & MV_DR6_ACTIVE_LOW)) & ~DR6_RSVD_12;
	vcpu->dr7 &= ~MV_DR7_GD;
	mv_queue_exception(vcpu, DB_VECTOR, false, 0);
}

/*
 * KVM's kvm_skip_emulated_instruction(): "the processor will not generate
 * this exception after the instruction that sets the TF flag", so TF as it
 * was before the instruction counts.
 */
void mv_debug_insn_done(struct mv_vcpu *vcpu)
{
	if (likely(!(vcpu->regs.rflags & X86_EFLAGS_TF)))
		return;
	if (vcpu->guest_debug.control & KVM_GUESTDBG_SINGLESTEP)
		vcpu->guest_debug.step_done = true;
	else
		mv_queue_db(vcpu, DR6_BS);
}

static int debug_exit(struct mv_vcpu *vcpu, u8 vector)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = vector;
	run->debug.arch.pc = linear_rip(vcpu);
	return 0;
}

/*
 * After an exit's handler or a completion returned r: a step the core made
 * exits now, unless the handler already chose an exit to userspace (KVM's
 * kvm_emulate_halt() lets KVM_EXIT_HLT win likewise).
 */
int mv_debug_after_insn(struct mv_vcpu *vcpu, int r)
{
	if (likely(!vcpu->guest_debug.step_done))
		return r;
	vcpu->guest_debug.step_done = false;
	if (r <= 0)
		return r;
	vcpu->run->debug.arch.dr6 = DR6_BS | MV_DR6_ACTIVE_LOW;
	return debug_exit(vcpu, DB_VECTOR);
}

int mv_handle_db(struct mv_vcpu *vcpu)
{
	u64 payload = vcpu->exit.db.payload;

	if (!(vcpu->guest_debug.control &
	      (KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP))) {
		/*
		 * ICEBP (INT1) exits on VMX before it ran: step over it, with
		 * no single-step trap of its own (KVM: skip_emulated_
		 * instruction()), so the guest's #DB returns past it.
		 */
		if (vcpu->exit.db.icebp) {
			vcpu->regs.rip += vcpu->exit.insn_len;
			mv_backend->set_interrupt_shadow(vcpu, 0);
		}
		mv_queue_db(vcpu, payload);
		return 1;
	}
	/* KVM reports DR6 as VMX's exit qualification | DR6_ACTIVE_LOW. */
	vcpu->run->debug.arch.dr6 = payload | MV_DR6_ACTIVE_LOW;
	vcpu->run->debug.arch.dr7 = mv_hw_dr7(vcpu);
	return debug_exit(vcpu, DB_VECTOR);
}

int mv_debug_general_detect(struct mv_vcpu *vcpu)
{
	if (vcpu->guest_debug.control & KVM_GUESTDBG_USE_HW_BP) {
		vcpu->run->debug.arch.dr6 = DR6_BD | MV_DR6_ACTIVE_LOW;
		vcpu->run->debug.arch.dr7 = mv_hw_dr7(vcpu);
		return debug_exit(vcpu, DB_VECTOR);
	}
	mv_queue_db(vcpu, DR6_BD);
	return 1;
}

/* Only intercepted for USE_SW_BP: RIP is at the INT3. */
int mv_handle_bp(struct mv_vcpu *vcpu)
{
	return debug_exit(vcpu, BP_VECTOR);
}

long mv_set_guest_debug(void *obj, unsigned long arg, void *karg)
{
	const struct kvm_guest_debug *dbg = karg;
	struct mv_vcpu *vcpu = obj;
	struct mv_guest_debug *gd = &vcpu->guest_debug;
	u64 rflags;
	int i;

	if (dbg->control & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		if (vcpu->exception.pending || vcpu->exception.injected)
			return -EBUSY;
		mv_queue_exception(vcpu, dbg->control & KVM_GUESTDBG_INJECT_DB ?
				   DB_VECTOR : BP_VECTOR, false, 0);
	}
	/* Read while the old control still hides a TF of our own. */
	rflags = mv_get_rflags(vcpu);

	gd->control = dbg->control & KVM_GUESTDBG_ENABLE ? dbg->control : 0;
	if (gd->control & KVM_GUESTDBG_USE_HW_BP) {
		for (i = 0; i < 4; i++)
			gd->db[i] = dbg->arch.debugreg[i];
		gd->dr7 = dbg->arch.debugreg[7];
	}
	if (gd->control & KVM_GUESTDBG_SINGLESTEP)
		gd->singlestep_rip = linear_rip(vcpu);
	gd->step_done = false;
	/* Sets or clears the TF of single-stepping. */
	mv_set_rflags(vcpu, rflags);
	mv_backend->update_exception_intercepts(vcpu);
	return 0;
}

long mv_get_debugregs(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_debugregs *d = karg;

	memset(d, 0, sizeof(*d));
	BUILD_BUG_ON(sizeof(d->db) != sizeof(vcpu->dr));
	memcpy(d->db, vcpu->dr, sizeof(d->db));
	d->dr6 = vcpu->dr6;
	d->dr7 = vcpu->dr7;
	return 0;
}

/* KVM checks the flags and that DR6/DR7 fit in 32 bits; values go in as given. */
long mv_set_debugregs(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	struct kvm_debugregs *d = karg;

	if (d->flags || (d->dr6 >> 32) || (d->dr7 >> 32))
		return -EINVAL;
	memcpy(vcpu->dr, d->db, sizeof(vcpu->dr));
	vcpu->dr6 = d->dr6;
	vcpu->dr7 = d->dr7;
	return 0;
}
