// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID and MSRs: KVM_GET_SUPPORTED_CPUID (E2BIG protocol, structure),
 * KVM_SET_CPUID2/KVM_GET_CPUID2 and what the guest's CPUID then returns,
 * KVM_GET_MSR_INDEX_LIST (E2BIG protocol, the MSRs every x86-64 hypervisor
 * must list), KVM_SET_MSRS/KVM_GET_MSRS (count processed, stop at the first
 * failure), and a guest's WRMSR/RDMSR, including #GP for an MSR that does
 * not exist. Guest code: guest/cpuid_msr.S.
 *
 * KVM on Linux 6.1 leaves KVM_GET_CPUID2's nent as userspace passed it when
 * it was larger than the table; 6.12 sets it to the table's size
 * (../shared/TESTING.md). That older answer is accepted on 6.1 only.
 */
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(cpuid_list);
DECLARE_GUEST(msr_list);
DECLARE_GUEST(msr_unknown);
DECLARE_GUEST(cpuid_at_cpl);
DECLARE_GUEST_LABEL(msr_unknown, rdmsr);
DECLARE_GUEST_LABEL(msr_unknown, wrmsr);

#define MSR_UNKNOWN		0x0badc0de	/* as in guest/cpuid_msr.S */
#define MSR_PLATFORM_INFO	0x000000ce
#define MSR_MISC_FEATURES	0x00000140	/* MSR_MISC_FEATURES_ENABLES */
#define PLATFORM_INFO_CPUID_FAULT (1ULL << 31)
#define MISC_FEATURES_CPUID_FAULT (1ULL << 0)
#define KVM_MAX_CPUID_ENTRIES	256		/* arch/x86/include/asm/kvm_host.h */
#define MAX_IO_MSRS		256		/* arch/x86/kvm/x86.c */

static const char brand[48] = "minivirt selftest CPU, brand string of 48 bytes";

static struct kvm_cpuid2 *cpuid_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	ASSERT_TRUE(c);
	c->nent = nent;
	return c;
}

/* The supported table with our brand string and a family/model/stepping. */
static struct kvm_cpuid2 *custom_cpuid(int sys_fd)
{
	struct kvm_cpuid2 *c = kvm_supported_cpuid(sys_fd);
	struct kvm_cpuid_entry2 *e;
	uint32_t leaf;

	for (leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
		e = cpuid_find(c, leaf, 0);
		ASSERT_TRUE(e);
		memcpy(&e->eax, brand + (leaf - 0x80000002) * 16, 16);
	}
	e = cpuid_find(c, 1, 0);
	ASSERT_TRUE(e);
	e->eax = 0x00a20f12;
	return c;
}

/*
 * Fields KVM keeps up to date itself (the SDM and APM define them as
 * reflecting CR4, APIC_BASE or XCR0): OSXSAVE, APIC, OSPKE, and the XSAVE
 * area sizes in leaf 0xd. Masks for EAX, EBX, ECX, EDX.
 */
static void dynamic_mask(const struct kvm_cpuid_entry2 *e, uint32_t m[4])
{
	m[0] = m[1] = m[2] = m[3] = ~0U;
	if (e->function == 1) {
		m[2] &= ~(1U << 27);		/* OSXSAVE */
		m[3] &= ~(1U << 9);		/* APIC */
	} else if (e->function == 7 && e->index == 0) {
		m[2] &= ~(1U << 4);		/* OSPKE */
	} else if (e->function == 0xd && e->index <= 1) {
		m[1] = 0;			/* XSAVE area size */
	}
}

static bool entries_match(const struct kvm_cpuid_entry2 *a,
			  const struct kvm_cpuid_entry2 *b)
{
	uint32_t m[4];

	dynamic_mask(a, m);
	return a->function == b->function && a->index == b->index &&
	       a->flags == b->flags && !((a->eax ^ b->eax) & m[0]) &&
	       !((a->ebx ^ b->ebx) & m[1]) && !((a->ecx ^ b->ecx) & m[2]) &&
	       !((a->edx ^ b->edx) & m[3]);
}

