/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor ops table: everything that differs between Intel VT-x and AMD-V.
 *
 * The generic core (the .c files in kmod/) owns policy and never executes a
 * vendor instruction; a backend owns the hardware: entering the guest once and
 * decoding the exit into a struct mv_exit, state by group, event injection,
 * TLB tags, the nested-paging root. Each backend ends with one const instance
 * of this table (mv_vmx_backend, mv_svm_backend). Optional hooks say so; the
 * core checks them for NULL.
 */
#ifndef MINIVIRT_BACKEND_H
#define MINIVIRT_BACKEND_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_ctrl;
struct mv_tdp_format;
struct mv_vcpu;
struct mv_vm;
struct page;

/* What the core asks the backend to inject at the next entry. */
enum mv_inject_kind {
	MV_INJECT_EXCEPTION,
	MV_INJECT_NMI,
	MV_INJECT_INTR,
};

struct mv_backend {
	/* "VMX" or "SVM": for messages. */
	const char *name;
	/* What another hypervisor leaves set when it holds the hardware. */
	const char *in_use_bit;
	/* The backend's vCPU struct, which starts with struct mv_vcpu. */
	size_t vcpu_size;
	/* Nested-paging entry format. */
	const struct mv_tdp_format *tdp_format;
	/* The vendor's hypercall instruction (KVM's patch_hypercall hook). */
	u8 hypercall_insn[3];
	/*
	 * A shutdown INITs the vCPU before KVM_EXIT_SHUTDOWN (KVM's SVM: the
	 * VMCB is undefined after a SHUTDOWN intercept); else the state stays
	 * as the triple fault left it (KVM's VMX handle_triple_fault()).
	 */
	bool init_on_shutdown;

	/*
	 * Is this vendor's extension usable on this machine? 0 if so; -ENODEV,
	 * silently, if the CPU does not have it at all; any other errno after
	 * printing one line that says why it is present but unusable. Called
	 * once at module load; may read capability MSRs and cache them.
	 */
	int (*probe)(void);
	/* Module-lifetime resources (bitmaps, per-CPU save areas). Optional. */
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);

	/*
	 * Prepare the per-CPU page the core allocates for each possible CPU
	 * (VMXON region / SVM host save area) before it is ever used. Optional.
	 */
	void (*init_cpu_area)(void *va);

	/*
	 * Switch the hardware on/off on this CPU; IRQs are off. cpu_enable()
	 * returns -EBUSY, changing nothing, if the hardware is already on here
	 * (another hypervisor holds it). cpu_disable() is only called after a
	 * successful cpu_enable() on the same CPU.
	 */
	int (*cpu_enable)(struct page *cpu_area);
	void (*cpu_disable)(void);

	/* A vCPU in its architectural reset state (KVM's, after creation). */
	int (*vcpu_create)(struct mv_vcpu *vcpu);
	void (*vcpu_free)(struct mv_vcpu *vcpu);
	/* Back to the reset state (INIT), after a shutdown. */
	void (*vcpu_reset)(struct mv_vcpu *vcpu);

	/*
	 * Make the vCPU's hardware state usable on this CPU (VMX: VMCLEAR on
	 * the CPU it last ran on, then VMPTRLD here). Preemption is off, IRQs
	 * are on, so it may IPI. Optional.
	 */
	void (*prepare_run)(struct mv_vcpu *vcpu, int cpu);

	/*
	 * Enter the guest once, with preemption and IRQs off, and decode the
	 * exit into vcpu->exit. Injects what the core queued (see inject),
	 * flushes the TLB if asked, and hands back events whose delivery the
	 * exit interrupted.
	 */
	void (*run)(struct mv_vcpu *vcpu, bool flush_tlb);

	/* State by group. set_sregs() gets state the core already validated. */
	void (*get_ctrl)(struct mv_vcpu *vcpu, struct mv_ctrl *ctrl);
	void (*get_sregs)(struct mv_vcpu *vcpu, struct kvm_sregs *sregs);
	void (*set_sregs)(struct mv_vcpu *vcpu, const struct kvm_sregs *sregs);
	/* MSRs the hardware switches (VMCB/VMCS): -ENOENT for any other. */
	int (*get_msr)(struct mv_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct mv_vcpu *vcpu, u32 index, u64 data);
	void (*set_efer)(struct mv_vcpu *vcpu, u64 efer);
	/* Guest TSC = host TSC + offset (VMCB/VMCS TSC offset). */
	void (*set_tsc_offset)(struct mv_vcpu *vcpu, u64 offset);

	/* Interrupts: may one be taken now; ask for an exit when it may. */
	bool (*interrupt_allowed)(struct mv_vcpu *vcpu);
	bool (*nmi_allowed)(struct mv_vcpu *vcpu);
	void (*enable_irq_window)(struct mv_vcpu *vcpu);
	u32 (*get_interrupt_shadow)(struct mv_vcpu *vcpu);	/* KVM_X86_SHADOW_INT_* */
	void (*set_interrupt_shadow)(struct mv_vcpu *vcpu, u32 shadow);
	/*
	 * payload: CR2 for a #PF. An exception with vcpu->exception.insn_len
	 * set is a software exception (INT3/INTO's #BP/#OF): it returns past
	 * that many bytes at RIP, and the backend hands it back with the
	 * same length if its delivery is interrupted.
	 */
	void (*inject)(struct mv_vcpu *vcpu, enum mv_inject_kind kind, u8 vector,
		       bool has_error_code, u32 error_code, u64 payload);

	/* Intercept the exceptions mv_exception_intercepts() lists now. */
	void (*update_exception_intercepts)(struct mv_vcpu *vcpu);

	/* The nested-paging root every vCPU of the VM uses. */
	void (*set_tdp_root)(struct mv_vcpu *vcpu, phys_addr_t root);

	/*
	 * A guest write to CR0/CR3/CR4 after the core's checks (cr.c), as the
	 * guest sees it; the backend derives what the hardware runs with.
	 */
	void (*set_cr)(struct mv_vcpu *vcpu, int cr, u64 value);
	/* Shadow paging (optional: NULL if the backend has none). */
	void (*set_shadow_root)(struct mv_vcpu *vcpu, phys_addr_t root);
};

extern const struct mv_backend mv_vmx_backend;
extern const struct mv_backend mv_svm_backend;

/* The backend chosen at module load. */
extern const struct mv_backend *mv_backend;

#endif /* MINIVIRT_BACKEND_H */
