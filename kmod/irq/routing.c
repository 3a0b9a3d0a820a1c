// SPDX-License-Identifier: GPL-2.0-only
/*
 * GSI routing: the table that maps each GSI to the PIC pins, IOAPIC pins and
 * MSIs it drives, with the rules of KVM's virt/kvm/irqchip.c and
 * arch/x86/kvm/irq_comm.c (Linux 6.1):
 *
 * - A table is immutable once published: an array of routes plus, per GSI,
 *   a chain of its routes and, per (irqchip, pin), the GSI routed there.
 *   Writers build a new one, swap the pointer under vm->irq.routing_lock and
 *   free the old one after synchronize_srcu(&vm->irq.srcu); readers
 *   (injection, acks) hold vm->irq.srcu and never sleep or lock.
 * - A GSI drives every route in its chain and the answers merge as
 *   kvm_set_irq() merges them: the sum of those >= 0, or -1 if none is.
 * - MSIs decode per SDM vol 3A 11.11.1 "Message Address Register Format" and
 *   11.11.2 "Message Data Register Format" (Intel SDM, order number
 *   325462-080US, June 2023; 10.11.x in earlier editions, as irq.h cites
 *   them), as kvm_set_msi_irq() decodes them, and go to mv_lapic_deliver().
 * - Hyper-V SynIC (KVM_IRQ_ROUTING_HV_SINT) and Xen event channel routes are
 *   refused (-EINVAL): minivirt offers neither (no KVM_CAP_HYPERV_SYNIC, no
 *   KVM_CAP_XEN_HVM), so no client that checks them creates such routes.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "../vm.h"
#include "ioapic.h"
#include "irq.h"
#include "pic.h"
#include "routing.h"

#define MV_NR_IRQCHIPS		3	/* KVM_IRQCHIP_PIC_MASTER, _SLAVE, _IOAPIC */
#define MV_PIC_CHIP_PINS	8	/* per 8259A */

/* MSI address and data fields (SDM vol 3A 11.11.1, 11.11.2). */
#define MSI_ADDR_DM_LOGICAL	BIT(2)		/* destination mode */
#define MSI_ADDR_RH		BIT(3)		/* redirection hint */
#define MSI_ADDR_DEST_SHIFT	12		/* destination ID, bits 19:12 */
#define MSI_ADDR_DEST_MASK	0xff
/*
 * With KVM_X2APIC_API_USE_32BIT_IDS, address_hi[31:8] carries destination
 * ID bits 31:8 and address_hi[7:0] is reserved (KVM's
 * x86_msi_msg_get_destid(), kvm_msi_route_invalid()); without it address_hi
 * is not read at all.
 */
#define MSI_ADDR_HI_DEST_MASK	0xffffff00U
#define MSI_ADDR_HI_RESERVED	0xffU
#define MSI_DATA_VECTOR_MASK	0xff		/* bits 7:0 */
#define MSI_DATA_DM_SHIFT	8		/* delivery mode, bits 10:8 */
#define MSI_DATA_DM_MASK	0x7
#define MSI_DATA_TRIGGER_LEVEL	BIT(15)		/* trigger mode */

#define MV_APIC_DM_FIXED	0
#define MV_APIC_DM_LOWEST	1

struct mv_irq_route {
	struct hlist_node link;		/* in map[gsi] */
	u32 type;			/* KVM_IRQ_ROUTING_IRQCHIP or _MSI */
	union {
		struct {
			u32 irqchip;	/* KVM_IRQCHIP_* */
			u32 pin;	/* PIC 0-15 (slave 8-15), IOAPIC 0-23 */
		} irqchip;
		struct {
			u32 address_lo;
			u32 address_hi;
			u32 data;
		} msi;
	};
};

struct mv_irq_routing {
	/*
	 * The GSI routed to each (irqchip, pin), -1 if none; when several are,
	 * the last in the table's order (KVM's rt->chip[][]). The PIC slave's
	 * pins are 8-15 here, as in the PIC's own numbering.
	 */
	int chip[MV_NR_IRQCHIPS][MV_NR_IOAPIC_PINS];
	struct mv_irq_route *routes;	/* in the order userspace gave them */
	u32 nr_gsis;			/* highest GSI + 1 */
	struct hlist_head map[];	/* the routes of each GSI */
};