TEST(supported_cpuid_e2big)
{
	int sys = th_open(th_dev);
	struct kvm_cpuid2 *all = kvm_supported_cpuid(sys), *c;
	uint32_t n = all->nent;

	ASSERT_GE(n, 2);
	c = cpuid_alloc(n);
	c->nent = 0;
	EXPECT_ERRNO(ioctl(sys, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
	c->nent = n - 1;
	EXPECT_ERRNO(ioctl(sys, KVM_GET_SUPPORTED_CPUID, c), E2BIG);
	c->nent = n;
	ASSERT_OK(ioctl(sys, KVM_GET_SUPPORTED_CPUID, c));
	EXPECT_EQ(c->nent, n);
	EXPECT_EQ(memcmp(c->entries, all->entries, n * sizeof(c->entries[0])), 0);
}

/* Leaf 0 and 0x80000000 bound the leaves; the vendor is the host's; 64-bit. */
TEST(supported_cpuid_structure)
{
	int sys = th_open(th_dev);
	struct kvm_cpuid2 *c = kvm_supported_cpuid(sys);
	struct kvm_cpuid_entry2 *l0, *x0, *x1, *e;
	uint32_t host[4], i, j;

	l0 = cpuid_find(c, 0, 0);
	x0 = cpuid_find(c, 0x80000000, 0);
	x1 = cpuid_find(c, 0x80000001, 0);
	ASSERT_TRUE(l0 && x0 && x1 && cpuid_find(c, 1, 0));
	EXPECT_GE(l0->eax, 1);
	EXPECT_GE(x0->eax, 0x80000001);
	EXPECT_TRUE(x1->edx & CPUID_80000001_EDX_LM);

	__asm__ volatile("cpuid" : "=a"(host[0]), "=b"(host[1]), "=c"(host[2]),
			 "=d"(host[3]) : "a"(0), "c"(0));
	EXPECT_EQ(l0->ebx, host[1]);
	EXPECT_EQ(l0->ecx, host[2]);
	EXPECT_EQ(l0->edx, host[3]);

	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function < 0x40000000 && e->function > l0->eax)
			TH_FAIL("leaf %#x beyond the basic maximum %#x", e->function, l0->eax);
		if (e->function >= 0x80000000 && e->function > x0->eax)
			TH_FAIL("leaf %#x beyond the extended maximum %#x", e->function, x0->eax);
		if (e->flags & ~KVM_CPUID_FLAG_SIGNIFCANT_INDEX)
			TH_FAIL("leaf %#x: flags %#x", e->function, e->flags);
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index)
			TH_FAIL("leaf %#x: index %u without a significant index",
				e->function, e->index);
		for (j = 0; j < i; j++)
			if (c->entries[j].function == e->function &&
			    c->entries[j].index == e->index)
				TH_FAIL("leaf %#x.%u listed twice", e->function, e->index);
	}
	/* A hypervisor range, if any, announces its own maximum leaf. */
	e = cpuid_find(c, 0x40000000, 0);
	if (e)
		EXPECT_GE(e->eax, 0x40000000);
}

/* The guest's CPUID returns KVM_GET_CPUID2's table, entry by entry. */
TEST(guest_cpuid_is_the_table)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(cpuid_list), 0, &vcpu);
	struct kvm_cpuid2 *set = custom_cpuid(vm->sys_fd), *got;
	uint32_t *list = vm_ptr(vm, GUEST_DATA_GPA), *r, i, n;

	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, set));
	got = cpuid_alloc(set->nent);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, got));

	/* Every entry, plus the brand leaf with a junk, insignificant ECX. */
	n = got->nent;
	ASSERT_TRUE(16 * (n + 1) <= GUEST_PAGE_SIZE);
	for (i = 0; i < n; i++) {
		list[2 + 2 * i] = got->entries[i].function;
		list[3 + 2 * i] = got->entries[i].index;
	}
	list[2 + 2 * n] = 0x80000002;
	list[3 + 2 * n] = 0x1234;
	list[0] = n + 1;
	vcpu_run_to_hlt(vcpu);

	r = (uint32_t *)guest_report(vm);
	for (i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &got->entries[i];

		if (memcmp(&r[4 * i], &e->eax, 16))
			TH_FAIL("CPUID %#x.%u in the guest: %08x %08x %08x %08x, "
				"table: %08x %08x %08x %08x", e->function, e->index,
				r[4 * i], r[4 * i + 1], r[4 * i + 2], r[4 * i + 3],
				e->eax, e->ebx, e->ecx, e->edx);
	}
	EXPECT_EQ(memcmp(&r[4 * n], brand, 16), 0);
	/* The values set are the values seen. */
	for (i = 0; i < n; i++)
		if (got->entries[i].function >= 0x80000002 &&
		    got->entries[i].function <= 0x80000004)
			EXPECT_EQ(memcmp(&r[4 * i], brand +
					 (got->entries[i].function - 0x80000002) * 16,
					 16), 0);
	EXPECT_EQ(cpuid_find(got, 1, 0)->eax, 0x00a20f12);
}

