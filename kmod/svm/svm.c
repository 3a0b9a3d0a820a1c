// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD-V (SVM) backend: probe, per-CPU enable, module-lifetime resources, and
 * the ops table. VMCB state is in vcpu.c, entering and exits in run.c.
 *
 * Manual references: AMD64 Architecture Programmer's Manual, Volume 2: System
 * Programming, publication 24593, revision 3.41 ("APM vol 2").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "../backend.h"
#include "../mmu/tdp.h"
#include "svm.h"

/* APM vol 2 15.30.1 "VM_CR MSR": firmware may lock SVM off. */
#define SVM_VM_CR_SVMDIS	BIT_ULL(4)

DEFINE_PER_CPU(struct svm_cpu, svm_cpu);
bool svm_has_nrips;
static u32 svm_nr_asids;

/* APM vol 2 15.10.1 "I/O Permissions Map": 12 KiB; 15.11 "MSR Intercepts": 8 KiB. */
#define SVM_IOPM_ORDER		2
#define SVM_MSRPM_ORDER		1
static struct page *svm_iopm, *svm_msrpm;
phys_addr_t svm_iopm_pa, svm_msrpm_pa;

static int svm_probe(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	u32 features;
	u64 vm_cr;

	if ((c->x86_vendor != X86_VENDOR_AMD &&
	     c->x86_vendor != X86_VENDOR_HYGON) ||
	    !boot_cpu_has(X86_FEATURE_SVM))
		return -ENODEV;

	if (cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT)) {
		pr_err("SVM unusable: this kernel runs as an SEV guest\n");
		return -EPERM;
	}

	/* APM vol 2 15.4 "Enabling SVM": VM_CR.SVMDIS set means EFER.SVME can't be. */
	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) || (vm_cr & SVM_VM_CR_SVMDIS)) {
		pr_err("SVM disabled by firmware (VM_CR.SVMDIS set or VM_CR unreadable)\n");
		return -EPERM;
	}

	svm_nr_asids = cpuid_ebx(SVM_CPUID_LEAF);
	features = cpuid_edx(SVM_CPUID_LEAF);
	if (!(features & SVM_FEATURE_NPT) || svm_nr_asids < 2) {
		pr_err("SVM unusable: needs nested paging and ASIDs (Fn8000_000A EDX %#x, %u ASIDs)\n",
		       features, svm_nr_asids);
		return -EOPNOTSUPP;
	}
	svm_has_nrips = features & SVM_FEATURE_NRIPS;
	if (svm_intercepts_init())
		return -EOPNOTSUPP;
	pr_info("SVM: %u ASIDs, nested paging yes, NRIP save %s\n",
		svm_nr_asids, svm_has_nrips ? "yes" : "no");
	return 0;
}

/* Clears both intercept bits of an MSR in the permission map. */
static void svm_msrpm_allow(u8 *msrpm, u32 msr)
{
	static const u32 base[] = { 0, 0xc0000000, 0xc0010000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(base); i++) {
		if (msr - base[i] < 0x2000) {
			unsigned int bit = 2 * (msr - base[i]);

			msrpm[i * 0x800 + bit / 8] &= ~(3 << (bit % 8));
			return;
		}
	}
}

/*
 * MSRs that VMLOAD/VMSAVE switch with the rest of the guest state: the guest
 * may use them freely. Everything else exits to the core's MSR policy.
 */
static const u32 svm_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static void svm_hardware_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);

		if (sd->host_save)
			__free_page(sd->host_save);
		sd->host_save = NULL;
	}
	if (svm_msrpm)
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	if (svm_iopm)
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
	svm_msrpm = svm_iopm = NULL;
}

static int svm_hardware_setup(void)
{
	unsigned int i;
	int cpu;

	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm)
		goto err;
	/* Every port and MSR exits unless allowed below. */
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(svm_passthrough_msrs); i++)
		svm_msrpm_allow(page_address(svm_msrpm), svm_passthrough_msrs[i]);
	svm_iopm_pa = page_to_phys(svm_iopm);
	svm_msrpm_pa = page_to_phys(svm_msrpm);

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);

		sd->host_save = alloc_pages_node(cpu_to_node(cpu),
						 GFP_KERNEL | __GFP_ZERO, 0);
		if (!sd->host_save)
			goto err;
		sd->host_save_pa = page_to_phys(sd->host_save);
		/* ASID 0 is the host's (APM vol 2 15.16). */
		sd->max_asid = svm_nr_asids - 1;
		sd->next_asid = sd->max_asid + 1;
	}
	return 0;
