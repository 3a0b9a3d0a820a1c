// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page tables: lazily built, zapped by range. See tdp.h.
 *
 * Lock order: vm->srcu (read) > tdp->lock. Zapping drops tdp->lock to flush
 * remote TLBs before unpinning, so that no vCPU can still reach a page once
 * its pin is gone.
 */
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "../vm.h"
#include "dirty.h"
#include "tdp.h"

#define TDP_ENTRIES	512

static inline unsigned int tdp_index(u64 gfn, int level)
{
	return (gfn >> ((level - 1) * 9)) & (TDP_ENTRIES - 1);
}

static inline u64 *tdp_table(struct page *page)
{
	return page_address(page);
}

static struct page *tdp_alloc_table(void)
{
	return alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
}

int mv_tdp_init(struct mv_tdp *tdp, const struct mv_tdp_format *fmt)
{
	spin_lock_init(&tdp->lock);
	tdp->fmt = fmt;
	tdp->levels = fmt->levels();
	tdp->root = tdp_alloc_table();
	return tdp->root ? 0 : -ENOMEM;
}

phys_addr_t mv_tdp_root_pa(const struct mv_tdp *tdp)
{
	return page_to_phys(tdp->root);
}

int mv_tdp_cache_topup(struct mv_tdp_cache *cache)
{
	while (cache->nr < MV_TDP_CACHE_PAGES) {
		struct page *page = tdp_alloc_table();

		if (!page)
			return -ENOMEM;
		cache->pages[cache->nr++] = page;
	}
	return 0;
}

void mv_tdp_cache_free(struct mv_tdp_cache *cache)
{
	while (cache->nr)
		__free_page(cache->pages[--cache->nr]);
}

static void tdp_release_page(struct page *page, bool dirty)
{
	unpin_user_pages_dirty_lock(&page, 1, dirty);
}

/* Under tdp->lock. Returns the leaf entry for gfn, building tables from cache. */
static u64 *tdp_walk_build(struct mv_tdp *tdp, struct mv_tdp_cache *cache,
			   u64 gfn)
{
	const struct mv_tdp_format *fmt = tdp->fmt;
	u64 *table = tdp_table(tdp->root);
	int level;

	for (level = tdp->levels; level > 1; level--) {
		u64 *pte = &table[tdp_index(gfn, level)];

		if (!fmt->present(*pte)) {
			struct page *page;

			if (WARN_ON_ONCE(!cache->nr))
				return NULL;
			page = cache->pages[--cache->nr];
			WRITE_ONCE(*pte, fmt->make_table(page_to_phys(page)));
		}
		table = phys_to_virt(fmt->addr(*pte));
	}
	return &table[tdp_index(gfn, 1)];
}

int mv_pin_guest_page(unsigned long hva, bool write, bool *writable,
		   struct page **page)
{
	if (*writable && pin_user_pages_fast(hva, 1, FOLL_WRITE, page) == 1)
		return 0;
	if (write)
		return -EFAULT;
	*writable = false;
	return pin_user_pages_fast(hva, 1, 0, page) == 1 ? 0 : -EFAULT;
}

