/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_CR_H
#define MINIVIRT_CR_H

#include <linux/types.h>

struct mv_vcpu;

/* Guest writes to CR0/CR3/CR4 (cr.c): 0, or 1 for a #GP. */
int mv_set_cr0(struct mv_vcpu *vcpu, u64 cr0);
int mv_set_cr3(struct mv_vcpu *vcpu, u64 cr3);
int mv_set_cr4(struct mv_vcpu *vcpu, u64 cr4);
/* CR4 bits the vCPU may set: the host has them and so does its CPUID. */
u64 mv_cr4_allowed(struct mv_vcpu *vcpu);
/* The value checks of KVM's kvm_is_valid_cr0/cr4() (also KVM_SET_SREGS). */
bool mv_cr0_valid(u64 cr0);
bool mv_cr4_valid(struct mv_vcpu *vcpu, u64 cr4);

/* Exit handlers (exits.h contract). */
int mv_handle_cr_access(struct mv_vcpu *vcpu);

#endif /* MINIVIRT_CR_H */
