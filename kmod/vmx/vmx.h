/* SPDX-License-Identifier: GPL-2.0-only */
/* Intel VT-x backend internals shared by its files. */
#ifndef MINIVIRT_VMX_H
#define MINIVIRT_VMX_H

#include <linux/bug.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>

#include "../backend.h"
#include "../vcpu.h"
#include "vmcs.h"

/* What probe() found and chose, fixed at module load. */
struct vmx_config {
	u32 revision_id;
	u32 pin, proc, proc2, exit, entry;	/* the controls we set */
	u32 proc_may1;			/* primary controls that may be set */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool unrestricted_guest;	/* real mode and CR0.PG = 0 run natively */
	bool vpid;
	bool ept_ad;			/* EPT accessed/dirty flags in the EPTP */
	bool invept_single;		/* else INVEPT all-context */
	bool invvpid_single;		/* else INVVPID all-context */
};
extern struct vmx_config vmx_cfg;

/*
 * The MSRs that VM entry loads from, and VM exit stores to, the guest half
 * of a vCPU's MSR area, and that VM exit loads from the host half: the ones
 * the guest may use freely (see vmx_passthrough_msrs) that the VMCS does not
 * hold itself. SDM vol 3C 25.7.2, 25.8.2; 27.4 "Loading MSRs".
 */
enum vmx_area_msr {
	VMX_AREA_KERNEL_GS_BASE,
	VMX_AREA_STAR,
	VMX_AREA_LSTAR,
	VMX_AREA_CSTAR,
	VMX_AREA_SYSCALL_MASK,
	/* Last: only where the CPU has it (vmx_area_nr()). */
	VMX_AREA_TSC_AUX,
	VMX_AREA_NR
};

/* The entries in use: TSC_AUX only with RDTSCP or RDPID on the host. */
static inline unsigned int vmx_area_nr(void)
{
	return VMX_AREA_NR - !(vmx_cfg.proc2 & VMX_PROC2_RDTSCP &&
			       (boot_cpu_has(X86_FEATURE_RDTSCP) ||
				boot_cpu_has(X86_FEATURE_RDPID)));
}
/* The host half starts half a page in. */
#define VMX_AREA_HOST		(PAGE_SIZE / 2 / sizeof(struct vmx_msr_entry))

/* The host state a VM exit does not restore, saved before the entry. */
struct vmx_host_state {
	u16 fs_sel, gs_sel, ds_sel, es_sel, ldt_sel;
	u64 fs_base;
	u64 kernel_gs_base;		/* the task's user GS base */
	u64 debugctl;
};

struct vmx_vcpu {
	struct mv_vcpu vcpu;		/* first: the core's part */

	struct vmx_vmcs_header *vmcs;
	phys_addr_t vmcs_pa;
	/*
	 * The CPU where the VMCS is active (VMPTRLD'd since its last VMCLEAR),
	 * or -1; it is then on that CPU's vmx_cpu.loaded list. launched: the
	 * next entry is VMRESUME.
	 */
	int cpu;
	bool launched;
	struct list_head loaded_link;

	u16 vpid;			/* 0: none (no VPID support) */
	u64 eptp;
	bool flush_pending;		/* new CPU: stale EPT translations there */

	/*
	 * Shadow paging (the VM's MMU mode when the vCPU was made): the
	 * guest's CR0/CR3/CR4/EFER as it sees them; the VMCS holds what the
	 * hardware runs with (vcpu.c). proc2: the secondary controls in force.
	 */
	bool shadow;
	u32 proc2;
	u64 guest_cr0, guest_cr3, guest_cr4, guest_efer;
	phys_addr_t shadow_root;

	/* Fields only we write, cached. */
	u32 proc;			/* primary processor-based controls */
	u32 entry;			/* VM-entry controls */
	u32 intr_state;			/* interruptibility, read at exit */
	u32 idt_info;			/* IDT-vectoring information of the exit */
	bool event_injected;		/* VM-entry interruption info is valid */
	bool injecting_nmi;		/* ... and holds an NMI */
	u64 cr2;			/* the guest's: the VMCS does not hold it */

	/* HOST_CR3/CR4 as last written (they change under us: PCID, perf). */
	u64 host_cr3, host_cr4;
	struct vmx_host_state host;

	/* MSR area: guest entries from 0, host from VMX_AREA_HOST. */
	struct vmx_msr_entry *msrs;
	phys_addr_t msrs_pa;
	/* Virtual-APIC page: "use TPR shadow" keeps MOV CR8 in the guest. */
	void *vapic;
};

static inline struct vmx_vcpu *to_vmx(struct mv_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

/* Per physical CPU. */
struct vmx_cpu {
	struct vmx_vmcs_header *current_vmcs;	/* VMPTRLD'd here */
	struct list_head loaded;		/* VMCSs active here */
};
DECLARE_PER_CPU(struct vmx_cpu, vmx_cpu);

/* A VMX instruction reported VMfail: a bug of ours. */
void vmx_insn_failed(const char *insn, unsigned long arg);

/*
 * VMREAD/VMWRITE (SDM vol 3C 31.3). A fault means VMX is off underneath us
 * (a reboot switched it off on every CPU): reads give 0, writes are lost,
 * and the next entry fails (entry.S).
 */
static __always_inline u64 __vmcs_read(unsigned long field)
{
	u64 value = 0;

	asm volatile("1: vmread %[field], %[value]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [value] "+r" (value) : [field] "r" (field) : "cc");
	return value;
}

static __always_inline void __vmcs_write(unsigned long field, u64 value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [field] "r" (field), [value] "rm" (value) : "cc" : fail, fault);
	return;
fail:
	vmx_insn_failed("vmwrite", field);
fault:
	return;
}

/* Width-checked accessors: a constant field must be of the accessor's width. */
#define VMCS_CHECK(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&			\
			 VMCS_WIDTH(field) != (width),			\
			 "VMCS field accessed with the wrong width")

