// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several vCPUs and several VMs at once:
 * - vCPUs of one VM on threads of their own run at the same time (they meet
 *   at barriers in guest memory, which needs all of them running), each
 *   counts in its own memory, and LOCK INC / LOCK XADD on shared counters
 *   from all of them add up exactly;
 * - their exits to userspace stay their own (each kvm_run, each sequence);
 * - VMs at once, with the same guest-physical layout: each fills its memory
 *   with its own pattern and keeps checking it while the others run; the
 *   host finds every VM's memory holding exactly its pattern and the host
 *   memory around it untouched, and a read past a VM's memory is MMIO;
 *   the same with VMs in processes of their own;
 * - KVM_CREATE_VCPU racing for one id: one wins, the others get -EEXIST;
 *   distinct ids from several threads all succeed.
 * Guest code: guest/multi.S.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/threads.h"
#include "lib/vm.h"

DECLARE_GUEST(mu_count);
DECLARE_GUEST(mu_exits);
DECLARE_GUEST(mu_canary);

/* As in guest/multi.S. */
#define MU_INC		(GUEST_DATA_GPA + 0x000)
#define MU_XADD		(GUEST_DATA_GPA + 0x040)
#define MU_BARRIER	(GUEST_DATA_GPA + 0x080)
#define MU_OWN		(GUEST_DATA_GPA + 0x100)	/* + 0x40 * i */
#define MU_N		100000
#define MU_ROUNDS	10
#define MU_EXITS	300

#define NR_VCPUS	4
#define NR_VMS		3
#define CANARY_GPA	0x40000000ULL
#define CANARY_SIZE	0x400000ULL
#define CANARY_ROUNDS	6
#define GAP		0x100000ULL	/* host memory around each VM's */
#define HOST_BYTE	0xc5
#define MMIO_REPLY	0xfeedface

/* vCPU i of the VM, in long mode, with its own stack and RBX = i. */
static struct vcpu *vcpu_i(struct vm *vm, struct vcpu *vcpu0, unsigned int i)
{
	struct vcpu *vcpu = i ? vcpu_new(vm, i) : vcpu0;
	struct kvm_regs regs;

	if (i)
		vcpu_set_mode(vcpu, VM_MODE_LONG, 0);
	vcpu_regs_get(vcpu, &regs);
	regs.rbx = i;
	regs.rdi = MU_OWN + 0x40 * i;
	regs.r14 = NR_VCPUS;
	regs.rsp = i ? GUEST_FREE_GPA + 0x20000 + i * 0x1000 : GUEST_STACK_TOP;
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}

struct counter {
	struct vcpu *vcpu;
	uint32_t reported;
	uint32_t reason;
};

static void *count_thread(void *arg)
{
	struct counter *c = arg;

	c->reported = vcpu_run_to_report(c->vcpu);
	vcpu_run(c->vcpu);
	c->reason = c->vcpu->run->exit_reason;
	return NULL;
}

/*
 * NR_VCPUS vCPUs on NR_VCPUS threads count MU_ROUNDS x MU_N each, meeting
 * at a barrier after each round: own counts and both shared counters exact.
 */
TEST_TIMEOUT(vcpus_count_concurrently, 180)
{
	struct counter c[NR_VCPUS];
	pthread_t t[NR_VCPUS];
	struct vcpu *vcpu0;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(mu_count), 0, &vcpu0);
	const uint64_t total = (uint64_t)NR_VCPUS * MU_N * MU_ROUNDS;
	unsigned int i;

	mt_need_concurrency();
	for (i = 0; i < NR_VCPUS; i++)
		c[i] = (struct counter){ .vcpu = vcpu_i(vm, vcpu0, i) };
	for (i = 0; i < NR_VCPUS; i++)
		t[i] = mt_start(count_thread, &c[i]);
	for (i = 0; i < NR_VCPUS; i++)
		mt_join(t[i]);
	for (i = 0; i < NR_VCPUS; i++) {
		uint64_t *own = vm_ptr(vm, MU_OWN + 0x40 * i);

		EXPECT_EQ(c[i].reported, MU_N * MU_ROUNDS);
		EXPECT_EQ(c[i].reason, KVM_EXIT_HLT);
		EXPECT_EQ(own[0], (uint64_t)MU_N * MU_ROUNDS);
		TH_LOG("vCPU %u: another vCPU's XADD came between two of its own %llu times",
		       i, (unsigned long long)own[1]);
	}
	EXPECT_EQ(*(uint64_t *)vm_ptr(vm, MU_INC), total);
	EXPECT_EQ(*(uint64_t *)vm_ptr(vm, MU_XADD), total);
	EXPECT_EQ(*(uint64_t *)vm_ptr(vm, MU_BARRIER), NR_VCPUS * MU_ROUNDS);
}

