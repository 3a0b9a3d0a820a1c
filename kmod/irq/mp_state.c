// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vCPU's activity state with an in-kernel LAPIC (KVM's mp_state): HLT
 * sleeps in KVM_RUN until an event (KVM's vcpu_block(), kvm_vcpu_has_
 * events()); INIT resets the vCPU and an AP then waits for a SIPI (SDM vol
 * 3A 9.4.4, 10.6.1 "INIT", "Start-Up"; KVM's kvm_apic_accept_events());
 * KVM_GET/SET_MP_STATE with every state KVM takes.
 */
#include <linux/kvm.h>
#include <linux/rcuwait.h>
#include <linux/sched/signal.h>

#include "../backend.h"
#include "../exits.h"
#include "../vcpu.h"
#include "../vm.h"
#include "irqchip.h"
#include "lapic.h"
#include "mp_state.h"

static bool is_bsp(const struct mv_vcpu *vcpu)
{
	return vcpu->apic_base & MSR_IA32_APICBASE_BSP;
}

/* SIPI (SDM vol 3A 9.4.4.1): CS = vector << 8, base vector << 12, IP 0. */
static void deliver_sipi(struct mv_vcpu *vcpu, u8 vector)
{
	struct kvm_sregs sregs;

	mv_backend->get_sregs(vcpu, &sregs);
	sregs.cs.selector = vector << 8;
	sregs.cs.base = (u64)vector << 12;
	mv_backend->set_sregs(vcpu, &sregs);
	vcpu->regs.rip = 0;
}

void mv_mp_accept_events(struct mv_vcpu *vcpu)
{
	int sipi;

	if (mv_lapic_take_nmi(vcpu))
		vcpu->nmi_pending = min(vcpu->nmi_pending + 1,
					vcpu->nmi_masked || vcpu->nmi_injected ? 1U : 2U);
	if (!mv_lapic_has_init_sipi(vcpu))
		return;
	if (mv_lapic_take_init(vcpu)) {
		mv_vcpu_reset(vcpu, true);
		mv_lapic_reset(vcpu, true);
		vcpu->mp_state = is_bsp(vcpu) ? KVM_MP_STATE_RUNNABLE :
						KVM_MP_STATE_INIT_RECEIVED;
	}
	/* A SIPI outside wait-for-SIPI is dropped. */
	sipi = mv_lapic_take_sipi(vcpu);
	if (sipi >= 0 && vcpu->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
		deliver_sipi(vcpu, sipi);
		vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
	}
}

/* Does the vCPU have a reason to leave its state (kvm_vcpu_has_events())? */
static bool has_events(struct mv_vcpu *vcpu)
{
	const struct mv_backend *b = mv_backend;

	if (mv_lapic_has_init_sipi(vcpu))
		return true;
	/* Waiting for INIT or SIPI: nothing else wakes it. */
	if (vcpu->mp_state != KVM_MP_STATE_HALTED &&
	    vcpu->mp_state != KVM_MP_STATE_AP_RESET_HOLD)
		return false;
	if (vcpu->exception.pending)
		return true;
	if ((vcpu->nmi_pending || mv_lapic_has_nmi(vcpu)) && b->nmi_allowed(vcpu))
		return true;
	return b->interrupt_allowed(vcpu) && mv_irqchip_has_interrupt(vcpu);
}

int mv_mp_block(struct mv_vcpu *vcpu, int *srcu_idx)
	__must_hold(&vcpu->vm->srcu)
{
	if (!has_events(vcpu)) {
		srcu_read_unlock(&vcpu->vm->srcu, *srcu_idx);
		/* Woken by mv_vcpu_wake() after a sender changed the state. */
		(void)rcuwait_wait_event(&vcpu->wait,
					 has_events(vcpu) ||
					 signal_pending(current),
					 TASK_INTERRUPTIBLE);
		*srcu_idx = srcu_read_lock(&vcpu->vm->srcu);
		/* A signal: KVM_RUN returns, the state stays (KVM). */
		if (!has_events(vcpu))
			return 1;
	}
	mv_mp_accept_events(vcpu);
	if (vcpu->mp_state == KVM_MP_STATE_HALTED ||
	    vcpu->mp_state == KVM_MP_STATE_AP_RESET_HOLD)
		vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
	return 1;
}

long mv_mp_get_state(struct mv_vcpu *vcpu, struct kvm_mp_state *mp)
{
	if (vcpu->lapic)
		mv_mp_accept_events(vcpu);
	mp->mp_state = vcpu->mp_state;
	return 0;
}

/* KVM's kvm_arch_vcpu_ioctl_set_mpstate(). */
long mv_mp_set_state(struct mv_vcpu *vcpu, const struct kvm_mp_state *mp)
{
	switch (mp->mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		break;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_HALTED:
	case KVM_MP_STATE_AP_RESET_HOLD:	/* SEV-ES's; halted-like here */
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_SIPI_RECEIVED:
		if (!vcpu->lapic)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (mp->mp_state == KVM_MP_STATE_SIPI_RECEIVED) {
		/* Legacy: INIT received with a SIPI to take (vector from SET_LAPIC's). */
		vcpu->mp_state = KVM_MP_STATE_INIT_RECEIVED;
		mv_lapic_pend_sipi(vcpu);
	} else {
		vcpu->mp_state = mp->mp_state;
	}
	mv_vcpu_request(vcpu, MV_REQ_EVENT);
	return 0;
}
