// SPDX-License-Identifier: GPL-2.0-only
/*
 * Entering a VMX guest and decoding its exits into struct mv_exit.
 *
 * vmx_run() is called by the core with preemption and IRQs off, after
 * prepare_run() made the vCPU's VMCS current on this CPU. It flushes EPT
 * translations when asked, puts the state the core keeps (RSP, RIP, RFLAGS,
 * DR7, CR8, interruptibility) into the VMCS, enters once (entry.S), restores
 * the host state a VM exit does not, hands the host its NMI, gives the core
 * back events whose delivery the exit interrupted, and decodes the exit
 * through a table indexed by the basic exit reason. Policy is the core's.
 *
 * Host state (SDM vol 3C 28.5 "Loading Host State"): a VM exit loads CR0,
 * CR3, CR4, RSP, RIP, the CS/SS/DS/ES/FS/GS/TR selectors, the FS/GS/TR/GDTR/
 * IDTR bases, SYSENTER, PAT and EFER from the VMCS, and the syscall MSRs and
 * the task's KERNEL_GS_BASE from the VM-exit MSR-load area (vmx.h). What it
 * does not restore, and Linux needs back, is done after every exit: a task's
 * non-null DS/ES/FS/GS selectors (and the FS base a selector load would
 * change), the LDT, the GDT limit (the exit sets it to 0xffff:
 * load_fixmap_gdt()), the TSS limit (0x67 after the exit: the I/O bitmap
 * needs the real one, so invalidate_tss_limit() as KVM), and IA32_DEBUGCTL
 * (cleared by the exit). The IDT limit (also 0xffff) is left: all 256
 * vectors are within the real one, as on KVM. The task-dependent values are
 * saved once per KVM_RUN (vcpu->host_state_stale), the CPU-dependent ones
 * when the VMCS comes to a CPU (vcpu.c). CR2 is the guest's while it runs.
 */
#include <linux/kernel.h>
#include <linux/kvm_host.h>	/* guest_state_enter/exit_irqoff() */
#include <linux/nospec.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/debugreg.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "../intercepts.h"
#include "../run.h"
#include "../vcpu.h"
#include "vmx.h"

/* VTPR: bits 7:4 of offset 0x80 of the virtual-APIC page (SDM vol 3C 30.1.1). */
#define VAPIC_TPR		0x80

/* DR6 bits a #DB exit qualification reports (table 28-1). */
#define DB_QUAL_DR6		(0xfULL | BIT_ULL(13) | BIT_ULL(14) | BIT_ULL(16))

static void vmx_save_host_state(struct vmx_vcpu *vmx)
{
	struct vmx_host_state *h = &vmx->host;

	savesegment(fs, h->fs_sel);
	savesegment(gs, h->gs_sel);
	savesegment(ds, h->ds_sel);
	savesegment(es, h->es_sel);
	store_ldt(h->ldt_sel);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	h->debugctl = get_debugctlmsr();
	/* 27.2.3: host selectors must have RPL and TI clear; 0 then, reload. */
	vmcs_write16(VMCS_HOST_FS_SEL, h->fs_sel & 7 ? 0 : h->fs_sel);
	vmcs_write16(VMCS_HOST_GS_SEL, h->gs_sel & 7 ? 0 : h->gs_sel);
	vmcs_writel(VMCS_HOST_FS_BASE, h->fs_base);
	vmx->msrs[VMX_AREA_HOST + VMX_AREA_KERNEL_GS_BASE].value =
		h->kernel_gs_base;
}

/* As KVM's vmx_prepare_switch_to_host(), after every exit. */
static void vmx_restore_host_state(struct vmx_vcpu *vmx)
{
	const struct vmx_host_state *h = &vmx->host;

	if (unlikely(h->ldt_sel || (h->gs_sel & 7))) {
		asm volatile("lldt %0" : : "rm" (h->ldt_sel));
		load_gs_index(h->gs_sel);
		/* load_gs_index() changed the task's GS base: */
		wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	}
	if (unlikely(h->fs_sel & 7)) {
		loadsegment(fs, h->fs_sel);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (unlikely(h->ds_sel | h->es_sel)) {
		loadsegment(ds, h->ds_sel);
		loadsegment(es, h->es_sel);
	}
	invalidate_tss_limit();
	load_fixmap_gdt(smp_processor_id());
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);
}

/*
 * Gives the core back an event whose delivery the exit interrupted (SDM vol
 * 3C 28.2.4 "Information for VM Exits During Event Delivery"; KVM's
 * __vmx_complete_interrupts()).
 */
