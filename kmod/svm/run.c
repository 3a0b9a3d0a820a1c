// SPDX-License-Identifier: GPL-2.0-only
/*
 * Entering an SVM guest and decoding its exits into struct mv_exit.
 *
 * svm_run() is called by the core with preemption and IRQs off. It assigns
 * the ASID, programs pending events, runs the guest once (entry.S), hands
 * interrupted event deliveries back to the core, and decodes the exit through
 * a table indexed by exit code. Policy (what an exit means for userspace) is
 * the core's.
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/kvm_host.h>	/* guest_state_enter/exit_irqoff() */
#include <linux/nospec.h>
#include <asm/processor.h>

#include "../run.h"
#include "../vcpu.h"
#include "svm.h"

/* APM vol 2 15.16 "TLB Control": per-CPU ASIDs, new generation when used up. */
static void svm_new_asid(struct svm_vcpu *svm, struct svm_cpu *sd)
{
	struct vmcb_control *c = &svm->vmcb->control;

	if (sd->next_asid > sd->max_asid) {
		sd->asid_generation++;
		sd->next_asid = 1;
		c->tlb_control = SVM_TLB_FLUSH_ALL;
	}
	svm->asid = sd->next_asid++;
	svm->asid_generation = sd->asid_generation;
	svm->asid_cpu = smp_processor_id();
	c->asid = svm->asid;
}

/* Gives the core back an event whose delivery the exit interrupted. */
static void svm_complete_events(struct svm_vcpu *svm)
{
	struct mv_vcpu *vcpu = &svm->vcpu;
	u64 info = svm->vmcb->control.exit_int_info;
	u8 vector = info & SVM_EVTINJ_VEC_MASK;
	u32 type = info & SVM_EVTINJ_TYPE_MASK;
	u8 soft_len = svm->soft_len;

	svm->soft_len = 0;
	/*
	 * The IRET of an NMI handler has run once RIP moved: unblock NMIs,
	 * after the exit, so that a pending NMI goes in at the next entry
	 * (KVM: svm_complete_interrupts()).
	 */
	if (svm->awaiting_iret && vcpu->regs.rip != svm->iret_rip) {
		svm->awaiting_iret = false;
		vcpu->nmi_masked = false;
	}
	mv_events_delivered(vcpu);
	if (!(info & SVM_EVTINJ_VALID))
		return;

	switch (type) {
	case SVM_EVTINJ_TYPE_NMI:
		/* NMIs stay blocked: the handler has not run (KVM: HF_NMI_MASK). */
		vcpu->nmi_injected = true;
		break;
	case SVM_EVTINJ_TYPE_EXEPT:
		if (vector == BP_VECTOR || vector == OF_VECTOR) {
			/* The guest's own INT3/INTO simply runs again. */
			if (!soft_len)
				break;
			/* Ours: RIP back to the instruction (KVM's soft_int_old_rip). */
			if (vcpu->regs.rip == svm->soft_rip + soft_len)
				vcpu->regs.rip = svm->soft_rip;
			mv_requeue_exception(vcpu, vector, false, 0, 0);
			vcpu->exception.insn_len = soft_len;
			break;
		}
		/* A #PF in delivery already set CR2: give it again. */
		mv_requeue_exception(vcpu, vector, info & SVM_EVTINJ_VALID_ERR,
				     info >> 32, svm->vmcb->save.cr2);
		break;
	case SVM_EVTINJ_TYPE_INTR:
		vcpu->interrupt.injected = true;
		vcpu->interrupt.vector = vector;
		break;
	default:
		/* INTn: RIP still points at it; it runs again. */
		break;
	}
}

void svm_update_exception_intercepts(struct mv_vcpu *vcpu)
{
	to_svm(vcpu)->vmcb->control.intercept_exceptions =
		mv_exception_intercepts(vcpu);
}

