// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty-page logging as KVM implements it (virt/kvm/kvm_main.c
 * kvm_get_dirty_log_protect(), kvm_clear_dirty_log_protect(),
 * kvm_vm_ioctl_enable_cap_generic()):
 * - KVM_MEM_LOG_DIRTY_PAGES at slot creation or set/cleared on a live slot;
 *   KVM_GET_DIRTY_LOG returns a bit per page written since the last call and
 *   (without manual protection) starts over;
 * - the bitmap is exactly the set of pages the guest wrote, whether the CPU
 *   wrote them or the kernel on the guest's behalf (a string IN completed
 *   into RAM, the A/D bits of a guest page table, a guest write to its own
 *   page table that the shadow MMU emulates); pages only read are not in it;
 * - KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 (KVM_ENABLE_CAP on the VM):
 *   GET leaves the bits, KVM_CLEAR_DIRTY_LOG clears the given ones (whole
 *   64-page words but at the slot's end) and logs their next write;
 *   KVM_DIRTY_LOG_INITIALLY_SET starts with every bit set;
 * - errnos: a slot without logging or without a memslot -ENOENT, a slot id
 *   or address space out of range -EINVAL, CLEAR's alignment -EINVAL, a bad
 *   bitmap pointer -EFAULT, ENABLE_CAP's flags and unknown options -EINVAL;
 * - a read-only slot may be logged: a write there is MMIO, never dirty;
 * - many rounds of GET while the vCPU writes on another thread.
 * The guests keep their page tables, code and stack in slot 0, never logged,
 * and touch only the logged slot's pages a test names, so the exact set is
 * architecturally defined. (KVM logs a page that a read maps first; the
 * tests map such pages before logging starts, or read none.)
 * Guest code: guest/dirty_log.S.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/threads.h"
#include "lib/vm.h"

DECLARE_GUEST(dl_touch);
DECLARE_GUEST(dl_ins);
DECLARE_GUEST(dl_loop);
DECLARE_GUEST(dl_real);

/* As in guest/dirty_log.S. */
#define DL_TABLE	(GUEST_FREE_GPA)
#define DL_PASS		(GUEST_DATA_GPA + 0x00)
#define DL_STOP		(GUEST_DATA_GPA + 0x08)

#define PAGE		0x1000ULL
#define GPA_X		0x40000000ULL	/* the logged slot, in the identity map */
#define NPAGES		128
#define SLOT		1
#define WORDS		((NPAGES + 63) / 64)
#define OFF		0x10		/* where in a page the guests write */
#define INS_PORT	0x0777
/* A guest-virtual page above the 4 GiB identity map, for the A/D test. */
#define GVA_AD		0x100000000ULL
#define MAX_SET		(GUEST_MEM_SIZE / PAGE)

struct dl {
	struct vm *vm;
	struct vcpu *vcpu;
	uint8_t *mem;		/* the logged slot's memory */
};

static int set_region(struct vm *vm, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, const void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static uint8_t *anon(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

static int enable_cap(struct vm *vm, uint32_t cap, uint32_t flags,
		      uint64_t arg0)
{
	struct kvm_enable_cap c = { .cap = cap, .flags = flags };

	c.args[0] = arg0;
	return ioctl(vm->fd, KVM_ENABLE_CAP, &c);
}

static int get_log(struct vm *vm, uint32_t slot, uint64_t *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	return ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log);
}

static int clear_log(struct vm *vm, uint32_t slot, uint64_t first,
		     uint32_t num, uint64_t *bitmap)
{
	struct kvm_clear_dirty_log log = {
		.slot = slot, .first_page = first, .num_pages = num,
		.dirty_bitmap = bitmap,
	};

	return ioctl(vm->fd, KVM_CLEAR_DIRTY_LOG, &log);
}

/* A long-mode guest (slot 0) and slot SLOT of NPAGES at GPA_X with flags. */
static void dl_new(struct dl *d, struct guest_code code, uint32_t flags)
{
	d->vm = guest_new(VM_MODE_LONG, code, 0, &d->vcpu);
	d->mem = anon(NPAGES * PAGE);
	ASSERT_OK(set_region(d->vm, SLOT, flags, GPA_X, NPAGES * PAGE, d->mem));
}

/* The guest's table for dl_touch: pages to write (w) and to read (r). */
static void touch_table(struct dl *d, const int *w, int nw, const int *r,
			int nr)
{
	uint64_t *t = vm_ptr(d->vm, DL_TABLE);
	int i;

	t[0] = nw + nr;
	for (i = 0; i < nr; i++)
		t[1 + i] = GPA_X + r[i] * PAGE + OFF;
	for (i = 0; i < nw; i++)
		t[1 + nr + i] = (GPA_X + w[i] * PAGE + OFF) | 1;
}

static void touch(struct dl *d, const int *w, int nw, const int *r, int nr)
{
	touch_table(d, w, nw, r, nr);
	vcpu_run_to_hlt(d->vcpu);
}

/*
 * The bitmap must hold exactly the pages of set (n of them); on KVM, the
 * page kvm_extra may be there too (-1: none): KVM logs a page that a read
 * maps writable first (uapi/minivirt.h), minivirt does not.
 */
static bool bitmap_is_but(const uint64_t *bitmap, unsigned int npages,
			  const int *set, int n, int kvm_extra,
			  const char *what)
{
	uint64_t want[MAX_SET / 64 + 1] = { 0 };
	bool ok = true;
	unsigned int p;
	int i;

	for (i = 0; i < n; i++)
		want[set[i] / 64] |= 1ULL << (set[i] % 64);
	for (p = 0; p < npages; p++) {
		bool got = bitmap[p / 64] & (1ULL << (p % 64));
		bool exp = want[p / 64] & (1ULL << (p % 64));

		if (got && !exp && th_is_kvm && (int)p == kvm_extra) {
			TH_LOG("%s: page %u dirty on KVM, read only", what, p);
			continue;
		}
		if (got != exp) {
			TH_FAIL("%s: page %u %s", what, p,
				got ? "dirty, but not written" :
				      "written, but not dirty");
			ok = false;
		}
	}
	return ok;
}

static bool bitmap_is(const uint64_t *bitmap, unsigned int npages,
		      const int *set, int n, const char *what)
{
	return bitmap_is_but(bitmap, npages, set, n, -1, what);
}

static void expect_log(struct dl *d, const int *set, int n, const char *what)
{
	uint64_t bitmap[WORDS];

	memset(bitmap, 0xa5, sizeof(bitmap));
	ASSERT_OK(get_log(d->vm, SLOT, bitmap));
	bitmap_is(bitmap, NPAGES, set, n, what);
}

static bool manual_caps_ok(struct vm *vm)
{
	return ioctl(vm->fd, KVM_CHECK_EXTENSION,
		     KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) > 0;
}

/* x86 KVM answers both flags it accepts (KVM_DIRTY_LOG_MANUAL_CAPS). */
TEST(caps)
{
	struct vm *vm = vm_new();

	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION,
			KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2),
		  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
		  KVM_DIRTY_LOG_INITIALLY_SET);
	EXPECT_EQ(ioctl(vm->sys_fd, KVM_CHECK_EXTENSION,
			KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2),
		  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
		  KVM_DIRTY_LOG_INITIALLY_SET);
	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_ENABLE_CAP_VM), 1);
}

