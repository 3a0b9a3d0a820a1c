// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shadow MMU. See shadow.h for the model.
 *
 * Formats: a guest in long mode gets a 4-level shadow; any other guest (no
 * paging, 32-bit, PAE) runs with the hardware in PAE mode on a PAE-format
 * shadow whose four PDPTEs live in a per-vCPU page below 4 GiB (a legacy
 * PAE CR3 is 32 bits). A 32-bit guest table (1024 four-byte entries) is
 * shadowed by 64-bit tables of 512 entries: a guest PD by four shadow PDs,
 * a guest PT by two shadow PTs, told apart by role.quadrant.
 *
 * A shadow page is keyed by the guest table it shadows and its role, which
 * holds the rights granted by the guest entries above it (role.access): the
 * same guest table reached through a user and a supervisor entry needs two
 * shadows. Non-leaf shadow entries grant everything; a leaf carries the
 * translation's effective rights (SDM vol 3A 4.6: rights AND across levels).
 * A guest large page is shadowed by "direct" pages of 4 KiB entries.
 *
 * Every guest page-table page that has a shadow is write-protected in all
 * leaf entries that map it; a guest write to it faults and is emulated here,
 * and the shadow entries it covers are zapped. A write that cannot be
 * emulated unprotects the table instead (its shadows go) and runs again.
 *
 * Locking: shadow->lock (a mutex: faults pin pages and read guest memory).
 * As in mmu/tdp.c, every mapped page holds a pin until its entry is zapped,
 * and is unpinned only after every vCPU has flushed its TLB.
 */
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/processor-flags.h>

#include "../backend.h"
#include "../exits.h"
#include "../insn.h"
#include "../memslot.h"
#include "../mmio.h"
#include "../vcpu.h"
#include "../vm.h"
#include "dirty.h"
#include "shadow.h"
#include "walk.h"

#define SPTE_P		BIT_ULL(0)
#define SPTE_RW		BIT_ULL(1)
#define SPTE_US		BIT_ULL(2)
#define SPTE_A		BIT_ULL(5)
#define SPTE_D		BIT_ULL(6)
#define SPTE_NX		BIT_ULL(63)
#define SPTE_ADDR	GENMASK_ULL(51, 12)
#define SPTE_TABLE	(SPTE_P | SPTE_RW | SPTE_US | SPTE_A)

#define GPTE_RW		BIT_ULL(1)
#define GPTE_US		BIT_ULL(2)
#define GPTE_XD		BIT_ULL(63)

#define ACC_W		1
#define ACC_U		2
#define ACC_X		4
#define ACC_ALL		(ACC_W | ACC_U | ACC_X)

#define SPT_ENTRIES	512

union mv_sp_role {
	u32 word;
	struct {
		u32 level:3;	/* 1 = PT ... 4 = PML4 */
		u32 pte32:1;	/* shadows a 32-bit guest table */
		u32 quadrant:2;	/* which part of that 32-bit table */
		u32 direct:1;	/* a guest large page or unpaged memory */
		u32 access:3;	/* ACC_*: what the entries above grant */
		u32 cr0_wp:1;
		u32 nxe:1;
	};
};

struct mv_sp {
	struct hlist_node hash_link;
	struct list_head link;
	u64 gfn;		/* the guest table; direct: the first gfn */
	union mv_sp_role role;
	struct page *page;
	u64 *spt;
	u64 *gfns;		/* level 1, not direct: what each entry maps */
	unsigned int root_count;
	bool invalid;		/* out of the hash, waiting for its roots */
	unsigned int nr_parents, max_parents;
	u64 **parents;		/* the entries that point here */
	struct mv_sp *free_next;	/* on a zap list's freed pages */
};

/*
 * Pages unmapped under the lock, unpinned once every vCPU flushed: a list of
 * one-page chunks, so that zapping a whole VM (tens of thousands of pages)
 * needs no high-order allocation (__GFP_NOFAIL is for order 0 and 1 only).
 */
#define ZAP_CHUNK_PAGES	480

struct zap_chunk {
	struct zap_chunk *next;
	unsigned int nr;
	unsigned long dirty[BITS_TO_LONGS(ZAP_CHUNK_PAGES)];
	struct page *pages[ZAP_CHUNK_PAGES];
};

