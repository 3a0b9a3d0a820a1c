// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CAP_SYNC_REGS: kvm_run->s.regs holds the registers (REGS), special
 * registers (SREGS) and pending events (EVENTS) that kvm_valid_regs names
 * after every KVM_RUN, and KVM_RUN loads those that kvm_dirty_regs names
 * before it runs the guest, clearing their dirty bits, as KVM's sync_regs()
 * and store_regs() do. Unknown bits in either mask: -EINVAL. Reference:
 * Linux's tools/testing/selftests/kvm/x86_64/sync_regs_test.c. Guest code:
 * guest/sync_regs.S.
 */
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(sr_loop);

#define SYNC_ALL	(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS)
#define SYNC_BAD	0x80000000u

static struct vcpu *sr_new(void)
{
	struct vcpu *vcpu;

	guest_new(VM_MODE_LONG, GUEST(sr_loop), 0, &vcpu);
	return vcpu;
}

/* KVM_RUN to the next IN: an exit with the sync'd state in s.regs. */
static void run_to_in(struct vcpu *vcpu)
{
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_IN, 1, GUEST_PORT_REPORT, 1);
}

static void expect_regs_eq(const struct kvm_regs *a, const struct kvm_regs *b)
{
	EXPECT_EQ(memcmp(a, b, sizeof(*a)), 0);
	EXPECT_EQ(a->rip, b->rip);
	EXPECT_EQ(a->rbx, b->rbx);
	EXPECT_EQ(a->rflags, b->rflags);
}

TEST(cap)
{
	int sys = th_open(th_dev), vm = th_create_vm(sys);

	EXPECT_EQ(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS), SYNC_ALL);
	EXPECT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS), SYNC_ALL);
}

/* An unknown bit in either mask, alone or with the valid ones: -EINVAL. */
TEST(invalid_bits)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;

	run->kvm_valid_regs = SYNC_BAD;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINVAL);
	run->kvm_valid_regs = SYNC_BAD | SYNC_ALL;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINVAL);
	run->kvm_valid_regs = 0;
	run->kvm_dirty_regs = SYNC_BAD;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINVAL);
	run->kvm_dirty_regs = SYNC_BAD | SYNC_ALL;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINVAL);
	/* Nothing was loaded: the refused dirty bits are still set. */
	EXPECT_EQ(run->kvm_dirty_regs, SYNC_BAD | SYNC_ALL);
	run->kvm_dirty_regs = 0;
	run_to_in(vcpu);
}

/* After KVM_RUN s.regs equals what the GET ioctls answer. */
TEST(valid_regs_read)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;
	struct kvm_vcpu_events ev;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	run->kvm_valid_regs = SYNC_ALL;
	run_to_in(vcpu);
	run_to_in(vcpu);
	vcpu_regs_get(vcpu, &regs);
	expect_regs_eq(&run->s.regs.regs, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(memcmp(&run->s.regs.sregs, &sregs, sizeof(sregs)), 0);
	EXPECT_EQ(run->s.regs.sregs.cr0, sregs.cr0);
	EXPECT_EQ(run->s.regs.sregs.efer, sregs.efer);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(memcmp(&run->s.regs.events, &ev, sizeof(ev)), 0);
	EXPECT_EQ(run->s.regs.events.flags, ev.flags);
}

/* Dirty REGS and SREGS are loaded, their bits cleared, then stored again. */
TEST(dirty_regs_write)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	run->kvm_valid_regs = SYNC_ALL;
	run_to_in(vcpu);
	run->s.regs.regs.rbx = 0xbad1dea;
	run->s.regs.sregs.apic_base = 1 << 11;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	run_to_in(vcpu);
	EXPECT_EQ(run->kvm_dirty_regs, 0);
	EXPECT_EQ(run->s.regs.regs.rbx, 0xbad1dea + 1);
	EXPECT_EQ(run->s.regs.sregs.apic_base, 1 << 11);
	vcpu_regs_get(vcpu, &regs);
	expect_regs_eq(&run->s.regs.regs, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(sregs.apic_base, 1 << 11);
}

