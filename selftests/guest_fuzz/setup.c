// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest fuzzer's starting states (see gf.h): the CPUID table both
 * devices get, and from a seed a valid state of one mode: CR0/CR4/EFER bits
 * the mode and that CPUID allow (SDM vol 3A 2.5 "Control Registers", 4.1.1
 * "Four Paging Modes"; APM vol 2 3.1), page tables, an IDT (or the IVT) to
 * guest/guest_fuzz.S's stubs, FS based at the MMIO hole and GS at the data
 * pages, random GPRs and arithmetic flags.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "../ioctl_fuzz/fuzz.h"
#include "../lib/harness.h"
#include "../lib/kvm_util.h"
#include "../lib/vm.h"
#include "gf.h"

DECLARE_GUEST(gf_stubs16);
DECLARE_GUEST(gf_stubs32);
DECLARE_GUEST(gf_stubs64);

const char *const gf_mode_names[GF_MODES] = { "real", "prot", "pg32", "pae", "long" };

uint64_t gf_rand(struct gf_seq *s)
{
	return fz_next(&s->rng);
}

uint64_t gf_below(struct gf_seq *s, uint64_t n)
{
	return n ? gf_rand(s) % n : 0;
}

bool gf_chance(struct gf_seq *s, unsigned int percent)
{
	return gf_below(s, 100) < percent;
}

/* Feature words both hypervisors must support: the AND of their tables. */
static const struct {
	uint32_t function, index;
	uint8_t regs;		/* bit 0 EAX ... bit 3 EDX */
} feature_words[] = {
	{ 1, 0, 0xc }, { 6, 0, 0xf }, { 7, 0, 0xe }, { 7, 1, 0x1 },
	{ 0xd, 0, 0x9 }, { 0xd, 1, 0x1 }, { 0x14, 0, 0x2 },
	{ 0x40000001, 0, 0x1 }, { 0x80000001, 0, 0xc }, { 0x80000007, 0, 0x8 },
	{ 0x80000008, 0, 0x2 }, { 0x8000000a, 0, 0x8 }, { 0x8000001f, 0, 0x1 },
};

static void and_entry(struct kvm_cpuid_entry2 *e, const struct kvm_cpuid_entry2 *o,
		      uint8_t regs)
{
	if (regs & 1)
		e->eax &= o ? o->eax : 0;
	if (regs & 2)
		e->ebx &= o ? o->ebx : 0;
	if (regs & 4)
		e->ecx &= o ? o->ecx : 0;
	if (regs & 8)
		e->edx &= o ? o->edx : 0;
}

/*
 * dev's supported CPUID with the feature words ANDed with other's, and
 * neither VMX nor SVM (minivirt has no nested virtualization): both
 * devices then run the same CPUID, so that CPUID results and the CR4/EFER
 * checks that follow it can be compared.
 */
struct kvm_cpuid2 *gf_cpuid_common(const char *dev, const char *other)
{
	int fd = th_open(dev), ofd = other ? th_open(other) : -1;
	struct kvm_cpuid2 *c = kvm_supported_cpuid(fd), *o = NULL;
	struct kvm_cpuid_entry2 *e;
	unsigned int i;

	if (ofd >= 0)
		o = kvm_supported_cpuid(ofd);
	for (i = 0; o && i < sizeof(feature_words) / sizeof(feature_words[0]); i++) {
		e = cpuid_find(c, feature_words[i].function, feature_words[i].index);
		if (e)
			and_entry(e, cpuid_find(o, feature_words[i].function,
						feature_words[i].index), feature_words[i].regs);
	}
	e = cpuid_find(c, 1, 0);
	if (e)
		e->ecx &= ~(1U << 5);		/* VMX */
	e = cpuid_find(c, 0x80000001, 0);
	if (e)
		e->ecx &= ~(1U << 2);		/* SVM */
	free(o);
	close(fd);
	if (ofd >= 0)
		close(ofd);
	return c;
}

