// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_RUN: complete what userspace answered, then enter the guest and handle
 * exits until one needs userspace, a signal arrives, or an error happens.
 * Semantics follow KVM's kvm_arch_vcpu_ioctl_run() and vcpu_enter_guest():
 * userspace I/O completes before immediate_exit is looked at; a pending signal
 * gives -EINTR with KVM_EXIT_INTR; requests (TLB flushes) are checked with
 * IRQs off after the vCPU announced it is entering, so a remote kick either
 * sees it in guest mode or the vCPU sees the request.
 */
#include <linux/hw_breakpoint.h>
#include <linux/kvm_host.h>	/* guest_timing_enter/exit_irqoff() */
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <trace/events/ipi.h>	/* smp_send_reschedule()'s tracepoint (6.12) */
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>

#include "backend.h"
#include "compat.h"
#include "debug.h"
#include "exits.h"
#include "insn.h"
#include "irq/irqchip.h"
#include "irq/lapic.h"
#include "irq/mp_state.h"
#include "kvmclock.h"
#include "run.h"
#include "state.h"
#include "vcpu.h"
#include "vm.h"

u64 mv_host_xcr0;

/*
 * XCR0 and PKRU, with IRQs off around the entry (KVM's
 * kvm_load_guest_xsave_state()). PKRU is not in the state the guest FPU
 * swap restores (XFEATURE_MASK_USER_RESTORE leaves it out), and the host's
 * applies to the kernel's user accesses: it is switched when the guest can
 * have changed it, by WRPKRU (CR4.PKE) or XRSTOR (XCR0.PKRU).
 */
void mv_guest_xstate_load(struct mv_vcpu *vcpu, u64 guest_cr4)
{
	vcpu->xcr0_loaded = mv_host_xcr0 && (guest_cr4 & X86_CR4_OSXSAVE) &&
			    vcpu->xcr0 != mv_host_xcr0;
	if (vcpu->xcr0_loaded)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	vcpu->pkru_loaded = cpu_feature_enabled(X86_FEATURE_OSPKE) &&
			    ((vcpu->xcr0 & XFEATURE_MASK_PKRU) ||
			     (guest_cr4 & X86_CR4_PKE));
	if (vcpu->pkru_loaded) {
		vcpu->host_pkru = rdpkru();
		if (vcpu->pkru != vcpu->host_pkru)
			wrpkru(vcpu->pkru);
	}
}

void mv_guest_xstate_put(struct mv_vcpu *vcpu)
{
	if (vcpu->pkru_loaded) {
		vcpu->pkru = rdpkru();
		if (vcpu->pkru != vcpu->host_pkru)
			wrpkru(vcpu->host_pkru);
	}
	if (vcpu->xcr0_loaded)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, mv_host_xcr0);
}

void mv_events_delivered(struct mv_vcpu *vcpu)
{
	vcpu->exception.injected = false;
	vcpu->interrupt.injected = false;
	vcpu->nmi_injected = false;
}

void mv_requeue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error_code,
			  u32 error_code, u64 payload)
{
	vcpu->exception.injected = true;
	vcpu->exception.vector = vector;
	vcpu->exception.has_error_code = has_error_code;
	vcpu->exception.error_code = error_code;
	vcpu->exception.payload = payload;
	vcpu->exception.insn_len = 0;
}

enum { MV_EXC_BENIGN, MV_EXC_CONTRIBUTORY, MV_EXC_PF };

/* SDM vol 3A 6.15 table 6-4, as KVM's exception_class(). */
static int exception_class(u8 vector)
{
	switch (vector) {
	case PF_VECTOR:
		return MV_EXC_PF;
	case DE_VECTOR: case TS_VECTOR: case NP_VECTOR: case SS_VECTOR:
	case GP_VECTOR:
		return MV_EXC_CONTRIBUTORY;
	default:
		return MV_EXC_BENIGN;
	}
}

/*
 * An exception raised while another is on its way (SDM vol 3A 6.15 table
 * 6-5, KVM's kvm_multiple_exception()): any after #DF shuts the guest down;
 * contributory after contributory, or after #PF anything but a benign one,
 * makes #DF; otherwise the new one replaces the old, which re-executing
 * the instruction raises again.
 */
