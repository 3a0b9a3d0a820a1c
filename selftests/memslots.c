// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_USER_MEMORY_REGION as KVM implements it (virt/kvm/kvm_main.c
 * __kvm_set_memory_region(), x86.c kvm_arch_prepare_memory_region()):
 * - slots change under a vCPU running on another thread: once the ioctl has
 *   returned, every guest access that starts afterwards sees the new layout
 *   (a moved slot's memory, KVM_EXIT_MMIO where a slot was deleted);
 * - an existing slot may move (guest address) but not change its size, its
 *   userspace_addr or KVM_MEM_READONLY (-EINVAL); the same request again is
 *   a no-op;
 * - refused input, all -EINVAL unless said: slot id >= KVM_CAP_NR_MEMSLOTS,
 *   an address space id the VM does not have (KVM_CAP_MULTI_ADDRESS_SPACE),
 *   unknown flags, guest address, size or userspace_addr not page-aligned,
 *   deleting (size 0) a slot that does not exist, more than 2^31 - 1 pages,
 *   guest address + size wrapping or beyond the host's MAXPHYADDR,
 *   userspace_addr ranges that are not user addresses; overlapping another
 *   slot: -EEXIST;
 * - guest memory is the process's memory at each access: a userspace range
 *   that is not (or no longer) mapped, or mapped without the access the
 *   guest makes, makes KVM_RUN fail with -EFAULT; a new mapping at the same
 *   address is what the guest sees next;
 * - slots at many guest addresses, 4 KiB and 2 MiB, above 4 GiB, and as many
 *   slots as the VM has ids for.
 * Guest code: guest/memslots.S.
 */
#include <semaphore.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../uapi/minivirt.h"
#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/threads.h"
#include "lib/vm.h"

DECLARE_GUEST(ms_reader);
DECLARE_GUEST(ms_rw);
DECLARE_GUEST(ms_table);

/* As in guest/memslots.S. */
#define MS_MAILBOX	(GUEST_DATA_GPA + 0x00)
#define MS_STOP		(GUEST_DATA_GPA + 0x08)
#define MS_TABLE	(GUEST_FREE_GPA)
#define MS_OUT		(GUEST_FREE_GPA + 0x10000)
#define MS_TABLE_MAX	((MS_OUT - MS_TABLE) / 8 - 1)

#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
/* Guest addresses inside the identity-mapped 4 GiB, away from slot 0. */
#define GPA_X		0x40000000ULL
#define GPA_Y		0x50000000ULL
#define GPA_Z		0x60000000ULL
#define OFF		0x1230		/* where in a slot the guests look */

#define TAG_A		0xaaaa0001U
#define TAG_B		0xbbbb0002U
#define TAG_B2		0xbbbb0003U
#define TAG_C		0xcccc0004U
#define TAG_D		0xdddd0005U
#define MMIO_MARK	0x3333cccdU
#define WAIT_MS		10000

static int set_region(struct vm *vm, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, const void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

/* Same, with userspace_addr as a number. */
static int set_region_ua(struct vm *vm, uint32_t slot, uint32_t flags,
			 uint64_t gpa, uint64_t size, uint64_t ua)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = ua,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static uint8_t *anon(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

/* A new anonymous mapping exactly at p (replacing what is there), word at OFF. */
static void remap(uint8_t *p, uint64_t size, uint32_t tag)
{
	void *q = mmap(p, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		       -1, 0);

	ASSERT_TRUE(q == (void *)p);
	*(uint32_t *)(p + OFF) = tag;
}

/*
 * ms_rw (RSI = 0x77) over new memory at a, tag at OFF: the guest reads the
 * tag and writes 0x77 there.
 */
static void remap_and_run(struct vcpu *vcpu, uint8_t *a, uint32_t tag)
{
	remap(a, SZ_2M, tag);
	EXPECT_EQ(vcpu_run_to_report(vcpu), tag);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*(uint32_t *)(a + OFF), 0x77);
}

static long vm_cap(struct vm *vm, long cap)
{
	return ioctl(vm->fd, KVM_CHECK_EXTENSION, cap);
}

/* A long-mode guest with standard memory, RBX = rbx, RSI = rsi. */
static struct vm *ms_guest(struct guest_code code, uint64_t rbx, uint64_t rsi,
			   struct vcpu **vcpu)
{
	struct vm *vm = guest_new(VM_MODE_LONG, code, 0, vcpu);
	struct kvm_regs regs;

	vcpu_regs_get(*vcpu, &regs);
	regs.rbx = rbx;
	regs.rsi = rsi;
	vcpu_regs_set(*vcpu, &regs);
	return vm;
}

/*
 * ms_rw (RSI = 0x77) reading and writing GPA_X + OFF in slot 1, which is a
 * with TAG_A there: run once through its read and its write.
 */
static struct vm *rw_guest_on(uint8_t *a, struct vcpu **vcpu)
{
	struct vm *vm = ms_guest(GUEST(ms_rw), GPA_X + OFF, 0x77, vcpu);

	*(uint32_t *)(a + OFF) = TAG_A;
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_2M, a));
	EXPECT_EQ(vcpu_run_to_report(*vcpu), TAG_A);
	vcpu_run_to_hlt(*vcpu);
	return vm;
}

