// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmarks. Each runs in its own process (main.c), creates its own VM,
 * and checks what the guest reports, so a hypervisor that is fast because it
 * is wrong fails instead of winning. Operation counts keep each benchmark to
 * a few seconds in the emulated host, where one exit costs tens of us.
 */
#include <string.h>
#include <linux/kvm_para.h>

#include "kvmbench.h"

#define OUT_N		2000	/* OUTs per rep, plus the final report */
#define INKERNEL_N	5000	/* CPUIDs or VMMCALLs per rep, one KVM_RUN */
#define TOUCH_PAGES	16384	/* 64 MiB of 4-KiB pages, never touched before */
#define HYPERCALL_NR	0x12345	/* implemented by no one: -KVM_ENOSYS */
#define PAGING_N	2000	/* iterations of a paging loop per rep */

/*
 * out_roundtrip: every OUT is a KVM_EXIT_IO that the host answers by calling
 * KVM_RUN again. ns/op is the whole loop over its OUT_N + 1 round trips
 * (the last one is the guest's done report). One untimed rep warms up.
 */
static unsigned int out_roundtrip(int sys_fd, unsigned int reps, double *ns)
{
	struct bench_vm vm;
	uint32_t expect, v;
	uint64_t t0;
	int rep;

	vm_create(&vm, sys_fd, GUEST_BASE_SIZE);
	for (rep = -1; rep < (int)reps; rep++) {
		vcpu_start(&vm, GUEST_ENTRY(mode->out), OUT_N, 0);
		expect = OUT_N;
		t0 = now_ns();
		for (;;) {
			vcpu_run(&vm);
			if (expect && exit_is_out(vm.run, PORT_BENCH, &v)) {
				if (v != expect)
					die_state(&vm, "OUT number %u (rep %d) to port 0x%x carried %u, not %u",
						  OUT_N - expect + 1, rep, PORT_BENCH, v, expect);
				expect--;
				continue;
			}
			if (!expect && exit_is_out(vm.run, PORT_DONE, &v))
				break;
			die_unexpected(&vm, expect ? "OUT to port 0x500" : "OUT to port 0x501");
		}
		if (rep >= 0)
			ns[rep] = (double)(now_ns() - t0) / (OUT_N + 1);
	}
	vm_destroy(&vm);
	return OUT_N + 1;
}

/*
 * One KVM_RUN in which the guest runs INKERNEL_N exits that the kernel
 * handles itself, then reports EAX with an OUT; ns/op = that KVM_RUN / N.
 */
static void inkernel_loop(int sys_fd, unsigned int reps, double *ns,
			  uint64_t entry, uint32_t edi, const char *what,
			  uint32_t want_eax, bool use_cpuid0)
{
	struct bench_vm vm;
	uint64_t t0, t;
	uint32_t v;
	int rep;

	vm_create(&vm, sys_fd, GUEST_BASE_SIZE);
	if (use_cpuid0)
		want_eax = vm.cpuid0_eax;
	for (rep = -1; rep < (int)reps; rep++) {
		vcpu_start(&vm, entry, INKERNEL_N, edi);
		t0 = now_ns();
		vcpu_run(&vm);
		t = now_ns() - t0;
		if (!exit_is_out(vm.run, PORT_DONE, &v))
			die_unexpected(&vm, "OUT to port 0x501 after the loop");
		if (v != want_eax)
			die_state(&vm, "after %u x %s the guest's EAX is 0x%x, not 0x%x",
				  INKERNEL_N, what, v, want_eax);
		if (rep >= 0)
			ns[rep] = (double)t / INKERNEL_N;
	}
	vm_destroy(&vm);
}

static unsigned int cpuid_inkernel(int sys_fd, unsigned int reps, double *ns)
{
	inkernel_loop(sys_fd, reps, ns, GUEST_ENTRY(mode->cpuid), 0,
		      "CPUID(0)", 0, true);
	return INKERNEL_N;
}

/* VMMCALL on AMD, VMCALL on Intel: the one the hardware intercepts. */
static unsigned int vmmcall_inkernel(int sys_fd, unsigned int reps, double *ns)
{
	bool intel = host_is_intel();

	inkernel_loop(sys_fd, reps, ns,
		      GUEST_ENTRY(intel ? mode->vmcall : mode->vmmcall),
		      HYPERCALL_NR, intel ? "VMCALL" : "VMMCALL",
		      (uint32_t)-KVM_ENOSYS, false);
	return INKERNEL_N;
}

/*
 * first_touch_16k: a fresh VM per rep whose 64 MiB were never touched by
 * anyone: each guest write is a nested-paging fault that allocates, pins and
 * maps a host page. Timed: the one KVM_RUN; not timed: VM setup and teardown.
 * The host then checks that every write landed in its own mapping.
 */
