// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMCS of a vCPU: where it is active, its fixed setup, its reset state,
 * and the state groups the core reads and writes.
 *
 * A VMCS is active on at most one CPU at a time (SDM vol 3C 25.1 "Overview",
 * 25.11.1 "Software Use of Virtual-Machine Control Structures"): to use it
 * elsewhere it is VMCLEARed there first (an IPI), then VMPTRLDed here. Each
 * CPU lists the VMCSs active on it, so that switching VMX off there clears
 * them all, as KVM's loaded_vmcss_on_cpu does.
 *
 * Control registers: the host owns every CR0 bit but TS and every CR4 bit
 * (25.6.6 "Guest/Host Masks and Read Shadows for CR0 and CR4"), as kvm_intel
 * owns all it must check: the guest reads its values from the read shadows,
 * and a MOV to CR0/CR4, LMSW or CLTS that changes an owned bit exits (before
 * the CPU's own operand checks, SDM vol 3C 26.1.1) to the core (cr.c), which
 * applies KVM's rules, #GP included, and calls set_cr() back. The hardware
 * runs with CR0.NE (fixed to 1 in VMX operation), CR0.CD/NW clear (as KVM),
 * CR0.PE/PG forced on without unrestricted guest (such a guest does not run),
 * CR4.VMXE (fixed) and the host's CR4.MCE. Long mode and PAE PDPTEs follow
 * the emulated writes here (set_efer(), set_cr()), as the CPU would have
 * done them.
 *
 * Shadow paging (a VM made with tdp=0 or MINIVIRT_SET_MMU): EPT is off and
 * the hardware walks the core's shadow tables (mmu/shadow.c) from a CR3 of
 * ours. The host owns every CR0 and CR4 bit (the masks are all ones): the
 * guest reads its own values from the read shadows, and a write that
 * changes any bit exits, as do MOV to/from CR3 (CR3-load/store exiting)
 * and every #PF (exception bitmap, 25.6.3 with a zero PFEC mask and match),
 * not INVLPG (VMX_PROC_SHADOW); the core's cr.c and shadow MMU handle them
 * and call set_cr() and set_shadow_root() back. The hardware runs with paging, PE, WP and PAE
 * always on (a non-paged guest on the shadow's identity map, a 32-bit one
 * on a PAE-format shadow) and long mode only while the guest's paging is on,
 * as on SVM. Real mode cannot run that way: VMX requires CR0.PE (A.7) unless
 * the guest is unrestricted, which in turn needs EPT (25.6.2). So while a
 * shadow-paged guest has CR0.PE clear it runs, as a nested-paged one does,
 * unrestricted on the VM's EPT tables: without paging in the guest there are
 * no guest tables to shadow, and EPT maps guest-physical memory exactly as
 * the shadow's identity map would (KVM with ept=0 emulates real mode in
 * vm86 mode instead). Without unrestricted guest, real mode is refused
 * (KVM_EXIT_FAIL_ENTRY, run.c); 32-bit protected mode without paging runs.
 *
 * Segments convert as KVM's vmx_get_segment()/vmx_set_segment() do, so that
 * KVM_GET_SREGS answers as kvm_intel does: access rights in the VMCS format
 * with its "unusable" bit, present = !unusable, the accessed bit forced on
 * (except LDTR) with unrestricted guest.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/processor.h>
#include <asm/debugreg.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "../memslot.h"
#include "../vcpu.h"
#include "../vm.h"
#include "vmx.h"

/* Power-on PAT (SDM vol 3A 13.12.4 "Programming the PAT"). */
#define PAT_POWER_ON		0x0007040600070406ULL
/* Reset CR0 (SDM vol 3A 9.1.1 table 9-1): CD, NW, ET. */
#define CR0_RESET		(X86_CR0_CD | X86_CR0_NW | X86_CR0_ET)

/* What the guest may change in CR0 without an exit (nested paging). */
#define CR0_GUEST_OWNED		X86_CR0_TS
/* CR4 bits the hardware value takes from the host, not the guest. */
#define CR4_HOST_OWNED		(X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_MCE)

/* VMCLEAR (SDM vol 3C 31.3): a fault means VMX is already off here. */
static void vmx_vmclear(phys_addr_t pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory" : fail, fault);
	return;
fail:
	vmx_insn_failed("vmclear", pa);
fault:
	return;
}

static void vmx_vmptrld(phys_addr_t pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory" : fail, fault);
	return;
fail:
	vmx_insn_failed("vmptrld", pa);
fault:
	return;
}

/* On the CPU where the VMCS is active, IRQs off. */
static void __vmx_clear(void *arg)
{
	struct vmx_vcpu *vmx = arg;
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	/* Switching VMX off here may have cleared it already. */
	if (vmx->cpu != smp_processor_id())
		return;
	vmx_vmclear(vmx->vmcs_pa);
	if (vc->current_vmcs == vmx->vmcs)
		vc->current_vmcs = NULL;
	list_del_init(&vmx->loaded_link);
	/*
	 * Off the list before the VMCS looks free: another CPU that sees
	 * cpu == -1 may put it on its own list. Pairs with vmx_load().
	 */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
	vmx->launched = false;
}

