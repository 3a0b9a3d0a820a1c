/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmbench: exit-path and fault-path benchmarks on the raw KVM API, the same
 * binary against /dev/minivirt and /dev/kvm. See README.md.
 */
#ifndef KVMBENCH_H
#define KVMBENCH_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#define MAX_REPS	15
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Guest-physical layout: the first MiB holds code and page tables. */
#define GUEST_CODE_GPA	0x1000ULL
#define GUEST_PT_GPA	0x10000ULL	/* long64: PML4, PDPT, PD */
#define GUEST_BASE_SIZE	(1ULL << 20)
/*
 * Paging benchmarks (always 64-bit code on 4-level paging): BENCH_VA (PDPT
 * entry 1) maps one of two data pages through BENCH_PT_GPA's first entry
 * (root A: GUEST_PT_GPA); root B (BENCH_ROOT_B) shares the identity map
 * and maps BENCH_VA to the third data page. Keep in step with guest.S.
 */
#define BENCH_VA	0x40000000ULL
#define BENCH_PD_GPA	0x13000ULL
#define BENCH_PT_GPA	0x14000ULL
#define BENCH_ROOT_B	0x15000ULL	/* PML4, then PDPT, PD, PT */
#define BENCH_DATA_GPA	0x20000ULL	/* 3 pages */
#define PORT_BENCH	0x500		/* one OUT per round trip */
#define PORT_DONE	0x501		/* the guest's "finished" report */
/*
 * Interrupt benchmarks (irq.c): a GDT (null, code 0x08, data 0x10: the
 * selectors vm.c loads; interrupt delivery and IRET load CS, and in 64-bit
 * mode SS, from it), an IDT per vCPU with gates for the vectors that vCPU
 * should get only, a stack per vCPU, and a page of words that the guests
 * and the host share. Keep in step with guest.S.
 */
#define IRQ_GDT_GPA		0x30000ULL
#define IRQ_IDT_GPA(id)		(0x31000ULL + (id) * 0x1000ULL)	/* 2 vCPUs */
#define IRQ_SHARED_GPA		0x33000ULL
#define IRQ_STACK_TOP(id)	(0x35000ULL + (id) * 0x1000ULL)
#define SH_READY	0x00	/* u32: the guest's LAPIC is on, IF can be set */
#define SH_FLAG		0x04	/* u32: the timer's sample is taken */
#define SH_COUNT	0x08	/* u32: vCPU 0's handler runs (timer: samples) */
#define SH_COUNT_B	0x0c	/* u32: vCPU 1's handler runs */
#define SH_T0		0x10	/* u32: TSC (low half) when the timer was armed */
#define SH_SUM		0x18	/* u64: sum of the timer's arm-to-handler TSC deltas */
#define SH_MIN		0x20	/* u32: the smallest of them */
#define SH_SEQ		0x24	/* u32: the sender's sequence number */
#define SH_ECHO		0x28	/* u32: the receiving handler's copy of it */
#define SH_DUP		0x2c	/* u32: timer handler runs with no new expiry */
#define SH_HLTFIX	0x30	/* u32: interrupts taken in STI's shadow (guest.S) */
#define VEC_PING	0x40	/* vCPU 0 -> vCPU 1 */
#define VEC_PONG	0x41	/* vCPU 1 -> vCPU 0 */
#define VEC_STOP	0x42	/* vCPU 0 -> vCPU 1: report and stop */
#define VEC_TIMER	0x43	/* LVT timer */
#define VEC_IRQFD	0x44	/* the irqfd's MSI */
#define VEC_SPURIOUS	0xff	/* SVR's spurious vector */

/* One open VM with one vCPU and one memslot at GPA 0. */
struct bench_vm {
	int sys_fd;
	int vm_fd;
	int vcpu_fd;
	unsigned int vcpu_id;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	size_t mem_size;
	uint32_t cpuid0_eax;	/* the guest's CPUID leaf 0 EAX, as set */
	uint32_t cpuid1_ecx;	/* and leaf 1 ECX (bit 21: x2APIC) */
	bool ran;		/* KVM_RUN was called: an exit may be pending */
};

/* A benchmark: fills ns[0..reps) with ns per operation; returns ops per rep. */
struct bench {
	const char *name;
	const char *unit;
	unsigned int (*fn)(int sys_fd, unsigned int reps, double *ns);
};

extern const struct bench benchmarks[];
extern const unsigned int nr_benchmarks;

