/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two-dimensional paging: the nested page tables (AMD NPT, Intel EPT) that map
 * guest-physical to host-physical memory, built lazily on nested faults from
 * the memslots. Each mapped guest page holds a pin on its host page for as
 * long as it is mapped, so the host can never free a page a guest can still
 * reach; MMU notifiers zap mappings whenever the host unmaps or moves one.
 */
#ifndef MINIVIRT_MMU_TDP_H
#define MINIVIRT_MMU_TDP_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct mv_memslot;
struct mv_vm;
struct page;

/* The vendor's entry format (NPT: AMD64 page-table entries; EPT: its own). */
struct mv_tdp_format {
	/* Levels of the tables: NPT walks in the host's paging mode (4 or 5). */
	int (*levels)(void);
	u64 (*make_table)(phys_addr_t table_pa);
	u64 (*make_leaf)(phys_addr_t page_pa, bool writable);
	bool (*present)(u64 pte);
	bool (*writable)(u64 pte);
	phys_addr_t (*addr)(u64 pte);
	/* A leaf without its write right (dirty logging), dirty flag kept. */
	u64 (*wrprot)(u64 pte);
	/* Was the leaf ever writable (its dirty flag): the host page is dirty. */
	bool (*dirty)(u64 pte);
};

/* Page-table pages a fault may need (5 levels: 4), allocated before locking. */
#define MV_TDP_CACHE_PAGES	4

struct mv_tdp_cache {
	unsigned int nr;
	struct page *pages[MV_TDP_CACHE_PAGES];
};

struct mv_tdp {
	spinlock_t lock;		/* the tables and the fields below */
	const struct mv_tdp_format *fmt;
	struct page *root;
	int levels;
	/* Faults retry if an invalidation ran or runs (mmu_notifier). */
	unsigned long invalidate_seq;
	unsigned int invalidate_in_progress;
	unsigned long mapped_pages;
};

/* Guest-physical addresses below 2^48 (4 levels suffice; 5 index 0 above). */
#define MV_TDP_MAX_GFN		((1ULL << (48 - PAGE_SHIFT)) - 1)

int mv_tdp_init(struct mv_tdp *tdp, const struct mv_tdp_format *fmt);
/* Unpins every mapped page and frees the tables. No vCPU may run. */
void mv_tdp_destroy(struct mv_tdp *tdp);
phys_addr_t mv_tdp_root_pa(const struct mv_tdp *tdp);

int mv_tdp_cache_topup(struct mv_tdp_cache *cache);
void mv_tdp_cache_free(struct mv_tdp_cache *cache);

/*
 * Pins the page at hva backing a guest page: writable if *writable (the slot
 * is) and the host allows; for a read (!write) read-only where the host maps
 * it so (mprotect(PROT_READ), a read-only file), as KVM's hva_to_pfn().
 * 0 or -EFAULT; *writable says which pin was taken.
 */
int mv_pin_guest_page(unsigned long hva, bool write, bool *writable,
		      struct page **page);

/*
 * Resolves a nested fault (a write if write) on gfn within slot: pins the
 * backing page and maps it, writable if the slot is and the host allows,
 * else read-only. In a dirty-logged slot only a write maps it writable, and
 * marks the page dirty in the same critical section (mmu/dirty.h). 0 on
 * success (or if another vCPU mapped it first), -EFAULT if the host has no
 * page there or, for a write, no writable one (unmapped, mprotect()ed, not
 * pinnable), -EINTR on a fatal signal. The caller holds vm->srcu.
 */
int mv_tdp_fault(struct mv_vm *vm, struct mv_tdp_cache *cache,
		 const struct mv_memslot *slot, u64 gfn, bool write);

/*
 * Dirty logging: takes the write right from the leaves of the gfns
 * base_gfn + i for each bit i set in mask[0..nbits). The caller holds
 * tdp->lock and flushes TLBs if this returns true (an entry changed).
 */
bool mv_tdp_wrprot_locked(struct mv_tdp *tdp, u64 base_gfn,
			  const unsigned long *mask, unsigned long nbits);

/* Unmaps [gfn_start, gfn_end), flushes every vCPU's TLB, then unpins. */
void mv_tdp_zap(struct mv_vm *vm, u64 gfn_start, u64 gfn_end);

/* The MMU notifier's bracket around a host invalidation. */
void mv_tdp_invalidate_begin(struct mv_tdp *tdp);
void mv_tdp_invalidate_end(struct mv_tdp *tdp);

#endif /* MINIVIRT_MMU_TDP_H */