TEST(get_cpuid2)
{
	struct vm *vm = vm_new();
	struct vcpu *vcpu = vcpu_new(vm, 0);
	struct kvm_cpuid2 *set = custom_cpuid(vm->sys_fd), *got;
	uint32_t n = set->nent, i;

	/* Nothing set yet: an empty table. */
	got = cpuid_alloc(n + 8);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, got));
	if (!th_kvm_before(6, 12))
		EXPECT_EQ(got->nent, 0);

	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, set));
	got->nent = n;
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, got));
	EXPECT_EQ(got->nent, n);
	for (i = 0; i < n; i++)
		if (!entries_match(&set->entries[i], &got->entries[i]))
			TH_FAIL("entry %u (leaf %#x.%u) differs", i,
				set->entries[i].function, set->entries[i].index);

	/* A larger buffer: nent says how many there are (6.1: left as passed). */
	got->nent = n + 8;
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, got));
	if (th_kvm_before(6, 12))
		EXPECT_EQ(got->nent, n + 8);
	else
		EXPECT_EQ(got->nent, n);

	/* Too small: E2BIG, and nent is not written back. */
	got->nent = n - 1;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_CPUID2, got), E2BIG);
	EXPECT_EQ(got->nent, n - 1);
}

TEST(set_cpuid2_too_many)
{
	struct vm *vm = vm_new();
	struct vcpu *vcpu = vcpu_new(vm, 0);
	struct kvm_cpuid2 *c = cpuid_alloc(KVM_MAX_CPUID_ENTRIES + 1);

	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_CPUID2, c), E2BIG);
}

/*
 * After KVM_RUN the same table may be set again, a different one not. The
 * same means after KVM's dynamic bits (kvm_set_cpuid() applies them before
 * kvm_cpuid_check_equal()): the table as set and as read back, OSXSAVE
 * following CR4, both count as the same.
 */
TEST(set_cpuid2_after_run)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(cpuid_list), 0, &vcpu);
	struct kvm_cpuid2 *c = kvm_supported_cpuid(vm->sys_fd), *got;
	bool xsave = cpuid_find(c, 1, 0)->ecx & CPUID_1_ECX_XSAVE;
	struct kvm_sregs sregs;

	if (xsave) {
		vcpu_sregs_get(vcpu, &sregs);
		sregs.cr4 |= X86_CR4_OSXSAVE;
		vcpu_sregs_set(vcpu, &sregs);
	}
	vcpu_run_to_hlt(vcpu);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	got = cpuid_alloc(c->nent);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, got));
	if (xsave)
		EXPECT_TRUE(cpuid_find(got, 1, 0)->ecx & CPUID_1_ECX_OSXSAVE);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, got));
	free(got);
	c = custom_cpuid(vm->sys_fd);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_CPUID2, c), EINVAL);
	got = cpuid_alloc(c->nent);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, got));
	EXPECT_NE(cpuid_find(got, 1, 0)->eax, 0x00a20f12);
}

static struct kvm_msr_list *msr_index_list(int sys)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *l;

	ASSERT_ERRNO(ioctl(sys, KVM_GET_MSR_INDEX_LIST, &probe), E2BIG);
	ASSERT_GE(probe.nmsrs, 1);
	l = calloc(1, sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
	ASSERT_TRUE(l);
	l->nmsrs = probe.nmsrs;
	ASSERT_OK(ioctl(sys, KVM_GET_MSR_INDEX_LIST, l));
	ASSERT_EQ(l->nmsrs, probe.nmsrs);
	return l;
}

