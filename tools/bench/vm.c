// SPDX-License-Identifier: GPL-2.0-only
/*
 * The raw KVM API, the way every client drives it: KVM_CREATE_VM, one
 * anonymous memslot at GPA 0, one vCPU with the supported CPUID (set before
 * the segment state, as QEMU does: Linux 6.12 checks EFER against it), flat
 * 32-bit protected mode or 64-bit long mode. Any failure ends the benchmark
 * with the ioctl's name and errno; any unexpected exit with the exit and its
 * fields.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvmbench.h"

#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_ET	(1ULL << 4)
#define X86_CR0_PG	(1ULL << 31)
#define X86_CR4_PAE	(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define RFLAGS_FIXED	0x2ULL
/* Where QEMU puts the TSS pages: below 4 GiB, out of the benchmark's way. */
#define TSS_ADDR	0xfffbd000UL

const struct guest_mode guest_modes[] = {
	{ "flat32", false, bench_guest_out_32, bench_guest_cpuid_32,
	  bench_guest_vmmcall_32, bench_guest_vmcall_32, bench_guest_touch_32 },
	{ "long64", true, bench_guest_out_64, bench_guest_cpuid_64,
	  bench_guest_vmmcall_64, bench_guest_vmcall_64, bench_guest_touch_64 },
};
const unsigned int nr_guest_modes = ARRAY_SIZE(guest_modes);

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Intel hosts intercept VMCALL, AMD hosts VMMCALL (the other one is a #UD). */
bool host_is_intel(void)
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid(0, eax, ebx, ecx, edx);
	return ebx == 0x756e6547 && edx == 0x49656e69 && ecx == 0x6c65746e;
}

static struct kvm_cpuid2 *supported_cpuid(int sys_fd)
{
	struct kvm_cpuid2 *cpuid;
	uint32_t nent;

	for (nent = 64; nent <= 4096; nent *= 2) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			bench_die("out of memory");
		cpuid->nent = nent;
		if (!ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			return cpuid;
		if (errno != E2BIG)
			bench_die("KVM_GET_SUPPORTED_CPUID failed: %s (errno %d)",
				  strerror(errno), errno);
		free(cpuid);
	}
	bench_die("KVM_GET_SUPPORTED_CPUID: E2BIG even with 4096 entries");
}

static void flat_segment(struct kvm_segment *s, uint16_t selector, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/*
 * long64: the first GiB identity-mapped with 2-MiB pages (PML4, PDPT, one PD
 * at GUEST_PT_GPA), so that the guest's own walks stay cheap and cached and
 * first_touch still faults in nested paging once per 4-KiB host page.
 */
static void long_mode_map(struct bench_vm *vm)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + GUEST_PT_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
	unsigned int i;

	pml4[0] = (GUEST_PT_GPA + 0x1000) | PTE_P | PTE_W;
	pdpt[0] = (GUEST_PT_GPA + 0x2000) | PTE_P | PTE_W;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
}

static void vm_create_in(struct bench_vm *vm, int sys_fd, size_t mem_size,
			 const struct guest_mode *m);

void vm_create(struct bench_vm *vm, int sys_fd, size_t mem_size)
{
	vm_create_in(vm, sys_fd, mem_size, mode);
}

/*
 * The paging benchmarks' tables (kvmbench.h): root A is long_mode_map()'s
 * with PDPT entry 1 -> BENCH_PD_GPA -> BENCH_PT_GPA, whose entry 0 the guest
 * rewrites; root B shares A's first PD and maps BENCH_VA to data page 2.
 */
void vm_create_paging(struct bench_vm *vm, int sys_fd)
{
	uint64_t *pdpt_a, *b;

	vm_create_in(vm, sys_fd, GUEST_BASE_SIZE, &guest_modes[1]);
	pdpt_a = (uint64_t *)(vm->mem + GUEST_PT_GPA + 0x1000);
	pdpt_a[1] = BENCH_PD_GPA | PTE_P | PTE_W;
	*(uint64_t *)(vm->mem + BENCH_PD_GPA) = BENCH_PT_GPA | PTE_P | PTE_W;
	*(uint64_t *)(vm->mem + BENCH_PT_GPA) = BENCH_DATA_GPA | PTE_P | PTE_W;

	b = (uint64_t *)(vm->mem + BENCH_ROOT_B);	/* PML4, PDPT, PD, PT */
	b[0] = (BENCH_ROOT_B + 0x1000) | PTE_P | PTE_W;
	b[512 + 0] = pdpt_a[0];
	b[512 + 1] = (BENCH_ROOT_B + 0x2000) | PTE_P | PTE_W;
	b[1024] = (BENCH_ROOT_B + 0x3000) | PTE_P | PTE_W;
	b[1536] = (BENCH_DATA_GPA + 0x2000) | PTE_P | PTE_W;
}

