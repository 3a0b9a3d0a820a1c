// SPDX-License-Identifier: GPL-2.0-only
/*
 * irqfd and ioeventfd, as KVM's virt/kvm/eventfd.c (Linux 6.1, with 6.12's
 * fewer grace periods in the resampler's shutdown).
 *
 * irqfd (KVM_IRQFD): an eventfd whose signal raises a GSI. Its wait-queue
 * entry's callback runs with the eventfd's wait-queue lock held and IRQs off:
 * it injects through mv_irq_set_gsi(), which never sleeps, and on EPOLLHUP
 * (the eventfd's last reference went away) it only marks the irqfd inactive
 * and queues its shutdown on vm->irq.irqfd_wq, which unhooks it from the
 * eventfd and frees it in process context. An irqfd holds no reference on
 * the VM: deassign and mv_eventfd_release() wait for those shutdowns, so no
 * callback can run once the VM is gone.
 *
 * With KVM_IRQFD_FLAG_RESAMPLE the GSI is a level interrupt: the signal
 * asserts it (source MV_IRQ_SOURCE_RESAMPLE, shared by every resampling
 * irqfd of the GSI: one resampler per GSI), and the guest's acknowledgement
 * (an ack notifier) de-asserts it and signals every resamplefd, so that
 * userspace signals again if its device still wants service.
 *
 * ioeventfd (KVM_IOEVENTFD): a device on the PIO or MMIO bus whose write
 * handler signals an eventfd; the access is consumed (no exit). Reads are not
 * its: they go on to userspace.
 *
 * Locking (irq.h): vm->irq.irqfds_lock (a spinlock, IRQs off: the callback
 * takes it inside the eventfd's wait-queue lock) guards vm->irq.irqfds, the
 * active irqfds; vm->lock guards the resamplers and the ioeventfds (and the
 * buses); the resampler's irqfd list is read under vm->irq.srcu.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "../iobus.h"
#include "../vm.h"
#include "eventfd.h"
#include "irq.h"

/* Linux 6.8 dropped eventfd_signal()'s count: it always adds 1 now. */
#ifdef MV_HAVE_EVENTFD_SIGNAL_N
#define mv_eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#else
#define mv_eventfd_signal(ctx)	eventfd_signal(ctx)
#endif

/* The GSI's level source shared by the resampling irqfds on one GSI. */
struct mv_irqfd_resampler {
	struct mv_vm *vm;
	struct list_head irqfds;	/* RCU, readers under vm->irq.srcu */
	struct list_head link;		/* vm->irq.resamplers, under vm->lock */
	struct mv_irq_ack_notifier notifier;
};

struct mv_irqfd {
	struct mv_vm *vm;
	u32 gsi;
	struct eventfd_ctx *eventfd;
	/* On vm->irq.irqfds while active; empty once deactivated. */
	struct list_head link;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct shutdown;
	/* KVM_IRQFD_FLAG_RESAMPLE */
	struct mv_irqfd_resampler *resampler;
	struct eventfd_ctx *resamplefd;
	struct list_head resampler_link;
};

struct mv_ioeventfd {
	struct list_head link;		/* vm->irq.ioeventfds, under vm->lock */
	struct eventfd_ctx *eventfd;
	u64 addr;
	u32 len;			/* 0: any length */
	int bus;			/* enum mv_bus, or IOEVENTFD_CCW_BUS */
	bool wildcard;			/* no KVM_IOEVENTFD_FLAG_DATAMATCH */
	u64 datamatch;
	struct mv_io_device dev;
};

/*
 * KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY: KVM keeps such an ioeventfd on its
 * s390 notification bus, which x86 has but never accesses. It is kept on the
 * list (collisions, deassign) and on no bus here.
 */
#define IOEVENTFD_CCW_BUS	MV_NR_BUSES

/* --- irqfd --- */

/* The eventfd was signalled: the edge, or the asserted level. */
static void irqfd_inject(struct mv_irqfd *irqfd)
{
	struct mv_vm *vm = irqfd->vm;

	if (irqfd->resampler) {
		mv_irq_set_gsi(vm, MV_IRQ_SOURCE_RESAMPLE, irqfd->gsi, 1,
			       false);
		return;
	}
	mv_irq_set_gsi(vm, MV_IRQ_SOURCE_USER, irqfd->gsi, 1, false);
	mv_irq_set_gsi(vm, MV_IRQ_SOURCE_USER, irqfd->gsi, 0, false);
}