struct zap_list {
	unsigned int nr;
	struct zap_chunk *chunks;	/* the newest first */
	bool flush;		/* writable entries lost their write right */
	/*
	 * Shadow pages taken out, freed only after the flush: until every
	 * vCPU has left guest mode, another CPU's paging-structure caches
	 * may still walk them (KVM: kvm_mmu_commit_zap_page() flushes remote
	 * TLBs before it frees).
	 */
	struct mv_sp *freed;
};

static struct hlist_head *sp_bucket(struct mv_shadow *s, u64 gfn)
{
	return &s->hash[hash_64(gfn, MV_SHADOW_HASH_BITS)];
}

static struct mv_sp *page_sp(u64 spte)
{
	return (struct mv_sp *)page_private(pfn_to_page(PHYS_PFN(spte & SPTE_ADDR)));
}

void mv_shadow_init(struct mv_shadow *s)
{
	unsigned int i;

	mutex_init(&s->lock);
	for (i = 0; i < ARRAY_SIZE(s->hash); i++)
		INIT_HLIST_HEAD(&s->hash[i]);
	INIT_LIST_HEAD(&s->pages);
}

static void zap_list_add(struct zap_list *zl, struct page *page, bool dirty)
{
	struct zap_chunk *c = zl->chunks;

	BUILD_BUG_ON(sizeof(struct zap_chunk) > PAGE_SIZE);
	if (!c || c->nr == ZAP_CHUNK_PAGES) {
		c = kmalloc(sizeof(*c), GFP_KERNEL | __GFP_NOFAIL);
		c->nr = 0;
		bitmap_zero(c->dirty, ZAP_CHUNK_PAGES);
		c->next = zl->chunks;
		zl->chunks = c;
	}
	if (dirty)
		__set_bit(c->nr, c->dirty);
	c->pages[c->nr++] = page;
	zl->nr++;
}

static void sp_destroy(struct mv_sp *sp)
{
	kvfree(sp->gfns);
	kfree(sp->parents);
	set_page_private(sp->page, 0);
	__free_page(sp->page);
	kfree(sp);
}

/*
 * No vCPU may use what was zapped: flush (every vCPU in guest mode exits
 * before mv_vm_flush_tlbs() returns, and flushes before it enters again),
 * then free the shadow pages and drop the pins.
 */
static void zap_list_release(struct mv_vm *vm, struct zap_list *zl)
{
	struct zap_chunk *c, *next;
	struct mv_sp *sp;
	unsigned int i;

	if (zl->nr || zl->flush || zl->freed)
		mv_vm_flush_tlbs(vm);
	while ((sp = zl->freed)) {
		zl->freed = sp->free_next;
		sp_destroy(sp);
	}
	for (c = zl->chunks; c; c = next) {
		for (i = 0; i < c->nr; i++)
			unpin_user_pages_dirty_lock(&c->pages[i], 1,
						    test_bit(i, c->dirty));
		next = c->next;
		kfree(c);
	}
	memset(zl, 0, sizeof(*zl));
}

static void sp_unlink_parent(struct mv_sp *sp, u64 *sptep)
{
	unsigned int i;

	for (i = 0; i < sp->nr_parents; i++) {
		if (sp->parents[i] == sptep) {
			sp->parents[i] = sp->parents[--sp->nr_parents];
			return;
		}
	}
}

static int sp_link(struct mv_sp *parent, unsigned int idx, struct mv_sp *child)
{
	if (child->nr_parents == child->max_parents) {
		unsigned int max = child->max_parents ? 2 * child->max_parents : 2;
		u64 **p = krealloc_array(child->parents, max, sizeof(*p),
					 GFP_KERNEL_ACCOUNT);

		if (!p)
			return -ENOMEM;
		child->parents = p;
		child->max_parents = max;
	}
	child->parents[child->nr_parents++] = &parent->spt[idx];
	WRITE_ONCE(parent->spt[idx], page_to_phys(child->page) | SPTE_TABLE);
	return 0;
}

/* Clears one entry; a leaf's page goes on the list, a table loses a parent. */
static void zap_spte(struct mv_sp *sp, unsigned int idx, struct zap_list *zl)
{
	u64 spte = sp->spt[idx];

	if (!(spte & SPTE_P))
		return;
	WRITE_ONCE(sp->spt[idx], 0);
	if (sp->role.level == 1)	/* D: ever writable, even if no more */
		zap_list_add(zl, pfn_to_page(PHYS_PFN(spte & SPTE_ADDR)),
			     spte & SPTE_D);
	else
		sp_unlink_parent(page_sp(spte), &sp->spt[idx]);
}

