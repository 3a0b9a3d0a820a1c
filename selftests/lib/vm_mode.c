// SPDX-License-Identifier: GPL-2.0-only
/*
 * Modes: CPUID, descriptor tables, page tables, and the vCPU state of real,
 * 32-bit protected and 64-bit long mode. See vm.h and guest/layout.h.
 * Descriptor formats: AMD APM vol 2 4.7 "Legacy Segment Descriptors", 4.8
 * "Long-Mode Segment Descriptors"; page tables: 5.3 "Long-Mode Page
 * Translation".
 */
#include <sys/ioctl.h>

#include "harness.h"
#include "vm.h"

DECLARE_GUEST(guest_stubs64);
DECLARE_GUEST(guest_stubs32);

#define GDT_LIMIT	(SEL_TSS + 16 - 1)
#define TSS_LIMIT	0x67
#define STUB_SIZE	16

struct kvm_cpuid2 *kvm_supported_cpuid(int sys_fd)
{
	struct kvm_cpuid2 *cpuid;
	uint32_t nent = 64;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		ASSERT_TRUE(cpuid);
		cpuid->nent = nent;
		if (!ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			return cpuid;
		if (errno != E2BIG || nent >= 4096) {
			TH_FAIL("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			exit(TH_EXIT_FAIL);
		}
		free(cpuid);
		nent *= 2;
	}
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function,
				    uint32_t index)
{
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

uint32_t *cpuid_entry_reg(struct kvm_cpuid_entry2 *e, enum cpuid_reg reg)
{
	switch (reg) {
	case EAX: return &e->eax;
	case EBX: return &e->ebx;
	case ECX: return &e->ecx;
	default: return &e->edx;
	}
}

uint32_t supported_cpuid_reg(struct vm *vm, uint32_t function, uint32_t index,
			     enum cpuid_reg reg)
{
	struct kvm_cpuid2 *cpuid = kvm_supported_cpuid(vm->sys_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(cpuid, function, index);
	uint32_t v = e ? *cpuid_entry_reg(e, reg) : 0;

	free(cpuid);
	return v;
}

void vcpu_set_supported_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *cpuid = kvm_supported_cpuid(vcpu->vm->sys_fd);

	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid));
	free(cpuid);
}

void vm_segment(uint16_t selector, struct kvm_segment *seg)
{
	memset(seg, 0, sizeof(*seg));
	seg->selector = selector;
	seg->present = 1;
	seg->s = 1;
	seg->limit = 0xffffffff;
	seg->g = 1;
	switch (selector) {
	case SEL_CODE32:
		seg->type = 11;		/* execute/read, accessed */
		seg->db = 1;
		break;
	case SEL_CODE64:
		seg->type = 11;
		seg->l = 1;
		break;
	case SEL_CODE16:
		seg->type = 11;
		seg->limit = 0xffff;
		seg->g = 0;
		break;
	case SEL_DATA16:
		seg->type = 3;		/* read/write, accessed */
		seg->limit = 0xffff;
		seg->g = 0;
		break;
	case SEL_TSS:
		seg->type = 11;		/* busy 32/64-bit TSS */
		seg->s = 0;
		seg->base = GUEST_TSS_GPA;
		seg->limit = TSS_LIMIT;
		seg->g = 0;
		break;
	default:			/* SEL_DATA */
		seg->type = 3;
		seg->db = 1;
		break;
	}
}

/* The 8-byte descriptor of seg (the low half of a 16-byte system one). */
static uint64_t descriptor(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffff) | (s->base & 0xffffff) << 16 |
	       (uint64_t)(s->type & 0xf) << 40 | (uint64_t)s->s << 44 |
	       (uint64_t)(s->dpl & 3) << 45 | (uint64_t)s->present << 47 |
	       ((limit >> 16) & 0xf) << 48 | (uint64_t)s->avl << 52 |
	       (uint64_t)s->l << 53 | (uint64_t)s->db << 54 |
	       (uint64_t)s->g << 55 | ((s->base >> 24) & 0xff) << 56;
}

