// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O APIC at 0xfec00000: 24 pins, version 0x11, as KVM's
 * arch/x86/kvm/ioapic.c emulates it (Linux 6.1; 6.12 differs only when an
 * irqfd resampler serves a level pin being unmasked, see
 * ioapic_write_rte()).
 *
 * Manuals: "82093AA I/O Advanced Programmable Interrupt Controller
 * (IOAPIC)", Intel order number 290566-001 ("82093AA" below); SDM vol 3A
 * chapter 10 "Advanced Programmable Interrupt Controller (APIC)", order
 * number 325462 ("SDM").
 *
 * Not done here, as in KVM's terms: the RTC pin's (8) coalescing report,
 * which needs the LAPICs to say who got pin 8's vector and when they EOI an
 * edge vector (mv_lapic_deliver() has no destination map); mask notifiers.
 *
 * The registers are KVM's struct kvm_ioapic_state, which KVM_GET/SET_IRQCHIP
 * copy whole (base_address, id, ioregsel and pad verbatim).
 *
 * Locking: ioapic->lock, a spinlock taken with IRQs saved; interrupts go to
 * the LAPICs with it held (their locks are inner). Ack notifiers may drive
 * pins again: the lock is dropped around mv_irq_acked(), as KVM does.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "../iobus.h"
#include "../vm.h"
#include "ioapic.h"
#include "irq.h"

/* Memory-mapped registers (82093AA 3.1 "Memory Mapped Registers"). */
#define IOAPIC_REG_SELECT	0x00	/* IOREGSEL */
#define IOAPIC_REG_WINDOW	0x10	/* IOWIN */

/* IOREGSEL's indices (82093AA 3.2 "IOAPIC Registers"). */
#define IOAPIC_ID		0x00
#define IOAPIC_VER		0x01
#define IOAPIC_ARB		0x02
#define IOAPIC_REDTBL		0x10	/* two per pin: low, high dword */

/* IOAPICVER: maximum redirection entry (23), version 0x11 (82093AA 3.2.2). */
#define IOAPIC_VERSION		0x11
#define IOAPIC_VER_VALUE	((MV_NR_IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION)
/* IOAPICID and IOAPICARB: the ID in bits 27:24 (82093AA 3.2.1, 3.2.3). */
#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		0xf

/* A redirection table entry (82093AA 3.2.4 "IOREDTBL[23:0]"). */
#define RTE_VECTOR		GENMASK_ULL(7, 0)
#define RTE_DELIVERY_MODE	GENMASK_ULL(10, 8)
#define RTE_DEST_LOGICAL	BIT_ULL(11)
#define RTE_DELIVERY_STATUS	BIT_ULL(12)	/* read-only */
#define RTE_POLARITY		BIT_ULL(13)
#define RTE_REMOTE_IRR		BIT_ULL(14)	/* read-only */
#define RTE_LEVEL		BIT_ULL(15)
#define RTE_MASKED		BIT_ULL(16)
#define RTE_DEST		GENMASK_ULL(63, 56)

/*
 * EOIs in a row that find a level line still high before the next delivery
 * waits a little (KVM's IOAPIC_SUCCESSIVE_IRQ_MAX_COUNT and HZ / 100): a
 * guest that never quiets its device still makes progress.
 */
#define IOAPIC_EOI_STORM	10000
#define IOAPIC_EOI_STORM_DELAY	(HZ / 100)

struct mv_ioapic {
	spinlock_t lock;		/* everything below but vm, dev */
	unsigned long lock_flags;	/* the holder's saved IRQ state */
	struct mv_vm *vm;
	/*
	 * base_address, ioregsel, id, pad and the redirection table as
	 * KVM_SET_IRQCHIP left them; irr: the pins whose line is high (level)
	 * or whose rising edge is latched (edge).
	 */
	struct kvm_ioapic_state s;
	u32 irr_delivered;		/* edge pins whose latched edge went out */
	u32 irq_eoi[MV_NR_IOAPIC_PINS];	/* EOIs in a row with the line high */
	/* KVM's irq_states: per pin, a bit per enum mv_irq_source driving it. */
	unsigned long irq_states[MV_NR_IOAPIC_PINS];
	struct delayed_work eoi_inject;
	struct mv_io_device dev;
	/*
	 * The vectors some pin holds, rebuilt under the lock at each table
	 * change and read without it: a LAPIC EOI of any other vector (timer,
	 * IPIs) skips the IOAPIC (KVM's ioapic_handled_vectors).
	 */
	DECLARE_BITMAP(vectors, 256);
};

