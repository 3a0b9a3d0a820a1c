// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmrun_run.c - vmrun's exit handling on a fake struct kvm_run (the
 * vCPU fd is -1, so register dumps say why they are missing), the reports,
 * the vCPU thread plumbing, the options and the capability check.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug_exit.h"
#include "options.h"
#include "report.h"
#include "run.h"
#include "serial.h"
#include "vcpu.h"
#include "vm.h"
#include "vmrun.h"

#define ASSERT_HAS(s, sub) \
	ck_assert_msg(strstr((s), (sub)) != NULL, "'%s' not in '%s'", (sub), (s))
#define RUN_SIZE	(3 * 4096)
#define DATA		4096	/* where the fake exits put their I/O data */

static struct vcpu cpu;
static struct ioport_table io;
static struct serial uart;
static struct debug_exit dbg;
static struct vm_stop stop;
static struct run_ctx rc;
static FILE *logfp;
static char *logtext;
static size_t loglen;
static char uart_out[256];
static size_t uart_nout;

static void uart_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	ck_assert_uint_le(uart_nout + len, sizeof(uart_out));
	memcpy(uart_out + uart_nout, buf, len);
	uart_nout += len;
}

static void fixture_setup(void)
{
	const struct serial_backend be = { NULL, uart_write, NULL };
	struct err e;

	memset(&cpu, 0, sizeof(cpu));
	cpu.fd = -1;
	cpu.run_size = RUN_SIZE;
	cpu.run = calloc(1, RUN_SIZE);
	ck_assert_ptr_nonnull(cpu.run);
	memset(&stop, 0, sizeof(stop));
	uart_nout = 0;
	ioport_init(&io);
	serial_init(&uart, &be);
	ck_assert_int_eq(serial_register(&uart, &io, SERIAL_COM1, &e), 0);
	debug_exit_init(&dbg, &stop);
	ck_assert_int_eq(debug_exit_register(&dbg, &io, DEBUG_EXIT_PORT, &e), 0);
	logfp = open_memstream(&logtext, &loglen);
	run_init(&rc, &cpu, &io, &stop, logfp);
}

static void fixture_teardown(void)
{
	fclose(logfp);
	free(logtext);
	free(cpu.run);
}

/* The report so far, as a string. */
static const char *logged(void)
{
	fflush(logfp);
	return logtext;
}

static void io_exit(uint8_t dir, uint8_t size, uint16_t port, uint32_t count,
		    const void *data)
{
	cpu.run->exit_reason = KVM_EXIT_IO;
	cpu.run->io.direction = dir;
	cpu.run->io.size = size;
	cpu.run->io.port = port;
	cpu.run->io.count = count;
	cpu.run->io.data_offset = DATA;
	if (data)
		memcpy((uint8_t *)cpu.run + DATA, data, (size_t)size * count);
}

static uint8_t *io_data(void)
{
	return (uint8_t *)cpu.run + DATA;
}

/* ---- KVM_EXIT_IO ---- */

START_TEST(test_exit_io_out)
{
	io_exit(KVM_EXIT_IO_OUT, 1, 0x3f8, 1, "H");
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_CONTINUE);
	io_exit(KVM_EXIT_IO_OUT, 1, 0x3f8, 5, "ello\n");	/* rep outsb */
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_CONTINUE);
	ck_assert_uint_eq(uart_nout, 6);
	ck_assert_mem_eq(uart_out, "Hello\n", 6);
	ck_assert(!stop.stopped);
	ck_assert_uint_eq(rc.exits[KVM_EXIT_IO], 2);
}
END_TEST

START_TEST(test_exit_io_in)
{
	static const uint8_t lsr[3] = { 0x60, 0x60, 0x60 };
	uint16_t w[2];

	memset(io_data(), 0, 16);
	io_exit(KVM_EXIT_IO_IN, 1, 0x3fd, 3, NULL);	/* rep insb from LSR */
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_CONTINUE);
	ck_assert_mem_eq(io_data(), lsr, 3);
	ck_assert_uint_eq(io_data()[3], 0);

	io_exit(KVM_EXIT_IO_IN, 2, 0x80, 2, NULL);	/* unclaimed words */
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_CONTINUE);
	memcpy(w, io_data(), sizeof(w));
	ck_assert_uint_eq(w[0], 0xffff);
	ck_assert_uint_eq(w[1], 0xffff);
	ck_assert_uint_eq(io.unclaimed[0].reads, 2);
}
END_TEST

