/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_EXITS_H
#define MINIVIRT_EXITS_H

#include <linux/types.h>

struct mv_vcpu;

/*
 * Acts on vcpu->exit. Returns 1 to re-enter the guest, 0 to return to
 * userspace with vcpu->run filled, or -errno for KVM_RUN to fail with.
 */
int mv_handle_exit(struct mv_vcpu *vcpu);

/* At the next KVM_RUN: finishes what an exit to userspace left open. */
int mv_complete_userspace(struct mv_vcpu *vcpu);

bool mv_ready_for_interrupt(struct mv_vcpu *vcpu);
bool mv_event_reinjecting(const struct mv_vcpu *vcpu);

/*
 * A triple fault the core found (an exception raised while #DF was on its
 * way, an MCE): KVM_EXIT_SHUTDOWN with the state left as it was, as KVM's
 * KVM_REQ_TRIPLE_FAULT (x86.c vcpu_enter_guest()). Returns 0.
 */
int mv_triple_fault(struct mv_vcpu *vcpu);

/* KVM_EXIT_INTERNAL_ERROR with KVM_INTERNAL_ERROR_EMULATION; returns 0. */
int mv_emulation_failure(struct mv_vcpu *vcpu);

/*
 * The vCPU's state at power-up, or (init) as INIT leaves it: the same but
 * for CR0.CD and CR0.NW, which INIT keeps (SDM vol 3A 9.1.1, table 9-1;
 * KVM's kvm_vcpu_reset()).
 */
void mv_vcpu_reset(struct mv_vcpu *vcpu, bool init);

#endif /* MINIVIRT_EXITS_H */