static void mv_irq_routing_free_table(struct mv_irq_routing *rt)
{
	if (!rt)
		return;
	kvfree(rt->routes);
	kvfree(rt);
}

static struct mv_irq_routing *mv_irq_routing_alloc(u32 nr_gsis, u32 nr)
{
	struct mv_irq_routing *rt;
	unsigned int i, j;

	rt = kvzalloc(struct_size(rt, map, nr_gsis), GFP_KERNEL_ACCOUNT);
	if (!rt)
		return NULL;
	if (nr) {
		rt->routes = kvcalloc(nr, sizeof(*rt->routes),
				      GFP_KERNEL_ACCOUNT);
		if (!rt->routes) {
			kvfree(rt);
			return NULL;
		}
	}
	rt->nr_gsis = nr_gsis;
	for (i = 0; i < MV_NR_IRQCHIPS; i++)
		for (j = 0; j < MV_NR_IOAPIC_PINS; j++)
			rt->chip[i][j] = -1;
	return rt;
}

/*
 * KVM's x86 kvm_set_routing_entry(): an IRQCHIP route names a PIC pin (0-7
 * of either chip) or an IOAPIC pin (0-23), and exists only while the PIC and
 * IOAPIC are in the kernel (not in split mode); an MSI route's address_hi
 * must leave bits 7:0 clear when they are reserved.
 */
