/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_CPUID_FAULT_H
#define MINIVIRT_CPUID_FAULT_H

#include <linux/types.h>

struct mv_vcpu;
struct mv_vm;

/* MSR_PLATFORM_INFO at vCPU creation: CPUID faulting offered (KVM). */
void mv_cpuid_fault_init(struct mv_vcpu *vcpu);
/* MSR_PLATFORM_INFO, MSR_MISC_FEATURES_ENABLES: as mv_msr_get/set, or -ENOENT. */
int mv_cpuid_fault_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host);
int mv_cpuid_fault_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host);
/* Must the guest's CPUID raise #GP(0) now? */
bool mv_cpuid_faults(struct mv_vcpu *vcpu);
/* KVM_ENABLE_CAP(KVM_CAP_MSR_PLATFORM_INFO): may the guest read the MSR? */
long mv_cpuid_fault_enable_cap(struct mv_vm *vm, u64 arg);

#endif /* MINIVIRT_CPUID_FAULT_H */