void svm_inject(struct mv_vcpu *vcpu, enum mv_inject_kind kind, u8 vector,
		bool has_error_code, u32 error_code, u64 payload)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 ev = SVM_EVTINJ_VALID | vector;

	svm->soft_len = 0;
	switch (kind) {
	case MV_INJECT_EXCEPTION:
		ev |= SVM_EVTINJ_TYPE_EXEPT;
		if (has_error_code)
			ev |= SVM_EVTINJ_VALID_ERR | (u64)error_code << 32;
		if (vector == PF_VECTOR)
			svm->vmcb->save.cr2 = payload;
		svm->soft_len = vcpu->exception.insn_len;
		break;
	case MV_INJECT_NMI:
		ev = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | NMI_VECTOR;
		/* NMIs stay blocked until the handler's IRET: watch for it. */
		svm->vmcb->control.intercept_misc1 |= SVM_INTERCEPT_IRET;
		svm->awaiting_iret = false;
		break;
	case MV_INJECT_INTR:
		ev |= SVM_EVTINJ_TYPE_INTR;
		break;
	}
	svm->vmcb->control.event_inj = ev;
}

bool svm_interrupt_allowed(struct mv_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	return (vcpu->regs.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW);
}

bool svm_nmi_allowed(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return !vcpu->nmi_masked &&
	       !(svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW);
}

/*
 * APM vol 2 15.21.4 "Interrupt Windows": a virtual interrupt that the guest
 * takes as soon as it is interruptible, intercepted as VINTR.
 */
void svm_enable_irq_window(struct mv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	c->int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR | 0xfULL << SVM_V_INTR_PRIO_SHIFT;
	c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
}

static void svm_clear_irq_window(struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;

	c->int_ctl &= ~(SVM_V_IRQ | SVM_V_IGN_TPR | 0xfULL << SVM_V_INTR_PRIO_SHIFT);
	c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
}

u32 svm_get_interrupt_shadow(struct mv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW ?
	       KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI : 0;
}

void svm_set_interrupt_shadow(struct mv_vcpu *vcpu, u32 shadow)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	if (shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW;
}

/* Exit decoders: fill vcpu->exit from the VMCB. */
typedef void (*svm_exit_fn)(struct svm_vcpu *svm, struct mv_exit *exit);

static void exit_none(struct svm_vcpu *svm, struct mv_exit *exit)
{
	exit->type = MV_EXIT_NONE;
}

/*
 * Without NRIP save (APM vol 2 15.7.1) the VMCB does not say how long the
 * exiting instruction was: these are the bare opcodes the core checks at RIP.
 */
/*
 * INVD (0f 08) and WBINVD (0f 09) are both skipped: either is accepted for
 * either exit, since QEMU 7.2's TCG reports INVD with the WBINVD exit code
 * (measured: selftests/intercepts.c).
 */
static const struct mv_opcode op_invd = { 2, { 0x0f, 0x08 }, 0x01 };
static const struct mv_opcode op_monitor = { 3, { 0x0f, 0x01, 0xc8 } };
static const struct mv_opcode op_mwait = { 3, { 0x0f, 0x01, 0xc9 } };
static const struct mv_opcode op_hlt = { 1, { 0xf4 } };
static const struct mv_opcode op_cpuid = { 2, { 0x0f, 0xa2 } };
static const struct mv_opcode op_vmmcall = { 3, { 0x0f, 0x01, 0xd9 } };
static const struct mv_opcode op_xsetbv = { 3, { 0x0f, 0x01, 0xd1 } };
static const struct mv_opcode op_rdmsr = { 2, { 0x0f, 0x32 } };
static const struct mv_opcode op_wrmsr = { 2, { 0x0f, 0x30 } };
static const struct mv_opcode op_rdpmc = { 2, { 0x0f, 0x33 } };

static void exit_ud(struct svm_vcpu *svm, struct mv_exit *exit)
{
	exit->type = MV_EXIT_UD;
}

/*
 * The core's intercept list (intercepts.c) in VMCB terms: which intercept
 * bit of control-area word 3, 4 or 5 (APM vol 2 Appendix B, table B-1),
 * which exit code it gives (Appendix C), and the bare opcode the core steps
 * over when there is no NRIP save. RDPID has no intercept on SVM; GETSEC
 * does not exist on AMD CPUs (#UD). The decoder of an exit in this list is
 * exit_intercept() unless it needs the VMCB's exit information.
 */