static void ioapic_lock(struct mv_ioapic *ioapic)
	__acquires(&ioapic->lock)
{
	unsigned long flags;

	spin_lock_irqsave(&ioapic->lock, flags);
	ioapic->lock_flags = flags;
}

static void ioapic_unlock(struct mv_ioapic *ioapic)
	__releases(&ioapic->lock)
{
	spin_unlock_irqrestore(&ioapic->lock, ioapic->lock_flags);
}

static u64 *ioapic_rte(struct mv_ioapic *ioapic, unsigned int pin)
{
	return &ioapic->s.redirtbl[pin].bits;
}

/*
 * Sends pin's interrupt to the LAPICs its entry names (SDM 10.6.1 message
 * fields; the 82093AA sends them on the APIC bus): not while masked, nor
 * while a level interrupt awaits its EOI (remote IRR, 82093AA 3.2.4). KVM's
 * return value: -1 held back, else what the LAPICs took; a level interrupt
 * sent sets remote IRR (KVM sets it even when no LAPIC matched: -1).
 */
static int ioapic_service(struct mv_ioapic *ioapic, unsigned int pin)
{
	u64 *rte = ioapic_rte(ioapic, pin);
	bool level = *rte & RTE_LEVEL;
	struct mv_irq_msg msg = {
		.dest = FIELD_GET(RTE_DEST, *rte),
		.vector = FIELD_GET(RTE_VECTOR, *rte),
		.delivery_mode = FIELD_GET(RTE_DELIVERY_MODE, *rte),
		.shorthand = 0,
		.logical = *rte & RTE_DEST_LOGICAL,
		.level = level,
		.assert = true,
	};
	int ret;

	if ((*rte & RTE_MASKED) || (level && (*rte & RTE_REMOTE_IRR)))
		return -1;
	if (!level)
		ioapic->irr_delivered |= BIT(pin);
	ret = mv_lapic_deliver(ioapic->vm, NULL, &msg);
	if (ret && level)
		*rte |= RTE_REMOTE_IRR;
	return ret;
}

/*
 * pin's line goes to level (KVM's ioapic_set_irq()): an edge pin sends on
 * the rising edge only, 0 when the edge is still latched (coalesced); a
 * level pin sends while high (82093AA 3.2.4 "Trigger Mode"). A low line
 * returns 1.
 */
static int ioapic_set_irq(struct mv_ioapic *ioapic, unsigned int pin,
			  int level)
{
	u32 mask = BIT(pin), old_irr = ioapic->s.irr;

	if (!level) {
		ioapic->s.irr &= ~mask;
		return 1;
	}
	ioapic->s.irr |= mask;
	if (!(*ioapic_rte(ioapic, pin) & RTE_LEVEL)) {
		ioapic->irr_delivered &= ~mask;
		if (old_irr == ioapic->s.irr)
			return 0;
	}
	return ioapic_service(ioapic, pin);
}

int mv_ioapic_set_irq(struct mv_ioapic *ioapic, unsigned int pin, int source,
		      int level, bool line_status)
{
	int line, ret;

	if (WARN_ON_ONCE(pin >= MV_NR_IOAPIC_PINS || source < 0 ||
			 source >= MV_IRQ_NR_SOURCES))
		return -1;

	/* line_status only changes the RTC pin's answer in KVM: not done. */
	ioapic_lock(ioapic);
	line = mv_irq_line_state(&ioapic->irq_states[pin], source, level);
	ret = ioapic_set_irq(ioapic, pin, line);
	ioapic_unlock(ioapic);
	return ret;
}

