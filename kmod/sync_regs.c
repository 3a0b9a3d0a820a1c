// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CAP_SYNC_REGS: register state in kvm_run->s.regs, around KVM_RUN, as
 * KVM's sync_regs() and store_regs() (x86.c) do it. Before the guest runs,
 * the groups kvm_dirty_regs names are loaded as their SET ioctls would, in
 * the order REGS, SREGS, EVENTS, each clearing its dirty bit; the first one
 * refused makes KVM_RUN fail with -EINVAL. When KVM_RUN returns, however it
 * returns, the groups kvm_valid_regs names are stored as their GET ioctls
 * answer. The page is userspace's while we read it: each group is copied
 * before it is checked (as Linux 6.12 does for SREGS and EVENTS).
 */
#include <linux/kernel.h>
#include <linux/kvm.h>

#include "state.h"
#include "vcpu.h"

int mv_sync_regs_in(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if ((run->kvm_valid_regs & ~KVM_SYNC_X86_VALID_FIELDS) ||
	    (run->kvm_dirty_regs & ~KVM_SYNC_X86_VALID_FIELDS))
		return -EINVAL;
	if (run->kvm_dirty_regs & KVM_SYNC_X86_REGS) {
		struct kvm_regs regs = run->s.regs.regs;

		mv_set_regs(vcpu, 0, &regs);
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_REGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_SREGS) {
		struct kvm_sregs sregs = run->s.regs.sregs;

		if (mv_set_sregs(vcpu, 0, &sregs))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_SREGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_EVENTS) {
		struct kvm_vcpu_events events = run->s.regs.events;

		if (mv_set_events(vcpu, 0, &events))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_EVENTS;
	}
	return 0;
}

void mv_sync_regs_out(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	BUILD_BUG_ON(sizeof(struct kvm_sync_regs) > SYNC_REGS_SIZE_BYTES);
	if (run->kvm_valid_regs & KVM_SYNC_X86_REGS)
		mv_get_regs(vcpu, 0, &run->s.regs.regs);
	if (run->kvm_valid_regs & KVM_SYNC_X86_SREGS)
		mv_get_sregs(vcpu, 0, &run->s.regs.sregs);
	if (run->kvm_valid_regs & KVM_SYNC_X86_EVENTS)
		mv_get_events(vcpu, 0, &run->s.regs.events);
}