TEST(enable_cap_errnos)
{
	struct vm *vm = vm_new();

	EXPECT_ERRNO(enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 1,
				KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE), EINVAL);
	/* INITIALLY_SET only together with PROTECT_ENABLE. */
	EXPECT_ERRNO(enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0,
				KVM_DIRTY_LOG_INITIALLY_SET), EINVAL);
	EXPECT_ERRNO(enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0, 4),
		     EINVAL);
	EXPECT_ERRNO(enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0,
				1ULL << 63), EINVAL);
	EXPECT_EQ(enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0,
			     KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE), 0);
	EXPECT_EQ(enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0,
			     KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
			     KVM_DIRTY_LOG_INITIALLY_SET), 0);
	EXPECT_EQ(enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0, 0), 0);
	/* No such capability to enable. */
	EXPECT_ERRNO(enable_cap(vm, 0x7fffff, 0, 0), EINVAL);
}

/* Logged from creation: exactly the pages written, round after round. */
TEST(exact_set)
{
	static const int w1[] = { 0, 3, 63, 64, 100, 127 };
	static const int w2[] = { 3, 5, 64, 65 };
	struct dl d;

	dl_new(&d, GUEST(dl_touch), KVM_MEM_LOG_DIRTY_PAGES);
	expect_log(&d, NULL, 0, "before the guest ran");
	touch(&d, w1, 6, NULL, 0);
	expect_log(&d, w1, 6, "round 1");
	/* GET started over: nothing was written since. */
	expect_log(&d, NULL, 0, "GET again");
	touch(&d, w2, 4, NULL, 0);
	expect_log(&d, w2, 4, "round 2");
	EXPECT_EQ(d.mem[5 * PAGE + OFF], 0x5a);
}