struct svm_intercept {
	enum mv_intercept icpt;
	u8 word;
	u32 bit;
	u32 exit_code;
	const struct mv_opcode *opcode;
};

static const struct svm_intercept svm_intercepts[] = {
	{ MV_ICPT_INTR,		3, SVM_INTERCEPT_INTR,	SVM_EXIT_INTR },
	{ MV_ICPT_NMI,		3, SVM_INTERCEPT_NMI,	SVM_EXIT_NMI },
	{ MV_ICPT_SMI,		3, SVM_INTERCEPT_SMI,	SVM_EXIT_SMI },
	/* APM vol 2 15.5: the VMCB is undefined after a shutdown; the core resets it. */
	{ MV_ICPT_SHUTDOWN,	3, SVM_INTERCEPT_SHUTDOWN, SVM_EXIT_SHUTDOWN },
	{ MV_ICPT_CPUID,	3, SVM_INTERCEPT_CPUID,	SVM_EXIT_CPUID, &op_cpuid },
	{ MV_ICPT_HLT,		3, SVM_INTERCEPT_HLT,	SVM_EXIT_HLT, &op_hlt },
	{ MV_ICPT_IO,		3, SVM_INTERCEPT_IOIO,	SVM_EXIT_IOIO },
	{ MV_ICPT_MSR,		3, SVM_INTERCEPT_MSR,	SVM_EXIT_MSR },
	{ MV_ICPT_XSETBV,	4, SVM_INTERCEPT_XSETBV, SVM_EXIT_XSETBV, &op_xsetbv },
	{ MV_ICPT_HYPERCALL,	4, SVM_INTERCEPT_VMMCALL, SVM_EXIT_VMMCALL, &op_vmmcall },
	{ MV_ICPT_INVD,		3, SVM_INTERCEPT_INVD,	SVM_EXIT_INVD, &op_invd },
	{ MV_ICPT_WBINVD,	4, SVM_INTERCEPT_WBINVD, SVM_EXIT_WBINVD, &op_invd },
	{ MV_ICPT_MONITOR,	4, SVM_INTERCEPT_MONITOR, SVM_EXIT_MONITOR, &op_monitor },
	{ MV_ICPT_MWAIT,	4, SVM_INTERCEPT_MWAIT,	SVM_EXIT_MWAIT, &op_mwait },
	{ MV_ICPT_MWAIT,	4, SVM_INTERCEPT_MWAIT_COND, SVM_EXIT_MWAIT_COND, &op_mwait },
	{ MV_ICPT_RDPMC,	3, SVM_INTERCEPT_RDPMC,	SVM_EXIT_RDPMC, &op_rdpmc },
	/* Set at each entry while the guest's CPUID lacks RDTSCP (svm_run()). */
	{ MV_ICPT_RDTSCP,	4, SVM_INTERCEPT_RDTSCP, SVM_EXIT_RDTSCP },
	{ MV_ICPT_RDPRU,	4, SVM_INTERCEPT_RDPRU,	SVM_EXIT_RDPRU },
	/* VMRUN must be intercepted (APM vol 2 15.5.1); no nested SVM. */
	{ MV_ICPT_VIRT,		4, SVM_INTERCEPT_VMRUN,	SVM_EXIT_VMRUN },
	{ MV_ICPT_VIRT,		4, SVM_INTERCEPT_VMLOAD, SVM_EXIT_VMLOAD },
	{ MV_ICPT_VIRT,		4, SVM_INTERCEPT_VMSAVE, SVM_EXIT_VMSAVE },
	{ MV_ICPT_VIRT,		4, SVM_INTERCEPT_STGI,	SVM_EXIT_STGI },
	{ MV_ICPT_VIRT,		4, SVM_INTERCEPT_CLGI,	SVM_EXIT_CLGI },
	{ MV_ICPT_VIRT,		4, SVM_INTERCEPT_SKINIT, SVM_EXIT_SKINIT },
	{ MV_ICPT_VIRT,		3, SVM_INTERCEPT_INVLPGA, SVM_EXIT_INVLPGA },
	{ MV_ICPT_TASK_SWITCH,	3, SVM_INTERCEPT_TASK_SWITCH, SVM_EXIT_TASK_SWITCH },
};

