/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_MSR_H
#define MINIVIRT_MSR_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_vcpu;

/*
 * The MSRs a guest or KVM_GET/SET_MSRS may access. 0 on success, 1 if the
 * access would #GP (unknown MSR, bad value). host: from userspace, which KVM
 * lets set a few values the guest may not.
 */
int mv_msr_get(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host);
int mv_msr_set(struct mv_vcpu *vcpu, u32 index, u64 data, bool host);

/* KVM_GET_MSR_INDEX_LIST; hdr is the copied-in (and copied-out) header. */
long mv_get_msr_index_list(struct kvm_msr_list *hdr, u32 __user *indices);
/* KVM_GET_MSR_FEATURE_INDEX_LIST, likewise. */
long mv_get_msr_feature_index_list(struct kvm_msr_list *hdr,
				   u32 __user *indices);
/*
 * KVM_GET_MSRS / KVM_SET_MSRS: the number of entries done, or -errno. With
 * a NULL vcpu, KVM_GET_MSRS of feature MSRs on the system fd.
 */
long mv_msrs_io(struct mv_vcpu *vcpu, struct kvm_msrs *hdr,
		struct kvm_msr_entry __user *entries, bool set);

#endif /* MINIVIRT_MSR_H */
