// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit policy, the same for both vendors: what each vendor-neutral exit means
 * for the guest and for userspace. Answers follow KVM's (x86.c, cpuid.c):
 * unknown MSRs and bad XSETBVs #GP, hypercalls as hypercall.c says, HLT exits to userspace after the HLT (no in-kernel
 * irqchip), unexpected exits are KVM_EXIT_INTERNAL_ERROR with the hardware
 * reason, refused entries KVM_EXIT_FAIL_ENTRY.
 */
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <asm/processor-flags.h>

#include "backend.h"
#include "cpuid.h"
#include "cpuid_fault.h"
#include "cr.h"
#include "debug.h"
#include "exits.h"
#include "hypercall.h"
#include "insn.h"
#include "mmio.h"
#include "msr.h"
#include "pio.h"
#include "vcpu.h"
#include "vm.h"

/*
 * As KVM's prepare_emulation_failure_exit(): data[0] holds flags, then the
 * instruction's length and bytes (if they could be read), then five words of
 * exit information (the backend's exit_info()).
 */
int mv_emulation_failure(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u8 insn[sizeof(run->emulation_failure.insn_bytes)];
	unsigned int start = 1;
	struct mv_ctrl ctrl;
	int n;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->emulation_failure.flags = 0;
	mv_backend->get_ctrl(vcpu, &ctrl);
	n = mv_fetch_insn(vcpu, &ctrl, insn, sizeof(insn));
	if (n > 0) {
		run->emulation_failure.flags |=
			KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
		run->emulation_failure.insn_size = n;
		memset(run->emulation_failure.insn_bytes, 0x90,
		       sizeof(run->emulation_failure.insn_bytes));
		memcpy(run->emulation_failure.insn_bytes, insn, n);
		start += 2;
	}
	mv_backend->exit_info(vcpu, &run->internal.data[start]);
	run->emulation_failure.ndata = start + 5;
	return 0;
}

static int skip_or_fail(struct mv_vcpu *vcpu)
{
	return mv_skip_insn(vcpu) ? mv_emulation_failure(vcpu) : 1;
}

static u64 edx_eax(struct mv_vcpu *vcpu)
{
	return (vcpu->regs.gpr[MV_RDX] << 32) | (u32)vcpu->regs.gpr[MV_RAX];
}

static void set_edx_eax(struct mv_vcpu *vcpu, u64 v)
{
	vcpu->regs.gpr[MV_RAX] = (u32)v;
	vcpu->regs.gpr[MV_RDX] = v >> 32;
}

