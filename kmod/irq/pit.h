/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 8254 PIT (ports 0x40-0x43) and the speaker port's timer bits (0x61),
 * channel 0 wired to GSI 0, on an hrtimer (KVM's i8254.c). Locking:
 * pit->lock (a mutex: only vCPU threads and ioctls touch the registers);
 * the hrtimer callback only counts and hands injection to a kthread worker.
 */
#ifndef MINIVIRT_IRQ_PIT_H
#define MINIVIRT_IRQ_PIT_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_pit;
struct mv_vm;

/*
 * KVM_CREATE_PIT2 (flags: KVM_PIT_SPEAKER_DUMMY; KVM_CREATE_PIT passes it),
 * under vm->lock, after KVM_CREATE_IRQCHIP: -EEXIST if there is one,
 * -ENOENT without the in-kernel PIC (Linux 6.12's check), -ENOMEM if
 * anything else fails. Other flag bits are ignored. Ports on the PIO bus.
 */
int mv_pit_create(struct mv_vm *vm, u32 flags);
/*
 * At VM destruction, before the routing table and the PIC are freed; takes
 * vm->lock itself: the ports unregistered, the timer and worker stopped.
 */
void mv_pit_destroy(struct mv_vm *vm);

/* KVM_GET/SET_PIT2. */
void mv_pit_get_state2(struct mv_pit *pit, struct kvm_pit_state2 *s);
int mv_pit_set_state2(struct mv_pit *pit, const struct kvm_pit_state2 *s);
/* The legacy KVM_GET/SET_PIT: the channels only, the flags left alone. */
void mv_pit_get_state(struct mv_pit *pit, struct kvm_pit_state *s);
int mv_pit_set_state(struct mv_pit *pit, const struct kvm_pit_state *s);
/* KVM_REINJECT_CONTROL. */
void mv_pit_set_reinject(struct mv_pit *pit, bool reinject);

#endif /* MINIVIRT_IRQ_PIT_H */