struct exiter {
	struct vcpu *vcpu;
	unsigned int i;
	unsigned int bad;	/* the first unexpected exit's number, 1-based */
	uint32_t got;
};

static void *exit_thread(void *arg)
{
	struct exiter *e = arg;
	struct kvm_run *run = e->vcpu->run;
	uint32_t k;

	for (k = 1; k <= MU_EXITS + 1; k++) {
		if (vcpu_run_errno(e->vcpu)) {
			e->bad = k;
			return NULL;
		}
		if (k == MU_EXITS + 1) {
			if (run->exit_reason != KVM_EXIT_HLT)
				e->bad = k;
			return NULL;
		}
		e->got = run->exit_reason == KVM_EXIT_IO ? vcpu_io_value(e->vcpu) : ~0U;
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.port != GUEST_PORT_REPORT ||
		    e->got != (e->i << 24 | k)) {
			e->bad = k;
			return NULL;
		}
	}
	return NULL;
}

/* Each vCPU's exits to userspace carry its own data, in its own order. */
TEST(vcpus_exit_concurrently)
{
	struct exiter e[NR_VCPUS];
	pthread_t t[NR_VCPUS];
	struct vcpu *vcpu0;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(mu_exits), 0, &vcpu0);
	unsigned int i;

	for (i = 0; i < NR_VCPUS; i++)
		e[i] = (struct exiter){ .vcpu = vcpu_i(vm, vcpu0, i), .i = i };
	for (i = 0; i < NR_VCPUS; i++)
		t[i] = mt_start(exit_thread, &e[i]);
	for (i = 0; i < NR_VCPUS; i++)
		mt_join(t[i]);
	for (i = 0; i < NR_VCPUS; i++)
		if (e[i].bad) {
			TH_FAIL("vCPU %u: exit %u unexpected (value %#x)", i,
				e[i].bad, e[i].got);
			vcpu_log_exit(e[i].vcpu);
		}
}

/* One VM of the canary tests, in memory the caller laid out. */
struct canary_vm {
	unsigned int index;
	uint8_t *mem;		/* CANARY_SIZE bytes: the VM's slot 1 */
	pthread_barrier_t *start;
	uint32_t rounds_seen;
	uint32_t past_end;	/* what the read after its memory gave */
	bool mmio_ok, halted, failed;
};

static uint64_t canary_tag(unsigned int index)
{
	return (uint64_t)(0xa0 + index) << 48;
}

static void canary_run(struct canary_vm *c)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(mu_canary), 0, &vcpu);
	struct kvm_userspace_memory_region r = {
		.slot = 1, .guest_phys_addr = CANARY_GPA,
		.memory_size = CANARY_SIZE, .userspace_addr = (uintptr_t)c->mem,
	};
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	ASSERT_OK(ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r));
	vcpu_regs_get(vcpu, &regs);
	regs.rsi = CANARY_GPA;
	regs.rcx = CANARY_SIZE / 8;
	regs.r8 = canary_tag(c->index);
	regs.r11 = CANARY_ROUNDS;
	vcpu_regs_set(vcpu, &regs);
	if (c->start)
		pthread_barrier_wait(c->start);
	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == GUEST_PORT_REPORT && c->rounds_seen < CANARY_ROUNDS) {
			if (vcpu_io_value(vcpu) != ++c->rounds_seen)
				c->failed = true;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write &&
		    run->mmio.phys_addr == CANARY_GPA + CANARY_SIZE &&
		    run->mmio.len == 8) {
			c->mmio_ok = true;
			vcpu_mmio_reply(vcpu, MMIO_REPLY);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == GUEST_PORT_REPORT) {
			c->past_end = vcpu_io_value(vcpu);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT) {
			c->halted = true;
			break;
		}
		TH_FAIL("VM %u: unexpected exit", c->index);
		vcpu_log_exit(vcpu);
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == GUEST_PORT_FAIL)
			TH_LOG("VM %u: address %#llx holds %#llx", c->index,
			       (unsigned long long)guest_report(vm)[0],
			       (unsigned long long)guest_report(vm)[1]);
		c->failed = true;
		break;
	}
}

