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
 * KVM_CREATE_PIT2 (flags: KVM_PIT_SPEAKER_DUMMY), under vm->lock, after
 * KVM_CREATE_IRQCHIP: -EEXIST if there is one. Ports on the PIO bus.
 */
int mv_pit_create(struct mv_vm *vm, u32 flags);
/* At VM destruction: the timer and worker stopped, ports unregistered. */
void mv_pit_destroy(struct mv_vm *vm);

/* KVM_GET/SET_PIT2 (and the legacy KVM_GET/SET_PIT through them). */
void mv_pit_get_state2(struct mv_pit *pit, struct kvm_pit_state2 *s);
int mv_pit_set_state2(struct mv_pit *pit, const struct kvm_pit_state2 *s);
/* KVM_REINJECT_CONTROL. */
void mv_pit_set_reinject(struct mv_pit *pit, bool reinject);

#endif /* MINIVIRT_IRQ_PIT_H */