/* The VM, its TSS pages and one memslot at GPA 0 holding the guest code. */
static void vm_open(struct bench_vm *vm, int sys_fd, size_t mem_size)
{
	struct kvm_userspace_memory_region region;

	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = sys_fd;
	vm->vm_fd = IOCTL(sys_fd, KVM_CREATE_VM, 0);
	IOCTL(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR);

	/*
	 * Anonymous memory that the host touches only in its first MiB (code,
	 * page tables).
	 * No transparent huge pages: Debian's kernels default to THP "always",
	 * which would back the slot with 2-MiB pages and turn first_touch's 16384
	 * faults into 32; the benchmark measures the 4-KiB fault path.
	 */
	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		bench_die("mmap of %zu bytes failed: %s", mem_size, strerror(errno));
	if (madvise(vm->mem, mem_size, MADV_NOHUGEPAGE))
		bench_die("madvise(MADV_NOHUGEPAGE) failed: %s", strerror(errno));
	memcpy(vm->mem + GUEST_CODE_GPA, bench_guest_start,
	       bench_guest_end - bench_guest_start);

	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

/* vCPU id of vm, with its kvm_run, the supported CPUID and segment state. */
static void vcpu_open(struct bench_vm *vm, unsigned int id, const struct guest_mode *m)
{
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	uint32_t i;
	int size;

	vm->ran = false;
	vm->vcpu_id = id;
	vm->vcpu_fd = IOCTL(vm->vm_fd, KVM_CREATE_VCPU, id);
	size = IOCTL(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->run_size = size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		bench_die("mmap of the vCPU's kvm_run (%zu bytes) failed: %s",
			  vm->run_size, strerror(errno));

	cpuid = supported_cpuid(vm->sys_fd);
	IOCTL(vm->vcpu_fd, KVM_SET_CPUID2, cpuid);
	for (i = 0; i < cpuid->nent; i++) {
		if (cpuid->entries[i].function == 0)
			vm->cpuid0_eax = cpuid->entries[i].eax;
		if (cpuid->entries[i].function == 1)
			vm->cpuid1_ecx = cpuid->entries[i].ecx;
	}
	free(cpuid);

	/* Flat 4-GiB code and data segments; CR0.PE (caches on), no paging... */
	IOCTL(vm->vcpu_fd, KVM_GET_SREGS, &sregs);
	flat_segment(&sregs.cs, 0x08, 11);	/* execute/read, accessed */
	flat_segment(&sregs.ds, 0x10, 3);	/* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs.cr4 = 0;
	sregs.efer = 0;
	/* ...or long mode: 64-bit code segment and the identity map. */
	if (m->long_mode) {
		long_mode_map(vm);
		sregs.cs.l = 1;
		sregs.cs.db = 0;
		sregs.cr0 |= X86_CR0_PG;
		sregs.cr3 = GUEST_PT_GPA;
		sregs.cr4 = X86_CR4_PAE;
		sregs.efer = EFER_LME | EFER_LMA;
	}
	IOCTL(vm->vcpu_fd, KVM_SET_SREGS, &sregs);
}

static void vm_create_in(struct bench_vm *vm, int sys_fd, size_t mem_size,
			 const struct guest_mode *m)
{
	vm_open(vm, sys_fd, mem_size);
	vcpu_open(vm, 0, m);
}

void vm_destroy(struct bench_vm *vm)
{
	vcpu_remove(vm);
	close(vm->vm_fd);
	munmap(vm->mem, vm->mem_size);
}

/*
 * An I/O exit's instruction completes (RIP moves past it) in the next KVM_RUN.
 * Complete it now, with immediate_exit, before setting a new RIP, as api.rst
 * advises: otherwise the result depends on whether the hypervisor notices
 * that RIP moved meanwhile (KVM does; not every hypervisor has).
 */
static void vcpu_complete_exit(struct bench_vm *vm)
{
	int r;

	vm->run->immediate_exit = 1;
	r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	vm->run->immediate_exit = 0;
	if (r == 0 || errno != EINTR)
		bench_die("KVM_RUN with immediate_exit to complete the last exit: "
			  "want -1/EINTR, got %d (%s)", r, r ? strerror(errno) : "no error");
}

void vcpu_start(struct bench_vm *vm, uint64_t rip, uint32_t esi, uint32_t edi)
{
	vcpu_start_stack(vm, rip, esi, edi, 0);
}

void vcpu_start_stack(struct bench_vm *vm, uint64_t rip, uint32_t esi, uint32_t edi,
		      uint64_t rsp)
{
	struct kvm_regs regs = {
		.rip = rip,
		.rsi = esi,
		.rdi = edi,
		.rsp = rsp,
		.rflags = RFLAGS_FIXED,
	};

	if (vm->ran)
		vcpu_complete_exit(vm);
	IOCTL(vm->vcpu_fd, KVM_SET_REGS, &regs);
}

void vcpu_run(struct bench_vm *vm)
{
	vm->ran = true;
	if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0)
		bench_die("KVM_RUN failed: %s (errno %d); exit_reason %u",
			  strerror(errno), errno, vm->run->exit_reason);
}

void vcpu_get_regs(struct bench_vm *vm, struct kvm_regs *regs)
{
	IOCTL(vm->vcpu_fd, KVM_GET_REGS, regs);
}

void vcpu_set_regs(struct bench_vm *vm, const struct kvm_regs *regs)
{
	IOCTL(vm->vcpu_fd, KVM_SET_REGS, regs);
}

/* An OUT of one 32-bit value to port (the only I/O our guest does). */
bool exit_is_out(const struct kvm_run *run, uint16_t port, uint32_t *value)
{
	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.port != port || run->io.size != 4 || run->io.count != 1)
		return false;
	memcpy(value, (const uint8_t *)run + run->io.data_offset, 4);
	return true;
}