static int mv_irq_route_decode(struct mv_vm *vm, struct mv_irq_route *e,
			       const struct kvm_irq_routing_entry *ue)
{
	switch (ue->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (mv_irqchip_mode(&vm->irq) == MV_IRQCHIP_SPLIT)
			return -EINVAL;
		e->irqchip.pin = ue->u.irqchip.pin;
		switch (ue->u.irqchip.irqchip) {
		case KVM_IRQCHIP_PIC_SLAVE:
			e->irqchip.pin += MV_PIC_CHIP_PINS;
			fallthrough;
		case KVM_IRQCHIP_PIC_MASTER:
			if (ue->u.irqchip.pin >= MV_PIC_CHIP_PINS)
				return -EINVAL;
			break;
		case KVM_IRQCHIP_IOAPIC:
			if (ue->u.irqchip.pin >= MV_NR_IOAPIC_PINS)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		e->irqchip.irqchip = ue->u.irqchip.irqchip;
		break;
	case KVM_IRQ_ROUTING_MSI:
		e->msi.address_lo = ue->u.msi.address_lo;
		e->msi.address_hi = ue->u.msi.address_hi;
		e->msi.data = ue->u.msi.data;
		if (READ_ONCE(vm->irq.x2apic_format) &&
		    (e->msi.address_hi & MSI_ADDR_HI_RESERVED))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	e->type = ue->type;
	return 0;
}

/*
 * KVM's setup_routing_entry() with kvm_set_irq_routing()'s flag check before
 * it: MSI routes may carry KVM_MSI_VALID_DEVID (x86 ignores the device ID),
 * others no flag. A GSI may reach each irqchip once, and an MSI only alone.
 */
static int mv_irq_route_add(struct mv_vm *vm, struct mv_irq_routing *rt,
			    struct mv_irq_route *e,
			    const struct kvm_irq_routing_entry *ue)
{
	u32 gsi = array_index_nospec(ue->gsi, rt->nr_gsis);
	const struct mv_irq_route *ei;
	int r;

	if (ue->flags & ~(ue->type == KVM_IRQ_ROUTING_MSI ?
			  KVM_MSI_VALID_DEVID : 0))
		return -EINVAL;
	hlist_for_each_entry(ei, &rt->map[gsi], link)
		if (ei->type != KVM_IRQ_ROUTING_IRQCHIP ||
		    ue->type != KVM_IRQ_ROUTING_IRQCHIP ||
		    ue->u.irqchip.irqchip == ei->irqchip.irqchip)
			return -EINVAL;

	r = mv_irq_route_decode(vm, e, ue);
	if (r)
		return r;
	if (e->type == KVM_IRQ_ROUTING_IRQCHIP)
		rt->chip[e->irqchip.irqchip][e->irqchip.pin] = gsi;
	hlist_add_head(&e->link, &rt->map[gsi]);
	return 0;
}

/* A table of nr entries, or NULL and *r set. */
static struct mv_irq_routing *
mv_irq_routing_build(struct mv_vm *vm, const struct kvm_irq_routing_entry *ue,
		     u32 nr, int *r)
{
	struct mv_irq_routing *rt;
	u32 i, max_gsi = 0;

	/* Every GSI is checked before any entry is (kvm_set_irq_routing()). */
	for (i = 0; i < nr; i++) {
		if (ue[i].gsi >= MV_MAX_IRQ_ROUTES) {
			*r = -EINVAL;
			return NULL;
		}
		max_gsi = max(max_gsi, ue[i].gsi);
	}
	rt = mv_irq_routing_alloc(max_gsi + 1, nr);
	if (!rt) {
		*r = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < nr; i++) {
		*r = mv_irq_route_add(vm, rt, &rt->routes[i], &ue[i]);
		if (*r) {
			mv_irq_routing_free_table(rt);
			return NULL;
		}
	}
	return rt;
}

int mv_irq_update_routing(struct mv_vm *vm,
			  const struct kvm_irq_routing_entry *ue, u32 nr)
{
	struct mv_irq_routing *new, *old;
	int r;

	new = mv_irq_routing_build(vm, ue, nr, &r);
	if (!new)
		return r;

	mutex_lock(&vm->irq.routing_lock);
	old = rcu_dereference_protected(vm->irq.routing,
					lockdep_is_held(&vm->irq.routing_lock));
	rcu_assign_pointer(vm->irq.routing, new);
	mutex_unlock(&vm->irq.routing_lock);

	/* Expedited, as KVM: VMMs rewrite the table at every MSI-X change. */
	synchronize_srcu_expedited(&vm->irq.srcu);
	mv_irq_routing_free_table(old);
	return 0;
}

#define MV_ROUTE_IOAPIC(irq)						\
	{ .gsi = (irq), .type = KVM_IRQ_ROUTING_IRQCHIP,		\
	  .u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = (irq) } }
#define MV_ROUTE_PIC(irq)						\
	{ .gsi = (irq), .type = KVM_IRQ_ROUTING_IRQCHIP,		\
	  .u.irqchip = { .irqchip = (irq) < 8 ? KVM_IRQCHIP_PIC_MASTER :	\
					      KVM_IRQCHIP_PIC_SLAVE,	\
			 .pin = (irq) % 8 } }
#define MV_ROUTE_BOTH(irq)	MV_ROUTE_IOAPIC(irq), MV_ROUTE_PIC(irq)

/*
 * KVM's default_routing[] (irq_comm.c): GSIs 0-15 to the PIC pin and the
 * IOAPIC pin of the same number, 16-23 to the IOAPIC alone.
 */
static const struct kvm_irq_routing_entry mv_default_routing[] = {
	MV_ROUTE_BOTH(0), MV_ROUTE_BOTH(1), MV_ROUTE_BOTH(2),
	MV_ROUTE_BOTH(3), MV_ROUTE_BOTH(4), MV_ROUTE_BOTH(5),
	MV_ROUTE_BOTH(6), MV_ROUTE_BOTH(7), MV_ROUTE_BOTH(8),
	MV_ROUTE_BOTH(9), MV_ROUTE_BOTH(10), MV_ROUTE_BOTH(11),
	MV_ROUTE_BOTH(12), MV_ROUTE_BOTH(13), MV_ROUTE_BOTH(14),
	MV_ROUTE_BOTH(15), MV_ROUTE_IOAPIC(16), MV_ROUTE_IOAPIC(17),
	MV_ROUTE_IOAPIC(18), MV_ROUTE_IOAPIC(19), MV_ROUTE_IOAPIC(20),
	MV_ROUTE_IOAPIC(21), MV_ROUTE_IOAPIC(22), MV_ROUTE_IOAPIC(23),
};

/*
 * Under vm->lock, before the irqchip mode is published: the first table
 * (the SRCU domain, the lock and the ack-notifier list exist from the VM's
 * creation, vm.c). That is KVM's default
 * table when the PIC and IOAPIC exist (KVM_CREATE_IRQCHIP creates them
 * first, kvm_setup_default_irq_routing()), else the empty one (split mode,
 * kvm_setup_empty_irq_routing()): no route ever names a device that is not
 * there.
 */
int mv_irq_routing_init(struct mv_vm *vm)
{
	struct mv_irq_routing *rt;
	bool devices = vm->irq.pic && vm->irq.ioapic;
	int r;

	rt = mv_irq_routing_build(vm, devices ? mv_default_routing : NULL,
				  devices ? ARRAY_SIZE(mv_default_routing) : 0,
				  &r);
	if (!rt)
		return r;
	rcu_assign_pointer(vm->irq.routing, rt);
	return 0;
}

/*
 * At VM destruction, after every ack notifier is unregistered. A VM that
 * never had an irqchip has no table and nothing to free.
 */
void mv_irq_routing_free(struct mv_vm *vm)
{
	struct mv_irq_routing *rt = rcu_dereference_protected(vm->irq.routing, 1);

	if (!rt)
		return;
	WARN_ON_ONCE(!hlist_empty(&vm->irq.ack_notifiers));
	RCU_INIT_POINTER(vm->irq.routing, NULL);
	mv_irq_routing_free_table(rt);
}

/*
 * An MSI to the LAPICs, decoded as KVM's kvm_set_msi_irq() (SDM vol 3A
 * 11.11.1, 11.11.2):
 * - destination ID: address bits 19:12, or'ed with address_hi bits 31:8
 *   under 32-bit x2APIC IDs; destination mode: address bit 2;
 * - the redirection hint (address bit 3) limits delivery to the lowest-
 *   priority processor among the destinations, so a fixed MSI with it set
 *   goes as lowest priority (KVM's kvm_lowest_prio_delivery());
 * - vector: data bits 7:0, delivery mode: bits 10:8, trigger mode: bit 15.
 *   An MSI is always an assertion: KVM sets level 1 and reads neither the
 *   level bit (14) nor the base address bits (31:20).
 */
int mv_irq_set_msi(struct mv_vm *vm, u32 address_lo, u32 address_hi,
		   u32 data)
{
	bool x2apic_format = READ_ONCE(vm->irq.x2apic_format);
	struct mv_irq_msg msg = {};

	/* kvm_msi_route_invalid() */
	if (x2apic_format && (address_hi & MSI_ADDR_HI_RESERVED))
		return -EINVAL;

	msg.dest = (address_lo >> MSI_ADDR_DEST_SHIFT) & MSI_ADDR_DEST_MASK;
	if (x2apic_format)
		msg.dest |= address_hi & MSI_ADDR_HI_DEST_MASK;
	msg.logical = address_lo & MSI_ADDR_DM_LOGICAL;
	msg.vector = data & MSI_DATA_VECTOR_MASK;
	msg.delivery_mode = (data >> MSI_DATA_DM_SHIFT) & MSI_DATA_DM_MASK;
	if ((address_lo & MSI_ADDR_RH) &&
	    msg.delivery_mode == MV_APIC_DM_FIXED)
		msg.delivery_mode = MV_APIC_DM_LOWEST;
	msg.level = data & MSI_DATA_TRIGGER_LEVEL;
	msg.assert = true;
	msg.shorthand = 0;
	return mv_lapic_deliver(vm, NULL, &msg);
}

/* One route of a GSI: KVM's e->set() (kvm_set_pic_irq() and the others). */
static int mv_irq_route_set(struct mv_vm *vm, const struct mv_irq_route *e,
			    int source, int level, bool line_status)
{
	switch (e->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (e->irqchip.irqchip == KVM_IRQCHIP_IOAPIC)
			return mv_ioapic_set_irq(vm->irq.ioapic, e->irqchip.pin,
						 source, level, line_status);
		return mv_pic_set_irq(vm->irq.pic, e->irqchip.pin, source,
				      level);
	case KVM_IRQ_ROUTING_MSI:
		/* kvm_set_msi(): a falling line sends no message. */
		if (!level)
			return -1;
		return mv_irq_set_msi(vm, e->msi.address_lo, e->msi.address_hi,
				      e->msi.data);
	default:
		return -1;
	}
}

/*
 * KVM's kvm_set_irq(): the level goes to every route of the GSI (the guest
 * may use the PIC or the IOAPIC; the one it does not use ignores it).
 * Returns the sum of the routes' answers that are >= 0, or -1 if there are
 * none (no route, or all masked or refused).
 */
int mv_irq_set_gsi(struct mv_vm *vm, int source, u32 gsi, int level,
		   bool line_status)
{
	const struct mv_irq_routing *rt;
	const struct mv_irq_route *e;
	int ret = -1, r, idx;

	idx = srcu_read_lock(&vm->irq.srcu);
	rt = srcu_dereference(vm->irq.routing, &vm->irq.srcu);
	if (rt && gsi < rt->nr_gsis) {
		gsi = array_index_nospec(gsi, rt->nr_gsis);
		hlist_for_each_entry(e, &rt->map[gsi], link) {
			r = mv_irq_route_set(vm, e, source, level, line_status);
			if (r < 0)
				continue;
			ret = r + max(ret, 0);
		}
	}
	srcu_read_unlock(&vm->irq.srcu, idx);
	return ret;
}

/*
 * KVM's kvm_scan_ioapic_routes(), asked at the EOI instead of cached per
 * vCPU: in split mode, is vector that of a level-triggered MSI route of one
 * of the pins of userspace's IOAPIC (GSIs below KVM_CAP_SPLIT_IRQCHIP's
 * args[0])? Then the EOI exits as KVM_EXIT_IOAPIC_EOI, so that the IOAPIC
 * in userspace clears the pin's remote IRR. KVM also requires that the
 * route's destination names the vCPU; a vCPU EOIs only what it was sent, so
 * here the vector decides alone.
 */
bool mv_irq_split_eoi_vector(struct mv_vm *vm, u8 vector)
{
	const struct mv_irq_routing *rt;
	const struct mv_irq_route *e;
	bool found = false;
	u32 gsi, nr;
	int idx;

	idx = srcu_read_lock(&vm->irq.srcu);
	rt = srcu_dereference(vm->irq.routing, &vm->irq.srcu);
	nr = rt ? min(rt->nr_gsis, READ_ONCE(vm->irq.nr_user_ioapic_pins)) : 0;
	for (gsi = 0; gsi < nr && !found; gsi++)
		hlist_for_each_entry(e, &rt->map[gsi], link)
			if (e->type == KVM_IRQ_ROUTING_MSI &&
			    (e->msi.data & MSI_DATA_TRIGGER_LEVEL) &&
			    (e->msi.data & MSI_DATA_VECTOR_MASK) == vector)
				found = true;
	srcu_read_unlock(&vm->irq.srcu, idx);
	return found;
}

/*
 * KVM's kvm_notify_acked_irq(): the guest acknowledged (irqchip, pin); the
 * notifiers of the GSI routed there run. PIC pins are numbered 0-15 across
 * both chips, as the PIC calls it (KVM's SELECT_PIC(irq), irq); a slave pin
 * given as 0-7 is taken as 8-15.
 */
void mv_irq_acked(struct mv_vm *vm, unsigned int irqchip, unsigned int pin)
{
	const struct mv_irq_routing *rt;
	struct mv_irq_ack_notifier *ian;
	int gsi = -1, idx;

	if (irqchip == KVM_IRQCHIP_PIC_SLAVE && pin < MV_PIC_CHIP_PINS)
		pin += MV_PIC_CHIP_PINS;
	if (WARN_ON_ONCE(irqchip >= MV_NR_IRQCHIPS ||
			 pin >= MV_NR_IOAPIC_PINS))
		return;

	idx = srcu_read_lock(&vm->irq.srcu);
	rt = srcu_dereference(vm->irq.routing, &vm->irq.srcu);
	if (rt)
		gsi = rt->chip[irqchip][pin];
	if (gsi != -1)
		hlist_for_each_entry_srcu(ian, &vm->irq.ack_notifiers, link,
					  srcu_read_lock_held(&vm->irq.srcu))
			if (ian->gsi == gsi)
				ian->acked(ian);
	srcu_read_unlock(&vm->irq.srcu, idx);
}

/* KVM's kvm_register_irq_ack_notifier(). */
void mv_irq_register_ack_notifier(struct mv_vm *vm,
				  struct mv_irq_ack_notifier *ian)
{
	mutex_lock(&vm->irq.routing_lock);
	hlist_add_head_rcu(&ian->link, &vm->irq.ack_notifiers);
	mutex_unlock(&vm->irq.routing_lock);
}

/* KVM's kvm_unregister_irq_ack_notifier(): no reader still sees ian after. */
void mv_irq_unregister_ack_notifier(struct mv_vm *vm,
				    struct mv_irq_ack_notifier *ian)
{
	mutex_lock(&vm->irq.routing_lock);
	hlist_del_init_rcu(&ian->link);
	mutex_unlock(&vm->irq.routing_lock);
	synchronize_srcu(&vm->irq.srcu);
}
