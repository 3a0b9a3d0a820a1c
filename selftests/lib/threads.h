/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the suites that run vCPUs on threads of their own and send
 * them signals (interrupts, memslots, multi, signals): threads that fail the
 * test when they cannot be made, polling with a deadline, signal masks (the
 * thread's own and KVM_SET_SIGNAL_MASK's), and the emulated-host limits that
 * decide whether a test that needs real concurrency can run at all.
 */
#ifndef MINIVIRT_SELFTEST_THREADS_H
#define MINIVIRT_SELFTEST_THREADS_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* pthread_create/pthread_join, or fail the test. */
pthread_t mt_start(void *(*fn)(void *), void *arg);
void *mt_join(pthread_t t);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t mt_now_ns(void);

/*
 * Polls cond (an expression) every 100 us until it holds or ms milliseconds
 * passed; evaluates to whether it held.
 */
#define MT_WAIT_UNTIL(cond, ms)						\
	({								\
		uint64_t mt_end_ = mt_now_ns() + (uint64_t)(ms) * 1000000; \
		bool mt_ok_;						\
		while (!(mt_ok_ = !!(cond)) && mt_now_ns() < mt_end_)	\
			mt_relax();					\
		mt_ok_;							\
	})
void mt_relax(void);

/* Is the host Bochs (the VMX test host)? */
bool mt_host_is_bochs(void);
/*
 * Skips the test where vCPUs that spin in the guest cannot share the host:
 * Bochs 2.7 does not deliver the host's timer interrupt while its VMX guest
 * runs (selftests/exits.c, signal_exit_intr), and its host has one CPU, so a
 * spinning vCPU thread never lets the other threads run.
 */
void mt_need_concurrency(void);

/* sigaction(sig) with handler, no SA_RESTART; fails the test on error. */
void mt_handle(int sig, void (*handler)(int));
/* pthread_sigmask(how, {sig}) for the calling thread. */
void mt_sigmask(int how, int sig);
/* Is sig pending for the calling thread (or its process)? */
bool mt_sigpending(int sig);

/*
 * KVM_SET_SIGNAL_MASK with the signals of set (NULL: no mask, the thread's
 * own applies during KVM_RUN); returns the ioctl's result, errno set.
 */
int mt_vcpu_sigmask(struct vcpu *vcpu, const sigset_t *set);

#endif /* MINIVIRT_SELFTEST_THREADS_H */