int vm_check_cap(struct bench_vm *vm, long cap)
{
	int r = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

/*
 * The GDT that the selectors of vcpu_open() name (SDM vol 3A 3.4.5 Segment
 * Descriptors): interrupt delivery loads CS from it, and IRET loads CS (and
 * in 64-bit mode SS) again. Flat 4-GiB, accessed; the code segment is
 * 64-bit (L=1, D=0) in long mode.
 */
static void guest_gdt(struct bench_vm *vm, bool long_mode)
{
	uint64_t *gdt = (uint64_t *)(vm->mem + IRQ_GDT_GPA);

	gdt[0] = 0;
	gdt[1] = long_mode ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL;
	gdt[2] = 0x00cf93000000ffffULL;
}

/* Loads the GDT and the (empty until vm_set_gate()) IDT into the vCPU. */
static void vcpu_load_tables(struct bench_vm *vm)
{
	struct kvm_sregs sregs;

	guest_gdt(vm, mode->long_mode);
	IOCTL(vm->vcpu_fd, KVM_GET_SREGS, &sregs);
	sregs.gdt.base = IRQ_GDT_GPA;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.idt.base = IRQ_IDT_GPA(vm->vcpu_id);
	sregs.idt.limit = 256 * (mode->long_mode ? 16 : 8) - 1;
	IOCTL(vm->vcpu_fd, KVM_SET_SREGS, &sregs);
}

/*
 * An interrupt gate, DPL 0, present, CS 0x08 (SDM vol 3A 6.11 IDT
 * Descriptors, 6.14.1 64-Bit Mode IDT): 8 bytes in protected mode, 16 in
 * long mode. A vector without a gate is not present: its delivery raises
 * #NP, then #DF, then shuts the vCPU down, and kvmbench reports the exit.
 */
void vm_set_gate(struct bench_vm *vm, uint8_t vector, uint64_t handler)
{
	uint64_t lo = (handler & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
		      ((handler >> 16 & 0xffff) << 48);
	uint64_t *idt = (uint64_t *)(vm->mem + IRQ_IDT_GPA(vm->vcpu_id));

	if (mode->long_mode) {
		idt[vector * 2] = lo;
		idt[vector * 2 + 1] = handler >> 32;
	} else {
		idt[vector] = lo;
	}
}

void vm_create_irq(struct bench_vm *vm, int sys_fd)
{
	vm_open(vm, sys_fd, GUEST_BASE_SIZE);
	/* KVM wants the irqchip before any vCPU (api.rst, KVM_CREATE_IRQCHIP). */
	if (!vm_check_cap(vm, KVM_CAP_IRQCHIP))
		bench_die("skipped: no KVM_CAP_IRQCHIP (no in-kernel LAPIC)");
	IOCTL(vm->vm_fd, KVM_CREATE_IRQCHIP, 0);
	vcpu_open(vm, 0, mode);
	vcpu_load_tables(vm);
}

/*
 * With an in-kernel LAPIC, KVM creates every vCPU but the BSP waiting for
 * INIT and SIPI (KVM_MP_STATE_UNINITIALIZED, as an AP after reset: SDM vol 3A
 * 8.4 MP Initialization); the benchmark's second vCPU starts runnable.
 */
void vcpu_add(const struct bench_vm *vm, struct bench_vm *vcpu, unsigned int id)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	*vcpu = *vm;
	vcpu_open(vcpu, id, mode);
	vcpu_load_tables(vcpu);
	IOCTL(vcpu->vcpu_fd, KVM_SET_MP_STATE, &mp);
}

void vcpu_remove(struct bench_vm *vcpu)
{
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->vcpu_fd);
}