/* Out of the VM's list; freed after zl's flush (now if no vCPU is left). */
static void sp_free(struct mv_shadow *s, struct mv_sp *sp, struct zap_list *zl)
{
	list_del(&sp->link);
	s->nr_pages--;
	if (!zl) {
		sp_destroy(sp);
		return;
	}
	sp->free_next = zl->freed;
	zl->freed = sp;
}

/*
 * Takes a shadow page out: every entry zapped, every parent entry cleared.
 * Roots still in use stay allocated, out of the hash, until released.
 */
static void sp_zap(struct mv_shadow *s, struct mv_sp *sp, struct zap_list *zl)
{
	unsigned int i;

	for (i = 0; i < SPT_ENTRIES; i++)
		zap_spte(sp, i, zl);
	for (i = 0; i < sp->nr_parents; i++)
		WRITE_ONCE(*sp->parents[i], 0);
	sp->nr_parents = 0;
	zl->flush = true;
	if (!sp->invalid) {
		hlist_del(&sp->hash_link);
		sp->invalid = true;
	}
	if (!sp->root_count)
		sp_free(s, sp, zl);
}

static bool gfn_write_protected(struct mv_shadow *s, u64 gfn)
{
	struct mv_sp *sp;

	hlist_for_each_entry(sp, sp_bucket(s, gfn), hash_link)
		if (sp->gfn == gfn && !sp->role.direct)
			return true;
	return false;
}

static u64 leaf_gfn(const struct mv_sp *sp, unsigned int idx)
{
	return sp->role.direct ? sp->gfn + idx : sp->gfns[idx];
}

/* A gfn became a guest page table: no leaf may map it writable any more. */
static void write_protect_gfn(struct mv_shadow *s, u64 gfn, struct zap_list *zl)
{
	struct mv_sp *sp;
	unsigned int i;

	list_for_each_entry(sp, &s->pages, link) {
		if (sp->role.level != 1)
			continue;
		for (i = 0; i < SPT_ENTRIES; i++) {
			u64 spte = sp->spt[i];

			if ((spte & SPTE_P) && (spte & SPTE_RW) &&
			    leaf_gfn(sp, i) == gfn) {
				WRITE_ONCE(sp->spt[i], spte & ~SPTE_RW);
				zl->flush = true;
			}
		}
	}
}

static struct mv_sp *sp_get(struct mv_vm *vm, u64 gfn, union mv_sp_role role,
			    struct zap_list *zl)
{
	struct mv_shadow *s = &vm->shadow;
	struct mv_sp *sp;

	hlist_for_each_entry(sp, sp_bucket(s, gfn), hash_link)
		if (sp->gfn == gfn && sp->role.word == role.word)
			return sp;

	sp = kzalloc(sizeof(*sp), GFP_KERNEL_ACCOUNT);
	if (!sp)
		return NULL;
	sp->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!sp->page)
		goto err_free_sp;
	if (role.level == 1 && !role.direct) {
		sp->gfns = kvcalloc(SPT_ENTRIES, sizeof(*sp->gfns),
				    GFP_KERNEL_ACCOUNT);
		if (!sp->gfns)
			goto err_free_page;
	}
	sp->spt = page_address(sp->page);
	sp->gfn = gfn;
	sp->role = role;
	set_page_private(sp->page, (unsigned long)sp);
	hlist_add_head(&sp->hash_link, sp_bucket(s, gfn));
	list_add(&sp->link, &s->pages);
	s->nr_pages++;
	if (!role.direct)
		write_protect_gfn(s, gfn, zl);
	return sp;

err_free_page:
	__free_page(sp->page);
err_free_sp:
	kfree(sp);
	return NULL;
}

static void root_put(struct mv_shadow *s, struct mv_sp *sp, struct zap_list *zl)
{
	if (sp && !--sp->root_count && sp->invalid)
		sp_free(s, sp, zl);
}

/* zl: NULL only when the vCPU is going with its VM (nothing runs). */
static void roots_put(struct mv_vcpu *vcpu, struct zap_list *zl)
{
	struct mv_shadow *s = &vcpu->vm->shadow;
	int i;

	root_put(s, vcpu->shadow.root, zl);
	vcpu->shadow.root = NULL;
	for (i = 0; i < 4; i++) {
		root_put(s, vcpu->shadow.pae[i], zl);
		vcpu->shadow.pae[i] = NULL;
		vcpu->shadow.pae_root[i] = 0;
	}
}