START_TEST(test_exit_io_malformed)
{
	io_exit(KVM_EXIT_IO_OUT, 3, 0x3f8, 1, "abc");
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_UNHANDLED);
	ASSERT_HAS(logged(), "vmrun: malformed KVM_EXIT_IO: size 3");
	ASSERT_HAS(logged(), "io.size                          3");
	ASSERT_HAS(logged(), "registers: unavailable (Bad file descriptor)");

	memset(&stop, 0, sizeof(stop));
	io_exit(KVM_EXIT_IO_OUT, 4, 0x3f8, 2049, NULL);	/* 4 bytes past the mapping */
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_UNHANDLED);
	memset(&stop, 0, sizeof(stop));
	io_exit(KVM_EXIT_IO_OUT, 1, 0x3f8, 1, NULL);
	cpu.run->io.data_offset = 1ull << 40;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	memset(&stop, 0, sizeof(stop));
	io_exit(KVM_EXIT_IO_OUT, 1, 0x3f8, 0, NULL);
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_uint_eq(uart_nout, 0);
}
END_TEST

START_TEST(test_exit_io_debug_exit)
{
	static const uint8_t v[3] = { 0x10, 0x20, 0x30 };

	io_exit(KVM_EXIT_IO_OUT, 1, DEBUG_EXIT_PORT, 3, v);	/* rep: stops at once */
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert(stop.stopped);
	ck_assert_int_eq(stop.status, 33);
	ck_assert_uint_eq(dbg.value, 0x10);
	ck_assert_str_eq(logged(), "");	/* a normal end: nothing reported */
}
END_TEST

/* ---- other exits ---- */

START_TEST(test_exit_hlt)
{
	cpu.run->exit_reason = KVM_EXIT_HLT;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_HALTED);
	ASSERT_HAS(stop.why, "HLT");
}
END_TEST

START_TEST(test_exit_shutdown)
{
	cpu.run->exit_reason = KVM_EXIT_SHUTDOWN;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_SHUTDOWN);
	ASSERT_HAS(logged(), "vmrun: the guest shut down (KVM_EXIT_SHUTDOWN: triple fault)");
	ASSERT_HAS(logged(), "exit_reason                      8 (KVM_EXIT_SHUTDOWN)");
	ASSERT_HAS(logged(), "registers: unavailable");
}
END_TEST

START_TEST(test_exit_mmio)
{
	static const uint8_t data[8] = { 0x78, 0x56, 0x34, 0x12 };

	cpu.run->exit_reason = KVM_EXIT_MMIO;
	cpu.run->mmio.phys_addr = 0xd0000000;
	memcpy(cpu.run->mmio.data, data, 8);
	cpu.run->mmio.len = 4;
	cpu.run->mmio.is_write = 1;
	cpu.run->apic_base = 0xfee00900;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_UNHANDLED);
	ASSERT_HAS(logged(), "unhandled exit KVM_EXIT_MMIO: 4-byte write at 0xd0000000");
	ASSERT_HAS(logged(), "mmio.phys_addr                   0x00000000d0000000\n");
	ASSERT_HAS(logged(), "mmio.data                        78 56 34 12 00 00 00 00\n");
	ASSERT_HAS(logged(), "mmio.len                         4\n");
	ASSERT_HAS(logged(), "mmio.is_write                    1\n");
	ASSERT_HAS(logged(), "apic_base                        0x00000000fee00900\n");
}
END_TEST

START_TEST(test_exit_fail_entry)
{
	cpu.run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	cpu.run->fail_entry.hardware_entry_failure_reason = 0x80000021;
	cpu.run->fail_entry.cpu = 1;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_UNHANDLED);
	ASSERT_HAS(logged(), "(hardware_entry_failure_reason 0x80000021)");
	ASSERT_HAS(logged(), "fail_entry.hardware_entry_failure_reason 0x0000000080000021");
	ASSERT_HAS(logged(), "fail_entry.cpu                   1\n");
}
END_TEST

