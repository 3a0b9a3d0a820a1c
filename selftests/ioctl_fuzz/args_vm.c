// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM fd's ioctls (MINIVIRT_VM_IOCTLS, MINIVIRT_GUEST_VM_IOCTLS and
 * MINIVIRT_EXT_VM_IOCTLS in uapi/minivirt.h) with generated arguments.
 */
#include <stddef.h>
#include <string.h>

#include "../../uapi/minivirt.h"
#include "fuzz.h"

#define PAGE	4096UL

/* A memslot from buffer b: the whole buffer or part of it, at a page-aligned GPA. */
void fz_memslot(struct fz *f, int vm_fd, uint32_t slot, int b)
{
	struct kvm_userspace_memory_region r = { .slot = slot };
	struct fz_buf *m = &f->bufs[b];

	if (!m->p)
		return;
	r.memory_size = fz_chance(f, 70) ? m->size : PAGE * (1 + fz_below(f, m->size / PAGE));
	r.userspace_addr = (uintptr_t)m->p;
	r.guest_phys_addr = slot ? PAGE * fz_below(f, 0x2000) : 0;
	if (fz_chance(f, 20))
		r.flags = fz_below(f, 4);	/* LOG_DIRTY_PAGES, READONLY */
	fz_ioctl(f, vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&r);
}

/* Any field hostile: slots past the limit or in another address space, sizes, addresses. */
static void memslot_hostile(struct fz *f, int fd)
{
	struct kvm_userspace_memory_region2 *r = (void *)f->scratch;
	struct fz_buf *m = &f->bufs[fz_below(f, FZ_BUFS)];

	memset(r, 0, sizeof(*r));
	r->slot = fz_chance(f, 70) ? fz_below(f, 12) : (uint32_t)fz_value(f);
	r->flags = fz_chance(f, 60) ? fz_below(f, 4) : (uint32_t)fz_value(f);
	switch (fz_below(f, 4)) {
	case 0: r->memory_size = 0; break;		/* delete */
	case 1: r->memory_size = PAGE * (1 + fz_below(f, 64)); break;
	case 2: r->memory_size = (1ULL << 30) >> fz_below(f, 12); break;
	default: r->memory_size = fz_hostile_u64(f);
	}
	switch (fz_below(f, 4)) {
	case 0: r->guest_phys_addr = PAGE * fz_below(f, 0x2000); break;
	case 1: r->guest_phys_addr = fz_hostile_u64(f); break;
	default: r->guest_phys_addr = fz_below(f, 1ULL << 40) & ~(PAGE - 1);
	}
	switch (fz_below(f, 5)) {
	case 0: case 1:
		r->userspace_addr = m->p ? (uintptr_t)m->p : (uintptr_t)f->scratch;
		break;
	case 2:
		r->userspace_addr = (uintptr_t)f->scratch + fz_below(f, 2) * FZ_SCRATCH;
		break;
	default:
		r->userspace_addr = fz_hostile_hva(f);
	}
	if (fz_chance(f, 10))	/* REGION2's guest_memfd fields and padding */
		fz_mutate(f, &r->guest_memfd_offset,
			  sizeof(*r) - offsetof(struct kvm_userspace_memory_region2,
						guest_memfd_offset));
	/* KVM's limit is 2^31 pages per slot; 1 GiB at most keeps bitmaps small. */
	if ((r->flags & KVM_MEM_LOG_DIRTY_PAGES) && r->memory_size > (1ULL << 30) &&
	    r->memory_size < (1ULL << 43))
		r->memory_size = 1ULL << 30;
	fz_ioctl(f, fd, fz_chance(f, 70) ? KVM_SET_USER_MEMORY_REGION :
		 KVM_SET_USER_MEMORY_REGION2, (unsigned long)fz_ptr(f, sizeof(*r)));
}