static unsigned int first_touch_16k(int sys_fd, unsigned int reps, double *ns)
{
	const uint32_t base = GUEST_BASE_SIZE;
	struct bench_vm vm;
	unsigned int rep, i;
	uint64_t t0, t;
	uint32_t v;

	for (rep = 0; rep < reps; rep++) {
		vm_create(&vm, sys_fd, GUEST_BASE_SIZE + (size_t)TOUCH_PAGES * 4096);
		vcpu_start(&vm, GUEST_ENTRY(mode->touch), TOUCH_PAGES, base);
		t0 = now_ns();
		vcpu_run(&vm);
		t = now_ns() - t0;
		if (!exit_is_out(vm.run, PORT_DONE, &v))
			die_unexpected(&vm, "OUT to port 0x501 after the writes");
		if (v != base + TOUCH_PAGES * 4096)
			die_state(&vm, "the guest stopped at 0x%x, not 0x%x", v,
				  base + TOUCH_PAGES * 4096);
		for (i = 0; i < TOUCH_PAGES; i++)
			if (vm.mem[base + (size_t)i * 4096] != 1)
				bench_die("the guest's write to GPA 0x%zx is not in the host's mapping",
					  base + (size_t)i * 4096);
		ns[rep] = (double)t / TOUCH_PAGES;
		vm_destroy(&vm);
	}
	return TOUCH_PAGES;
}

/*
 * The paging benchmarks: 64-bit guest code on 4-level paging whatever the
 * mode, PAGING_N iterations in one KVM_RUN (one untimed rep first), ns/op =
 * that KVM_RUN / ops. With nested paging none of it exits; with shadow
 * paging each PTE write, INVLPG and CR3 load is the hypervisor's work.
 * The host then checks that the guest's last writes reached the pages its
 * tables named at the time: a hypervisor that kept a stale translation
 * fails instead of winning.
 */
static uint32_t data_word(struct bench_vm *vm, unsigned int page)
{
	uint32_t v;

	memcpy(&v, vm->mem + BENCH_DATA_GPA + page * 4096ULL, sizeof(v));
	return v;
}

static void paging_loop(int sys_fd, unsigned int reps, double *ns,
			const uint8_t *entry, uint32_t edi, uint32_t edx,
			unsigned int ops, const char *what)
{
	struct bench_vm vm;
	struct kvm_regs regs;
	uint64_t t0, t;
	uint32_t v;
	int rep;

	vm_create_paging(&vm, sys_fd);
	for (rep = -1; rep < (int)reps; rep++) {
		memset(vm.mem + BENCH_DATA_GPA, 0, 3 * 4096);
		vcpu_start(&vm, GUEST_ENTRY(entry), PAGING_N, edi);
		vcpu_get_regs(&vm, &regs);
		regs.rdx = edx;
		vcpu_set_regs(&vm, &regs);
		t0 = now_ns();
		vcpu_run(&vm);
		t = now_ns() - t0;
		if (!exit_is_out(vm.run, PORT_DONE, &v) || v)
			die_unexpected(&vm, "OUT of 0 to port 0x501 after the loop");
		if (rep >= 0)
			ns[rep] = (double)t / ops;
	}
	/* Iteration 2 wrote 2 last to page 0, iteration 1 wrote 1 to page 1. */
	if (strcmp(what, "cr3") ? data_word(&vm, 0) != 2 || data_word(&vm, 1) != 1 :
				  data_word(&vm, 0) != 1 || data_word(&vm, 2) != 1)
		die_state(&vm, "after the %s loop the data pages hold %u, %u, %u",
			  what, data_word(&vm, 0), data_word(&vm, 1), data_word(&vm, 2));
	vm_destroy(&vm);
}

/* pte_invlpg: rewrite BENCH_VA's PTE, INVLPG it, write through it. */
static unsigned int pte_invlpg(int sys_fd, unsigned int reps, double *ns)
{
	paging_loop(sys_fd, reps, ns, bench_guest_pte_invlpg_64, BENCH_PT_GPA, 0,
		    PAGING_N, "INVLPG");
	return PAGING_N;
}

/* pte_cr3_reload: the same with a reload of CR3 instead of INVLPG. */
static unsigned int pte_cr3_reload(int sys_fd, unsigned int reps, double *ns)
{
	paging_loop(sys_fd, reps, ns, bench_guest_pte_cr3_64, BENCH_PT_GPA, 0,
		    PAGING_N, "CR3 reload");
	return PAGING_N;
}

/* cr3_switch: CR3 to root A, a write, to root B, a write; ns per switch. */
static unsigned int cr3_switch(int sys_fd, unsigned int reps, double *ns)
{
	paging_loop(sys_fd, reps, ns, bench_guest_cr3_switch_64, GUEST_PT_GPA,
		    BENCH_ROOT_B, 2 * PAGING_N, "cr3");
	return 2 * PAGING_N;
}

const struct bench benchmarks[] = {
	{ "out_roundtrip", "ns/op", out_roundtrip },
	{ "cpuid_inkernel", "ns/op", cpuid_inkernel },
	{ "vmmcall_inkernel", "ns/op", vmmcall_inkernel },
	{ "first_touch_16k", "ns/page", first_touch_16k },
	{ "pte_invlpg", "ns/op", pte_invlpg },
	{ "pte_cr3_reload", "ns/op", pte_cr3_reload },
	{ "cr3_switch", "ns/op", cr3_switch },
	{ "ipi_roundtrip", "ns/op", ipi_roundtrip },
	{ "lapic_timer_irq", "ns/irq", lapic_timer_irq },
	{ "irqfd_to_handler", "ns/op", irqfd_to_handler },
};
const unsigned int nr_benchmarks = ARRAY_SIZE(benchmarks);
