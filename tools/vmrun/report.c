// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit reports. The fields of each exit reason are those of struct kvm_run
 * in <linux/kvm.h>, as Documentation/virt/kvm/api.rst (5. "The kvm_run
 * structure") describes them; a new reason prints its number and the common
 * fields.
 */
#include <inttypes.h>

#include "report.h"

#define EXIT_REASONS(X)							\
	X(KVM_EXIT_UNKNOWN) X(KVM_EXIT_EXCEPTION) X(KVM_EXIT_IO)		\
	X(KVM_EXIT_HYPERCALL) X(KVM_EXIT_DEBUG) X(KVM_EXIT_HLT)		\
	X(KVM_EXIT_MMIO) X(KVM_EXIT_IRQ_WINDOW_OPEN) X(KVM_EXIT_SHUTDOWN)	\
	X(KVM_EXIT_FAIL_ENTRY) X(KVM_EXIT_INTR) X(KVM_EXIT_SET_TPR)	\
	X(KVM_EXIT_TPR_ACCESS) X(KVM_EXIT_S390_SIEIC) X(KVM_EXIT_S390_RESET) \
	X(KVM_EXIT_DCR) X(KVM_EXIT_NMI) X(KVM_EXIT_INTERNAL_ERROR)	\
	X(KVM_EXIT_OSI) X(KVM_EXIT_PAPR_HCALL) X(KVM_EXIT_S390_UCONTROL)	\
	X(KVM_EXIT_WATCHDOG) X(KVM_EXIT_S390_TSCH) X(KVM_EXIT_EPR)	\
	X(KVM_EXIT_SYSTEM_EVENT) X(KVM_EXIT_S390_STSI) X(KVM_EXIT_IOAPIC_EOI) \
	X(KVM_EXIT_HYPERV) X(KVM_EXIT_ARM_NISV) X(KVM_EXIT_X86_RDMSR)	\
	X(KVM_EXIT_X86_WRMSR) X(KVM_EXIT_DIRTY_RING_FULL)			\
	X(KVM_EXIT_AP_RESET_HOLD) X(KVM_EXIT_X86_BUS_LOCK) X(KVM_EXIT_XEN) \
	X(KVM_EXIT_RISCV_SBI) X(KVM_EXIT_RISCV_CSR) X(KVM_EXIT_NOTIFY)	\
	X(KVM_EXIT_LOONGARCH_IOCSR) X(KVM_EXIT_MEMORY_FAULT)

#define NAME_ENTRY(r) [r] = #r,
static const char *const exit_names[] = { EXIT_REASONS(NAME_ENTRY) };

const char *exit_reason_name(uint32_t reason)
{
	if (reason >= sizeof(exit_names) / sizeof(exit_names[0]))
		return NULL;
	return exit_names[reason];
}

static const char *const internal_names[] = {
	[KVM_INTERNAL_ERROR_EMULATION] = "KVM_INTERNAL_ERROR_EMULATION",
	[KVM_INTERNAL_ERROR_SIMUL_EX] = "KVM_INTERNAL_ERROR_SIMUL_EX",
	[KVM_INTERNAL_ERROR_DELIVERY_EV] = "KVM_INTERNAL_ERROR_DELIVERY_EV",
	[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] =
		"KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON",
};

const char *internal_error_name(uint32_t suberror)
{
	if (suberror >= sizeof(internal_names) / sizeof(internal_names[0]))
		return NULL;
	return internal_names[suberror];
}

/* One "  name   value" line. */
#define F(name, fmt, ...) fprintf(out, "  %-32s " fmt "\n", name, __VA_ARGS__)
#define FX64(name, v)	F(name, "0x%016" PRIx64, (uint64_t)(v))
#define FX32(name, v)	F(name, "0x%08" PRIx32, (uint32_t)(v))
#define FU(name, v)	F(name, "%" PRIu64, (uint64_t)(v))

static void report_u64s(FILE *out, const char *name, const uint64_t *v,
			unsigned int n)
{
	char label[48];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%s[%u]", name, i);
		FX64(label, v[i]);
	}
}

static void report_bytes(FILE *out, const char *name, const uint8_t *b,
			 unsigned int n)
{
	unsigned int i;

	fprintf(out, "  %-32s", name);
	for (i = 0; i < n; i++)
		fprintf(out, " %02x", b[i]);
	fprintf(out, "\n");
}

