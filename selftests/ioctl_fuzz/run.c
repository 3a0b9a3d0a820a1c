// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_RUN for the fuzzer: a page of random bytes as guest code, and every
 * KVM_RUN bounded by a one-shot timer of the calling thread that sends
 * FZ_BREAK_SIG (KVM_RUN returns -EINTR, KVM's rule for a pending signal),
 * so that a guest looping or halting in the kernel never hangs the test.
 * The fuzzed KVM_SET_SIGNAL_MASK never blocks that signal (args_vcpu.c).
 */
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE	4096UL

static __thread timer_t fz_timer;
static __thread bool fz_timer_ok;

static void fz_break(int sig)
{
	(void)sig;
}

/* The calling thread's timer (again in a forked child: timers are per process). */
void fz_run_setup(void)
{
	struct sigevent ev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = FZ_BREAK_SIG,
	};
	struct sigaction sa = { .sa_handler = fz_break };	/* no SA_RESTART */

	sigaction(FZ_BREAK_SIG, &sa, NULL);
	ev._sigev_un._tid = syscall(SYS_gettid);
	fz_timer_ok = !timer_create(CLOCK_MONOTONIC, &ev, &fz_timer);
}

long fz_run_bounded(int fd)
{
	struct itimerspec on = { .it_value.tv_nsec = FZ_RUN_NS }, off = { 0 };
	long r;

	if (fz_timer_ok)
		timer_settime(fz_timer, 0, &on, NULL);
	r = ioctl(fd, KVM_RUN, 0);
	if (fz_timer_ok)
		timer_settime(fz_timer, 0, &off, NULL);
	return r;
}

void fz_count_exit(struct fz_shared *sh, long r, const struct kvm_run *run)
{
	if (!sh)
		return;
	if (r)
		__atomic_fetch_add(&sh->run_errors, 1, __ATOMIC_RELAXED);
	else if (run)
		__atomic_fetch_add(&sh->exits[run->exit_reason % FZ_EXITS], 1,
				   __ATOMIC_RELAXED);
}

/*
 * A plausible run: guest memory at GPA 0 from buffer 0, a page of it
 * random, real mode with CS base 0 (or the state as it is), RIP in that
 * page; then up to three KVM_RUNs (completing I/O and MMIO exits).
 */
void fz_run(struct fz *f, int slot)
{
	struct fz_buf *m = &f->bufs[0];
	struct fz_fd *e = &f->fds[slot];
	int i, vm = fz_pick(f, FZ_VM), fd = e->fd, n = 1 + fz_below(f, 3);
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	size_t page = 0;

	if (vm >= 0 && m->p && fz_chance(f, 80))
		fz_memslot(f, f->fds[vm].fd, 0, 0);
	if (m->p) {
		page = fz_below(f, m->size / PAGE) * PAGE;
		/* A mprotect'ed buffer is left alone (fz_mem_op gives access back). */
		if (fz_chance(f, 70) && !mprotect(m->p + page, PAGE, PROT_READ | PROT_WRITE))
			fz_bytes(f, m->p + page, PAGE);
	}
	if (fz_chance(f, 70) && !fz_ioctl(f, fd, KVM_GET_SREGS, (unsigned long)&sregs)) {
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
		if (fz_chance(f, 10))
			fz_mutate(f, &sregs, sizeof(sregs));
		fz_ioctl(f, fd, KVM_SET_SREGS, (unsigned long)&sregs);
	}
	if (fz_chance(f, 70) && !fz_ioctl(f, fd, KVM_GET_REGS, (unsigned long)&regs)) {
		regs.rip = page + fz_below(f, PAGE);
		regs.rflags = 2;
		regs.rsp = fz_below(f, 0x10000);
		fz_ioctl(f, fd, KVM_SET_REGS, (unsigned long)&regs);
	}
	for (i = 0; i < n; i++) {
		if (e->run && fz_chance(f, 10))
			e->run->immediate_exit = 1;
		FZ_TRACE(f, "KVM_RUN fd %d", fd);
		fz_count_cmd(f, KVM_RUN);
		fz_count_exit(f->sh, fz_run_bounded(fd), e->run);
		if (e->run)
			e->run->immediate_exit = 0;
	}
}
