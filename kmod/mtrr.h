/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_MTRR_H
#define MINIVIRT_MTRR_H

#include <linux/types.h>

struct mv_vcpu;

#define MV_NR_VAR_MTRR		8	/* KVM_NR_VAR_MTRR */

/*
 * The guest's MTRRs (SDM vol 3A 13.11), kept as written and read back, as
 * KVM keeps them: the memory type the guest asks for is not applied (KVM
 * honours it only with non-coherent DMA, which minivirt has none of).
 */
struct mv_mtrr {
	u64 var[2 * MV_NR_VAR_MTRR];	/* PHYSBASEn, PHYSMASKn */
	u64 fixed_64k;
	u64 fixed_16k[2];
	u64 fixed_4k[8];
	u64 deftype;
};

/* Is index an MSR of the MTRR range KVM hands to its MTRR code? */
bool mv_mtrr_msr(u32 index);
/* 0, or 1 for a #GP (KVM's kvm_mtrr_get_msr() / kvm_mtrr_set_msr()). */
int mv_mtrr_get(struct mv_vcpu *vcpu, u32 index, u64 *data);
int mv_mtrr_set(struct mv_vcpu *vcpu, u32 index, u64 data);

#endif /* MINIVIRT_MTRR_H */
