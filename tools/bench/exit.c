// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unexpected exits, told in one line: the exit reason by name, its own fields
 * (port and data, GPA, hardware failure reason, internal-error suberror and
 * data...), and the vCPU's registers, so that a failing benchmark says what
 * the hypervisor did without a debugger.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvmbench.h"

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
