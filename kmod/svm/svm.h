/* SPDX-License-Identifier: GPL-2.0-only */
/* AMD-V backend internals shared by its files. */
#ifndef MINIVIRT_SVM_H
#define MINIVIRT_SVM_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/asm.h>

#include "../backend.h"
#include "../intercepts.h"
#include "../vcpu.h"
#include "vmcb.h"

/* CPUID Fn8000_000A EDX: SVM features (APM vol 3, appendix E.4.9). */
#define SVM_CPUID_LEAF		0x8000000a
#define SVM_FEATURE_NPT		BIT(0)
#define SVM_FEATURE_NRIPS	BIT(3)

struct svm_vcpu {
	struct mv_vcpu vcpu;		/* first: the core's part */
	struct vmcb *vmcb;
	phys_addr_t vmcb_pa;
	u64 efer;			/* the guest's; the VMCB's has SVME set */
	phys_addr_t npt_root;		/* the VM's, kept across resets */

	/*
	 * Shadow paging: the guest's CR0/CR3/CR4 (and EFER.LMA in efer) as
	 * it sees them; the VMCB holds what the hardware runs with.
	 */
	bool shadow;
	u64 guest_cr0, guest_cr3, guest_cr4;

	/* ASIDs: APM vol 2 15.16 "TLB Control". */
	u32 asid;
	u64 asid_generation;
	int asid_cpu;

	/* NMIs stay blocked until the guest's IRET completes (KVM's way). */
	bool awaiting_iret;
	u64 iret_rip;

	/*
	 * An INT3/INTO trap being injected (its length, 0 if none) and the
	 * RIP of that instruction: a delivery cut short goes back to it.
	 */
	u8 soft_len;
	u64 soft_rip;

	/* Names the host state of this KVM_RUN (its thread's), never reused. */
	u64 host_state_id;
};

static inline struct svm_vcpu *to_svm(struct mv_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

/* Per physical CPU. */
struct svm_cpu {
	u32 next_asid;
	u32 max_asid;
	u64 asid_generation;
	struct page *host_save;		/* host state VMSAVE'd around VMRUN */
	phys_addr_t host_save_pa;
	/*
	 * The host_state_id of the KVM_RUN whose host state is in host_save
	 * now (0: none). Not a vCPU pointer: another thread may run the same
	 * vCPU, and a new vCPU may get a freed one's address.
	 */
	u64 host_saved_id;
	/* The host's MSR_TSC_AUX here (Linux: CPU and node number). */
	u64 host_tsc_aux;
};

DECLARE_PER_CPU(struct svm_cpu, svm_cpu);

extern bool svm_has_nrips;
/* Control-area intercept words 3-5 of a new VMCB (run.c, intercepts.c). */
extern u32 svm_intercept_words[3];
int svm_intercepts_init(void);
extern phys_addr_t svm_iopm_pa, svm_msrpm_pa;

/*
 * GIF: APM vol 2 15.17 "Global Interrupt Flag". They fault (#UD) only if SVM
 * was switched off underneath us (reboot): then there is nothing to hold.
 */
static __always_inline void svm_clgi(void)
{
	asm goto("1: clgi\n\t" _ASM_EXTABLE(1b, %l[fault]) ::: "memory" : fault);
fault:
	return;
}

static __always_inline void svm_stgi(void)
{
	asm goto("1: stgi\n\t" _ASM_EXTABLE(1b, %l[fault]) ::: "memory" : fault);
fault:
	return;
}

/* entry.S; host_save_pa 0: the host's state is already saved there. */
int mv_svm_vmrun(u64 *gprs, u64 vmcb_pa, u64 host_save_pa, u64 host_load_pa);

/* vcpu.c: VMCB setup and state */
int svm_vcpu_create(struct mv_vcpu *vcpu);
void svm_vcpu_free(struct mv_vcpu *vcpu);
void svm_vcpu_reset(struct mv_vcpu *vcpu);
void svm_reset_vmcb(struct svm_vcpu *svm);
void svm_update_hw_paging(struct svm_vcpu *svm);
void svm_get_ctrl(struct mv_vcpu *vcpu, struct mv_ctrl *ctrl);
void svm_get_sregs(struct mv_vcpu *vcpu, struct kvm_sregs *sregs);
void svm_set_sregs(struct mv_vcpu *vcpu, const struct kvm_sregs *sregs);
int svm_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data);
int svm_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data);
void svm_set_efer(struct mv_vcpu *vcpu, u64 efer);
void svm_set_tsc_offset(struct mv_vcpu *vcpu, u64 offset);
void svm_set_tdp_root(struct mv_vcpu *vcpu, phys_addr_t root);
void svm_set_cr(struct mv_vcpu *vcpu, int cr, u64 value);
void svm_set_shadow_root(struct mv_vcpu *vcpu, phys_addr_t root);

/* run.c: entering, events, exits */
void svm_run(struct mv_vcpu *vcpu, bool flush_tlb);
bool svm_interrupt_allowed(struct mv_vcpu *vcpu);
bool svm_nmi_allowed(struct mv_vcpu *vcpu);
void svm_enable_irq_window(struct mv_vcpu *vcpu);
u32 svm_get_interrupt_shadow(struct mv_vcpu *vcpu);
void svm_set_interrupt_shadow(struct mv_vcpu *vcpu, u32 shadow);
void svm_update_exception_intercepts(struct mv_vcpu *vcpu);
void svm_exit_info(struct mv_vcpu *vcpu, u64 info[5]);
void svm_inject(struct mv_vcpu *vcpu, enum mv_inject_kind kind, u8 vector,
		bool has_error_code, u32 error_code, u64 payload);

#endif /* MINIVIRT_SVM_H */
