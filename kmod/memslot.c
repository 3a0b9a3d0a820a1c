// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-physical memory slots: KVM_SET_USER_MEMORY_REGION with KVM's checks
 * and errno values (virt/kvm/kvm_main.c, __kvm_set_memory_region()), lookups,
 * and guest memory access through the VMM's own mapping.
 *
 * A change publishes a new sorted snapshot, waits for every reader of the old
 * one (vm->srcu), then zaps the nested mappings of what went away, so that a
 * guest can never reach memory of a slot after the ioctl returned.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mmu/dirty.h"
#include "mmu/shadow.h"
#include "mmu/tdp.h"
#include "vm.h"

/* KVM_MEM_MAX_NR_PAGES */
#define MV_SLOT_MAX_PAGES	((1ULL << 31) - 1)

struct mv_memslots *mv_memslots(struct mv_vm *vm)
{
	return srcu_dereference_check(vm->memslots, &vm->srcu,
				      lockdep_is_held(&vm->lock));
}

const struct mv_memslot *mv_gfn_to_memslot(const struct mv_memslots *slots,
					   u64 gfn)
{
	unsigned int lo = 0, hi = slots ? slots->nr : 0;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct mv_memslot *s = &slots->slot[mid];

		if (gfn < s->base_gfn)
			hi = mid;
		else if (gfn >= s->base_gfn + s->npages)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

const struct mv_memslot *mv_id_to_memslot(const struct mv_memslots *slots,
					  u16 id)
{
	unsigned int i;

	for (i = 0; slots && i < slots->nr; i++)
		if (slots->slot[i].id == id)
			return &slots->slot[i];
	return NULL;
}

static bool overlaps(const struct mv_memslots *slots, u16 id, u64 base,
		     u64 npages)
{
	unsigned int i;

	for (i = 0; slots && i < slots->nr; i++) {
		const struct mv_memslot *s = &slots->slot[i];

		if (s->id != id && base < s->base_gfn + s->npages &&
		    s->base_gfn < base + npages)
			return true;
	}
	return false;
}

/* A copy of old without slot id, plus new (if any), sorted by base_gfn. */
static struct mv_memslots *memslots_replace(const struct mv_memslots *old,
					    u16 id,
					    const struct mv_memslot *new)
{
	unsigned int n = old ? old->nr : 0, i, j = 0;
	struct mv_memslots *slots;

	slots = kvzalloc(struct_size(slots, slot, n + 1), GFP_KERNEL_ACCOUNT);
	if (!slots)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct mv_memslot *s = &old->slot[i];

		if (s->id == id)
			continue;
		if (new && new->base_gfn < s->base_gfn) {
			slots->slot[j++] = *new;
			new = NULL;
		}
		slots->slot[j++] = *s;
	}
	if (new)
		slots->slot[j++] = *new;
	slots->nr = j;
	return slots;
}

static u64 mv_max_gfn(void)
{
	u64 host = (1ULL << (boot_cpu_data.x86_phys_bits - PAGE_SHIFT)) - 1;

	return min_t(u64, host, MV_TDP_MAX_GFN);
}

/* The checks of __kvm_set_memory_region() that need no slot, in its order. */
static int check_region(const struct kvm_userspace_memory_region *mem)
{
	if (mem->flags & ~(KVM_MEM_READONLY | KVM_MEM_LOG_DIRTY_PAGES))
		return -EINVAL;
	if ((mem->slot >> 16) || (u16)mem->slot >= MV_NR_MEMSLOTS)
		return -EINVAL;	/* address space 0 only */
	if (mem->memory_size & (PAGE_SIZE - 1) ||
	    mem->memory_size != (unsigned long)mem->memory_size)
		return -EINVAL;
	if (mem->guest_phys_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if ((mem->userspace_addr & (PAGE_SIZE - 1)) ||
	    mem->userspace_addr != untagged_addr(mem->userspace_addr) ||
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if ((mem->memory_size >> PAGE_SHIFT) > MV_SLOT_MAX_PAGES)
		return -EINVAL;
	return 0;
}

static u64 total_pages(const struct mv_memslots *slots)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < slots->nr; i++)
		n += slots->slot[i].npages;
	return n;
}

