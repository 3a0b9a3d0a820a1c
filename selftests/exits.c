// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exits to userspace other than I/O: KVM_EXIT_HLT (RIP after the HLT, the
 * guest resumes there), KVM_EXIT_SHUTDOWN on a triple fault,
 * KVM_EXIT_FAIL_ENTRY for a state KVM_SET_SREGS accepts but the hardware's
 * VM-entry checks refuse, KVM_EXIT_INTERNAL_ERROR when KVM cannot emulate,
 * KVM_EXIT_INTR on a signal, immediate_exit, and KVM_RUN with no memory or
 * with RIP where no memory is.
 *
 * KVM on Linux 6.1 answers KVM_RUN on a VM without memory with -ENOSPC; 6.12
 * gives a KVM_EXIT_INTERNAL_ERROR exit (../shared/TESTING.md) with nested
 * paging, but still -ENOSPC with its shadow MMU (kvm_amd npt=0). That older
 * answer is accepted there only. Guest code: guest/exits.S.
 */
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/threads.h"
#include "lib/vm.h"

DECLARE_GUEST(exits_hlt);
DECLARE_GUEST_LABEL(exits_hlt, hlt1);
DECLARE_GUEST_LABEL(exits_hlt, hlt2);
DECLARE_GUEST_LABEL(exits_hlt, hlt3);
DECLARE_GUEST(exits_hlt_loop);
DECLARE_GUEST(exits_ud2);
DECLARE_GUEST(exits_div0);
DECLARE_GUEST(exits_fld_mmio);
DECLARE_GUEST(exits_spin);

#define EXITS_HLT_N	500	/* as in guest/exits.S */

/* Each HLT exits with RIP right after it; KVM_RUN resumes there. */
TEST(hlt)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(exits_hlt), 0, &vcpu);
	uint64_t *r = guest_report(vm);

	*r = 0xff;
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(exits_hlt, hlt1) + 1);
	EXPECT_EQ(*r, 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(exits_hlt, hlt2) + 1);
	EXPECT_EQ(*r, 1);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(exits_hlt, hlt3) + 1);
	EXPECT_EQ(*r, 2);
}

/* Without an in-kernel LAPIC every HLT comes to userspace: count them all. */
TEST(hlt_many)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(exits_hlt_loop), 0, &vcpu);
	uint64_t *r = guest_report(vm);
	int i;

	for (i = 1; i <= EXITS_HLT_N; i++) {
		vcpu_run_to_hlt(vcpu);
		ASSERT_EQ(r[0], i);
	}
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(r[1], 0xd0e);
}

/* #UD with no IDT: #UD, #GP, #DF all undeliverable: a triple fault. */
TEST(triple_fault_no_idt)
{
	struct vcpu *vcpu;

	guest_new(VM_MODE_LONG, GUEST(exits_ud2), VM_NO_IDT, &vcpu);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_SHUTDOWN);
}

/* #DE in 32-bit mode with an IDT too short for any vector (limit 7 < 8*1-1+8). */
TEST(triple_fault_idt_limit)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_PROT32, GUEST(exits_div0), 0, &vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.idt.limit = 6;	/* not even vector 0's 8 bytes */
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_SHUTDOWN);
}

/*
 * Long mode with CS.L = 1 and CS.D = 1: KVM_SET_SREGS takes it, VM entry
 * refuses it (APM vol 2 15.5.1 "VMRUN": "EFER.LME, CR0.PG, CR4.PAE, CS.L and
 * CS.D are all non-zero" is illegal; SDM vol 3C 27.3.1.2 "Checks on Guest
 * Segment Registers" likewise). KVM_EXIT_FAIL_ENTRY with the hardware's code.
 */
TEST(fail_entry_cs_l_and_d)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;
	uint64_t reason;

	guest_new(VM_MODE_LONG, GUEST(exits_hlt), 0, &vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cs.db = 1;
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_FAIL_ENTRY);
	reason = vcpu->run->fail_entry.hardware_entry_failure_reason;
	if (reason != HOST_EXIT_FAIL_GUEST)
		TH_LOG("hardware_entry_failure_reason %#llx",
		       (unsigned long long)reason);
	EXPECT_EQ(reason, HOST_EXIT_FAIL_GUEST);
	EXPECT_TRUE(vcpu->run->fail_entry.cpu < (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
}

/* An instruction KVM's emulator does not implement, on MMIO. */
TEST(internal_error_unemulated_mmio)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_LONG, GUEST(exits_fld_mmio), 0, &vcpu);
	vcpu_load_insn(vcpu, GUEST(exits_fld_mmio));
	vcpu_regs_get(vcpu, &regs);
	regs.rbx = GUEST_MMIO_GPA;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(vcpu->run->internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
}

