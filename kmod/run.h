/* SPDX-License-Identifier: GPL-2.0-only */
/* Core helpers the backends call from their run path. */
#ifndef MINIVIRT_RUN_H
#define MINIVIRT_RUN_H

#include <linux/types.h>

struct mv_vcpu;

/* Around VMRUN/VMLAUNCH, IRQs off: the guest's XCR0 in, the host's back. */
void mv_guest_xstate_load(struct mv_vcpu *vcpu, u64 guest_cr4);
void mv_guest_xstate_put(struct mv_vcpu *vcpu);

/* After an exit: injected events were delivered unless requeued below. */
void mv_events_delivered(struct mv_vcpu *vcpu);
void mv_requeue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error_code,
			  u32 error_code, u64 payload);

/* Host XCR0, read at module load (0 if the host does not use XSAVE). */
extern u64 mv_host_xcr0;

#endif /* MINIVIRT_RUN_H */
