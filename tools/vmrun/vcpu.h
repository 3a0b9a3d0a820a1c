/* SPDX-License-Identifier: GPL-2.0-only */
/* A vCPU: its fd, its struct kvm_run mapping, its CPUID and boot state. */
#ifndef VMRUN_VCPU_H
#define VMRUN_VCPU_H

#include <stddef.h>

#include <linux/kvm.h>

#include "boot.h"
#include "err.h"
#include "vm.h"

struct vcpu {
	int fd;
	int id;
	struct kvm_run *run;
	size_t run_size;
};

/*
 * KVM_CREATE_VCPU, the kvm_run mapping, and KVM_SET_CPUID2 with the table of
 * KVM_GET_SUPPORTED_CPUID: CPUID comes before any KVM_SET_SREGS, as QEMU
 * does (Linux 6.12 refuses EFER bits the vCPU's CPUID does not allow).
 */
int vcpu_create(struct vcpu *c, struct vm *vm, int id, struct err *e);

/* KVM_GET_SREGS, then KVM_SET_SREGS and KVM_SET_REGS as b asks. */
int vcpu_boot(struct vcpu *c, const struct boot_regs *b, struct err *e);

void vcpu_destroy(struct vcpu *c);

/* Per-vCPU CPUID: the initial APIC ID in leaf 1 (and 0xb, 0x1f) is id. */
void cpuid_fixup(struct kvm_cpuid2 *cpuid, int id);

#endif /* VMRUN_VCPU_H */