static int set_region_locked(struct mv_vm *vm,
			     const struct kvm_userspace_memory_region *mem)
{
	struct mv_memslots *old_slots = mv_memslots(vm), *new_slots;
	struct mv_memslot new = {
		.base_gfn = mem->guest_phys_addr >> PAGE_SHIFT,
		.npages = mem->memory_size >> PAGE_SHIFT,
		.userspace_addr = mem->userspace_addr,
		.flags = mem->flags,
		.id = (u16)mem->slot,
	};
	const struct mv_memslot *old = mv_id_to_memslot(old_slots, new.id);
	struct mv_memslot old_copy;
	u64 zap_base = 0, zap_npages = 0;
	int r;

	if (!mem->memory_size) {
		if (!old)
			return -EINVAL;		/* deleting a slot that is not */
		zap_base = old->base_gfn;
		zap_npages = old->npages;
	} else if (old) {
		/* Only the guest address (a move) and flags may change. */
		if (new.userspace_addr != old->userspace_addr ||
		    new.npages != old->npages ||
		    ((new.flags ^ old->flags) & KVM_MEM_READONLY))
			return -EINVAL;
		if (new.base_gfn == old->base_gfn && new.flags == old->flags)
			return 0;		/* nothing to change */
		if (new.base_gfn != old->base_gfn) {	/* a move */
			zap_base = old->base_gfn;
			zap_npages = old->npages;
		}
	}
	if (mem->memory_size) {
		if (overlaps(old_slots, new.id, new.base_gfn, new.npages))
			return -EEXIST;
		if (new.base_gfn + new.npages - 1 > mv_max_gfn())
			return -EINVAL;
	}

	if (mem->memory_size) {
		r = mv_dirty_slot_prepare(vm, old, &new);
		if (r)
			return r;
	}
	new_slots = memslots_replace(old_slots, new.id,
				     mem->memory_size ? &new : NULL);
	if (!new_slots) {
		if (new.dirty_bitmap && (!old || !old->dirty_bitmap))
			kvfree(new.dirty_bitmap);
		return -ENOMEM;
	}
	if (old)
		old_copy = *old;	/* old_slots goes below */
	rcu_assign_pointer(vm->memslots, new_slots);
	synchronize_srcu(&vm->srcu);
	if (zap_npages)
		mv_vm_zap_gfns(vm, zap_base, zap_base + zap_npages);
	mv_dirty_slot_commit(vm, old ? &old_copy : NULL,
			     mem->memory_size ? &new : NULL);
	kvfree(old_slots);
	if (!old || !mem->memory_size)		/* created or deleted (KVM) */
		mv_shadow_default_max_pages(vm, total_pages(new_slots));
	return 0;
}

int mv_set_memory_region(struct mv_vm *vm,
			 const struct kvm_userspace_memory_region *mem)
{
	int r = check_region(mem);

	if (r)
		return r;
	mutex_lock(&vm->lock);
	r = set_region_locked(vm, mem);
	mutex_unlock(&vm->lock);
	return r;
}

void mv_memslots_free(struct mv_vm *vm)
{
	struct mv_memslots *slots = rcu_dereference_protected(vm->memslots, true);
	unsigned int i;

	for (i = 0; slots && i < slots->nr; i++)
		mv_dirty_slot_free(&slots->slot[i]);
	kvfree(slots);
	RCU_INIT_POINTER(vm->memslots, NULL);
}

/* Calls fn on each page-sized piece of [gpa, gpa + len) with its hva. */
static int for_each_guest_chunk(struct mv_vm *vm, u64 gpa, unsigned int len,
				bool write,
				int (*fn)(unsigned long hva, unsigned int off,
					  unsigned int n, void *ctx),
				void *ctx)
{
	const struct mv_memslots *slots = mv_memslots(vm);
	unsigned int done = 0;

	while (done < len) {
		u64 gfn = (gpa + done) >> PAGE_SHIFT;
		unsigned int off = offset_in_page(gpa + done);
		unsigned int n = min_t(unsigned int, len - done, PAGE_SIZE - off);
		const struct mv_memslot *slot = mv_gfn_to_memslot(slots, gfn);
		int r;

		if (!slot || (write && (slot->flags & KVM_MEM_READONLY)))
			return -EFAULT;
		r = fn(mv_gfn_to_hva(slot, gfn) + off, done, n, ctx);
		if (r)
			return r;
		if (write)	/* after the write, as KVM: never before it */
			mv_mark_page_dirty_in_slot(slot, gfn);
		done += n;
	}
	return 0;
}

static int read_chunk(unsigned long hva, unsigned int off, unsigned int n,
		      void *buf)
{
	return copy_from_user(buf + off, (void __user *)hva, n) ? -EFAULT : 0;
}

static int write_chunk(unsigned long hva, unsigned int off, unsigned int n,
		       void *buf)
{
	return copy_to_user((void __user *)hva, buf + off, n) ? -EFAULT : 0;
}

int mv_read_guest(struct mv_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return for_each_guest_chunk(vm, gpa, len, false, read_chunk, buf);
}

int mv_write_guest(struct mv_vm *vm, u64 gpa, const void *buf,
		   unsigned int len)
{
	return for_each_guest_chunk(vm, gpa, len, true, write_chunk,
				    (void *)buf);
}
