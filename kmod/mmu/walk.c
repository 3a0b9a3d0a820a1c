// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page-table walks. See walk.h. The manuals' chapters: SDM vol 3A 4.3
 * "32-bit paging", 4.4 "PAE paging", 4.5 "4-level paging", 4.6 "Access
 * rights"; APM vol 2 5.3 "Long-Mode Page Translation".
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "../memslot.h"
#include "../vcpu.h"
#include "dirty.h"
#include "walk.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_XD		BIT_ULL(63)

struct walk_mode {
	int levels;		/* 2, 3 (PAE) or 4 */
	int pte_size;		/* 4 or 8 */
	u64 rsvd_addr;		/* address bits above MAXPHYADDR, 8-byte PTEs */
};

static u64 guest_cr3_table(const struct mv_ctrl *ctrl, const struct walk_mode *m)
{
	if (m->levels == 2)
		return ctrl->cr3 & 0xfffff000ULL;
	if (m->levels == 3)
		return ctrl->cr3 & 0xffffffe0ULL;	/* 32-byte aligned PDPT */
	return ctrl->cr3 & 0x000ffffffffff000ULL;
}

/* Index of la in the table of a level (levels count from 1 = PT). */
static unsigned int walk_index(const struct walk_mode *m, u64 la, int level)
{
	if (m->pte_size == 4)
		return (la >> (12 + 10 * (level - 1))) & 0x3ff;
	if (m->levels == 3 && level == 3)
		return (la >> 30) & 3;
	return (la >> (12 + 9 * (level - 1))) & 0x1ff;
}

/* Reserved bits of an entry at a level (SDM vol 3A 4.4.2, 4.5.4). */
static bool pte_reserved(const struct mv_ctrl *ctrl, const struct walk_mode *m,
			 u64 pte, int level)
{
	bool nxe = ctrl->efer & EFER_NX;

	if (m->pte_size == 4)	/* 32-bit paging: PSE-36 bits 21:13 of a 4M PDE */
		return level == 2 && (pte & PTE_PS) && (pte & BIT(21));
	if (pte & m->rsvd_addr)
		return true;
	if (!nxe && (pte & PTE_XD))
		return true;
	if (level == 4)
		return pte & PTE_PS;
	if ((pte & PTE_PS) && level == 2)	/* 2M: bits 20:13 */
		return pte & GENMASK_ULL(20, 13);
	if ((pte & PTE_PS) && level == 3)	/* 1G: bits 29:13 */
		return pte & GENMASK_ULL(29, 13);
	return false;
}

static u64 pte_addr(const struct walk_mode *m, u64 pte, int level)
{
	if (m->pte_size == 4) {
		if (level == 2 && (pte & PTE_PS))	/* 4M, PSE-36 */
			return (pte & 0xffc00000ULL) | ((pte & 0x1fe000ULL) << 19);
		return pte & 0xfffff000ULL;
	}
	if (level == 3 && (pte & PTE_PS))
		return pte & GENMASK_ULL(51, 30);
	if (level == 2 && (pte & PTE_PS))
		return pte & GENMASK_ULL(51, 21);
	return pte & GENMASK_ULL(51, 12);
}

/*
 * Sets bits in a guest paging entry as the processor does: atomically, so a
 * concurrent update by another vCPU is not lost (cmpxchg on the VMM's
 * mapping of guest memory; retried if the entry changed). A write into
 * guest memory like any other: logged (mmu/dirty.h).
 */
static int set_pte_bits(struct mv_vm *vm, u64 gpa, u64 *pte, u64 bits,
			int size)
{
	const struct mv_memslot *slot;
	unsigned long hva;
	int r;

	slot = mv_gfn_to_memslot(mv_memslots(vm), gpa >> PAGE_SHIFT);
	if (!slot || (slot->flags & KVM_MEM_READONLY))
		return -EFAULT;
	/* The memslot's range passed access_ok() when it was set. */
	hva = mv_gfn_to_hva(slot, gpa >> PAGE_SHIFT) + offset_in_page(gpa);
	do {
		if (size == 4) {
			u32 old = *pte;

			r = __try_cmpxchg_user((u32 __user *)hva, &old,
					       old | (u32)bits, efault32);
			*pte = r ? old : old | bits;
		} else {
			u64 old = *pte;

			r = __try_cmpxchg_user((u64 __user *)hva, &old,
					       old | bits, efault64);
			*pte = r ? old : old | bits;
		}
		if (r < 0)
			return r;
	} while (r && (*pte & bits) != bits);	/* changed meanwhile: again */
	if (!r)
		mv_mark_page_dirty_in_slot(slot, gpa >> PAGE_SHIFT);
	return 0;
}

/* SDM vol 3A 4.6.1 "Determination of Access Rights". */
static bool access_denied(const struct mv_ctrl *ctrl, u32 access, bool ac,
			  bool writable, bool user, bool xd)
{
	bool user_mode = access & MV_PF_USER;
	bool smap = (ctrl->cr4 & X86_CR4_SMAP) && !user_mode && user &&
		    !(access & MV_PF_FETCH) &&
		    (!ac || (access & MV_ACCESS_IMPLICIT));

	if (user_mode && !user)
		return true;
	if (access & MV_PF_WRITE) {
		if (!writable && (user_mode || (ctrl->cr0 & X86_CR0_WP)))
			return true;
	}
	if (access & MV_PF_FETCH) {
		if (xd)
			return true;
		if (!user_mode && user && (ctrl->cr4 & X86_CR4_SMEP))
			return true;
	}
	return smap;
}