static __always_inline u16 vmcs_read16(unsigned long field)
{
	VMCS_CHECK(field, VMCS_WIDTH_16);
	return __vmcs_read(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	VMCS_CHECK(field, VMCS_WIDTH_32);
	return __vmcs_read(field);
}

static __always_inline u64 vmcs_read64(unsigned long field)
{
	VMCS_CHECK(field, VMCS_WIDTH_64);
	return __vmcs_read(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	VMCS_CHECK(field, VMCS_WIDTH_NATURAL);
	return __vmcs_read(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	VMCS_CHECK(field, VMCS_WIDTH_16);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	VMCS_CHECK(field, VMCS_WIDTH_32);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	VMCS_CHECK(field, VMCS_WIDTH_64);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_writel(unsigned long field, unsigned long value)
{
	VMCS_CHECK(field, VMCS_WIDTH_NATURAL);
	__vmcs_write(field, value);
}

/*
 * The guest state lives in the VMCS, which VMREAD/VMWRITE reach only on the
 * CPU where it is current. Every access from the core's hooks goes through
 * vmx_get()/vmx_put(), which make it current here with preemption off (KVM's
 * vcpu_load()/vcpu_put() around each vCPU ioctl, made per access).
 */
void vmx_load(struct vmx_vcpu *vmx);

static inline struct vmx_vcpu *vmx_get(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	preempt_disable();
	vmx_load(vmx);
	return vmx;
}

static inline void vmx_put(struct vmx_vcpu *vmx)
{
	preempt_enable();
}

/* entry.S */
/*
 * Enters the guest once with VMLAUNCH (launched false) or VMRESUME. Returns
 * 0 after a VM exit, 1 if the instruction failed (VMfailValid/Invalid),
 * 2 if it faulted (VMX off).
 */
int mv_vmx_vcpu_run(u64 *gprs, bool launched);
void mv_vmx_vmexit(void);		/* HOST_RIP: not to be called */
void mv_vmx_do_nmi_irqoff(void);	/* the host's NMI handler, as an NMI */

/* vmx.c */
int vmx_alloc_vpid(void);
void vmx_free_vpid(int vpid);
extern phys_addr_t vmx_msr_bitmap_pa;
extern phys_addr_t vmx_io_bitmap_pa;		/* A, then B a page on */
void vmx_flush_tlb(struct vmx_vcpu *vmx);
/* run.c: checks the core's intercept list against the chosen controls. */
int vmx_intercepts_init(void);

/* vcpu.c: the VMCS, its reset state and the state groups */
int vmx_vcpu_create(struct mv_vcpu *vcpu);
void vmx_vcpu_free(struct mv_vcpu *vcpu);
void vmx_vcpu_reset(struct mv_vcpu *vcpu);
void vmx_prepare_run(struct mv_vcpu *vcpu, int cpu);
void vmx_clear_loaded_vmcss(void);
void vmx_get_ctrl(struct mv_vcpu *vcpu, struct mv_ctrl *ctrl);
void vmx_get_sregs(struct mv_vcpu *vcpu, struct kvm_sregs *sregs);
void vmx_set_sregs(struct mv_vcpu *vcpu, const struct kvm_sregs *sregs);
int vmx_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data);
void vmx_set_efer(struct mv_vcpu *vcpu, u64 efer);
void vmx_set_tsc_offset(struct mv_vcpu *vcpu, u64 offset);
void vmx_set_tdp_root(struct mv_vcpu *vcpu, phys_addr_t root);
void vmx_set_cr(struct mv_vcpu *vcpu, int cr, u64 value);
void vmx_set_shadow_root(struct mv_vcpu *vcpu, phys_addr_t root);
/* With the VMCS current, IRQs off: */
bool vmx_guest_state_runnable(struct vmx_vcpu *vmx);
void vmx_sync_lma(struct vmx_vcpu *vmx);

/* run.c: entering, events, exits */
void vmx_run(struct mv_vcpu *vcpu, bool flush_tlb);
bool vmx_interrupt_allowed(struct mv_vcpu *vcpu);
bool vmx_nmi_allowed(struct mv_vcpu *vcpu);
void vmx_enable_irq_window(struct mv_vcpu *vcpu);
u32 vmx_get_interrupt_shadow(struct mv_vcpu *vcpu);
void vmx_set_interrupt_shadow(struct mv_vcpu *vcpu, u32 shadow);
void vmx_update_exception_intercepts(struct mv_vcpu *vcpu);
void vmx_exit_info(struct mv_vcpu *vcpu, u64 info[5]);
void vmx_inject(struct mv_vcpu *vcpu, enum mv_inject_kind kind, u8 vector,
		bool has_error_code, u32 error_code, u64 payload);

#endif /* MINIVIRT_VMX_H */