/* Logging switched on and off on a live slot whose pages are all mapped. */
TEST(toggle_live)
{
	static const int w0[] = { 1, 2, 70 };
	static const int w1[] = { 2, 9, 120 };
	static const int w2[] = { 10, 70 };
	int all[NPAGES], i;
	uint64_t bitmap[WORDS];
	struct dl d;

	for (i = 0; i < NPAGES; i++)
		all[i] = i;
	dl_new(&d, GUEST(dl_touch), 0);
	/* No logging: GET has nothing to say. */
	EXPECT_ERRNO(get_log(d.vm, SLOT, bitmap), ENOENT);
	/* Every page mapped (read), some written, all before logging. */
	touch(&d, w0, 3, all, NPAGES);

	ASSERT_OK(set_region(d.vm, SLOT, KVM_MEM_LOG_DIRTY_PAGES, GPA_X,
			     NPAGES * PAGE, d.mem));
	expect_log(&d, NULL, 0, "logging just started");
	/* Every page read again (mapped: no fault), a few written. */
	touch(&d, w1, 3, all, NPAGES);
	expect_log(&d, w1, 3, "logging on");

	/* Off: the bitmap goes; the guest writes on. */
	ASSERT_OK(set_region(d.vm, SLOT, 0, GPA_X, NPAGES * PAGE, d.mem));
	EXPECT_ERRNO(get_log(d.vm, SLOT, bitmap), ENOENT);
	touch(&d, w1, 3, all, NPAGES);

	/* On again: a new, empty bitmap; only what is written from now on. */
	ASSERT_OK(set_region(d.vm, SLOT, KVM_MEM_LOG_DIRTY_PAGES, GPA_X,
			     NPAGES * PAGE, d.mem));
	expect_log(&d, NULL, 0, "logging on again");
	touch(&d, w2, 2, all, NPAGES);
	expect_log(&d, w2, 2, "logging on again, written");
}

/*
 * Pages the kernel writes for the guest: REP INSB into RAM across a page
 * boundary, completed by KVM_RUN after userspace supplied the bytes.
 */
TEST(kernel_write_ins)
{
	static const int w[] = { 6, 7 };
	uint64_t start = GPA_X + 7 * PAGE - 24;
	struct kvm_regs regs;
	struct dl d;
	int rounds = 0;

	dl_new(&d, GUEST(dl_ins), KVM_MEM_LOG_DIRTY_PAGES);
	vcpu_regs_get(d.vcpu, &regs);
	regs.rdi = start;
	regs.rcx = 48;
	regs.rdx = INS_PORT;
	vcpu_regs_set(d.vcpu, &regs);
	for (;;) {
		vcpu_run(d.vcpu);
		if (d.vcpu->run->exit_reason != KVM_EXIT_IO)
			break;
		ASSERT_EQ(d.vcpu->run->io.port, INS_PORT);
		ASSERT_EQ(d.vcpu->run->io.direction, KVM_EXIT_IO_IN);
		memset(vcpu_io_data(d.vcpu), 0x77,
		       d.vcpu->run->io.count * d.vcpu->run->io.size);
		ASSERT_TRUE(++rounds <= 48);
	}
	ASSERT_EXIT(d.vcpu, KVM_EXIT_HLT);
	EXPECT_EQ(d.mem[7 * PAGE - 24], 0x77);
	EXPECT_EQ(d.mem[7 * PAGE + 23], 0x77);
	expect_log(&d, w, 2, "REP INSB");
}