/* The intercept words every VMCB starts with, and each exit's list entry. */
u32 svm_intercept_words[3];
static u8 svm_intercept_of_exit[SVM_EXIT_RDPRU + 1];

int svm_intercepts_init(void)
{
	enum mv_icpt_cover cover[MV_ICPT_NR] = {
		[MV_ICPT_GETSEC] = MV_COVER_ABSENT,
	};
	unsigned int i;

	memset(svm_intercept_words, 0, sizeof(svm_intercept_words));
	for (i = 0; i < ARRAY_SIZE(svm_intercepts); i++) {
		const struct svm_intercept *si = &svm_intercepts[i];

		BUILD_BUG_ON(ARRAY_SIZE(svm_intercepts) > U8_MAX);
		if (WARN_ON_ONCE(si->exit_code >= ARRAY_SIZE(svm_intercept_of_exit)))
			return -EINVAL;
		svm_intercept_of_exit[si->exit_code] = i;
		cover[si->icpt] = MV_COVER_CONTROL;
		if (si->icpt != MV_ICPT_RDTSCP)
			svm_intercept_words[si->word - 3] |= si->bit;
	}
	return mv_intercepts_check("SVM", cover);
}

/* An exit of the list: what the core's list says it is. */
static void exit_intercept(struct svm_vcpu *svm, struct mv_exit *exit)
{
	u32 code = svm->vmcb->control.exit_code;
	const struct svm_intercept *si;

	si = &svm_intercepts[svm_intercept_of_exit[array_index_nospec(code,
				ARRAY_SIZE(svm_intercept_of_exit))]];
	exit->type = mv_intercepts[si->icpt].exit;
	exit->opcode = si->opcode;
}

static void exit_msr(struct svm_vcpu *svm, struct mv_exit *exit)
{
	bool write = svm->vmcb->control.exit_info_1;

	exit->type = write ? MV_EXIT_WRMSR : MV_EXIT_RDMSR;
	exit->opcode = write ? &op_wrmsr : &op_rdmsr;
}

static void exit_vintr(struct svm_vcpu *svm, struct mv_exit *exit)
{
	svm_clear_irq_window(svm);
	exit->type = MV_EXIT_IRQ_WINDOW;
}

/* The IRET runs next; NMIs unblock once RIP has moved past it. */
static void exit_iret(struct svm_vcpu *svm, struct mv_exit *exit)
{
	svm->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_IRET;
	svm->awaiting_iret = true;
	svm->iret_rip = svm->vmcb->save.rip;
	exit->type = MV_EXIT_NONE;
}

/* APM vol 2 15.10.2 "IN and OUT Behavior": EXITINFO2 is the next RIP. */
static void exit_ioio(struct svm_vcpu *svm, struct mv_exit *exit)
{
	u64 info = svm->vmcb->control.exit_info_1;

	exit->type = MV_EXIT_IO;
	exit->io.port = info >> SVM_IOIO_PORT_SHIFT;
	exit->io.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	exit->io.in = info & SVM_IOIO_TYPE_IN;
	exit->io.string = info & SVM_IOIO_STR;
	exit->insn_len = svm->vmcb->control.exit_info_2 - svm->vmcb->save.rip;
}

static void exit_npf(struct svm_vcpu *svm, struct mv_exit *exit)
{
	u64 err = svm->vmcb->control.exit_info_1;

	exit->type = MV_EXIT_GPA_FAULT;
	exit->gpa_fault.gpa = svm->vmcb->control.exit_info_2;
	exit->gpa_fault.write = err & SVM_NPF_WRITE;
	exit->gpa_fault.fetch = err & SVM_NPF_FETCH;
	exit->gpa_fault.present = err & SVM_NPF_PRESENT;
}