static void report_internal(FILE *out, const struct kvm_run *run)
{
	const char *sub = internal_error_name(run->internal.suberror);
	unsigned int n = run->internal.ndata;

	F("internal.suberror", "%" PRIu32 " (%s)", run->internal.suberror,
	  sub ? sub : "unknown");
	FU("internal.ndata", n);
	if (n > 16)
		n = 16;
	report_u64s(out, "internal.data", (const uint64_t *)run->internal.data, n);
	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    run->internal.ndata >= 3 &&
	    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		FU("emulation_failure.insn_size", run->emulation_failure.insn_size);
		report_bytes(out, "emulation_failure.insn_bytes",
			     run->emulation_failure.insn_bytes,
			     run->emulation_failure.insn_size <= 15 ?
			     run->emulation_failure.insn_size : 15);
	}
}

static void report_hyperv(FILE *out, const struct kvm_hyperv_exit *h)
{
	FU("hyperv.type", h->type);
	switch (h->type) {
	case KVM_EXIT_HYPERV_SYNIC:
		FX32("hyperv.u.synic.msr", h->u.synic.msr);
		FX64("hyperv.u.synic.control", h->u.synic.control);
		FX64("hyperv.u.synic.evt_page", h->u.synic.evt_page);
		FX64("hyperv.u.synic.msg_page", h->u.synic.msg_page);
		break;
	case KVM_EXIT_HYPERV_HCALL:
		FX64("hyperv.u.hcall.input", h->u.hcall.input);
		FX64("hyperv.u.hcall.result", h->u.hcall.result);
		report_u64s(out, "hyperv.u.hcall.params", (const uint64_t *)h->u.hcall.params, 2);
		break;
	case KVM_EXIT_HYPERV_SYNDBG:
		FX32("hyperv.u.syndbg.msr", h->u.syndbg.msr);
		FX64("hyperv.u.syndbg.control", h->u.syndbg.control);
		FX64("hyperv.u.syndbg.status", h->u.syndbg.status);
		FX64("hyperv.u.syndbg.send_page", h->u.syndbg.send_page);
		FX64("hyperv.u.syndbg.recv_page", h->u.syndbg.recv_page);
		FX64("hyperv.u.syndbg.pending_page", h->u.syndbg.pending_page);
		break;
	}
}