static void gsi_routing(struct fz *f, int fd)
{
	struct kvm_irq_routing *r = (void *)f->scratch;
	uint32_t i, n = fz_count(f, 6), fit = (FZ_SCRATCH - sizeof(*r)) / sizeof(r->entries[0]);

	r->nr = n;
	r->flags = fz_chance(f, 95) ? 0 : fz_value(f);
	for (i = 0; i < n && i < fit && i < 64; i++) {
		struct kvm_irq_routing_entry *e = &r->entries[i];

		memset(e, 0, sizeof(*e));
		e->gsi = fz_chance(f, 90) ? fz_below(f, 24) : (uint32_t)fz_value(f);
		e->type = fz_chance(f, 90) ? 1 + fz_below(f, 2) : (uint32_t)fz_value(f);
		if (e->type == KVM_IRQ_ROUTING_IRQCHIP) {
			e->u.irqchip.irqchip = fz_below(f, 4);
			e->u.irqchip.pin = fz_chance(f, 90) ? fz_below(f, 24) : fz_value(f);
		} else {
			e->u.msi.address_lo = 0xfee00000 | fz_below(f, 4) << 12;
			e->u.msi.address_hi = fz_chance(f, 90) ? 0 : fz_value(f);
			e->u.msi.data = fz_below(f, 256) | (fz_chance(f, 10) ? fz_value(f) : 0);
		}
		if (fz_chance(f, 5))
			fz_mutate(f, e, sizeof(*e));
	}
	fz_ioctl(f, fd, KVM_SET_GSI_ROUTING,
		 (unsigned long)fz_ptr(f, sizeof(*r) + n * sizeof(r->entries[0])));
}

static void dirty_log(struct fz *f, int fd)
{
	uint32_t slot = fz_chance(f, 80) ? fz_below(f, 6) : (uint32_t)fz_value(f);
	void *bitmap = fz_chance(f, 85) ? f->scratch + 4096 : fz_ptr(f, 1);

	if (fz_chance(f, 50)) {
		struct kvm_dirty_log *d = (void *)f->scratch;

		*d = (struct kvm_dirty_log){ .slot = slot, .dirty_bitmap = bitmap };
		fz_ioctl(f, fd, KVM_GET_DIRTY_LOG, (unsigned long)fz_ptr(f, sizeof(*d)));
	} else {
		struct kvm_clear_dirty_log *c = (void *)f->scratch;

		*c = (struct kvm_clear_dirty_log){
			.slot = slot,
			.num_pages = fz_chance(f, 70) ? fz_below(f, 129) : (uint32_t)fz_value(f),
			.first_page = fz_chance(f, 70) ? 64 * fz_below(f, 4) : fz_value(f),
			.dirty_bitmap = bitmap,
		};
		fz_ioctl(f, fd, KVM_CLEAR_DIRTY_LOG, (unsigned long)fz_ptr(f, sizeof(*c)));
	}
}

static void enable_cap(struct fz *f, int fd)
{
	static const uint32_t caps[] = {
		KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_CAP_SPLIT_IRQCHIP,
		KVM_CAP_X2APIC_API, KVM_CAP_MSR_PLATFORM_INFO, KVM_CAP_HALT_POLL,
		KVM_CAP_DISABLE_QUIRKS, KVM_CAP_EXCEPTION_PAYLOAD,
	};
	struct kvm_enable_cap *c = (void *)f->scratch;

	memset(c, 0, sizeof(*c));
	c->cap = fz_chance(f, 85) ? caps[fz_below(f, sizeof(caps) / sizeof(caps[0]))] :
				    (uint32_t)fz_value(f);
	c->flags = fz_chance(f, 90) ? 0 : fz_value(f);
	c->args[0] = fz_chance(f, 70) ? fz_below(f, 25) : fz_value(f);
	if (fz_chance(f, 10))
		c->args[1] = fz_value(f);
	fz_ioctl(f, fd, KVM_ENABLE_CAP, (unsigned long)fz_ptr(f, sizeof(*c)));
}

/*
 * A state the kernel gives and takes: read it into scratch (the first
 * 4 bytes preset, e.g. a chip id), change it sometimes, give it back.
 */