START_TEST(test_exit_internal_error)
{
	cpu.run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	cpu.run->emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	cpu.run->emulation_failure.ndata = 4;
	cpu.run->emulation_failure.flags = KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	cpu.run->emulation_failure.insn_size = 2;
	cpu.run->emulation_failure.insn_bytes[0] = 0x0f;
	cpu.run->emulation_failure.insn_bytes[1] = 0x0b;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_UNHANDLED);
	ASSERT_HAS(logged(), "vmrun: KVM_EXIT_INTERNAL_ERROR: suberror 1 (KVM_INTERNAL_ERROR_EMULATION)");
	ASSERT_HAS(logged(), "internal.ndata                   4\n");
	ASSERT_HAS(logged(), "internal.data[0]                 0x0000000000000001\n");
	ASSERT_HAS(logged(), "internal.data[3]");
	ASSERT_HAS(logged(), "emulation_failure.insn_bytes     0f 0b\n");
}
END_TEST

START_TEST(test_exit_unhandled_by_name)
{
	cpu.run->exit_reason = KVM_EXIT_X86_RDMSR;
	cpu.run->msr.index = 0xc0000080;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_UNHANDLED);
	ASSERT_HAS(logged(), "vmrun: unhandled exit KVM_EXIT_X86_RDMSR (29)");
	ASSERT_HAS(logged(), "msr.index                        0xc0000080");

	memset(&stop, 0, sizeof(stop));
	cpu.run->exit_reason = 99;
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_STOP);
	ASSERT_HAS(logged(), "vmrun: unhandled exit unknown to vmrun (99)");
	ck_assert_uint_eq(rc.exits[RUN_COUNTED_EXITS], 1);
}
END_TEST

START_TEST(test_exit_intr_and_kicks)
{
	/* A stray signal: KVM_RUN again. */
	cpu.run->exit_reason = KVM_EXIT_INTR;
	ck_assert_int_eq(run_handle_exit(&rc, -1, EINTR), IO_CONTINUE);
	ck_assert_int_eq(run_handle_exit(&rc, 0, 0), IO_CONTINUE);
	ck_assert(!stop.stopped);

	rc.timeout = 5;
	atomic_store(&rc.kick, RUN_KICK_TIMEOUT);
	ck_assert_int_eq(run_handle_exit(&rc, -1, EINTR), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_TIMEOUT);
	ASSERT_HAS(logged(), "vmrun: --timeout 5 s expired; the guest was stopped here:");

	memset(&stop, 0, sizeof(stop));
	atomic_store(&rc.kick, SIGTERM);
	ck_assert_int_eq(run_handle_exit(&rc, -1, EINTR), IO_STOP);
	ck_assert_int_eq(stop.status, 128 + SIGTERM);
	ASSERT_HAS(logged(), "stopped by signal 15");
}
END_TEST

START_TEST(test_exit_run_errors)
{
	cpu.run->exit_reason = KVM_EXIT_HLT;	/* stale: not looked at */
	ck_assert_int_eq(run_handle_exit(&rc, -1, EFAULT), IO_STOP);
	ck_assert_int_eq(stop.status, VMRUN_UNHANDLED);
	ASSERT_HAS(logged(), "vmrun: KVM_RUN: Bad address\n");

	memset(&stop, 0, sizeof(stop));
	cpu.run->exit_reason = KVM_EXIT_MEMORY_FAULT;
	((uint64_t *)&cpu.run->hw)[1] = 0xabc000;
	((uint64_t *)&cpu.run->hw)[2] = 0x1000;
	ck_assert_int_eq(run_handle_exit(&rc, -1, EFAULT), IO_STOP);
	ASSERT_HAS(logged(), "KVM_RUN: Bad address, with KVM_EXIT_MEMORY_FAULT");
	ASSERT_HAS(logged(), "memory_fault.gpa                 0x0000000000abc000");
	ASSERT_HAS(logged(), "memory_fault.size                0x0000000000001000");
}
END_TEST

START_TEST(test_exit_counts)
{
	char *text;
	size_t len;
	FILE *f;

	io_exit(KVM_EXIT_IO_OUT, 1, 0x3f8, 1, "x");
	run_handle_exit(&rc, 0, 0);
	run_handle_exit(&rc, 0, 0);
	cpu.run->exit_reason = 77;
	run_handle_exit(&rc, 0, 0);
	cpu.run->exit_reason = KVM_EXIT_HLT;
	run_handle_exit(&rc, 0, 0);
	f = open_memstream(&text, &len);
	run_print_exits(&rc, f);
	fclose(f);
	ck_assert_str_eq(text, "vmrun: exits: IO 2 HLT 1 >=64 1\n");
	free(text);
}
END_TEST