static void write_gdt(struct vm *vm)
{
	static const uint16_t sels[] = {
		SEL_CODE32, SEL_DATA, SEL_CODE64, SEL_CODE16, SEL_DATA16, SEL_TSS,
	};
	uint64_t *gdt = vm_ptr(vm, GUEST_GDT_GPA);
	struct kvm_segment seg;
	size_t i;

	gdt[0] = 0;
	for (i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		vm_segment(sels[i], &seg);
		gdt[sels[i] / 8] = descriptor(&seg);
	}
	gdt[SEL_TSS / 8 + 1] = (uint64_t)GUEST_TSS_GPA >> 32;
}

void vm_write_idt(struct vm *vm, enum vm_mode mode, struct guest_code stubs)
{
	uint32_t *idt = vm_ptr(vm, GUEST_IDT_GPA);
	unsigned int v;

	memset(idt, 0, GUEST_PAGE_SIZE);
	for (v = 0; v < 256; v++) {
		uint64_t off = GUEST_STUBS_GPA + v * STUB_SIZE;

		if (mode == VM_MODE_LONG) {
			idt[v * 4 + 0] = (off & 0xffff) | SEL_CODE64 << 16;
			idt[v * 4 + 1] = (off & 0xffff0000) | 0x8e00;
			idt[v * 4 + 2] = off >> 32;
			idt[v * 4 + 3] = 0;
		} else {
			idt[v * 2 + 0] = (off & 0xffff) | SEL_CODE32 << 16;
			idt[v * 2 + 1] = (off & 0xffff0000) | 0x8e00;
		}
	}
	vm_load(vm, GUEST_STUBS_GPA, stubs);
}

/* Interrupt gates (type 0xe, present, DPL 0) to the stubs of guest/idt.S. */
static void write_idt(struct vm *vm, enum vm_mode mode)
{
	vm_write_idt(vm, mode,
		     mode == VM_MODE_LONG ? GUEST(guest_stubs64) : GUEST(guest_stubs32));
	memset(guest_exc(vm), 0, sizeof(struct guest_exc));
}

static uint64_t pt_alloc(struct vm *vm)
{
	uint64_t gpa;

	ASSERT_TRUE(vm->pt_used < GUEST_PT_PAGES);
	gpa = GUEST_PT_GPA + vm->pt_used++ * GUEST_PAGE_SIZE;
	memset(vm_ptr(vm, gpa), 0, GUEST_PAGE_SIZE);
	return gpa;
}

/*
 * Identity map of the first 4 GiB: PML4 -> PDPT -> 4 PDs of 2 MiB pages,
 * but the first 2 MiB through a page table of 4 KiB pages (tests edit those).
 */
static void write_identity_map(struct vm *vm)
{
	uint64_t pml4 = pt_alloc(vm), pdpt = pt_alloc(vm), pd[4], pt;
	uint64_t *e;
	int i, j;

	ASSERT_EQ(pml4, GUEST_PT_GPA);
	((uint64_t *)vm_ptr(vm, pml4))[0] = pdpt | PTE_P | PTE_W;
	for (i = 0; i < 4; i++) {
		pd[i] = pt_alloc(vm);
		((uint64_t *)vm_ptr(vm, pdpt))[i] = pd[i] | PTE_P | PTE_W;
		e = vm_ptr(vm, pd[i]);
		for (j = 0; j < 512; j++)
			e[j] = ((uint64_t)(i * 512 + j) << 21) | PTE_P | PTE_W | PTE_PS;
	}
	pt = pt_alloc(vm);
	e = vm_ptr(vm, pt);
	for (j = 0; j < 512; j++)
		e[j] = ((uint64_t)j << 12) | PTE_P | PTE_W;
	((uint64_t *)vm_ptr(vm, pd[0]))[0] = pt | PTE_P | PTE_W;
}

/* The entry for gva at the given level (3 = PML4 ... 0 = PT); may allocate. */
static uint64_t *walk(struct vm *vm, uint64_t gva, bool alloc)
{
	uint64_t table = GUEST_PT_GPA, *e = NULL;
	int level;

	for (level = 3; level >= 0; level--) {
		e = (uint64_t *)vm_ptr(vm, table) + ((gva >> (12 + 9 * level)) & 511);
		if (!level)
			break;
		if (!(*e & PTE_P)) {
			if (!alloc) {
				TH_FAIL("GVA %#llx is not mapped", (unsigned long long)gva);
				exit(TH_EXIT_FAIL);
			}
			*e = pt_alloc(vm) | PTE_P | PTE_W | PTE_U;
		}
		if (*e & PTE_PS) {
			TH_FAIL("GVA %#llx is in a large page", (unsigned long long)gva);
			exit(TH_EXIT_FAIL);
		}
		table = *e & PTE_ADDR_MASK;
	}
	return e;
}