static bool has(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx, int reg, int bit)
{
	struct kvm_cpuid_entry2 *e = cpuid_find((struct kvm_cpuid2 *)c, fn, idx);
	uint32_t v;

	if (!e)
		return false;
	v = reg == 0 ? e->eax : reg == 1 ? e->ebx : reg == 2 ? e->ecx : e->edx;
	return v >> bit & 1;
}

static uint32_t leaf_eax(const struct kvm_cpuid2 *c, uint32_t fn)
{
	struct kvm_cpuid_entry2 *e = cpuid_find((struct kvm_cpuid2 *)c, fn, 0);

	return e ? e->eax : 0;
}

static void cpuid_facts(struct gf_state *st, const struct kvm_cpuid2 *c)
{
	st->pse = has(c, 1, 0, 3, 3);
	st->pge = has(c, 1, 0, 3, 13);
	st->pcid = has(c, 1, 0, 2, 17);
	st->osxsave = has(c, 1, 0, 2, 26);
	st->fsgsbase = has(c, 7, 0, 1, 0);
	st->smep = has(c, 7, 0, 1, 7);
	st->smap = has(c, 7, 0, 1, 20);
	st->umip = has(c, 7, 0, 2, 2);
	st->nx = has(c, 0x80000001, 0, 3, 20);
	st->rdtscp = has(c, 0x80000001, 0, 3, 27);
	st->max_leaf = leaf_eax(c, 0);
	st->max_ext_leaf = leaf_eax(c, 0x80000000);
}

/* Control registers valid for the mode, with random optional bits. */
static void control_regs(struct gf_seq *s)
{
	struct gf_state *st = &s->st;
	bool paging = st->mode >= GF_PG32;

	st->cr0 = X86_CR0_ET;
	if (st->mode != GF_REAL)
		st->cr0 |= X86_CR0_PE;
	if (paging)
		st->cr0 |= X86_CR0_PG;
	st->cr0 |= gf_chance(s, 70) ? X86_CR0_NE : 0;
	st->cr0 |= gf_chance(s, 50) ? X86_CR0_MP : 0;
	st->cr0 |= gf_chance(s, 50) ? X86_CR0_WP : 0;
	st->cr0 |= gf_chance(s, 30) ? X86_CR0_AM : 0;
	st->cr0 |= gf_chance(s, 10) ? X86_CR0_TS : 0;
	st->cr0 |= gf_chance(s, 10) ? X86_CR0_EM : 0;
	st->cr0 |= gf_chance(s, 10) ? X86_CR0_CD : 0;	/* NW only with CD */

	st->cr4 = 0;
	if (st->mode == GF_PAE || st->mode == GF_LONG)
		st->cr4 |= X86_CR4_PAE;
	st->cr4 |= gf_chance(s, 70) ? X86_CR4_OSFXSR : 0;
	st->cr4 |= gf_chance(s, 50) ? X86_CR4_OSXMMEXCPT : 0;
	st->cr4 |= gf_chance(s, 30) ? CR4_TSD : 0;
	st->cr4 |= gf_chance(s, 30) ? CR4_DE : 0;
	st->cr4 |= gf_chance(s, 30) ? CR4_PCE : 0;
	st->cr4 |= gf_chance(s, 30) ? CR4_MCE : 0;
	st->cr4 |= gf_chance(s, 50) && st->pse ? X86_CR4_PSE : 0;
	st->cr4 |= gf_chance(s, 40) && st->pge && paging ? X86_CR4_PGE : 0;
	st->cr4 |= gf_chance(s, 30) && st->smep && paging ? CR4_SMEP : 0;
	st->cr4 |= gf_chance(s, 30) && st->smap && paging ? CR4_SMAP : 0;
	st->cr4 |= gf_chance(s, 30) && st->umip ? CR4_UMIP : 0;
	st->cr4 |= gf_chance(s, 40) && st->fsgsbase ? CR4_FSGSBASE : 0;
	st->cr4 |= gf_chance(s, 40) && st->osxsave ? X86_CR4_OSXSAVE : 0;
	/* PCIDE only in long mode with CR3[11:0] = 0 (SDM 4.10.1). */
	st->cr4 |= gf_chance(s, 20) && st->pcid && st->mode == GF_LONG ? CR4_PCIDE : 0;

	st->efer = st->mode == GF_LONG ? EFER_LME | EFER_LMA : 0;
	st->efer |= gf_chance(s, 60) && st->nx ? EFER_NX : 0;
	st->efer |= gf_chance(s, 50) ? EFER_SCE : 0;

	switch (st->mode) {
	case GF_PAE:
		st->cr3 = GF_PAE_GPA;
		st->root2 = GF_PAE_GPA + 0x20;		/* a PDPT is 32-byte aligned */
		st->pte_gpa = GF_PAE_GPA + 0x2000 + (GUEST_DATA_GPA >> 12) * 8;
		st->pte_size = 8;
		break;
	case GF_LONG:
		st->cr3 = GUEST_PT_GPA;
		st->root2 = GF_ROOT2_GPA;
		st->pte_gpa = GF_LONG_PT_GPA + (GUEST_DATA_GPA >> 12) * 8;
		st->pte_size = 8;
		break;
	default:	/* paging off: CR3 ready for a MOV to CR0 that sets PG */
		st->cr3 = GF_PD32_GPA;
		st->root2 = GF_PD32_GPA + 0x2000;
		st->pte_gpa = st->mode == GF_PG32 ?
			      GF_PD32_GPA + 0x1000 + (GUEST_DATA_GPA >> 12) * 4 : 0;
		st->pte_size = 4;
		break;
	}
	if (gf_chance(s, 20) && !(st->cr4 & CR4_PCIDE))
		st->cr3 |= gf_chance(s, 50) ? CR3_PWT : CR3_PCD;
}