/* --- A vCPU thread running ms_reader, answering MMIO reads --- */

struct reader {
	struct vm *vm;
	struct vcpu *vcpu;
	volatile uint64_t *mailbox;
	volatile uint64_t *stop;
	pthread_t thread;
	sem_t resume;		/* after a failed KVM_RUN: run again */
	int err;		/* errno of the last failed KVM_RUN */
	int failures;		/* failed KVM_RUNs so far */
	int mmio_reads;
	bool halted, quit;
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;
	struct kvm_run *run = r->vcpu->run;
	int err;

	for (;;) {
		err = vcpu_run_errno(r->vcpu);
		if (err) {
			r->err = err;
			__atomic_add_fetch(&r->failures, 1, __ATOMIC_SEQ_CST);
			while (sem_wait(&r->resume) && errno == EINTR)
				;
			if (r->quit)
				return NULL;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write &&
		    run->mmio.len == 4) {
			if (run->mmio.phys_addr != GPA_X + OFF) {
				TH_FAIL("MMIO read at %#llx",
					(unsigned long long)run->mmio.phys_addr);
				exit(TH_EXIT_FAIL);
			}
			vcpu_mmio_reply(r->vcpu, MMIO_MARK);
			__atomic_add_fetch(&r->mmio_reads, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT) {
			__atomic_store_n(&r->halted, true, __ATOMIC_SEQ_CST);
			return NULL;
		}
		TH_FAIL("reader: unexpected exit");
		vcpu_log_exit(r->vcpu);
		exit(TH_EXIT_FAIL);
	}
}

static void reader_new(struct reader *r)
{
	memset(r, 0, sizeof(*r));
	r->vm = ms_guest(GUEST(ms_reader), GPA_X + OFF, 0, &r->vcpu);
	r->mailbox = vm_ptr(r->vm, MS_MAILBOX);
	r->stop = vm_ptr(r->vm, MS_STOP);
	ASSERT_OK(sem_init(&r->resume, 0, 0));
}

static void reader_start(struct reader *r)
{
	r->thread = mt_start(reader_thread, r);
}

static void reader_stop(struct reader *r)
{
	*r->stop = 1;
	if (!MT_WAIT_UNTIL(__atomic_load_n(&r->halted, __ATOMIC_SEQ_CST) ||
			   __atomic_load_n(&r->failures, __ATOMIC_SEQ_CST),
			   WAIT_MS))
		TH_FAIL("the reader did not halt");
	if (r->failures) {
		r->quit = true;
		sem_post(&r->resume);
	}
	mt_join(r->thread);
}

/*
 * Every read the guest starts after now sees want: reads numbered two past
 * the current one began after this call (the guest publishes a read only
 * after finishing the previous one). Waits for a few of them.
 */
static void expect_seen(struct reader *r, uint32_t want, const char *what)
{
	uint32_t c0 = *r->mailbox >> 32, c, v;
	uint64_t end = mt_now_ns() + WAIT_MS * 1000000ULL, m;

	for (;;) {
		m = *r->mailbox;
		c = m >> 32;
		v = (uint32_t)m;
		if (c - c0 >= 2 && v != want) {
			TH_FAIL("%s: read %u (%u at the change) saw %#x, expected %#x",
				what, c, c0, v, want);
			exit(TH_EXIT_FAIL);
		}
		if (c - c0 >= 4)
			return;
		if (mt_now_ns() > end) {
			TH_FAIL("%s: the guest stopped at read %u (failed runs %d, errno %d, halted %d)",
				what, c, r->failures, r->err, r->halted);
			exit(TH_EXIT_FAIL);
		}
		mt_relax();
	}
}

/*
 * The guest reads GPA_X + OFF in a loop, never exiting on its own, while
 * this thread deletes, re-adds and moves slots under it.
 */
TEST(move_delete_add_while_running)
{
	uint8_t *a = anon(SZ_2M), *b = anon(SZ_2M), *c = anon(SZ_2M);
	struct reader r;
	int i;

	mt_need_concurrency();
	reader_new(&r);
	*(uint32_t *)(a + OFF) = TAG_A;
	*(uint32_t *)(b + OFF) = TAG_B;
	*(uint32_t *)(c + OFF) = TAG_C;
	ASSERT_OK(set_region(r.vm, 1, 0, GPA_X, SZ_2M, a));
	ASSERT_OK(set_region(r.vm, 2, 0, GPA_Y, SZ_2M, b));
	reader_start(&r);
	expect_seen(&r, TAG_A, "slot 1 at X");

	ASSERT_OK(set_region(r.vm, 1, 0, GPA_X, 0, a));
	expect_seen(&r, MMIO_MARK, "slot 1 deleted");
	ASSERT_OK(set_region(r.vm, 1, 0, GPA_X, SZ_2M, a));
	expect_seen(&r, TAG_A, "slot 1 added again");
	ASSERT_OK(set_region(r.vm, 1, 0, GPA_Z, SZ_2M, a));
	expect_seen(&r, MMIO_MARK, "slot 1 moved away");
	ASSERT_OK(set_region(r.vm, 2, 0, GPA_X, SZ_2M, b));
	expect_seen(&r, TAG_B, "slot 2 moved to X");
	*(volatile uint32_t *)(b + OFF) = TAG_B2;
	expect_seen(&r, TAG_B2, "written by the host");
	ASSERT_OK(set_region(r.vm, 2, 0, GPA_X, 0, b));
	ASSERT_OK(set_region(r.vm, 3, 0, GPA_X, SZ_2M, c));
	expect_seen(&r, TAG_C, "slot 3 added at X");
	for (i = 0; i < 10; i++) {
		ASSERT_OK(set_region(r.vm, 3, 0, GPA_Y, SZ_2M, c));
		expect_seen(&r, MMIO_MARK, "slot 3 moved to Y");
		ASSERT_OK(set_region(r.vm, 3, 0, GPA_X, SZ_2M, c));
		expect_seen(&r, TAG_C, "slot 3 moved back to X");
	}
	reader_stop(&r);
	EXPECT_TRUE(r.halted);
	EXPECT_EQ(r.failures, 0);
	EXPECT_GE(r.mmio_reads, 2 * 12);
	/* Slot 1 still maps a at Z, slot 2 is gone. */
	EXPECT_EQ(*(uint32_t *)(a + OFF), TAG_A);
	TH_LOG("%d MMIO reads, %u guest reads", r.mmio_reads,
	       (uint32_t)(*r.mailbox >> 32));
}

/*
 * The same, one step at a time: reads and writes reach the slot, MMIO once
 * it is deleted (a read the host answers, a write it is told), the new
 * slot's memory once another is added there.
 */
TEST(delete_gives_mmio)
{
	uint8_t *a = anon(SZ_2M), *b = anon(SZ_2M);
	struct vcpu *vcpu;
	struct vm *vm = ms_guest(GUEST(ms_rw), GPA_X + OFF, 0x5eed, &vcpu);

	*(uint32_t *)(a + OFF) = TAG_A;
	*(uint32_t *)(b + OFF) = TAG_B;
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_2M, a));
	EXPECT_EQ(vcpu_run_to_report(vcpu), TAG_A);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*(uint32_t *)(a + OFF), 0x5eed);

	ASSERT_OK(set_region(vm, 1, 0, GPA_X, 0, a));
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, GPA_X + OFF, 4, false);
	vcpu_mmio_reply(vcpu, MMIO_MARK);
	EXPECT_EQ(vcpu_run_to_report(vcpu), MMIO_MARK);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, GPA_X + OFF, 4, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0x5eed);
	vcpu_run_to_hlt(vcpu);

	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_2M, b));
	EXPECT_EQ(vcpu_run_to_report(vcpu), TAG_B);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*(uint32_t *)(b + OFF), 0x5eed);
	EXPECT_EQ(*(uint32_t *)(a + OFF), 0x5eed);
}