static union mv_sp_role base_role(const struct mv_ctrl *ctrl)
{
	union mv_sp_role role = { .word = 0 };

	role.cr0_wp = !!(ctrl->cr0 & X86_CR0_WP);
	role.nxe = !!(ctrl->efer & EFER_NX);
	role.access = ACC_ALL;
	return role;
}

/* PAE PDPTE: present, no reserved bit (SDM vol 3A 4.4.1). */
static bool pdpte_ok(u64 pdpte)
{
	return (pdpte & 1) && !(pdpte & (GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5) |
					 GENMASK_ULL(63, boot_cpu_data.x86_phys_bits)));
}

static int load_root_locked(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
			    struct zap_list *zl)
{
	struct mv_vm *vm = vcpu->vm;
	union mv_sp_role role = base_role(ctrl);
	struct mv_sp *sp;
	int i;

	roots_put(vcpu, zl);
	if (ctrl->efer & EFER_LMA) {
		role.level = 4;
		sp = sp_get(vm, (ctrl->cr3 & SPTE_ADDR) >> PAGE_SHIFT, role, zl);
		if (!sp)
			return -ENOMEM;
		sp->root_count++;
		vcpu->shadow.root = sp;
		vcpu->shadow.root_hpa = page_to_phys(sp->page);
		return 0;
	}

	role.level = 2;
	for (i = 0; i < 4; i++) {
		union mv_sp_role r = role;
		u64 gfn;

		if (!(ctrl->cr0 & X86_CR0_PG)) {
			r.direct = 1;	/* linear = physical, below 4 GiB */
			gfn = (u64)i << 18;
		} else if (!(ctrl->cr4 & X86_CR4_PAE)) {
			r.pte32 = 1;	/* a quarter of the guest's PD each */
			r.quadrant = i;
			gfn = (ctrl->cr3 & 0xfffff000ULL) >> PAGE_SHIFT;
		} else {
			u64 pdpte = 0;

			if (mv_read_guest(vm, (ctrl->cr3 & 0xffffffe0ULL) + 8 * i,
					  &pdpte, sizeof(pdpte)) || !pdpte_ok(pdpte))
				continue;	/* not present: faults as such */
			gfn = (pdpte & SPTE_ADDR) >> PAGE_SHIFT;
		}
		sp = sp_get(vm, gfn, r, zl);
		if (!sp)
			return -ENOMEM;
		sp->root_count++;
		vcpu->shadow.pae[i] = sp;
		/* Legacy PAE PDPTEs: P and the address only. */
		vcpu->shadow.pae_root[i] = page_to_phys(sp->page) | SPTE_P;
	}
	vcpu->shadow.root_hpa = virt_to_phys(vcpu->shadow.pae_root);
	return 0;
}

int mv_shadow_load_root(struct mv_vcpu *vcpu)
{
	struct mv_shadow *s = &vcpu->vm->shadow;
	struct zap_list zl = { 0 };
	struct mv_ctrl ctrl;
	int r;

	mv_backend->get_ctrl(vcpu, &ctrl);
	mutex_lock(&s->lock);
	r = load_root_locked(vcpu, &ctrl, &zl);
	mutex_unlock(&s->lock);
	zap_list_release(vcpu->vm, &zl);
	if (r)
		return r;
	mv_backend->set_shadow_root(vcpu, vcpu->shadow.root_hpa);
	vcpu->shadow.loaded = true;
	/* New translations: nothing cached may be used. */
	mv_vcpu_request(vcpu, MV_REQ_TLB_FLUSH);
	return 0;
}

/* Rights a guest entry grants (SDM vol 3A 4.6), with NX only under NXE. */
static unsigned int gpte_access(u64 gpte, bool nxe)
{
	return (gpte & GPTE_RW ? ACC_W : 0) | (gpte & GPTE_US ? ACC_U : 0) |
	       (nxe && (gpte & GPTE_XD) ? 0 : ACC_X);
}

static unsigned int shadow_index(u64 la, int level)
{
	return (la >> (12 + 9 * (level - 1))) & (SPT_ENTRIES - 1);
}

/*
 * Maps la's page per the guest walk: descends from the root, creating the
 * shadow of each guest table (or direct pages under a large page), and sets
 * the leaf; writable only if host_writable (the slot is, and the page was
 * pinned for writing), and in a dirty-logged slot only for a write, which is
 * logged here (mmu/dirty.h). Called with the lock held; 0 (the entry owns
 * the pin), 1 (the entry was there, only made writable: the pin is the
 * caller's to drop), or -errno.
 */