/*
 * A level pin's EOI (KVM's kvm_ioapic_update_eoi_one() for a vector with
 * the TMR set): the ack notifiers first, with the lock dropped, then remote
 * IRR clears and a line still high sends again (82093AA 3.2.4 "Remote
 * IRR": cleared "when an EOI message with a matching interrupt vector is
 * received"). The LAPIC's directed-EOI mode, which KVM checks, cannot be on:
 * neither KVM nor minivirt offers it beside an in-kernel IOAPIC.
 */
static void ioapic_eoi_pin(struct mv_ioapic *ioapic, unsigned int pin,
			   bool level)
	__must_hold(&ioapic->lock)
{
	u64 *rte = ioapic_rte(ioapic, pin);

	ioapic_unlock(ioapic);
	mv_irq_acked(ioapic->vm, KVM_IRQCHIP_IOAPIC, pin);
	ioapic_lock(ioapic);
	/* An edge vector's EOI only acks (the PIT's reinjection counts it). */
	if (!level)
		return;

	*rte &= ~RTE_REMOTE_IRR;
	if ((*rte & RTE_MASKED) || !(ioapic->s.irr & BIT(pin))) {
		ioapic->irq_eoi[pin] = 0;
		return;
	}
	if (++ioapic->irq_eoi[pin] == IOAPIC_EOI_STORM) {
		ioapic->irq_eoi[pin] = 0;
		schedule_delayed_work(&ioapic->eoi_inject,
				      IOAPIC_EOI_STORM_DELAY);
		return;
	}
	ioapic_service(ioapic, pin);
}

void mv_ioapic_eoi(struct mv_ioapic *ioapic, u8 vector, bool level)
{
	unsigned int pin;

	if (!test_bit(vector, ioapic->vectors))
		return;
	ioapic_lock(ioapic);
	for (pin = 0; pin < MV_NR_IOAPIC_PINS; pin++)
		if (FIELD_GET(RTE_VECTOR, *ioapic_rte(ioapic, pin)) == vector)
			ioapic_eoi_pin(ioapic, pin, level);
	ioapic_unlock(ioapic);
}

/*
 * ioapic->vectors from the table, after each change (under the lock, or
 * before the IOAPIC is published). Word by word, so that a vector in the
 * old and the new table never reads as absent to a concurrent EOI.
 */
static void ioapic_scan_vectors(struct mv_ioapic *ioapic)
{
	DECLARE_BITMAP(v, 256);
	unsigned int pin, i;

	bitmap_zero(v, 256);
	for (pin = 0; pin < MV_NR_IOAPIC_PINS; pin++)
		__set_bit(FIELD_GET(RTE_VECTOR, *ioapic_rte(ioapic, pin)), v);
	for (i = 0; i < BITS_TO_LONGS(256); i++)
		WRITE_ONCE(ioapic->vectors[i], v[i]);
}

/* After an EOI storm: the level pins still high and not awaiting an EOI. */
static void ioapic_eoi_inject_work(struct work_struct *work)
{
	struct mv_ioapic *ioapic = container_of(work, struct mv_ioapic,
						eoi_inject.work);
	unsigned int pin;
	u64 rte;

	ioapic_lock(ioapic);
	for (pin = 0; pin < MV_NR_IOAPIC_PINS; pin++) {
		rte = *ioapic_rte(ioapic, pin);
		if ((rte & RTE_LEVEL) && !(rte & RTE_REMOTE_IRR) &&
		    (ioapic->s.irr & BIT(pin)))
			ioapic_service(ioapic, pin);
	}
	ioapic_unlock(ioapic);
}

/* IOWIN read: the register IOREGSEL selects (82093AA 3.2). */
static u32 ioapic_read_indirect(struct mv_ioapic *ioapic)
{
	u32 sel = ioapic->s.ioregsel, index;
	u64 rte = ~0ULL;	/* beyond the table: all ones, as KVM */

	switch (sel) {
	case IOAPIC_VER:
		return IOAPIC_VER_VALUE;
	case IOAPIC_ID:
	case IOAPIC_ARB:
		/* KVM's arbitration ID reads as the ID (82093AA 3.2.3). */
		return (ioapic->s.id & IOAPIC_ID_MASK) << IOAPIC_ID_SHIFT;
	default:
		index = (sel - IOAPIC_REDTBL) / 2;
		if (index < MV_NR_IOAPIC_PINS)
			rte = *ioapic_rte(ioapic,
					  array_index_nospec(index, MV_NR_IOAPIC_PINS));
		return sel & 1 ? rte >> 32 : (u32)rte;
	}
}