/*
 * The guest acknowledged the GSI (vCPU thread, under vm->irq.srcu): the
 * shared level goes down once, then every resamplefd is signalled (KVM's
 * irqfd_resampler_ack(): several de-asserts could race with a re-assert).
 */
static void resampler_acked(struct mv_irq_ack_notifier *ian)
{
	struct mv_irqfd_resampler *rs =
		container_of(ian, struct mv_irqfd_resampler, notifier);
	struct mv_vm *vm = rs->vm;
	struct mv_irqfd *irqfd;
	int idx;

	mv_irq_set_gsi(vm, MV_IRQ_SOURCE_RESAMPLE, ian->gsi, 0, false);
	idx = srcu_read_lock(&vm->irq.srcu);
	list_for_each_entry_srcu(irqfd, &rs->irqfds, resampler_link,
				 srcu_read_lock_held(&vm->irq.srcu))
		mv_eventfd_signal(irqfd->resamplefd);
	srcu_read_unlock(&vm->irq.srcu, idx);
}

/*
 * Joins irqfd to the resampler of its GSI, made (with its ack notifier) if it
 * is the first. Takes vm->lock.
 */
static int resampler_attach(struct mv_irqfd *irqfd)
{
	struct mv_vm *vm = irqfd->vm;
	struct mv_irqfd_resampler *rs;
	int r = 0;

	mutex_lock(&vm->lock);
	list_for_each_entry(rs, &vm->irq.resamplers, link)
		if (rs->notifier.gsi == irqfd->gsi)
			goto found;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs) {
		r = -ENOMEM;
		goto out;
	}
	rs->vm = vm;
	INIT_LIST_HEAD(&rs->irqfds);
	rs->notifier.gsi = irqfd->gsi;
	rs->notifier.acked = resampler_acked;
	list_add(&rs->link, &vm->irq.resamplers);
	mv_irq_register_ack_notifier(vm, &rs->notifier);
found:
	irqfd->resampler = rs;
	list_add_rcu(&irqfd->resampler_link, &rs->irqfds);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * Takes irqfd out of its resampler; the last one out also unregisters the
 * ack notifier and lowers the level, as KVM's irqfd_resampler_shutdown().
 * Takes vm->lock.
 */
static void resampler_detach(struct mv_irqfd *irqfd)
{
	struct mv_irqfd_resampler *rs = irqfd->resampler;
	struct mv_vm *vm = irqfd->vm;

	mutex_lock(&vm->lock);
	list_del_rcu(&irqfd->resampler_link);
	if (list_empty(&rs->irqfds)) {
		list_del(&rs->link);
		/* Waits for the notifier's callers, and so for its readers. */
		mv_irq_unregister_ack_notifier(vm, &rs->notifier);
		mv_irq_set_gsi(vm, MV_IRQ_SOURCE_RESAMPLE, rs->notifier.gsi, 0,
			       false);
		kfree(rs);
	} else {
		synchronize_srcu(&vm->irq.srcu);
	}
	mutex_unlock(&vm->lock);
}

/*
 * The irqfd's end, on vm->irq.irqfd_wq once it was deactivated. The order
 * matters: after the wait-queue entry is off the eventfd no callback runs.
 */
static void irqfd_shutdown(struct work_struct *work)
{
	struct mv_irqfd *irqfd = container_of(work, struct mv_irqfd, shutdown);
	u64 cnt;

	/* irqfd_assign() holds vm->irq.srcu until it has hooked the eventfd. */
	synchronize_srcu(&irqfd->vm->irq.srcu);
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	if (irqfd->resampler) {
		resampler_detach(irqfd);
		eventfd_ctx_put(irqfd->resamplefd);
	}
	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
}

/* Under vm->irq.irqfds_lock. */
static bool irqfd_is_active(struct mv_irqfd *irqfd)
{
	return !list_empty(&irqfd->link);
}

/* Under vm->irq.irqfds_lock: off the list, its shutdown queued. */
static void irqfd_deactivate(struct mv_irqfd *irqfd)
{
	list_del_init(&irqfd->link);
	queue_work(irqfd->vm->irq.irqfd_wq, &irqfd->shutdown);
}

