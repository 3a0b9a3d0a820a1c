// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty-page logging. See dirty.h for the model and the locks; KVM's rules
 * are kvm_get_dirty_log_protect(), kvm_clear_dirty_log_protect() and
 * kvm_prepare_memory_region() in virt/kvm/kvm_main.c (Linux 6.12).
 *
 * Pages are logged at 4 KiB: both MMUs map guest memory with 4 KiB leaves
 * only, so there is no large page to split when logging starts.
 */
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../vm.h"
#include "dirty.h"
#include "shadow.h"
#include "tdp.h"

/* Bytes of one half of a slot's bitmap (kvm_dirty_bitmap_bytes()). */
static unsigned long dirty_bytes(const struct mv_memslot *slot)
{
	return ALIGN(slot->npages, BITS_PER_LONG) / 8;
}

/* The second half: GET/CLEAR's buffer, under vm->lock. */
static unsigned long *dirty_buffer(const struct mv_memslot *slot)
{
	return slot->dirty_bitmap + dirty_bytes(slot) / sizeof(long);
}

void mv_mark_page_dirty_in_slot(const struct mv_memslot *slot, u64 gfn)
{
	if (slot && slot->dirty_bitmap)
		set_bit(gfn - slot->base_gfn, slot->dirty_bitmap);
}

void mv_mark_page_dirty(struct mv_vm *vm, u64 gfn)
{
	mv_mark_page_dirty_in_slot(mv_gfn_to_memslot(mv_memslots(vm), gfn), gfn);
}

/*
 * KVM's mmu_lock: the shadow lock (a VM on shadow paging), then tdp->lock
 * (which the shadow's faults take too: every VM has it).
 */
static void dirty_mmu_lock(struct mv_vm *vm)
	__acquires(&vm->tdp.lock)
{
	if (vm->shadow_paging)
		mutex_lock(&vm->shadow.lock);
	spin_lock(&vm->tdp.lock);
}

static void dirty_mmu_unlock(struct mv_vm *vm)
	__releases(&vm->tdp.lock)
{
	spin_unlock(&vm->tdp.lock);
	if (vm->shadow_paging)
		mutex_unlock(&vm->shadow.lock);
}

/*
 * Under the MMU locks: write-protects slot's pages first + i for each bit i
 * of mask[0..nbits), in the nested tables (which a shadow-paged VM on VT-x
 * uses for real mode too) and in the shadow. True if a TLB flush is due.
 */
static bool dirty_protect_locked(struct mv_vm *vm,
				 const struct mv_memslot *slot, u64 first,
				 const unsigned long *mask, unsigned long nbits)
{
	bool flush = false;

	if (vm->tdp.root)
		flush |= mv_tdp_wrprot_locked(&vm->tdp, slot->base_gfn + first,
					      mask, nbits);
	if (vm->shadow_paging)
		flush |= mv_shadow_wrprot_locked(vm, slot->base_gfn + first,
						 mask, nbits);
	return flush;
}

static bool initially_set(const struct mv_vm *vm)
{
	/* kvm_dirty_log_manual_protect_and_init_set() */
	return (vm->dirty_log_manual & MV_DIRTY_LOG_MANUAL_CAPS) ==
	       MV_DIRTY_LOG_MANUAL_CAPS;
}

