// SPDX-License-Identifier: GPL-2.0-only
/*
 * The intercept policy, once for both vendors: which guest instructions and
 * events must exit, and what each becomes (the exit type the backend decodes
 * it into; exits.c acts on that). KVM's answers, read in 6.1/6.12 x86.c,
 * pmu.c, svm/svm.c and vmx/vmx.c:
 * - INVD is skipped like WBINVD (kvm_emulate_invd()); MONITOR and MWAIT
 *   too, unless KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS is off and the guest's
 *   CPUID has no MONITOR: then #UD (kvm_emulate_monitor_mwait()).
 * - RDPMC: KVM intercepts it on both vendors; minivirt has no vPMU, and
 *   KVM's kvm_pmu_rdpmc() without one #GPs (exits.c).
 * - RDTSCP and RDPID run natively on the guest's own MSR_TSC_AUX, which the
 *   backend switches; RDTSCP #UDs while the guest's CPUID lacks it (SVM: its
 *   intercept; VMX: "enable RDTSCP" clear, which #UDs RDPID too, and is
 *   clear only while the CPUID has neither, as KVM's
 *   vmx_secondary_exec_control()). SVM has no RDPID intercept: there, as on
 *   kvm_amd, RDPID works whatever the CPUID says.
 * - RDPRU, SVM's and VMX's own instructions, GETSEC: #UD, no nested
 *   virtualization (kvm_handle_invalid_op(), nested_svm_check_permissions()
 *   with EFER.SVME clear, handle_vmx_instruction() without nested).
 * - Task switches are not emulated: KVM_EXIT_INTERNAL_ERROR (KVM emulates).
 * Instructions not listed run natively: RDRAND/RDSEED, and what the CPU
 * itself refuses to a guest that cannot enable it (PCONFIG, ENCLS without
 * the feature; CR4.SMXE, CR4.VMXE and EFER.SVME are never the guest's).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include "intercepts.h"

const struct mv_intercept_info mv_intercepts[MV_ICPT_NR] = {
	[MV_ICPT_INTR]		= { "external interrupt", MV_EXIT_NONE, MV_NEED_REQUIRED },
	[MV_ICPT_NMI]		= { "NMI", MV_EXIT_NONE, MV_NEED_REQUIRED },
	[MV_ICPT_SMI]		= { "SMI", MV_EXIT_NONE, MV_NEED_OPTIONAL },
	[MV_ICPT_SHUTDOWN]	= { "shutdown", MV_EXIT_SHUTDOWN, MV_NEED_REQUIRED },
	[MV_ICPT_CPUID]		= { "CPUID", MV_EXIT_CPUID, MV_NEED_REQUIRED },
	[MV_ICPT_HLT]		= { "HLT", MV_EXIT_HLT, MV_NEED_REQUIRED },
	[MV_ICPT_IO]		= { "IN/OUT", MV_EXIT_IO, MV_NEED_REQUIRED },
	/* MV_EXIT_WRMSR for a write: the backend's decoder tells them apart. */
	[MV_ICPT_MSR]		= { "RDMSR/WRMSR", MV_EXIT_RDMSR, MV_NEED_REQUIRED },
	[MV_ICPT_XSETBV]	= { "XSETBV", MV_EXIT_XSETBV, MV_NEED_REQUIRED },
	[MV_ICPT_HYPERCALL]	= { "VMMCALL/VMCALL", MV_EXIT_HYPERCALL, MV_NEED_REQUIRED },
	[MV_ICPT_INVD]		= { "INVD", MV_EXIT_NOP, MV_NEED_REQUIRED },
	/* Natively it only flushes caches, which the guest's own memory may. */
	[MV_ICPT_WBINVD]	= { "WBINVD", MV_EXIT_NOP, MV_NEED_OPTIONAL },
	[MV_ICPT_MONITOR]	= { "MONITOR", MV_EXIT_MONITOR_MWAIT, MV_NEED_REQUIRED },
	[MV_ICPT_MWAIT]		= { "MWAIT", MV_EXIT_MONITOR_MWAIT, MV_NEED_REQUIRED },
	[MV_ICPT_RDPMC]		= { "RDPMC", MV_EXIT_RDPMC, MV_NEED_REQUIRED },
	[MV_ICPT_RDTSCP]	= { "RDTSCP", MV_EXIT_UD, MV_NEED_REQUIRED },
	[MV_ICPT_RDPID]		= { "RDPID", MV_EXIT_UD, MV_NEED_OPTIONAL },
	[MV_ICPT_RDPRU]		= { "RDPRU", MV_EXIT_UD, MV_NEED_REQUIRED },
	[MV_ICPT_VIRT]		= { "SVM/VMX instructions", MV_EXIT_UD, MV_NEED_REQUIRED },
	[MV_ICPT_GETSEC]	= { "GETSEC", MV_EXIT_UD, MV_NEED_REQUIRED },
	[MV_ICPT_TASK_SWITCH]	= { "task switch", MV_EXIT_UNEXPECTED, MV_NEED_REQUIRED },
};

static enum mv_icpt_cover mv_cover[MV_ICPT_NR];

int mv_intercepts_check(const char *backend,
			const enum mv_icpt_cover cover[MV_ICPT_NR])
{
	unsigned int i;

	for (i = 0; i < MV_ICPT_NR; i++) {
		if (cover[i] == MV_COVER_NONE &&
		    mv_intercepts[i].need == MV_NEED_REQUIRED) {
			pr_err("%s unusable: cannot intercept %s\n", backend,
			       mv_intercepts[i].name);
			return -EOPNOTSUPP;
		}
	}
	memcpy(mv_cover, cover, sizeof(mv_cover));
	return 0;
}

bool mv_intercept_covered(enum mv_intercept icpt)
{
	return mv_cover[icpt] == MV_COVER_CONTROL;
}
