// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signals and KVM_RUN, as KVM does them (virt/kvm/kvm_main.c, x86.c
 * kvm_arch_vcpu_ioctl_run()):
 * - a signal to the vCPU's thread while the guest runs: KVM_RUN returns
 *   -EINTR with KVM_EXIT_INTR, the handler runs once, the guest goes on
 *   where it was at the next KVM_RUN;
 * - KVM_SET_SIGNAL_MASK replaces the thread's mask during KVM_RUN only: a
 *   signal it blocks does not stop the guest and is delivered when KVM_RUN
 *   returns; a signal it leaves unblocked stops the guest even when the
 *   thread blocks it, and stays pending afterwards (api.rst: "the signal will
 *   only be delivered if not blocked by the original signal mask"); NULL
 *   removes the mask;
 * - immediate_exit: -EINTR without entering the guest, but only after
 *   completing what userspace answered (an IN's data, an MMIO read; the
 *   write half of a read-modify-write still exits first);
 * - a RIP moved by KVM_SET_REGS after an IN/OUT exit cancels its completion
 *   (complete_fast_pio_in/out() compare the linear RIP); MMIO completion
 *   finishes the decoded instruction whatever RIP says.
 * Guest code: guest/signals.S.
 */
#include <asm/prctl.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/threads.h"
#include "lib/vm.h"

DECLARE_GUEST(sig_spin);
DECLARE_GUEST(sig_io);
DECLARE_GUEST_LABEL(sig_io, out);
DECLARE_GUEST_LABEL(sig_io, after_out);
DECLARE_GUEST_LABEL(sig_io, in);
DECLARE_GUEST_LABEL(sig_io, after_in);
DECLARE_GUEST_LABEL(sig_io, inb);
DECLARE_GUEST_LABEL(sig_io, after_inb);
DECLARE_GUEST_LABEL(sig_io, mmio);
DECLARE_GUEST_LABEL(sig_io, after_mmio);
DECLARE_GUEST_LABEL(sig_io, outs);
DECLARE_GUEST_LABEL(sig_io, after_outs);
DECLARE_GUEST_LABEL(sig_io, alu);
DECLARE_GUEST_LABEL(sig_io, after_alu);
DECLARE_GUEST_LABEL(sig_io, elsewhere);

#define SIG_FLAG	GUEST_DATA_GPA		/* as in guest/signals.S */
#define PATTERN		0x1122334455667788ULL
#define ROUNDS		10
#define WAIT_MS		10000

static int handled;	/* SIGUSR1 handler runs */

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_add_fetch(&handled, 1, __ATOMIC_SEQ_CST);
}

static int handled_count(void)
{
	return __atomic_load_n(&handled, __ATOMIC_SEQ_CST);
}

/* A guest spinning in R until SIG_FLAG is set, and the thread running it. */
struct spinner {
	struct vm *vm;
	struct vcpu *vcpu;
	volatile uint64_t *count;
	volatile uint64_t *flag;
	pthread_t thread;
	sem_t go, done;
	void (*setup)(struct spinner *s);	/* in the vCPU thread, first */
	bool take_pending;	/* sigwait a pending SIGUSR1 after each run */
	/* Results of each KVM_RUN of the thread. */
	int runs;
	int err[ROUNDS + 1];
	uint32_t reason[ROUNDS + 1];
	int handled_after[ROUNDS + 1];
	bool pending_after[ROUNDS + 1];
};

static void spinner_new(struct spinner *s)
{
	memset(s, 0, sizeof(*s));
	s->vm = guest_new(VM_MODE_LONG, GUEST(sig_spin), 0, &s->vcpu);
	s->count = (volatile uint64_t *)guest_report(s->vm);
	s->flag = vm_ptr(s->vm, SIG_FLAG);
	ASSERT_OK(sem_init(&s->go, 0, 0));
	ASSERT_OK(sem_init(&s->done, 0, 0));
}

static void sem_take(sem_t *sem)
{
	while (sem_wait(sem) && errno == EINTR)
		;
}

