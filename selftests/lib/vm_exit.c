// SPDX-License-Identifier: GPL-2.0-only
/* Exits: names, descriptions, assertions. See vm.h. */
#include <stdarg.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "vm.h"

#define NAME(r)	[r] = #r,
static const char *const exit_names[] = {
	NAME(KVM_EXIT_UNKNOWN) NAME(KVM_EXIT_EXCEPTION) NAME(KVM_EXIT_IO)
	NAME(KVM_EXIT_HYPERCALL) NAME(KVM_EXIT_DEBUG) NAME(KVM_EXIT_HLT)
	NAME(KVM_EXIT_MMIO) NAME(KVM_EXIT_IRQ_WINDOW_OPEN)
	NAME(KVM_EXIT_SHUTDOWN) NAME(KVM_EXIT_FAIL_ENTRY) NAME(KVM_EXIT_INTR)
	NAME(KVM_EXIT_SET_TPR) NAME(KVM_EXIT_TPR_ACCESS) NAME(KVM_EXIT_NMI)
	NAME(KVM_EXIT_INTERNAL_ERROR) NAME(KVM_EXIT_SYSTEM_EVENT)
	NAME(KVM_EXIT_IOAPIC_EOI) NAME(KVM_EXIT_HYPERV)
	NAME(KVM_EXIT_X86_RDMSR) NAME(KVM_EXIT_X86_WRMSR)
	NAME(KVM_EXIT_DIRTY_RING_FULL) NAME(KVM_EXIT_AP_RESET_HOLD)
	NAME(KVM_EXIT_X86_BUS_LOCK) NAME(KVM_EXIT_XEN) NAME(KVM_EXIT_NOTIFY)
};

const char *exit_reason_name(uint32_t reason)
{
	static char buf[32];

	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) &&
	    exit_names[reason])
		return exit_names[reason];
	snprintf(buf, sizeof(buf), "exit %u", reason);
	return buf;
}

/* A # line for the TAP stream. */
static void note(const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	th_failed = true;
}

void *vcpu_io_data(struct vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

static uint64_t le_value(const uint8_t *p, unsigned int len)
{
	uint64_t v = 0;

	memcpy(&v, p, len > 8 ? 8 : len);
	return v;
}

uint64_t vcpu_io_value(struct vcpu *vcpu)
{
	return le_value(vcpu_io_data(vcpu), vcpu->run->io.size);
}

uint64_t vcpu_mmio_value(struct vcpu *vcpu)
{
	return le_value(vcpu->run->mmio.data, vcpu->run->mmio.len);
}

void vcpu_mmio_reply(struct vcpu *vcpu, uint64_t value)
{
	unsigned int len = vcpu->run->mmio.len;

	memset(vcpu->run->mmio.data, 0, sizeof(vcpu->run->mmio.data));
	memcpy(vcpu->run->mmio.data, &value, len > 8 ? 8 : len);
}

void vcpu_log_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	uint32_t i;

	note("exit %s (%u)", exit_reason_name(run->exit_reason), run->exit_reason);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		note("io: %s size %u port %#x count %u data_offset %#llx value %#llx",
		     run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		     run->io.size, run->io.port, run->io.count,
		     (unsigned long long)run->io.data_offset,
		     (unsigned long long)vcpu_io_value(vcpu));
		break;
	case KVM_EXIT_MMIO:
		note("mmio: %s phys_addr %#llx len %u data %#llx",
		     run->mmio.is_write ? "write" : "read",
		     (unsigned long long)run->mmio.phys_addr, run->mmio.len,
		     (unsigned long long)vcpu_mmio_value(vcpu));
		break;
	case KVM_EXIT_FAIL_ENTRY:
		note("fail_entry: hardware_entry_failure_reason %#llx cpu %u",
		     (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		     run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		note("internal: suberror %u ndata %u", run->internal.suberror,
		     run->internal.ndata);
		for (i = 0; i < run->internal.ndata && i < 16; i++)
			note("  data[%u] %#llx", i,
			     (unsigned long long)run->internal.data[i]);
		break;
	}
	if (!ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		note("rip %#llx rsp %#llx rflags %#llx rax %#llx",
		     (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
		     (unsigned long long)regs.rflags, (unsigned long long)regs.rax);
}

/* The exit is the guest's own failure report (guest.h, idt.S): say so. */
static bool log_guest_report(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct guest_exc *exc;

	if (run->exit_reason != KVM_EXIT_IO ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4)
		return false;
	if (run->io.port == GUEST_PORT_FAIL) {
		note("the guest's check %llu failed",
		     (unsigned long long)vcpu_io_value(vcpu));
		return true;
	}
	if (run->io.port == GUEST_PORT_EXC) {
		exc = guest_exc(vcpu->vm);
		note("the guest took exception %llu, error code %#llx, at rip %#llx",
		     (unsigned long long)exc->vector,
		     (unsigned long long)exc->error,
		     (unsigned long long)exc->rip);
		return true;
	}
	return false;
}

void vcpu_assert_exit(struct vcpu *vcpu, uint32_t reason,
		      const char *file, int line)
{
	uint32_t got = vcpu->run->exit_reason;

	if (got == reason)
		return;
	fail_at(file, line, "exit %s, expected %s", exit_reason_name(got),
		exit_reason_name(reason));
	if (!log_guest_report(vcpu))
		vcpu_log_exit(vcpu);
	exit(TH_EXIT_FAIL);
}

void vcpu_assert_io(struct vcpu *vcpu, uint8_t dir, uint8_t size,
		    uint16_t port, uint32_t count, const char *file, int line)
{
	struct kvm_run *run = vcpu->run;

	vcpu_assert_exit(vcpu, KVM_EXIT_IO, file, line);
	if (run->io.direction == dir && run->io.size == size &&
	    run->io.port == port && run->io.count == count)
		return;
	fail_at(file, line, "expected io %s size %u port %#x count %u",
		dir == KVM_EXIT_IO_OUT ? "out" : "in", size, port, count);
	if (!log_guest_report(vcpu))
		vcpu_log_exit(vcpu);
	exit(TH_EXIT_FAIL);
}

void vcpu_assert_mmio(struct vcpu *vcpu, uint64_t gpa, uint32_t len,
		      bool is_write, const char *file, int line)
{
	struct kvm_run *run = vcpu->run;

	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO, file, line);
	if (run->mmio.phys_addr == gpa && run->mmio.len == len &&
	    !!run->mmio.is_write == is_write)
		return;
	fail_at(file, line, "expected mmio %s phys_addr %#llx len %u",
		is_write ? "write" : "read", (unsigned long long)gpa, len);
	vcpu_log_exit(vcpu);
	exit(TH_EXIT_FAIL);
}

void vcpu_run_to_hlt_at(struct vcpu *vcpu, const char *file, int line)
{
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT, file, line);
}

uint32_t vcpu_run_to_report_at(struct vcpu *vcpu, const char *file, int line)
{
	vcpu_run(vcpu);
	vcpu_assert_io(vcpu, KVM_EXIT_IO_OUT, 4, GUEST_PORT_REPORT, 1, file, line);
	return vcpu_io_value(vcpu);
}