/*
 * Zaps the oldest shadow pages no vCPU holds as a root until @room more fit
 * under the bound (KVM's make_mmu_pages_available() and
 * kvm_mmu_zap_oldest_mmu_pages()). Pages a zap orphans go their turn.
 */
static void make_room(struct mv_shadow *s, unsigned long room,
		      struct zap_list *zl)
{
	struct mv_sp *sp, *tmp;

	if (!s->max_pages)
		return;
	list_for_each_entry_safe_reverse(sp, tmp, &s->pages, link) {
		if (s->nr_pages + room <= s->max_pages)
			return;
		if (!sp->root_count && !sp->invalid)
			sp_zap(s, sp, zl);
	}
}

/* A 4-level walk allocates at most 3 tables below its root. */
#define MAP_PAGES_NEEDED	3

static int map_locked(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u64 la,
		      const struct mv_walk *walk, bool write, struct page *page,
		      const struct mv_memslot *slot, bool host_writable,
		      struct zap_list *zl)
{
	struct mv_vm *vm = vcpu->vm;
	union mv_sp_role role = base_role(ctrl);
	bool paging = walk->levels > 0;
	u64 gfn = walk->gpa >> PAGE_SHIFT;
	unsigned int acc = ACC_ALL, leaf_acc, idx;
	struct mv_sp *sp;
	u64 spte, old;
	int level;

	if (ctrl->efer & EFER_LMA) {
		sp = vcpu->shadow.root;
		level = 4;
	} else {
		sp = vcpu->shadow.pae[(la >> 30) & 3];
		level = 2;
	}
	if (!sp)
		return -EAGAIN;		/* root not loaded: reload and retry */
	make_room(&vm->shadow, MAP_PAGES_NEEDED, zl);

	leaf_acc = (walk->writable ? ACC_W : 0) | (walk->user ? ACC_U : 0) |
		   (walk->nx ? 0 : ACC_X);
	for (; level > 1; level--) {
		struct mv_sp *child;
		union mv_sp_role r = role;

		/* What the guest entry at this level grants, for the child. */
		if (paging && level <= walk->levels &&
		    !(walk->levels == 3 && level == 3))
			acc &= gpte_access(walk->pte[level], role.nxe);
		idx = shadow_index(la, level);
		spte = sp->spt[idx];
		if (spte & SPTE_P) {
			sp = page_sp(spte);
			continue;
		}
		r.level = level - 1;
		if (!paging || walk->level >= level) {
			/* Unpaged memory, or inside a guest large page. */
			r.direct = 1;
			r.access = paging ? leaf_acc : ACC_ALL;
			child = sp_get(vm, gfn & ~((1ULL << (9 * r.level)) - 1), r, zl);
		} else {
			r.access = acc;
			r.pte32 = walk->pte32;
			if (walk->pte32)
				r.quadrant = r.level == 1 ? (la >> 21) & 1 : 0;
			child = sp_get(vm, walk->table_gfn[r.level], r, zl);
		}
		if (!child || sp_link(sp, idx, child))
			return -ENOMEM;
		sp = child;
	}

	idx = shadow_index(la, 1);
	old = sp->spt[idx];
	spte = page_to_phys(page) | SPTE_P | SPTE_A;
	if (leaf_acc & ACC_U)
		spte |= SPTE_US;
	if (!(leaf_acc & ACC_X))
		spte |= SPTE_NX;
	/*
	 * Writable only once the guest's D bit is set (its first write sets
	 * it: SDM vol 3A 4.8), never for a guest page table, and with
	 * CR0.WP clear a supervisor write to a read-only page gets a
	 * supervisor-only writable entry (what KVM does).
	 */
	if (host_writable && !gfn_write_protected(&vm->shadow, gfn) &&
	    (!paging || walk->dirty) && (write || !mv_slot_logged(slot))) {
		if (leaf_acc & ACC_W)
			spte |= SPTE_RW | SPTE_D;
		else if (write && !role.cr0_wp && !(walk->error_code & MV_PF_USER))
			spte = (spte | SPTE_RW | SPTE_D) & ~SPTE_US;
	}
	if ((spte & SPTE_RW) && mv_slot_logged(slot))
		mv_mark_page_dirty_in_slot(slot, gfn);
	/*
	 * Dirty logging's write protection lifted from the same page, nothing
	 * else changed: more rights need no flush (a stale read-only TLB entry
	 * faults once more and finds this), so no zap.
	 */
	if ((old & SPTE_P) && (spte & SPTE_RW) &&
	    (old | SPTE_RW | SPTE_D) == spte && leaf_gfn(sp, idx) == gfn) {
		WRITE_ONCE(sp->spt[idx], spte);
		return 1;
	}
	if (old & SPTE_P)
		zap_spte(sp, idx, zl);
	if (!sp->role.direct)
		sp->gfns[idx] = gfn;
	WRITE_ONCE(sp->spt[idx], spte);
	return 0;
}

