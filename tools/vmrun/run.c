// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU loop and exit dispatch (kvmtool's kvm_cpu__start()), and the
 * main thread's wait with the --timeout watchdog.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "report.h"
#include "run.h"
#include "vmrun.h"

void run_init(struct run_ctx *r, struct vcpu *cpu, struct ioport_table *io,
	      struct vm_stop *stop, FILE *log)
{
	memset(r, 0, sizeof(*r));
	r->cpu = cpu;
	r->io = io;
	r->stop = stop;
	r->log = log;
	atomic_init(&r->kick, 0);
}

/* Where the guest is: the register dump, or why there is none. */
static void report_where(struct run_ctx *r)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(r->cpu->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(r->cpu->fd, KVM_GET_SREGS, &sregs) < 0) {
		fprintf(r->log, "  registers: unavailable (%s)\n", strerror(errno));
		return;
	}
	report_regs(r->log, &regs, &sregs);
}

/* Stops the machine with status, saying why; with_exit: the kvm_run fields too. */
__attribute__((format(printf, 4, 5)))
static enum io_action stop_report(struct run_ctx *r, int status, bool with_exit,
				  const char *fmt, ...)
{
	char why[sizeof(r->stop->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	vm_stop_set(r->stop, status, "%s", why);
	fprintf(r->log, "vmrun: %s\n", why);
	if (with_exit)
		report_exit(r->log, r->cpu->run);
	report_where(r);
	fflush(r->log);
	return IO_STOP;
}

static enum io_action handle_io(struct run_ctx *r)
{
	struct kvm_run *run = r->cpu->run;
	unsigned int size = run->io.size, i;
	enum io_action act = IO_CONTINUE;
	uint32_t val;
	uint8_t *p;

	if ((size != 1 && size != 2 && size != 4) || run->io.count == 0 ||
	    run->io.data_offset > r->cpu->run_size ||
	    (uint64_t)size * run->io.count > r->cpu->run_size - run->io.data_offset)
		return stop_report(r, VMRUN_UNHANDLED, true,
				   "malformed KVM_EXIT_IO: size %u, count %u, data_offset 0x%llx",
				   size, run->io.count, run->io.data_offset);

	/* count > 1: a string instruction (INS/OUTS, REP), data packed in order. */
	p = (uint8_t *)run + run->io.data_offset;
	for (i = 0; i < run->io.count && act == IO_CONTINUE; i++, p += size) {
		val = 0;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&val, p, size);
			act = ioport_out(r->io, run->io.port, size, val);
		} else {
			act = ioport_in(r->io, run->io.port, size, &val);
			memcpy(p, &val, size);
		}
	}
	if (act == IO_STOP && !r->stop->stopped)
		vm_stop_set(r->stop, VMRUN_UNHANDLED, "a device at port 0x%x stopped the machine",
			    run->io.port);
	return act;
}

/* KVM_RUN came back without an exit to handle: kicked, or a stray signal. */
static enum io_action handle_kick(struct run_ctx *r)
{
	int kick = atomic_load(&r->kick);

	if (kick == RUN_KICK_TIMEOUT)
		return stop_report(r, VMRUN_TIMEOUT, false,
				   "--timeout %u s expired; the guest was stopped here:",
				   r->timeout);
	if (kick > 0)
		return stop_report(r, 128 + kick, false,
				   "stopped by signal %d (%s); the guest was here:",
				   kick, strsignal(kick));
	return IO_CONTINUE;
}

enum io_action run_handle_exit(struct run_ctx *r, int ret, int err)
{
	struct kvm_run *run = r->cpu->run;
	const char *name;

	if (ret < 0 && err == EINTR) {
		r->exits[KVM_EXIT_INTR]++;
		return handle_kick(r);
	}
	if (ret < 0 && (err == EFAULT || err == EHWPOISON) &&
	    run->exit_reason == KVM_EXIT_MEMORY_FAULT)
		return stop_report(r, VMRUN_UNHANDLED, true,
				   "KVM_RUN: %s, with KVM_EXIT_MEMORY_FAULT", strerror(err));
	if (ret < 0)
		return stop_report(r, VMRUN_UNHANDLED, false, "KVM_RUN: %s", strerror(err));