/* The vCPU thread: one KVM_RUN per post of go, its results, a post of done. */
static void *spinner_thread(void *arg)
{
	struct timespec now = { 0, 0 };
	struct spinner *s = arg;
	sigset_t usr1;
	int i;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (s->setup)
		s->setup(s);
	for (i = 0; i <= ROUNDS; i++) {
		sem_take(&s->go);
		s->err[i] = vcpu_run_errno(s->vcpu);
		s->reason[i] = s->vcpu->run->exit_reason;
		s->handled_after[i] = handled_count();
		s->pending_after[i] = mt_sigpending(SIGUSR1);
		if (s->take_pending && s->pending_after[i])
			EXPECT_EQ(sigtimedwait(&usr1, NULL, &now), SIGUSR1);
		s->runs = i + 1;
		sem_post(&s->done);
		if (s->reason[i] == KVM_EXIT_HLT || s->err[i] != EINTR)
			break;
	}
	return NULL;
}

/* Lets the thread run the guest once; waits until the guest is counting. */
static void spinner_go(struct spinner *s)
{
	uint64_t seen = *s->count;

	sem_post(&s->go);
	if (!MT_WAIT_UNTIL(*s->count != seen, WAIT_MS)) {
		TH_FAIL("the guest does not run (count %llu)",
			(unsigned long long)seen);
		exit(TH_EXIT_FAIL);
	}
}

/*
 * Stops the guest through its flag; the thread's last KVM_RUN must end in
 * HLT. Returns the index of that run.
 */
static int spinner_stop(struct spinner *s)
{
	int last;

	*s->flag = 1;
	sem_take(&s->done);
	mt_join(s->thread);
	last = s->runs - 1;
	EXPECT_EQ(s->err[last], 0);
	EXPECT_EQ(s->reason[last], KVM_EXIT_HLT);
	return last;
}

/*
 * pthread_kill() to the thread in KVM_RUN: -EINTR, KVM_EXIT_INTR, the
 * handler ran once; the guest made progress between rounds.
 */
TEST(signal_to_vcpu_thread)
{
	struct spinner s;
	uint64_t before[ROUNDS];
	int i;

	mt_need_concurrency();
	mt_handle(SIGUSR1, on_usr1);
	spinner_new(&s);
	s.thread = mt_start(spinner_thread, &s);
	for (i = 0; i < ROUNDS; i++) {
		spinner_go(&s);
		before[i] = *s.count;
		ASSERT_EQ(pthread_kill(s.thread, SIGUSR1), 0);
		sem_take(&s.done);
		EXPECT_EQ(s.err[i], EINTR);
		EXPECT_EQ(s.reason[i], KVM_EXIT_INTR);
		EXPECT_EQ(s.handled_after[i], i + 1);
		if (i)
			EXPECT_TRUE(before[i] > before[i - 1]);
	}
	spinner_go(&s);
	EXPECT_EQ(spinner_stop(&s), ROUNDS);
	EXPECT_EQ(handled_count(), ROUNDS);
	TH_LOG("guest counted to %llu", (unsigned long long)*s.count);
}

static void block_usr1_for_kvm_run(struct spinner *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	mt_sigmask(SIG_UNBLOCK, SIGUSR1);
	ASSERT_OK(mt_vcpu_sigmask(s->vcpu, &set));
}

/*
 * The KVM_SET_SIGNAL_MASK blocks SIGUSR1, the thread does not: a SIGUSR1
 * during KVM_RUN neither stops the guest nor runs the handler; when KVM_RUN
 * returns (HLT) the thread's own mask is back and the handler runs.
 */
TEST(signal_mask_blocks_during_run)
{
	struct spinner s;
	uint64_t seen;

	mt_need_concurrency();
	mt_handle(SIGUSR1, on_usr1);
	spinner_new(&s);
	s.setup = block_usr1_for_kvm_run;
	s.thread = mt_start(spinner_thread, &s);
	spinner_go(&s);
	ASSERT_EQ(pthread_kill(s.thread, SIGUSR1), 0);
	usleep(200 * 1000);
	seen = *s.count;
	EXPECT_TRUE(MT_WAIT_UNTIL(*s.count != seen, WAIT_MS));
	EXPECT_EQ(s.runs, 0);		/* still in its first KVM_RUN */
	EXPECT_EQ(handled_count(), 0);
	EXPECT_EQ(spinner_stop(&s), 0);
	EXPECT_EQ(s.handled_after[0], 1);
	EXPECT_TRUE(!s.pending_after[0]);
}