/* A machine check in the guest is the host's: run its handler (INT 18). */
static void exit_mc(struct svm_vcpu *svm, struct mv_exit *exit)
{
	asm volatile("int $0x12");
	exit->type = MV_EXIT_NONE;
}

/* #AC is intercepted only to be reflected, unchanged. */
static void exit_ac(struct svm_vcpu *svm, struct mv_exit *exit)
{
	mv_queue_exception(&svm->vcpu, AC_VECTOR, true,
			   svm->vmcb->control.exit_info_1);
	exit->type = MV_EXIT_NONE;
}

/*
 * The CPU wrote the #DB's cause into DR6 before the intercept (KVM's
 * db_interception() relies on it); entered with DR6 = its reset value, the
 * bits that changed are the payload.
 */
static void exit_db(struct svm_vcpu *svm, struct mv_exit *exit)
{
	exit->type = MV_EXIT_DB;
	exit->db.payload = svm->vmcb->save.dr6 ^ MV_DR6_ACTIVE_LOW;
	exit->db.icebp = false;
}

static void exit_bp(struct svm_vcpu *svm, struct mv_exit *exit)
{
	exit->type = MV_EXIT_BP;
}

/* A #UD the guest raised, RIP at its instruction: the core decides. */
static void exit_ud_fault(struct svm_vcpu *svm, struct mv_exit *exit)
{
	exit->type = MV_EXIT_UD_FAULT;
}

static void exit_dr(struct svm_vcpu *svm, struct mv_exit *exit)
{
	u32 code = svm->vmcb->control.exit_code;

	exit->type = MV_EXIT_DR_ACCESS;
	exit->dr.write = code >= SVM_EXIT_WRITE_DR0;
	exit->dr.nr = code & 0xf;
}

/* Shadow paging: MOV to/from CR0/3/4 (the core decodes which). */
static void exit_cr(struct svm_vcpu *svm, struct mv_exit *exit)
{
	exit->type = MV_EXIT_CR_ACCESS;
}

static void exit_pf(struct svm_vcpu *svm, struct mv_exit *exit)
{
	exit->type = MV_EXIT_PAGE_FAULT;
	exit->page_fault.error_code = svm->vmcb->control.exit_info_1;
	exit->page_fault.address = svm->vmcb->control.exit_info_2;
}

#define DR_EXITS(fn)							\
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 15] = fn,		\
	[SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 15] = fn

static const svm_exit_fn svm_exit_decoders[SVM_EXIT_MAX + 1] = {
	[SVM_EXIT_READ_CR0 ... SVM_EXIT_WRITE_CR0 + 15] = exit_cr,
	DR_EXITS(exit_dr),
	[SVM_EXIT_EXCP_BASE + PF_VECTOR]	= exit_pf,
	[SVM_EXIT_INVPCID]		= exit_ud,
	[SVM_EXIT_EXCP_BASE + DB_VECTOR]	= exit_db,
	[SVM_EXIT_EXCP_BASE + BP_VECTOR]	= exit_bp,
	[SVM_EXIT_EXCP_BASE + UD_VECTOR]	= exit_ud_fault,
	[SVM_EXIT_EXCP_BASE + AC_VECTOR]	= exit_ac,
	[SVM_EXIT_EXCP_BASE + MC_VECTOR]	= exit_mc,
	[SVM_EXIT_INTR]			= exit_intercept,
	[SVM_EXIT_NMI]			= exit_intercept,
	[SVM_EXIT_SMI]			= exit_intercept,
	[SVM_EXIT_RDPMC]		= exit_intercept,
	[SVM_EXIT_VINTR]		= exit_vintr,
	[SVM_EXIT_CPUID]		= exit_intercept,
	[SVM_EXIT_IRET]			= exit_iret,
	[SVM_EXIT_INVD]			= exit_intercept,
	[SVM_EXIT_HLT]			= exit_intercept,
	[SVM_EXIT_INVLPGA]		= exit_intercept,
	[SVM_EXIT_IOIO]			= exit_ioio,
	[SVM_EXIT_MSR]			= exit_msr,
	[SVM_EXIT_FERR_FREEZE]		= exit_none,
	[SVM_EXIT_TASK_SWITCH]		= exit_intercept,
	[SVM_EXIT_SHUTDOWN]		= exit_intercept,
	[SVM_EXIT_VMRUN]		= exit_intercept,
	[SVM_EXIT_VMMCALL]		= exit_intercept,
	[SVM_EXIT_VMLOAD]		= exit_intercept,
	[SVM_EXIT_VMSAVE]		= exit_intercept,
	[SVM_EXIT_STGI]			= exit_intercept,
	[SVM_EXIT_CLGI]			= exit_intercept,
	[SVM_EXIT_SKINIT]		= exit_intercept,
	[SVM_EXIT_RDTSCP]		= exit_intercept,
	[SVM_EXIT_WBINVD]		= exit_intercept,
	[SVM_EXIT_MONITOR]		= exit_intercept,
	[SVM_EXIT_MWAIT]		= exit_intercept,
	[SVM_EXIT_MWAIT_COND]		= exit_intercept,
	[SVM_EXIT_XSETBV]		= exit_intercept,
	[SVM_EXIT_RDPRU]		= exit_intercept,
	[SVM_EXIT_NPF]			= exit_npf,
};