/* All shadows of a guest table go: it is written like ordinary memory. */
static void unprotect_gfn(struct mv_shadow *s, u64 gfn, struct zap_list *zl)
{
	struct hlist_node *tmp;
	struct mv_sp *sp;

	hlist_for_each_entry_safe(sp, tmp, sp_bucket(s, gfn), hash_link)
		if (sp->gfn == gfn && !sp->role.direct)
			sp_zap(s, sp, zl);
}

/* Zaps the shadow entries that shadow the guest bytes [off, off + len). */
static void zap_written(struct mv_shadow *s, u64 gfn, unsigned int off,
			unsigned int len, struct zap_list *zl)
{
	struct mv_sp *sp;
	unsigned int g;

	hlist_for_each_entry(sp, sp_bucket(s, gfn), hash_link) {
		if (sp->gfn != gfn || sp->role.direct)
			continue;
		for (g = off / (sp->role.pte32 ? 4 : 8);
		     g <= (off + len - 1) / (sp->role.pte32 ? 4 : 8); g++) {
			if (!sp->role.pte32) {
				zap_spte(sp, g, zl);
			} else if (sp->role.level == 1) {
				if (g / 512 == sp->role.quadrant)
					zap_spte(sp, g % 512, zl);
			} else if (g / 256 == sp->role.quadrant) {
				/* A 4 MiB guest PDE is two 2 MiB shadow PDEs. */
				zap_spte(sp, 2 * (g % 256), zl);
				zap_spte(sp, 2 * (g % 256) + 1, zl);
			}
		}
		zl->flush = true;
	}
}

/*
 * A guest write to one of its own page tables: emulate it (the emulator
 * handles the MOV, XCHG, CMPXCHG(8B), OR/AND/BT* forms page tables are
 * written with), then zap what it changed. What cannot be emulated
 * unprotects the table and runs again natively: among it, an operand that
 * does not start at the faulting address la (a store that crosses into the
 * table from the page before it faults at the table's first byte, SDM vol
 * 3A 4.7: CR2 is the address that faulted, not the operand's).
 */
static int emulate_pt_write(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
			    u64 la, const struct mv_walk *walk,
			    struct zap_list *zl)
{
	struct mv_shadow *s = &vcpu->vm->shadow;
	u64 gpa = walk->gpa, gfn = gpa >> PAGE_SHIFT, val = 0, ea;
	unsigned int off = offset_in_page(gpa);
	struct mv_emu_access acc, next;
	struct mv_emu_regs regs = vcpu->regs;
	u8 buf[MV_EMU_MAX_LEN];
	struct mv_insn insn;
	int n, r;

	n = mv_fetch_insn(vcpu, ctrl, buf, sizeof(buf));
	if (n < 0 ||
	    mv_emu_decode(&insn, buf, n, mv_code_mode(ctrl, regs.rflags)) ||
	    mv_emu_start(&insn, &regs, &acc) || off + acc.size > PAGE_SIZE ||
	    mv_emu_mem_offset(&insn, &regs, &ea) ||
	    mv_seg_linear(vcpu, ctrl, insn.seg, ea) != la)
		goto unprotect;

	if (acc.write) {
		if (mv_write_guest(vcpu->vm, gpa, &acc.data, acc.size))
			goto unprotect;
		r = mv_emu_finish(&insn, &regs, 0, &next);
	} else {
		if (mv_read_guest(vcpu->vm, gpa, &val, acc.size))
			goto unprotect;
		r = mv_emu_finish(&insn, &regs, val, &next);
		if (r == 1 && mv_write_guest(vcpu->vm, gpa, &next.data, next.size))
			goto unprotect;
	}
	if (r < 0)
		goto unprotect;
	vcpu->regs = regs;
	mv_backend->set_interrupt_shadow(vcpu, 0);
	zap_written(s, gfn, off, acc.size, zl);
	return 1;

unprotect:
	unprotect_gfn(s, gfn, zl);
	return 1;
}