static void unblock_usr1_for_kvm_run(struct spinner *s)
{
	sigset_t none;

	sigemptyset(&none);
	mt_sigmask(SIG_BLOCK, SIGUSR1);
	ASSERT_OK(mt_vcpu_sigmask(s->vcpu, &none));
}

/*
 * The thread blocks SIGUSR1, the KVM_SET_SIGNAL_MASK does not: SIGUSR1
 * stops KVM_RUN (-EINTR, KVM_EXIT_INTR) and is pending, not handled, once
 * KVM_RUN returned. Taken with sigtimedwait, the guest runs on undisturbed.
 */
TEST(signal_mask_unblocks_during_run)
{
	struct spinner s;
	uint64_t seen;

	mt_need_concurrency();
	mt_handle(SIGUSR1, on_usr1);
	spinner_new(&s);
	s.setup = unblock_usr1_for_kvm_run;
	s.take_pending = true;
	s.thread = mt_start(spinner_thread, &s);
	spinner_go(&s);
	ASSERT_EQ(pthread_kill(s.thread, SIGUSR1), 0);
	sem_take(&s.done);
	EXPECT_EQ(s.err[0], EINTR);
	EXPECT_EQ(s.reason[0], KVM_EXIT_INTR);
	EXPECT_EQ(s.handled_after[0], 0);
	EXPECT_TRUE(s.pending_after[0]);

	spinner_go(&s);
	usleep(100 * 1000);
	seen = *s.count;
	EXPECT_TRUE(MT_WAIT_UNTIL(*s.count != seen, WAIT_MS));
	EXPECT_EQ(s.runs, 1);
	EXPECT_EQ(spinner_stop(&s), 1);
	EXPECT_TRUE(!s.pending_after[1]);
	EXPECT_EQ(handled_count(), 0);
}

static void mask_then_unmask(struct spinner *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	mt_sigmask(SIG_UNBLOCK, SIGUSR1);
	ASSERT_OK(mt_vcpu_sigmask(s->vcpu, &set));
	ASSERT_OK(mt_vcpu_sigmask(s->vcpu, NULL));
}

/* KVM_SET_SIGNAL_MASK(NULL): no mask any more, the thread's own applies. */
TEST(signal_mask_removed_with_null)
{
	struct spinner s;

	mt_need_concurrency();
	mt_handle(SIGUSR1, on_usr1);
	spinner_new(&s);
	s.setup = mask_then_unmask;
	s.thread = mt_start(spinner_thread, &s);
	spinner_go(&s);
	ASSERT_EQ(pthread_kill(s.thread, SIGUSR1), 0);
	sem_take(&s.done);
	EXPECT_EQ(s.err[0], EINTR);
	EXPECT_EQ(s.reason[0], KVM_EXIT_INTR);
	EXPECT_EQ(s.handled_after[0], 1);
	spinner_go(&s);
	EXPECT_EQ(spinner_stop(&s), 1);
}

/* KVM_SET_SIGNAL_MASK's own errors: a bad length, unreadable memory. */
TEST(signal_mask_bad_input)
{
	struct vcpu *vcpu;
	struct __attribute__((packed)) {
		uint32_t len;
		uint64_t set;
	} mask = { .len = 16, .set = 0 };

	guest_new(VM_MODE_LONG, GUEST(sig_spin), 0, &vcpu);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &mask), EINVAL);
	mask.len = 0;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &mask), EINVAL);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, (void *)8), EFAULT);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, (void *)-4096L), EFAULT);
}

/* sig_io with RIP at label and RAX, RBX, RCX, RSI set. */
static struct vm *io_guest(struct vcpu **vcpu, uint64_t rip, uint64_t rax,
			   uint64_t rbx)
{
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(sig_io), 0, vcpu);
	struct kvm_regs regs;

	vcpu_regs_get(*vcpu, &regs);
	regs.rip = rip;
	regs.rax = rax;
	regs.rbx = rbx;
	vcpu_regs_set(*vcpu, &regs);
	return vm;
}

static void immediate_exit_run(struct vcpu *vcpu, int want_errno)
{
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(vcpu_run_errno(vcpu), want_errno);
	vcpu->run->immediate_exit = 0;
}