static void vmx_complete_events(struct vmx_vcpu *vmx)
{
	struct mv_vcpu *vcpu = &vmx->vcpu;
	u32 info = vmx->idt_info;
	u8 vector = info & VMX_INTR_INFO_VECTOR;

	mv_events_delivered(vcpu);
	if (!(info & VMX_INTR_INFO_VALID))
		return;

	switch (info & VMX_INTR_INFO_TYPE) {
	case VMX_INTR_TYPE_NMI:
		vcpu->nmi_injected = true;
		/* 28.2.4: the NMI was not delivered, so it does not block. */
		vcpu->nmi_masked = false;
		break;
	case VMX_INTR_TYPE_HW_EXCEPTION:
		/* A #PF in delivery already set CR2: give it again. */
		mv_requeue_exception(vcpu, vector, info & VMX_INTR_INFO_ERROR_CODE,
				     vmcs_read32(VMCS_IDT_VECTORING_ERROR),
				     vmx->cr2);
		break;
	case VMX_INTR_TYPE_SW_EXCEPTION:
		/* INT3/INTO's trap: the exit gives the instruction's length. */
		mv_requeue_exception(vcpu, vector, false, 0, 0);
		vcpu->exception.insn_len = vmcs_read32(VMCS_EXIT_INSN_LEN);
		break;
	case VMX_INTR_TYPE_EXT:
		vcpu->interrupt.injected = true;
		vcpu->interrupt.vector = vector;
		break;
	default:
		/* INTn, INT1: RIP still points at it; it runs again. */
		break;
	}
}

void vmx_update_exception_intercepts(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	vmcs_write32(VMCS_EXCEPTION_BITMAP, mv_exception_intercepts(vcpu));
	vmx_put(vmx);
}

/* KVM's vmx_get_exit_info(); no exit made it after a failed entry. */
void vmx_exit_info(struct mv_vcpu *vcpu, u64 info[5])
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);
	u32 mask = VMX_INTR_INFO_VALID | VMX_INTR_INFO_ERROR_CODE;
	u32 intr;

	info[0] = (u32)vcpu->exit.hw_reason;
	info[1] = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	info[2] = info[3] = info[4] = 0;
	if (!(vcpu->exit.hw_reason & VMX_EXIT_REASON_FAILED_ENTRY)) {
		intr = vmcs_read32(VMCS_EXIT_INTR_INFO);
		info[2] = vmx->idt_info;
		info[3] = intr;
		if ((intr & mask) == mask)
			info[4] = vmcs_read32(VMCS_EXIT_INTR_ERROR);
	}
	vmx_put(vmx);
}

void vmx_inject(struct mv_vcpu *vcpu, enum mv_inject_kind kind, u8 vector,
		bool has_error_code, u32 error_code, u64 payload)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);
	u32 info = VMX_INTR_INFO_VALID | vector;

	switch (kind) {
	case MV_INJECT_EXCEPTION:
		/* 27.5.1.1: a software exception returns past its instruction. */
		if (vcpu->exception.insn_len) {
			info |= VMX_INTR_TYPE_SW_EXCEPTION;
			vmcs_write32(VMCS_ENTRY_INSN_LEN, vcpu->exception.insn_len);
			break;
		}
		info |= VMX_INTR_TYPE_HW_EXCEPTION;
		/*
		 * 27.2.1.3 "Checks on VM-Entry Control Fields": an error code
		 * only in protected mode (KVM drops it in real mode), and only
		 * 16 bits of it (KVM: what Intel CPUs take).
		 */
		if (has_error_code &&
		    (vmcs_readl(VMCS_GUEST_CR0) & X86_CR0_PE)) {
			info |= VMX_INTR_INFO_ERROR_CODE;
			vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, (u16)error_code);
		}
		if (vector == PF_VECTOR)
			vmx->cr2 = payload;
		break;
	case MV_INJECT_NMI:
		info = VMX_INTR_INFO_VALID | VMX_INTR_TYPE_NMI | NMI_VECTOR;
		vmx->injecting_nmi = true;
		break;
	case MV_INJECT_INTR:
		info |= VMX_INTR_TYPE_EXT;
		break;
	}
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
	vmx->event_injected = true;
	vmx_put(vmx);
}

bool vmx_interrupt_allowed(struct mv_vcpu *vcpu)
{
	return (vcpu->regs.rflags & X86_EFLAGS_IF) &&
	       !(to_vmx(vcpu)->intr_state & (VMX_INTR_STI | VMX_INTR_MOV_SS));
}