void fz_get_set(struct fz *f, int fd, unsigned long get, unsigned long set,
		size_t size, uint32_t preset)
{
	memcpy(f->scratch, &preset, sizeof(preset));
	if (!set || fz_chance(f, 40)) {
		fz_ioctl(f, fd, get, (unsigned long)fz_ptr(f, size));
		return;
	}
	fz_ioctl(f, fd, get, (unsigned long)f->scratch);
	if (fz_chance(f, 10))
		fz_bytes(f, f->scratch, size);
	else if (fz_chance(f, 60))
		fz_mutate(f, f->scratch, size);
	if (set == KVM_SET_SREGS)
		fz_no_lme_unpaged((void *)f->scratch);
	if (set == KVM_SET_LAPIC)
		fz_no_lapic_timer((void *)f->scratch);
	fz_ioctl(f, fd, set, (unsigned long)(set == KVM_SET_SREGS || set == KVM_SET_LAPIC ?
					     fz_ptr_exact(f, size) : fz_ptr(f, size)));
}

static void irq(struct fz *f, int fd)
{
	void *arg = f->scratch;

	switch (fz_below(f, 5)) {
	case 0: case 1: {
		struct kvm_irq_level *l = arg;

		l->irq = fz_chance(f, 90) ? fz_below(f, 25) : (uint32_t)fz_value(f);
		l->level = fz_chance(f, 90) ? fz_below(f, 2) : (uint32_t)fz_value(f);
		fz_ioctl(f, fd, fz_chance(f, 50) ? KVM_IRQ_LINE : KVM_IRQ_LINE_STATUS,
			 (unsigned long)fz_ptr(f, sizeof(*l)));
		break;
	}
	case 2: {
		struct kvm_msi *m = arg;

		memset(m, 0, sizeof(*m));
		m->address_lo = 0xfee00000 | fz_below(f, 4) << 12 |
				(fz_chance(f, 10) ? (uint32_t)fz_value(f) : 0);
		m->address_hi = fz_chance(f, 90) ? 0 : fz_value(f);
		m->data = fz_below(f, 256) | (fz_chance(f, 20) ? fz_below(f, 8) << 8 : 0);
		m->flags = fz_chance(f, 90) ? 0 : fz_value(f);
		fz_ioctl(f, fd, KVM_SIGNAL_MSI, (unsigned long)fz_ptr(f, sizeof(*m)));
		break;
	}
	case 3: {
		struct kvm_irqfd *i = arg;

		memset(i, 0, sizeof(*i));
		i->fd = fz_fd_of(f, FZ_EVENTFD);
		i->gsi = fz_chance(f, 90) ? fz_below(f, 25) : (uint32_t)fz_value(f);
		i->flags = fz_chance(f, 85) ? fz_below(f, 4) : (uint32_t)fz_value(f);
		i->resamplefd = fz_fd_of(f, FZ_EVENTFD);
		fz_ioctl(f, fd, KVM_IRQFD, (unsigned long)fz_ptr(f, sizeof(*i)));
		break;
	}
	default: {
		struct kvm_ioeventfd *e = arg;
		static const uint32_t lens[] = { 0, 1, 2, 4, 8, 3, 16 };

		memset(e, 0, sizeof(*e));
		e->fd = fz_fd_of(f, FZ_EVENTFD);
		e->flags = fz_chance(f, 85) ? fz_below(f, 8) : (uint32_t)fz_value(f);
		e->addr = fz_chance(f, 80) ? (e->flags & KVM_IOEVENTFD_FLAG_PIO ?
					      fz_below(f, 0x10000) : 0xd0000000 + fz_below(f, 64) * 8) :
					     fz_hostile_u64(f);
		e->len = lens[fz_below(f, sizeof(lens) / sizeof(lens[0]))];
		e->datamatch = fz_value(f);
		fz_ioctl(f, fd, KVM_IOEVENTFD, (unsigned long)fz_ptr(f, sizeof(*e)));
	}
	}
}