/* immediate_exit: the guest does not run; every register stays. */
TEST(immediate_exit_leaves_state)
{
	struct kvm_regs regs, again;
	struct kvm_sregs sregs, sagain;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(sig_spin), 0, &vcpu);
	uint64_t *v = (uint64_t *)&regs;
	size_t i;

	vcpu_regs_get(vcpu, &regs);
	for (i = 0; i < 16; i++)
		v[i] = 0x0101010101010101ULL * (i + 1);
	regs.rsp = GUEST_STACK_TOP - 0x40;
	vcpu_regs_set(vcpu, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	*guest_report(vm) = 0x55;
	immediate_exit_run(vcpu, EINTR);
	immediate_exit_run(vcpu, EINTR);
	vcpu_regs_get(vcpu, &again);
	EXPECT_EQ(memcmp(&regs, &again, sizeof(regs)), 0);
	vcpu_sregs_get(vcpu, &sagain);
	EXPECT_EQ(memcmp(&sregs, &sagain, sizeof(sregs)), 0);
	EXPECT_EQ(*guest_report(vm), 0x55);

	*(uint64_t *)vm_ptr(vm, SIG_FLAG) = 1;
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 0x56);
}

/* The IN's data reaches EAX (zero-extended) and RIP moves past the IN only. */
TEST(immediate_exit_completes_in)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, in), PATTERN, 0);

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_IN, 4, 0xe2, 1);
	*(uint32_t *)vcpu_io_data(vcpu) = 0xdeadbeef;
	immediate_exit_run(vcpu, EINTR);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rax, 0xdeadbeef);
	EXPECT_EQ(regs.rip, GUEST_ADDR(sig_io, after_in));
	EXPECT_EQ(*guest_report(vm), 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 2);
}

/* The OUT completes: RIP past it, and no second exit for it. */
TEST(immediate_exit_completes_out)
{
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, out), PATTERN, 0);

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0xe0, 1);
	EXPECT_EQ(vcpu_io_value(vcpu), (uint32_t)PATTERN);
	immediate_exit_run(vcpu, EINTR);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(sig_io, after_out));
	EXPECT_EQ(*guest_report(vm), 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 1);
}

/* An MMIO read: the reply reaches EAX, RIP moves past the MOV only. */
TEST(immediate_exit_completes_mmio_read)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, mmio), PATTERN,
				 GUEST_MMIO_GPA + 0x40);

	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, GUEST_MMIO_GPA + 0x40, 4, false);
	vcpu_mmio_reply(vcpu, 0xcafef00d);
	immediate_exit_run(vcpu, EINTR);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rax, 0xcafef00d);
	EXPECT_EQ(regs.rip, GUEST_ADDR(sig_io, after_mmio));
	EXPECT_EQ(*guest_report(vm), 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 4);
}

/*
 * ADD to MMIO: completing the read makes the write, which is an exit of its
 * own: KVM_RUN returns it (0) despite immediate_exit; RIP is past the ADD
 * already. The next KVM_RUN with immediate_exit completes the write: -EINTR.
 */
TEST(immediate_exit_read_modify_write)
{
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, alu), 0x10,
				 GUEST_MMIO_GPA + 0x80);

	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, GUEST_MMIO_GPA + 0x80, 4, false);
	vcpu_mmio_reply(vcpu, 0x1000);
	immediate_exit_run(vcpu, 0);
	ASSERT_MMIO(vcpu, GUEST_MMIO_GPA + 0x80, 4, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0x1010);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(sig_io, after_alu));
	immediate_exit_run(vcpu, EINTR);
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(sig_io, after_alu));
	EXPECT_EQ(*guest_report(vm), 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 7);
}

/*
 * REP OUTSB, 3 bytes: KVM's emulator finishes each element (RSI, RCX)
 * before the exit that hands it over, and leaves RIP on the instruction,
 * also after the last one (emulate.c: a REP string instruction is left for
 * the guest to re-enter; with RCX = 0 it does nothing). Nothing is left to
 * complete at the next KVM_RUN: immediate_exit stops at once, RCX and RIP
 * as they were at the exit.
 */
