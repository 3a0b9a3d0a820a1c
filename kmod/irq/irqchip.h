/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM's irqchip mode, its ioctls, and what the vCPU loop asks of it
 * (irqchip.c). Locks: the create/enable/set-PIT calls take vm->lock; the
 * GET/SET_IRQCHIP and PIT state calls only the devices' own locks;
 * GET/SET_LAPIC run under the vCPU mutex (the vCPU ioctl's).
 */
#ifndef MINIVIRT_IRQ_IRQCHIP_H
#define MINIVIRT_IRQ_IRQCHIP_H

#include <linux/compiler_types.h>
#include <linux/kvm.h>
#include <linux/types.h>

struct mv_vcpu;
struct mv_vm;

/*
 * KVM_CREATE_IRQCHIP, KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP, nr_pins); these
 * and the PIT's below run under vm->lock (the VM table's lock column).
 */
int mv_irqchip_create(struct mv_vm *vm);
int mv_irqchip_enable_split(struct mv_vm *vm, u64 nr_pins);
/* At VM destruction, after the vCPUs: every device and the routing table. */
void mv_irqchip_destroy(struct mv_vm *vm);

/* KVM_GET/SET_IRQCHIP and KVM_GET/SET_LAPIC: copy the argument themselves. */
long mv_irqchip_get(struct mv_vm *vm, void __user *argp);
long mv_irqchip_set(struct mv_vm *vm, void __user *argp);
long mv_irqchip_get_lapic(struct mv_vcpu *vcpu, void __user *argp);
long mv_irqchip_set_lapic(struct mv_vcpu *vcpu, void __user *argp);

/* KVM_CREATE_PIT(2), KVM_GET/SET_PIT(2), KVM_REINJECT_CONTROL. */
long mv_irqchip_create_pit(struct mv_vm *vm, const struct kvm_pit_config *cfg);
long mv_irqchip_get_pit2(struct mv_vm *vm, struct kvm_pit_state2 *s);
long mv_irqchip_set_pit2(struct mv_vm *vm, const struct kvm_pit_state2 *s);
long mv_irqchip_get_pit(struct mv_vm *vm, struct kvm_pit_state *s);
long mv_irqchip_set_pit(struct mv_vm *vm, const struct kvm_pit_state *s);
long mv_irqchip_reinject(struct mv_vm *vm, const struct kvm_reinject_control *c);

/* Is the PIC in the kernel (KVM_CREATE_IRQCHIP, not split)? */
bool mv_pic_in_kernel(struct mv_vcpu *vcpu);

/* The vCPU side (vcpu->lapic set): the next interrupt, taken or not. */
bool mv_irqchip_has_interrupt(struct mv_vcpu *vcpu);
int mv_irqchip_get_interrupt(struct mv_vcpu *vcpu);
/* KVM_INTERRUPT where the VM has a LAPIC (split mode's ExtINT). */
long mv_irqchip_user_interrupt(struct mv_vcpu *vcpu, u32 vector);

#endif /* MINIVIRT_IRQ_IRQCHIP_H */
