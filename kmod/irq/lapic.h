/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local APIC of each vCPU (SDM vol 3A chapter 10; KVM's lapic.c): the
 * xAPIC page at the vCPU's APIC base and the x2APIC MSRs, IRR/ISR/TMR, TPR/
 * PPR, EOI, ICR (IPIs, INIT, SIPI), LVTs, the timer (one-shot, periodic,
 * TSC-deadline) on an hrtimer. Exists when the VM has an in-kernel irqchip
 * (vcpu->lapic; NULL otherwise).
 *
 * Locking: lapic->lock (a spinlock, IRQs off) guards the registers; senders
 * on other CPUs (IOAPIC, MSI, IPIs, the timer) take it to set IRR and then
 * wake the vCPU with mv_vcpu_wake(). Nothing is called with it held.
 */
#ifndef MINIVIRT_IRQ_LAPIC_H
#define MINIVIRT_IRQ_LAPIC_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_lapic;
struct mv_vcpu;

int mv_lapic_create(struct mv_vcpu *vcpu);
void mv_lapic_free(struct mv_vcpu *vcpu);
/* RESET (init_event false) or INIT (SDM vol 3A 10.4.7.3: ID, base kept). */
void mv_lapic_reset(struct mv_vcpu *vcpu, bool init_event);

/* The vector the LAPIC would deliver now (IRR above PPR), or -1. */
int mv_lapic_pending_vector(struct mv_vcpu *vcpu);
/* The core injects it: IRR -> ISR (SDM vol 3A 10.8.4). */
void mv_lapic_ack(struct mv_vcpu *vcpu, u8 vector);
/* Does LINT0 take the PIC's ExtINT (KVM's kvm_apic_accept_pic_intr())? */
bool mv_lapic_accepts_pic(struct mv_vcpu *vcpu);
/* NMI, INIT, SIPI the LAPIC received, for the run loop (lapic.c clears). */
bool mv_lapic_take_nmi(struct mv_vcpu *vcpu);
bool mv_lapic_take_init(struct mv_vcpu *vcpu);
int mv_lapic_take_sipi(struct mv_vcpu *vcpu);	/* vector, or -1 */
bool mv_lapic_has_init_sipi(struct mv_vcpu *vcpu);
/* KVM_MP_STATE_SIPI_RECEIVED: a SIPI with the last vector received. */
void mv_lapic_pend_sipi(struct mv_vcpu *vcpu);
bool mv_lapic_has_nmi(struct mv_vcpu *vcpu);

/* The xAPIC page of this vCPU: true if gpa is in it (and it is enabled). */
bool mv_lapic_mmio_match(struct mv_vcpu *vcpu, u64 gpa);
int mv_lapic_mmio_read(struct mv_vcpu *vcpu, u64 gpa, unsigned int len,
		       void *val);
int mv_lapic_mmio_write(struct mv_vcpu *vcpu, u64 gpa, unsigned int len,
			const void *val);
/* x2APIC MSRs 0x800-0x8ff and TSC_DEADLINE: 0, or 1 for #GP. */
int mv_lapic_msr_read(struct mv_vcpu *vcpu, u32 msr, u64 *data);
int mv_lapic_msr_write(struct mv_vcpu *vcpu, u32 msr, u64 data);
/* IA32_APIC_BASE after the core's checks (msr.c): enable, x2APIC mode. */
void mv_lapic_set_base(struct mv_vcpu *vcpu, u64 old, u64 value);
/* CR8 is TPR[7:4] (SDM vol 3A 10.8.6.1). */
u64 mv_lapic_get_cr8(struct mv_vcpu *vcpu);
void mv_lapic_set_cr8(struct mv_vcpu *vcpu, u64 cr8);

/* KVM_GET/SET_LAPIC (the register page; x2APIC IDs per KVM_CAP_X2APIC_API). */
void mv_lapic_get_state(struct mv_vcpu *vcpu, struct kvm_lapic_state *s);
int mv_lapic_set_state(struct mv_vcpu *vcpu, const struct kvm_lapic_state *s);

#endif /* MINIVIRT_IRQ_LAPIC_H */
