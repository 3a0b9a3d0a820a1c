/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vCPU's activity state with an in-kernel LAPIC (mp_state.c). All run
 * in the vCPU thread under its mutex.
 */
#ifndef MINIVIRT_IRQ_MP_STATE_H
#define MINIVIRT_IRQ_MP_STATE_H

#include <linux/kvm.h>

struct mv_vcpu;

/* INIT, SIPI and NMI the LAPIC received, acted on before an entry. */
void mv_mp_accept_events(struct mv_vcpu *vcpu);
/*
 * The vCPU is not RUNNABLE: sleeps until it has an event or a signal,
 * dropping vm->srcu meanwhile; returns 1 (the run loop looks again).
 */
int mv_mp_block(struct mv_vcpu *vcpu, int *srcu_idx);
/* KVM_GET/SET_MP_STATE. */
long mv_mp_get_state(struct mv_vcpu *vcpu, struct kvm_mp_state *mp);
long mv_mp_set_state(struct mv_vcpu *vcpu, const struct kvm_mp_state *mp);

#endif /* MINIVIRT_IRQ_MP_STATE_H */