TEST(immediate_exit_rep_outs)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, outs), 0, 0);
	uint8_t *data = vm_ptr(vm, GUEST_DATA_GPA + 0x100);
	uint64_t i;

	data[0] = 0xa1;
	data[1] = 0xa2;
	data[2] = 0xa3;
	vcpu_regs_get(vcpu, &regs);
	regs.rsi = GUEST_DATA_GPA + 0x100;
	regs.rdx = 0x3f8;
	regs.rcx = 3;
	vcpu_regs_set(vcpu, &regs);
	for (i = 1; i <= 3; i++) {
		vcpu_run(vcpu);
		ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 1, 0x3f8, 1);
		EXPECT_EQ(vcpu_io_value(vcpu), 0xa0 + i);
		vcpu_regs_get(vcpu, &regs);
		EXPECT_EQ(regs.rcx, 3 - i);
		EXPECT_EQ(regs.rsi, GUEST_DATA_GPA + 0x100 + i);
		EXPECT_EQ(regs.rip, GUEST_ADDR(sig_io, outs));
		immediate_exit_run(vcpu, EINTR);
		vcpu_regs_get(vcpu, &regs);
		EXPECT_EQ(regs.rcx, 3 - i);
		EXPECT_EQ(regs.rsi, GUEST_DATA_GPA + 0x100 + i);
		EXPECT_EQ(regs.rip, GUEST_ADDR(sig_io, outs));
	}
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 5);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rcx, 0);
	EXPECT_EQ(regs.rsi, GUEST_DATA_GPA + 0x103);
}

/* Userspace moves RIP after an OUT exit: the OUT is not completed. */
TEST(set_regs_rip_cancels_out)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, out), PATTERN, 0);

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0xe0, 1);
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_ADDR(sig_io, elsewhere);
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 6);
}

/* The same registers written back (RIP unchanged): the OUT completes once. */
TEST(set_regs_same_rip_completes_out)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, out), PATTERN, 0);

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0xe0, 1);
	vcpu_regs_get(vcpu, &regs);
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 1);
}

/* Userspace moves RIP after an IN exit: RAX keeps what userspace set. */
TEST(set_regs_rip_cancels_in)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, in), PATTERN, 0);

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_IN, 4, 0xe2, 1);
	*(uint32_t *)vcpu_io_data(vcpu) = 0xdeadbeef;
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_ADDR(sig_io, elsewhere);
	regs.rax = ~PATTERN;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 6);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rax, ~PATTERN);
}

/* RIP unchanged, RAX changed: a 1-byte IN merges into the new RAX. */
TEST(set_regs_rax_before_in_completes)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, inb), 0, 0);

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_IN, 1, 0xe4, 1);
	*(uint8_t *)vcpu_io_data(vcpu) = 0xab;
	vcpu_regs_get(vcpu, &regs);
	regs.rax = PATTERN;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 3);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rax, (PATTERN & ~0xffULL) | 0xab);
}

/*
 * MMIO completion resumes KVM's emulator on the instruction it decoded: RIP
 * goes past the MOV whatever RIP userspace set (no linear-RIP check as for
 * IN/OUT). Where the read lands is not checked: KVM's emulator reloads its
 * register cache from the new KVM_SET_REGS values
 * (emulate_regs_need_sync_from_vcpu) and drops the read, RAX keeping what
 * userspace set; userspace that changes registers before completing an
 * MMIO read gets no defined result (api.rst: guest state is consistent only
 * after the completing KVM_RUN).
 */
TEST(set_regs_rip_after_mmio_read)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = io_guest(&vcpu, GUEST_ADDR(sig_io, mmio), PATTERN,
				 GUEST_MMIO_GPA);

	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, GUEST_MMIO_GPA, 4, false);
	vcpu_mmio_reply(vcpu, 0x600df00d);
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_ADDR(sig_io, elsewhere);
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), 4);
	vcpu_regs_get(vcpu, &regs);
	TH_LOG("RAX after the completion: %#llx (set %#llx, read %#x)",
	       (unsigned long long)regs.rax, PATTERN, 0x600df00d);
}

/*
 * A vCPU run by two threads in turn, each KVM_RUN interrupted by a signal,
 * the second moved to another CPU while in KVM_RUN: when KVM_RUN returns,
 * the thread has its own FS base (its TLS), not the first thread's. KVM
 * loads the host's state for each vcpu_load() (svm_prepare_switch_to_guest()
 * saves it per CPU, kvm_arch_vcpu_load() on every CPU the thread comes to);
 * a backend that reuses host state saved on a CPU must not reuse another
 * thread's. (QEMU lost its TLS this way when a new vCPU reused a freed
 * one's address.)
 */