/* Without the dirty bit, a change in s.regs is overwritten, not loaded. */
TEST(not_dirty_is_overwritten)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	run->kvm_valid_regs = SYNC_ALL;
	run_to_in(vcpu);
	run->s.regs.regs.rbx = 0xdeadbeef;
	run_to_in(vcpu);
	EXPECT_NE(run->s.regs.regs.rbx, 0xdeadbeef);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rbx, run->s.regs.regs.rbx);
}

/* kvm_valid_regs 0: s.regs is left alone; KVM_SET_REGS still counts. */
TEST(no_valid_regs_leaves_s_regs)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	run_to_in(vcpu);
	run->s.regs.regs.rbx = 0xaaaa;
	vcpu_regs_get(vcpu, &regs);
	regs.rbx = 0xbac0;
	vcpu_regs_set(vcpu, &regs);
	run_to_in(vcpu);
	EXPECT_EQ(run->s.regs.regs.rbx, 0xaaaa);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rbx, 0xbac0 + 1);
}

/* Dirty without valid: loaded, and s.regs not written back. */
TEST(dirty_without_valid)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	run->kvm_valid_regs = SYNC_ALL;
	run_to_in(vcpu);
	run->kvm_valid_regs = 0;
	run->s.regs.regs.rbx = 0xbbbb;
	run->kvm_dirty_regs = SYNC_ALL;
	run_to_in(vcpu);
	EXPECT_EQ(run->s.regs.regs.rbx, 0xbbbb);
	EXPECT_EQ(run->kvm_dirty_regs, 0);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rbx, 0xbbbb + 1);
}

/*
 * Dirty SREGS that KVM_SET_SREGS would refuse: -EINVAL, REGS (loaded
 * first) loaded and its bit cleared, the SREGS bit left set; s.regs is
 * still stored.
 */
TEST(dirty_sregs_invalid)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	run->kvm_valid_regs = SYNC_ALL;
	run_to_in(vcpu);
	run->s.regs.regs.rbx = 0xcccc;
	run->s.regs.sregs.cr4 &= ~(1ULL << 5);	/* long mode without CR4.PAE */
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINVAL);
	EXPECT_EQ(run->kvm_dirty_regs, KVM_SYNC_X86_SREGS);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rbx, 0xcccc);
	EXPECT_EQ(run->s.regs.regs.rbx, 0xcccc);
	EXPECT_NE(run->s.regs.sregs.cr4 & (1ULL << 5), 0);
	run->kvm_dirty_regs = 0;
	run_to_in(vcpu);
	EXPECT_EQ(run->s.regs.regs.rbx, 0xcccc + 1);
}

/* Dirty EVENTS: an NMI made pending through s.regs shows in GET_VCPU_EVENTS. */
TEST(dirty_events)
{
	struct vcpu *vcpu = sr_new();
	struct kvm_run *run = vcpu->run;
	struct kvm_vcpu_events ev;

	run->kvm_valid_regs = SYNC_ALL;
	run_to_in(vcpu);
	run->s.regs.events.nmi.masked = 1;
	run->s.regs.events.flags = 0;
	run->kvm_dirty_regs = KVM_SYNC_X86_EVENTS;
	run->immediate_exit = 1;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINTR);
	run->immediate_exit = 0;
	EXPECT_EQ(run->kvm_dirty_regs, 0);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(ev.nmi.masked, 1);
	EXPECT_EQ(run->s.regs.events.nmi.masked, 1);
	/* Invalid events (SMM without SMM support): -EINVAL, bit kept. */
	run->s.regs.events.flags = 0x100;	/* no such flag */
	run->kvm_dirty_regs = KVM_SYNC_X86_EVENTS;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINVAL);
	EXPECT_EQ(run->kvm_dirty_regs, KVM_SYNC_X86_EVENTS);
}