/* Virtual NMIs: the core's nmi_masked is the interruptibility NMI bit. */
bool vmx_nmi_allowed(struct mv_vcpu *vcpu)
{
	return !vcpu->nmi_masked &&
	       !(to_vmx(vcpu)->intr_state & (VMX_INTR_STI | VMX_INTR_MOV_SS));
}

static void vmx_set_proc(struct vmx_vcpu *vmx, u32 proc)
{
	if (proc != vmx->proc) {
		vmx->proc = proc;
		vmcs_write32(VMCS_PROC_CONTROLS, proc);
	}
}

/* SDM vol 3C 26.7.5 "Interrupt-Window Exiting and Virtual-Interrupt Delivery". */
void vmx_enable_irq_window(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	vmx_set_proc(vmx, vmx->proc | VMX_PROC_INTR_WINDOW);
	vmx_put(vmx);
}

u32 vmx_get_interrupt_shadow(struct mv_vcpu *vcpu)
{
	u32 s = to_vmx(vcpu)->intr_state;

	return (s & VMX_INTR_STI ? KVM_X86_SHADOW_INT_STI : 0) |
	       (s & VMX_INTR_MOV_SS ? KVM_X86_SHADOW_INT_MOV_SS : 0);
}

/* KVM's vmx_set_interrupt_shadow(): one kind of blocking at a time. */
void vmx_set_interrupt_shadow(struct mv_vcpu *vcpu, u32 shadow)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->intr_state &= ~(VMX_INTR_STI | VMX_INTR_MOV_SS);
	if (shadow & KVM_X86_SHADOW_INT_MOV_SS)
		vmx->intr_state |= VMX_INTR_MOV_SS;
	else if (shadow & KVM_X86_SHADOW_INT_STI)
		vmx->intr_state |= VMX_INTR_STI;
}

/* Exit decoders: fill vcpu->exit from the VMCS, current, with IRQs off. */
typedef void (*vmx_exit_fn)(struct vmx_vcpu *vmx, struct mv_exit *exit);

/* An exit caused by an instruction: VMX gives its length (28.2.5). */
static void insn_exit(struct mv_exit *exit, enum mv_exit_type type)
{
	exit->type = type;
	exit->insn_len = vmcs_read32(VMCS_EXIT_INSN_LEN);
}

static void unexpected(struct mv_exit *exit)
{
	exit->type = MV_EXIT_UNEXPECTED;
	exit->unexpected.info[0] = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	exit->unexpected.info[1] = vmcs_read32(VMCS_EXIT_INTR_INFO);
}

static void exit_ud(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	exit->type = MV_EXIT_UD;
}

static void exit_nop(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	insn_exit(exit, MV_EXIT_NOP);
}

/*
 * The core's intercept list (intercepts.c) in VMX terms (SDM vol 3C 26.1
 * "Instructions That Cause VM Exits", 25.6 "VM-Execution Control Fields"):
 * the control that makes it exit, or none where the exit is unconditional,
 * and the basic exit reason (Appendix C). RDTSCP and RDPID have no exit of
 * their own: "enable RDTSCP" clear makes both #UD (26.3), and the backend
 * sets it per vCPU (vmx_run()). RDPRU does not exist on Intel CPUs (#UD).
 * The decoder of an exit in this list is exit_intercept() unless it needs
 * the exit qualification.
 */
enum vmx_icpt_via { VMX_VIA_ALWAYS, VMX_VIA_PIN, VMX_VIA_PROC, VMX_VIA_PROC2 };

struct vmx_intercept {
	enum mv_intercept icpt;
	enum vmx_icpt_via via;
	u32 bit;
	u32 reason;		/* 0: none (a gate, not an exit) */
};