static void *canary_thread(void *arg)
{
	canary_run(arg);
	return NULL;
}

/* n VMs' memory with host memory (GAP) before, between and after. */
static uint8_t *canary_layout(unsigned int n)
{
	uint64_t size = n * (CANARY_SIZE + GAP) + GAP;
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, HOST_BYTE, size);
	return p;
}

/* VM i's memory (at mem) holds exactly its pattern. */
static void expect_canary(unsigned int i, const uint8_t *mem)
{
	const uint64_t *m = (const uint64_t *)mem;
	uint64_t j;

	for (j = 0; j < CANARY_SIZE / 8; j++)
		if (m[j] != (canary_tag(i) | (CANARY_GPA + 8 * j))) {
			TH_FAIL("VM %u's memory at %#llx: %#llx", i,
				(unsigned long long)(CANARY_GPA + 8 * j),
				(unsigned long long)m[j]);
			return;
		}
}

static uint8_t *canary_mem(uint8_t *layout, unsigned int i)
{
	return layout + GAP + i * (CANARY_SIZE + GAP);
}

/* Each VM's memory holds its pattern, the host's its bytes. */
static void canary_check(uint8_t *layout, unsigned int n)
{
	unsigned int i;
	uint64_t j;

	for (i = 0; i < n; i++)
		expect_canary(i, canary_mem(layout, i));
	for (i = 0; i <= n; i++) {
		uint8_t *g = layout + i * (CANARY_SIZE + GAP);

		for (j = 0; j < GAP; j++)
			if (g[j] != HOST_BYTE) {
				TH_FAIL("host memory before VM %u's, byte %#llx: %#x",
					i, (unsigned long long)j, g[j]);
				break;
			}
	}
}

static void canary_expect(const struct canary_vm *c)
{
	EXPECT_TRUE(!c->failed);
	EXPECT_TRUE(c->halted);
	EXPECT_EQ(c->rounds_seen, CANARY_ROUNDS);
	EXPECT_TRUE(c->mmio_ok);
	EXPECT_EQ(c->past_end, MMIO_REPLY);
}

/* NR_VMS VMs on threads of their own, same guest addresses, own patterns. */
TEST_TIMEOUT(vms_memory_canaries, 180)
{
	uint8_t *layout = canary_layout(NR_VMS);
	struct canary_vm c[NR_VMS];
	pthread_barrier_t start;
	pthread_t t[NR_VMS];
	unsigned int i;

	mt_need_concurrency();
	ASSERT_EQ(pthread_barrier_init(&start, NULL, NR_VMS), 0);
	for (i = 0; i < NR_VMS; i++) {
		c[i] = (struct canary_vm){ .index = i, .start = &start };
		c[i].mem = canary_mem(layout, i);
	}
	for (i = 0; i < NR_VMS; i++)
		t[i] = mt_start(canary_thread, &c[i]);
	for (i = 0; i < NR_VMS; i++)
		mt_join(t[i]);
	for (i = 0; i < NR_VMS; i++)
		canary_expect(&c[i]);
	canary_check(layout, NR_VMS);
}

