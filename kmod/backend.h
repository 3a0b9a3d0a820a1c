/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor ops table: everything that differs between Intel VT-x and AMD-V.
 *
 * The generic core (the .c files in kmod/) owns policy and never executes a
 * vendor instruction; a backend owns the hardware. Each backend ends with one const instance of this
 * table (mv_vmx_backend, mv_svm_backend). The table grows as the core needs more
 * (VM/vCPU create, run, state, inject, TLB, MMU root), aiming at about 20 hooks.
 */
#ifndef MINIVIRT_BACKEND_H
#define MINIVIRT_BACKEND_H

#include <linux/types.h>

struct page;

struct mv_backend {
	/* "VMX" or "SVM": for messages. */
	const char *name;
	/* What another hypervisor leaves set when it holds the hardware. */
	const char *in_use_bit;

	/*
	 * Is this vendor's extension usable on this machine? 0 if so; -ENODEV,
	 * silently, if the CPU does not have it at all; any other errno after
	 * printing one line that says why it is present but unusable. Called
	 * once at module load; may read capability MSRs and cache them.
	 */
	int (*probe)(void);

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
};

extern const struct mv_backend mv_vmx_backend;
extern const struct mv_backend mv_svm_backend;

/* The backend chosen at module load. */
extern const struct mv_backend *mv_backend;

#endif /* MINIVIRT_BACKEND_H */
