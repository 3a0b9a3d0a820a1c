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

/* KVM_EXIT_INTERNAL_ERROR with KVM_INTERNAL_ERROR_EMULATION; returns 0. */
int mv_emulation_failure(struct mv_vcpu *vcpu);

/* Resets the vCPU as power-up does, or as INIT does (init: after a shutdown, an INIT IPI). */
void mv_vcpu_reset(struct mv_vcpu *vcpu, bool init);

#endif /* MINIVIRT_EXITS_H */