static void svm_decode_exit(struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;
	struct mv_exit *exit = &svm->vcpu.exit;
	u32 code = c->exit_code;
	svm_exit_fn fn = NULL;

	exit->hw_reason = code;
	exit->insn_len = MV_INSN_LEN_UNKNOWN;
	exit->opcode = NULL;
	if (svm_has_nrips && c->next_rip)
		exit->insn_len = c->next_rip - svm->vmcb->save.rip;

	if (code == SVM_EXIT_INVALID) {
		exit->type = MV_EXIT_FAIL_ENTRY;
		return;
	}
	if (code <= SVM_EXIT_MAX)
		fn = svm_exit_decoders[array_index_nospec(code, SVM_EXIT_MAX + 1)];
	if (fn) {
		fn(svm, exit);
	} else {
		exit->type = MV_EXIT_UNEXPECTED;
		exit->unexpected.info[0] = c->exit_info_1;
		exit->unexpected.info[1] = c->exit_info_2;
	}
}

/* KVM's svm_get_exit_info(). */
void svm_exit_info(struct mv_vcpu *vcpu, u64 info[5])
{
	const struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u32 event = c->exit_int_info;

	info[0] = (u32)c->exit_code;
	info[1] = c->exit_info_1;
	info[2] = c->exit_info_2;
	info[3] = event;
	/* EXITINTINFO: its error code in bits 63:32 (APM vol 2 15.20). */
	info[4] = (event & SVM_EVTINJ_VALID) && (event & SVM_EVTINJ_VALID_ERR) ?
		  c->exit_int_info >> 32 : 0;
}

/* The CPU has TSC_AUX for RDTSCP or RDPID: the guest's is switched in. */
static bool svm_has_tsc_aux(void)
{
	return boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID);
}

/* Source of svm_vcpu.host_state_id: one per KVM_RUN, from 1, never reused. */
static atomic64_t svm_host_state_ids = ATOMIC64_INIT(0);