/* KVM_MEM_READONLY cannot be set or cleared on an existing slot. */
TEST(readonly_change_refused)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(SZ_2M), *b = anon(SZ_2M);

	if (vm_cap(vm, KVM_CAP_READONLY_MEM) <= 0)
		SKIP("no KVM_CAP_READONLY_MEM");
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_2M, a));
	EXPECT_ERRNO(set_region(vm, 1, KVM_MEM_READONLY, GPA_X, SZ_2M, a), EINVAL);
	/* Not with a move either. */
	EXPECT_ERRNO(set_region(vm, 1, KVM_MEM_READONLY, GPA_Y, SZ_2M, a), EINVAL);
	ASSERT_OK(set_region(vm, 2, KVM_MEM_READONLY, GPA_Y, SZ_2M, b));
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_Y, SZ_2M, b), EINVAL);
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_Z, SZ_2M, b), EINVAL);
	/* Unchanged requests are fine; the flag goes with a delete and re-add. */
	EXPECT_EQ(set_region(vm, 1, 0, GPA_X, SZ_2M, a), 0);
	EXPECT_EQ(set_region(vm, 2, KVM_MEM_READONLY, GPA_Y, SZ_2M, b), 0);
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, 0, a));
	EXPECT_EQ(set_region(vm, 1, KVM_MEM_READONLY, GPA_X, SZ_2M, a), 0);
}