/* IRQs on: VMCLEAR it wherever it is active. */
static void vmx_clear(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, __vmx_clear, vmx, 1);
}

/* cpu_disable(): before VMXOFF, every VMCS active on this CPU. IRQs off. */
void vmx_clear_loaded_vmcss(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx, *tmp;

	list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_link)
		__vmx_clear(vmx);
	vc->current_vmcs = NULL;
}

/*
 * The host state that differs between CPUs (SDM vol 3C 28.5 "Loading Host
 * State"; KVM's vmx_vcpu_load_vmcs()): the TSS and GDT are per CPU, and so
 * are the kernel's GS base and the SYSENTER stack. IRQs off.
 */
static void vmx_set_host_cpu_state(struct vmx_vcpu *vmx, int cpu)
{
	struct vmx_msr_entry *host = &vmx->msrs[VMX_AREA_HOST];
	struct desc_ptr dt;
	u64 v;

	vmcs_writel(VMCS_HOST_CR0, read_cr0());
	vmcs_writel(VMCS_HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(VMCS_HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	store_idt(&dt);
	vmcs_writel(VMCS_HOST_IDTR_BASE, dt.address);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_writel(VMCS_HOST_GS_BASE, v);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_writel(VMCS_HOST_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_writel(VMCS_HOST_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write64(VMCS_HOST_PAT, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write64(VMCS_HOST_EFER, v);
	/* The syscall MSRs are the same on every CPU; read here all the same. */
	rdmsrl(MSR_STAR, host[VMX_AREA_STAR].value);
	rdmsrl(MSR_LSTAR, host[VMX_AREA_LSTAR].value);
	rdmsrl(MSR_CSTAR, host[VMX_AREA_CSTAR].value);
	rdmsrl(MSR_SYSCALL_MASK, host[VMX_AREA_SYSCALL_MASK].value);
	/* Linux's TSC_AUX: the CPU and node number (setup_getcpu()). */
	if (vmx_area_nr() > VMX_AREA_TSC_AUX)
		rdmsrl(MSR_TSC_AUX, host[VMX_AREA_TSC_AUX].value);
}

/*
 * Makes the VMCS current on this CPU. Preemption off, IRQs on (the VMCLEAR
 * on another CPU is an IPI).
 */
void vmx_load(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	int cpu = smp_processor_id();
	bool moved = READ_ONCE(vmx->cpu) != cpu;
	unsigned long flags;

	if (likely(!moved && vc->current_vmcs == vmx->vmcs))
		return;
	if (moved)
		vmx_clear(vmx);
	/* From here on, switching VMX off here (an IPI) waits for us. */
	local_irq_save(flags);
	if (moved) {
		smp_rmb();	/* off the old CPU's list first: __vmx_clear() */
		list_add(&vmx->loaded_link, &vc->loaded);
	}
	if (vc->current_vmcs != vmx->vmcs) {
		vmx_vmptrld(vmx->vmcs_pa);
		vc->current_vmcs = vmx->vmcs;
	}
	if (moved) {
		vmx_set_host_cpu_state(vmx, cpu);
		/* This CPU may hold translations of this EPTP from before. */
		vmx->flush_pending = true;
		WRITE_ONCE(vmx->cpu, cpu);
	}
	local_irq_restore(flags);
}

void vmx_prepare_run(struct mv_vcpu *vcpu, int cpu)
{
	vmx_load(to_vmx(vcpu));
}

/*
 * The guest's CR0/CR4: its own bits from the VMCS, the host's from the
 * shadows; under shadow paging all of them are the host's.
 */
static u64 vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	if (vmx->shadow)
		return vmx->guest_cr0;
	return (vmcs_readl(VMCS_GUEST_CR0) & CR0_GUEST_OWNED) |
	       (vmcs_readl(VMCS_CR0_SHADOW) & ~CR0_GUEST_OWNED);
}

static u64 vmx_guest_cr3(struct vmx_vcpu *vmx)
{
	return vmx->shadow ? vmx->guest_cr3 : vmcs_readl(VMCS_GUEST_CR3);
}

static u64 vmx_guest_cr4(struct vmx_vcpu *vmx)
{
	return vmx->shadow ? vmx->guest_cr4 : vmcs_readl(VMCS_CR4_SHADOW);
}

static u64 vmx_guest_efer(struct vmx_vcpu *vmx)
{
	return vmx->shadow ? vmx->guest_efer : vmcs_read64(VMCS_GUEST_EFER);
}

/*
 * What the hardware runs with for the guest's CR0: NE set, CD/NW clear
 * (KVM_VM_CR0_ALWAYS_ON/OFF), PE/PG forced on without unrestricted guest
 * (SDM vol 3D A.7 "VMX-Fixed Bits in CR0"; such a guest does not run).
 */
static void vmx_set_cr0(u64 cr0)
{
	u64 fixed1 = vmx_cfg.cr0_fixed0;

	if (vmx_cfg.unrestricted_guest)
		fixed1 &= ~(X86_CR0_PE | X86_CR0_PG);
	vmcs_writel(VMCS_CR0_SHADOW, cr0);
	vmcs_writel(VMCS_GUEST_CR0, ((cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | fixed1) &
		    vmx_cfg.cr0_fixed1);
}

/* A.8 "VMX-Fixed Bits in CR4": VMXE; MCE stays the host's. */
static u64 vmx_hw_cr4(u64 cr4)
{
	u64 hw = (cr4 & ~CR4_HOST_OWNED) | (cr4_read_shadow() & X86_CR4_MCE);

	return (hw | vmx_cfg.cr4_fixed0) & vmx_cfg.cr4_fixed1;
}

static void vmx_set_cr4(u64 cr4)
{
	vmcs_writel(VMCS_CR4_SHADOW, cr4);
	vmcs_writel(VMCS_GUEST_CR4, vmx_hw_cr4(cr4));
}

/*
 * Without unrestricted guest only paged protected mode can run, and under
 * shadow paging any protected mode (the hardware pages on the shadow).
 */
bool vmx_guest_state_runnable(struct vmx_vcpu *vmx)
{
	if (vmx_cfg.unrestricted_guest)
		return true;
	if (vmx->shadow)
		return vmx->guest_cr0 & X86_CR0_PE;
	return (vmcs_readl(VMCS_CR0_SHADOW) & (X86_CR0_PE | X86_CR0_PG)) ==
	       (X86_CR0_PE | X86_CR0_PG);
}

/* The MSRs the MSR areas switch, in enum vmx_area_msr order. */
static const u32 vmx_area_msrs[VMX_AREA_NR] = {
	[VMX_AREA_KERNEL_GS_BASE]	= MSR_KERNEL_GS_BASE,
	[VMX_AREA_STAR]			= MSR_STAR,
	[VMX_AREA_LSTAR]		= MSR_LSTAR,
	[VMX_AREA_CSTAR]		= MSR_CSTAR,
	[VMX_AREA_SYSCALL_MASK]		= MSR_SYSCALL_MASK,
	[VMX_AREA_TSC_AUX]		= MSR_TSC_AUX,
};

/*
 * Shadow paging sees every CR3 access first (25.6.2). Not INVLPG: every
 * guest table with a shadow is write-protected and every change of a shadow
 * entry flushes the TLB (mmu/shadow.c), so INVLPG runs natively on the
 * shadow, in the guest's VPID, as on SVM (svm/vcpu.c).
 */
#define VMX_PROC_SHADOW	(VMX_PROC_CR3_LOAD_EXITING | VMX_PROC_CR3_STORE_EXITING)

static u32 vmx_proc_base(struct vmx_vcpu *vmx)
{
	return vmx_cfg.proc | (vmx->shadow ? VMX_PROC_SHADOW : 0);
}

/* The fields that never change (KVM's init_vmcs()). VMCS current. */
static void vmx_init_vmcs(struct vmx_vcpu *vmx)
{
	unsigned int i;
	u32 proc2 = vmx_cfg.proc2;

	if (!vmx->vpid)
		proc2 &= ~VMX_PROC2_VPID;
	vmx->proc = vmx_proc_base(vmx);
	vmx->proc2 = proc2;
	vmcs_write32(VMCS_PIN_CONTROLS, vmx_cfg.pin);
	vmcs_write32(VMCS_PROC_CONTROLS, vmx->proc);
	vmcs_write32(VMCS_PROC2_CONTROLS, proc2);
	vmcs_write32(VMCS_EXIT_CONTROLS, vmx_cfg.exit);
	vmcs_write32(VMCS_ENTRY_CONTROLS, vmx_cfg.entry);
	if (vmx->vpid)
		vmcs_write16(VMCS_VPID, vmx->vpid);
	/* KVM's ple_gap and ple_window defaults (SDM vol 3C 25.6.13). */
	if (proc2 & VMX_PROC2_PAUSE_LOOP_EXITING) {
		vmcs_write32(VMCS_PLE_GAP, 128);
		vmcs_write32(VMCS_PLE_WINDOW, 4096);
	}

	/* The core's list (debug.c: #MC, #AC, #DB; #PF, #BP when needed). */
	vmcs_write32(VMCS_EXCEPTION_BITMAP, mv_exception_intercepts(&vmx->vcpu));
	vmcs_write32(VMCS_PF_ERROR_MASK, 0);
	vmcs_write32(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write64(VMCS_MSR_BITMAP, vmx_msr_bitmap_pa);
	vmcs_write64(VMCS_IO_BITMAP_A, vmx_io_bitmap_pa);
	vmcs_write64(VMCS_IO_BITMAP_B, vmx_io_bitmap_pa + PAGE_SIZE);
	/* 27.3.1.5 "Checks on Guest Non-Register State": no shadow VMCS. */
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_writel(VMCS_CR0_MASK, vmx->shadow ? ~0UL : ~CR0_GUEST_OWNED);
	vmcs_writel(VMCS_CR4_MASK, ~0UL);

	/* 30.1 "Virtual APIC State": only VTPR (offset 0x80) is used. */
	vmcs_write64(VMCS_VIRTUAL_APIC_ADDR, virt_to_phys(vmx->vapic));
	vmcs_write32(VMCS_TPR_THRESHOLD, 0);

	for (i = 0; i < VMX_AREA_NR; i++) {
		vmx->msrs[i].index = vmx_area_msrs[i];
		vmx->msrs[VMX_AREA_HOST + i].index = vmx_area_msrs[i];
	}
	vmcs_write64(VMCS_ENTRY_MSR_LOAD_ADDR, vmx->msrs_pa);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, vmx_area_nr());
	vmcs_write64(VMCS_EXIT_MSR_STORE_ADDR, vmx->msrs_pa);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, vmx_area_nr());
	vmcs_write64(VMCS_EXIT_MSR_LOAD_ADDR,
		     vmx->msrs_pa + VMX_AREA_HOST * sizeof(struct vmx_msr_entry));
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, vmx_area_nr());

	/* 28.5 "Loading Host State": what does not depend on CPU or task. */
	vmcs_write16(VMCS_HOST_CS_SEL, __KERNEL_CS);
	vmcs_write16(VMCS_HOST_SS_SEL, __KERNEL_DS);
	vmcs_write16(VMCS_HOST_DS_SEL, 0);
	vmcs_write16(VMCS_HOST_ES_SEL, 0);
	vmcs_write16(VMCS_HOST_FS_SEL, 0);
	vmcs_write16(VMCS_HOST_GS_SEL, 0);
	vmcs_write16(VMCS_HOST_TR_SEL, GDT_ENTRY_TSS * 8);
	vmcs_writel(VMCS_HOST_RIP, (unsigned long)mv_vmx_vmexit);
	vmx->host_cr3 = __read_cr3();
	vmcs_writel(VMCS_HOST_CR3, vmx->host_cr3);
	vmx->host_cr4 = cr4_read_shadow();
	vmcs_writel(VMCS_HOST_CR4, vmx->host_cr4);
}

static void vmx_init_seg(enum vmx_seg seg, u16 sel, u64 base, u32 ar)
{
	vmcs_write16(VMCS_GUEST_SEL(seg), sel);
	vmcs_writel(VMCS_GUEST_BASE(seg), base);
	vmcs_write32(VMCS_GUEST_LIMIT(seg), 0xffff);
	vmcs_write32(VMCS_GUEST_AR(seg), ar);
}

/* Sets EFER (LMA included) and the "IA-32e mode guest" entry control. */
static void __vmx_set_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmcs_write64(VMCS_GUEST_EFER, efer);
	vmx->entry = (vmx->entry & ~VMX_ENTRY_CTL_IA32E) |
		     (efer & EFER_LMA ? VMX_ENTRY_CTL_IA32E : 0);
	vmcs_write32(VMCS_ENTRY_CONTROLS, vmx->entry);
}

/*
 * A 64-bit guest's TR must be a busy 64-bit TSS (27.3.1.2); one that went
 * to long mode without loading one is marked so, as KVM's enter_lmode().
 */
static void vmx_fix_tr_lma(void)
{
	u32 ar = vmcs_read32(VMCS_GUEST_AR(VMX_SEG_TR));

	if ((ar & VMX_AR_TYPE) != 11)
		vmcs_write32(VMCS_GUEST_AR(VMX_SEG_TR), (ar & ~VMX_AR_TYPE) | 11);
}

/*
 * Shadow paging: what the hardware runs with for the guest's CR0/CR3/CR4/
 * EFER (see the top of this file). VMCS current.
 */
static void vmx_shadow_update(struct vmx_vcpu *vmx)
{
	u64 cr0 = vmx->guest_cr0, cr4 = vmx->guest_cr4, efer = vmx->guest_efer;
	u64 fixed0 = vmx_cfg.cr0_fixed0;
	u32 proc2 = vmx->proc2;
	u64 cr3;

	if (!(cr0 & X86_CR0_PE) && vmx_cfg.unrestricted_guest) {
		/* Real mode: unrestricted, on the VM's EPT tables. */
		proc2 |= VMX_PROC2_EPT | VMX_PROC2_UNRESTRICTED;
		fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
		cr3 = vmx->guest_cr3;
	} else {
		proc2 &= ~(VMX_PROC2_EPT | VMX_PROC2_UNRESTRICTED);
		cr0 |= X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
		cr4 |= X86_CR4_PAE;
		/* SMEP/SMAP/PKE do nothing without paging: as on SVM. */
		if (!(vmx->guest_cr0 & X86_CR0_PG)) {
			efer &= ~(EFER_LME | EFER_LMA);
			cr4 &= ~(X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE);
		}
		cr3 = vmx->shadow_root;
	}
	vmcs_writel(VMCS_CR0_SHADOW, vmx->guest_cr0);
	vmcs_writel(VMCS_GUEST_CR0, ((cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | fixed0) &
		    vmx_cfg.cr0_fixed1);
	vmcs_writel(VMCS_CR4_SHADOW, vmx->guest_cr4);
	vmcs_writel(VMCS_GUEST_CR4, vmx_hw_cr4(cr4));
	vmcs_writel(VMCS_GUEST_CR3, cr3);
	__vmx_set_efer(vmx, efer);
	if (efer & EFER_LMA)
		vmx_fix_tr_lma();
	if (proc2 != vmx->proc2) {
		vmx->proc2 = proc2;
		vmcs_write32(VMCS_PROC2_CONTROLS, proc2);
		/* Translations made the other way are not to be used. */
		vmx->flush_pending = true;
	}
}

/*
 * The architectural reset state (SDM vol 3A 9.1.1 table 9-1) with KVM's
 * choices (vmx_vcpu_reset(), kvm_vcpu_reset()): data segments 0x93, CS
 * 0x9b at f000:fff0 with base ffff0000, TR a busy 32-bit TSS (0x8b), LDTR
 * 0x82. The TSC offset is the core's (kvmclock.c): INIT leaves the TSC.
 */
static void vmx_reset_vmcs(struct vmx_vcpu *vmx)
{
	unsigned int i;

	vmx_init_seg(VMX_SEG_ES, 0, 0, 0x93);
	vmx_init_seg(VMX_SEG_CS, 0xf000, 0xffff0000, 0x9b);
	vmx_init_seg(VMX_SEG_SS, 0, 0, 0x93);
	vmx_init_seg(VMX_SEG_DS, 0, 0, 0x93);
	vmx_init_seg(VMX_SEG_FS, 0, 0, 0x93);
	vmx_init_seg(VMX_SEG_GS, 0, 0, 0x93);
	vmx_init_seg(VMX_SEG_LDTR, 0, 0, 0x82);
	vmx_init_seg(VMX_SEG_TR, 0, 0, 0x8b);
	vmcs_writel(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);

	vmx->entry = vmx_cfg.entry;
	vmcs_write32(VMCS_ENTRY_CONTROLS, vmx->entry);
	if (vmx->shadow) {
		vmx->guest_cr0 = CR0_RESET;
		vmx->guest_cr3 = 0;
		vmx->guest_cr4 = 0;
		vmx->guest_efer = 0;
		vmx_shadow_update(vmx);
	} else {
		vmx_set_cr0(CR0_RESET);
		vmcs_writel(VMCS_GUEST_CR3, 0);
		vmx_set_cr4(0);
		vmcs_write64(VMCS_GUEST_EFER, 0);
	}
	for (i = 0; i < 4; i++)
		vmcs_write64(VMCS_GUEST_PDPTE0 + 2 * i, 0);

	vmcs_writel(VMCS_GUEST_RIP, 0xfff0);
	vmcs_writel(VMCS_GUEST_RSP, 0);
	vmcs_writel(VMCS_GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_writel(VMCS_GUEST_DR7, MV_DR7_FIXED_1);
	vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write64(VMCS_GUEST_PAT, PAT_POWER_ON);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY, VMX_ACTIVITY_ACTIVE);
	vmcs_writel(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);

	vmx->proc = vmx_proc_base(vmx);	/* no window exiting */
	vmcs_write32(VMCS_PROC_CONTROLS, vmx->proc);
	for (i = 0; i < VMX_AREA_NR; i++)
		vmx->msrs[i].value = 0;
	memset(vmx->vapic, 0, PAGE_SIZE);
	vmx->intr_state = 0;
	vmx->event_injected = false;
	vmx->cr2 = 0;
}

void vmx_vcpu_reset(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	vmx_reset_vmcs(vmx);
	vmx_put(vmx);
	vcpu->regs.rip = 0xfff0;
	vcpu->regs.rflags = X86_EFLAGS_FIXED;
}

int vmx_vcpu_create(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct page *page;
	int r = -ENOMEM;

	vmcs_layout_checks();
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx->shadow = vcpu->vm->shadow_paging;
	if (vmx->shadow && (vmx_cfg.proc_may1 & VMX_PROC_SHADOW) != VMX_PROC_SHADOW) {
		pr_err_ratelimited("minivirt: VMX: no CR3-load/store exiting: no shadow paging\n");
		return -EOPNOTSUPP;
	}

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return r;
	vmx->vmcs = page_address(page);
	vmx->vmcs_pa = page_to_phys(page);
	/* 25.11.3 "Initializing a VMCS": the revision identifier, then VMCLEAR. */
	vmx->vmcs->revision_id = vmx_cfg.revision_id;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		goto err_free_vmcs;
	vmx->msrs = page_address(page);
	vmx->msrs_pa = page_to_phys(page);

	vmx->vapic = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vapic)
		goto err_free_msrs;

	vmx->vpid = vmx_alloc_vpid();
	/* VMX is on everywhere while a VM exists; VMCLEAR works on any CPU. */
	vmx_vmclear(vmx->vmcs_pa);
	vmx = vmx_get(vcpu);
	vmx_init_vmcs(vmx);
	vmx_reset_vmcs(vmx);
	vmx_put(vmx);
	vcpu->regs.rip = 0xfff0;
	vcpu->regs.rflags = X86_EFLAGS_FIXED;
	return 0;

err_free_msrs:
	free_page((unsigned long)vmx->msrs);
err_free_vmcs:
	free_page((unsigned long)vmx->vmcs);
	return r;
}

void vmx_vcpu_free(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_clear(vmx);
	vmx_free_vpid(vmx->vpid);
	free_page((unsigned long)vmx->vapic);
	free_page((unsigned long)vmx->msrs);
	free_page((unsigned long)vmx->vmcs);
}

/* SDM vol 3C 25.6.11 "Extended-Page-Table Pointer (EPTP)". */
void vmx_set_tdp_root(struct mv_vcpu *vcpu, phys_addr_t root)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	vmx->eptp = root | VMX_EPTP_WB | VMX_EPTP_WALK_4 |
		    (vmx_cfg.ept_ad ? VMX_EPTP_AD : 0);
	vmcs_write64(VMCS_EPT_POINTER, vmx->eptp);
	vmx->flush_pending = true;
	vmx_put(vmx);
}

void vmx_get_ctrl(struct mv_vcpu *vcpu, struct mv_ctrl *ctrl)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);
	u32 cs_ar = vmcs_read32(VMCS_GUEST_AR(VMX_SEG_CS));

	ctrl->cr0 = vmx_guest_cr0(vmx);
	ctrl->cr3 = vmx_guest_cr3(vmx);
	ctrl->cr4 = vmx_guest_cr4(vmx);
	ctrl->efer = vmx_guest_efer(vmx);
	ctrl->cs_base = vmcs_readl(VMCS_GUEST_BASE(VMX_SEG_CS));
	ctrl->cs_l = cs_ar & VMX_AR_L;
	ctrl->cs_db = cs_ar & VMX_AR_DB;
	/* SDM vol 3C 27.3.1.2: the CPL is SS.DPL (KVM's vmx_get_cpl()). */
	ctrl->cpl = (vmcs_read32(VMCS_GUEST_AR(VMX_SEG_SS)) >> VMX_AR_DPL_POS) & 3;
	vmx_put(vmx);
}