void gf_seq_init(struct gf_seq *s, enum gf_mode mode, uint64_t seed,
		 const struct kvm_cpuid2 *cpuid)
{
	static const uint64_t flags = X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_ZF |
				      X86_EFLAGS_SF | X86_EFLAGS_OF | EFLAGS_AF;
	__u64 *gpr = &s->regs.rax;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->seed = seed;
	fz_seed(&s->rng, seed + ((uint64_t)mode << 48));
	s->st.mode = mode;
	s->st.bits = mode == GF_REAL ? 16 : mode == GF_LONG ? 64 : 32;
	cpuid_facts(&s->st, cpuid);
	control_regs(s);
	s->st.idt_vectors = gf_chance(s, 20) ? 48 : 256;

	/* RAX..R15 in kvm_regs order; 32-bit values outside long mode. */
	for (i = 0; i < 16; i++)
		gpr[i] = mode == GF_LONG ? gf_rand(s) : (uint32_t)gf_rand(s);
	s->regs.rsp = GUEST_STACK_TOP;
	s->regs.rip = GUEST_CODE_GPA;
	s->regs.rflags = X86_EFLAGS_FIXED | (gf_rand(s) & flags);
	s->regs.rflags |= gf_chance(s, 20) ? X86_EFLAGS_DF : 0;
	s->regs.rflags |= gf_chance(s, 50) ? X86_EFLAGS_IF : 0;
}

static enum vm_mode lib_mode(enum gf_mode mode)
{
	return mode == GF_REAL ? VM_MODE_REAL : mode == GF_LONG ? VM_MODE_LONG : VM_MODE_PROT32;
}