void mv_queue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error_code,
			u32 error_code)
{
	struct mv_event *ex = &vcpu->exception;

	if (ex->pending || ex->injected) {
		int prev = exception_class(ex->vector);
		int next = exception_class(vector);

		if (ex->vector == DF_VECTOR) {
			vcpu->triple_fault = true;
			return;
		}
		if ((prev == MV_EXC_CONTRIBUTORY && next == MV_EXC_CONTRIBUTORY) ||
		    (prev == MV_EXC_PF && next != MV_EXC_BENIGN)) {
			vector = DF_VECTOR;
			has_error_code = true;
			error_code = 0;
		}
	}
	ex->pending = true;
	ex->injected = false;
	ex->vector = vector;
	ex->has_error_code = has_error_code;
	ex->error_code = error_code;
	ex->payload = 0;
	ex->insn_len = 0;
}

void mv_queue_page_fault(struct mv_vcpu *vcpu, u64 address, u32 error_code)
{
	mv_queue_exception(vcpu, PF_VECTOR, true, error_code);
	vcpu->exception.payload = address;
}

/*
 * A fault-class exception: its delivery pushes RFLAGS with RF set (SDM vol
 * 3A 17.3.1.1). Not #DB (code breakpoints and general detect leave RF as
 * it is), the traps #BP and #OF, nor the aborts; KVM's
 * kvm_check_and_inject_events() with exception_type().
 */
static bool is_fault(u8 vector)
{
	switch (vector) {
	case DB_VECTOR: case NMI_VECTOR: case BP_VECTOR: case OF_VECTOR:
	case DF_VECTOR: case MC_VECTOR:
		return false;
	default:
		return vector < 32;
	}
}

/*
 * What goes into the guest at the next entry, in KVM's order
 * (kvm_check_and_inject_events()): an exception whose delivery was cut short
 * first; a new exception (a fault of the last instruction) before an NMI or
 * interrupt whose delivery was; then a new NMI. Decided before IRQs go off
 * (a #BP's length needs guest memory), programmed once the entry is sure.
 */
static void mv_select_events(struct mv_vcpu *vcpu)
{
	struct mv_event *ex = &vcpu->exception;

	if (ex->injected || vcpu->nmi_injected || vcpu->interrupt.injected) {
		if (!ex->pending || ex->injected)
			goto soft;
		/*
		 * The new exception wins; the cut-short event is dropped, as
		 * KVM does. No handler will IRET from that NMI: unblock.
		 */
		if (vcpu->nmi_injected)
			vcpu->nmi_masked = false;
		vcpu->nmi_injected = false;
		vcpu->interrupt.injected = false;
	}
	if (ex->pending) {
		ex->pending = false;
		ex->injected = true;
		if (is_fault(ex->vector))
			vcpu->regs.rflags |= X86_EFLAGS_RF;
	} else if (vcpu->nmi_pending && mv_backend->nmi_allowed(vcpu) &&
		   !(vcpu->guest_debug.control & KVM_GUESTDBG_BLOCKIRQ)) {
		vcpu->nmi_pending--;
		vcpu->nmi_injected = true;
		vcpu->nmi_masked = true;
	} else if (vcpu->lapic && mv_backend->interrupt_allowed(vcpu) &&
		   !(vcpu->guest_debug.control & KVM_GUESTDBG_BLOCKIRQ)) {
		/* The in-kernel irqchip's next interrupt (PIC ExtINT, LAPIC). */
		int v = mv_irqchip_get_interrupt(vcpu);

		if (v >= 0) {
			vcpu->interrupt.injected = true;
			vcpu->interrupt.vector = v;
		}
	}
soft:
	if (ex->injected && !ex->insn_len &&
	    (ex->vector == BP_VECTOR || ex->vector == OF_VECTOR))
		ex->insn_len = mv_soft_exception_len(vcpu, ex->vector);
}

/*
 * The QEMU TCG host leaves the vector of an EVENTINJ interrupt it delivered
 * in its pending exception and delivers it again at its next exit request
 * if no #VMEXIT came first (issue 10, ../shared/TESTING.md): an exit right
 * after each delivery closes that window. The emulated hosts' tests set it.
 */
static bool intr_exit;
module_param(intr_exit, bool, 0644);
MODULE_PARM_DESC(intr_exit, "Exit right after every injected interrupt, also with the in-kernel LAPIC (works around QEMU TCG's double delivery; KVM exits so only with a userspace irqchip)");

