/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest page-table walker: 2-level (32-bit), PAE and 4-level paging, with
 * the permission rules of SDM vol 3A 4.6 "Access Rights" (U/S, R/W with
 * CR0.WP, XD with EFER.NXE, SMEP, SMAP) and reserved-bit checks. One walker
 * for KVM_TRANSLATE, instruction fetches and the shadow MMU.
 */
#ifndef MINIVIRT_MMU_WALK_H
#define MINIVIRT_MMU_WALK_H

#include <linux/types.h>

struct mv_ctrl;
struct mv_vm;

/* Access kind, as in a #PF error code (SDM vol 3A 4.7). */
#define MV_PF_PRESENT	BIT(0)
#define MV_PF_WRITE	BIT(1)
#define MV_PF_USER	BIT(2)
#define MV_PF_RSVD	BIT(3)
#define MV_PF_FETCH	BIT(4)

/* Implicit supervisor access (descriptor tables): no SMAP check. */
#define MV_ACCESS_IMPLICIT	BIT(31)
/* Set the accessed bits, and the dirty bit on a write (the shadow MMU). */
#define MV_WALK_SET_AD		BIT(30)

#define MV_WALK_MAX_LEVELS	4

struct mv_walk {
	u64 gpa;
	u32 error_code;		/* when the walk faults */
	unsigned int level;	/* of the leaf: 1 (4K), 2 (2M/4M), 3 (1G) */
	unsigned int levels;	/* of the paging mode: 2, 3 (PAE), 4; 0 unpaged */
	bool pte32;		/* 4-byte entries (32-bit paging) */
	/* Effective rights of the translation (all levels). */
	bool writable, user, nx;
	bool dirty;		/* the leaf's D bit, after any update */
	/* The guest table read at each level (1 = PT), as a gfn, and the entry. */
	u64 table_gfn[MV_WALK_MAX_LEVELS + 1];
	u64 pte[MV_WALK_MAX_LEVELS + 1];
};

/*
 * Translates a linear address. 0 on success; 1 if the guest would take a #PF
 * (walk->error_code), also for a page table outside guest RAM (as KVM);
 * -EFAULT if an accessed or dirty bit cannot be set there (read-only memory).
 * rflags_ac: RFLAGS.AC, for SMAP. The caller holds vm->srcu.
 */
int mv_walk(struct mv_vm *vm, const struct mv_ctrl *ctrl, u64 la,
	    u32 access, bool rflags_ac, struct mv_walk *walk);

#endif /* MINIVIRT_MMU_WALK_H */