	r->exits[run->exit_reason < RUN_COUNTED_EXITS ? run->exit_reason
						       : RUN_COUNTED_EXITS]++;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(r);
	case KVM_EXIT_HLT:
		/* v0: no interrupts can wake the guest, so HLT means "done". */
		vm_stop_set(r->stop, VMRUN_HALTED, "the guest executed HLT");
		return IO_STOP;
	case KVM_EXIT_INTR:
		return handle_kick(r);
	case KVM_EXIT_SHUTDOWN:
		stop_report(r, VMRUN_SHUTDOWN, true,
			    "the guest shut down (KVM_EXIT_SHUTDOWN: triple fault)");
		/* kvm_amd INITs the vCPU: svm.c shutdown_interception() */
		fprintf(r->log, "  (kvm_amd reinitializes the vCPU at a shutdown: there the registers\n"
			"   above are its reset state, CS:RIP f000:fff0, not where the guest was)\n");
		return IO_STOP;
	case KVM_EXIT_MMIO:
		return stop_report(r, VMRUN_UNHANDLED, true,
				   "unhandled exit KVM_EXIT_MMIO: %u-byte %s at 0x%llx (vmrun has no MMIO devices yet)",
				   run->mmio.len, run->mmio.is_write ? "write" : "read",
				   run->mmio.phys_addr);
	case KVM_EXIT_FAIL_ENTRY:
		return stop_report(r, VMRUN_UNHANDLED, true,
				   "KVM_EXIT_FAIL_ENTRY: the vCPU could not enter the guest (hardware_entry_failure_reason 0x%llx)",
				   run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		name = internal_error_name(run->internal.suberror);
		return stop_report(r, VMRUN_UNHANDLED, true,
				   "KVM_EXIT_INTERNAL_ERROR: suberror %u (%s)",
				   run->internal.suberror, name ? name : "unknown");
	default:
		name = exit_reason_name(run->exit_reason);
		return stop_report(r, VMRUN_UNHANDLED, true, "unhandled exit %s (%u)",
				   name ? name : "unknown to vmrun", run->exit_reason);
	}
}

void run_vcpu(struct run_ctx *r)
{
	int ret;

	do {
		ret = ioctl(r->cpu->fd, KVM_RUN, 0);
	} while (run_handle_exit(r, ret, errno) == IO_CONTINUE);
}

static void *vcpu_thread(void *arg)
{
	struct run_ctx *r = arg;

	run_vcpu(r);
	pthread_kill(r->main_thread, RUN_DONE_SIGNAL);
	return NULL;
}

/* The signal only interrupts KVM_RUN; immediate_exit closes the race. */
static void kick_handler(int sig)
{
	(void)sig;
}

static void kick(struct run_ctx *r, pthread_t vcpu, int why)
{
	int none = 0;

	atomic_compare_exchange_strong(&r->kick, &none, why);
	r->cpu->run->immediate_exit = 1;
	pthread_kill(vcpu, RUN_KICK_SIGNAL);
}

static struct timespec ts_until(const struct timespec *deadline)
{
	struct timespec now, left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left.tv_sec = deadline->tv_sec - now.tv_sec;
	left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left.tv_nsec < 0) {
		left.tv_sec--;
		left.tv_nsec += 1000000000L;
	}
	if (left.tv_sec < 0)
		left.tv_sec = left.tv_nsec = 0;
	return left;
}

int run_machine(struct run_ctx *r, unsigned int timeout)
{
	struct sigaction sa, old_sa;
	struct timespec deadline, left;
	sigset_t wait, old_mask;
	pthread_t vcpu;
	bool kicked = false;
	int sig, ret;

	r->timeout = timeout;
	r->main_thread = pthread_self();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(RUN_KICK_SIGNAL, &sa, &old_sa);

	/* Blocked in both threads; main takes them with sigtimedwait(). */
	sigemptyset(&wait);
	sigaddset(&wait, SIGINT);
	sigaddset(&wait, SIGTERM);
	sigaddset(&wait, RUN_DONE_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &wait, &old_mask);

	ret = pthread_create(&vcpu, NULL, vcpu_thread, r);
	if (ret) {
		fprintf(r->log, "vmrun: cannot start the vCPU thread: %s\n", strerror(ret));
		vm_stop_set(r->stop, VMRUN_SETUP, "no vCPU thread");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	for (;;) {
		left = ts_until(&deadline);
		sig = sigtimedwait(&wait, NULL, timeout || kicked ? &left : NULL);
		if (sig == RUN_DONE_SIGNAL)
			break;
		if (sig == SIGINT || sig == SIGTERM) {
			kick(r, vcpu, sig);
			kicked = true;
		} else if (sig < 0 && errno == EAGAIN) {
			/* Watchdog; then kick again every second until it stops. */
			kick(r, vcpu, RUN_KICK_TIMEOUT);
			kicked = true;
		} else {
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += 1;
	}
	pthread_join(vcpu, NULL);
out:
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(RUN_KICK_SIGNAL, &old_sa, NULL);
	return r->stop->status;
}

void run_print_exits(const struct run_ctx *r, FILE *out)
{
	const char *name;
	unsigned int i;

	fprintf(out, "vmrun: exits:");
	for (i = 0; i <= RUN_COUNTED_EXITS; i++) {
		if (!r->exits[i])
			continue;
		name = i < RUN_COUNTED_EXITS ? exit_reason_name(i) : NULL;
		if (name)
			fprintf(out, " %s %lu", name + strlen("KVM_EXIT_"), r->exits[i]);
		else
			fprintf(out, " %s%u %lu", i < RUN_COUNTED_EXITS ? "#" : ">=", i,
				r->exits[i]);
	}
	fprintf(out, "\n");
}