void vm_map_page(struct vm *vm, uint64_t gva, uint64_t gpa, uint64_t pte_flags)
{
	ASSERT_TRUE(vm->tables_built);
	*walk(vm, gva, true) = (gpa & PTE_ADDR_MASK) | pte_flags;
}

uint64_t *vm_pte(struct vm *vm, uint64_t gva)
{
	ASSERT_TRUE(vm->tables_built);
	return walk(vm, gva, false);
}

struct guest_exc *guest_exc(struct vm *vm)
{
	return vm_ptr(vm, GUEST_EXC_GPA);
}

uint64_t *guest_report(struct vm *vm)
{
	return vm_ptr(vm, GUEST_REPORT_GPA);
}

static void build_tables(struct vm *vm)
{
	if (vm->tables_built)
		return;
	write_gdt(vm);
	memset(vm_ptr(vm, GUEST_TSS_GPA), 0, GUEST_PAGE_SIZE);
	write_identity_map(vm);
	vm->tables_built = true;
}

static void set_real(struct kvm_sregs *sregs)
{
	struct kvm_segment *segs[] = {
		&sregs->cs, &sregs->ds, &sregs->es, &sregs->fs, &sregs->gs, &sregs->ss,
	};
	size_t i;

	/* From the reset state (CS f000:fff0): all bases and selectors 0. */
	for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		segs[i]->selector = 0;
		segs[i]->base = 0;
	}
}

static void set_protected(struct vm *vm, struct kvm_sregs *sregs,
			  enum vm_mode mode, unsigned int flags)
{
	bool lm = mode == VM_MODE_LONG;

	vm_segment(lm ? SEL_CODE64 : SEL_CODE32, &sregs->cs);
	vm_segment(SEL_DATA, &sregs->ds);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	vm_segment(SEL_TSS, &sregs->tr);
	memset(&sregs->ldt, 0, sizeof(sregs->ldt));
	sregs->ldt.unusable = 1;
	sregs->gdt.base = GUEST_GDT_GPA;
	sregs->gdt.limit = GDT_LIMIT;
	if (flags & VM_NO_IDT) {
		sregs->idt.base = 0;
		sregs->idt.limit = 0;
	} else {
		write_idt(vm, mode);
		sregs->idt.base = GUEST_IDT_GPA;
		sregs->idt.limit = lm ? 256 * 16 - 1 : 256 * 8 - 1;
	}
	sregs->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE;
	sregs->cr4 = X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs->efer = 0;
	if (lm) {
		sregs->cr0 |= X86_CR0_PG | X86_CR0_WP;
		sregs->cr3 = GUEST_PT_GPA;
		sregs->cr4 |= X86_CR4_PAE;
		sregs->efer = EFER_LME | EFER_LMA;
	}
}

void vcpu_set_mode(struct vcpu *vcpu, enum vm_mode mode, unsigned int flags)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	build_tables(vcpu->vm);
	/* CPUID first: Linux 6.12 refuses EFER.LME/LMA the CPUID does not allow. */
	vcpu_set_supported_cpuid(vcpu);
	vcpu_sregs_get(vcpu, &sregs);
	if (mode == VM_MODE_REAL)
		set_real(&sregs);
	else
		set_protected(vcpu->vm, &sregs, mode, flags);
	vcpu_sregs_set(vcpu, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_CODE_GPA;
	regs.rsp = GUEST_STACK_TOP;
	regs.rflags = X86_EFLAGS_FIXED;
	vcpu_regs_set(vcpu, &regs);
}

struct vm *guest_new(enum vm_mode mode, struct guest_code code,
		     unsigned int flags, struct vcpu **vcpu)
{
	struct vm *vm = vm_new();

	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	ASSERT_TRUE(GUEST_SIZE(code) <= GUEST_CODE_MAX);
	vm_load(vm, GUEST_CODE_GPA, code);
	*vcpu = vcpu_new(vm, 0);
	vcpu_set_mode(*vcpu, mode, flags);
	return vm;
}
