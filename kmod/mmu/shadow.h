/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shadow paging: the hardware walks our shadow page tables, which map the
 * guest's linear addresses straight to host memory; they are built on guest
 * page faults from the guest's own tables (mmu/walk.c) and the memslots.
 * Guest page-table pages are write-protected: a write to one faults, is
 * emulated, and zaps the shadow entries it changes, so the shadow never goes
 * stale. Shadow pages are kept in a hash by (guest table gfn, role), so a
 * vCPU switching among address spaces finds its earlier roots again.
 */
#ifndef MINIVIRT_MMU_SHADOW_H
#define MINIVIRT_MMU_SHADOW_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct mv_ctrl;
struct mv_vcpu;
struct mv_vm;

#define MV_SHADOW_HASH_BITS	10

/* Per VM. */
struct mv_shadow {
	struct mutex lock;		/* everything below and every shadow page */
	struct hlist_head hash[1 << MV_SHADOW_HASH_BITS];
	struct list_head pages;		/* the newest first */
	unsigned long nr_pages;
	/* KVM_SET_NR_MMU_PAGES's bound (0: none), kept by zapping the oldest */
	unsigned long max_pages;
};

struct mv_sp;

/* Per vCPU. */
struct mv_shadow_vcpu {
	struct mv_sp *root;		/* 4-level root (guest in long mode) */
	struct mv_sp *pae[4];		/* PAE-format root: the four PDs */
	u64 *pae_root;			/* its page (below 4 GiB: legacy CR3) */
	phys_addr_t root_hpa;		/* what the hardware's CR3 holds */
	bool loaded;
};

void mv_shadow_init(struct mv_shadow *s);
void mv_shadow_destroy(struct mv_vm *vm);
int mv_shadow_vcpu_init(struct mv_vcpu *vcpu);
void mv_shadow_vcpu_destroy(struct mv_vcpu *vcpu);

/* Points the vCPU at the shadow of its current guest paging state. */
int mv_shadow_load_root(struct mv_vcpu *vcpu);

/*
 * A #PF the hardware took in shadow mode: maps the page, emulates a write
 * to a guest page table, reflects a guest fault, or hands MMIO to the core.
 * Returns as an exit handler (exits.h).
 */
int mv_shadow_page_fault(struct mv_vcpu *vcpu, u64 la, u32 error_code);

/*
 * Dirty logging: takes the write right from every leaf mapping base_gfn + i
 * for each bit i in mask[0..nbits). The caller holds the shadow lock and
 * flushes TLBs if this returns true.
 */
bool mv_shadow_wrprot_locked(struct mv_vm *vm, u64 base_gfn,
			     const unsigned long *mask, unsigned long nbits);

/* KVM_MIN_ALLOC_MMU_PAGES: the smallest bound KVM_SET_NR_MMU_PAGES takes. */
#define MV_MIN_SHADOW_PAGES	64

/*
 * KVM_SET_NR_MMU_PAGES: bounds the VM's shadow pages, zapping the oldest
 * ones not in use as roots down to it now and whenever a fault needs more.
 */
int mv_shadow_set_max_pages(struct mv_vm *vm, unsigned long max);

/* Drops every shadow page (memslot changes); vCPUs reload their roots. */
void mv_shadow_zap_all(struct mv_vm *vm);
/* Unmaps the guest pages [gfn_start, gfn_end) (MMU notifier). */
int mv_shadow_zap_gfns(struct mv_vm *vm, u64 gfn_start, u64 gfn_end,
		       bool blockable);

#endif /* MINIVIRT_MMU_SHADOW_H */