/*
 * A write to one half of pin's entry. Delivery status and remote IRR are
 * read-only and kept; every other bit is stored, reserved ones too (KVM).
 * An entry made edge-triggered drops remote IRR: Linux and Xen count on it
 * to end a level interrupt on IOAPICs without an EOI register (as this
 * version 0x11 one). A level pin high and free to send sends now (unmasked,
 * say): Linux 6.12 instead hands it to the pin's irqfd resampler if there
 * is one (an interface irq.h does not have), and sends only without one.
 */
static void ioapic_write_rte(struct mv_ioapic *ioapic, unsigned int pin,
			     bool high, u32 val)
{
	u64 *rte = ioapic_rte(ioapic, pin);
	u64 kept = *rte & (RTE_REMOTE_IRR | RTE_DELIVERY_STATUS);

	if (high)
		*rte = (*rte & 0xffffffffULL) | (u64)val << 32;
	else
		*rte = (*rte & ~0xffffffffULL) | val;
	*rte = (*rte & ~(RTE_REMOTE_IRR | RTE_DELIVERY_STATUS)) | kept;
	if (!(*rte & RTE_LEVEL))
		*rte &= ~RTE_REMOTE_IRR;
	ioapic_scan_vectors(ioapic);
	if ((*rte & RTE_LEVEL) && (ioapic->s.irr & BIT(pin)))
		ioapic_service(ioapic, pin);
}

/* IOWIN write (82093AA 3.2): the version and arbitration ID are read-only. */
static void ioapic_write_indirect(struct mv_ioapic *ioapic, u32 val)
{
	u32 sel = ioapic->s.ioregsel, index;

	switch (sel) {
	case IOAPIC_VER:
	case IOAPIC_ARB:
		break;
	case IOAPIC_ID:
		ioapic->s.id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
		break;
	default:
		index = (sel - IOAPIC_REDTBL) / 2;
		if (index >= MV_NR_IOAPIC_PINS)
			break;
		ioapic_write_rte(ioapic,
				 array_index_nospec(index, MV_NR_IOAPIC_PINS),
				 sel & 1, val);
		break;
	}
}

static bool ioapic_in_range(struct mv_ioapic *ioapic, u64 addr)
{
	/* KVM_SET_IRQCHIP may move base_address: KVM then stops answering. */
	return addr - ioapic->s.base_address < MV_IOAPIC_MMIO_LEN;
}

/*
 * IOREGSEL at 0x00 and IOWIN at 0x10, as 32-bit registers (82093AA 3.1).
 * Other sizes as KVM: a narrower read returns the low bytes, an 8-byte one
 * the register zero-extended; anything else in the page, unaligned offsets
 * too, reads 0. The EOI register at 0x40 came with version 0x20: not here.
 */
static int ioapic_mmio_read(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			    u64 addr, unsigned int len, void *val)
{
	struct mv_ioapic *ioapic = container_of(dev, struct mv_ioapic, dev);
	u64 result = 0;

	ioapic_lock(ioapic);
	if (!ioapic_in_range(ioapic, addr)) {
		ioapic_unlock(ioapic);
		return -EOPNOTSUPP;
	}
	switch (addr & 0xff) {
	case IOAPIC_REG_SELECT:
		result = ioapic->s.ioregsel;
		break;
	case IOAPIC_REG_WINDOW:
		result = ioapic_read_indirect(ioapic);
		break;
	}
	ioapic_unlock(ioapic);

	memset(val, 0, len);
	switch (len) {
	case 1:
	case 2:
	case 4:
	case 8:
		memcpy(val, &result, len);
		break;
	}
	return 0;
}

/*
 * Writes of 1, 2, 4 or 8 bytes write the register with the low bytes
 * (zero-extended, at most 32 bits); other lengths and other offsets, the
 * EOI register's 0x40 among them, are dropped (KVM).
 */