/*
 * The eventfd's wait-queue callback: with its lock held, IRQs off. EPOLLIN:
 * the count is consumed and the GSI raised; returning 1 ends the wake-up
 * there (the entry is a priority waiter), so the signal is the irqfd's alone,
 * as on KVM. EPOLLHUP: the eventfd is being freed.
 */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync,
			void *key)
{
	struct mv_irqfd *irqfd = container_of(wait, struct mv_irqfd, wait);
	__poll_t flags = key_to_poll(key);
	struct mv_vm *vm = irqfd->vm;
	unsigned long iflags;
	int ret = 0;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		irqfd_inject(irqfd);
		ret = 1;
	}

	if (flags & EPOLLHUP) {
		/*
		 * Deassign or VM release may have deactivated it already; they
		 * unhook it only through the wait-queue lock held here, so it
		 * cannot be freed under us.
		 */
		spin_lock_irqsave(&vm->irq.irqfds_lock, iflags);
		if (irqfd_is_active(irqfd))
			irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&vm->irq.irqfds_lock, iflags);
	}
	return ret;
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct mv_irqfd *irqfd = container_of(pt, struct mv_irqfd, pt);

	add_wait_queue_priority(wqh, &irqfd->wait);
}

/*
 * The VM's queue for irqfd shutdowns, made with its first irqfd (KVM has one
 * for all VMs, made at module load).
 */
static int irqfd_wq_get(struct mv_vm *vm)
{
	struct workqueue_struct *wq;
	int r = 0;

	mutex_lock(&vm->lock);
	if (!vm->irq.irqfd_wq) {
		wq = alloc_workqueue("minivirt-irqfd", 0, 0);
		if (wq)
			WRITE_ONCE(vm->irq.irqfd_wq, wq);
		else
			r = -ENOMEM;
	}
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM's kvm_irqfd_assign(), its checks in its order. */
static int irqfd_assign(struct mv_vm *vm, const struct kvm_irqfd *args)
{
	bool resample = args->flags & KVM_IRQFD_FLAG_RESAMPLE;
	int chip = mv_irqchip_mode(&vm->irq);
	struct mv_irqfd *irqfd, *tmp;
	struct eventfd_ctx *eventfd;
	struct file *file;
	__poll_t events;
	int idx, r;

	/*
	 * KVM's kvm_arch_irqfd_allowed(): an in-kernel irqchip; resampling
	 * needs the IOAPIC's and PIC's acks, so not a split one.
	 */
	if (resample ? chip != MV_IRQCHIP_KERNEL : chip == MV_IRQCHIP_NONE)
		return -EINVAL;
	r = irqfd_wq_get(vm);
	if (r)
		return r;

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->gsi = args->gsi;
	INIT_LIST_HEAD(&irqfd->link);
	INIT_WORK(&irqfd->shutdown, irqfd_shutdown);

	file = fget(args->fd);
	if (!file) {
		r = -EBADF;
		goto err_free;
	}
	eventfd = eventfd_ctx_fileget(file);	/* -EINVAL: not an eventfd */
	if (IS_ERR(eventfd)) {
		r = PTR_ERR(eventfd);
		goto err_fput;
	}
	irqfd->eventfd = eventfd;

	if (resample) {
		irqfd->resamplefd = eventfd_ctx_fdget(args->resamplefd);
		if (IS_ERR(irqfd->resamplefd)) {
			r = PTR_ERR(irqfd->resamplefd);
			goto err_put_eventfd;
		}
		r = resampler_attach(irqfd);
		if (r)
			goto err_put_resamplefd;
	}

	init_waitqueue_func_entry(&irqfd->wait, irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, irqfd_queue_proc);

	spin_lock_irq(&vm->irq.irqfds_lock);
	list_for_each_entry(tmp, &vm->irq.irqfds, link) {
		if (tmp->eventfd == eventfd) {
			/* The eventfd raises another GSI already. */
			spin_unlock_irq(&vm->irq.irqfds_lock);
			r = -EBUSY;
			goto err_detach;
		}
	}
	/* Until the eventfd is hooked: a deassign's shutdown waits for it. */
	idx = srcu_read_lock(&vm->irq.srcu);
	list_add_tail(&irqfd->link, &vm->irq.irqfds);
	spin_unlock_irq(&vm->irq.irqfds_lock);

	/* A signal from before the hook counts, as on KVM. */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		irqfd_inject(irqfd);
	srcu_read_unlock(&vm->irq.srcu, idx);

	/* Held until here: the eventfd cannot hang up before it is hooked. */
	fput(file);
	return 0;

err_detach:
	if (resample)
		resampler_detach(irqfd);
err_put_resamplefd:
	if (resample)
		eventfd_ctx_put(irqfd->resamplefd);
err_put_eventfd:
	eventfd_ctx_put(eventfd);
err_fput:
	fput(file);
err_free:
	kfree(irqfd);
	return r;
}

/*
 * KVM's kvm_irqfd_deassign(): every irqfd of that eventfd and GSI goes (none
 * is no error), and none of them injects once this returns.
 */
static int irqfd_deassign(struct mv_vm *vm, const struct kvm_irqfd *args)
{
	struct mv_irqfd *irqfd, *tmp;
	struct workqueue_struct *wq;
	struct eventfd_ctx *eventfd;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	spin_lock_irq(&vm->irq.irqfds_lock);
	list_for_each_entry_safe(irqfd, tmp, &vm->irq.irqfds, link)
		if (irqfd->eventfd == eventfd && irqfd->gsi == args->gsi)
			irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irq.irqfds_lock);
	eventfd_ctx_put(eventfd);

	/* Set before any irqfd was: none to wait for if it is not. */
	wq = READ_ONCE(vm->irq.irqfd_wq);
	if (wq)
		flush_workqueue(wq);
	return 0;
}

