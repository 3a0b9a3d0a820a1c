// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID faulting, as KVM offers it on both vendors (x86.c, cpuid.c
 * kvm_emulate_cpuid()): MSR_PLATFORM_INFO bit 31 says the feature exists;
 * MSR_MISC_FEATURES_ENABLES bit 0 turns it on, and CPUID at CPL > 0 then
 * raises #GP(0) (SDM vol 4, MSR_PLATFORM_INFO 0xce bit 31 and
 * MSR_MISC_FEATURES_ENABLES 0x140 bit 0, listed per processor family).
 * Only userspace writes MSR_PLATFORM_INFO, and may clear bit 31 while
 * faulting is off; the guest reads it while KVM_CAP_MSR_PLATFORM_INFO
 * allows (the default) and #GPs otherwise.
 */
#include <linux/kvm.h>
#include <asm/msr-index.h>

#include "backend.h"
#include "cpuid_fault.h"
#include "vcpu.h"
#include "vm.h"

void mv_cpuid_fault_init(struct mv_vcpu *vcpu)
{
	vcpu->platform_info = MSR_PLATFORM_INFO_CPUID_FAULT;
	vcpu->misc_features = 0;
}

static bool cpuid_fault_on(struct mv_vcpu *vcpu)
{
	return vcpu->misc_features & MSR_MISC_FEATURES_ENABLES_CPUID_FAULT;
}

int mv_cpuid_fault_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	switch (index) {
	case MSR_PLATFORM_INFO:
		if (!host && vcpu->vm->platform_info_hidden)
			return 1;
		*data = vcpu->platform_info;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		*data = vcpu->misc_features;
		return 0;
	default:
		return -ENOENT;
	}
}

int mv_cpuid_fault_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{
	switch (index) {
	case MSR_PLATFORM_INFO:
		/* The feature cannot go away while it is on. */
		if (!host || (!(data & MSR_PLATFORM_INFO_CPUID_FAULT) &&
			      cpuid_fault_on(vcpu)))
			return 1;
		vcpu->platform_info = data;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		if ((data & ~MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) ||
		    ((data & MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) &&
		     !(vcpu->platform_info & MSR_PLATFORM_INFO_CPUID_FAULT)))
			return 1;
		vcpu->misc_features = data;
		return 0;
	default:
		return -ENOENT;
	}
}

/* KVM's kvm_emulate_cpuid(): kvm_require_cpl(vcpu, 0) while faulting is on. */
bool mv_cpuid_faults(struct mv_vcpu *vcpu)
{
	struct mv_ctrl ctrl;

	if (!cpuid_fault_on(vcpu))
		return false;
	mv_backend->get_ctrl(vcpu, &ctrl);
	return ctrl.cpl > 0;
}

/* KVM takes any value: non-zero lets the guest read MSR_PLATFORM_INFO. */
long mv_cpuid_fault_enable_cap(struct mv_vm *vm, u64 arg)
{
	vm->platform_info_hidden = !arg;
	return 0;
}