struct fs_runner {
	struct spinner *s;
	int cpu;
	pid_t tid;
	sem_t started, finish;
	int err;
	unsigned long fs_before, fs_after;
};

static void pin_to(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_OK(sched_setaffinity(tid, sizeof(set), &set));
}

static void *fs_runner_thread(void *arg)
{
	struct fs_runner *r = arg;
	unsigned long fs;

	r->tid = gettid();
	pin_to(0, r->cpu);
	syscall(SYS_arch_prctl, ARCH_GET_FS, &r->fs_before);
	sem_post(&r->started);
	/* Until the FS base is checked, nothing here may touch TLS (errno). */
	r->err = syscall(SYS_ioctl, r->s->vcpu->fd, KVM_RUN, 0) ? 1 : 0;
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
	r->fs_after = fs;
	if (fs != r->fs_before)
		syscall(SYS_arch_prctl, ARCH_SET_FS, r->fs_before);
	sem_take(&r->finish);
	return NULL;
}

/* Starts r's thread on cpu; returns once its guest is counting. */
static pthread_t fs_runner_start(struct fs_runner *r, struct spinner *s,
				 int cpu)
{
	pthread_t t;
	uint64_t seen = *s->count;

	memset(r, 0, sizeof(*r));
	r->s = s;
	r->cpu = cpu;
	ASSERT_OK(sem_init(&r->started, 0, 0));
	ASSERT_OK(sem_init(&r->finish, 0, 0));
	t = mt_start(fs_runner_thread, r);
	sem_take(&r->started);
	ASSERT_TRUE(MT_WAIT_UNTIL(*s->count != seen, WAIT_MS));
	return t;
}

/* The guest counted, run by r's thread, since now. */
static void fs_runner_progress(struct spinner *s)
{
	uint64_t seen = *s->count;

	ASSERT_TRUE(MT_WAIT_UNTIL(*s->count != seen, WAIT_MS));
}

static void fs_runner_stop(struct fs_runner *r, pthread_t t)
{
	ASSERT_EQ(pthread_kill(t, SIGUSR1), 0);
	ASSERT_TRUE(MT_WAIT_UNTIL(__atomic_load_n(&r->fs_after, __ATOMIC_SEQ_CST),
				  WAIT_MS));
	EXPECT_EQ(r->err, 1);
	EXPECT_EQ(r->s->vcpu->run->exit_reason, KVM_EXIT_INTR);
}

TEST(kvm_run_keeps_thread_fs_base_across_cpus)
{
	struct fs_runner first, second;
	pthread_t t1, t2;
	struct spinner s;
	cpu_set_t mine;
	int a = -1, b = -1, cpu;

	mt_need_concurrency();
	ASSERT_OK(sched_getaffinity(0, sizeof(mine), &mine));
	for (cpu = 0; cpu < CPU_SETSIZE && b < 0; cpu++) {
		if (!CPU_ISSET(cpu, &mine))
			continue;
		if (a < 0)
			a = cpu;
		else
			b = cpu;
	}
	if (b < 0)
		SKIP("needs two CPUs");
	mt_handle(SIGUSR1, on_usr1);
	spinner_new(&s);

	/* The first thread runs the guest on CPU b, and stays (blocked). */
	t1 = fs_runner_start(&first, &s, b);
	fs_runner_stop(&first, t1);
	EXPECT_EQ(first.fs_after, first.fs_before);

	/* The second starts on CPU a and moves to b in KVM_RUN. */
	t2 = fs_runner_start(&second, &s, a);
	pin_to(second.tid, b);
	fs_runner_progress(&s);
	fs_runner_stop(&second, t2);
	EXPECT_TRUE(second.fs_before != first.fs_before);
	EXPECT_EQ(second.fs_after, second.fs_before);
	TH_LOG("FS bases: first thread %#lx, second %#lx, second after %#lx",
	       first.fs_before, second.fs_before, second.fs_after);

	sem_post(&first.finish);
	sem_post(&second.finish);
	mt_join(t1);
	mt_join(t2);
}
