/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_MCE_H
#define MINIVIRT_MCE_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_vcpu;

#define MV_MAX_MCE_BANKS	32	/* KVM_MAX_MCE_BANKS, KVM_CAP_MCE */

/* Machine-check architecture state (SDM vol 3B 16.3), as KVM keeps it. */
struct mv_mce {
	u64 mcg_cap, mcg_status, mcg_ctl;
	u64 banks[4 * MV_MAX_MCE_BANKS];	/* MCi_CTL, _STATUS, _ADDR, _MISC */
};

/* The vCPU's state at creation: 32 banks, no MCG_CTL (KVM's default). */
void mv_mce_init(struct mv_vcpu *vcpu);
bool mv_mce_msr(u32 index);
/* 0, or 1 for a #GP (KVM's get_msr_mce() / set_msr_mce()). */
int mv_mce_get(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host);
int mv_mce_set(struct mv_vcpu *vcpu, u32 index, u64 data, bool host);

/* KVM_X86_GET_MCE_CAP_SUPPORTED (system fd): what SETUP_MCE accepts. */
u64 mv_mce_cap_supported(void);
/* KVM_X86_SETUP_MCE and KVM_X86_SET_MCE (vCPU fd): 0 or -errno. */
long mv_mce_setup(struct mv_vcpu *vcpu, u64 mcg_cap);
long mv_mce_inject(struct mv_vcpu *vcpu, const struct kvm_x86_mce *mce);

#endif /* MINIVIRT_MCE_H */
