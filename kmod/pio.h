/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_PIO_H
#define MINIVIRT_PIO_H

struct mv_vcpu;

/* MV_EXIT_IO: fills vcpu->run for KVM_EXIT_IO; 1, 0 or -errno as exits.h. */
int mv_handle_io(struct mv_vcpu *vcpu);
/* At the next KVM_RUN: IN data to the guest, RIP (and rSI/rDI/rCX) on. */
int mv_complete_pio(struct mv_vcpu *vcpu);

#endif /* MINIVIRT_PIO_H */