/* The entry for gva at level (3 = PML4 ... 1 = PD), in slot 0's tables. */
static uint64_t *table_entry(struct vm *vm, uint64_t gva, int level)
{
	uint64_t table = GUEST_PT_GPA, *e;
	int l;

	for (l = 3;; l--) {
		e = (uint64_t *)vm_ptr(vm, table) + ((gva >> (12 + 9 * l)) & 511);
		if (l == level)
			return e;
		table = *e & PTE_ADDR_MASK;
	}
}

/*
 * A guest page table in the logged slot (page 40) maps GVA_AD to page 41,
 * its entry with A and D clear. The guest's write there sets them, by the
 * CPU (nested paging) or the kernel's walker (shadow paging): both pages are
 * written. Then the guest writes an entry of that table itself (emulated
 * under shadow paging, as the table is write-protected): page 40 only.
 */
TEST(kernel_write_page_table)
{
	static const int w1[] = { 40, 41 };
	static const int w2[] = { 40 };
	uint64_t *pt;
	struct dl d;

	dl_new(&d, GUEST(dl_touch), KVM_MEM_LOG_DIRTY_PAGES);
	/* Builds PDPT/PD/PT for GVA_AD in slot 0, then moves the PT. */
	vm_map_page(d.vm, GVA_AD, GPA_X + 41 * PAGE, PTE_P | PTE_W);
	pt = (uint64_t *)(d.mem + 40 * PAGE);
	memcpy(pt, vm_ptr(d.vm, *table_entry(d.vm, GVA_AD, 1) & PTE_ADDR_MASK),
	       PAGE);
	*table_entry(d.vm, GVA_AD, 1) = (GPA_X + 40 * PAGE) | PTE_P | PTE_W |
					 PTE_U;
	/* A and D set in every entry above, so only the PT's change. */
	*table_entry(d.vm, GVA_AD, 3) |= PTE_A | PTE_D;
	*table_entry(d.vm, GVA_AD, 2) |= PTE_A | PTE_D;
	*table_entry(d.vm, GVA_AD, 1) |= PTE_A | PTE_D;

	{
		uint64_t *t = vm_ptr(d.vm, DL_TABLE);

		t[0] = 1;
		t[1] = (GVA_AD + OFF) | 1;
	}
	vcpu_run_to_hlt(d.vcpu);
	EXPECT_EQ(d.mem[41 * PAGE + OFF], 0x5a);
	EXPECT_EQ(pt[(GVA_AD >> 12) & 511] & (PTE_A | PTE_D), PTE_A | PTE_D);
	expect_log(&d, w1, 2, "A/D set in a logged page table");

	/* The guest writes a byte of an unused entry of its page table. */
	{
		uint64_t *t = vm_ptr(d.vm, DL_TABLE);

		t[0] = 1;
		t[1] = (GPA_X + 40 * PAGE + 8 * 300) | 1;
	}
	vcpu_run_to_hlt(d.vcpu);
	EXPECT_EQ(d.mem[40 * PAGE + 8 * 300], 0x5a);
	expect_log(&d, w2, 1, "a write to the page table");
}

/*
 * Manual protection: GET only looks; CLEAR takes the given bits and logs
 * the next write to those pages; the others stay set.
 */