void fz_vm_ioctl(struct fz *f, int fd)
{
	uint32_t *u32 = (void *)f->scratch;

	switch (fz_below(f, 24)) {
	case 0:
		fz_ioctl(f, fd, KVM_CHECK_EXTENSION,
			 fz_chance(f, 80) ? fz_below(f, 260) : fz_value(f));
		break;
	case 1: case 2:
		fz_add(f, FZ_VCPU, fz_ioctl(f, fd, KVM_CREATE_VCPU,
					    fz_chance(f, 80) ? fz_below(f, 4) : fz_value(f)));
		break;
	case 3: case 4:
		fz_memslot(f, fd, fz_below(f, 4), fz_below(f, FZ_BUFS));
		break;
	case 5: case 6:
		memslot_hostile(f, fd);
		break;
	case 7:
		if (fz_chance(f, 33)) {
			fz_ioctl(f, fd, KVM_SET_TSS_ADDR, fz_chance(f, 70) ? 0xfffbd000 : fz_value(f));
		} else if (fz_chance(f, 50)) {
			/* KVM's minimum is 64 pages; a small bound makes the shadow MMU evict. */
			fz_ioctl(f, fd, KVM_SET_NR_MMU_PAGES,
				 fz_chance(f, 80) ? fz_below(f, 256) : fz_value(f));
		} else {
			*(uint64_t *)f->scratch = fz_chance(f, 70) ? 0xfffbc000 : fz_value(f);
			fz_ioctl(f, fd, KVM_SET_IDENTITY_MAP_ADDR, (unsigned long)fz_ptr(f, 8));
		}
		break;
	case 8:
		gsi_routing(f, fd);
		break;
	case 9:
		fz_get_set(f, fd, KVM_GET_CLOCK, KVM_SET_CLOCK, sizeof(struct kvm_clock_data), 0);
		break;
	case 10:
		fz_ioctl(f, fd, fz_chance(f, 50) ? KVM_GET_TSC_KHZ : KVM_SET_TSC_KHZ,
			 fz_chance(f, 50) ? 1000000 + fz_below(f, 3000000) : fz_value(f));
		break;
	case 11:
		*u32 = fz_chance(f, 80) ? fz_below(f, 2) : fz_value(f);
		fz_ioctl(f, fd, fz_chance(f, 50) ? MINIVIRT_SET_MMU : MINIVIRT_GET_MMU,
			 (unsigned long)fz_ptr(f, 4));
		break;
	case 12:
		dirty_log(f, fd);
		break;
	case 13:
		enable_cap(f, fd);
		break;
	case 14:
		fz_ioctl(f, fd, KVM_CREATE_IRQCHIP, fz_value(f));
		break;
	case 15:
		fz_get_set(f, fd, KVM_GET_IRQCHIP, KVM_SET_IRQCHIP, sizeof(struct kvm_irqchip),
			   fz_chance(f, 90) ? fz_below(f, 3) : fz_value(f));
		break;
	case 16: {
		struct kvm_pit_config *c = (void *)f->scratch;

		memset(c, 0, sizeof(*c));
		c->flags = fz_chance(f, 80) ? fz_below(f, 2) : fz_value(f);
		if (fz_chance(f, 20))
			fz_ioctl(f, fd, KVM_CREATE_PIT, fz_value(f));
		else
			fz_ioctl(f, fd, KVM_CREATE_PIT2, (unsigned long)fz_ptr(f, sizeof(*c)));
		break;
	}
	case 17:
		if (fz_chance(f, 50))
			fz_get_set(f, fd, KVM_GET_PIT, KVM_SET_PIT, sizeof(struct kvm_pit_state), 0);
		else
			fz_get_set(f, fd, KVM_GET_PIT2, KVM_SET_PIT2, sizeof(struct kvm_pit_state2), 0);
		break;
	case 18: {
		struct kvm_reinject_control *c = (void *)f->scratch;

		memset(c, 0, sizeof(*c));
		c->pit_reinject = fz_chance(f, 80) ? fz_below(f, 2) : fz_value(f);
		if (fz_chance(f, 10))
			fz_mutate(f, c, sizeof(*c));
		fz_ioctl(f, fd, KVM_REINJECT_CONTROL, (unsigned long)fz_ptr(f, sizeof(*c)));
		break;
	}
	case 19:
		fz_ioctl(f, fd, KVM_SET_BOOT_CPU_ID, fz_chance(f, 80) ? fz_below(f, 4) : fz_value(f));
		break;
	default:
		irq(f, fd);
	}
}
