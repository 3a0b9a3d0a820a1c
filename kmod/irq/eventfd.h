/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * irqfd (an eventfd write raises a GSI) and ioeventfd (a guest write to a
 * port or MMIO address signals an eventfd), as KVM's virt/kvm/eventfd.c.
 * An irqfd injects from its wait-queue callback through mv_irq_set_gsi(),
 * which never sleeps and looks the route up at each injection, so a routing
 * change needs nothing from here.
 */
#ifndef MINIVIRT_IRQ_EVENTFD_H
#define MINIVIRT_IRQ_EVENTFD_H

#include <linux/kvm.h>

struct mv_vm;

/* KVM_IRQFD: assign, KVM_IRQFD_FLAG_DEASSIGN, KVM_IRQFD_FLAG_RESAMPLE. */
int mv_irqfd(struct mv_vm *vm, const struct kvm_irqfd *args);
/* KVM_IOEVENTFD: PIO and MMIO, datamatch, length 0, deassign. */
int mv_ioeventfd(struct mv_vm *vm, const struct kvm_ioeventfd *args);
/* At VM destruction: every irqfd and ioeventfd released. */
void mv_eventfd_release(struct mv_vm *vm);

#endif /* MINIVIRT_IRQ_EVENTFD_H */