TEST(manual_protect_clear)
{
	static const int w1[] = { 2, 60, 64, 66, 127 };
	static const int left[] = { 2, 60, 127 };	/* after clearing 64, 66 */
	static const int w3[] = { 60, 66 };
	static const int w4[] = { 1, 66 };
	uint64_t bits[WORDS];
	struct dl d;

	dl_new(&d, GUEST(dl_touch), 0);
	if (!manual_caps_ok(d.vm))
		SKIP("no KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2");
	ASSERT_OK(enable_cap(d.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0,
			     KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE));
	ASSERT_OK(set_region(d.vm, SLOT, KVM_MEM_LOG_DIRTY_PAGES, GPA_X,
			     NPAGES * PAGE, d.mem));
	touch(&d, w1, 5, NULL, 0);
	expect_log(&d, w1, 5, "manual, round 1");
	expect_log(&d, w1, 5, "manual: GET does not clear");

	/* Clear pages 64 and 66, and 65, which is clean: the word 64..127. */
	bits[0] = (1ULL << 0) | (1ULL << 1) | (1ULL << 2);
	ASSERT_OK(clear_log(d.vm, SLOT, 64, 64, bits));
	expect_log(&d, left, 3, "manual, 64 and 66 cleared");

	/* A page cleared is logged again when written; 60 is still set. */
	touch(&d, w3, 2, NULL, 0);
	{
		static const int want[] = { 2, 60, 66, 127 };

		expect_log(&d, want, 4, "manual, 66 written again");
	}

	/* Everything cleared: then exactly what is written next. */
	memset(bits, 0xff, sizeof(bits));
	ASSERT_OK(clear_log(d.vm, SLOT, 0, NPAGES, bits));
	expect_log(&d, NULL, 0, "manual, all cleared");
	touch(&d, w4, 2, NULL, 0);
	expect_log(&d, w4, 2, "manual, after clearing all");
}

/* KVM_DIRTY_LOG_INITIALLY_SET: a new logged slot reports every page. */
TEST(manual_initially_set)
{
	static const int w[] = { 5, 99 };
	int all[NPAGES], i;
	uint64_t bits[WORDS];
	struct dl d;

	for (i = 0; i < NPAGES; i++)
		all[i] = i;
	dl_new(&d, GUEST(dl_touch), 0);
	if (!manual_caps_ok(d.vm))
		SKIP("no KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2");
	ASSERT_OK(enable_cap(d.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0,
			     KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
			     KVM_DIRTY_LOG_INITIALLY_SET));
	/* Mapped and written before logging starts. */
	touch(&d, all, NPAGES, NULL, 0);
	ASSERT_OK(set_region(d.vm, SLOT, KVM_MEM_LOG_DIRTY_PAGES, GPA_X,
			     NPAGES * PAGE, d.mem));
	expect_log(&d, all, NPAGES, "initially set");
	memset(bits, 0xff, sizeof(bits));
	ASSERT_OK(clear_log(d.vm, SLOT, 0, NPAGES, bits));
	expect_log(&d, NULL, 0, "initially set, cleared");
	touch(&d, w, 2, all, NPAGES);
	expect_log(&d, w, 2, "initially set, cleared, written");
}

