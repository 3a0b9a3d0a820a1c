// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD-V (SVM) backend.
 *
 * Manual references: AMD64 Architecture Programmer's Manual, Volume 2: System
 * Programming, publication 24593, revision 3.41 ("APM vol 2").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/io.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "../backend.h"

/* APM vol 2 15.30.1 "VM_CR MSR": firmware may lock SVM off. */
#define SVM_VM_CR_SVMDIS	BIT_ULL(4)

/* CPUID Fn8000_000A EDX: SVM features (APM vol 3, appendix E.4.9). */
#define SVM_CPUID_LEAF		0x8000000a
#define SVM_FEATURE_NPT		BIT(0)
#define SVM_FEATURE_NRIPS	BIT(3)

static int svm_probe(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	u32 asids, features;
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

	asids = cpuid_ebx(SVM_CPUID_LEAF);
	features = cpuid_edx(SVM_CPUID_LEAF);
	pr_info("SVM: %u ASIDs, nested paging %s, NRIP save %s\n", asids,
		features & SVM_FEATURE_NPT ? "yes" : "no",
		features & SVM_FEATURE_NRIPS ? "yes" : "no");
	return 0;
}

static int svm_cpu_enable(struct page *hsave)
{
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
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

const struct mv_backend mv_svm_backend = {
	.name		= "SVM",
	.in_use_bit	= "EFER.SVME",
	.probe		= svm_probe,
	.cpu_enable	= svm_cpu_enable,
	.cpu_disable	= svm_cpu_disable,
};