/* The thread plumbing: a vCPU fd KVM_RUN refuses ends the run at once. */
START_TEST(test_run_machine_bad_fd)
{
	struct sigaction old;

	ck_assert_int_eq(run_machine(&rc, 0), VMRUN_UNHANDLED);
	ASSERT_HAS(logged(), "vmrun: KVM_RUN: Bad file descriptor");
	memset(&stop, 0, sizeof(stop));
	ck_assert_int_eq(run_machine(&rc, 30), VMRUN_UNHANDLED);
	/* The kick handler is gone again. */
	sigaction(RUN_KICK_SIGNAL, NULL, &old);
	ck_assert_ptr_eq(old.sa_handler, SIG_DFL);
}
END_TEST

/* ---- reports ---- */

START_TEST(test_exit_names)
{
	uint32_t r;

	for (r = 0; r <= KVM_EXIT_MEMORY_FAULT; r++)
		ck_assert_ptr_nonnull(exit_reason_name(r));
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_IO), "KVM_EXIT_IO");
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_NOTIFY), "KVM_EXIT_NOTIFY");
	ck_assert_str_eq(exit_reason_name(39), "KVM_EXIT_MEMORY_FAULT");
	ck_assert_ptr_null(exit_reason_name(40));
	ck_assert_ptr_null(exit_reason_name(0xffffffff));
	ck_assert_str_eq(internal_error_name(KVM_INTERNAL_ERROR_DELIVERY_EV),
			 "KVM_INTERNAL_ERROR_DELIVERY_EV");
	ck_assert_ptr_null(internal_error_name(0));
	ck_assert_ptr_null(internal_error_name(5));
}
END_TEST

/* Every reason reports its name and the common fields; some their own. */
START_TEST(test_report_every_reason)
{
	static const struct { uint32_t reason; const char *field; } own[] = {
		{ KVM_EXIT_UNKNOWN, "hw.hardware_exit_reason" },
		{ KVM_EXIT_EXCEPTION, "ex.error_code" },
		{ KVM_EXIT_IO, "io.data_offset" },
		{ KVM_EXIT_HYPERCALL, "hypercall.args[5]" },
		{ KVM_EXIT_DEBUG, "debug.arch.dr7" },
		{ KVM_EXIT_SYSTEM_EVENT, "system_event.ndata" },
		{ KVM_EXIT_IOAPIC_EOI, "eoi.vector" },
		{ KVM_EXIT_HYPERV, "hyperv.type" },
		{ KVM_EXIT_X86_WRMSR, "msr.data" },
		{ KVM_EXIT_XEN, "xen.type" },
		{ KVM_EXIT_NOTIFY, "notify.flags" },
		{ KVM_EXIT_TPR_ACCESS, "tpr_access.rip" },
		{ KVM_EXIT_OSI, "osi.gprs[31]" },
		{ KVM_EXIT_PAPR_HCALL, "papr_hcall.args[8]" },
		{ KVM_EXIT_RISCV_SBI, "riscv_sbi.ret[1]" },
	};
	struct kvm_run *run = calloc(1, sizeof(*run));
	char *text, want[64];
	size_t len;
	unsigned int i;
	uint32_t r;
	FILE *f;

	for (r = 0; r <= 40; r++) {
		run->exit_reason = r;
		f = open_memstream(&text, &len);
		report_exit(f, run);
		fclose(f);
		snprintf(want, sizeof(want), "%u (%s)", r,
			 exit_reason_name(r) ? exit_reason_name(r) : "unknown to vmrun");
		ASSERT_HAS(text, want);
		ASSERT_HAS(text, "ready_for_interrupt_injection");
		ASSERT_HAS(text, "apic_base");
		for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
			if (own[i].reason == r)
				ASSERT_HAS(text, own[i].field);
		free(text);
	}
	free(run);
}
END_TEST