/* The union member of each exit reason. */
static void report_fields(FILE *out, const struct kvm_run *run)
{
	/* KVM_EXIT_MEMORY_FAULT's member is newer than 6.1's header. */
	const uint64_t *memory_fault = (const uint64_t *)&run->hw;

	switch (run->exit_reason) {
	case KVM_EXIT_UNKNOWN:
		FX64("hw.hardware_exit_reason", run->hw.hardware_exit_reason);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		FX64("fail_entry.hardware_entry_failure_reason",
		     run->fail_entry.hardware_entry_failure_reason);
		FU("fail_entry.cpu", run->fail_entry.cpu);
		break;
	case KVM_EXIT_EXCEPTION:
		FU("ex.exception", run->ex.exception);
		FX32("ex.error_code", run->ex.error_code);
		break;
	case KVM_EXIT_IO:
		F("io.direction", "%u (%s)", run->io.direction,
		  run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in");
		FU("io.size", run->io.size);
		F("io.port", "0x%04x", run->io.port);
		FU("io.count", run->io.count);
		FX64("io.data_offset", run->io.data_offset);
		break;
	case KVM_EXIT_HYPERCALL:
		FX64("hypercall.nr", run->hypercall.nr);
		report_u64s(out, "hypercall.args", (const uint64_t *)run->hypercall.args, 6);
		FX64("hypercall.ret", run->hypercall.ret);
		FU("hypercall.longmode", run->hypercall.longmode);
		break;
	case KVM_EXIT_DEBUG:
		FU("debug.arch.exception", run->debug.arch.exception);
		FX64("debug.arch.pc", run->debug.arch.pc);
		FX64("debug.arch.dr6", run->debug.arch.dr6);
		FX64("debug.arch.dr7", run->debug.arch.dr7);
		break;
	case KVM_EXIT_MMIO:
		FX64("mmio.phys_addr", run->mmio.phys_addr);
		report_bytes(out, "mmio.data", run->mmio.data, 8);
		FU("mmio.len", run->mmio.len);
		FU("mmio.is_write", run->mmio.is_write);
		break;
	case KVM_EXIT_TPR_ACCESS:
		FX64("tpr_access.rip", run->tpr_access.rip);
		FU("tpr_access.is_write", run->tpr_access.is_write);
		break;
	case KVM_EXIT_S390_SIEIC:
		FX32("s390_sieic.icptcode", run->s390_sieic.icptcode);
		FX32("s390_sieic.ipa", run->s390_sieic.ipa);
		FX32("s390_sieic.ipb", run->s390_sieic.ipb);
		break;
	case KVM_EXIT_S390_RESET:
		FX64("s390_reset_flags", run->s390_reset_flags);
		break;
	case KVM_EXIT_S390_UCONTROL:
		FX64("s390_ucontrol.trans_exc_code", run->s390_ucontrol.trans_exc_code);
		FX32("s390_ucontrol.pgm_code", run->s390_ucontrol.pgm_code);
		break;
	case KVM_EXIT_DCR:
		FX32("dcr.dcrn", run->dcr.dcrn);
		FX32("dcr.data", run->dcr.data);
		FU("dcr.is_write", run->dcr.is_write);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		report_internal(out, run);
		break;
	case KVM_EXIT_OSI:
		report_u64s(out, "osi.gprs", (const uint64_t *)run->osi.gprs, 32);
		break;
	case KVM_EXIT_PAPR_HCALL:
		FX64("papr_hcall.nr", run->papr_hcall.nr);
		FX64("papr_hcall.ret", run->papr_hcall.ret);
		report_u64s(out, "papr_hcall.args", (const uint64_t *)run->papr_hcall.args, 9);
		break;
	case KVM_EXIT_S390_TSCH:
		FX32("s390_tsch.subchannel_id", run->s390_tsch.subchannel_id);
		FX32("s390_tsch.subchannel_nr", run->s390_tsch.subchannel_nr);
		FX32("s390_tsch.io_int_parm", run->s390_tsch.io_int_parm);
		FX32("s390_tsch.io_int_word", run->s390_tsch.io_int_word);
		FX32("s390_tsch.ipb", run->s390_tsch.ipb);
		FU("s390_tsch.dequeued", run->s390_tsch.dequeued);
		break;
	case KVM_EXIT_EPR:
		FX32("epr.epr", run->epr.epr);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		FU("system_event.type", run->system_event.type);
		FU("system_event.ndata", run->system_event.ndata);
		report_u64s(out, "system_event.data", (const uint64_t *)run->system_event.data,
			    run->system_event.ndata <= 16 ? run->system_event.ndata : 16);
		break;
	case KVM_EXIT_S390_STSI:
		FX64("s390_stsi.addr", run->s390_stsi.addr);
		FU("s390_stsi.ar", run->s390_stsi.ar);
		FU("s390_stsi.fc", run->s390_stsi.fc);
		FU("s390_stsi.sel1", run->s390_stsi.sel1);
		FU("s390_stsi.sel2", run->s390_stsi.sel2);
		break;
	case KVM_EXIT_IOAPIC_EOI:
		FU("eoi.vector", run->eoi.vector);
		break;
	case KVM_EXIT_HYPERV:
		report_hyperv(out, &run->hyperv);
		break;
	case KVM_EXIT_ARM_NISV:
		FX64("arm_nisv.esr_iss", run->arm_nisv.esr_iss);
		FX64("arm_nisv.fault_ipa", run->arm_nisv.fault_ipa);
		break;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		FU("msr.error", run->msr.error);
		FX32("msr.reason", run->msr.reason);
		FX32("msr.index", run->msr.index);
		FX64("msr.data", run->msr.data);
		break;
	case KVM_EXIT_XEN:
		FU("xen.type", run->xen.type);
		if (run->xen.type == KVM_EXIT_XEN_HCALL) {
			FU("xen.u.hcall.longmode", run->xen.u.hcall.longmode);
			FU("xen.u.hcall.cpl", run->xen.u.hcall.cpl);
			FX64("xen.u.hcall.input", run->xen.u.hcall.input);
			FX64("xen.u.hcall.result", run->xen.u.hcall.result);
			report_u64s(out, "xen.u.hcall.params",
				    (const uint64_t *)run->xen.u.hcall.params, 6);
		}
		break;
	case KVM_EXIT_RISCV_SBI:
		FX64("riscv_sbi.extension_id", run->riscv_sbi.extension_id);
		FX64("riscv_sbi.function_id", run->riscv_sbi.function_id);
		report_u64s(out, "riscv_sbi.args", (const uint64_t *)run->riscv_sbi.args, 6);
		report_u64s(out, "riscv_sbi.ret", (const uint64_t *)run->riscv_sbi.ret, 2);
		break;
	case KVM_EXIT_RISCV_CSR:
		FX64("riscv_csr.csr_num", run->riscv_csr.csr_num);
		FX64("riscv_csr.new_value", run->riscv_csr.new_value);
		FX64("riscv_csr.write_mask", run->riscv_csr.write_mask);
		FX64("riscv_csr.ret_value", run->riscv_csr.ret_value);
		break;
	case KVM_EXIT_NOTIFY:
		FX32("notify.flags", run->notify.flags);
		break;
	case KVM_EXIT_MEMORY_FAULT:
		FX64("memory_fault.flags", memory_fault[0]);
		FX64("memory_fault.gpa", memory_fault[1]);
		FX64("memory_fault.size", memory_fault[2]);
		break;
	default:	/* HLT, IRQ_WINDOW_OPEN, SHUTDOWN, INTR, SET_TPR, NMI, ... */
		break;
	}
}

void report_exit(FILE *out, const struct kvm_run *run)
{
	const char *name = exit_reason_name(run->exit_reason);

	F("exit_reason", "%" PRIu32 " (%s)", run->exit_reason,
	  name ? name : "unknown to vmrun");
	report_fields(out, run);
	FU("ready_for_interrupt_injection", run->ready_for_interrupt_injection);
	FU("if_flag", run->if_flag);
	F("flags", "0x%04x", run->flags);
	FX64("cr8", run->cr8);
	FX64("apic_base", run->apic_base);
}

static void report_seg(FILE *out, const char *name, const struct kvm_segment *s)
{
	fprintf(out, "    %-4s %04x %016" PRIx64 " %08" PRIx32
		"   %2u %u   %u  %u %u %u %u   %u   %u\n",
		name, s->selector, (uint64_t)s->base, s->limit, s->type, s->present,
		s->dpl, s->db, s->s, s->l, s->g, s->avl, s->unusable);
}

void report_regs(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s)
{
	fprintf(out, "  registers:\n"
		"    rip %016llx  rflags %016llx  rsp %016llx\n"
		"    rax %016llx  rbx    %016llx  rcx %016llx\n"
		"    rdx %016llx  rsi    %016llx  rdi %016llx\n"
		"    rbp %016llx  r8     %016llx  r9  %016llx\n"
		"    r10 %016llx  r11    %016llx  r12 %016llx\n"
		"    r13 %016llx  r14    %016llx  r15 %016llx\n",
		r->rip, r->rflags, r->rsp, r->rax, r->rbx, r->rcx, r->rdx, r->rsi,
		r->rdi, r->rbp, r->r8, r->r9, r->r10, r->r11, r->r12, r->r13,
		r->r14, r->r15);
	fprintf(out, "    cr0 %016llx  cr2    %016llx  cr3 %016llx\n"
		"    cr4 %016llx  cr8    %016llx  efer %016llx\n"
		"    apic_base %016llx\n",
		s->cr0, s->cr2, s->cr3, s->cr4, s->cr8, s->efer, s->apic_base);
	fprintf(out, "    seg  sel  base             limit    type p dpl db s l g avl unusable\n");
	report_seg(out, "cs", &s->cs);
	report_seg(out, "ds", &s->ds);
	report_seg(out, "es", &s->es);
	report_seg(out, "fs", &s->fs);
	report_seg(out, "gs", &s->gs);
	report_seg(out, "ss", &s->ss);
	report_seg(out, "tr", &s->tr);
	report_seg(out, "ldt", &s->ldt);
	fprintf(out, "    gdt base %016llx limit %04x\n"
		"    idt base %016llx limit %04x\n",
		s->gdt.base, s->gdt.limit, s->idt.base, s->idt.limit);
}