static const struct vmx_intercept vmx_intercepts[] = {
	{ MV_ICPT_INTR,		VMX_VIA_PIN, VMX_PIN_EXT_INTR_EXITING, VMX_EXIT_EXT_INTR },
	{ MV_ICPT_NMI,		VMX_VIA_PIN, VMX_PIN_NMI_EXITING, 0 },
	{ MV_ICPT_SMI,		VMX_VIA_ALWAYS, 0, VMX_EXIT_IO_SMI },
	{ MV_ICPT_SMI,		VMX_VIA_ALWAYS, 0, VMX_EXIT_OTHER_SMI },
	{ MV_ICPT_SHUTDOWN,	VMX_VIA_ALWAYS, 0, VMX_EXIT_TRIPLE_FAULT },
	{ MV_ICPT_CPUID,	VMX_VIA_ALWAYS, 0, VMX_EXIT_CPUID },
	{ MV_ICPT_HLT,		VMX_VIA_PROC, VMX_PROC_HLT_EXITING, VMX_EXIT_HLT },
	{ MV_ICPT_IO,		VMX_VIA_PROC, VMX_PROC_IO_BITMAPS, VMX_EXIT_IO },
	{ MV_ICPT_MSR,		VMX_VIA_PROC, VMX_PROC_MSR_BITMAPS, VMX_EXIT_RDMSR },
	{ MV_ICPT_XSETBV,	VMX_VIA_ALWAYS, 0, VMX_EXIT_XSETBV },
	{ MV_ICPT_HYPERCALL,	VMX_VIA_ALWAYS, 0, VMX_EXIT_VMCALL },
	{ MV_ICPT_INVD,		VMX_VIA_ALWAYS, 0, VMX_EXIT_INVD },
	{ MV_ICPT_WBINVD,	VMX_VIA_PROC2, VMX_PROC2_WBINVD_EXITING, VMX_EXIT_WBINVD },
	{ MV_ICPT_MONITOR,	VMX_VIA_PROC, VMX_PROC_MONITOR_EXITING, VMX_EXIT_MONITOR },
	{ MV_ICPT_MWAIT,	VMX_VIA_PROC, VMX_PROC_MWAIT_EXITING, VMX_EXIT_MWAIT },
	{ MV_ICPT_RDPMC,	VMX_VIA_PROC, VMX_PROC_RDPMC_EXITING, VMX_EXIT_RDPMC },
	{ MV_ICPT_RDTSCP,	VMX_VIA_PROC2, VMX_PROC2_RDTSCP, 0 },
	{ MV_ICPT_RDPID,	VMX_VIA_PROC2, VMX_PROC2_RDTSCP, 0 },
	/* VMX instructions exit unconditionally (26.1.2); no nested VMX. */
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMCLEAR },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMLAUNCH },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMPTRLD },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMPTRST },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMREAD },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMRESUME },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMWRITE },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMXOFF },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMXON },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_INVEPT },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_INVVPID },
	{ MV_ICPT_VIRT,		VMX_VIA_ALWAYS, 0, VMX_EXIT_VMFUNC },
	{ MV_ICPT_GETSEC,	VMX_VIA_ALWAYS, 0, VMX_EXIT_GETSEC },
	{ MV_ICPT_TASK_SWITCH,	VMX_VIA_ALWAYS, 0, VMX_EXIT_TASK_SWITCH },
};

static u8 vmx_intercept_of_exit[VMX_EXIT_MAX + 1];

/* After the controls are chosen (vmx.c): does each list entry exit? */
int vmx_intercepts_init(void)
{
	enum mv_icpt_cover cover[MV_ICPT_NR] = {
		[MV_ICPT_RDPRU] = MV_COVER_ABSENT,
	};
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(vmx_intercepts) > U8_MAX);
	for (i = 0; i < ARRAY_SIZE(vmx_intercepts); i++) {
		const struct vmx_intercept *vi = &vmx_intercepts[i];
		u32 set = vi->via == VMX_VIA_PIN ? vmx_cfg.pin :
			  vi->via == VMX_VIA_PROC ? vmx_cfg.proc :
			  vi->via == VMX_VIA_PROC2 ? vmx_cfg.proc2 : 0;

		if (vi->via != VMX_VIA_ALWAYS && !(set & vi->bit))
			continue;
		cover[vi->icpt] = vi->via == VMX_VIA_ALWAYS ? MV_COVER_ALWAYS :
				  MV_COVER_CONTROL;
		if (vi->reason)
			vmx_intercept_of_exit[vi->reason] = i;
	}
	/*
	 * Without "enable RDTSCP" RDTSCP and RDPID always #UD: refused, not
	 * offered (cpuid.c), as KVM's vmx_set_cpu_caps().
	 */
	if (!(vmx_cfg.proc2 & VMX_PROC2_RDTSCP))
		cover[MV_ICPT_RDTSCP] = cover[MV_ICPT_RDPID] = MV_COVER_ABSENT;
	return mv_intercepts_check("VMX", cover);
}

