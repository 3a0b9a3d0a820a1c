/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vCPU state a loader asks for at guest entry, vendor- and KVM-neutral,
 * and its translation into KVM's kvm_sregs/kvm_regs. Guest-physical layout:
 *
 *   0x00000-0x07fff  free (a real-mode guest's IVT would be at 0)
 *   0x08000-0x0ffff  vmrun's boot area: GDT, multiboot_info, memory map,
 *                    boot loader name, command line (multiboot only)
 *   0x10000-         a flat binary (0x1000:0000)
 *   0x100000-        where multiboot kernels usually load
 */
#ifndef VMRUN_BOOT_H
#define VMRUN_BOOT_H

#include <stdint.h>

#include <linux/kvm.h>

#include "err.h"
#include "mem.h"

#define BOOT_AREA_START		0x8000u
#define BOOT_AREA_END		0x10000u
#define BOOT_GDT_GPA		BOOT_AREA_START		/* 3 descriptors */
#define BOOT_GDT_SIZE		0x40u			/* reserved for it */

/* Selectors of the flat GDT vmrun writes for protected-mode entry. */
#define BOOT_SEL_CODE32		0x08
#define BOOT_SEL_DATA32		0x10

#define X86_CR0_PE		(1u << 0)
#define X86_CR0_ET		(1u << 4)
#define X86_RFLAGS_FIXED	(1u << 1)	/* bit 1 always reads 1 */

enum boot_mode {
	BOOT_REAL16,	/* real mode: CS=DS=ES=FS=GS=SS=seg, base seg << 4 */
	BOOT_FLAT32,	/* protected mode, paging off, flat 4 GiB segments */
};

struct boot_regs {
	enum boot_mode mode;
	uint16_t seg;		/* BOOT_REAL16 only */
	uint32_t ip, sp;	/* IP/EIP and SP/ESP */
	uint32_t eax, ebx;
	uint32_t gdt_base;	/* BOOT_FLAT32: where boot_write_gdt() wrote it */
};

/* Writes the null, flat code and flat data descriptors at gpa. */
int boot_write_gdt(struct guest_mem *m, uint32_t gpa, struct err *e);

/*
 * Turns s (KVM_GET_SREGS' reset state) into the state b asks for; every
 * segment, descriptor table and control register is set explicitly, so the
 * result does not depend on what s held. apic_base is kept.
 */
void boot_to_sregs(const struct boot_regs *b, struct kvm_sregs *s);
void boot_to_regs(const struct boot_regs *b, struct kvm_regs *r);

#endif /* VMRUN_BOOT_H */
