/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel interrupt controllers and what they share: the per-VM state
 * (struct mv_vm_irq, in struct mv_vm), the interrupt message the IOAPIC and
 * MSIs send to local APICs, and the calls between the devices:
 *
 *   KVM_IRQ_LINE, irqfd, PIT -> routing.c (GSI) -> pic.c / ioapic.c / MSI
 *   ioapic.c, MSI, ICR      -> lapic.c (mv_lapic_deliver) -> vCPU
 *   pic.c INT output        -> irqchip.c (mv_irqchip_pic_changed) -> BSP
 *   LAPIC EOI               -> irqchip.c (mv_irqchip_eoi) -> ioapic.c, or
 *                              KVM_EXIT_IOAPIC_EOI in split mode
 *   PIC/IOAPIC ack          -> routing.c (mv_irq_acked) -> ack notifiers
 *                              (PIT reinjection, irqfd resample)
 *
 * Locking (innermost last): vm->lock (create, routing updates, bus changes)
 * -> pic->lock / ioapic->lock (spinlocks) -> lapic lock (spinlock, IRQs
 * off: the LAPIC timer's hrtimer takes it). A device never calls out of its
 * own lock into a device of an outer level except through the functions
 * below, which document the locks they take. Injection (KVM_IRQ_LINE,
 * irqfd, MSI) never takes vm->lock nor sleeps: readers of the routing table
 * hold vm->irq.srcu.
 */
#ifndef MINIVIRT_IRQ_IRQ_H
#define MINIVIRT_IRQ_IRQ_H

#include <linux/bitops.h>
#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/types.h>

struct mv_ioapic;
struct mv_irq_routing;
struct mv_pic;
struct mv_pit;
struct mv_vcpu;
struct mv_vm;
struct workqueue_struct;

enum mv_irqchip_mode {
	MV_IRQCHIP_NONE,	/* userspace's own (KVM_INTERRUPT) */
	MV_IRQCHIP_KERNEL,	/* KVM_CREATE_IRQCHIP: PIC, IOAPIC, LAPICs */
	MV_IRQCHIP_SPLIT,	/* KVM_CAP_SPLIT_IRQCHIP: LAPICs only */
};

/*
 * Who drives a line: a GSI's level is the OR over its sources (KVM's
 * irq_source_id; KVM_USERSPACE_IRQ_SOURCE_ID and
 * KVM_IRQFD_RESAMPLE_IRQ_SOURCE_ID are 0 and 1 there too).
 */
enum mv_irq_source {
	MV_IRQ_SOURCE_USER,
	MV_IRQ_SOURCE_RESAMPLE,
	MV_IRQ_SOURCE_PIT,
	MV_IRQ_NR_SOURCES,
};

/*
 * A pin's line level from its sources' bits (KVM's __kvm_irq_line_state()):
 * records source's level in *state and returns the OR over all sources.
 * Under the device's lock.
 */
static inline int mv_irq_line_state(unsigned long *state, int source,
				    int level)
{
	if (level)
		__set_bit(source, state);
	else
		__clear_bit(source, state);
	return *state != 0;
}

#define MV_NR_PIC_PINS		16
#define MV_NR_IOAPIC_PINS	24	/* KVM_IOAPIC_NUM_PINS */
#define MV_IOAPIC_BASE		0xfec00000ULL
#define MV_IOAPIC_MMIO_LEN	0x100

/*
 * An interrupt message to local APICs (SDM vol 3A 10.6.1 ICR, 10.11 MSI;
 * the IOAPIC redirection entry's fields). delivery_mode, shorthand: the ICR
 * field values (APIC_DM_* >> 8, APIC_DEST_* >> 18).
 */
struct mv_irq_msg {
	u32 dest;		/* APIC ID, or logical destination; 0xff/~0: all */
	u8 vector;
	u8 delivery_mode;	/* 0 fixed, 1 lowest priority, 2 SMI, 4 NMI, 5 INIT, 6 SIPI, 7 ExtINT */
	u8 shorthand;		/* 0 none, 1 self, 2 all, 3 all but self */
	bool logical;		/* destination mode */
	bool level;		/* trigger mode: level */
	bool assert;		/* level: assert (an INIT de-assert does nothing) */
};

/* Per-VM interrupt state, embedded in struct mv_vm as vm->irq. */
struct mv_vm_irq {
	/*
	 * Set once under vm->lock before the first vCPU (KVM_CREATE_IRQCHIP,
	 * KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)), published with
	 * smp_store_release() after the devices exist; read with
	 * mv_irqchip_mode().
	 */
	int mode;
	struct mv_pic *pic;
	struct mv_ioapic *ioapic;
	struct mv_pit *pit;		/* KVM_CREATE_PIT2, under vm->lock */
	u32 nr_user_ioapic_pins;	/* split mode: KVM_CAP_SPLIT_IRQCHIP's args[0] */
	u32 boot_cpu_id;		/* KVM_SET_BOOT_CPU_ID */
	bool x2apic_format;		/* KVM_X2APIC_API_USE_32BIT_IDS */
	bool x2apic_broadcast_quirk_off; /* KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK */

	/* The GSI routing table (routing.c): readers under srcu. */
	struct srcu_struct srcu;
	struct mv_irq_routing __rcu *routing;
	struct mutex routing_lock;	/* writers, and the ack-notifier list */
	struct hlist_head ack_notifiers; /* RCU list, readers under srcu */

	/* irqfds and ioeventfds (eventfd.c). */
	spinlock_t irqfds_lock;
	struct list_head irqfds;
	struct workqueue_struct *irqfd_wq; /* irqfd shutdowns: made with the first */
	struct list_head resamplers;	/* under vm->lock */
	struct list_head ioeventfds;	/* under vm->lock */
};

static inline int mv_irqchip_mode(const struct mv_vm_irq *irq)
{
	return smp_load_acquire(&irq->mode);
}

/*
 * An ack notifier: called when the guest acknowledges an interrupt of gsi
 * (a PIC EOI or auto-EOI of its pin; an IOAPIC pin's EOI). Runs in the
 * vCPU thread under vm->irq.srcu with no device lock held; may take device
 * locks (the PIT's and irqfd's resample do).
 */
struct mv_irq_ack_notifier {
	struct hlist_node link;
	unsigned int gsi;
	void (*acked)(struct mv_irq_ack_notifier *ian);
};

/* routing.c */
int mv_irq_routing_init(struct mv_vm *vm);	/* KVM's default table */
void mv_irq_routing_free(struct mv_vm *vm);
/*
 * Drives GSI gsi from source to level (1/0) through the routing table (KVM's
 * kvm_set_irq()). Any context (never sleeps; may be called with IRQs off).
 * Returns KVM_IRQ_LINE_STATUS's value: > 0 delivered, 0 masked or coalesced,
 * < 0 nothing routed there.
 */
int mv_irq_set_gsi(struct mv_vm *vm, int source, u32 gsi, int level,
		   bool line_status);
/* An MSI (KVM_SIGNAL_MSI, an MSI routing entry): its message, delivered. */
int mv_irq_set_msi(struct mv_vm *vm, u32 address_lo, u32 address_hi,
		   u32 data);
/* irqchip is KVM_IRQCHIP_PIC_MASTER/SLAVE or KVM_IRQCHIP_IOAPIC. */
void mv_irq_acked(struct mv_vm *vm, unsigned int irqchip, unsigned int pin);
void mv_irq_register_ack_notifier(struct mv_vm *vm,
				  struct mv_irq_ack_notifier *ian);
/* Returns after no caller of ian->acked() can still be running. */
void mv_irq_unregister_ack_notifier(struct mv_vm *vm,
				    struct mv_irq_ack_notifier *ian);

/* irqchip.c */
/* The PIC's INT output may have risen: make the vCPUs taking it look. */
void mv_irqchip_pic_changed(struct mv_vm *vm);
/* A LAPIC EOI (lapic.c, no lapic lock held); level: its TMR bit. */
void mv_irqchip_eoi(struct mv_vcpu *vcpu, u8 vector, bool level);

/* lapic.c: the message to every LAPIC it names; see lapic.h. */
int mv_lapic_deliver(struct mv_vm *vm, struct mv_vcpu *src,
		     const struct mv_irq_msg *msg);

#endif /* MINIVIRT_IRQ_IRQ_H */