/* An exit of the list: what the core's list says it is. */
static void exit_intercept(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	u32 basic = vmx->vcpu.exit.hw_reason & VMX_EXIT_REASON_BASIC;
	const struct vmx_intercept *vi;

	vi = &vmx_intercepts[vmx_intercept_of_exit[array_index_nospec(basic,
				ARRAY_SIZE(vmx_intercept_of_exit))]];
	if (mv_intercept_is_event(vi->icpt))
		exit->type = mv_intercepts[vi->icpt].exit;
	else
		insn_exit(exit, mv_intercepts[vi->icpt].exit);
}

static void exit_rdmsr(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	insn_exit(exit, MV_EXIT_RDMSR);
}

static void exit_wrmsr(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	insn_exit(exit, MV_EXIT_WRMSR);
}

static void exit_tpr_below_threshold(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	exit->type = MV_EXIT_TPR_LOWERED;
}

static void exit_intr_window(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	vmx_set_proc(vmx, vmx->proc & ~VMX_PROC_INTR_WINDOW);
	exit->type = MV_EXIT_IRQ_WINDOW;
}

/* NMIs are unblocked: the core injects the pending one at the next entry. */
static void exit_nmi_window(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	vmx_set_proc(vmx, vmx->proc & ~VMX_PROC_NMI_WINDOW);
	exit->type = MV_EXIT_NONE;
}

/* Table 28-5: exit qualification for I/O instructions. */
static void exit_io(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);

	insn_exit(exit, MV_EXIT_IO);
	exit->io.port = VMX_QUAL_IO_PORT(q);
	exit->io.size = VMX_QUAL_IO_SIZE(q);
	exit->io.in = q & VMX_QUAL_IO_IN;
	exit->io.string = q & VMX_QUAL_IO_STRING;
}

/* Table 28-4: the core decodes the instruction itself (and its GPR). */
static void exit_dr(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);

	insn_exit(exit, MV_EXIT_DR_ACCESS);
	exit->dr.nr = VMX_QUAL_DR_NR(q);
	exit->dr.write = !(q & VMX_QUAL_DR_FROM);
}

/*
 * A MOV to/from CRn, LMSW or CLTS that exits (vcpu.c: the owned CR0/CR4
 * bits; under shadow paging CR3 too): the core decodes and emulates it.
 */
static void exit_cr(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	insn_exit(exit, MV_EXIT_CR_ACCESS);
}

/* Table 28-7. An IRET that faulted on the way leaves NMIs blocked (28.2.3). */
static void exit_ept_violation(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);

	if ((q & VMX_QUAL_EPT_NMI_UNBLOCKED) &&
	    !(vmx->idt_info & VMX_INTR_INFO_VALID))
		vmx->vcpu.nmi_masked = true;
	exit->type = MV_EXIT_GPA_FAULT;
	exit->gpa_fault.gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDR);
	exit->gpa_fault.write = q & VMX_QUAL_EPT_WRITE;
	exit->gpa_fault.fetch = q & VMX_QUAL_EPT_FETCH;
	exit->gpa_fault.present = q & VMX_QUAL_EPT_PERMS;
}

/* Our EPT tables are wrong: a bug, reported as such. */
static void exit_ept_misconfig(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	exit->type = MV_EXIT_UNEXPECTED;
	exit->unexpected.info[0] = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDR);
	exit->unexpected.info[1] = vmcs_readl(VMCS_EXIT_QUALIFICATION);
}

/*
 * A #DB's DR6 bits come in the exit qualification (table 28-1); the core
 * decides whose it is (debug.c). INT1 (ICEBP) exits on itself, as a
 * privileged software exception, before it ran.
 */
static void exit_db(struct mv_exit *exit, u32 type)
{
	exit->type = MV_EXIT_DB;
	exit->db.payload = vmcs_readl(VMCS_EXIT_QUALIFICATION) & DB_QUAL_DR6;
	exit->db.icebp = type == VMX_INTR_TYPE_PRIV_SW_EXCEPTION;
	if (exit->db.icebp)
		exit->insn_len = vmcs_read32(VMCS_EXIT_INSN_LEN);
}