/* An existing slot moves, but keeps its size and its userspace memory. */
TEST(modify_existing_slot)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(2 * SZ_2M);

	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_2M, a));
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, 2 * SZ_2M, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, SZ_2M, a + SZ_4K), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_Y, SZ_2M, a + SZ_2M), EINVAL);
	EXPECT_EQ(set_region(vm, 1, 0, GPA_X, SZ_2M, a), 0);
	/* A move by one page overlaps only itself. */
	EXPECT_EQ(set_region(vm, 1, 0, GPA_X + SZ_4K, SZ_2M, a), 0);
	EXPECT_EQ(set_region(vm, 1, 0, GPA_Y, SZ_2M, a), 0);
	/* Its old place is free. */
	EXPECT_EQ(set_region(vm, 2, 0, GPA_X, SZ_2M, a + SZ_2M), 0);
}

/*
 * Slot ids: below KVM_CAP_NR_MEMSLOTS in an address space the VM has
 * (KVM_CAP_MULTI_ADDRESS_SPACE, 1 if absent: x86 KVM has SMM's).
 */
TEST(slot_ids)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(SZ_4K);
	long nr = vm_cap(vm, KVM_CAP_NR_MEMSLOTS);
	long as = vm_cap(vm, KVM_CAP_MULTI_ADDRESS_SPACE);
	uint64_t gpa = GPA_X;
	uint32_t id;

	ASSERT_GE(nr, 32);
	if (as < 1)
		as = 1;
	TH_LOG("%ld slots per address space, %ld address spaces", nr, as);
	EXPECT_ERRNO(set_region(vm, nr, 0, gpa, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 0xffff, 0, gpa, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, as << 16, 0, gpa, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 0xffff0000U, 0, gpa, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 0x80000000U | 1, 0, gpa, SZ_4K, a), EINVAL);
	/* Deleting with a bad id: the same. */
	EXPECT_ERRNO(set_region(vm, nr, 0, gpa, 0, a), EINVAL);
	for (id = 0; id < (uint32_t)nr && id < 16; id++)
		EXPECT_EQ(set_region(vm, id, 0, gpa + id * SZ_4K, SZ_4K, a), 0);
	EXPECT_EQ(set_region(vm, nr - 1, 0, gpa + SZ_2M, SZ_4K, a), 0);
	if (as > 1)	/* the same guest address in the other space is fine */
		EXPECT_EQ(set_region(vm, 1U << 16, 0, gpa, SZ_4K, a), 0);
}

/* -EEXIST for any overlap with another slot, on add and on move. */
TEST(overlap)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(8 * SZ_2M);

	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_2M, a));
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_X, SZ_2M, a + SZ_2M), EEXIST);
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_X - SZ_4K, 2 * SZ_4K, a), EEXIST);
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_X + SZ_2M - SZ_4K, SZ_2M, a), EEXIST);
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_X + SZ_4K, SZ_4K, a), EEXIST);
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_X - SZ_2M, 4 * SZ_2M, a), EEXIST);
	/* Adjacent on both sides is fine. */
	EXPECT_EQ(set_region(vm, 2, 0, GPA_X - SZ_2M, SZ_2M, a + SZ_2M), 0);
	EXPECT_EQ(set_region(vm, 3, 0, GPA_X + SZ_2M, SZ_2M, a + 2 * SZ_2M), 0);
	/* Moving onto another slot. */
	EXPECT_ERRNO(set_region(vm, 3, 0, GPA_X + SZ_4K, SZ_2M, a + 2 * SZ_2M), EEXIST);
	/* Slot 0 of the VM overlapping: same. */
	EXPECT_ERRNO(set_region(vm, 0, 0, GPA_X, SZ_4K, a + 3 * SZ_2M), EEXIST);
	/* Deleted, its range is free again. */
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, 0, a));
	EXPECT_EQ(set_region(vm, 4, 0, GPA_X + SZ_4K, SZ_4K, a + 4 * SZ_2M), 0);
}

