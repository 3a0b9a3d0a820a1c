/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypercall instructions: the vendor's own, and the other's at a #UD. */
#ifndef MINIVIRT_HYPERCALL_H
#define MINIVIRT_HYPERCALL_H

struct mv_vcpu;

/* VMMCALL (SVM) / VMCALL (VMX) exited: KVM's answer in RAX, RIP past it. */
int mv_handle_hypercall(struct mv_vcpu *vcpu);

/*
 * The guest raised #UD (intercepted): the other vendor's hypercall is fixed
 * up as KVM does, any other #UD goes back to the guest unchanged.
 */
int mv_handle_ud_fault(struct mv_vcpu *vcpu);

#endif /* MINIVIRT_HYPERCALL_H */