TEST(errnos)
{
	uint64_t bits[WORDS] = { 0 }, big[4] = { 0 };
	struct dl d;
	uint8_t *mem2 = anon(100 * PAGE);

	dl_new(&d, GUEST(dl_touch), KVM_MEM_LOG_DIRTY_PAGES);
	/* Slot 2: 100 pages, not a multiple of 64. Slot 3: not logged. */
	ASSERT_OK(set_region(d.vm, 2, KVM_MEM_LOG_DIRTY_PAGES, 0x50000000ULL,
			     100 * PAGE, mem2));
	ASSERT_OK(set_region(d.vm, 3, 0, 0x60000000ULL, 4 * PAGE, anon(4 * PAGE)));

	/* GET: no memslot, no logging: -ENOENT; ids out of range: -EINVAL. */
	EXPECT_ERRNO(get_log(d.vm, 7, bits), ENOENT);
	EXPECT_ERRNO(get_log(d.vm, 3, bits), ENOENT);
	EXPECT_ERRNO(get_log(d.vm, 0, bits), ENOENT);
	EXPECT_ERRNO(get_log(d.vm, 0x7fff, bits), EINVAL);
	EXPECT_ERRNO(get_log(d.vm, SLOT | (2U << 16), bits), EINVAL);
	EXPECT_ERRNO(get_log(d.vm, SLOT, (uint64_t *)8), EFAULT);
	EXPECT_ERRNO(get_log(d.vm, SLOT, NULL), EFAULT);

	/* CLEAR: the same ids, then the range rules. */
	EXPECT_ERRNO(clear_log(d.vm, 7, 0, 64, bits), ENOENT);
	EXPECT_ERRNO(clear_log(d.vm, 3, 0, 4, bits), ENOENT);
	EXPECT_ERRNO(clear_log(d.vm, 0x7fff, 0, 64, bits), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT | (2U << 16), 0, 64, bits), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT, 1, 63, bits), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT, 32, 32, bits), EINVAL);
	/* first_page alignment comes before the slot lookup, as in KVM. */
	EXPECT_ERRNO(clear_log(d.vm, 7, 1, 64, bits), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT, 0, 32, bits), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT, 0, NPAGES + 64, big), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT, 192, 0, bits), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT, 64, 128, big), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, SLOT, 0, 64, (uint64_t *)8), EFAULT);
	EXPECT_EQ(clear_log(d.vm, SLOT, 0, 64, bits), 0);
	EXPECT_EQ(clear_log(d.vm, SLOT, 64, 64, bits), 0);
	EXPECT_EQ(clear_log(d.vm, SLOT, 0, NPAGES, bits), 0);
	EXPECT_EQ(clear_log(d.vm, SLOT, NPAGES, 0, bits), 0);
	/* The slot's tail: 36 pages from 64 reach its end, so they may. */
	EXPECT_EQ(clear_log(d.vm, 2, 64, 36, bits), 0);
	EXPECT_EQ(clear_log(d.vm, 2, 0, 100, big), 0);
	EXPECT_ERRNO(clear_log(d.vm, 2, 64, 35, bits), EINVAL);
	EXPECT_ERRNO(clear_log(d.vm, 2, 64, 37, bits), EINVAL);

	/* The slot is deleted: its log goes with it. */
	ASSERT_OK(set_region(d.vm, 2, 0, 0x50000000ULL, 0, mem2));
	EXPECT_ERRNO(get_log(d.vm, 2, bits), ENOENT);
	/* Unknown flags are refused still. */
	EXPECT_ERRNO(set_region(d.vm, 4, 1U << 5, 0x70000000ULL, PAGE,
				anon(PAGE)), EINVAL);
}

/* A read-only slot may be logged: its writes are MMIO, never dirty. */
TEST(readonly_slot)
{
	static const int r[] = { 3, 4 };
	uint64_t *t;
	struct dl d;

	dl_new(&d, GUEST(dl_touch), KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY);
	touch(&d, NULL, 0, r, 2);
	t = vm_ptr(d.vm, DL_TABLE);
	t[0] = 1;
	t[1] = (GPA_X + 3 * PAGE + OFF) | 1;
	vcpu_run(d.vcpu);
	ASSERT_MMIO(d.vcpu, GPA_X + 3 * PAGE + OFF, 1, true);
	EXPECT_EQ(vcpu_mmio_value(d.vcpu), 0x5a);
	vcpu_run_to_hlt(d.vcpu);
	EXPECT_EQ(d.mem[3 * PAGE + OFF], 0);
	expect_log(&d, NULL, 0, "read-only slot");
	/* READONLY may not change on a live slot, logging may. */
	EXPECT_ERRNO(set_region(d.vm, SLOT, KVM_MEM_LOG_DIRTY_PAGES, GPA_X,
				NPAGES * PAGE, d.mem), EINVAL);
	EXPECT_EQ(set_region(d.vm, SLOT, KVM_MEM_READONLY, GPA_X,
			     NPAGES * PAGE, d.mem), 0);
}