static int ioapic_mmio_write(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			     u64 addr, unsigned int len, const void *val)
{
	struct mv_ioapic *ioapic = container_of(dev, struct mv_ioapic, dev);
	u32 data = 0;

	ioapic_lock(ioapic);
	if (!ioapic_in_range(ioapic, addr)) {
		ioapic_unlock(ioapic);
		return -EOPNOTSUPP;
	}
	switch (len) {
	case 1:
	case 2:
	case 4:
	case 8:
		memcpy(&data, val, min(len, 4U));
		break;
	default:
		ioapic_unlock(ioapic);
		return 0;
	}
	switch (addr & 0xff) {
	case IOAPIC_REG_SELECT:
		ioapic->s.ioregsel = data & 0xff;	/* an 8-bit register */
		break;
	case IOAPIC_REG_WINDOW:
		ioapic_write_indirect(ioapic, data);
		break;
	}
	ioapic_unlock(ioapic);
	return 0;
}

static const struct mv_io_device_ops ioapic_mmio_ops = {
	.read = ioapic_mmio_read,
	.write = ioapic_mmio_write,
};

/* Power-up (82093AA 3.2.4: every pin masked), KVM's kvm_ioapic_reset(). */
static void ioapic_reset(struct mv_ioapic *ioapic)
{
	unsigned int pin;

	memset(&ioapic->s, 0, sizeof(ioapic->s));
	ioapic->s.base_address = MV_IOAPIC_BASE;
	for (pin = 0; pin < MV_NR_IOAPIC_PINS; pin++)
		*ioapic_rte(ioapic, pin) = RTE_MASKED;
	ioapic_scan_vectors(ioapic);
	ioapic->irr_delivered = 0;
	memset(ioapic->irq_eoi, 0, sizeof(ioapic->irq_eoi));
}

int mv_ioapic_create(struct mv_vm *vm)
{
	struct mv_ioapic *ioapic;
	int ret;

	ioapic = kzalloc(sizeof(*ioapic), GFP_KERNEL_ACCOUNT);
	if (!ioapic)
		return -ENOMEM;
	spin_lock_init(&ioapic->lock);
	INIT_DELAYED_WORK(&ioapic->eoi_inject, ioapic_eoi_inject_work);
	ioapic->vm = vm;
	ioapic_reset(ioapic);
	ioapic->dev.ops = &ioapic_mmio_ops;

	ret = mv_io_bus_register(vm, MV_MMIO_BUS, MV_IOAPIC_BASE,
				 MV_IOAPIC_MMIO_LEN, &ioapic->dev);
	if (ret)
		goto err_free;
	vm->irq.ioapic = ioapic;
	return 0;

err_free:
	kfree(ioapic);
	return ret;
}

void mv_ioapic_destroy(struct mv_vm *vm)
{
	struct mv_ioapic *ioapic = vm->irq.ioapic;

	if (!ioapic)
		return;
	cancel_delayed_work_sync(&ioapic->eoi_inject);
	mv_io_bus_unregister(vm, MV_MMIO_BUS, &ioapic->dev);
	vm->irq.ioapic = NULL;
	kfree(ioapic);
}

/* KVM_GET_IRQCHIP: irr without the edges already sent (KVM). */
void mv_ioapic_get_state(struct mv_ioapic *ioapic, struct kvm_ioapic_state *s)
{
	ioapic_lock(ioapic);
	*s = ioapic->s;
	s->irr &= ~ioapic->irr_delivered;
	ioapic_unlock(ioapic);
}

/*
 * KVM_SET_IRQCHIP: the registers as given; each pin of irr then rises as if
 * its line went high, an unmasked one sending at once (KVM's
 * kvm_ioapic_inject_all()). The sources' line levels stay as they were.
 */
void mv_ioapic_set_state(struct mv_ioapic *ioapic,
			 const struct kvm_ioapic_state *s)
{
	unsigned long irr = s->irr;
	unsigned int pin;

	ioapic_lock(ioapic);
	ioapic->s = *s;
	ioapic->s.irr = 0;
	ioapic->irr_delivered = 0;
	ioapic_scan_vectors(ioapic);
	for_each_set_bit(pin, &irr, MV_NR_IOAPIC_PINS)
		ioapic_set_irq(ioapic, pin, 1);
	ioapic_unlock(ioapic);
}