int mv_dirty_slot_prepare(struct mv_vm *vm, const struct mv_memslot *old,
			  struct mv_memslot *new)
{
	lockdep_assert_held(&vm->lock);
	if (!(new->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
		new->dirty_bitmap = NULL;
	} else if (old && old->dirty_bitmap) {
		new->dirty_bitmap = old->dirty_bitmap;	/* a move, or no change */
	} else {
		new->dirty_bitmap = kvcalloc(2, dirty_bytes(new),
					     GFP_KERNEL_ACCOUNT);
		if (!new->dirty_bitmap)
			return -ENOMEM;
		if (initially_set(vm))
			bitmap_set(new->dirty_bitmap, 0, new->npages);
	}
	return 0;
}

void mv_dirty_slot_commit(struct mv_vm *vm, const struct mv_memslot *old,
			  const struct mv_memslot *new)
{
	unsigned long *all;
	bool flush;

	lockdep_assert_held(&vm->lock);
	if (old && old->dirty_bitmap && (!new || !new->dirty_bitmap))
		kvfree(old->dirty_bitmap);	/* no reader is left (srcu) */
	if (!new || !new->dirty_bitmap || (old && old->dirty_bitmap))
		return;
	/*
	 * Logging starts: what is mapped writable loses the right, unless
	 * every bit starts set (KVM_DIRTY_LOG_INITIALLY_SET: CLEAR protects,
	 * as kvm_mmu_slot_apply_flags()). Pages are mapped again writable
	 * only by a logged write fault.
	 */
	if (initially_set(vm))
		return;
	all = dirty_buffer(new);
	bitmap_fill(all, new->npages);
	dirty_mmu_lock(vm);
	flush = dirty_protect_locked(vm, new, 0, all, new->npages);
	dirty_mmu_unlock(vm);
	bitmap_zero(all, new->npages);
	if (flush)
		mv_vm_flush_tlbs(vm);
}

void mv_dirty_slot_free(struct mv_memslot *slot)
{
	kvfree(slot->dirty_bitmap);
	slot->dirty_bitmap = NULL;
}

/* KVM's slot id decoding: address space in the high 16 bits, only 0 here. */
static const struct mv_memslot *dirty_log_slot(struct mv_vm *vm, u32 slot_id,
					       int *err)
{
	const struct mv_memslot *slot;

	if ((slot_id >> 16) || (u16)slot_id >= MV_NR_MEMSLOTS) {
		*err = -EINVAL;
		return NULL;
	}
	slot = mv_id_to_memslot(mv_memslots(vm), (u16)slot_id);
	if (!slot || !slot->dirty_bitmap) {
		*err = -ENOENT;
		return NULL;
	}
	return slot;
}

long mv_get_dirty_log(struct mv_vm *vm, const struct kvm_dirty_log *log)
{
	const struct mv_memslot *slot;
	unsigned long *bitmap, *buf, n, i;
	bool flush = false;
	int r = 0;

	mutex_lock(&vm->lock);
	slot = dirty_log_slot(vm, log->slot, &r);
	if (!slot)
		goto out;
	bitmap = slot->dirty_bitmap;
	n = dirty_bytes(slot);
	if (vm->dirty_log_manual & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE) {
		/* Only a snapshot: KVM_CLEAR_DIRTY_LOG clears and protects. */
		buf = bitmap;
	} else {
		/* Take the bits and write-protect their pages, atomically. */
		buf = dirty_buffer(slot);
		dirty_mmu_lock(vm);
		for (i = 0; i < n / sizeof(long); i++)
			buf[i] = bitmap[i] ? xchg(&bitmap[i], 0) : 0;
		flush = dirty_protect_locked(vm, slot, 0, buf, slot->npages);
		dirty_mmu_unlock(vm);
	}
	/* Before the copy: a write from now on faults and is logged anew. */
	if (flush)
		mv_vm_flush_tlbs(vm);
	if (copy_to_user(log->dirty_bitmap, buf, n))
		r = -EFAULT;
out:
	mutex_unlock(&vm->lock);
	return r;
}

long mv_clear_dirty_log(struct mv_vm *vm, const struct kvm_clear_dirty_log *log)
{
	const struct mv_memslot *slot;
	unsigned long *bitmap, *buf, words, i;
	bool flush = false;
	int r = 0;

	/* Each check in kvm_clear_dirty_log_protect()'s order. */
	if ((log->slot >> 16) || (u16)log->slot >= MV_NR_MEMSLOTS)
		return -EINVAL;
	if (log->first_page & 63)
		return -EINVAL;
	mutex_lock(&vm->lock);
	slot = dirty_log_slot(vm, log->slot, &r);
	if (!slot)
		goto out;
	/* Whole 64-page words, except for a range that ends with the slot. */
	if (log->first_page > slot->npages ||
	    log->num_pages > slot->npages - log->first_page ||
	    (log->num_pages < slot->npages - log->first_page &&
	     (log->num_pages & 63))) {
		r = -EINVAL;
		goto out;
	}
	bitmap = slot->dirty_bitmap + log->first_page / BITS_PER_LONG;
	buf = dirty_buffer(slot);
	words = DIV_ROUND_UP(log->num_pages, BITS_PER_LONG);
	if (copy_from_user(buf, log->dirty_bitmap, words * sizeof(long))) {
		r = -EFAULT;
		goto out;
	}
	dirty_mmu_lock(vm);
	/*
	 * Only the bits that were set are cleared and protected; bits past
	 * the slot's end are never set, whatever userspace passed.
	 */
	for (i = 0; i < words; i++)
		if (buf[i])
			buf[i] &= atomic_long_fetch_andnot(buf[i],
						(atomic_long_t *)&bitmap[i]);
	flush = dirty_protect_locked(vm, slot, log->first_page, buf,
				     words * BITS_PER_LONG);
	dirty_mmu_unlock(vm);
	if (flush)
		mv_vm_flush_tlbs(vm);
out:
	mutex_unlock(&vm->lock);
	return r;
}

long mv_dirty_enable_manual_protect(struct mv_vm *vm,
				    const struct kvm_enable_cap *cap)
{
	u64 allowed = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;

	/* kvm_vm_ioctl_enable_cap_generic(): INITIALLY_SET only with ENABLE. */
	if (cap->args[0] & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)
		allowed = MV_DIRTY_LOG_MANUAL_CAPS;
	if (cap->flags || (cap->args[0] & ~allowed))
		return -EINVAL;
	lockdep_assert_held(&vm->lock);
	vm->dirty_log_manual = cap->args[0];
	return 0;
}
