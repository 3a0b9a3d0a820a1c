/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_CPUID_H
#define MINIVIRT_CPUID_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_vcpu;

#define MV_MAX_CPUID_ENTRIES	256	/* KVM_MAX_CPUID_ENTRIES */

/* KVM_GET_SUPPORTED_CPUID: hdr is the copied-in header; entries follow at uarg. */
long mv_get_supported_cpuid(struct kvm_cpuid2 *hdr,
			    struct kvm_cpuid_entry2 __user *entries);
long mv_set_cpuid2(struct mv_vcpu *vcpu, struct kvm_cpuid2 *hdr,
		   struct kvm_cpuid_entry2 __user *entries);
long mv_get_cpuid2(struct mv_vcpu *vcpu, struct kvm_cpuid2 *hdr,
		   struct kvm_cpuid_entry2 __user *entries);

const struct kvm_cpuid_entry2 *mv_cpuid_find(struct mv_vcpu *vcpu, u32 function,
					     u32 index);
/* The guest's CPUID, with KVM's out-of-range and dynamic-bit rules. */
void mv_cpuid_emulate(struct mv_vcpu *vcpu);
bool mv_guest_has(struct mv_vcpu *vcpu, u32 leaf, int reg, int bit);
/* IA32_MISC_ENABLE.MWAIT changed: CPUID follows it (quirk off). */
void mv_cpuid_misc_enable_changed(struct mv_vcpu *vcpu);
/* The feature is in KVM_GET_SUPPORTED_CPUID's table (leaf's subleaf 0). */
bool mv_cpu_has(u32 leaf, int reg, int bit);
/* The supported table, at module load and unload. */
int mv_cpuid_init(void);
void mv_cpuid_exit(void);
bool mv_guest_is_intel(struct mv_vcpu *vcpu);
/* MSR_TSC_AUX (and RDTSCP, RDPID) can be offered to guests. */
bool mv_tsc_aux_supported(void);

/* XSETBV / KVM_SET_XCRS: 0, or 1 for a #GP. */
int mv_set_xcr(struct mv_vcpu *vcpu, u32 index, u64 value);
/* Host XSAVE features a guest may enable. */
u64 mv_supported_xcr0(void);
/* Those the guest's CPUID (leaf 0xd.0) offers. */
u64 mv_guest_supported_xcr0(struct mv_vcpu *vcpu);

/* CPUID register numbers for mv_guest_has(). */
enum { MV_EAX, MV_EBX, MV_ECX, MV_EDX };

#endif /* MINIVIRT_CPUID_H */