err:
	svm_hardware_unsetup();
	return -ENOMEM;
}

static int svm_cpu_enable(struct page *hsave)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;

	/* APM vol 2 15.4 "Enabling SVM": VMRUN and friends #UD unless EFER.SVME. */
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	/*
	 * APM vol 2 15.30.4 "VM_HSAVE_PA MSR": VMRUN saves host state to this
	 * 4 KiB-aligned page, which software must not touch while SVM is on.
	 */
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(hsave));
	/* Linux sets it once per CPU at bring-up (setup_getcpu()). */
	if (boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID))
		rdmsrl(MSR_TSC_AUX, sd->host_tsc_aux);
	/* Whatever ran here before may have left ASIDs in the TLB: start over. */
	sd->asid_generation++;
	sd->next_asid = sd->max_asid + 1;
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

/* Nested page tables use the AMD64 long-mode format (APM vol 2 15.25.5). */
#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)	/* guest accesses count as user accesses */
#define NPT_A		BIT_ULL(5)
#define NPT_D		BIT_ULL(6)
#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)

/* APM vol 2 15.25.3: the nested walk uses the host's paging mode, LA57 too. */
static int npt_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

static u64 npt_make_table(phys_addr_t pa)
{
	return pa | NPT_P | NPT_RW | NPT_US | NPT_A;
}

static u64 npt_make_leaf(phys_addr_t pa, bool writable)
{
	return pa | NPT_P | NPT_US | NPT_A | (writable ? NPT_RW | NPT_D : 0);
}

static bool npt_present(u64 pte)
{
	return pte & NPT_P;
}

static bool npt_writable(u64 pte)
{
	return pte & NPT_RW;
}

static phys_addr_t npt_addr(u64 pte)
{
	return pte & NPT_ADDR_MASK;
}

/* Dirty logging: a write through the leaf faults again (#NPF, W=1). */
static u64 npt_wrprot(u64 pte)
{
	return pte & ~NPT_RW;
}

static bool npt_dirty(u64 pte)
{
	return pte & NPT_D;
}

static const struct mv_tdp_format npt_format = {
	.levels		= npt_levels,
	.make_table	= npt_make_table,
	.make_leaf	= npt_make_leaf,
	.present	= npt_present,
	.writable	= npt_writable,
	.addr		= npt_addr,
	.wrprot		= npt_wrprot,
	.dirty		= npt_dirty,
};

const struct mv_backend mv_svm_backend = {
	.name			= "SVM",
	.in_use_bit		= "EFER.SVME",
	.vcpu_size		= sizeof(struct svm_vcpu),
	.tdp_format		= &npt_format,
	.hypercall_insn		= { 0x0f, 0x01, 0xd9 },	/* VMMCALL */
	.init_on_shutdown	= true,
	.probe			= svm_probe,
	.hardware_setup		= svm_hardware_setup,
	.hardware_unsetup	= svm_hardware_unsetup,
	.cpu_enable		= svm_cpu_enable,
	.cpu_disable		= svm_cpu_disable,
	.vcpu_create		= svm_vcpu_create,
	.vcpu_free		= svm_vcpu_free,
	.vcpu_reset		= svm_vcpu_reset,
	.run			= svm_run,
	.get_ctrl		= svm_get_ctrl,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.set_efer		= svm_set_efer,
	.set_tsc_offset		= svm_set_tsc_offset,
	.interrupt_allowed	= svm_interrupt_allowed,
	.nmi_allowed		= svm_nmi_allowed,
	.enable_irq_window	= svm_enable_irq_window,
	.get_interrupt_shadow	= svm_get_interrupt_shadow,
	.set_interrupt_shadow	= svm_set_interrupt_shadow,
	.inject			= svm_inject,
	.update_exception_intercepts = svm_update_exception_intercepts,
	.set_tdp_root		= svm_set_tdp_root,
	.set_cr			= svm_set_cr,
	.set_shadow_root	= svm_set_shadow_root,
};