/*
 * A real-mode guest, logging switched on for slot 0 itself once it ran:
 * its two writes, nothing else (no stack, no interrupts). On VT-x a
 * shadow-paged guest runs real mode on EPT: the nested tables are logged
 * there too. KVM 6.12 with its shadow MMU (npt=0) maps the code page anew
 * after logging starts, writable, and so logs it although it is only read.
 */
TEST(real_mode)
{
	static const int w[] = { 0x30, 0x32 };
	uint64_t bitmap[GUEST_MEM_SIZE / PAGE / 64];
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_REAL, GUEST(dl_real), 0, &vcpu);
	uint8_t *mem = vm_ptr(vm, 0);

	vcpu_run_to_hlt(vcpu);
	ASSERT_OK(set_region(vm, 0, KVM_MEM_LOG_DIRTY_PAGES, 0, GUEST_MEM_SIZE,
			     mem));
	ASSERT_OK(get_log(vm, 0, bitmap));
	bitmap_is(bitmap, GUEST_MEM_SIZE / PAGE, NULL, 0, "real mode, before");
	vcpu_run_to_hlt(vcpu);
	ASSERT_OK(get_log(vm, 0, bitmap));
	bitmap_is_but(bitmap, GUEST_MEM_SIZE / PAGE, w, 2,
		      th_kvm_shadow_mmu() ? (int)(GUEST_CODE_GPA / PAGE) : -1,
		      "real mode");
	ASSERT_OK(get_log(vm, 0, bitmap));
	bitmap_is(bitmap, GUEST_MEM_SIZE / PAGE, NULL, 0, "real mode, GET again");
}

/* --- Rounds of GET while the vCPU writes on a thread of its own --- */

struct loop {
	struct vcpu *vcpu;
	bool halted;
};

static void *loop_thread(void *arg)
{
	struct loop *l = arg;

	vcpu_run(l->vcpu);
	if (l->vcpu->run->exit_reason != KVM_EXIT_HLT) {
		vcpu_log_exit(l->vcpu);
		TH_FAIL("the writer stopped without halting");
		exit(TH_EXIT_FAIL);
	}
	__atomic_store_n(&l->halted, true, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * The guest writes the even pages over and over. After each GET the host
 * waits for two more passes of the guest: the second began after GET had
 * returned, so every even page was written since, and the next GET must
 * hold exactly the even pages: none lost, and never an odd one.
 */
TEST_TIMEOUT(rounds_threaded, 120)
{
	volatile uint64_t *pass, *stop;
	int even[NPAGES / 2], i, round;
	struct kvm_regs regs;
	struct loop l = { 0 };
	pthread_t t;
	struct dl d;

	mt_need_concurrency();
	for (i = 0; i < NPAGES / 2; i++)
		even[i] = 2 * i;
	dl_new(&d, GUEST(dl_loop), KVM_MEM_LOG_DIRTY_PAGES);
	pass = vm_ptr(d.vm, DL_PASS);
	stop = vm_ptr(d.vm, DL_STOP);
	vcpu_regs_get(d.vcpu, &regs);
	regs.rbx = GPA_X;
	regs.r8 = NPAGES / 2;
	vcpu_regs_set(d.vcpu, &regs);
	l.vcpu = d.vcpu;
	t = mt_start(loop_thread, &l);

	for (round = 0; round < 40 && !th_failed; round++) {
		uint64_t bitmap[WORDS], p0;
		char what[32];

		ASSERT_OK(get_log(d.vm, SLOT, bitmap));
		p0 = *pass;
		ASSERT_TRUE(MT_WAIT_UNTIL(*pass >= p0 + 2, 60000));
		ASSERT_OK(get_log(d.vm, SLOT, bitmap));
		snprintf(what, sizeof(what), "round %d", round);
		bitmap_is(bitmap, NPAGES, even, NPAGES / 2, what);
	}
	*stop = 1;
	mt_join(t);
	EXPECT_TRUE(l.halted);
	EXPECT_EQ(*(uint64_t *)(d.mem + 126 * PAGE), *pass);
}