int mv_shadow_page_fault(struct mv_vcpu *vcpu, u64 la, u32 error_code)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_shadow *s = &vm->shadow;
	bool write = error_code & MV_PF_WRITE;
	const struct mv_memslot *slot;
	struct zap_list zl = { 0 };
	struct mv_walk walk = { 0 };
	struct mv_ctrl ctrl;
	struct page *page;
	unsigned long seq;
	bool host_writable;
	u64 gfn;
	int r;

	mv_backend->get_ctrl(vcpu, &ctrl);
	r = mv_walk(vm, &ctrl, la,
		    (error_code & (MV_PF_WRITE | MV_PF_USER | MV_PF_FETCH)) |
		    MV_WALK_SET_AD, vcpu->regs.rflags & X86_EFLAGS_AC, &walk);
	if (r < 0)
		return mv_emulation_failure(vcpu);	/* A/D in read-only memory */
	if (r > 0) {
		mv_queue_page_fault(vcpu, la, walk.error_code);
		return 1;
	}

	gfn = walk.gpa >> PAGE_SHIFT;
	slot = mv_gfn_to_memslot(mv_memslots(vm), gfn);
	if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
		if (error_code & MV_PF_FETCH)
			return mv_emulation_failure(vcpu);
		return mv_mmio_emulate(vcpu, walk.gpa);
	}

	mutex_lock(&s->lock);
	if (write && gfn_write_protected(s, gfn)) {
		/*
		 * A write by an event's delivery (pushing its frame) is not
		 * the instruction at RIP's: the table loses its shadows and
		 * the delivery runs again natively (KVM: the unprotect in
		 * kvm_handle_page_fault() when kvm_event_needs_reinjection()).
		 */
		if (mv_event_reinjecting(vcpu)) {
			unprotect_gfn(s, gfn, &zl);
			r = 1;
		} else {
			r = emulate_pt_write(vcpu, &ctrl, la, &walk, &zl);
		}
		mutex_unlock(&s->lock);
		zap_list_release(vm, &zl);
		return r;
	}
	mutex_unlock(&s->lock);

	/*
	 * The host page, pinned while mapped (read-only where the host has it
	 * so); retried if the host moved it.
	 */
	host_writable = !(slot->flags & KVM_MEM_READONLY);
	seq = READ_ONCE(vm->tdp.invalidate_seq);
	smp_rmb();
	if (mv_pin_guest_page(mv_gfn_to_hva(slot, gfn), write, &host_writable,
			      &page))
		return -EFAULT;

	mutex_lock(&s->lock);
	spin_lock(&vm->tdp.lock);
	r = vm->tdp.invalidate_in_progress || seq != vm->tdp.invalidate_seq;
	spin_unlock(&vm->tdp.lock);
	if (!r) {
		r = map_locked(vcpu, &ctrl, la, &walk, write, page, slot,
			       host_writable, &zl);
		if (!r)
			page = NULL;	/* the entry owns the pin */
		else if (r == 1)
			r = 0;		/* the entry keeps its own pin */
	} else {
		r = -EAGAIN;
	}
	mutex_unlock(&s->lock);
	zap_list_release(vm, &zl);
	if (page)
		unpin_user_page(page);
	if (r == -EAGAIN) {
		mv_vcpu_request(vcpu, MV_REQ_MMU_RELOAD);
		return 1;
	}
	return r ? r : 1;
}

/*
 * Dirty-log write protection: the write right goes from every leaf that maps
 * one of the pages, D stays (the host page was written). Not to be confused
 * with the protection of guest page tables (gfn_write_protected()): a write
 * here faults, is logged and maps the page writable again (map_locked()).
 */
bool mv_shadow_wrprot_locked(struct mv_vm *vm, u64 base_gfn,
			     const unsigned long *mask, unsigned long nbits)
{
	struct mv_shadow *s = &vm->shadow;
	bool changed = false;
	struct mv_sp *sp;
	unsigned int i;

	lockdep_assert_held(&s->lock);
	list_for_each_entry(sp, &s->pages, link) {
		if (sp->role.level != 1)
			continue;
		for (i = 0; i < SPT_ENTRIES; i++) {
			u64 spte = sp->spt[i], gfn = leaf_gfn(sp, i);

			if ((spte & SPTE_P) && (spte & SPTE_RW) &&
			    gfn >= base_gfn && gfn - base_gfn < nbits &&
			    test_bit(gfn - base_gfn, mask)) {
				WRITE_ONCE(sp->spt[i], spte & ~SPTE_RW);
				changed = true;
			}
		}
	}
	return changed;
}

