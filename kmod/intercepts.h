/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every backend intercepts, and what the core makes of it: one list for
 * both vendors (intercepts.c). A backend maps each entry to its own controls
 * (SVM: the VMCB intercept vectors, svm/svm.c; VMX: the VM-execution
 * controls, or exits the hardware always takes, vmx/vmx.c) and its probe
 * fails if one it must cover is not covered.
 */
#ifndef MINIVIRT_INTERCEPTS_H
#define MINIVIRT_INTERCEPTS_H

#include <linux/types.h>

#include "exit.h"

enum mv_intercept {
	/* Events: the host's, taken back from the guest. */
	MV_ICPT_INTR,		/* external interrupt */
	MV_ICPT_NMI,
	MV_ICPT_SMI,
	MV_ICPT_SHUTDOWN,	/* triple fault */
	/* Instructions the core emulates. */
	MV_ICPT_CPUID,
	MV_ICPT_HLT,
	MV_ICPT_IO,
	MV_ICPT_MSR,
	MV_ICPT_XSETBV,
	MV_ICPT_HYPERCALL,	/* the vendor's: VMMCALL / VMCALL */
	MV_ICPT_INVD,
	MV_ICPT_WBINVD,
	MV_ICPT_MONITOR,
	MV_ICPT_MWAIT,
	MV_ICPT_RDPMC,
	/* Refused, as on a CPU or a guest without them. */
	MV_ICPT_RDTSCP,		/* only while the guest's CPUID lacks it */
	MV_ICPT_RDPID,
	MV_ICPT_RDPRU,
	MV_ICPT_VIRT,		/* the vendor's virtualization instructions */
	MV_ICPT_GETSEC,
	MV_ICPT_TASK_SWITCH,
	MV_ICPT_NR
};

/* How much an intercept matters. */
enum mv_icpt_need {
	/* Isolation or the ABI depend on it: no backend without it. */
	MV_NEED_REQUIRED,
	/* Intercepted where the CPU can; running natively is harmless. */
	MV_NEED_OPTIONAL,
};

struct mv_intercept_info {
	const char *name;
	/* What the backend decodes the exit into (the core's handler). */
	enum mv_exit_type exit;
	enum mv_icpt_need need;
};

extern const struct mv_intercept_info mv_intercepts[MV_ICPT_NR];

/* An event, not an instruction: no instruction length to it. */
static inline bool mv_intercept_is_event(enum mv_intercept icpt)
{
	return icpt <= MV_ICPT_SHUTDOWN || icpt == MV_ICPT_TASK_SWITCH;
}

/* How a backend covers an intercept on this CPU. */
enum mv_icpt_cover {
	MV_COVER_NONE,		/* not at all */
	MV_COVER_CONTROL,	/* a control the backend sets */
	MV_COVER_ALWAYS,	/* the hardware exits on it unconditionally */
	MV_COVER_ABSENT,	/* the vendor's CPUs lack the instruction: #UD */
};

/*
 * Checks a backend's cover of the list at probe time: 0, or -EOPNOTSUPP
 * after one line naming the first required intercept it cannot cover.
 * Remembers the cover for mv_intercept_covered().
 */
int mv_intercepts_check(const char *backend,
			const enum mv_icpt_cover cover[MV_ICPT_NR]);

/*
 * The chosen backend covers it with a control it sets per vCPU (so that, for
 * RDTSCP, it can offer the instruction and still refuse it when asked).
 */
bool mv_intercept_covered(enum mv_intercept icpt);

#endif /* MINIVIRT_INTERCEPTS_H */