/* With IRQs off: the event mv_select_events() chose, into the VMCB/VMCS. */
static void mv_program_events(struct mv_vcpu *vcpu)
{
	const struct mv_backend *b = mv_backend;
	struct mv_event *ex = &vcpu->exception;

	if (ex->injected)
		b->inject(vcpu, MV_INJECT_EXCEPTION, ex->vector,
			  ex->has_error_code, ex->error_code, ex->payload);
	else if (vcpu->nmi_injected)
		b->inject(vcpu, MV_INJECT_NMI, NMI_VECTOR, false, 0, 0);
	else if (vcpu->interrupt.injected) {
		b->inject(vcpu, MV_INJECT_INTR, vcpu->interrupt.vector, false, 0, 0);
		/*
		 * With a userspace irqchip it exits again right after its
		 * delivery, as on KVM: kvm_check_and_inject_events() finds
		 * the injected interrupt still "injectable" (-EBUSY) and asks
		 * for an immediate exit, a self-IPI held until the guest runs
		 * (smp_send_reschedule(), as KVM's SVM backend). With the
		 * LAPIC in the kernel KVM does not; intr_exit=1 does it
		 * there too (see its description).
		 */
		if (!vcpu->lapic || intr_exit)
			smp_send_reschedule(smp_processor_id());
	}
}

/*
 * The exit being handled interrupted an event's delivery, which goes in again
 * at the next entry (the backend's complete_events() requeued it): the
 * instruction at RIP has not run (KVM's kvm_event_needs_reinjection()).
 */
bool mv_event_reinjecting(const struct mv_vcpu *vcpu)
{
	return vcpu->exception.injected || vcpu->nmi_injected ||
	       vcpu->interrupt.injected;
}

/*
 * KVM's kvm_vcpu_ready_for_interrupt_injection() without an in-kernel
 * irqchip: not while an event is half-injected, nor while an exception is
 * pending (a fault of the previous instruction, delivered before any new
 * event: an interrupt userspace queued now would go in first).
 */
/*
 * Can userspace's PIC give an ExtINT now (KVM's kvm_cpu_accept_dm_intr())?
 * With a LAPIC (split irqchip): room for one, and LINT0 taking it.
 */
static bool mv_accept_dm_intr(struct mv_vcpu *vcpu)
{
	return !vcpu->lapic ||
	       (vcpu->ext_vector < 0 && mv_lapic_accepts_pic(vcpu));
}

/*
 * Does userspace's PIC get an interrupt window (KVM's req_int_win)? Only
 * when asked and when it could then give its ExtINT: with LINT0 masked, as
 * Linux leaves it with an IOAPIC, the window would open and exit at every
 * entry, for ever.
 */
static bool mv_user_irq_window(struct mv_vcpu *vcpu)
{
	return vcpu->run->request_interrupt_window && !mv_pic_in_kernel(vcpu) &&
	       mv_accept_dm_intr(vcpu);
}

bool mv_ready_for_interrupt(struct mv_vcpu *vcpu)
{
	if (!mv_accept_dm_intr(vcpu))
		return false;
	return mv_backend->interrupt_allowed(vcpu) &&
	       !vcpu->interrupt.injected && !vcpu->exception.injected &&
	       !vcpu->exception.pending && !vcpu->nmi_injected;
}

void mv_vcpu_request(struct mv_vcpu *vcpu, enum mv_request req)
{
	set_bit(req, &vcpu->requests);
	/* The request is visible before we look at the vCPU's mode. */
	smp_mb__after_atomic();
}

static void mv_kick_ipi(void *unused)
{
	/* Taking the IPI already made the vCPU leave the guest. */
}

/*
 * The mode first, then the CPU (KVM's kvm_vcpu_kick()): the acquire pairs
 * with mv_enter_guest()'s release of MV_IN_GUEST, which comes after it wrote
 * vcpu->cpu, so the IPI goes where that entry runs. Read the other way, a
 * vCPU that moved to another CPU since its last entry got the IPI at its old
 * CPU: the caller went on (freed or write-protected a page) while the guest
 * still ran on a TLB the flush request had not reached yet.
 */
void mv_vcpu_kick(struct mv_vcpu *vcpu)
{
	int cpu;

	if (smp_load_acquire(&vcpu->mode) != MV_IN_GUEST)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0)
		smp_call_function_single(cpu, mv_kick_ipi, NULL, 1);
}

void mv_vcpu_wake(struct mv_vcpu *vcpu)
{
	int cpu;

	mv_vcpu_request(vcpu, MV_REQ_EVENT);
	if (rcuwait_wake_up(&vcpu->wait))
		return;
	/* As KVM's kvm_vcpu_kick(): a reschedule IPI, nothing waited for. */
	if (smp_load_acquire(&vcpu->mode) != MV_IN_GUEST)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		smp_send_reschedule(cpu);
}

