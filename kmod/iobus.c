// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel I/O buses (iobus.h), after KVM's kvm_io_bus (virt/kvm/
 * kvm_main.c): per bus an immutable array of ranges sorted by address,
 * replaced as a whole under vm->lock and freed after a grace period of
 * vm->srcu, which every reader (the exit path) holds. An access is offered to
 * every device whose range holds it, in address order (registration order at
 * one address), until one takes it: answers anything but -EOPNOTSUPP ("not
 * mine", an ioeventfd whose datamatch differs).
 *
 * A range [addr, addr + len) holds an access [a, a + n) if it contains it
 * whole, as kvm_io_bus_cmp() has it; a range of length 0 holds any access
 * that starts at addr (KVM_IOEVENTFD with len 0). Lookups are a binary
 * search for the first range that can hold the access: as no range is longer
 * than the bus's longest, none starting below a - longest can.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "iobus.h"
#include "vcpu.h"
#include "vm.h"

/* KVM's NR_IOBUS_DEVS: the most devices on one bus. */
#define MV_IO_BUS_MAX_DEVS	1000

struct mv_io_range {
	u64 addr;
	u64 len;
	struct mv_io_device *dev;
};

struct mv_io_bus {
	unsigned int nr;
	u64 max_len;		/* of the longest range */
	struct mv_io_range range[];
};

/*
 * Stands in for a device that mv_io_bus_unregister() could not cut out of
 * the array (no memory for a smaller copy): it takes nothing. The next
 * change of that bus drops it.
 */
static const struct mv_io_device_ops dead_ops;
static struct mv_io_device dead_dev = { .ops = &dead_ops };

static struct mv_io_bus *bus_locked(struct mv_vm *vm, enum mv_bus idx)
{
	return rcu_dereference_protected(vm->buses[idx],
					 lockdep_is_held(&vm->lock));
}

static struct mv_io_bus *bus_alloc(unsigned int nr)
{
	struct mv_io_bus *bus;

	bus = kvzalloc(struct_size(bus, range, nr), GFP_KERNEL_ACCOUNT);
	if (bus)
		bus->nr = nr;
	return bus;
}

/* Publishes new in place of the bus readers see, and frees the old one. */
static void bus_replace(struct mv_vm *vm, enum mv_bus idx,
			struct mv_io_bus *new)
{
	struct mv_io_bus *old = bus_locked(vm, idx);

	rcu_assign_pointer(vm->buses[idx], new);
	synchronize_srcu_expedited(&vm->srcu);
	kvfree(old);
}

static void bus_update_max_len(struct mv_io_bus *bus)
{
	unsigned int i;

	bus->max_len = 0;
	for (i = 0; i < bus->nr; i++)
		bus->max_len = max(bus->max_len, bus->range[i].len);
}

/* The live ranges of bus (all but those of dead_dev), less those of dev. */
static unsigned int bus_count(const struct mv_io_bus *bus,
			      const struct mv_io_device *dev)
{
	unsigned int i, n = 0;

	for (i = 0; bus && i < bus->nr; i++)
		n += bus->range[i].dev != &dead_dev && bus->range[i].dev != dev;
	return n;
}

int mv_io_bus_register(struct mv_vm *vm, enum mv_bus idx, u64 addr,
		       unsigned int len, struct mv_io_device *dev)
{
	struct mv_io_bus *old, *new;
	const struct mv_io_range *r;
	unsigned int i, n = 0;
	bool placed = false;

	lockdep_assert_held(&vm->lock);
	if (WARN_ON_ONCE(idx >= MV_NR_BUSES || !dev))
		return -EINVAL;
	old = bus_locked(vm, idx);
	if (bus_count(old, NULL) >= MV_IO_BUS_MAX_DEVS)
		return -ENOSPC;

	new = bus_alloc(bus_count(old, NULL) + 1);
	if (!new)
		return -ENOMEM;
	/* After every range at a lower or the same address: sorted, stable. */
	for (i = 0; old && i < old->nr; i++) {
		r = &old->range[i];
		if (r->dev == &dead_dev)
			continue;
		if (!placed && r->addr > addr) {
			new->range[n++] = (struct mv_io_range){ addr, len, dev };
			placed = true;
		}
		new->range[n++] = *r;
	}
	if (!placed)
		new->range[n++] = (struct mv_io_range){ addr, len, dev };
	bus_update_max_len(new);
	bus_replace(vm, idx, new);
	return 0;
}

void mv_io_bus_unregister(struct mv_vm *vm, enum mv_bus idx,
			  struct mv_io_device *dev)
{
	struct mv_io_bus *old, *new = NULL;
	unsigned int i, n = 0, left;

	lockdep_assert_held(&vm->lock);
	if (WARN_ON_ONCE(idx >= MV_NR_BUSES))
		return;
	old = bus_locked(vm, idx);
	for (i = 0; old && i < old->nr && old->range[i].dev != dev; i++)
		;
	if (!old || i == old->nr)
		return;

	left = bus_count(old, dev);
	if (left) {
		new = bus_alloc(left);
		if (!new) {
			/*
			 * No memory for the smaller copy: readers may be
			 * walking this array, so the device's ranges stay and
			 * only stop leading to it.
			 */
			for (i = 0; i < old->nr; i++)
				if (old->range[i].dev == dev)
					WRITE_ONCE(old->range[i].dev, &dead_dev);
			synchronize_srcu_expedited(&vm->srcu);
			return;
		}
		for (i = 0; i < old->nr; i++)
			if (old->range[i].dev != dev &&
			    old->range[i].dev != &dead_dev)
				new->range[n++] = old->range[i];
		bus_update_max_len(new);
	}
	bus_replace(vm, idx, new);
}

/* Does range r hold the access [addr, addr + len)? */
static bool range_holds(const struct mv_io_range *r, u64 addr,
			unsigned int len)
{
	if (!r->len)
		return r->addr == addr;
	return addr >= r->addr && addr - r->addr <= r->len &&
	       len <= r->len - (addr - r->addr);
}

/* The index of the first range that starts at or above from. */
static unsigned int bus_first(const struct mv_io_bus *bus, u64 from)
{
	unsigned int lo = 0, hi = bus->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (bus->range[mid].addr < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Offers the access to every device holding it until one takes it (KVM's
 * __kvm_io_bus_write()/__kvm_io_bus_read()): a write of wval, or a read into
 * rval. Caller holds vm->srcu.
 */
static int bus_access(struct mv_vcpu *vcpu, enum mv_bus idx, u64 addr,
		      unsigned int len, void *rval, const void *wval)
{
	const struct mv_io_bus *bus;
	const struct mv_io_range *r;
	struct mv_io_device *dev;
	unsigned int i;
	int ret;

	bus = srcu_dereference(vcpu->vm->buses[idx], &vcpu->vm->srcu);
	if (!bus)
		return -EOPNOTSUPP;
	i = bus_first(bus, addr - min(addr, bus->max_len));
	for (r = &bus->range[i]; i < bus->nr && r->addr <= addr; i++, r++) {
		if (!range_holds(r, addr, len))
			continue;
		dev = READ_ONCE(r->dev);
		if (wval && dev->ops->write)
			ret = dev->ops->write(vcpu, dev, addr, len, wval);
		else if (!wval && dev->ops->read)
			ret = dev->ops->read(vcpu, dev, addr, len, rval);
		else
			continue;
		if (ret != -EOPNOTSUPP)
			return 0;
	}
	return -EOPNOTSUPP;
}

int mv_io_bus_write(struct mv_vcpu *vcpu, enum mv_bus idx, u64 addr,
		    unsigned int len, const void *val)
{
	return bus_access(vcpu, idx, addr, len, NULL, val);
}

int mv_io_bus_read(struct mv_vcpu *vcpu, enum mv_bus idx, u64 addr,
		   unsigned int len, void *val)
{
	return bus_access(vcpu, idx, addr, len, val, NULL);
}

void mv_io_bus_free(struct mv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < MV_NR_BUSES; i++) {
		kvfree(rcu_access_pointer(vm->buses[i]));
		RCU_INIT_POINTER(vm->buses[i], NULL);
	}
}
