/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_VM_H
#define MINIVIRT_VM_H

#include <linux/kref.h>

struct mm_struct;

/*
 * A virtual machine. Its VM fd holds one reference (later, each vCPU one more);
 * the hardware stays enabled for as long as any VM exists.
 */
struct mv_vm {
	struct kref ref;
	/* The creating process: as in KVM, only it may issue VM ioctls. */
	struct mm_struct *mm;
};

/* KVM_CREATE_VM: returns the new VM fd or -errno. */
int mv_vm_create(unsigned long type);

/* KVM_CHECK_EXTENSION, on /dev/minivirt (vm == NULL) or on a VM fd. */
long mv_check_extension(struct mv_vm *vm, long cap);

#endif /* MINIVIRT_VM_H */
