/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_VIRT_H
#define MINIVIRT_VIRT_H

/*
 * Hardware virtualization (VMXON / EFER.SVME) on every online CPU, held while
 * at least one VM exists. mv_virt_get() fails with -EBUSY, leaving nothing
 * enabled, if another hypervisor holds the hardware on any CPU.
 */
int mv_virt_get(void);
void mv_virt_put(void);

int mv_virt_init(void);
void mv_virt_exit(void);

#endif /* MINIVIRT_VIRT_H */
