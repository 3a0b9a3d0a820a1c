// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-x (VMX) backend.
 *
 * Manual references: Intel 64 and IA-32 Architectures Software Developer's
 * Manual, order number 325462-080US, June 2023 ("SDM vol 3C", "SDM vol 3D").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/asm.h>
#include <asm/io.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "../backend.h"

/* CPUID.1:ECX.VMX[bit 5] (SDM vol 3C 24.6 "Discovering Support for VMX"). */
#define CPUID_1_ECX_VMX			BIT(5)

/* SDM vol 3D A.1 "Basic VMX Information": fields of IA32_VMX_BASIC. */
#define VMX_BASIC_REVISION(b)		((u32)(b) & 0x7fffffff)
#define VMX_BASIC_REGION_SIZE(b)	(((b) >> 32) & 0x1fff)
#define VMX_BASIC_32BIT_ADDRESSES	BIT_ULL(48)
#define VMX_BASIC_MEMTYPE(b)		(((b) >> 50) & 0xf)
#define VMX_MEMTYPE_WB			6

static u32 vmx_revision_id;

static int vmx_probe(void)
{
	u64 feat_ctl = 0, basic;

	if (!(cpuid_ecx(1) & CPUID_1_ECX_VMX))
		return -ENODEV;

	/*
	 * SDM vol 3C 24.7 "Enabling and Entering VMX Operation": VMXON #GPs
	 * unless IA32_FEATURE_CONTROL is locked with VMX-outside-SMX enabled.
	 * The kernel also clears X86_FEATURE_VMX when firmware left it off.
	 */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
	    !(feat_ctl & FEAT_CTL_LOCKED) ||
	    !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX) ||
	    !boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("VMX disabled by firmware (IA32_FEATURE_CONTROL %#llx)\n",
		       feat_ctl);
		return -EPERM;
	}

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	if (VMX_BASIC_REGION_SIZE(basic) > PAGE_SIZE ||
	    (basic & VMX_BASIC_32BIT_ADDRESSES) ||
	    VMX_BASIC_MEMTYPE(basic) != VMX_MEMTYPE_WB) {
		pr_err("VMX unusable: IA32_VMX_BASIC %#llx (needs regions <= 4 KiB, 64-bit addresses, write-back)\n",
		       basic);
		return -EOPNOTSUPP;
	}
	vmx_revision_id = VMX_BASIC_REVISION(basic);
	pr_info("VMX: VMCS revision %#x\n", vmx_revision_id);
	return 0;
}

/* SDM vol 3C 25.11.5 "VMXON Region": starts with the VMCS revision identifier. */
static void vmx_init_vmxon_region(void *va)
{
	*(u32 *)va = vmx_revision_id;
}

static int vmx_cpu_enable(struct page *vmxon_region)
{
	u64 pa = page_to_phys(vmxon_region);

	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;

	/* Intel PT must stop tracing before VMXON on CPUs without PT in VMX. */
	intel_pt_handle_vmx(1);
	cr4_set_bits(X86_CR4_VMXE);

	/* VMfailInvalid sets CF; a #GP (e.g. bad CR0/CR4 fixed bits) faults. */
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;

fail:
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	return -EIO;
}

static void vmx_cpu_disable(void)
{
	/* VMXOFF faults only outside VMX operation: nothing to undo then. */
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
fault:
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
}

const struct mv_backend mv_vmx_backend = {
	.name		= "VMX",
	.in_use_bit	= "CR4.VMXE",
	.probe		= vmx_probe,
	.init_cpu_area	= vmx_init_vmxon_region,
	.cpu_enable	= vmx_cpu_enable,
	.cpu_disable	= vmx_cpu_disable,
};