/* What a benchmark's child process hands back: samples, or why it failed. */
struct result {
	int ok;
	unsigned int ops;
	double ns[MAX_REPS];
	char err[480];
};

/* report.c */
void json_string(const char *s);
void report_text(const struct bench *b, const struct result *r, unsigned int reps);
void report_json(const struct bench *b, const struct result *r, unsigned int reps,
		 bool first);

/* main.c: the failing benchmark's one-line reason; never returns. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* An ioctl that must succeed, or the benchmark fails; yields its result. */
#define IOCTL(fd, req, arg) ({						\
	int __r = ioctl(fd, req, arg);					\
	if (__r < 0)							\
		bench_die(#req " failed: %s (errno %d)", strerror(errno), errno); \
	__r;								\
})

/* vm.c */
void vm_create(struct bench_vm *vm, int sys_fd, size_t mem_size);
/* A VM in long64 whatever the mode, with the paging benchmarks' tables. */
void vm_create_paging(struct bench_vm *vm, int sys_fd);
void vm_destroy(struct bench_vm *vm);
/* A VM with KVM_CREATE_IRQCHIP and vCPU 0, both with the GDT and IDT loaded. */
void vm_create_irq(struct bench_vm *vm, int sys_fd);
/* Another vCPU of vm's VM, as a bench_vm of its own sharing fds and memory. */
void vcpu_add(const struct bench_vm *vm, struct bench_vm *vcpu, unsigned int id);
void vcpu_remove(struct bench_vm *vcpu);
/* An interrupt gate for vector in the guest's IDT, for the current mode. */
void vm_set_gate(struct bench_vm *vm, uint8_t vector, uint64_t handler);
/* KVM_CHECK_EXTENSION on the VM: its value, 0 if absent. */
int vm_check_cap(struct bench_vm *vm, long cap);
void vcpu_start(struct bench_vm *vm, uint64_t rip, uint32_t esi, uint32_t edi);
/* vcpu_start() with a stack: RSP = rsp. */
void vcpu_start_stack(struct bench_vm *vm, uint64_t rip, uint32_t esi, uint32_t edi,
		      uint64_t rsp);
void vcpu_run(struct bench_vm *vm);
void vcpu_get_regs(struct bench_vm *vm, struct kvm_regs *regs);
void vcpu_set_regs(struct bench_vm *vm, const struct kvm_regs *regs);
bool exit_is_out(const struct kvm_run *run, uint16_t port, uint32_t *value);
void die_unexpected(struct bench_vm *vm, const char *expected) __attribute__((noreturn));
/* bench_die() with the exit's fields and the vCPU's registers appended. */
void die_state(struct bench_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
uint64_t now_ns(void);
bool host_is_intel(void);

/* guest.S: one blob, each guest assembled for both modes. */
extern const uint8_t bench_guest_start[], bench_guest_end[];
extern const uint8_t bench_guest_out_32[], bench_guest_cpuid_32[],
	bench_guest_vmmcall_32[], bench_guest_vmcall_32[], bench_guest_touch_32[];
extern const uint8_t bench_guest_out_64[], bench_guest_cpuid_64[],
	bench_guest_vmmcall_64[], bench_guest_vmcall_64[], bench_guest_touch_64[];
extern const uint8_t bench_guest_pte_invlpg_64[], bench_guest_pte_cr3_64[],
	bench_guest_cr3_switch_64[];

/* The guest's mode and where its entry points land in guest memory. */
struct guest_mode {
	const char *name;
	bool long_mode;
	const uint8_t *out, *cpuid, *vmmcall, *vmcall, *touch;
};

/* vm.c: the modes; main.c: the one every benchmark uses (--mode). */
extern const struct guest_mode guest_modes[];
extern const unsigned int nr_guest_modes;
extern const struct guest_mode *mode;

/* Where entry point sym lands once the blob is at GUEST_CODE_GPA. */
#define GUEST_ENTRY(sym)	(GUEST_CODE_GPA + (uint64_t)((sym) - bench_guest_start))

/* irq.c: the interrupt benchmarks, rows of benchmarks.c's table. */
unsigned int ipi_roundtrip(int sys_fd, unsigned int reps, double *ns);
unsigned int lapic_timer_irq(int sys_fd, unsigned int reps, double *ns);
unsigned int irqfd_to_handler(int sys_fd, unsigned int reps, double *ns);

#endif /* KVMBENCH_H */