/* Guest address, size and userspace_addr must be page-aligned. */
TEST(misaligned)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(2 * SZ_2M);

	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X + 1, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X + 0x800, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, SZ_4K + 1, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, 0x800, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, SZ_4K, a + 1), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, SZ_4K, a + 0x800), EINVAL);
	/* Misaligned fields fail a delete too, before the slot is looked at. */
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_4K, a));
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X + 8, 0, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, 0, a + 8), EINVAL);
	/* A delete ignores the (aligned) guest address and userspace_addr. */
	EXPECT_EQ(set_region(vm, 1, 0, GPA_Y, 0, a + SZ_2M), 0);
	EXPECT_EQ(set_region(vm, 2, 0, GPA_X, SZ_4K, a), 0);
}

/* Size 0 deletes: a slot that does not exist cannot be deleted. */
TEST(delete_missing)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(SZ_4K);

	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, 0, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, 0, 0, NULL), EINVAL);
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_4K, a));
	EXPECT_EQ(set_region(vm, 1, 0, GPA_X, 0, a), 0);
	EXPECT_ERRNO(set_region(vm, 1, 0, GPA_X, 0, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 7, 0, GPA_X, 0, a), EINVAL);
}

/* The host's MAXPHYADDR: what KVM's kvm_mmu_max_gfn() allows. */
static unsigned int host_phys_bits(void)
{
	uint32_t a, b, c, d;

	if (th_kvm_shadow_mmu())
		return 52;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
		: "a"(0x80000008), "c"(0));
	return a & 0xff;
}

/*
 * Sizes: more than KVM_MEM_MAX_NR_PAGES (2^31 - 1), an end beyond the
 * host's MAXPHYADDR, a guest address + size that wraps. A large slot that
 * fits is fine.
 */
TEST(sizes)
{
	struct vm *vm = vm_new();
	unsigned int bits = host_phys_bits();
	uint64_t top = 1ULL << bits;
	uint8_t *a = anon(SZ_4K), *big;

	TH_LOG("host MAXPHYADDR %u", bits);
	EXPECT_ERRNO(set_region(vm, 1, 0, 0, 1ULL << 43, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, 0, 1ULL << 62, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, 0, ~0xfffULL, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, ~0xfffULL, 2 * SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, 1ULL << 63, 1ULL << 63, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, top, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, top - SZ_4K, 2 * SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 0, 1ULL << 52, SZ_4K, a), EINVAL);
	EXPECT_EQ(set_region(vm, 1, 0, top - SZ_4K, SZ_4K, a), 0);
	/* Not a move beyond it either. */
	EXPECT_ERRNO(set_region(vm, 1, 0, top, SZ_4K, a), EINVAL);

	/* 64 GiB of reserved address space at 4 GiB: fine (nothing touched). */
	big = mmap(NULL, 64 * SZ_1G, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(big != MAP_FAILED);
	/* (KVM's shadow MMU would allocate rmaps for all of it: not there.) */
	if (bits > 37 && !th_kvm_shadow_mmu())
		EXPECT_EQ(set_region(vm, 2, 0, 4 * SZ_1G, 64 * SZ_1G, big), 0);
}

/* Flags other than KVM_MEM_LOG_DIRTY_PAGES and KVM_MEM_READONLY. */
TEST(bad_flags)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(SZ_4K);
	unsigned int bit;

	for (bit = 2; bit < 32; bit++)
		if (set_region(vm, 1, 1U << bit, GPA_X, SZ_4K, a) != -1 ||
		    errno != EINVAL)
			TH_FAIL("flag bit %u: errno %d (%s), expected EINVAL", bit,
				errno, strerror(errno));
	/* On an existing slot, and with a delete. */
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_4K, a));
	EXPECT_ERRNO(set_region(vm, 1, 1U << 5, GPA_X, SZ_4K, a), EINVAL);
	EXPECT_ERRNO(set_region(vm, 1, 1U << 31, GPA_X, 0, a), EINVAL);
}

static int set_region2(struct vm *vm, uint32_t slot, uint32_t flags,
		       uint64_t gpa, uint64_t size, const void *hva)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
		.guest_memfd = -1U,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, &r);
}

#define KVM_MEM_GUEST_MEMFD_FLAG	(1U << 2)	/* Linux 6.8 */

/*
 * KVM_SET_USER_MEMORY_REGION2 (KVM_CAP_USER_MEMORY2): the same slots as the
 * first version, which may delete what the second added; without private
 * memory (a default VM) KVM_MEM_GUEST_MEMFD is -EINVAL.
 */