/* E2BIG says how many; one fewer is still E2BIG; the exact size works. */
TEST(msr_index_list_e2big)
{
	int sys = th_open(th_dev);
	struct kvm_msr_list *l = msr_index_list(sys);
	uint32_t n = l->nmsrs;

	l->nmsrs = n - 1;
	EXPECT_ERRNO(ioctl(sys, KVM_GET_MSR_INDEX_LIST, l), E2BIG);
	EXPECT_EQ(l->nmsrs, n);
}

/* The MSRs of x86-64 system software that every hypervisor saves. */
TEST(msr_index_list_contents)
{
	static const uint32_t must[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
		MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
		MSR_KERNEL_GS_BASE, MSR_IA32_TSC, MSR_IA32_CR_PAT,
	};
	int sys = th_open(th_dev);
	struct kvm_msr_list *l = msr_index_list(sys);
	uint32_t i, j;

	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		for (j = 0; j < l->nmsrs && l->indices[j] != must[i]; j++)
			;
		if (j == l->nmsrs)
			TH_FAIL("MSR %#x not listed", must[i]);
	}
	for (i = 0; i < l->nmsrs; i++)
		for (j = 0; j < i; j++)
			if (l->indices[i] == l->indices[j])
				TH_FAIL("MSR %#x listed twice", l->indices[i]);
}

#define MSRS_MAX	16
struct msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[MSRS_MAX];
};

/*
 * Values every x86-64 vCPU keeps as set. SYSENTER_ESP/EIP: 32-bit values,
 * which AMD keeps in full (KVM drops the high half for an AMD guest).
 */
static const struct kvm_msr_entry round_trip[] = {
	{ .index = MSR_IA32_SYSENTER_CS, .data = 0x10 },
	{ .index = MSR_IA32_SYSENTER_ESP, .data = 0x12345678 },
	{ .index = MSR_IA32_SYSENTER_EIP, .data = 0x9abcdef0 },
	{ .index = MSR_STAR, .data = 0x0023001000000000ULL },
	{ .index = MSR_LSTAR, .data = 0xffffffff81000000ULL },
	{ .index = MSR_CSTAR, .data = 0xffffffff81000100ULL },
	{ .index = MSR_SYSCALL_MASK, .data = 0x47700 },
	{ .index = MSR_KERNEL_GS_BASE, .data = 0xffff888000001000ULL },
	{ .index = MSR_IA32_CR_PAT, .data = 0x0007010600070106ULL },
};
#define N_ROUND_TRIP	(sizeof(round_trip) / sizeof(round_trip[0]))

static void msrs_fill(struct msrs *m, const struct kvm_msr_entry *e, uint32_t n)
{
	memset(m, 0, sizeof(*m));
	m->hdr.nmsrs = n;
	memcpy(m->e, e, n * sizeof(*e));
}

static struct vcpu *plain_vcpu(void)
{
	struct vm *vm = vm_new();
	struct vcpu *vcpu = vcpu_new(vm, 0);

	vcpu_set_supported_cpuid(vcpu);
	return vcpu;
}

TEST(msrs_round_trip)
{
	struct vcpu *vcpu = plain_vcpu();
	struct msrs m;
	uint32_t i;

	msrs_fill(&m, round_trip, N_ROUND_TRIP);
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), (int)N_ROUND_TRIP);
	for (i = 0; i < N_ROUND_TRIP; i++)
		m.e[i].data = 0;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, &m), (int)N_ROUND_TRIP);
	for (i = 0; i < N_ROUND_TRIP; i++)
		if (m.e[i].data != round_trip[i].data)
			TH_FAIL("MSR %#x: %#llx, set %#llx", m.e[i].index,
				(unsigned long long)m.e[i].data,
				(unsigned long long)round_trip[i].data);
	/* nmsrs 0 is no work. */
	m.hdr.nmsrs = 0;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 0);
	EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, &m), 0);
}