int mv_irqfd(struct mv_vm *vm, const struct kvm_irqfd *args)
{
	if (args->flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (args->flags & KVM_IRQFD_FLAG_DEASSIGN)
		return irqfd_deassign(vm, args);
	return irqfd_assign(vm, args);
}

/* --- ioeventfd --- */

/* KVM's ioeventfd_in_range(): is this write the ioeventfd's? */
static bool ioeventfd_matches(const struct mv_ioeventfd *p, u64 addr,
			      unsigned int len, const void *val)
{
	u64 v = 0;

	if (addr != p->addr)
		return false;
	if (!p->len)
		return true;
	if (len != p->len)
		return false;
	if (p->wildcard)
		return true;
	/* len is 1, 2, 4 or 8 here: the value, zero-extended (x86: LE). */
	memcpy(&v, val, len);
	return v == p->datamatch;
}

/* A guest write on the bus (vCPU thread, vm->srcu held). */
static int ioeventfd_write(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			   u64 addr, unsigned int len, const void *val)
{
	struct mv_ioeventfd *p = container_of(dev, struct mv_ioeventfd, dev);

	if (!ioeventfd_matches(p, addr, len, val))
		return -EOPNOTSUPP;
	mv_eventfd_signal(p->eventfd);
	return 0;
}

static const struct mv_io_device_ops ioeventfd_ops = {
	.write = ioeventfd_write,
};

static int ioeventfd_bus(u32 flags)
{
	if (flags & KVM_IOEVENTFD_FLAG_PIO)
		return MV_PIO_BUS;
	if (flags & KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)
		return IOEVENTFD_CCW_BUS;
	return MV_MMIO_BUS;
}

/* Under vm->lock: off its bus and freed. */
static void ioeventfd_free(struct mv_vm *vm, struct mv_ioeventfd *p)
{
	if (p->bus != IOEVENTFD_CCW_BUS)
		mv_io_bus_unregister(vm, p->bus, &p->dev);
	list_del(&p->link);
	eventfd_ctx_put(p->eventfd);
	kfree(p);
}

/*
 * KVM's ioeventfd_check_collision(), under vm->lock: another at the address
 * that would take the same writes (either has no length, or the same length
 * and either takes any value or both the same).
 */
static bool ioeventfd_collides(struct mv_vm *vm, const struct mv_ioeventfd *p)
{
	const struct mv_ioeventfd *q;

	list_for_each_entry(q, &vm->irq.ioeventfds, link)
		if (q->bus == p->bus && q->addr == p->addr &&
		    (!q->len || !p->len ||
		     (q->len == p->len &&
		      (q->wildcard || p->wildcard ||
		       q->datamatch == p->datamatch))))
			return true;
	return false;
}

/* KVM's kvm_assign_ioeventfd(), its checks in its order. */
static int ioeventfd_assign(struct mv_vm *vm, const struct kvm_ioeventfd *args)
{
	struct eventfd_ctx *eventfd;
	struct mv_ioeventfd *p;
	int r;

	/* A natural size, or 0 for any. */
	switch (args->len) {
	case 0:
	case 1:
	case 2:
	case 4:
	case 8:
		break;
	default:
		return -EINVAL;
	}
	if (args->addr + args->len < args->addr)
		return -EINVAL;
	if (args->flags & ~KVM_IOEVENTFD_VALID_FLAG_MASK)
		return -EINVAL;
	/* No length, nothing to match data against. */
	if (!args->len && (args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		r = -ENOMEM;
		goto err_put_eventfd;
	}
	p->eventfd = eventfd;
	p->addr = args->addr;
	p->len = args->len;
	p->bus = ioeventfd_bus(args->flags);
	p->wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	if (!p->wildcard)
		p->datamatch = args->datamatch;
	p->dev.ops = &ioeventfd_ops;

	mutex_lock(&vm->lock);
	if (ioeventfd_collides(vm, p)) {
		r = -EEXIST;
		goto err_unlock;
	}
	if (p->bus != IOEVENTFD_CCW_BUS) {
		r = mv_io_bus_register(vm, p->bus, p->addr, p->len, &p->dev);
		if (r)
			goto err_unlock;
	}
	list_add_tail(&p->link, &vm->irq.ioeventfds);
	mutex_unlock(&vm->lock);
	return 0;

err_unlock:
	mutex_unlock(&vm->lock);
	kfree(p);
err_put_eventfd:
	eventfd_ctx_put(eventfd);
	return r;
}

/*
 * KVM's kvm_deassign_ioeventfd_idx(): the one that matches in every field
 * (bus, eventfd, address, length, datamatch or not and its value), or
 * -ENOENT. Nothing else is checked.
 */
static int ioeventfd_deassign(struct mv_vm *vm,
			      const struct kvm_ioeventfd *args)
{
	bool wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	int bus = ioeventfd_bus(args->flags);
	struct eventfd_ctx *eventfd;
	struct mv_ioeventfd *p;
	int r = -ENOENT;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	mutex_lock(&vm->lock);
	list_for_each_entry(p, &vm->irq.ioeventfds, link) {
		if (p->bus != bus || p->eventfd != eventfd ||
		    p->addr != args->addr || p->len != args->len ||
		    p->wildcard != wildcard ||
		    (!wildcard && p->datamatch != args->datamatch))
			continue;
		ioeventfd_free(vm, p);
		r = 0;
		break;
	}
	mutex_unlock(&vm->lock);
	eventfd_ctx_put(eventfd);
	return r;
}

int mv_ioeventfd(struct mv_vm *vm, const struct kvm_ioeventfd *args)
{
	if (args->flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return ioeventfd_deassign(vm, args);
	return ioeventfd_assign(vm, args);
}

/* --- VM destruction --- */

void mv_eventfd_release(struct mv_vm *vm)
{
	struct mv_ioeventfd *p, *ptmp;
	struct mv_irqfd *irqfd, *tmp;

	spin_lock_irq(&vm->irq.irqfds_lock);
	list_for_each_entry_safe(irqfd, tmp, &vm->irq.irqfds, link)
		irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irq.irqfds_lock);
	/*
	 * Every irqfd is inactive now, so no callback queues a shutdown any
	 * more: this waits for all of them (those of EPOLLHUP and deassign
	 * too), after which none is hooked to an eventfd.
	 */
	if (vm->irq.irqfd_wq) {
		destroy_workqueue(vm->irq.irqfd_wq);
		vm->irq.irqfd_wq = NULL;
	}

	mutex_lock(&vm->lock);
	list_for_each_entry_safe(p, ptmp, &vm->irq.ioeventfds, link)
		ioeventfd_free(vm, p);
	mutex_unlock(&vm->lock);
}