TEST(set_memory_region2)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(4 * SZ_2M);

	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2) <= 0)
		SKIP("no KVM_CAP_USER_MEMORY2 (KVM before Linux 6.8)");
	EXPECT_ERRNO(set_region2(vm, 1, KVM_MEM_GUEST_MEMFD_FLAG, GPA_X, SZ_2M, a),
		     EINVAL);
	ASSERT_OK(set_region2(vm, 1, 0, GPA_X, SZ_2M, a));
	EXPECT_ERRNO(set_region(vm, 2, 0, GPA_X + SZ_4K, SZ_4K, a + SZ_2M), EEXIST);
	EXPECT_ERRNO(set_region2(vm, 2, 0, GPA_X + SZ_4K, SZ_4K, a + SZ_2M), EEXIST);
	/* Deleted by the first version, added again read-only by the second. */
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, 0, a));
	ASSERT_OK(set_region2(vm, 2, KVM_MEM_READONLY, GPA_X + SZ_4K, SZ_4K,
			      a + SZ_2M));
	EXPECT_ERRNO(set_region2(vm, 2, 0, GPA_X + SZ_4K, SZ_4K, a + SZ_2M), EINVAL);
	ASSERT_OK(set_region2(vm, 2, KVM_MEM_READONLY, GPA_X + SZ_4K, 0, a + SZ_2M));
	EXPECT_EQ(set_region(vm, 3, 0, GPA_X, SZ_2M, a), 0);
}

/* userspace_addr ranges that are not user memory. */
TEST(userspace_addr_not_user)
{
	struct vm *vm = vm_new();
	uint8_t *a = anon(SZ_4K);

	EXPECT_ERRNO(set_region_ua(vm, 1, 0, GPA_X, SZ_4K, 0xffff800000000000ULL), EINVAL);
	EXPECT_ERRNO(set_region_ua(vm, 1, 0, GPA_X, SZ_4K, 0xffffffffff600000ULL), EINVAL);
	EXPECT_ERRNO(set_region_ua(vm, 1, 0, GPA_X, SZ_4K, 0xfffffffffffff000ULL), EINVAL);
	EXPECT_ERRNO(set_region_ua(vm, 1, 0, GPA_X, SZ_4K, 0x8000000000000000ULL), EINVAL);
	/* A user start whose range runs out of user space. */
	EXPECT_ERRNO(set_region_ua(vm, 1, 0, GPA_X, 1ULL << 57,
				   (uintptr_t)a), EINVAL);
	EXPECT_ERRNO(set_region_ua(vm, 1, 0, 0, 0xff00000000000000ULL,
				   (uintptr_t)a), EINVAL);
	/* None of them made a slot: the range is free. */
	EXPECT_EQ(set_region(vm, 1, 0, GPA_X, SZ_4K, a), 0);
}

/*
 * A user range with nothing mapped makes a slot (KVM looks at the mapping at
 * fault time); the guest's access makes KVM_RUN fail with -EFAULT, until
 * something is mapped there.
 */
TEST(userspace_addr_unmapped)
{
	uint8_t *a = anon(SZ_2M);
	struct vcpu *vcpu;
	struct vm *vm = ms_guest(GUEST(ms_rw), GPA_X + OFF, 0x77, &vcpu);

	ASSERT_OK(munmap(a, SZ_2M));
	ASSERT_OK(set_region(vm, 1, 0, GPA_X, SZ_2M, a));
	EXPECT_EQ(vcpu_run_errno(vcpu), EFAULT);
	EXPECT_EQ(vcpu_run_errno(vcpu), EFAULT);
	remap_and_run(vcpu, a, TAG_D);
}

/*
 * The slot's memory is unmapped while the VM lives: the next access fails
 * KVM_RUN with -EFAULT (again and again); memory mapped there again is what
 * the guest then sees. The host goes on (a new VM runs).
 */
TEST(munmap_backing)
{
	uint8_t *a = anon(SZ_2M);
	struct vcpu *vcpu;
	struct vm *vm = rw_guest_on(a, &vcpu);
	EXPECT_EQ(*(uint32_t *)(a + OFF), 0x77);

	ASSERT_OK(munmap(a, SZ_2M));
	EXPECT_EQ(vcpu_run_errno(vcpu), EFAULT);
	EXPECT_EQ(vcpu_run_errno(vcpu), EFAULT);
	remap_and_run(vcpu, a, TAG_D);

	/* Unmapped for good, the VM goes away; another one runs. */
	ASSERT_OK(munmap(a, SZ_2M));
	EXPECT_EQ(vcpu_run_errno(vcpu), EFAULT);
	close(vcpu->fd);
	close(vm->fd);
	vm = ms_guest(GUEST(ms_rw), GUEST_DATA_GPA + 0x100, 1, &vcpu);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 0);
	vcpu_run_to_hlt(vcpu);
}