/* The return value counts the MSRs done before the first that failed. */
TEST(msrs_stop_at_first_failure)
{
	struct vcpu *vcpu = plain_vcpu();
	struct msrs m;

	/* An MSR that does not exist. */
	msrs_fill(&m, round_trip, 3);
	m.e[1].index = MSR_UNKNOWN;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 1);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_IA32_SYSENTER_CS), round_trip[0].data);
	EXPECT_NE(vcpu_msr_get(vcpu, MSR_IA32_SYSENTER_EIP), round_trip[2].data);
	EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, &m), 1);

	/* Values the MSR cannot hold: non-canonical LSTAR, PAT type 2. */
	msrs_fill(&m, round_trip, 2);
	m.e[1].index = MSR_LSTAR;
	m.e[1].data = 0x8000000000000000ULL;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 1);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_LSTAR), 0);
	m.e[0].index = MSR_IA32_CR_PAT;
	m.e[0].data = 0x0202020202020202ULL;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 0);
}

TEST(msrs_too_many)
{
	struct vcpu *vcpu = plain_vcpu();
	struct kvm_msrs *m = calloc(1, sizeof(*m) +
				    MAX_IO_MSRS * sizeof(struct kvm_msr_entry));

	ASSERT_TRUE(m);
	m->nmsrs = MAX_IO_MSRS;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_MSRS, m), E2BIG);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_GET_MSRS, m), E2BIG);
}

struct msr_op {
	uint32_t index;
	uint32_t write;
	uint64_t value;
};

/*
 * The guest WRMSRs and RDMSRs back; KVM_GET_MSRS sees the guest's values,
 * and KVM_GET_SREGS the FS base it wrote; an MSR the host set before the
 * run, the guest reads.
 */
TEST(guest_wrmsr_rdmsr)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(msr_list), 0, &vcpu);
	uint32_t *count = vm_ptr(vm, GUEST_DATA_GPA);
	struct msr_op *ops = vm_ptr(vm, GUEST_DATA_GPA + 8);
	uint64_t *r = guest_report(vm);
	struct kvm_sregs sregs;
	uint32_t i, n = 0;

	for (i = 0; i < N_ROUND_TRIP; i++)
		ops[n++] = (struct msr_op){ round_trip[i].index, 1,
					    round_trip[i].data ^ 0x100 };
	ops[n++] = (struct msr_op){ MSR_FS_BASE, 1, 0x7f0000001000ULL };
	ops[n++] = (struct msr_op){ MSR_GS_BASE, 0, 0 };
	*count = n;
	vcpu_msr_set(vcpu, MSR_GS_BASE, 0x7f0000002000ULL);

	vcpu_run_to_hlt(vcpu);
	for (i = 0; i < n - 1; i++) {
		if (r[i] != ops[i].value)
			TH_FAIL("guest RDMSR %#x: %#llx, wrote %#llx", ops[i].index,
				(unsigned long long)r[i],
				(unsigned long long)ops[i].value);
		EXPECT_EQ(vcpu_msr_get(vcpu, ops[i].index), ops[i].value);
	}
	EXPECT_EQ(r[n - 1], 0x7f0000002000ULL);
	vcpu_sregs_get(vcpu, &sregs);
	EXPECT_EQ(sregs.fs.base, 0x7f0000001000ULL);
	EXPECT_EQ(sregs.gs.base, 0x7f0000002000ULL);
}

/* RDMSR and WRMSR of an MSR that does not exist raise #GP(0) in the guest. */
TEST(guest_msr_unknown_gp)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(msr_unknown), 0, &vcpu);
	uint64_t *r = guest_report(vm);

	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(r[0], GP_VECTOR);
	EXPECT_EQ(r[1], 0);
	EXPECT_EQ(r[2], GUEST_ADDR(msr_unknown, rdmsr));
	EXPECT_EQ(r[3], GP_VECTOR);
	EXPECT_EQ(r[4], 0);
	EXPECT_EQ(r[5], GUEST_ADDR(msr_unknown, wrmsr));
	EXPECT_EQ(guest_exc(vm)->count, 2);
}

/* KVM_SET_MSRS of one MSR on vcpu: 1 if taken, 0 if refused. */
static int msr_set1(struct vcpu *vcpu, uint32_t index, uint64_t data)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index, .e.data = data };

	return ioctl(vcpu->fd, KVM_SET_MSRS, &m);
}

/* A 32-bit guest (cpuid_at_cpl, no IDT) at CPL cpl, IOPL 3. */
static struct vcpu *guest_at_cpl(int cpl)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_PROT32, GUEST(cpuid_at_cpl), VM_NO_IDT, &vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cs.selector |= cpl;
	sregs.cs.dpl = cpl;
	sregs.ss.selector |= cpl;
	sregs.ss.dpl = cpl;
	sregs.ds.dpl = sregs.es.dpl = sregs.fs.dpl = sregs.gs.dpl = 3;
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_regs_get(vcpu, &regs);
	regs.rflags |= 3 << 12;		/* IOPL 3 */
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}

