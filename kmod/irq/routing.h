/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GSI routing ioctls (routing_ioctl.c), with KVM's semantics and errnos
 * (Documentation/virt/kvm/api.rst, Linux 6.1: KVM_IRQ_LINE,
 * KVM_IRQ_LINE_STATUS, KVM_SET_GSI_ROUTING, KVM_SIGNAL_MSI), and the table
 * update they share with mv_irq_routing_init() (routing.c). None of them
 * takes vm->lock; injection never sleeps (irq.h).
 */
#ifndef MINIVIRT_IRQ_ROUTING_H
#define MINIVIRT_IRQ_ROUTING_H

#include <linux/compiler.h>
#include <linux/kvm.h>
#include <linux/types.h>

struct mv_vm;

/*
 * KVM_IRQ_LINE (line_status false) and KVM_IRQ_LINE_STATUS (true): drives
 * GSI irq->irq to irq->level as userspace's source and writes
 * mv_irq_set_gsi()'s answer to irq->status (the dispatcher copies it back
 * for KVM_IRQ_LINE_STATUS only). -ENXIO without an in-kernel irqchip.
 */
int mv_irq_line(struct mv_vm *vm, struct kvm_irq_level *irq, bool line_status);

/*
 * KVM_SET_GSI_ROUTING: hdr is the copied header, entries the user array
 * after it (&((struct kvm_irq_routing __user *)arg)->entries). Replaces the
 * whole table, or leaves it as it was and returns -EINVAL, -EFAULT or
 * -ENOMEM. Sleeps (waits out the readers of the old table).
 */
int mv_set_gsi_routing(struct mv_vm *vm, const struct kvm_irq_routing *hdr,
		       const struct kvm_irq_routing_entry __user *entries);

/*
 * KVM_SIGNAL_MSI: the number of LAPICs that accepted it (> 0), 0 if the
 * destinations did not take it, -1 (EPERM to userspace, as KVM) if no LAPIC
 * matched; -EINVAL for unknown flags, a reserved address_hi with 32-bit
 * x2APIC IDs, or no in-kernel irqchip.
 */
int mv_signal_msi(struct mv_vm *vm, const struct kvm_msi *msi);

/*
 * Split mode (irqchip.c, at a LAPIC EOI of a level-triggered vector): does
 * the EOI exit to userspace as KVM_EXIT_IOAPIC_EOI? True for the vector of
 * a level-triggered MSI route of a GSI below vm->irq.nr_user_ioapic_pins.
 * Any context; takes vm->irq.srcu.
 */
bool mv_irq_split_eoi_vector(struct mv_vm *vm, u8 vector);

/*
 * routing.c: KVM's kvm_set_irq_routing() on a kernel copy of nr entries.
 * Refuses IRQCHIP entries once the VM is in split mode.
 */
int mv_irq_update_routing(struct mv_vm *vm,
			  const struct kvm_irq_routing_entry *ue, u32 nr);

#endif /* MINIVIRT_IRQ_ROUTING_H */