START_TEST(test_report_regs)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	char *text;
	size_t len;
	FILE *f;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	r.rip = 0x100000;
	r.rax = 0x2badb002;
	s.cs.selector = 8;
	s.cs.limit = 0xffffffff;
	s.cs.type = 0xb;
	s.cs.present = 1;
	s.cs.db = 1;
	s.cs.s = 1;
	s.cs.g = 1;
	s.cr0 = 0x11;
	s.gdt.base = 0x8000;
	s.gdt.limit = 23;
	f = open_memstream(&text, &len);
	report_regs(f, &r, &s);
	fclose(f);
	ASSERT_HAS(text, "rip 0000000000100000");
	ASSERT_HAS(text, "rax 000000002badb002");
	ASSERT_HAS(text, "cr0 0000000000000011");
	ASSERT_HAS(text, "cs   0008 0000000000000000 ffffffff   11 1   0  1 1 0 1   0   0\n");
	ASSERT_HAS(text, "gdt base 0000000000008000 limit 0017");
	free(text);
}
END_TEST

/* ---- options ---- */

static int parse(struct vmrun_opts *o, struct err *e, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = "vmrun";
	va_start(ap, e);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return opts_parse(o, argc, argv, e);
}

START_TEST(test_options_defaults_and_all)
{
	struct vmrun_opts o;
	struct err e;

	ck_assert_int_eq(parse(&o, &e, "--multiboot", "k.elf", NULL), 0);
	ck_assert_str_eq(o.dev, "/dev/minivirt");
	ck_assert_uint_eq(o.mem_mib, 64);
	ck_assert_str_eq(o.multiboot, "k.elf");
	ck_assert_ptr_null(o.flat);
	ck_assert_ptr_null(o.cmdline);
	ck_assert_uint_eq(o.timeout, 0);
	ck_assert(!o.verbose);

	ck_assert_int_eq(parse(&o, &e, "--dev", "/dev/kvm", "--mem", "3072", "--multiboot",
			       "k.elf", "--cmdline", "a b", "--timeout", "10", "--verbose",
			       NULL), 0);
	ck_assert_str_eq(o.dev, "/dev/kvm");
	ck_assert_uint_eq(o.mem_mib, 3072);
	ck_assert_str_eq(o.cmdline, "a b");
	ck_assert_uint_eq(o.timeout, 10);
	ck_assert(o.verbose);

	ck_assert_int_eq(parse(&o, &e, "--flat=x.bin", "--mem=2", NULL), 0);
	ck_assert_str_eq(o.flat, "x.bin");
	ck_assert_uint_eq(o.mem_mib, 2);
	ck_assert_int_eq(parse(&o, &e, "--info", "--dev", "/dev/kvm", NULL), 0);
	ck_assert(o.info);
	ck_assert_int_eq(parse(&o, &e, "--help", "--bogus-after-help-is-still-an-error", NULL),
			 -EINVAL);
	ck_assert_int_eq(parse(&o, &e, "--help", NULL), 0);
	ck_assert(o.help);
}
END_TEST

START_TEST(test_options_errors)
{
	struct vmrun_opts o;
	struct err e;

	ck_assert_int_eq(parse(&o, &e, NULL), -EINVAL);
	ASSERT_HAS(e.msg, "name one guest");
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--multiboot", "b", NULL), -EINVAL);
	ASSERT_HAS(e.msg, "name one guest");
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--cmdline", "x", NULL), -EINVAL);
	ASSERT_HAS(e.msg, "--cmdline is for --multiboot guests");
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--mem", "1", NULL), -EINVAL);
	ASSERT_HAS(e.msg, "--mem wants a number from 2 to 3072, not '1'");
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--mem", "3073", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--mem", "64M", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--mem", "-64", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--mem", "", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--timeout", "0", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--timeout", "99999999999999999999",
			       NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "--frobnicate", NULL), -EINVAL);
	ASSERT_HAS(e.msg, "unknown option '--frobnicate'");
	ck_assert_int_eq(parse(&o, &e, "--flat", NULL), -EINVAL);
	ASSERT_HAS(e.msg, "--flat needs an argument");
	ck_assert_int_eq(parse(&o, &e, "--flat", "a", "extra", NULL), -EINVAL);
	ASSERT_HAS(e.msg, "unexpected argument 'extra'");
	ck_assert_int_eq(parse(&o, &e, "--info", "--flat", "a", NULL), -EINVAL);
	ASSERT_HAS(e.msg, "--info runs no guest");
}
END_TEST

START_TEST(test_usage_documents_everything)
{
	static const char *const words[] = {
		"--dev", "--mem", "--multiboot", "--cmdline", "--flat", "--timeout",
		"--verbose", "--info", "--help", "0x1000:0000", "exit status",
		"(v<<1)|1", "128+N",
	};
	char *text;
	size_t len, i;
	FILE *f = open_memstream(&text, &len);

	opts_usage(f);
	fclose(f);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		ASSERT_HAS(text, words[i]);
	free(text);
}
END_TEST