/* RIP where no memslot is: nothing to fetch from. */
TEST(rip_in_unmapped_space)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_PROT32, GUEST(exits_hlt), 0, &vcpu);
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_MMIO_GPA;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(vcpu->run->internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
}

/* A vCPU at its reset state in a VM with no memory at all. */
TEST(run_without_memory)
{
	struct vm *vm = vm_new();
	struct vcpu *vcpu = vcpu_new(vm, 0);
	int err = vcpu_run_errno(vcpu);

	/* 6.1's older answer; KVM's shadow MMU gives it on 6.12 too. */
	if ((th_kvm_before(6, 12) || th_kvm_shadow_mmu()) && err == ENOSPC)
		return;
	if (err)
		TH_FAIL("KVM_RUN: %s", strerror(err));
	ASSERT_EQ(err, 0);
	ASSERT_EXIT(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(vcpu->run->internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
}

/* immediate_exit: KVM_RUN returns -EINTR at once, the guest does not run. */
TEST(immediate_exit)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(exits_hlt), 0, &vcpu);

	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		SKIP("no KVM_CAP_IMMEDIATE_EXIT");
	*guest_report(vm) = 0xff;
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(vcpu_run_errno(vcpu), EINTR);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_CODE_GPA);
	EXPECT_EQ(*guest_report(vm), 0xff);
	vcpu->run->immediate_exit = 0;
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(exits_hlt, hlt1) + 1);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

/*
 * A signal while the guest runs: -EINTR with KVM_EXIT_INTR; the guest goes
 * on where it was. (Its spin is bounded: reaching the HLT means the signal
 * never interrupted it.)
 *
 * Needs the host's timer interrupt to reach the host while the guest runs.
 * Bochs 2.7 (the VMX test host) does not deliver it while its VMX guest
 * runs: a 50 ms timer did not interrupt a guest spinning for seconds of
 * emulated time (with and without the TSC-deadline timer), and an unbounded
 * spin wedged that host for good. A limit of the emulator: skipped there.
 */
TEST(signal_exit_intr)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec its = { .it_value.tv_nsec = 50 * 1000 * 1000 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(exits_spin), 0, &vcpu);
	uint64_t *spins = guest_report(vm), seen;
	timer_t t;

	if (mt_host_is_bochs())
		SKIP("Bochs does not interrupt its VMX guest for the host's timer");
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL));
	ASSERT_OK(timer_create(CLOCK_MONOTONIC, &sev, &t));
	ASSERT_OK(timer_settime(t, 0, &its, NULL));
	EXPECT_EQ(vcpu_run_errno(vcpu), EINTR);
	ASSERT_EXIT(vcpu, KVM_EXIT_INTR);
	seen = *spins;
	EXPECT_GE(seen, 1);

	ASSERT_OK(timer_settime(t, 0, &its, NULL));
	EXPECT_EQ(vcpu_run_errno(vcpu), EINTR);
	ASSERT_EXIT(vcpu, KVM_EXIT_INTR);
	EXPECT_GE(*spins, seen + 1);
}

/*
 * KVM_SET_SIGNAL_MASK: the mask in force during KVM_RUN. A signal blocked in
 * the thread but pending and unblocked by that mask stops KVM_RUN before the
 * guest runs at all: -EINTR, KVM_EXIT_INTR. Once it is taken, the guest runs.
 */
TEST(signal_mask)
{
	/* struct kvm_signal_mask: len, then the kernel's 8-byte sigset_t. */
	struct __attribute__((packed)) {
		uint32_t len;
		uint64_t set;
	} mask = { .len = 8, .set = 0 };
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(exits_hlt), 0, &vcpu);
	uint64_t *r = guest_report(vm);
	sigset_t usr1;

	*r = 0xff;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	ASSERT_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
	ASSERT_OK(raise(SIGUSR1));
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &mask));
	EXPECT_EQ(vcpu_run_errno(vcpu), EINTR);
	ASSERT_EXIT(vcpu, KVM_EXIT_INTR);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_CODE_GPA);
	EXPECT_EQ(*r, 0xff);
	/* Still blocked outside KVM_RUN, still pending: take it. */
	ASSERT_EQ(sigwaitinfo(&usr1, NULL), SIGUSR1);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*r, 0);

	/* A mask with SIGUSR1 in it: KVM_RUN is not interrupted by it. */
	mask.set = 1ULL << (SIGUSR1 - 1);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &mask));
	ASSERT_OK(raise(SIGUSR1));
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*r, 1);
	ASSERT_EQ(sigwaitinfo(&usr1, NULL), SIGUSR1);
	/* A mask of the wrong size. */
	mask.len = 4;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &mask), EINVAL);
}
