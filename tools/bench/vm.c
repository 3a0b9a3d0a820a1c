// SPDX-License-Identifier: GPL-2.0-only
/*
 * The raw KVM API, the way every client drives it: KVM_CREATE_VM, one
 * anonymous memslot at GPA 0, one vCPU with the supported CPUID (set before
 * the segment state, as QEMU does: Linux 6.12 checks EFER against it), flat
 * 32-bit protected mode. Any failure ends the benchmark with the ioctl's name
 * and errno; any unexpected exit with the exit and its fields.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdarg.h>
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
#define RFLAGS_FIXED	0x2ULL
/* Where QEMU puts the TSS pages: below 4 GiB, out of the benchmark's way. */
#define TSS_ADDR	0xfffbd000UL

/* ioctl that must succeed; yields its result. */
#define IOCTL(fd, req, arg) ({						\
	int __r = ioctl(fd, req, arg);					\
	if (__r < 0)							\
		bench_die(#req " failed: %s (errno %d)", strerror(errno), errno); \
	__r;								\
})

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

void vm_create(struct bench_vm *vm, int sys_fd, size_t mem_size)
{
	struct kvm_userspace_memory_region region;
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	uint32_t i;
	int size;

	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = sys_fd;
	vm->vm_fd = IOCTL(sys_fd, KVM_CREATE_VM, 0);
	IOCTL(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR);

	/*
	 * Anonymous memory, never touched by the host except for the code page.
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

	vm->vcpu_fd = IOCTL(vm->vm_fd, KVM_CREATE_VCPU, 0);
	size = IOCTL(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->run_size = size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		bench_die("mmap of the vCPU's kvm_run (%zu bytes) failed: %s",
			  vm->run_size, strerror(errno));

	cpuid = supported_cpuid(sys_fd);
	IOCTL(vm->vcpu_fd, KVM_SET_CPUID2, cpuid);
	for (i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 0)
			vm->cpuid0_eax = cpuid->entries[i].eax;
	free(cpuid);

	/* Flat 4-GiB code and data segments; CR0.PE only (no paging, caches on). */
	IOCTL(vm->vcpu_fd, KVM_GET_SREGS, &sregs);
	flat_segment(&sregs.cs, 0x08, 11);	/* execute/read, accessed */
	flat_segment(&sregs.ds, 0x10, 3);	/* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs.cr4 = 0;
	sregs.efer = 0;
	IOCTL(vm->vcpu_fd, KVM_SET_SREGS, &sregs);
}

void vm_destroy(struct bench_vm *vm)
{
	munmap(vm->run, vm->run_size);
	close(vm->vcpu_fd);
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
	struct kvm_regs regs = {
		.rip = rip,
		.rsi = esi,
		.rdi = edi,
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

/* An OUT of one 32-bit value to port (the only I/O our guest does). */
bool exit_is_out(const struct kvm_run *run, uint16_t port, uint32_t *value)
{
	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.port != port || run->io.size != 4 || run->io.count != 1)
		return false;
	memcpy(value, (const uint8_t *)run + run->io.data_offset, 4);
	return true;
}

#define NAME(r)	[r] = #r,
static const char *const exit_names[] = {
	NAME(KVM_EXIT_UNKNOWN) NAME(KVM_EXIT_EXCEPTION) NAME(KVM_EXIT_IO)
	NAME(KVM_EXIT_HYPERCALL) NAME(KVM_EXIT_DEBUG) NAME(KVM_EXIT_HLT)
	NAME(KVM_EXIT_MMIO) NAME(KVM_EXIT_IRQ_WINDOW_OPEN)
	NAME(KVM_EXIT_SHUTDOWN) NAME(KVM_EXIT_FAIL_ENTRY) NAME(KVM_EXIT_INTR)
	NAME(KVM_EXIT_SET_TPR) NAME(KVM_EXIT_TPR_ACCESS) NAME(KVM_EXIT_NMI)
	NAME(KVM_EXIT_INTERNAL_ERROR) NAME(KVM_EXIT_SYSTEM_EVENT)
};

static const char *const internal_names[] = {
	[KVM_INTERNAL_ERROR_EMULATION] = "EMULATION",
	[KVM_INTERNAL_ERROR_SIMUL_EX] = "SIMUL_EX",
	[KVM_INTERNAL_ERROR_DELIVERY_EV] = "DELIVERY_EV",
	[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "UNEXPECTED_EXIT_REASON",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The exit's own fields, as one phrase. */
static void describe_exit(const struct kvm_run *run, char *buf, size_t len)
{
	uint32_t r = run->exit_reason, i;
	const char *name = r < ARRAY_SIZE(exit_names) && exit_names[r] ?
			   exit_names[r] : "unknown exit";
	int n = snprintf(buf, len, "%s (%u)", name, r);

	switch (r) {
	case KVM_EXIT_IO: {
		uint64_t v = 0;

		memcpy(&v, (const uint8_t *)run + run->io.data_offset,
		       run->io.size <= 8 ? run->io.size : 8);
		snprintf(buf + n, len - n, " %s port 0x%x size %u count %u data 0x%llx",
			 run->io.direction == KVM_EXIT_IO_OUT ? "OUT" : "IN",
			 run->io.port, run->io.size, run->io.count,
			 (unsigned long long)v);
		break;
	}
	case KVM_EXIT_MMIO: {
		uint64_t v = 0;

		memcpy(&v, run->mmio.data, run->mmio.len <= 8 ? run->mmio.len : 8);
		snprintf(buf + n, len - n, " %s gpa 0x%llx len %u data 0x%llx",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len,
			 (unsigned long long)v);
		break;
	}
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf + n, len - n, " hardware_entry_failure_reason 0x%llx cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		i = run->internal.suberror;
		n += snprintf(buf + n, len - n, " suberror %u (%s) ndata %u", i,
			      i < ARRAY_SIZE(internal_names) && internal_names[i] ?
			      internal_names[i] : "?", run->internal.ndata);
		for (i = 0; i < run->internal.ndata && i < 16 && (size_t)n < len; i++)
			n += snprintf(buf + n, len - n, "%s0x%llx", i ? " " : " data ",
				      (unsigned long long)run->internal.data[i]);
		break;
	case KVM_EXIT_DEBUG:
		snprintf(buf + n, len - n, " exception %u pc 0x%llx",
			 run->debug.arch.exception,
			 (unsigned long long)run->debug.arch.pc);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(buf + n, len - n, " type %u", run->system_event.type);
		break;
	case KVM_EXIT_EXCEPTION:
		snprintf(buf + n, len - n, " exception %u error_code 0x%x",
			 run->ex.exception, run->ex.error_code);
		break;
	}
}

void die_state(struct bench_vm *vm, const char *fmt, ...)
{
	struct kvm_regs regs;
	char msg[160], what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	describe_exit(vm->run, what, sizeof(what));
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0)
		bench_die("%s; exit %s; KVM_GET_REGS then failed: %s", msg, what,
			  strerror(errno));
	bench_die("%s; exit %s; rip 0x%llx rax 0x%llx rsi 0x%llx rdi 0x%llx rflags 0x%llx",
		  msg, what, (unsigned long long)regs.rip, (unsigned long long)regs.rax,
		  (unsigned long long)regs.rsi, (unsigned long long)regs.rdi,
		  (unsigned long long)regs.rflags);
}

void die_unexpected(struct bench_vm *vm, const char *expected)
{
	die_state(vm, "unexpected exit (expected %s)", expected);
}