static void exit_exception_nmi(struct vmx_vcpu *vmx, struct mv_exit *exit)
{
	u32 info = vmcs_read32(VMCS_EXIT_INTR_INFO);
	u8 vector = info & VMX_INTR_INFO_VECTOR;
	u32 type = info & VMX_INTR_INFO_TYPE;

	exit->type = MV_EXIT_NONE;
	if (type == VMX_INTR_TYPE_NMI)
		return;		/* the host's: handled in vmx_run() */
	/* 28.2.3: an IRET that faulted unblocked NMIs too early. */
	if ((info & VMX_INTR_INFO_NMI_UNBLOCKED) && vector != DF_VECTOR &&
	    !(vmx->idt_info & VMX_INTR_INFO_VALID))
		vmx->vcpu.nmi_masked = true;

	switch (vector) {
	case PF_VECTOR:
		/*
		 * Shadow paging (28.2.1: the faulting address is the exit
		 * qualification; CR2 is not written by a #PF that exits).
		 */
		if (!vmx->shadow) {
			unexpected(exit);
			break;
		}
		exit->type = MV_EXIT_PAGE_FAULT;
		exit->page_fault.address = vmcs_readl(VMCS_EXIT_QUALIFICATION);
		exit->page_fault.error_code = vmcs_read32(VMCS_EXIT_INTR_ERROR);
		break;
	case MC_VECTOR:
		/* A machine check in the guest is the host's: its handler. */
		asm volatile("int $0x12");
		break;
	case DB_VECTOR:
		exit_db(exit, type);
		break;
	case BP_VECTOR:
		/* Only intercepted for the debugger: RIP is at the INT3. */
		exit->type = MV_EXIT_BP;
		break;
	case UD_VECTOR:
		/* RIP at the instruction: the core decides (hypercall.c). */
		exit->type = MV_EXIT_UD_FAULT;
		break;
	case AC_VECTOR:
		mv_queue_exception(&vmx->vcpu, AC_VECTOR, true,
				   vmcs_read32(VMCS_EXIT_INTR_ERROR));
		break;
	default:
		unexpected(exit);
		break;
	}
}

/* Appendix C: basic exit reasons; what is not here is unexpected. */
static const vmx_exit_fn vmx_exit_decoders[VMX_EXIT_MAX + 1] = {
	[VMX_EXIT_EXCEPTION_NMI]	= exit_exception_nmi,
	[VMX_EXIT_EXT_INTR]		= exit_intercept, /* taken once IRQs are on */
	[VMX_EXIT_TRIPLE_FAULT]		= exit_intercept,
	[VMX_EXIT_IO_SMI]		= exit_intercept,
	[VMX_EXIT_OTHER_SMI]		= exit_intercept,
	[VMX_EXIT_TASK_SWITCH]		= exit_intercept,
	[VMX_EXIT_INTR_WINDOW]		= exit_intr_window,
	[VMX_EXIT_NMI_WINDOW]		= exit_nmi_window,
	[VMX_EXIT_CPUID]		= exit_intercept,
	[VMX_EXIT_GETSEC]		= exit_intercept,
	[VMX_EXIT_HLT]			= exit_intercept,
	[VMX_EXIT_INVD]			= exit_intercept,
	[VMX_EXIT_RDPMC]		= exit_intercept,
	[VMX_EXIT_RSM]			= exit_ud,
	[VMX_EXIT_VMCALL]		= exit_intercept,
	[VMX_EXIT_VMCLEAR]		= exit_intercept,
	[VMX_EXIT_VMLAUNCH]		= exit_intercept,
	[VMX_EXIT_VMPTRLD]		= exit_intercept,
	[VMX_EXIT_VMPTRST]		= exit_intercept,
	[VMX_EXIT_VMREAD]		= exit_intercept,
	[VMX_EXIT_VMRESUME]		= exit_intercept,
	[VMX_EXIT_VMWRITE]		= exit_intercept,
	[VMX_EXIT_VMXOFF]		= exit_intercept,
	[VMX_EXIT_VMXON]		= exit_intercept,
	[VMX_EXIT_CR_ACCESS]		= exit_cr,
	[VMX_EXIT_DR_ACCESS]		= exit_dr,
	[VMX_EXIT_IO]			= exit_io,
	[VMX_EXIT_RDMSR]		= exit_rdmsr,
	[VMX_EXIT_WRMSR]		= exit_wrmsr,
	[VMX_EXIT_MWAIT]		= exit_intercept,
	[VMX_EXIT_MONITOR]		= exit_intercept,
	[VMX_EXIT_PAUSE]		= exit_nop,	/* PAUSE-loop exiting */
	[VMX_EXIT_TPR_BELOW_THRESHOLD]	= exit_tpr_below_threshold,
	[VMX_EXIT_EPT_VIOLATION]	= exit_ept_violation,
	[VMX_EXIT_EPT_MISCONFIG]	= exit_ept_misconfig,
	[VMX_EXIT_INVEPT]		= exit_intercept,
	[VMX_EXIT_INVVPID]		= exit_intercept,
	[VMX_EXIT_WBINVD]		= exit_intercept,
	[VMX_EXIT_XSETBV]		= exit_intercept,
	[VMX_EXIT_VMFUNC]		= exit_intercept,
};

