/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dirty-page logging, as KVM: KVM_MEM_LOG_DIRTY_PAGES on a memslot,
 * KVM_GET_DIRTY_LOG, KVM_CLEAR_DIRTY_LOG with KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2
 * (virt/kvm/kvm_main.c). A logged slot has a bitmap, one bit per page, set
 * by mv_mark_page_dirty*(): the one place every write into guest memory is
 * recorded, the CPU's (write-protected leaves fault; mmu/tdp.c, mmu/shadow.c)
 * and the kernel's own (mv_write_guest(), the walker's A/D updates).
 *
 * Locking, KVM's slots_lock + mmu_lock: vm->lock serializes GET, CLEAR and
 * memslot changes (and so the bitmap's life and its second half, the ioctl
 * buffer); the MMU locks (shadow->lock, then tdp->lock) make "take the bits,
 * write-protect their pages" atomic against a fault that maps a page writable
 * and sets its bit. Bits are set atomically, under vm->srcu: a bitmap is
 * freed only after the snapshot that pointed to it is out of every reader.
 */
#ifndef MINIVIRT_MMU_DIRTY_H
#define MINIVIRT_MMU_DIRTY_H

#include <linux/kvm.h>
#include <linux/types.h>

#include "../memslot.h"

struct mv_vm;

/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: what KVM_ENABLE_CAP accepts (as x86 KVM). */
#define MV_DIRTY_LOG_MANUAL_CAPS \
	(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET)

/* Records a write to gfn, if its slot is logged. The caller holds vm->srcu. */
void mv_mark_page_dirty(struct mv_vm *vm, u64 gfn);
void mv_mark_page_dirty_in_slot(const struct mv_memslot *slot, u64 gfn);

static inline bool mv_slot_logged(const struct mv_memslot *slot)
{
	return slot->dirty_bitmap;
}

/*
 * A memslot change, under vm->lock: prepare gives new its bitmap (old's, a
 * new one, or none) before the new snapshot is published; commit, once no
 * reader sees the old one, frees a bitmap that went and write-protects a
 * slot whose logging just started.
 */
int mv_dirty_slot_prepare(struct mv_vm *vm, const struct mv_memslot *old,
			  struct mv_memslot *new);
void mv_dirty_slot_commit(struct mv_vm *vm, const struct mv_memslot *old,
			  const struct mv_memslot *new);
/* The slot is going with its VM. */
void mv_dirty_slot_free(struct mv_memslot *slot);

/* The VM ioctls. */
long mv_get_dirty_log(struct mv_vm *vm, const struct kvm_dirty_log *log);
long mv_clear_dirty_log(struct mv_vm *vm, const struct kvm_clear_dirty_log *log);
/* KVM_ENABLE_CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2). */
long mv_dirty_enable_manual_protect(struct mv_vm *vm,
				    const struct kvm_enable_cap *cap);

#endif /* MINIVIRT_MMU_DIRTY_H */