/* KVM's vmx_get_segment(). */
static void vmx_get_seg(enum vmx_seg seg, struct kvm_segment *var)
{
	u32 ar = vmcs_read32(VMCS_GUEST_AR(seg));

	var->base = vmcs_readl(VMCS_GUEST_BASE(seg));
	var->limit = vmcs_read32(VMCS_GUEST_LIMIT(seg));
	var->selector = vmcs_read16(VMCS_GUEST_SEL(seg));
	var->unusable = !!(ar & VMX_AR_UNUSABLE);
	var->type = ar & VMX_AR_TYPE;
	var->s = !!(ar & VMX_AR_S);
	var->dpl = (ar >> VMX_AR_DPL_POS) & 3;
	/* A usable segment is present (SDM vol 3C 27.3.1.2): so say. */
	var->present = !var->unusable;
	var->avl = !!(ar & VMX_AR_AVL);
	var->l = !!(ar & VMX_AR_L);
	var->db = !!(ar & VMX_AR_DB);
	var->g = !!(ar & VMX_AR_G);
	var->padding = 0;
}

/* KVM's vmx_set_segment() and vmx_segment_access_rights(). */
static void vmx_set_seg(struct vmx_vcpu *vmx, enum vmx_seg seg,
			const struct kvm_segment *var)
{
	u32 type = var->type & 0xf;
	u32 ar;

	/*
	 * Unrestricted guests need the accessed bit (old QEMUs left it clear),
	 * and so does the protected mode a shadow-paged one runs in (27.3.1.2).
	 */
	if ((vmx_cfg.unrestricted_guest || vmx->shadow) && seg != VMX_SEG_LDTR)
		type |= 1;
	ar = type | (var->s & 1) << 4 | (var->dpl & 3) << VMX_AR_DPL_POS |
	     (var->present & 1) << 7 | (var->avl & 1) << 12 |
	     (var->l & 1) << 13 | (var->db & 1) << 14 | (var->g & 1) << 15 |
	     (u32)(var->unusable || !var->present) << 16;
	vmcs_writel(VMCS_GUEST_BASE(seg), var->base);
	vmcs_write32(VMCS_GUEST_LIMIT(seg), var->limit);
	vmcs_write16(VMCS_GUEST_SEL(seg), var->selector);
	vmcs_write32(VMCS_GUEST_AR(seg), ar);
}

