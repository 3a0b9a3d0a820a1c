/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IOAPIC (82093AA, 24 pins, version 0x11) at 0xfec00000: redirection
 * table, edge and level pins, remote IRR and EOI (KVM's ioapic.c).
 * Locking: ioapic->lock (a spinlock, IRQs saved); it calls mv_lapic_deliver()
 * with it held (the LAPIC lock is inner).
 */
#ifndef MINIVIRT_IRQ_IOAPIC_H
#define MINIVIRT_IRQ_IOAPIC_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_ioapic;
struct mv_vm;

/* Under vm->lock: vm->irq.ioapic, its page registered on the MMIO bus. */
int mv_ioapic_create(struct mv_vm *vm);
/* Under vm->lock, no vCPU running: unregisters and frees it (if any). */
void mv_ioapic_destroy(struct mv_vm *vm);

/*
 * Drives pin (0-23) from source to level. Any context. Returns KVM's
 * kvm_ioapic_set_irq() value: 1 for a line going low; for a line going
 * high, 0 if an edge pin's last edge is still latched (coalesced), -1 if
 * the pin is masked or a level pin awaits its EOI (remote IRR), else
 * mv_lapic_deliver()'s answer (the LAPICs that took it). line_status: KVM
 * uses it only for the RTC pin (8), whose coalescing is not done here.
 */
int mv_ioapic_set_irq(struct mv_ioapic *ioapic, unsigned int pin, int source,
		      int level, bool line_status);
/*
 * A LAPIC EOI of vector: calls mv_irq_acked() for every pin with that
 * vector (with ioapic->lock dropped); with the TMR set (level) also clears
 * their remote IRR and delivers again a pin whose line is still asserted.
 */
void mv_ioapic_eoi(struct mv_ioapic *ioapic, u8 vector, bool level);

/* KVM_GET/SET_IRQCHIP, KVM_IRQCHIP_IOAPIC. */
void mv_ioapic_get_state(struct mv_ioapic *ioapic, struct kvm_ioapic_state *s);
void mv_ioapic_set_state(struct mv_ioapic *ioapic,
			 const struct kvm_ioapic_state *s);

#endif /* MINIVIRT_IRQ_IOAPIC_H */