static void vmx_decode_exit(struct vmx_vcpu *vmx, u32 reason)
{
	u32 basic = reason & VMX_EXIT_REASON_BASIC;
	struct mv_exit *exit = &vmx->vcpu.exit;
	vmx_exit_fn fn = NULL;

	if (basic <= VMX_EXIT_MAX)
		fn = vmx_exit_decoders[array_index_nospec(basic, VMX_EXIT_MAX + 1)];
	if (fn)
		fn(vmx, exit);
	else
		unexpected(exit);
}

/* Entry-time view of the state the core keeps. */
static void vmx_put_guest_state(struct vmx_vcpu *vmx)
{
	struct mv_vcpu *vcpu = &vmx->vcpu;
	u64 rflags = vcpu->regs.rflags;
	u32 intr = vmx->intr_state & ~VMX_INTR_NMI;
	u64 dbg;

	vmcs_writel(VMCS_GUEST_RSP, vcpu->regs.gpr[MV_RSP]);
	vmcs_writel(VMCS_GUEST_RIP, vcpu->regs.rip);
	vmcs_writel(VMCS_GUEST_RFLAGS, rflags);
	vmcs_writel(VMCS_GUEST_DR7, mv_hw_dr7(vcpu));

	/*
	 * 27.3.1.5 "Checks on Guest Non-Register State": no STI blocking
	 * with IF clear; NMI blocking as the core has it, but clear while an
	 * NMI is being injected; BS pending exactly when single-stepping out
	 * of a blocking instruction.
	 */
	if (!(rflags & X86_EFLAGS_IF))
		intr &= ~VMX_INTR_STI;
	if (vcpu->nmi_masked && !vmx->injecting_nmi)
		intr |= VMX_INTR_NMI;
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, intr);
	if (unlikely(intr & (VMX_INTR_STI | VMX_INTR_MOV_SS))) {
		dbg = vmcs_readl(VMCS_GUEST_PENDING_DBG) & ~VMX_PENDING_DBG_BS;
		if ((rflags & X86_EFLAGS_TF) &&
		    !(vmcs_read64(VMCS_GUEST_DEBUGCTL) & DEBUGCTLMSR_BTF))
			dbg |= VMX_PENDING_DBG_BS;
		vmcs_writel(VMCS_GUEST_PENDING_DBG, dbg);
	}
	/*
	 * MOV CR8 works on VTPR (30.1.1 "Virtualized APIC Registers"); one
	 * that lowers it below the threshold exits after it completes (30.1.2
	 * "TPR Virtualization"), which the core reports as KVM_EXIT_SET_TPR.
	 * The threshold may not exceed VTPR[7:4] at entry (26.2.1.1).
	 */
	*(u32 *)(vmx->vapic + VAPIC_TPR) = (vcpu->cr8 & 0xf) << 4;
	vmcs_write32(VMCS_TPR_THRESHOLD, vcpu->cr8 & 0xf);
	/* An NMI the core could not inject yet: exit as soon as it can be. */
	if (vcpu->nmi_pending)
		vmx_set_proc(vmx, vmx->proc | VMX_PROC_NMI_WINDOW);
}

static void vmx_fail_entry(struct vmx_vcpu *vmx, u32 hw_reason)
{
	struct mv_exit *exit = &vmx->vcpu.exit;

	exit->type = MV_EXIT_FAIL_ENTRY;
	exit->hw_reason = hw_reason;
	/* Nothing was delivered; the core injects it again next time. */
	if (vmx->event_injected)
		vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmx->event_injected = false;
	vmx->injecting_nmi = false;
}

