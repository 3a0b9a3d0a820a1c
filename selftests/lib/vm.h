/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest library: VMs with memory, vCPUs with their kvm_run, running them,
 * checking their exits, and putting a vCPU in real, 32-bit protected or 64-bit
 * long mode with guest code loaded. Every helper fails the test (and ends it)
 * when an ioctl it relies on fails; tests that check an ioctl's own errno call
 * ioctl() themselves. Guest memory layout and guest-code conventions:
 * guest/layout.h, guest/guest.h and selftests/README.md.
 *
 *   lib/vm.c       VMs, memslots, vCPUs, register access, KVM_RUN
 *   lib/vm_exit.c  exit names, exit descriptions, exit assertions
 *   lib/vm_mode.c  CPUID, GDT/TSS/IDT, page tables, mode setup, guest_new()
 */
#ifndef MINIVIRT_SELFTEST_VM_H
#define MINIVIRT_SELFTEST_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "../guest/layout.h"
#include "x86.h"

#define VM_MAX_SLOTS	8

struct vm_slot {
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct vm {
	int sys_fd;
	int fd;
	struct vm_slot slots[VM_MAX_SLOTS];
	int nr_slots;
	unsigned int pt_used;	/* pages taken from the page-table pool */
	bool tables_built;	/* GDT, TSS, IDT, stubs, identity map written */
};

struct vcpu {
	struct vm *vm;
	int fd;
	unsigned long id;
	struct kvm_run *run;
	long run_size;
};

/* A guest-code blob from guest/ *.S: bytes between NAME_start and NAME_end. */
struct guest_code {
	const uint8_t *start;
	const uint8_t *end;
};

#define DECLARE_GUEST(name)						\
	extern const uint8_t name##_start[], name##_end[]
#define GUEST(name)	((struct guest_code){ name##_start, name##_end })
#define GUEST_SIZE(c)	((size_t)((c).end - (c).start))
/* A label exported by GUEST_LABEL(name, label), as an address in the guest. */
#define DECLARE_GUEST_LABEL(name, label)				\
	extern const uint8_t name##_##label[]
#define GUEST_ADDR(name, label)						\
	(GUEST_CODE_GPA + (uint64_t)(name##_##label - name##_start))

enum vm_mode {
	VM_MODE_REAL,		/* CS = DS = ... = 0, IVT at 0 (the reset one) */
	VM_MODE_PROT32,		/* flat 4 GiB segments, no paging */
	VM_MODE_LONG,		/* 64-bit, 4-level identity map of 4 GiB */
};

/* vcpu_set_mode()/guest_new() flags. */
#define VM_NO_IDT	(1U << 0)	/* IDT limit 0: any exception shuts down */

/*
 * The exception record the stubs (guest/idt.S) fill, at GUEST_EXC_GPA. A
 * guest expecting an exception stores the address to resume at in fixup.
 */
struct guest_exc {
	uint64_t vector;
	uint64_t error;
	uint64_t rip;		/* return address the CPU pushed */
	uint64_t count;		/* exceptions and interrupts taken */
	uint64_t fixup;
};

/* --- VMs, memory, vCPUs (lib/vm.c) --- */

/* Opens th_dev and creates a VM (type 0) without memory or vCPUs. */
struct vm *vm_new(void);
/* Anonymous memory of size bytes at gpa as memslot slot; returns its host address. */
uint8_t *vm_mem_add(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		    uint32_t flags);
/* Host address of guest-physical gpa; fails the test if no memslot has it. */
void *vm_ptr(struct vm *vm, uint64_t gpa);
/* Copies guest code to gpa. */
void vm_load(struct vm *vm, uint64_t gpa, struct guest_code code);

/* KVM_CREATE_VCPU and the mmap of its kvm_run (KVM_GET_VCPU_MMAP_SIZE bytes). */
struct vcpu *vcpu_new(struct vm *vm, unsigned long id);

/*
 * Closes vcpu (if not NULL; the VM's only one) and the VM, and unmaps their
 * memory: once its last fd is closed the hypervisor destroys the VM.
 */
void vm_close(struct vm *vm, struct vcpu *vcpu);

void vcpu_regs_get(struct vcpu *vcpu, struct kvm_regs *regs);
void vcpu_regs_set(struct vcpu *vcpu, const struct kvm_regs *regs);
void vcpu_sregs_get(struct vcpu *vcpu, struct kvm_sregs *sregs);
void vcpu_sregs_set(struct vcpu *vcpu, const struct kvm_sregs *sregs);
uint64_t vcpu_rip(struct vcpu *vcpu);
/* One MSR through KVM_GET_MSRS/KVM_SET_MSRS. */
uint64_t vcpu_msr_get(struct vcpu *vcpu, uint32_t index);
void vcpu_msr_set(struct vcpu *vcpu, uint32_t index, uint64_t value);

/* KVM_RUN; fails the test if the ioctl fails. */
void vcpu_run(struct vcpu *vcpu);
/* KVM_RUN; returns 0 or the errno. */
int vcpu_run_errno(struct vcpu *vcpu);
/*
 * Completes the pending I/O or MMIO instruction and returns without running
 * the guest further (KVM_RUN with immediate_exit, api.rst): true when the
 * instruction is complete (KVM_RUN said -EINTR; now registers and RIP show
 * its result), false when completing it made another exit (the write half of
 * a read-modify-write, the next batch of a string I/O), now in vcpu->run.
 * Needs KVM_CAP_IMMEDIATE_EXIT.
 */
bool vcpu_complete_io(struct vcpu *vcpu);

/*
 * Copies code to GUEST_CODE_GPA followed by a HLT and points RIP at it;
 * returns the address right after code (where the HLT is).
 */
uint64_t vcpu_load_insn(struct vcpu *vcpu, struct guest_code code);

/* --- Exits (lib/vm_exit.c) --- */

/* "KVM_EXIT_HLT" for KVM_EXIT_HLT; "exit 1234" (static buffer) if unknown. */
const char *exit_reason_name(uint32_t reason);
/* Logs the exit in vcpu->run with its fields and RIP, as # lines. */
void vcpu_log_exit(struct vcpu *vcpu);

/* The value of an IO exit's data (count 1, size bytes, little endian). */
uint64_t vcpu_io_value(struct vcpu *vcpu);
/* The IO exit's data area in the kvm_run mapping (data_offset). */
void *vcpu_io_data(struct vcpu *vcpu);
/* The data of an MMIO write exit, len bytes as a little-endian value. */
uint64_t vcpu_mmio_value(struct vcpu *vcpu);
/* Supplies the data of an MMIO read exit (len bytes of value). */
void vcpu_mmio_reply(struct vcpu *vcpu, uint64_t value);

void vcpu_assert_exit(struct vcpu *vcpu, uint32_t reason,
		      const char *file, int line);
void vcpu_assert_io(struct vcpu *vcpu, uint8_t dir, uint8_t size,
		    uint16_t port, uint32_t count, const char *file, int line);
void vcpu_assert_mmio(struct vcpu *vcpu, uint64_t gpa, uint32_t len,
		      bool is_write, const char *file, int line);
void vcpu_run_to_hlt_at(struct vcpu *vcpu, const char *file, int line);

uint32_t vcpu_run_to_report_at(struct vcpu *vcpu, const char *file, int line);

/* The last exit was reason (by name in the log if not); ends the test if not. */
#define ASSERT_EXIT(vcpu, reason)					\
	vcpu_assert_exit(vcpu, reason, __FILE__, __LINE__)
/* The last exit was KVM_EXIT_IO with these fields. */
#define ASSERT_IO(vcpu, dir, size, port, count)				\
	vcpu_assert_io(vcpu, dir, size, port, count, __FILE__, __LINE__)
/* The last exit was KVM_EXIT_MMIO with these fields. */
#define ASSERT_MMIO(vcpu, gpa, len, is_write)				\
	vcpu_assert_mmio(vcpu, gpa, len, is_write, __FILE__, __LINE__)
/*
 * Runs until the guest halts: a KVM_EXIT_HLT. A failed guest check
 * (GUEST_PORT_FAIL), an unexpected guest exception (GUEST_PORT_EXC) or any
 * other exit fails the test, named.
 */
#define vcpu_run_to_hlt(vcpu)	vcpu_run_to_hlt_at(vcpu, __FILE__, __LINE__)
/* Runs until the guest reports a value (GUEST_REPORT_EAX); returns it. */
#define vcpu_run_to_report(vcpu)					\
	vcpu_run_to_report_at(vcpu, __FILE__, __LINE__)

/* --- Modes (lib/vm_mode.c) --- */

/* The host CPU's vendor (CPUID leaf 0): "AuthenticAMD"? Else Intel. */
bool host_is_amd(void);

/*
 * KVM_EXIT_FAIL_ENTRY's hardware_entry_failure_reason for invalid guest
 * state. SVM: VMEXIT_INVALID (APM vol 2 15.5.1 "VMRUN": EXITCODE -1), as
 * KVM reports it, the low 32 bits. VMX: exit reason 33 with bit 31 (failed
 * VM entry, SDM vol 3C 27.8).
 */
#define SVM_EXIT_ERR		0xffffffffULL
#define VMX_EXIT_FAIL_GUEST	0x80000021ULL
#define HOST_EXIT_FAIL_GUEST	(host_is_amd() ? SVM_EXIT_ERR : VMX_EXIT_FAIL_GUEST)

/* KVM_GET_SUPPORTED_CPUID on sys_fd (grows the buffer on E2BIG); free() it. */
struct kvm_cpuid2 *kvm_supported_cpuid(int sys_fd);
/* The entry for (function, index), or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function,
				    uint32_t index);
/* An entry's output registers, in CPUID's order. */
enum cpuid_reg { EAX, EBX, ECX, EDX };
uint32_t *cpuid_entry_reg(struct kvm_cpuid_entry2 *e, enum cpuid_reg reg);
/* Register reg of the supported CPUID's (function, index) entry; 0 if none. */
uint32_t supported_cpuid_reg(struct vm *vm, uint32_t function, uint32_t index,
			     enum cpuid_reg reg);
/* KVM_SET_CPUID2 with KVM_GET_SUPPORTED_CPUID's table. */
void vcpu_set_supported_cpuid(struct vcpu *vcpu);

/*
 * Puts the vCPU in mode: the supported CPUID first (6.12 refuses long-mode
 * EFER otherwise), then segments, control registers, EFER, GDT, TSS and (but
 * in real mode or with VM_NO_IDT) an IDT whose gates lead to the stubs of
 * guest/idt.S; RIP = GUEST_CODE_GPA, RSP = GUEST_STACK_TOP, RFLAGS = 0x2.
 * Writes the descriptor tables and page tables in slot 0's memory (needs
 * GUEST_MEM_SIZE at GPA 0) the first time.
 */
void vcpu_set_mode(struct vcpu *vcpu, enum vm_mode mode, unsigned int flags);
/*
 * An IDT at GUEST_IDT_GPA of 256 interrupt gates (DPL 0, mode's format) to
 * 16-byte stubs, one per vector, copied to GUEST_STUBS_GPA from stubs.
 */
void vm_write_idt(struct vm *vm, enum vm_mode mode, struct guest_code stubs);
/* The descriptor the GDT holds at selector (SEL_*), as a struct kvm_segment. */
void vm_segment(uint16_t selector, struct kvm_segment *seg);

/*
 * A standard guest: VM, GUEST_MEM_SIZE of memory at GPA 0 (slot 0), code
 * loaded at GUEST_CODE_GPA, vCPU 0 in mode. Returns the VM and the vCPU.
 */
struct vm *guest_new(enum vm_mode mode, struct guest_code code,
		     unsigned int flags, struct vcpu **vcpu);

/* Long mode: maps the 4 KiB page at gva to gpa with pte_flags (PTE_P...). */
void vm_map_page(struct vm *vm, uint64_t gva, uint64_t gpa, uint64_t pte_flags);
/* Long mode: the 4 KiB page-table entry for gva (host pointer), to edit. */
uint64_t *vm_pte(struct vm *vm, uint64_t gva);

/* The exception record and the report page (GUEST_REPORT_GPA). */
struct guest_exc *guest_exc(struct vm *vm);
uint64_t *guest_report(struct vm *vm);

#endif /* MINIVIRT_SELFTEST_VM_H */