/* The same with each VM in a process of its own (its own mm). */
TEST_TIMEOUT(vms_memory_canaries_processes, 180)
{
	pid_t pid[NR_VMS];
	unsigned int i;
	int status;

	mt_need_concurrency();
	for (i = 0; i < NR_VMS; i++) {
		fflush(stdout);
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (!pid[i]) {
			uint8_t *layout = canary_layout(1);
			struct canary_vm c = { .index = i, .mem = canary_mem(layout, 0) };

			canary_run(&c);
			canary_expect(&c);
			/* The pattern is this VM's own: index i, in slot 0 of the layout. */
			if (!th_failed)
				expect_canary(i, c.mem);
			fflush(stdout);
			_exit(th_failed ? TH_EXIT_FAIL : TH_EXIT_PASS);
		}
	}
	for (i = 0; i < NR_VMS; i++) {
		ASSERT_EQ(waitpid(pid[i], &status, 0), pid[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			TH_FAIL("VM %u's process: status %#x", i, status);
	}
}

#define RACERS		4
#define RACE_IDS	32

struct racer {
	struct vm *vm;
	pthread_barrier_t *barrier;
	unsigned int index;
	bool distinct;		/* ids index, index + RACERS...: else all ids */
	int fd[RACE_IDS];
	int err[RACE_IDS];
};

static void *race_thread(void *arg)
{
	struct racer *r = arg;
	unsigned int id;

	for (id = 0; id < RACE_IDS; id++) {
		pthread_barrier_wait(r->barrier);
		if (r->distinct && id % RACERS != r->index) {
			r->fd[id] = -1;
			r->err[id] = 0;
			continue;
		}
		errno = 0;
		r->fd[id] = ioctl(r->vm->fd, KVM_CREATE_VCPU, id);
		r->err[id] = errno;
	}
	return NULL;
}

static void race(struct vm *vm, struct racer *r, bool distinct)
{
	pthread_barrier_t barrier;
	pthread_t t[RACERS];
	unsigned int i;

	ASSERT_EQ(pthread_barrier_init(&barrier, NULL, RACERS), 0);
	for (i = 0; i < RACERS; i++) {
		r[i] = (struct racer){ .vm = vm, .barrier = &barrier, .index = i,
				       .distinct = distinct };
		t[i] = mt_start(race_thread, &r[i]);
	}
	for (i = 0; i < RACERS; i++)
		mt_join(t[i]);
}

/* RACERS threads create each id at the same moment: one fd, the rest EEXIST. */
TEST(create_vcpu_same_id_race)
{
	struct vm *vm = vm_new();
	struct racer r[RACERS];
	struct kvm_regs regs;
	unsigned int id, i, won;

	race(vm, r, false);
	for (id = 0; id < RACE_IDS; id++) {
		won = 0;
		for (i = 0; i < RACERS; i++) {
			if (r[i].fd[id] >= 0) {
				won++;
				EXPECT_EQ(ioctl(r[i].fd[id], KVM_GET_REGS, &regs), 0);
			} else if (r[i].err[id] != EEXIST) {
				TH_FAIL("id %u, thread %u: errno %d (%s)", id, i,
					r[i].err[id], strerror(r[i].err[id]));
			}
		}
		if (won != 1)
			TH_FAIL("id %u: %u threads made it", id, won);
	}
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, 0), EEXIST);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, RACE_IDS - 1), EEXIST);
}

/* Distinct ids from RACERS threads at once: every one is made. */
TEST(create_vcpu_distinct_ids_concurrently)
{
	struct vm *vm = vm_new();
	struct racer r[RACERS];
	struct kvm_regs regs;
	unsigned int id, i;

	race(vm, r, true);
	for (id = 0; id < RACE_IDS; id++) {
		i = id % RACERS;
		if (r[i].fd[id] < 0)
			TH_FAIL("id %u: errno %d (%s)", id, r[i].err[id],
				strerror(r[i].err[id]));
		else
			EXPECT_EQ(ioctl(r[i].fd[id], KVM_GET_REGS, &regs), 0);
	}
	for (id = 0; id < RACE_IDS; id++)
		EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_VCPU, id), EEXIST);
}