/* A new mapping over the live one (MAP_FIXED): the guest sees the new memory. */
TEST(remap_backing)
{
	uint8_t *a = anon(SZ_2M);
	struct vcpu *vcpu;

	rw_guest_on(a, &vcpu);
	remap_and_run(vcpu, a, TAG_B);
}

/*
 * The protection of the slot's memory is the guest's: read-only memory reads
 * but a write fails KVM_RUN with -EFAULT; no access at all fails reads too;
 * made writable again, the write goes through.
 */
TEST(mprotect_backing)
{
	uint8_t *a = anon(SZ_2M);
	struct vcpu *vcpu;

	rw_guest_on(a, &vcpu);
	ASSERT_OK(mprotect(a, SZ_2M, PROT_READ));
	EXPECT_EQ(vcpu_run_to_report(vcpu), 0x77);
	EXPECT_EQ(vcpu_run_errno(vcpu), EFAULT);
	ASSERT_OK(mprotect(a, SZ_2M, PROT_NONE));
	EXPECT_EQ(vcpu_run_errno(vcpu), EFAULT);
	ASSERT_OK(mprotect(a, SZ_2M, PROT_READ | PROT_WRITE));
	*(uint32_t *)(a + OFF) = TAG_B;
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*(uint32_t *)(a + OFF), 0x77);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 0x77);
}

/*
 * Unmapped under a vCPU that runs on another thread without exits: its
 * KVM_RUN fails with -EFAULT; mapped again, it runs on and sees the new
 * memory.
 */
TEST(munmap_backing_while_running)
{
	uint8_t *a = anon(SZ_2M);
	struct reader r;

	mt_need_concurrency();
	reader_new(&r);
	*(uint32_t *)(a + OFF) = TAG_A;
	ASSERT_OK(set_region(r.vm, 1, 0, GPA_X, SZ_2M, a));
	reader_start(&r);
	expect_seen(&r, TAG_A, "mapped");
	ASSERT_OK(munmap(a, SZ_2M));
	if (!MT_WAIT_UNTIL(__atomic_load_n(&r.failures, __ATOMIC_SEQ_CST), WAIT_MS)) {
		TH_FAIL("KVM_RUN went on after the munmap (guest at read %u, value %#x)",
			(uint32_t)(*r.mailbox >> 32), (uint32_t)*r.mailbox);
		exit(TH_EXIT_FAIL);
	}
	EXPECT_EQ(r.err, EFAULT);
	remap(a, SZ_2M, TAG_D);
	sem_post(&r.resume);
	expect_seen(&r, TAG_D, "mapped again");
	reader_stop(&r);
	EXPECT_EQ(r.failures, 1);
	EXPECT_TRUE(r.halted);
}

/* Points 2 MiB window i of the guest's GVA 2-3 GiB at the 2 MiB page of gpa. */
static uint64_t map_window(struct vm *vm, unsigned int i, uint64_t gpa)
{
	const uint64_t gva = 0x80000000ULL + i * SZ_2M;
	uint64_t *pml4 = vm_ptr(vm, GUEST_PT_GPA), *pdpt, *pd;

	ASSERT_TRUE(i < 512);
	pdpt = vm_ptr(vm, pml4[0] & PTE_ADDR_MASK);
	pd = vm_ptr(vm, pdpt[2] & PTE_ADDR_MASK);
	pd[(gva >> 21) & 511] = (gpa & ~(SZ_2M - 1)) | PTE_P | PTE_W | PTE_PS;
	return gva + (gpa & (SZ_2M - 1));
}

/* The guest's MAXPHYADDR (KVM_GET_SUPPORTED_CPUID 0x80000008). */
static unsigned int guest_phys_bits(struct vm *vm)
{
	struct kvm_cpuid2 *c = kvm_supported_cpuid(vm->sys_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000008, 0);
	unsigned int bits = e ? e->eax & 0xff : 36;

	free(c);
	return bits;
}

/*
 * 4 KiB and 2 MiB slots at many guest addresses, below and above 4 GiB up
 * to the highest the guest can address: the guest reads the first and the
 * last quadword of each through its page tables and writes their
 * complements; the host finds exactly those in the slots' memory.
 */
TEST(many_addresses)
{
	struct slot {
		uint64_t gpa, size;
		uint8_t *hva;
	} s[16];
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ms_table), 0, &vcpu);
	unsigned int bits = guest_phys_bits(vm), n = 0, i, j;
	uint64_t top, *table = vm_ptr(vm, MS_TABLE), *out = vm_ptr(vm, MS_OUT);

	if (bits > host_phys_bits())
		bits = host_phys_bits();
	top = 1ULL << bits;
	TH_LOG("guest MAXPHYADDR %u", bits);