static int handle_cpuid(struct mv_vcpu *vcpu)
{
	if (mv_cpuid_faults(vcpu)) {
		mv_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	mv_cpuid_emulate(vcpu);
	return skip_or_fail(vcpu);
}

static int handle_rdmsr(struct mv_vcpu *vcpu)
{
	u64 data;

	if (mv_msr_get(vcpu, vcpu->regs.gpr[MV_RCX], &data, false)) {
		mv_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	set_edx_eax(vcpu, data);
	return skip_or_fail(vcpu);
}

static int handle_wrmsr(struct mv_vcpu *vcpu)
{
	if (mv_msr_set(vcpu, vcpu->regs.gpr[MV_RCX], edx_eax(vcpu), false)) {
		mv_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	return skip_or_fail(vcpu);
}

/*
 * HLT, RIP past it: with an in-kernel LAPIC the vCPU sleeps in KVM_RUN until
 * an event (run.c); without one it goes to userspace (KVM_EXIT_HLT), as in
 * KVM's __kvm_emulate_halt().
 */
static int handle_hlt(struct mv_vcpu *vcpu)
{
	if (mv_skip_insn(vcpu))
		return mv_emulation_failure(vcpu);
	vcpu->stat.halt_exits++;
	if (vcpu->lapic) {
		vcpu->mp_state = KVM_MP_STATE_HALTED;
		return 1;
	}
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

/*
 * No in-kernel LAPIC: a lower TPR may unmask an interrupt userspace holds
 * back; tell it, as KVM does after a CR8 write (handle_cr(), cr8_write_
 * interception()). The backend already completed the write. With a LAPIC
 * the run loop hands it the new TPR after every exit.
 */
static int handle_tpr_lowered(struct mv_vcpu *vcpu)
{
	if (vcpu->lapic)
		return 1;
	vcpu->run->exit_reason = KVM_EXIT_SET_TPR;
	return 0;
}

/*
 * No virtual PMU: every counter index #GPs, as KVM's kvm_pmu_rdpmc() when
 * the vCPU's PMU has no version (pmu.c: a VM with KVM_PMU_CAP_DISABLE, an
 * Intel CPUID without leaf 0xa). KVM's default AMD vPMU has 4 counters
 * whatever the CPUID says; minivirt offers none (intercepts.c).
 */
static int handle_rdpmc(struct mv_vcpu *vcpu)
{
	mv_queue_exception(vcpu, GP_VECTOR, true, 0);
	return 1;
}

static int handle_xsetbv(struct mv_vcpu *vcpu)
{
	struct mv_ctrl ctrl;

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (ctrl.cpl || mv_set_xcr(vcpu, vcpu->regs.gpr[MV_RCX], edx_eax(vcpu))) {
		mv_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	return skip_or_fail(vcpu);
}

/*
 * DR6's bits that read as 1 whatever is written: BUS_LOCK (bit 11) and RTM
 * (bit 16) too unless the guest's CPUID has them (SDM vol 3B 18.2.3; KVM's
 * kvm_dr6_fixed()).
 */
static u64 dr6_fixed(struct mv_vcpu *vcpu)
{
	u64 fixed = MV_DR6_FIXED_1;

	if (!mv_guest_has(vcpu, 7, MV_EBX, 11))
		fixed |= MV_DR6_RTM;
	if (!mv_guest_has(vcpu, 7, MV_ECX, 24))
		fixed |= MV_DR6_BUS_LOCK;
	return fixed;
}

/*
 * MOV to/from DRn (SDM vol 3B 18.2): the guest's DRs are the core's (vcpu.h);
 * DR4/5 alias DR6/7 unless CR4.DE; values as KVM's kvm_set_dr().
 */
static int handle_dr_access(struct mv_vcpu *vcpu)
{
	struct mv_mov_dr mov;
	struct mv_ctrl ctrl;
	u64 *reg, val;
	u8 dr;

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (mv_decode_mov_dr(vcpu, &ctrl, &mov))
		return mv_emulation_failure(vcpu);
	dr = mov.dr;
	if (dr == 4 || dr == 5) {
		if (ctrl.cr4 & X86_CR4_DE) {
			mv_queue_exception(vcpu, UD_VECTOR, false, 0);
			return 1;
		}
		dr += 2;
	}
	if (ctrl.cpl) {
		mv_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	/* DR7.GD: the exit came before the general-detect #DB (debug.c). */
	if (mv_hw_dr7(vcpu) & MV_DR7_GD)
		return mv_debug_general_detect(vcpu);
	reg = &vcpu->regs.gpr[mov.gpr];
	if (!mov.write) {
		val = dr < 4 ? vcpu->dr[dr] : dr == 6 ? vcpu->dr6 : vcpu->dr7;
		*reg = mv_code_mode(&ctrl, vcpu->regs.rflags) == MV_EMU_MODE64 ?
		       val : (u32)val;
	} else {
		val = mv_code_mode(&ctrl, vcpu->regs.rflags) == MV_EMU_MODE64 ?
		      *reg : (u32)*reg;
		if (dr >= 6 && (val >> 32)) {
			mv_queue_exception(vcpu, GP_VECTOR, true, 0);
			return 1;
		}
		if (dr < 4)
			vcpu->dr[dr] = val;
		else if (dr == 6)
			vcpu->dr6 = (val & MV_DR6_VOLATILE) | dr6_fixed(vcpu);
		else
			vcpu->dr7 = (val & MV_DR7_VOLATILE) | MV_DR7_FIXED_1;
	}
	mv_advance_rip(vcpu, &ctrl, mov.len);
	return 1;
}

void mv_vcpu_reset(struct mv_vcpu *vcpu, bool init)
{
	const struct kvm_cpuid_entry2 *leaf1 = mv_cpuid_find(vcpu, 1, 0);
	struct mv_ctrl ctrl;

	if (init)
		mv_backend->get_ctrl(vcpu, &ctrl);

	memset(vcpu->regs.gpr, 0, sizeof(vcpu->regs.gpr));
	/* RDX holds the CPU signature after reset (SDM vol 3A 9.1.4). */
	vcpu->regs.gpr[MV_RDX] = leaf1 ? leaf1->eax : 0x600;
	memset(&vcpu->exception, 0, sizeof(vcpu->exception));
	memset(&vcpu->interrupt, 0, sizeof(vcpu->interrupt));
	vcpu->nmi_pending = 0;
	vcpu->nmi_injected = false;
	vcpu->nmi_masked = false;
	vcpu->triple_fault = false;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr6 = MV_DR6_ACTIVE_LOW;
	vcpu->dr7 = MV_DR7_FIXED_1;
	vcpu->completion = MV_COMPLETE_NONE;
	vcpu->ext_vector = -1;
	mv_backend->vcpu_reset(vcpu);
	if (init)
		mv_set_cr0(vcpu, X86_CR0_ET |
			   (ctrl.cr0 & (X86_CR0_CD | X86_CR0_NW)));
	if (vcpu->vm->shadow_paging)
		mv_vcpu_request(vcpu, MV_REQ_MMU_RELOAD);
}

/*
 * The CPU's shutdown exit. SVM leaves the VMCB undefined after its shutdown
 * intercept (APM vol 2 15.5, as svm/run.c cites), so the vCPU is INITed
 * there, as KVM's shutdown_interception() does; VMX's triple-fault exit
 * leaves the guest state as it was, and so does KVM's handle_triple_fault().
 */
static int handle_shutdown(struct mv_vcpu *vcpu)
{
	if (mv_backend->shutdown_inits)
		mv_vcpu_reset(vcpu, true);
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

int mv_triple_fault(struct mv_vcpu *vcpu)
{
	vcpu->triple_fault = false;
	/* The #DF that met another exception is spent, as KVM's request is. */
	memset(&vcpu->exception, 0, sizeof(vcpu->exception));
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int handle_fail_entry(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = vcpu->exit.hw_reason;
	run->fail_entry.cpu = vcpu->cpu;
	return 0;
}

/* KVM's kvm_prepare_unexpected_reason_exit(). */
static int handle_unexpected(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON;
	run->internal.ndata = 2;
	run->internal.data[0] = vcpu->exit.hw_reason;
	run->internal.data[1] = vcpu->cpu;
	return 0;
}

static int handle_page_fault(struct mv_vcpu *vcpu)
{
	return mv_shadow_page_fault(vcpu, vcpu->exit.page_fault.address,
				    vcpu->exit.page_fault.error_code);
}

static int handle_none(struct mv_vcpu *vcpu)
{
	return 1;
}

static int handle_ud(struct mv_vcpu *vcpu)
{
	mv_queue_exception(vcpu, UD_VECTOR, false, 0);
	return 1;
}

/* KVM's kvm_emulate_monitor_mwait(): a NOP by default (intercepts.c). */
static int handle_monitor_mwait(struct mv_vcpu *vcpu)
{
	if (!mv_quirk_on(vcpu->vm, KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS) &&
	    !mv_guest_has(vcpu, 1, MV_ECX, 3))
		return handle_ud(vcpu);
	return skip_or_fail(vcpu);
}

typedef int (*mv_exit_handler)(struct mv_vcpu *vcpu);

static const mv_exit_handler mv_exit_handlers[] = {
	[MV_EXIT_NONE]		= handle_none,
	[MV_EXIT_IO]		= mv_handle_io,
	[MV_EXIT_GPA_FAULT]	= mv_handle_gpa_fault,
	[MV_EXIT_HLT]		= handle_hlt,
	[MV_EXIT_CPUID]		= handle_cpuid,
	[MV_EXIT_RDMSR]		= handle_rdmsr,
	[MV_EXIT_WRMSR]		= handle_wrmsr,
	[MV_EXIT_HYPERCALL]	= mv_handle_hypercall,
	[MV_EXIT_XSETBV]	= handle_xsetbv,
	[MV_EXIT_IRQ_WINDOW]	= handle_none,
	[MV_EXIT_NOP]		= skip_or_fail,
	[MV_EXIT_MONITOR_MWAIT]	= handle_monitor_mwait,
	[MV_EXIT_RDPMC]		= handle_rdpmc,
	[MV_EXIT_DR_ACCESS]	= handle_dr_access,
	[MV_EXIT_CR_ACCESS]	= mv_handle_cr_access,
	[MV_EXIT_TPR_LOWERED]	= handle_tpr_lowered,
	[MV_EXIT_PAGE_FAULT]	= handle_page_fault,
	[MV_EXIT_UD]		= handle_ud,
	[MV_EXIT_UD_FAULT]	= mv_handle_ud_fault,
	[MV_EXIT_DB]		= mv_handle_db,
	[MV_EXIT_BP]		= mv_handle_bp,
	[MV_EXIT_SHUTDOWN]	= handle_shutdown,
	[MV_EXIT_FAIL_ENTRY]	= handle_fail_entry,
	[MV_EXIT_UNEXPECTED]	= handle_unexpected,
};

int mv_handle_exit(struct mv_vcpu *vcpu)
{
	unsigned int type = vcpu->exit.type;

	if (type >= ARRAY_SIZE(mv_exit_handlers) || !mv_exit_handlers[type])
		return handle_unexpected(vcpu);
	return mv_exit_handlers[array_index_nospec(type,
				ARRAY_SIZE(mv_exit_handlers))](vcpu);
}

int mv_complete_userspace(struct mv_vcpu *vcpu)
{
	enum mv_completion c = vcpu->completion;

	vcpu->completion = MV_COMPLETE_NONE;
	switch (c) {
	case MV_COMPLETE_PIO_IN:
	case MV_COMPLETE_PIO_OUT:
		return mv_complete_pio(vcpu);
	case MV_COMPLETE_MMIO:
		return mv_complete_mmio(vcpu);
	case MV_COMPLETE_NONE:
		break;
	}
	return 1;
}