int mv_tdp_fault(struct mv_vm *vm, struct mv_tdp_cache *cache,
		 const struct mv_memslot *slot, u64 gfn, bool write)
{
	unsigned long hva = mv_gfn_to_hva(slot, gfn);
	bool slot_writable = !(slot->flags & KVM_MEM_READONLY);
	struct mv_tdp *tdp = &vm->tdp;
	struct page *page, *old = NULL;
	bool writable, map_writable;
	unsigned long seq;
	u64 *pte;
	int r;

	for (;;) {
		if (fatal_signal_pending(current))
			return -EINTR;
		r = mv_tdp_cache_topup(cache);
		if (r)
			return r;

		seq = READ_ONCE(tdp->invalidate_seq);
		smp_rmb();	/* pairs with the write barrier of invalidate_end */
		writable = slot_writable;
		r = mv_pin_guest_page(hva, write, &writable, &page);
		if (r)
			return r;

		spin_lock(&tdp->lock);
		if (!tdp->invalidate_in_progress && seq == tdp->invalidate_seq)
			break;
		/* The host changed its mapping meanwhile: try again. */
		spin_unlock(&tdp->lock);
		unpin_user_page(page);
		cond_resched();
	}

	/*
	 * A logged slot is mapped writable only by a write, which is logged
	 * here, under the lock that GET/CLEAR_DIRTY_LOG write-protect under:
	 * a bit they take is never for a page still writable.
	 */
	map_writable = writable && (write || !mv_slot_logged(slot));
	pte = tdp_walk_build(tdp, cache, gfn);
	if (pte && map_writable && mv_slot_logged(slot))
		mv_mark_page_dirty_in_slot(slot, gfn);
	if (pte && !tdp->fmt->present(*pte)) {
		WRITE_ONCE(*pte, tdp->fmt->make_leaf(page_to_phys(page),
						     map_writable));
		tdp->mapped_pages++;
		page = NULL;	/* the mapping owns the pin now */
	} else if (pte && map_writable && !tdp->fmt->writable(*pte) &&
		   tdp->fmt->addr(*pte) == page_to_phys(page)) {
		/*
		 * Write-protected for dirty logging, the same host page: more
		 * rights need no flush (a stale read-only translation faults
		 * once more, and finds this).
		 */
		WRITE_ONCE(*pte, tdp->fmt->make_leaf(page_to_phys(page), true));
	} else if (pte && map_writable && !tdp->fmt->writable(*pte)) {
		/*
		 * A write where the host had the page read-only: the writable
		 * pin may be another page (a broken COW), so the entry is
		 * replaced and the old one flushed before its pin goes.
		 */
		old = pfn_to_page(tdp->fmt->addr(*pte) >> PAGE_SHIFT);
		WRITE_ONCE(*pte, tdp->fmt->make_leaf(page_to_phys(page), true));
		page = NULL;
	}
	spin_unlock(&tdp->lock);

	if (page)		/* another vCPU mapped it first */
		unpin_user_page(page);
	if (old) {
		mv_vm_flush_tlbs(vm);
		tdp_release_page(old, false);
	}
	return pte ? 0 : -ENOMEM;
}

/*
 * Pages unmapped but not yet unpinned: released after the TLB flush. A page
 * of pointers if one can be had without waiting, a few on the stack if not.
 */
#define ZAP_BATCH_MAX	(PAGE_SIZE / sizeof(struct page *))
#define ZAP_BATCH_MIN	16

struct tdp_zap {
	unsigned int nr, cap;
	struct page **pages;
	unsigned long dirty[BITS_TO_LONGS(ZAP_BATCH_MAX)];
};

static void tdp_zap_release(struct mv_vm *vm, struct tdp_zap *zap)
{
	unsigned int i;

	if (!zap->nr)
		return;
	mv_vm_flush_tlbs(vm);
	for (i = 0; i < zap->nr; i++)
		tdp_release_page(zap->pages[i], test_bit(i, zap->dirty));
	bitmap_zero(zap->dirty, ZAP_BATCH_MAX);
	zap->nr = 0;
}

/*
 * Under tdp->lock: clears the leaves of [*gfn, end) into the batch until it is
 * full. Returns true when the range is done; *gfn is where to go on.
 */
static bool tdp_zap_some(struct mv_tdp *tdp, struct tdp_zap *zap, u64 *gfn,
			 u64 end)
{
	const struct mv_tdp_format *fmt = tdp->fmt;

	while (*gfn < end) {
		u64 *table = tdp_table(tdp->root);
		u64 span = 1ULL << ((tdp->levels - 1) * 9);
		int level;

		/* Descend; skip whole missing subtrees. */
		for (level = tdp->levels; level > 1; level--) {
			u64 pte = table[tdp_index(*gfn, level)];

			if (!fmt->present(pte))
				break;
			table = phys_to_virt(fmt->addr(pte));
			span >>= 9;
		}
		if (level > 1) {
			*gfn = (*gfn | (span - 1)) + 1;
			continue;
		}
		/* A leaf table: clear from *gfn to its end or the range end. */
		do {
			u64 *pte = &table[tdp_index(*gfn, 1)];

			if (fmt->present(*pte)) {
				if (zap->nr == zap->cap)
					return false;
				if (fmt->dirty(*pte))
					__set_bit(zap->nr, zap->dirty);
				zap->pages[zap->nr++] = pfn_to_page(PHYS_PFN(fmt->addr(*pte)));
				WRITE_ONCE(*pte, 0);
				tdp->mapped_pages--;
			}
			(*gfn)++;
		} while (*gfn < end && tdp_index(*gfn, 1));
	}
	return true;
}

