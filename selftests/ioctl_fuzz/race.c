// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races: a VM of its own with one vCPU, a thread running it (each KVM_RUN
 * bounded, run.c) against a thread changing its memslots, registers,
 * memory and irqfd, and sometimes a third that closes the vCPU or VM fd
 * under them. Each thread makes a bounded number of calls; the outcome is
 * not reproducible, only the setup is (from the main PRNG).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE		4096UL
#define RACE_MEM	(64UL << 10)
#define RACE_CALLS	40	/* per thread */

struct race {
	struct fz *f;
	uint8_t *mem;		/* in the arena, at 12 MiB */
	atomic_int vm, vcpu;	/* -1 once closed by a racer */
	int efd;
	struct kvm_run *run;
	bool irqchip;
	atomic_ulong calls;
};

struct racer {
	struct race *r;
	uint64_t rng;
	void (*op)(struct racer *t);
};

static void race_slot(struct race *r, uint32_t slot, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct kvm_userspace_memory_region m = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)r->mem,
	};

	ioctl(r->vm, KVM_SET_USER_MEMORY_REGION, &m);
}

static void op_run(struct racer *t)
{
	fz_count_exit(t->r->f->sh, fz_run_bounded(t->r->vcpu), t->r->run);
}

/* Memslots, registers, immediate_exit, irqfd, the backing memory. */
static void op_change(struct racer *t)
{
	struct race *r = t->r;
	struct kvm_regs regs = { .rflags = 2 };
	struct kvm_irqfd irqfd = { .fd = r->efd, .gsi = fz_next(&t->rng) % 24 };
	uint64_t one = 1;

	switch (fz_next(&t->rng) % 9) {
	case 0:
		race_slot(r, 0, 0, 0, 0);
		break;
	case 1:
		race_slot(r, 0, fz_next(&t->rng) % 2 ? 0 : 0x100000, RACE_MEM, 0);
		break;
	case 2:
		race_slot(r, 1, 0x200000, RACE_MEM, fz_next(&t->rng) % 4);
		break;
	case 3:
		ioctl(r->vcpu, KVM_SET_REGS, &regs);
		break;
	case 4:
		if (r->run)
			r->run->immediate_exit = fz_next(&t->rng) % 2;
		break;
	case 5:
		irqfd.flags = fz_next(&t->rng) % 2 ? KVM_IRQFD_FLAG_DEASSIGN : 0;
		ioctl(r->vm, KVM_IRQFD, &irqfd);
		break;
	case 6:
		if (write(r->efd, &one, sizeof(one)) < 0)
			break;
		break;
	case 7:
		mprotect(r->mem + PAGE * (fz_next(&t->rng) % (RACE_MEM / PAGE)), PAGE,
			 fz_next(&t->rng) % 2 ? PROT_NONE : PROT_READ | PROT_WRITE);
		break;
	default:
		/* The pages go and come back (zeroed) at the same address. */
		mmap(r->mem, RACE_MEM, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
}

/* State reads and injections; at a random point, a close under the others. */
static void op_close(struct racer *t)
{
	struct race *r = t->r;
	struct kvm_regs regs;
	struct kvm_irq_level line = { .irq = fz_next(&t->rng) % 16, .level = 1 };

	switch (fz_next(&t->rng) % 8) {
	case 0:
		if (r->vcpu >= 0 && fz_next(&t->rng) % 4 == 0) {
			close(r->vcpu);
			r->vcpu = -1;
		}
		break;
	case 1:
		if (r->vm >= 0 && fz_next(&t->rng) % 4 == 0) {
			close(r->vm);
			r->vm = -1;
		}
		break;
	case 2:
		ioctl(r->vcpu, KVM_GET_REGS, &regs);
		break;
	case 3:
		ioctl(r->vcpu, KVM_NMI, 0);
		break;
	case 4:
		ioctl(r->vm, KVM_IRQ_LINE, &line);
		line.level = 0;
		ioctl(r->vm, KVM_IRQ_LINE, &line);
		break;
	default:
		sched_yield();
	}
}

static void *racer_main(void *arg)
{
	struct racer *t = arg;
	int i;

	fz_run_setup();
	for (i = 0; i < RACE_CALLS; i++) {
		t->op(t);
		atomic_fetch_add(&t->r->calls, 1);
	}
	return NULL;
}

/* Guest code: random bytes, or a real-mode loop of OUTs or HLTs. */
static void race_guest(struct fz *f, uint8_t *code)
{
	static const uint8_t out_loop[] = { 0x40, 0xe6, 0x80, 0xeb, 0xfb };
	static const uint8_t hlt_loop[] = { 0xf4, 0xeb, 0xfd };

	switch (fz_below(f, 3)) {
	case 0: memcpy(code, out_loop, sizeof(out_loop)); break;
	case 1: memcpy(code, hlt_loop, sizeof(hlt_loop)); break;
	default: fz_bytes(f, code, PAGE);
	}
}

void fz_race(struct fz *f)
{
	struct race r = { .f = f, .vm = -1, .vcpu = -1, .efd = -1 };
	struct racer t[3];
	pthread_t tid[3];
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rflags = 2 };
	int sys = fz_pick(f, FZ_SYS), n = fz_chance(f, 50) ? 3 : 2, i;

	if (sys < 0)
		return;
	FZ_TRACE(f, "race: %d threads", n);
	r.mem = mmap(f->arena + (12 << 20), RACE_MEM, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	r.vm = ioctl(f->fds[sys].fd, KVM_CREATE_VM, 0);
	if (r.mem == MAP_FAILED || r.vm < 0)
		goto out;
	r.irqchip = fz_chance(f, 50) && !ioctl(r.vm, KVM_CREATE_IRQCHIP, 0);
	race_slot(&r, 0, 0, RACE_MEM, 0);
	race_guest(f, r.mem);
	r.vcpu = ioctl(r.vm, KVM_CREATE_VCPU, 0);
	r.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r.vcpu < 0 || r.efd < 0)
		goto out;
	r.run = mmap(NULL, f->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, r.vcpu, 0);
	if (r.run == MAP_FAILED)
		r.run = NULL;
	if (!ioctl(r.vcpu, KVM_GET_SREGS, &sregs)) {
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
		ioctl(r.vcpu, KVM_SET_SREGS, &sregs);
	}
	ioctl(r.vcpu, KVM_SET_REGS, &regs);

	t[0] = (struct racer){ .r = &r, .op = op_run };
	t[1] = (struct racer){ .r = &r, .op = op_change };
	t[2] = (struct racer){ .r = &r, .op = op_close };
	for (i = 0; i < n; i++) {
		fz_seed(&t[i].rng, fz_next(&f->rng));
		if (pthread_create(&tid[i], NULL, racer_main, &t[i]))
			n = i;
	}
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	f->races += r.calls;
out:
	if (r.run)
		munmap(r.run, f->mmap_size);
	if (r.efd >= 0)
		close(r.efd);
	if (r.vcpu >= 0)
		close(r.vcpu);
	if (r.vm >= 0)
		close(r.vm);
	if (r.mem != MAP_FAILED)
		mmap(f->arena + (12 << 20), RACE_MEM, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
}