/*
 * CPUID faulting (KVM's, on both vendors): MSR_PLATFORM_INFO offers it
 * (bit 31, set at creation; only userspace writes the MSR, and cannot
 * clear the bit while faulting is on); MSR_MISC_FEATURES_ENABLES bit 0
 * turns it on (refused without the offer, other bits reserved); CPUID at
 * CPL 3 then raises #GP (here: no IDT, a shutdown), at CPL 0 it does not.
 */
TEST(cpuid_faulting)
{
	struct vcpu *vcpu;
	uint64_t v;

	if (ioctl(th_open(th_dev), KVM_CHECK_EXTENSION, KVM_CAP_MSR_PLATFORM_INFO) <= 0)
		SKIP("no KVM_CAP_MSR_PLATFORM_INFO");

	vcpu = guest_at_cpl(3);
	v = vcpu_msr_get(vcpu, MSR_PLATFORM_INFO);
	EXPECT_TRUE(v & PLATFORM_INFO_CPUID_FAULT);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MISC_FEATURES), 0);
	EXPECT_EQ(msr_set1(vcpu, MSR_MISC_FEATURES, 2), 0);
	EXPECT_EQ(msr_set1(vcpu, MSR_MISC_FEATURES, MISC_FEATURES_CPUID_FAULT), 1);
	EXPECT_EQ(msr_set1(vcpu, MSR_PLATFORM_INFO, v & ~PLATFORM_INFO_CPUID_FAULT), 0);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_PLATFORM_INFO), v);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_SHUTDOWN);

	/* Off again, the offer withdrawn: not to be turned on. */
	vcpu = guest_at_cpl(3);
	EXPECT_EQ(msr_set1(vcpu, MSR_PLATFORM_INFO, v & ~PLATFORM_INFO_CPUID_FAULT), 1);
	EXPECT_EQ(msr_set1(vcpu, MSR_MISC_FEATURES, MISC_FEATURES_CPUID_FAULT), 0);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0x10, 1);
	EXPECT_GE(vcpu_io_value(vcpu), 1);	/* leaf 0: the highest leaf */

	/* At CPL 0 CPUID does not fault. */
	vcpu = guest_at_cpl(0);
	EXPECT_EQ(msr_set1(vcpu, MSR_MISC_FEATURES, MISC_FEATURES_CPUID_FAULT), 1);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0x10, 1);
}

static int enable_platform_info(struct vm *vm, uint64_t on)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_MSR_PLATFORM_INFO, .args = { on } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

/*
 * KVM_CAP_MSR_PLATFORM_INFO: the guest reads MSR_PLATFORM_INFO (as
 * userspace set it) by default and while the cap is enabled; disabled, its
 * RDMSR #GPs (a shutdown here). Userspace reads it either way.
 */
TEST(platform_info_cap)
{
	struct vcpu *vcpu;
	uint64_t v;

	if (ioctl(th_open(th_dev), KVM_CHECK_EXTENSION, KVM_CAP_MSR_PLATFORM_INFO) <= 0)
		SKIP("no KVM_CAP_MSR_PLATFORM_INFO");
	vcpu = guest_at_cpl(0);
	v = vcpu_msr_get(vcpu, MSR_PLATFORM_INFO);
	vcpu_msr_set(vcpu, MSR_PLATFORM_INFO, v | 0xff00);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0x10, 1);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0x11, 1);
	EXPECT_EQ(vcpu_io_value(vcpu), (uint32_t)(v | 0xff00));

	vcpu = guest_at_cpl(0);
	ASSERT_OK(enable_platform_info(vcpu->vm, 0));
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_PLATFORM_INFO), v);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0x10, 1);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_SHUTDOWN);

	vcpu = guest_at_cpl(0);
	ASSERT_OK(enable_platform_info(vcpu->vm, 0));
	ASSERT_OK(enable_platform_info(vcpu->vm, 1));
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0x10, 1);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, 0x11, 1);
}
