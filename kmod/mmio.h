/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_MMIO_H
#define MINIVIRT_MMIO_H

struct mv_ctrl;
struct mv_vcpu;

/* MV_EXIT_GPA_FAULT: map guest RAM, or emulate an MMIO access (KVM_EXIT_MMIO). */
int mv_handle_gpa_fault(struct mv_vcpu *vcpu);
/* The instruction at RIP accesses MMIO at gpa: exit as KVM_EXIT_MMIO. */
int mv_mmio_emulate(struct mv_vcpu *vcpu, u64 gpa);
/* At the next KVM_RUN: the read data into the instruction, or its next access. */
int mv_complete_mmio(struct mv_vcpu *vcpu);

/* KVM_EXIT_MMIO for the next piece of vcpu->mmio.access. */
void mv_mmio_exit(struct mv_vcpu *vcpu);

/* MOVS/STOS with MMIO (mmio_string.c): from the fault, and at completion. */
int mv_mmio_string(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl);
int mv_mmio_string_complete(struct mv_vcpu *vcpu);

#endif /* MINIVIRT_MMIO_H */