void mv_tdp_zap(struct mv_vm *vm, u64 gfn_start, u64 gfn_end)
{
	struct page *on_stack[ZAP_BATCH_MIN];
	struct tdp_zap zap = { .cap = ZAP_BATCH_MAX };
	struct mv_tdp *tdp = &vm->tdp;
	u64 gfn = gfn_start;
	bool done;

	if (!tdp->root)		/* a VM without nested tables (no such backend format) */
		return;

	zap.pages = (struct page **)__get_free_page(GFP_NOWAIT | __GFP_NOWARN);
	if (!zap.pages) {
		zap.pages = on_stack;
		zap.cap = ZAP_BATCH_MIN;
	}
	do {
		spin_lock(&tdp->lock);
		done = tdp_zap_some(tdp, &zap, &gfn, gfn_end);
		spin_unlock(&tdp->lock);
		tdp_zap_release(vm, &zap);
	} while (!done);
	if (zap.pages != on_stack)
		free_page((unsigned long)zap.pages);
}

/* Under tdp->lock: the leaf entry of gfn, or NULL where no table is. */
static u64 *tdp_leaf(struct mv_tdp *tdp, u64 gfn)
{
	const struct mv_tdp_format *fmt = tdp->fmt;
	u64 *table = tdp_table(tdp->root);
	int level;

	for (level = tdp->levels; level > 1; level--) {
		u64 pte = table[tdp_index(gfn, level)];

		if (!fmt->present(pte))
			return NULL;
		table = phys_to_virt(fmt->addr(pte));
	}
	return &table[tdp_index(gfn, 1)];
}

bool mv_tdp_wrprot_locked(struct mv_tdp *tdp, u64 base_gfn,
			  const unsigned long *mask, unsigned long nbits)
{
	const struct mv_tdp_format *fmt = tdp->fmt;
	bool changed = false;
	unsigned long i;

	lockdep_assert_held(&tdp->lock);
	if (!tdp->root)
		return false;
	for_each_set_bit(i, mask, nbits) {
		u64 *pte = tdp_leaf(tdp, base_gfn + i);

		if (pte && fmt->present(*pte) && fmt->writable(*pte)) {
			WRITE_ONCE(*pte, fmt->wrprot(*pte));
			changed = true;
		}
	}
	return changed;
}

void mv_tdp_invalidate_begin(struct mv_tdp *tdp)
{
	spin_lock(&tdp->lock);
	tdp->invalidate_in_progress++;
	spin_unlock(&tdp->lock);
}

void mv_tdp_invalidate_end(struct mv_tdp *tdp)
{
	spin_lock(&tdp->lock);
	/* A fault that pinned before this sees a new seq and retries. */
	WRITE_ONCE(tdp->invalidate_seq, tdp->invalidate_seq + 1);
	smp_wmb();
	tdp->invalidate_in_progress--;
	spin_unlock(&tdp->lock);
}

static void tdp_free_level(const struct mv_tdp_format *fmt, u64 *table,
			   int level)
{
	unsigned int i;

	for (i = 0; i < TDP_ENTRIES; i++) {
		u64 pte = table[i];

		if (!fmt->present(pte))
			continue;
		if (level > 1) {
			u64 *child = phys_to_virt(fmt->addr(pte));

			tdp_free_level(fmt, child, level - 1);
			free_page((unsigned long)child);
		} else {
			tdp_release_page(pfn_to_page(PHYS_PFN(fmt->addr(pte))),
					 fmt->dirty(pte));
		}
	}
}

void mv_tdp_destroy(struct mv_tdp *tdp)
{
	if (!tdp->root)
		return;
	tdp_free_level(tdp->fmt, tdp_table(tdp->root), tdp->levels);
	__free_page(tdp->root);
	tdp->root = NULL;
}