/* ---- capabilities, device, CPUID ---- */

static long probe_fake(void *ctx, long cap)
{
	const long *missing = ctx;

	for (; *missing; missing++)
		if (*missing == cap)
			return 0;
	return 1;
}

START_TEST(test_caps_check)
{
	static const long none[] = { 0 };
	static const long two[] = { KVM_CAP_USER_MEMORY, KVM_CAP_IMMEDIATE_EXIT, 0 };
	struct err e;

	ck_assert_int_eq(caps_check(vm_required_caps, vm_nr_required_caps, probe_fake,
				    (void *)none, &e), 0);
	ck_assert_int_eq(caps_check(vm_required_caps, vm_nr_required_caps, probe_fake,
				    (void *)two, &e), -ENOTSUP);
	ck_assert_str_eq(e.msg, "missing capabilities: KVM_CAP_USER_MEMORY (for guest RAM), "
			 "KVM_CAP_IMMEDIATE_EXIT (for kicking the vCPU out of KVM_RUN)");
}
END_TEST

START_TEST(test_vm_open_errors)
{
	struct vm vm;
	struct err e;

	ck_assert_int_eq(vm_open(&vm, "/nonexistent/minivirt", 64, &e), -ENOENT);
	ck_assert_str_eq(e.msg, "/nonexistent/minivirt: No such file or directory "
			 "(is the module loaded?)");
	ck_assert_int_eq(vm.sys_fd, -1);
	ck_assert_int_eq(vm_open(&vm, "/dev/null", 64, &e), -ENOTTY);
	ASSERT_HAS(e.msg, "/dev/null does not speak the KVM API");
	ck_assert_int_eq(vm.sys_fd, -1);
}
END_TEST

START_TEST(test_cpuid_fixup)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 3 * sizeof(c->entries[0]));

	c->nent = 3;
	c->entries[0].function = 0x1;
	c->entries[0].ebx = 0xff000800;
	c->entries[1].function = 0xb;
	c->entries[1].edx = 7;
	c->entries[2].function = 0x0;
	c->entries[2].ebx = 0x68747541;
	cpuid_fixup(c, 2);
	ck_assert_uint_eq(c->entries[0].ebx, 0x02000800);
	ck_assert_uint_eq(c->entries[1].edx, 2);
	ck_assert_uint_eq(c->entries[2].ebx, 0x68747541);
	free(c);
}
END_TEST

Suite *vmrun_run_suite(void);
Suite *vmrun_run_suite(void)
{
	Suite *s = suite_create("vmrun run");
	TCase *tc = tcase_create("exits");

	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, test_exit_io_out);
	tcase_add_test(tc, test_exit_io_in);
	tcase_add_test(tc, test_exit_io_malformed);
	tcase_add_test(tc, test_exit_io_debug_exit);
	tcase_add_test(tc, test_exit_hlt);
	tcase_add_test(tc, test_exit_shutdown);
	tcase_add_test(tc, test_exit_mmio);
	tcase_add_test(tc, test_exit_fail_entry);
	tcase_add_test(tc, test_exit_internal_error);
	tcase_add_test(tc, test_exit_unhandled_by_name);
	tcase_add_test(tc, test_exit_intr_and_kicks);
	tcase_add_test(tc, test_exit_run_errors);
	tcase_add_test(tc, test_exit_counts);
	tcase_add_test(tc, test_run_machine_bad_fd);
	suite_add_tcase(s, tc);

	tc = tcase_create("reports");
	tcase_add_test(tc, test_exit_names);
	tcase_add_test(tc, test_report_every_reason);
	tcase_add_test(tc, test_report_regs);
	suite_add_tcase(s, tc);

	tc = tcase_create("options and setup");
	tcase_add_test(tc, test_options_defaults_and_all);
	tcase_add_test(tc, test_options_errors);
	tcase_add_test(tc, test_usage_documents_everything);
	tcase_add_test(tc, test_caps_check);
	tcase_add_test(tc, test_vm_open_errors);
	tcase_add_test(tc, test_cpuid_fixup);
	suite_add_tcase(s, tc);
	return s;
}