void vmx_get_sregs(struct mv_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	vmx_get_seg(VMX_SEG_CS, &sregs->cs);
	vmx_get_seg(VMX_SEG_DS, &sregs->ds);
	vmx_get_seg(VMX_SEG_ES, &sregs->es);
	vmx_get_seg(VMX_SEG_FS, &sregs->fs);
	vmx_get_seg(VMX_SEG_GS, &sregs->gs);
	vmx_get_seg(VMX_SEG_SS, &sregs->ss);
	vmx_get_seg(VMX_SEG_TR, &sregs->tr);
	vmx_get_seg(VMX_SEG_LDTR, &sregs->ldt);
	sregs->gdt.base = vmcs_readl(VMCS_GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read32(VMCS_GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_readl(VMCS_GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read32(VMCS_GUEST_IDTR_LIMIT);
	memset(sregs->gdt.padding, 0, sizeof(sregs->gdt.padding));
	memset(sregs->idt.padding, 0, sizeof(sregs->idt.padding));
	sregs->cr0 = vmx_guest_cr0(vmx);
	sregs->cr2 = vmx->cr2;
	sregs->cr3 = vmx_guest_cr3(vmx);
	sregs->cr4 = vmx_guest_cr4(vmx);
	sregs->efer = vmx_guest_efer(vmx);
	vmx_put(vmx);
}

/*
 * PAE paging outside long mode: VM entry takes the PDPTEs from the VMCS
 * (SDM vol 3C 27.3.2.4 "Loading Page-Directory-Pointer-Table Entries"), so
 * a new CR3/CR0/CR4 from userspace loads them from guest memory, as KVM's
 * load_pdptrs(). Read before the VMCS is made current (this may sleep).
 */
static void vmx_read_pdptes(struct mv_vcpu *vcpu, const struct kvm_sregs *s,
			    u64 pdpte[4])
{
	int idx;

	memset(pdpte, 0, 4 * sizeof(u64));
	if (!(s->cr0 & X86_CR0_PG) || !(s->cr4 & X86_CR4_PAE) ||
	    (s->efer & EFER_LMA))
		return;
	idx = srcu_read_lock(&vcpu->vm->srcu);
	if (mv_read_guest(vcpu->vm, s->cr3 & 0xffffffe0ULL, pdpte,
			  4 * sizeof(u64)))
		memset(pdpte, 0, 4 * sizeof(u64));
	srcu_read_unlock(&vcpu->vm->srcu, idx);
}

/* The core validated sregs as KVM does (kvm_is_valid_sregs()). */
void vmx_set_sregs(struct mv_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx;
	u64 pdpte[4];
	int i;

	vmx_read_pdptes(vcpu, sregs, pdpte);
	vmx = vmx_get(vcpu);
	vmx_set_seg(vmx, VMX_SEG_CS, &sregs->cs);
	vmx_set_seg(vmx, VMX_SEG_DS, &sregs->ds);
	vmx_set_seg(vmx, VMX_SEG_ES, &sregs->es);
	vmx_set_seg(vmx, VMX_SEG_FS, &sregs->fs);
	vmx_set_seg(vmx, VMX_SEG_GS, &sregs->gs);
	vmx_set_seg(vmx, VMX_SEG_SS, &sregs->ss);
	vmx_set_seg(vmx, VMX_SEG_TR, &sregs->tr);
	vmx_set_seg(vmx, VMX_SEG_LDTR, &sregs->ldt);
	vmcs_writel(VMCS_GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_writel(VMCS_GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, sregs->idt.limit);
	vmx->cr2 = sregs->cr2;
	if (vmx->shadow) {
		vmx->guest_cr0 = sregs->cr0;
		vmx->guest_cr3 = sregs->cr3;
		vmx->guest_cr4 = sregs->cr4;
		vmx->guest_efer = sregs->efer;
		vmx_shadow_update(vmx);
	} else {
		vmx_set_cr0(sregs->cr0);
		vmcs_writel(VMCS_GUEST_CR3, sregs->cr3);
		vmx_set_cr4(sregs->cr4);
		__vmx_set_efer(vmx, sregs->efer);
	}
	for (i = 0; i < 4; i++)
		vmcs_write64(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	vmx_put(vmx);
}

void vmx_set_efer(struct mv_vcpu *vcpu, u64 efer)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	if (vmx->shadow) {
		vmx->guest_efer = efer;
		vmx_shadow_update(vmx);
	} else {
		/* Into long mode by an emulated MOV CR0: as enter_lmode(). */
		if (efer & EFER_LMA)
			vmx_fix_tr_lma();
		__vmx_set_efer(vmx, efer);
	}
	vmx_put(vmx);
}

/*
 * Nested paging: the guest's CR0/CR3/CR4 after the core's checks (cr.c).
 * PAE paging outside long mode takes its PDPTEs from the VMCS at entry
 * (27.3.2.4): load them as the MOV would have. LME stands for LMA here:
 * set_efer() follows a CR0 write that enters long mode.
 */
static void vmx_set_cr_nested(struct mv_vcpu *vcpu, int cr, u64 value)
{
	struct kvm_sregs s = { 0 };
	struct mv_ctrl c;
	struct vmx_vcpu *vmx;
	u64 pdpte[4];
	int i;

	vmx_get_ctrl(vcpu, &c);
	s.cr0 = cr == 0 ? value : c.cr0;
	s.cr3 = cr == 3 ? value : c.cr3;
	s.cr4 = cr == 4 ? value : c.cr4;
	s.efer = c.efer & EFER_LME ? EFER_LMA : 0;
	vmx_read_pdptes(vcpu, &s, pdpte);
	vmx = vmx_get(vcpu);
	switch (cr) {
	case 0:
		vmx_set_cr0(value);
		break;
	case 3:
		vmcs_writel(VMCS_GUEST_CR3, value);
		break;
	case 4:
		vmx_set_cr4(value);
		break;
	}
	for (i = 0; i < 4; i++)
		vmcs_write64(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	vmx_put(vmx);
}

void vmx_set_cr(struct mv_vcpu *vcpu, int cr, u64 value)
{
	struct vmx_vcpu *vmx;

	if (!to_vmx(vcpu)->shadow) {
		vmx_set_cr_nested(vcpu, cr, value);
		return;
	}
	vmx = vmx_get(vcpu);
	switch (cr) {
	case 0:
		vmx->guest_cr0 = value;
		break;
	case 3:
		vmx->guest_cr3 = value;
		break;
	case 4:
		vmx->guest_cr4 = value;
		break;
	}
	vmx_shadow_update(vmx);
	vmx_put(vmx);
}

void vmx_set_shadow_root(struct mv_vcpu *vcpu, phys_addr_t root)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	vmx->shadow_root = root;
	vmx_shadow_update(vmx);
	vmx_put(vmx);
}

/*
 * After an exit: with unrestricted guest the guest switches long mode on
 * and off itself (CR0.PG with EFER.LME), and the exit saved EFER.LMA;
 * "IA-32e mode guest" must follow it for the next entry (SDM vol 3C 27.3.1.1
 * "Checks on Guest Control Registers, Debug Registers, and MSRs"), and a
 * guest that entered long mode without loading a 64-bit TSS gets its TR
 * marked busy 64-bit, as KVM's enter_lmode() does (27.3.1.2). VMCS current.
 */
void vmx_sync_lma(struct vmx_vcpu *vmx)
{
	u64 efer = vmcs_read64(VMCS_GUEST_EFER);
	bool lma = efer & EFER_LMA;

	if (vmx->shadow || lma == !!(vmx->entry & VMX_ENTRY_CTL_IA32E))
		return;
	if (lma)
		vmx_fix_tr_lma();
	__vmx_set_efer(vmx, efer);
}

/* The MSRs the VMCS and the MSR areas hold. */
int vmx_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r = 0;

	switch (index) {
	case MSR_KERNEL_GS_BASE:
		*data = vmx->msrs[VMX_AREA_KERNEL_GS_BASE].value;
		return 0;
	case MSR_STAR:
		*data = vmx->msrs[VMX_AREA_STAR].value;
		return 0;
	case MSR_LSTAR:
		*data = vmx->msrs[VMX_AREA_LSTAR].value;
		return 0;
	case MSR_CSTAR:
		*data = vmx->msrs[VMX_AREA_CSTAR].value;
		return 0;
	case MSR_SYSCALL_MASK:
		*data = vmx->msrs[VMX_AREA_SYSCALL_MASK].value;
		return 0;
	}

	vmx = vmx_get(vcpu);
	switch (index) {
	case MSR_FS_BASE:	   *data = vmcs_readl(VMCS_GUEST_FS_BASE); break;
	case MSR_GS_BASE:	   *data = vmcs_readl(VMCS_GUEST_GS_BASE); break;
	case MSR_IA32_SYSENTER_CS:  *data = vmcs_read32(VMCS_GUEST_SYSENTER_CS); break;
	case MSR_IA32_SYSENTER_ESP: *data = vmcs_readl(VMCS_GUEST_SYSENTER_ESP); break;
	case MSR_IA32_SYSENTER_EIP: *data = vmcs_readl(VMCS_GUEST_SYSENTER_EIP); break;
	case MSR_IA32_CR_PAT:	   *data = vmcs_read64(VMCS_GUEST_PAT); break;
	case MSR_IA32_DEBUGCTLMSR:  *data = vmcs_read64(VMCS_GUEST_DEBUGCTL); break;
	default:
		r = -ENOENT;
	}
	vmx_put(vmx);
	return r;
}

int vmx_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int r = 0;

	switch (index) {
	case MSR_KERNEL_GS_BASE:
		vmx->msrs[VMX_AREA_KERNEL_GS_BASE].value = data;
		return 0;
	case MSR_STAR:
		vmx->msrs[VMX_AREA_STAR].value = data;
		return 0;
	case MSR_LSTAR:
		vmx->msrs[VMX_AREA_LSTAR].value = data;
		return 0;
	case MSR_CSTAR:
		vmx->msrs[VMX_AREA_CSTAR].value = data;
		return 0;
	case MSR_SYSCALL_MASK:
		vmx->msrs[VMX_AREA_SYSCALL_MASK].value = data;
		return 0;
	}

	vmx = vmx_get(vcpu);
	switch (index) {
	case MSR_FS_BASE:	   vmcs_writel(VMCS_GUEST_FS_BASE, data); break;
	case MSR_GS_BASE:	   vmcs_writel(VMCS_GUEST_GS_BASE, data); break;
	case MSR_IA32_SYSENTER_CS:  vmcs_write32(VMCS_GUEST_SYSENTER_CS, data); break;
	case MSR_IA32_SYSENTER_ESP: vmcs_writel(VMCS_GUEST_SYSENTER_ESP, data); break;
	case MSR_IA32_SYSENTER_EIP: vmcs_writel(VMCS_GUEST_SYSENTER_EIP, data); break;
	case MSR_IA32_CR_PAT:	   vmcs_write64(VMCS_GUEST_PAT, data); break;
	case MSR_IA32_DEBUGCTLMSR:  vmcs_write64(VMCS_GUEST_DEBUGCTL, data); break;
	default:
		r = -ENOENT;
	}
	vmx_put(vmx);
	return r;
}

void vmx_set_tsc_offset(struct mv_vcpu *vcpu, u64 offset)
{
	struct vmx_vcpu *vmx = vmx_get(vcpu);

	vmcs_write64(VMCS_TSC_OFFSET, offset);
	vmx_put(vmx);
}