int mv_shadow_set_max_pages(struct mv_vm *vm, unsigned long max)
{
	struct mv_shadow *s = &vm->shadow;
	struct zap_list zl = { 0 };

	if (max < MV_MIN_SHADOW_PAGES)
		return -EINVAL;
	mutex_lock(&s->lock);
	s->max_pages = max;
	s->max_requested = true;
	make_room(s, 0, &zl);
	mutex_unlock(&s->lock);
	zap_list_release(vm, &zl);
	return 0;
}

/* KVM_PERMILLE_MMU_PAGES */
#define DEFAULT_PERMILLE	20

void mv_shadow_default_max_pages(struct mv_vm *vm, u64 guest_pages)
{
	struct mv_shadow *s = &vm->shadow;
	struct zap_list zl = { 0 };

	mutex_lock(&s->lock);
	if (!s->max_requested) {
		s->max_pages = max_t(u64, div_u64(guest_pages * DEFAULT_PERMILLE, 1000),
				     MV_MIN_SHADOW_PAGES);
		make_room(s, 0, &zl);
	}
	mutex_unlock(&s->lock);
	zap_list_release(vm, &zl);
}

void mv_shadow_zap_all(struct mv_vm *vm)
{
	struct mv_shadow *s = &vm->shadow;
	struct zap_list zl = { 0 };
	struct mv_sp *sp, *tmp;
	unsigned int i, n;

	mutex_lock(&s->lock);
	list_for_each_entry_safe(sp, tmp, &s->pages, link)
		if (!sp->invalid)
			sp_zap(s, sp, &zl);
	mutex_unlock(&s->lock);
	/* Roots were emptied: every vCPU loads its root again. */
	n = smp_load_acquire(&vm->nr_vcpus);
	for (i = 0; i < n; i++)
		mv_vcpu_request(vm->vcpus[i], MV_REQ_MMU_RELOAD);
	zap_list_release(vm, &zl);
}

int mv_shadow_zap_gfns(struct mv_vm *vm, u64 gfn_start, u64 gfn_end,
		       bool blockable)
{
	struct mv_shadow *s = &vm->shadow;
	struct zap_list zl = { 0 };
	struct mv_sp *sp;
	unsigned int i;

	if (blockable)
		mutex_lock(&s->lock);
	else if (!mutex_trylock(&s->lock))
		return -EAGAIN;
	list_for_each_entry(sp, &s->pages, link) {
		if (sp->role.level != 1)
			continue;
		for (i = 0; i < SPT_ENTRIES; i++) {
			u64 gfn = leaf_gfn(sp, i);

			if ((sp->spt[i] & SPTE_P) && gfn >= gfn_start &&
			    gfn < gfn_end)
				zap_spte(sp, i, &zl);
		}
	}
	mutex_unlock(&s->lock);
	zap_list_release(vm, &zl);
	return 0;
}

int mv_shadow_vcpu_init(struct mv_vcpu *vcpu)
{
	/* A legacy PAE CR3 holds a 32-bit address. */
	vcpu->shadow.pae_root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT | GFP_DMA32);
	return vcpu->shadow.pae_root ? 0 : -ENOMEM;
}

void mv_shadow_vcpu_destroy(struct mv_vcpu *vcpu)
{
	struct mv_shadow *s = &vcpu->vm->shadow;

	if (!vcpu->shadow.pae_root)
		return;
	mutex_lock(&s->lock);
	roots_put(vcpu, NULL);
	mutex_unlock(&s->lock);
	free_page((unsigned long)vcpu->shadow.pae_root);
}

/* The VM is going: no vCPU is left. */
void mv_shadow_destroy(struct mv_vm *vm)
{
	struct mv_shadow *s = &vm->shadow;
	struct zap_list zl = { 0 };
	struct mv_sp *sp, *tmp;

	mutex_lock(&s->lock);
	list_for_each_entry_safe(sp, tmp, &s->pages, link) {
		unsigned int i;

		if (sp->role.level == 1)
			for (i = 0; i < SPT_ENTRIES; i++)
				zap_spte(sp, i, &zl);
		if (!sp->invalid)
			hlist_del(&sp->hash_link);
		sp_free(s, sp, NULL);
	}
	mutex_unlock(&s->lock);
	zap_list_release(vm, &zl);
}