/* vcpu_set_mode()'s state for the mode, then the sequence's own, and its memory. */
void gf_set_state(const struct gf_seq *s, struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	const struct gf_state *st = &s->st;
	struct kvm_sregs sr;

	vcpu_set_mode(vcpu, lib_mode(st->mode), VM_NO_IDT);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid));
	/* The page tables first: KVM_SET_SREGS loads PAE's PDPTEs from them. */
	gf_write_memory(s, vcpu->vm);
	vcpu_sregs_get(vcpu, &sr);
	sr.cr0 = st->cr0;
	sr.cr3 = st->cr3;
	sr.cr4 = st->cr4;
	sr.efer = st->efer;
	sr.fs.base = GF_MMIO_GPA;
	sr.gs.base = GUEST_DATA_GPA;
	if (st->mode == GF_REAL) {
		sr.fs.selector = GF_MMIO_GPA >> 4;
		sr.gs.selector = GUEST_DATA_GPA >> 4;
		sr.idt.base = 0;
		sr.idt.limit = st->idt_vectors * 4 - 1;
	} else {
		sr.idt.base = GUEST_IDT_GPA;
		sr.idt.limit = st->idt_vectors * (st->mode == GF_LONG ? 16 : 8) - 1;
	}
	vcpu_sregs_set(vcpu, &sr);
	vcpu_regs_set(vcpu, &s->regs);
}

/* 32-bit paging: a PD whose first entry maps 4 MiB with a PT, and a copy. */
static void tables32(struct vm *vm)
{
	uint32_t *pd = vm_ptr(vm, GF_PD32_GPA), *pt = vm_ptr(vm, GF_PD32_GPA + 0x1000);
	unsigned int i;

	memset(pd, 0, GUEST_PAGE_SIZE);
	pd[0] = (GF_PD32_GPA + 0x1000) | PTE_P | PTE_W;
	for (i = 0; i < 1024; i++)
		pt[i] = i << 12 | PTE_P | PTE_W;
	memcpy(vm_ptr(vm, GF_PD32_GPA + 0x2000), pd, GUEST_PAGE_SIZE);
}

/* PAE: two PDPTs in one page, one PD, a PT of the first 2 MiB (SDM 4.4). */
static void tables_pae(struct vm *vm)
{
	uint64_t *pdpt = vm_ptr(vm, GF_PAE_GPA), *pd = vm_ptr(vm, GF_PAE_GPA + 0x1000);
	uint64_t *pt = vm_ptr(vm, GF_PAE_GPA + 0x2000);
	unsigned int i;

	memset(pdpt, 0, 2 * GUEST_PAGE_SIZE);
	pdpt[0] = (GF_PAE_GPA + 0x1000) | PTE_P;
	pdpt[4] = pdpt[0];
	pd[0] = (GF_PAE_GPA + 0x2000) | PTE_P | PTE_W;
	for (i = 0; i < 512; i++)
		pt[i] = (uint64_t)i << 12 | PTE_P | PTE_W;
}

void gf_write_memory(const struct gf_seq *s, struct vm *vm)
{
	enum gf_mode mode = s->st.mode;
	uint32_t *ivt = vm_ptr(vm, 0);
	unsigned int v;

	if (mode == GF_REAL) {
		for (v = 0; v < 256; v++)
			ivt[v] = GUEST_STUBS_GPA + v * 16;	/* segment 0 */
		vm_load(vm, GUEST_STUBS_GPA, GUEST(gf_stubs16));
	} else {
		vm_write_idt(vm, lib_mode(mode),
			     mode == GF_LONG ? GUEST(gf_stubs64) : GUEST(gf_stubs32));
	}
	tables32(vm);
	tables_pae(vm);
	if (mode == GF_LONG) {
		/* vcpu_set_mode()'s identity map: its PT of the first 2 MiB. */
		ASSERT_EQ((uint8_t *)vm_pte(vm, GUEST_DATA_GPA) - (uint8_t *)vm_ptr(vm, 0),
			  s->st.pte_gpa);
		memcpy(vm_ptr(vm, GF_ROOT2_GPA), vm_ptr(vm, GUEST_PT_GPA), GUEST_PAGE_SIZE);
	}
	memcpy(vm_ptr(vm, GUEST_CODE_GPA), s->code, (size_t)(s->slots + 1) * GF_SLOT);
}