void svm_run(struct mv_vcpu *vcpu, bool flush_tlb)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	struct vmcb *vmcb = svm->vmcb;
	int faulted;
	bool save, tsc_aux;

	/* A new ASID after migration, a flush, or a generation roll-over. */
	if (flush_tlb || svm->asid_cpu != smp_processor_id() ||
	    svm->asid_generation != sd->asid_generation)
		svm_new_asid(svm, sd);

	vmcb->save.rax = vcpu->regs.gpr[MV_RAX];
	vmcb->save.rsp = vcpu->regs.gpr[MV_RSP];
	vmcb->save.rip = vcpu->regs.rip;
	/*
	 * An injected #BP/#OF returns past its INT3/INTO: to NextRIP where
	 * the CPU has NRIPS, else to a RIP moved past it (KVM's
	 * svm_update_soft_interrupt_rip()).
	 */
	if (svm->soft_len) {
		svm->soft_rip = vcpu->regs.rip;
		if (svm_has_nrips)
			vmcb->control.next_rip = vcpu->regs.rip + svm->soft_len;
		else
			vmcb->save.rip += svm->soft_len;
	}
	vmcb->save.rflags = vcpu->regs.rflags;
	/*
	 * The guest's DR6 is the core's (every DR access exits): the hardware
	 * gets its reset value, so that a #DB shows its own cause bits.
	 */
	vmcb->save.dr6 = MV_DR6_ACTIVE_LOW;
	vmcb->save.dr7 = mv_hw_dr7(vcpu);
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~SVM_V_TPR_MASK) |
				(vcpu->cr8 & SVM_V_TPR_MASK);
	vmcb->control.clean = 0;	/* no caching hints: always correct */
	/* RDTSCP #UDs while the guest's CPUID lacks it (intercepts.c). */
	if (vcpu->cpuid_rdtscp)
		vmcb->control.intercept_misc2 &= ~SVM_INTERCEPT_RDTSCP;
	else
		vmcb->control.intercept_misc2 |= SVM_INTERCEPT_RDTSCP;
	tsc_aux = svm_has_tsc_aux() && vcpu->tsc_aux != sd->host_tsc_aux;

	svm_clgi();
	mv_guest_xstate_load(vcpu, vmcb->save.cr4);
	/*
	 * RDTSCP and RDPID read the guest's TSC_AUX. KVM keeps it loaded until
	 * the return to userspace (a user-return MSR); minivirt switches it
	 * around VMRUN, only when the values differ. Nothing in the kernel
	 * reads it in between (Linux's paranoid entry stopped using RDPID
	 * for KVM's sake in 5.9).
	 */
	if (tsc_aux)
		wrmsrl(MSR_TSC_AUX, vcpu->tsc_aux);
	/*
	 * Guest mode is a quiescent state for RCU, like user mode (an extended
	 * one under context tracking: no RCU, tracing or lockdep until the
	 * exit below); KVM's svm_vcpu_enter_exit().
	 */
	guest_state_enter_irqoff();
	/* Host IF=1 so that physical interrupts exit the guest; GIF=0 holds them. */
	raw_local_irq_enable();
	amd_clear_divider();
	/*
	 * The host state VMSAVE keeps (FS/GS/KernelGSBase, TR, LDTR, syscall
	 * and sysenter MSRs) belongs to this thread on this CPU and changes
	 * only across a return to userspace: save it once per KVM_RUN and CPU
	 * (a KVM_RUN may move to another CPU between two entries). KVM saves
	 * it at each vcpu_load (svm_prepare_switch_to_guest()).
	 */
	if (vcpu->host_state_stale) {
		svm->host_state_id = atomic64_inc_return(&svm_host_state_ids);
		vcpu->host_state_stale = false;
	}
	save = sd->host_saved_id != svm->host_state_id;
	faulted = mv_svm_vmrun(vcpu->regs.gpr, svm->vmcb_pa,
			       save ? sd->host_save_pa : 0, sd->host_save_pa);
	sd->host_saved_id = faulted ? 0 : svm->host_state_id;
	raw_local_irq_disable();
	guest_state_exit_irqoff();
	if (tsc_aux)
		wrmsrl(MSR_TSC_AUX, sd->host_tsc_aux);
	mv_guest_xstate_put(vcpu);
	svm_stgi();

	if (unlikely(faulted)) {
		/* SVM went off underneath us (reboot): nothing ran. */
		vcpu->exit.type = MV_EXIT_FAIL_ENTRY;
		vcpu->exit.hw_reason = SVM_EXIT_INVALID;
		return;
	}

	vcpu->regs.gpr[MV_RAX] = vmcb->save.rax;
	vcpu->regs.gpr[MV_RSP] = vmcb->save.rsp;
	vcpu->regs.rip = vmcb->save.rip;
	vcpu->regs.rflags = vmcb->save.rflags;
	vmcb->control.tlb_control = SVM_TLB_FLUSH_NOTHING;
	vmcb->control.event_inj = 0;

	svm_complete_events(svm);
	svm_decode_exit(svm);
}