#define SLOT(g, sz) s[n++] = (struct slot){ g, sz, NULL }
	SLOT(0x200000, SZ_2M);
	SLOT(0x401000, SZ_4K);
	SLOT(0x7ff000, SZ_4K);
	SLOT(0x10000000, SZ_2M);
	SLOT(0x3ffff000, SZ_4K);
	SLOT(0x7fe00000, SZ_2M);
	SLOT(0xbffff000, SZ_4K);
	SLOT(0xfffff000, SZ_4K);
	SLOT(0x100000000ULL, SZ_2M);
	SLOT(0x100201000ULL, SZ_4K);
	SLOT(0x1234567000ULL & (top - 1), SZ_4K);
	SLOT(top / 2, SZ_2M);
	SLOT(top - 2 * SZ_2M, SZ_2M);
	SLOT(top - SZ_4K, SZ_4K);
#undef SLOT
	table[0] = 2 * n;
	for (i = 0; i < n; i++) {
		s[i].hva = anon(s[i].size);
		memset(s[i].hva, 0, s[i].size);
		*(uint64_t *)s[i].hva = 0x1000000000000000ULL | s[i].gpa;
		*(uint64_t *)(s[i].hva + s[i].size - 8) =
			0x2000000000000000ULL | s[i].gpa;
		if (set_region(vm, i + 1, 0, s[i].gpa, s[i].size, s[i].hva))
			TH_FAIL("slot %u at %#llx size %#llx: %s", i + 1,
				(unsigned long long)s[i].gpa,
				(unsigned long long)s[i].size, strerror(errno));
		table[1 + 2 * i] = map_window(vm, 2 * i, s[i].gpa);
		table[2 + 2 * i] = map_window(vm, 2 * i + 1,
					      s[i].gpa + s[i].size - 8);
	}
	TH_END_IF_FAILED();
	vcpu_run_to_hlt(vcpu);
	for (i = 0; i < n; i++) {
		uint64_t first = 0x1000000000000000ULL | s[i].gpa;
		uint64_t last = 0x2000000000000000ULL | s[i].gpa;
		uint64_t *m = (uint64_t *)s[i].hva;

		if (out[2 * i] != first || out[2 * i + 1] != last)
			TH_FAIL("slot at %#llx: guest read %#llx, %#llx",
				(unsigned long long)s[i].gpa,
				(unsigned long long)out[2 * i],
				(unsigned long long)out[2 * i + 1]);
		if (m[0] != ~first || m[s[i].size / 8 - 1] != ~last)
			TH_FAIL("slot at %#llx: memory holds %#llx, %#llx",
				(unsigned long long)s[i].gpa,
				(unsigned long long)m[0],
				(unsigned long long)m[s[i].size / 8 - 1]);
		for (j = 1; j < s[i].size / 8 - 1; j++)
			if (m[j]) {
				TH_FAIL("slot at %#llx: quadword %u is %#llx",
					(unsigned long long)s[i].gpa, j,
					(unsigned long long)m[j]);
				break;
			}
	}
}

/*
 * As many 4 KiB slots as the VM has ids (up to 512), each its own page:
 * the guest reads every one; one more id is refused.
 */
TEST_TIMEOUT(all_slot_ids, 120)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ms_table), 0, &vcpu);
	long nr = vm_cap(vm, KVM_CAP_NR_MEMSLOTS);
	uint64_t *table = vm_ptr(vm, MS_TABLE), *out = vm_ptr(vm, MS_OUT);
	unsigned int n, i;
	uint8_t *mem;

	n = nr > 512 ? 511 : nr - 1;	/* slot 0 is the guest's */
	ASSERT_TRUE(n <= MS_TABLE_MAX);
	mem = anon(n * SZ_4K);
	table[0] = n;
	for (i = 1; i <= n; i++) {
		uint64_t gpa = GPA_X + i * 2 * SZ_4K;

		*(uint64_t *)(mem + (i - 1) * SZ_4K) = 0x5100000000ULL | i;
		ASSERT_OK(set_region(vm, i, 0, gpa, SZ_4K, mem + (i - 1) * SZ_4K));
		table[i] = gpa;
	}
	if (nr <= 512)
		EXPECT_ERRNO(set_region(vm, nr, 0, GPA_Y, SZ_4K, mem), EINVAL);
	vcpu_run_to_hlt(vcpu);
	for (i = 1; i <= n; i++)
		if (out[i - 1] != (0x5100000000ULL | i)) {
			TH_FAIL("slot %u: guest read %#llx", i,
				(unsigned long long)out[i - 1]);
			break;
		}
	TH_LOG("%u slots", n + 1);
}
