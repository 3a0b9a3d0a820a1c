// SPDX-License-Identifier: GPL-2.0-only
/* Threads, deadlines and signal masks for vCPU threads. See threads.h. */
#include <sched.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "threads.h"
#include "vm.h"

pthread_t mt_start(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int r = pthread_create(&t, NULL, fn, arg);

	if (r) {
		TH_FAIL("pthread_create: %s", strerror(r));
		exit(TH_EXIT_FAIL);
	}
	return t;
}

void *mt_join(pthread_t t)
{
	void *ret = NULL;
	int r = pthread_join(t, &ret);

	if (r) {
		TH_FAIL("pthread_join: %s", strerror(r));
		exit(TH_EXIT_FAIL);
	}
	return ret;
}

uint64_t mt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void mt_relax(void)
{
	usleep(100);
}

bool mt_host_is_bochs(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/class/dmi/id/bios_version", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return !strncmp(buf, "Bochs", 5);
}

void mt_need_concurrency(void)
{
	if (mt_host_is_bochs())
		SKIP("Bochs does not interrupt its VMX guest for the host's timer: "
		     "a spinning vCPU would wedge its one-CPU host");
}

void mt_handle(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	ASSERT_OK(sigaction(sig, &sa, NULL));
}

void mt_sigmask(int how, int sig)
{
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, sig);
	r = pthread_sigmask(how, &set, NULL);
	if (r) {
		TH_FAIL("pthread_sigmask: %s", strerror(r));
		exit(TH_EXIT_FAIL);
	}
}

bool mt_sigpending(int sig)
{
	sigset_t set;

	ASSERT_OK(sigpending(&set));
	return sigismember(&set, sig) == 1;
}

int mt_vcpu_sigmask(struct vcpu *vcpu, const sigset_t *set)
{
	/* struct kvm_signal_mask: len, then the kernel's 8-byte sigset_t. */
	struct __attribute__((packed)) {
		uint32_t len;
		uint64_t bits;
	} mask = { .len = 8, .bits = 0 };
	int sig;

	if (!set)
		return ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, NULL);
	for (sig = 1; sig <= 64; sig++)
		if (sigismember(set, sig) == 1)
			mask.bits |= 1ULL << (sig - 1);
	return ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &mask);
}