int mv_walk(struct mv_vm *vm, const struct mv_ctrl *ctrl, u64 la, u32 access,
	    bool rflags_ac, struct mv_walk *walk)
{
	struct walk_mode m;
	bool writable = true, user = true, xd = false;
	u32 fetch_bit;
	u64 table;
	int level;

	if (!(ctrl->cr0 & X86_CR0_PG)) {
		walk->gpa = la & 0xffffffffULL;
		walk->level = 1;
		walk->levels = 0;
		walk->writable = walk->user = walk->dirty = true;
		walk->nx = false;
		return 0;
	}
	if (ctrl->efer & EFER_LMA) {
		m = (struct walk_mode){ 4, 8 };
	} else if (ctrl->cr4 & X86_CR4_PAE) {
		m = (struct walk_mode){ 3, 8 };
		la &= 0xffffffffULL;
	} else {
		m = (struct walk_mode){ 2, 4 };
		la &= 0xffffffffULL;
	}
	m.rsvd_addr = m.pte_size == 8 ?
		      GENMASK_ULL(51, boot_cpu_data.x86_phys_bits) : 0;

	/* The I/D bit is reported only where it matters (SDM vol 3A 4.7). */
	fetch_bit = (ctrl->efer & EFER_NX) || (ctrl->cr4 & X86_CR4_SMEP) ?
		    (access & MV_PF_FETCH) : 0;
	walk->error_code = (access & (MV_PF_WRITE | MV_PF_USER)) | fetch_bit;

	walk->levels = m.levels;
	walk->pte32 = m.pte_size == 4;
	table = guest_cr3_table(ctrl, &m);
	for (level = m.levels; level >= 1; level--) {
		u64 pte = 0, addr;

		walk->table_gfn[level] = table >> PAGE_SHIFT;
		addr = table + walk_index(&m, la, level) * m.pte_size;
		/*
		 * A table where no memory is (no memslot, or its backing
		 * unreadable) ends the walk in a not-present fault, as
		 * KVM's walker does (paging_tmpl.h walk_addr_generic()).
		 */
		if (mv_read_guest(vm, addr, &pte, m.pte_size))
			return 1;
		walk->pte[level] = pte;
		if (!(pte & PTE_P))
			return 1;
		/*
		 * A PAE PDPTE's reserved bits are checked when the PDPTEs are
		 * loaded (MOV to CR0/CR3/CR4: #GP, SDM vol 3A 4.4.1; cr.c), not
		 * on each walk, as KVM's walker does (paging_tmpl.h). With
		 * nested paging the emulated host (QEMU 7.2 TCG) even sets A
		 * (bit 5) in the PDPTEs in memory as it walks them.
		 */
		if (!(m.levels == 3 && level == 3) &&
		    pte_reserved(ctrl, &m, pte, level)) {
			walk->error_code |= MV_PF_PRESENT | MV_PF_RSVD;
			return 1;
		}
		/*
		 * The processor sets A in every entry it uses; PAE PDPTEs have
		 * none (SDM vol 3A 4.8 "Accessed and Dirty Flags").
		 */
		if ((access & MV_WALK_SET_AD) && !(m.levels == 3 && level == 3) &&
		    !(pte & PTE_A)) {
			if (set_pte_bits(vm, addr, &pte, PTE_A, m.pte_size))
				return -EFAULT;
		}
		/* PAE PDPTEs carry no permissions (SDM vol 3A 4.4.1). */
		if (!(m.levels == 3 && level == 3)) {
			writable &= !!(pte & PTE_RW);
			user &= !!(pte & PTE_US);
			xd |= (ctrl->efer & EFER_NX) && (pte & PTE_XD);
		}
		if (level == 1 || ((pte & PTE_PS) && level <= 3 &&
				   !(m.levels == 3 && level == 3) &&
				   (m.pte_size == 8 || (ctrl->cr4 & X86_CR4_PSE)))) {
			u64 page_mask = (1ULL << (12 + (level - 1) *
						  (m.pte_size == 4 ? 10 : 9))) - 1;

			if (access_denied(ctrl, access, rflags_ac, writable,
					  user, xd)) {
				walk->error_code |= MV_PF_PRESENT;
				return 1;
			}
			if ((access & MV_WALK_SET_AD) && (access & MV_PF_WRITE) &&
			    !(pte & PTE_D) &&
			    set_pte_bits(vm, addr, &pte, PTE_D, m.pte_size))
				return -EFAULT;
			walk->gpa = pte_addr(&m, pte, level) | (la & page_mask);
			walk->level = level;
			walk->writable = writable;
			walk->user = user;
			walk->nx = xd;
			walk->dirty = pte & PTE_D;
			return 0;
		}
		table = pte_addr(&m, pte, level);
	}
	return 1;	/* not reached: level 1 always returns */
}