void vmx_run(struct mv_vcpu *vcpu, bool flush_tlb)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct mv_exit *exit = &vcpu->exit;
	u32 reason, info;
	u64 cr3, cr4;
	int r;

	exit->insn_len = MV_INSN_LEN_UNKNOWN;
	exit->opcode = NULL;
	exit->hw_reason = 0;

	/* The VMCS is not current here any more: VMX went off (a reboot). */
	if (unlikely(vmx->cpu != smp_processor_id() ||
		     __this_cpu_read(vmx_cpu.current_vmcs) != vmx->vmcs)) {
		vmx_fail_entry(vmx, 0);
		return;
	}
	/* No unrestricted guest: refuse real mode as the CPU would (27.3.1.1). */
	if (unlikely(!vmx_guest_state_runnable(vmx))) {
		vmx_fail_entry(vmx, VMX_EXIT_REASON_FAILED_ENTRY |
				    VMX_EXIT_INVALID_STATE);
		return;
	}

	if (flush_tlb || vmx->flush_pending) {
		vmx_flush_tlb(vmx);
		vmx->flush_pending = false;
	}
	if (vcpu->host_state_stale) {
		vmx_save_host_state(vmx);
		vcpu->host_state_stale = false;
	}
	/* They change under us: PCIDs, CR4.PCE/TSD per task (KVM likewise). */
	cr3 = __read_cr3();
	if (unlikely(cr3 != vmx->host_cr3)) {
		vmx->host_cr3 = cr3;
		vmcs_writel(VMCS_HOST_CR3, cr3);
	}
	cr4 = cr4_read_shadow();
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmx->host_cr4 = cr4;
		vmcs_writel(VMCS_HOST_CR4, cr4);
	}
	vmx_put_guest_state(vmx);
	/*
	 * RDTSCP and RDPID run on the guest's TSC_AUX (the MSR area loads it)
	 * while its CPUID offers either; else both #UD, as KVM's
	 * vmx_secondary_exec_control() (intercepts.c).
	 */
	if (vmx_cfg.proc2 & VMX_PROC2_RDTSCP) {
		u32 proc2 = vmx->proc2 & ~VMX_PROC2_RDTSCP;

		if (vcpu->cpuid_rdtscp || vcpu->cpuid_rdpid)
			proc2 |= VMX_PROC2_RDTSCP;
		if (proc2 != vmx->proc2) {
			vmx->proc2 = proc2;
			vmcs_write32(VMCS_PROC2_CONTROLS, proc2);
		}
		vmx->msrs[VMX_AREA_TSC_AUX].value = vcpu->tsc_aux;
	}
	if (vmx->cr2 != native_read_cr2())
		native_write_cr2(vmx->cr2);

	mv_guest_xstate_load(vcpu, vmcs_readl(VMCS_GUEST_CR4));
	/* Guest mode is an RCU quiescent state (KVM's vmx_vcpu_enter_exit()). */
	guest_state_enter_irqoff();
	r = mv_vmx_vcpu_run(vcpu->regs.gpr, vmx->launched);
	vmx->cr2 = native_read_cr2();
	guest_state_exit_irqoff();
	vmx_restore_host_state(vmx);
	mv_guest_xstate_put(vcpu);

	if (unlikely(r)) {
		/* VMfailValid: the VM-instruction error (31.4); 0: VMX is off. */
		vmx_fail_entry(vmx, r == 1 ? vmcs_read32(VMCS_INSN_ERROR) : 0);
		return;
	}

	reason = vmcs_read32(VMCS_EXIT_REASON);
	/* An NMI that exited the guest is the host's: to its handler, now. */
	if ((reason & VMX_EXIT_REASON_BASIC) == VMX_EXIT_EXCEPTION_NMI) {
		info = vmcs_read32(VMCS_EXIT_INTR_INFO);
		if ((info & (VMX_INTR_INFO_VALID | VMX_INTR_INFO_TYPE)) ==
		    (VMX_INTR_INFO_VALID | VMX_INTR_TYPE_NMI))
			mv_vmx_do_nmi_irqoff();
	}

	vcpu->regs.gpr[MV_RSP] = vmcs_readl(VMCS_GUEST_RSP);
	vcpu->regs.rip = vmcs_readl(VMCS_GUEST_RIP);
	vcpu->regs.rflags = vmcs_readl(VMCS_GUEST_RFLAGS);

	/* 27.8 "VM-Entry Failures During or After Loading Guest State". */
	if (unlikely(reason & VMX_EXIT_REASON_FAILED_ENTRY)) {
		if ((reason & VMX_EXIT_REASON_BASIC) == VMX_EXIT_MCE_DURING_ENTRY)
			asm volatile("int $0x12");
		vmx_fail_entry(vmx, reason);
		return;
	}
	exit->hw_reason = reason;
	vmx->launched = true;
	vmx->event_injected = false;	/* the exit cleared its valid bit */
	vmx->injecting_nmi = false;

	vmx->intr_state = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
	vcpu->nmi_masked = vmx->intr_state & VMX_INTR_NMI;
	vcpu->cr8 = (*(u32 *)(vmx->vapic + VAPIC_TPR) >> 4) & 0xf;
	vmx_sync_lma(vmx);

	vmx->idt_info = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	vmx_complete_events(vmx);
	vmx_decode_exit(vmx, reason);
}
