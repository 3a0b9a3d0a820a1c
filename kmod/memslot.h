/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_MEMSLOT_H
#define MINIVIRT_MEMSLOT_H

#include <linux/kvm.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct mv_vm;

/* KVM_CAP_NR_MEMSLOTS: slot ids 0 .. MV_NR_MEMSLOTS-1 in address space 0. */
#define MV_NR_MEMSLOTS		512

struct mv_memslot {
	u64 base_gfn;
	u64 npages;
	unsigned long userspace_addr;
	u32 flags;		/* KVM_MEM_READONLY, KVM_MEM_LOG_DIRTY_PAGES */
	u16 id;
	/* Logged: a bit per page, then as much again (mmu/dirty.c). */
	unsigned long *dirty_bitmap;
};

/* An immutable snapshot, replaced as a whole (RCU/SRCU), sorted by base_gfn. */
struct mv_memslots {
	unsigned int nr;
	struct mv_memslot slot[];
};

/* KVM_SET_USER_MEMORY_REGION. */
int mv_set_memory_region(struct mv_vm *vm,
			 const struct kvm_userspace_memory_region *mem);
void mv_memslots_free(struct mv_vm *vm);

/* Lookups: the caller holds vm->srcu for reading. */
struct mv_memslots *mv_memslots(struct mv_vm *vm);
const struct mv_memslot *mv_gfn_to_memslot(const struct mv_memslots *slots,
					   u64 gfn);
const struct mv_memslot *mv_id_to_memslot(const struct mv_memslots *slots,
					  u16 id);

static inline unsigned long mv_gfn_to_hva(const struct mv_memslot *slot,
					  u64 gfn)
{
	return slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
}

/*
 * Guest memory through the process's own mapping (the caller is the VMM's
 * thread). -EFAULT if any byte is outside every memslot or unreadable; writes
 * also fail on read-only slots. Caller holds vm->srcu. mv_write_guest() is
 * how the kernel writes guest memory on the guest's behalf: it logs each
 * page it wrote (mmu/dirty.h); a writer that cannot use it calls
 * mv_mark_page_dirty() itself (the walker's A/D updates).
 */
int mv_read_guest(struct mv_vm *vm, u64 gpa, void *buf, unsigned int len);
int mv_write_guest(struct mv_vm *vm, u64 gpa, const void *buf,
		   unsigned int len);

#endif /* MINIVIRT_MEMSLOT_H */
