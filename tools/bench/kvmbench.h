/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmbench: exit-path and fault-path benchmarks on the raw KVM API, the same
 * binary against /dev/minivirt and /dev/kvm. See README.md.
 */
#ifndef KVMBENCH_H
#define KVMBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* One open VM with one vCPU and one memslot at GPA 0. */
struct bench_vm {
	int sys_fd;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	size_t mem_size;
	uint32_t cpuid0_eax;	/* the guest's CPUID leaf 0 EAX, as set */
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

/* vm.c */
void vm_create(struct bench_vm *vm, int sys_fd, size_t mem_size);
/* A VM in long64 whatever the mode, with the paging benchmarks' tables. */
void vm_create_paging(struct bench_vm *vm, int sys_fd);
void vm_destroy(struct bench_vm *vm);
void vcpu_start(struct bench_vm *vm, uint64_t rip, uint32_t esi, uint32_t edi);
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

#endif /* KVMBENCH_H */
