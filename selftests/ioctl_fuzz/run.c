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
#include "../lib/threads.h"

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

/*
 * Bochs 2.7, the VMX test host, takes no timer interrupt of its own while
 * its VMX guest runs (selftests/exits.c, signal_exit_intr): a random guest
 * that spins wedges that host for good, in either column (vmx 6.1,
 * --seed 1938777971, call 1292: real mode, IF=0, "jp .-2" at 0xdd43; the
 * host printed nothing more, Bochs' clock ran on). There every KVM_RUN
 * single-steps (KVM_GUESTDBG_SINGLESTEP: a #DB exit after each
 * instruction), set again right before it, as a fuzzed call may clear it.
 */
static bool fz_host_wedges_on_spin(void)
{
	static int bochs = -1;

	if (bochs < 0)
		bochs = mt_host_is_bochs();
	return bochs;
}

static long fz_single_step(int fd)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};

	return ioctl(fd, KVM_SET_GUEST_DEBUG, &dbg);
}

/*
 * Periodic, not one-shot: an expiry that comes before the ioctl (a slow
 * host) is taken by the handler in user mode, and a one-shot timer would
 * leave KVM_RUN unbroken (svm 6.1 shadow, --seed 3070069429: a chunk
 * asleep in KVM_RUN for minutes, the host idle).
 */
long fz_run_bounded(int fd)
{
	struct itimerspec on = {
		.it_value.tv_nsec = FZ_RUN_NS, .it_interval.tv_nsec = FZ_RUN_NS,
	}, off = { 0 };
	long r;

	if (fz_host_wedges_on_spin()) {
		r = fz_single_step(fd);
		if (r)
			return r;
	}
	if (fz_timer_ok)
		timer_settime(fz_timer, 0, &on, NULL);
	r = ioctl(fd, KVM_RUN, 0);
	if (fz_timer_ok)
		timer_settime(fz_timer, 0, &off, NULL);
	return r;
}

/*
 * EFER.LME (and LMA) only with CR0.PG: a guest in real mode with EFER.LME
 * set, running random code under kvm_amd, wedged the QEMU TCG host (its
 * CPU took no timer tick and answered no NMI: held in the L2 guest; the
 * minivirt column ran the same calls clean). svm 6.1, --seed 2725036025:
 * clearing only LME|LMA in real-mode KVM_SET_SREGS made the kvm column
 * pass. The emulator's fault, not a state the fuzzer must reach.
 */
void fz_no_lme_unpaged(struct kvm_sregs *s)
{
	if (!(s->cr0 & (1ULL << 31)))
		s->efer &= ~FZ_EFER_LME_LMA;
}

/*
 * No LAPIC timer armed from userspace (the initial and current counts
 * cleared, TSC_DEADLINE written as 0): Linux 6.1's KVM_RUN WARNs when the
 * VMX preemption timer backs the LAPIC timer of a vCPU still in
 * KVM_MP_STATE_UNINITIALIZED (arch/x86/kvm/x86.c, kvm_arch_vcpu_ioctl_run();
 * 6.12 has no such WARN), which an AP of a VM with an irqchip is from its
 * creation. Found in Bochs' VT-x host (vmx 6.1, --seed 1938777970, kvm
 * column). The timers have the lapic suite.
 */
void fz_no_lapic_timer(struct kvm_lapic_state *l)
{
	memset(l->regs + 0x380, 0, 4);	/* TMICT */
	memset(l->regs + 0x390, 0, 4);	/* TMCCT */
}

/* With --trace, the state a KVM_RUN starts from (read without a counted call). */
void fz_trace_state(struct fz *f, int fd)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	const struct kvm_segment *g[] = { &s.cs, &s.ds, &s.es, &s.fs, &s.gs, &s.ss, &s.tr, &s.ldt };
	unsigned int i;

	if (!f->trace || ioctl(fd, KVM_GET_SREGS, &s) || ioctl(fd, KVM_GET_REGS, &r))
		return;
	printf("# rip %#llx rflags %#llx rsp %#llx cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx cr8 %#llx efer %#llx apic_base %#llx\n",
	       r.rip, r.rflags, r.rsp, s.cr0, s.cr2, s.cr3, s.cr4, s.cr8, s.efer, s.apic_base);
	for (i = 0; i < 8; i++)
		printf("# seg%u base %#llx limit %#x sel %#x type %u p %u dpl %u db %u s %u l %u g %u avl %u unusable %u\n",
		       i, g[i]->base, g[i]->limit, g[i]->selector, g[i]->type, g[i]->present,
		       g[i]->dpl, g[i]->db, g[i]->s, g[i]->l, g[i]->g, g[i]->avl, g[i]->unusable);
	printf("# gdt %#llx/%#x idt %#llx/%#x\n", s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
	fflush(stdout);
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
		fz_no_lme_unpaged(&sregs);
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
		fz_trace_state(f, fd);
		fz_count_cmd(f, KVM_RUN);
		fz_count_exit(f->sh, fz_run_bounded(fd), e->run);
		if (e->run)
			e->run->immediate_exit = 0;
	}
}