/*
 * Enters the guest once. Returns 1 when an exit is to be handled in
 * vcpu->exit, 0 when the entry was called off (a signal, a reschedule, a
 * root to reload) and the caller's loop should look again, -errno if the
 * shadow root could not be loaded.
 */
static int mv_enter_guest(struct mv_vcpu *vcpu, int *srcu_idx)
	__must_hold(&vcpu->vm->srcu)
{
	bool flush;

	/* A new shadow root may need memory and guest reads: before IRQs go off. */
	if (test_and_clear_bit(MV_REQ_MMU_RELOAD, &vcpu->requests)) {
		int r = mv_shadow_load_root(vcpu);

		if (r)
			return r;
	}
	/* Guest memory writes may fault: before IRQs go off too. */
	if (test_and_clear_bit(MV_REQ_CLOCK_UPDATE, &vcpu->requests) ||
	    vcpu->clock.catchup)
		mv_kvmclock_update(vcpu);
	clear_bit(MV_REQ_EVENT, &vcpu->requests);
	if (vcpu->lapic) {
		mv_mp_accept_events(vcpu);
		/* An INIT moved the vCPU to wait for a SIPI: no entry. */
		if (vcpu->mp_state != KVM_MP_STATE_RUNNABLE)
			return 0;
		vcpu->cr8 = mv_lapic_get_cr8(vcpu);
	}
	mv_select_events(vcpu);
	/*
	 * An interrupt that cannot go in now: exit when it can (KVM's
	 * enable_irq_window() after kvm_check_and_inject_events()).
	 */
	if (!vcpu->interrupt.injected &&
	    (mv_user_irq_window(vcpu) ||
	     (vcpu->lapic && mv_irqchip_has_interrupt(vcpu))))
		mv_backend->enable_irq_window(vcpu);

	preempt_disable();
	if (mv_backend->prepare_run)
		mv_backend->prepare_run(vcpu, smp_processor_id());
	local_irq_disable();
	/* Where a kick must go, before the mode says to send one (above). */
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	smp_store_release(&vcpu->mode, MV_IN_GUEST);
	srcu_read_unlock(&vcpu->vm->srcu, *srcu_idx);
	smp_mb__after_srcu_read_unlock();	/* mode before requests */

	/* Without a master clock KVM redoes the pvclock on another CPU. */
	if (mv_kvmclock_moved(vcpu, smp_processor_id()))
		mv_vcpu_request(vcpu, MV_REQ_CLOCK_UPDATE);
	if (signal_pending(current) || need_resched() ||
	    test_bit(MV_REQ_EVENT, &vcpu->requests) ||
	    test_bit(MV_REQ_MMU_RELOAD, &vcpu->requests) ||
	    test_bit(MV_REQ_CLOCK_UPDATE, &vcpu->requests)) {
		WRITE_ONCE(vcpu->mode, MV_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		*srcu_idx = srcu_read_lock(&vcpu->vm->srcu);
		return 0;
	}
	flush = test_and_clear_bit(MV_REQ_TLB_FLUSH, &vcpu->requests);
	/* Only now: an entry called off must leave nothing programmed. */
	mv_program_events(vcpu);
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	/* The host's breakpoints must not fire while guest state is loaded. */
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	/*
	 * DR7 switches with the VMCB/VMCS, DR0-3 do not: load the guest's (or
	 * the debugger's, KVM_GUESTDBG_USE_HW_BP) while that DR7 enables any
	 * breakpoint (host DR7 is off until hw_breakpoint_restore() below
	 * puts the host's back).
	 */
	if (mv_hw_dr7(vcpu) & MV_DR7_BP_ENABLES) {
		const u64 *db = mv_hw_db(vcpu);

		set_debugreg(db[0], 0);
		set_debugreg(db[1], 1);
		set_debugreg(db[2], 2);
		set_debugreg(db[3], 3);
	}

	/* Ticks from here to guest_timing_exit_irqoff() count as guest time. */
	guest_timing_enter_irqoff();
	mv_backend->run(vcpu, flush);

	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	smp_store_release(&vcpu->mode, MV_OUTSIDE_GUEST);
	/*
	 * Host interrupts that exited the guest run here, their tick still
	 * accounted to the guest (KVM's vcpu_enter_guest() does the same).
	 */
	local_irq_enable();
	local_irq_disable();
	guest_timing_exit_irqoff();
	local_irq_enable();
	preempt_enable();
	*srcu_idx = srcu_read_lock(&vcpu->vm->srcu);
	vcpu->stat.exits++;
	/* MOV CR8 ran on the hardware's TPR (KVM's sync_cr8_to_lapic()). */
	if (vcpu->lapic && vcpu->cr8 != mv_lapic_get_cr8(vcpu))
		mv_lapic_set_cr8(vcpu, vcpu->cr8);
	return 1;
}

static void mv_post_run(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->flags = 0;
	run->if_flag = !!(vcpu->regs.rflags & X86_EFLAGS_IF);
	run->cr8 = vcpu->lapic ? mv_lapic_get_cr8(vcpu) : vcpu->cr8;
	run->apic_base = vcpu->apic_base;
	/* KVM's post_kvm_run_save(): always with the in-kernel PIC. */
	run->ready_for_interrupt_injection = mv_pic_in_kernel(vcpu) ||
					     mv_ready_for_interrupt(vcpu);
}

int mv_vcpu_run(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	sigset_t saved;
	int r, idx;

	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &saved);
	fpu_swap_kvm_fpstate(&vcpu->fpu, true);
	idx = srcu_read_lock(&vcpu->vm->srcu);

	/*
	 * An AP never INITed sleeps until INIT (or a signal); KVM_RUN then
	 * returns -EAGAIN and the next one waits for the SIPI (KVM's
	 * kvm_arch_vcpu_ioctl_run()).
	 */
	if (vcpu->mp_state == KVM_MP_STATE_UNINITIALIZED) {
		r = -EINTR;
		if (mv_run_immediate_exit(run))
			goto out;
		mv_mp_block(vcpu, &idx);
		r = -EAGAIN;
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			vcpu->stat.signal_exits++;
			r = -EINTR;
		}
		goto out;
	}

	/* KVM_CAP_SYNC_REGS: kvm_dirty_regs first, as KVM's sync_regs(). */
	r = mv_sync_regs_in(vcpu);
	if (r)
		goto out;
	/*
	 * Without an in-kernel LAPIC kvm_run->cr8 is the TPR userspace gives
	 * the guest at each KVM_RUN (KVM: "re-sync apic's tpr", kvm_set_cr8()).
	 */
	if (!vcpu->lapic) {
		if (run->cr8 & ~0xfULL) {
			r = -EINVAL;
			goto out;
		}
		vcpu->cr8 = run->cr8;
	}

	/* Host state the backend keeps across entries may have changed. */
	vcpu->host_state_stale = true;
	r = mv_debug_after_insn(vcpu, mv_complete_userspace(vcpu));
	if (r <= 0)
		goto out;
	if (mv_run_immediate_exit(run)) {
		r = -EINTR;
		goto out;
	}

	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			vcpu->stat.signal_exits++;
			r = -EINTR;
			break;
		}
		cond_resched();
		/* Halted, or waiting for INIT/SIPI (in-kernel LAPIC only). */
		if (vcpu->mp_state != KVM_MP_STATE_RUNNABLE) {
			mv_mp_block(vcpu, &idx);
			continue;
		}
		/* Before every entry, as KVM's KVM_REQ_TRIPLE_FAULT. */
		if (vcpu->triple_fault) {
			r = mv_triple_fault(vcpu);
			break;
		}
		r = mv_enter_guest(vcpu, &idx);
		if (r < 0)
			break;
		if (!r)
			continue;
		r = mv_debug_after_insn(vcpu, mv_handle_exit(vcpu));
		if (r <= 0)
			break;
		if (test_and_clear_bit(MV_REQ_IOAPIC_EOI_EXIT, &vcpu->requests)) {
			run->exit_reason = KVM_EXIT_IOAPIC_EOI;
			run->eoi.vector = vcpu->ioapic_eoi_vector;
			r = 0;
			break;
		}
		if (run->request_interrupt_window && !mv_pic_in_kernel(vcpu) &&
		    mv_ready_for_interrupt(vcpu)) {
			run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
			vcpu->stat.irq_window_exits++;
			r = 0;
			break;
		}
	}
out:
	srcu_read_unlock(&vcpu->vm->srcu, idx);
	fpu_swap_kvm_fpstate(&vcpu->fpu, false);
	if (run->kvm_valid_regs)
		mv_sync_regs_out(vcpu);
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &saved, NULL);
	mv_post_run(vcpu);
	return r;
}
