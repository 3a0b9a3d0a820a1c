// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two 8259As of a PC, master at 0x20/0x21 and slave at 0xa0/0xa1 with
 * its INT on the master's IR2, and the chipset's edge/level control
 * registers (ELCR) at 0x4d0/0x4d1, as KVM's arch/x86/kvm/i8259.c emulates
 * them (Linux 6.1 and 6.12 agree but for the poll word: pic_poll()).
 *
 * Manuals: "8259A Programmable Interrupt Controller (8259A/8259A-2)", Intel
 * order number 231468-003 ("8259A" below); the ELCR as Intel's PIIX4 has it
 * ("82371AB PCI-to-ISA/IDE Xcelerator (PIIX4)", order number 290562-001,
 * "ELCR1/ELCR2 - Edge/Level Control Registers"; "PIIX4" below).
 *
 * Each chip's registers are KVM's struct kvm_pic_state, which
 * KVM_GET/SET_IRQCHIP copy whole: userspace may store any byte in any field
 * and the chip then acts on it as KVM's would (an init_state past 3 makes
 * the data port ignore writes, an elcr_mask limits later ELCR writes).
 *
 * Locking: pic->lock, a spinlock taken with IRQs saved (pins are driven from
 * any context). Ack notifiers may drive pins again, so the lock is dropped
 * around mv_irq_acked() (KVM's pic_clear_isr() does the same): the state is
 * consistent at each such point. A rise of the INT output is signalled with
 * mv_irqchip_pic_changed() once the lock is released.
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "../iobus.h"
#include "../vm.h"
#include "irq.h"
#include "lapic.h"
#include "pic.h"

#define PIC_MASTER		0
#define PIC_SLAVE		1
#define PIC_CASCADE_IR		2	/* the slave's INT: the master's IR2 */
#define PIC_NO_IRQ		8	/* get_priority(): nothing in the mask */

#define PIC_MASTER_PORT		0x20
#define PIC_SLAVE_PORT		0xa0
#define PIC_ELCR_PORT		0x4d0

/*
 * Port A0 = 0 (8259A "Programming the 8259A", table "8259A Instruction
 * Set"): D4 set is ICW1; else D3 set is OCW3, D3 clear OCW2.
 */
#define ICW1			0x10
#define ICW1_IC4		0x01	/* an ICW4 follows */
#define OCW3			0x08
#define OCW3_RIS		0x01	/* read the ISR (else the IRR)... */
#define OCW3_RR			0x02	/* ...if RR is set */
#define OCW3_P			0x04	/* poll command */
#define OCW3_SMM		0x20	/* special mask mode on/off... */
#define OCW3_ESMM		0x40	/* ...if ESMM is set */
#define ICW4_AEOI		0x02
#define ICW4_SFNM		0x10

/* OCW2 bits 7-5 (R, SL, EOI), 8259A "Operation Command Word 2". */
enum {
	OCW2_ROTATE_AEOI_CLEAR = 0,
	OCW2_EOI = 1,
	OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_ROTATE_AEOI_SET = 4,
	OCW2_ROTATE_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* init_state: what the next data-port write is (8259A "Initialization"). */
enum {
	PIC_READY = 0,		/* OCW1 */
	PIC_WANT_ICW2 = 1,
	PIC_WANT_ICW3 = 2,
	PIC_WANT_ICW4 = 3,
};

struct mv_pic;

/* One of the PIC's three port ranges on the PIO bus. */
struct mv_pic_port {
	struct mv_io_device dev;
	struct mv_pic *pic;
};

struct mv_pic {
	spinlock_t lock;		/* everything below but vm and ports */
	unsigned long lock_flags;	/* the holder's saved IRQ state */
	bool wakeup_needed;		/* INT rose while the lock was held */
	bool output;			/* the master's INT output */
	struct mv_vm *vm;
	struct kvm_pic_state chips[2];	/* PIC_MASTER, PIC_SLAVE */
	/* KVM's irq_states: per pin, a bit per enum mv_irq_source driving it. */
	unsigned long irq_states[MV_NR_PIC_PINS];
	struct mv_pic_port ports[3];	/* master, slave, ELCR */
};

static void pic_lock(struct mv_pic *pic)
	__acquires(&pic->lock)
{
	unsigned long flags;

	spin_lock_irqsave(&pic->lock, flags);
	pic->lock_flags = flags;
}

static void pic_unlock(struct mv_pic *pic)
	__releases(&pic->lock)
{
	bool wakeup = pic->wakeup_needed;

	pic->wakeup_needed = false;
	spin_unlock_irqrestore(&pic->lock, pic->lock_flags);
	if (wakeup)
		mv_irqchip_pic_changed(pic->vm);
}

/*
 * The in-service bit of irq (0-7 on chip c) goes (an EOI, auto-EOI, poll):
 * the acknowledgment goes to the ack notifiers, with the lock dropped.
 */
static void pic_clear_isr(struct mv_pic *pic, int c, int irq)
	__must_hold(&pic->lock)
{
	pic->chips[c].isr &= ~BIT(irq);
	pic_unlock(pic);
	mv_irq_acked(pic->vm,
		     c == PIC_MASTER ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
		     irq + 8 * c);
	pic_lock(pic);
}

/*
 * An IR input at level: edge-triggered inputs latch a request in the IRR on
 * the rising edge only (the edge sense latch is last_irr); level-triggered
 * ones (ELCR bit set) request while high and withdraw it when low (8259A
 * "Edge and Level Triggered Modes"). KVM's return value: -1 masked, else 1
 * for a new request and 0 for one already in the IRR (coalesced).
 */
static int pic_set_irq1(struct kvm_pic_state *s, int irq, int level)
{
	u8 mask = BIT(irq);
	int ret = 1;

	if (s->elcr & mask) {
		if (level) {
			ret = !(s->irr & mask);
			s->irr |= mask;
			s->last_irr |= mask;
		} else {
			s->irr &= ~mask;
			s->last_irr &= ~mask;
		}
	} else if (level) {
		if (!(s->last_irr & mask)) {
			ret = !(s->irr & mask);
			s->irr |= mask;
		}
		s->last_irr |= mask;
	} else {
		s->last_irr &= ~mask;
	}
	return (s->imr & mask) ? -1 : ret;
}

/*
 * The highest priority among the IRs in mask, as a rank from 0 (highest) to
 * 7: IR(priority_add) ranks 0 and the others follow in circular order
 * (8259A "Automatic Rotation", "Specific Rotation"). PIC_NO_IRQ if none.
 */
static int get_priority(const struct kvm_pic_state *s, u8 mask)
{
	int priority = 0;

	if (!mask)
		return PIC_NO_IRQ;
	while (!(mask & BIT((priority + s->priority_add) & 7)))
		priority++;
	return priority;
}

/*
 * The IR chip c would interrupt with: the highest-priority unmasked request,
 * if it outranks everything in service (8259A "Fully Nested Mode"). In the
 * special fully nested mode the master does not count its in-service
 * cascade input, so that a higher-priority slave request gets through
 * (8259A "Special Fully Nested Mode"). KVM keeps OCW3's special mask mode
 * but, unlike the 8259A ("Special Mask Mode"), never lets a masked
 * in-service level enable lower ones; neither does this. -1 if none.
 */
static int pic_get_irq(struct mv_pic *pic, int c)
{
	struct kvm_pic_state *s = &pic->chips[c];
	int priority, cur_priority;
	u8 in_service = s->isr;

	priority = get_priority(s, s->irr & ~s->imr);
	if (priority == PIC_NO_IRQ)
		return -1;
	if (s->special_fully_nested_mode && c == PIC_MASTER)
		in_service &= ~BIT(PIC_CASCADE_IR);
	cur_priority = get_priority(s, in_service);
	if (priority >= cur_priority)
		return -1;
	return (priority + s->priority_add) & 7;
}

/*
 * Recomputes the INT output after any change: a slave request pulses the
 * master's IR2 (an edge through the cascade), then the master decides.
 */
static void pic_update_irq(struct mv_pic *pic)
	__must_hold(&pic->lock)
{
	bool level;

	if (pic_get_irq(pic, PIC_SLAVE) >= 0) {
		pic_set_irq1(&pic->chips[PIC_MASTER], PIC_CASCADE_IR, 1);
		pic_set_irq1(&pic->chips[PIC_MASTER], PIC_CASCADE_IR, 0);
	}
	level = pic_get_irq(pic, PIC_MASTER) >= 0;
	/*
	 * KVM also wakes when INT stays low (pic_irq_request()): a spurious
	 * kick with nothing to take. Only a rise has something to deliver.
	 */
	if (level && !pic->output)
		pic->wakeup_needed = true;
	WRITE_ONCE(pic->output, level);
}

int mv_pic_set_irq(struct mv_pic *pic, unsigned int irq, int source, int level)
{
	int line, ret;

	if (WARN_ON_ONCE(irq >= MV_NR_PIC_PINS || source < 0 ||
			 source >= MV_IRQ_NR_SOURCES))
		return -1;

	pic_lock(pic);
	line = mv_irq_line_state(&pic->irq_states[irq], source, level);
	ret = pic_set_irq1(&pic->chips[irq / 8], irq % 8, line);
	pic_update_irq(pic);
	pic_unlock(pic);
	return ret;
}

bool mv_pic_output(struct mv_pic *pic)
{
	return READ_ONCE(pic->output);
}

/*
 * The INTA pulses for irq on chip c: its ISR bit set, an edge request
 * cleared from the IRR (a level request stays while the input is high), and
 * in AEOI mode the ISR bit cleared again at once (8259A "Interrupt
 * Sequence", "Automatic End of Interrupt (AEOI) Mode"), rotating if OCW2
 * asked for rotation in AEOI mode.
 */
static void pic_intack(struct mv_pic *pic, int c, int irq)
	__must_hold(&pic->lock)
{
	struct kvm_pic_state *s = &pic->chips[c];

	s->isr |= BIT(irq);
	if (!(s->elcr & BIT(irq)))
		s->irr &= ~BIT(irq);
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
		pic_clear_isr(pic, c, irq);
	}
}

/*
 * The vector of the INTA cycle: the master's IR, or through IR2 the slave's.
 * A request gone by INTA yields IR7 of the chip asked, the spurious vector
 * (8259A "Interrupt Sequence": "the 8259A will issue an interrupt level 7").
 */
int mv_pic_read_irq(struct mv_pic *pic)
{
	struct kvm_pic_state *master = &pic->chips[PIC_MASTER];
	struct kvm_pic_state *slave = &pic->chips[PIC_SLAVE];
	int irq, irq2, vector;

	pic_lock(pic);
	/* INTA lowers INT; pic_update_irq() raises it for the next request. */
	WRITE_ONCE(pic->output, false);
	irq = pic_get_irq(pic, PIC_MASTER);
	if (irq < 0) {
		vector = master->irq_base + 7;
	} else {
		pic_intack(pic, PIC_MASTER, irq);
		if (irq == PIC_CASCADE_IR) {
			irq2 = pic_get_irq(pic, PIC_SLAVE);
			if (irq2 >= 0)
				pic_intack(pic, PIC_SLAVE, irq2);
			else
				irq2 = 7;
			vector = slave->irq_base + irq2;
		} else {
			vector = master->irq_base + irq;
		}
	}
	pic_update_irq(pic);
	pic_unlock(pic);
	return vector & 0xff;
}

/* Does a vCPU take the INT output (its LINT0 in ExtINT mode, or no LAPIC)? */
static bool pic_has_taker(struct mv_pic *pic)
{
	struct mv_vm *vm = pic->vm;
	/* Pairs with the release that publishes a vCPU (vcpu.c). */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	for (i = 0; i < n; i++)
		if (mv_lapic_accepts_pic(vm->vcpus[i]))
			return true;
	return false;
}

/*
 * ICW1 (8259A "Initialization Command Words"): the edge sense latches and
 * the IMR cleared, IR7 lowest, special mask mode off, IRR to be read; ICW4's
 * functions cleared if no ICW4 follows. Level requests stay in the IRR (their
 * inputs are still high); the edge requests dropped from it are reported as
 * acknowledged to the ack notifiers when a vCPU takes the PIC's interrupts,
 * as KVM's kvm_pic_reset() does (a PIT waiting on its ack is not stuck).
 */
static void pic_init(struct mv_pic *pic, int c, u8 icw1)
	__must_hold(&pic->lock)
{
	struct kvm_pic_state *s = &pic->chips[c];
	u8 edge_irr = s->irr & ~s->elcr;
	int irq;

	/* SNGL and LTIM are not emulated (KVM only logs them): ELCR rules. */
	s->init4 = icw1 & ICW1_IC4;
	s->last_irr = 0;
	s->irr &= s->elcr;
	s->imr = 0;
	s->priority_add = 0;
	s->special_mask = 0;
	s->read_reg_select = 0;
	if (!s->init4) {
		s->special_fully_nested_mode = 0;
		s->auto_eoi = 0;
	}
	s->init_state = PIC_WANT_ICW2;

	if (!pic_has_taker(pic))
		return;
	for (irq = 0; irq < 8; irq++)
		if (edge_irr & BIT(irq))
			pic_clear_isr(pic, c, irq);
}

/* OCW2 (8259A "Operation Command Word 2", "End of Interrupt"). */
static void pic_ocw2(struct mv_pic *pic, int c, u8 val)
	__must_hold(&pic->lock)
{
	struct kvm_pic_state *s = &pic->chips[c];
	int cmd = val >> 5, priority, irq;

	switch (cmd) {
	case OCW2_ROTATE_AEOI_CLEAR:
	case OCW2_ROTATE_AEOI_SET:
		s->rotate_on_auto_eoi = cmd == OCW2_ROTATE_AEOI_SET;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		/* Non-specific: the highest-priority IR in service. */
		priority = get_priority(s, s->isr);
		if (priority == PIC_NO_IRQ)
			break;
		irq = (priority + s->priority_add) & 7;
		if (cmd == OCW2_ROTATE_EOI)
			s->priority_add = (irq + 1) & 7;
		pic_clear_isr(pic, c, irq);
		pic_update_irq(pic);
		break;
	case OCW2_SPECIFIC_EOI:
		pic_clear_isr(pic, c, val & 7);
		pic_update_irq(pic);
		break;
	case OCW2_SET_PRIORITY:
		/* L2-L0 becomes the lowest priority. */
		s->priority_add = (val + 1) & 7;
		pic_update_irq(pic);
		break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		irq = val & 7;
		s->priority_add = (irq + 1) & 7;
		pic_clear_isr(pic, c, irq);
		pic_update_irq(pic);
		break;
	default:	/* OCW2_NOP */
		break;
	}
}

/* The data port (A0 = 1): ICW2-ICW4 while initializing, else OCW1. */
static void pic_write_data(struct mv_pic *pic, int c, u8 val)
	__must_hold(&pic->lock)
{
	struct kvm_pic_state *s = &pic->chips[c];

	switch (s->init_state) {
	case PIC_READY:
		/* OCW1: the IMR. */
		s->imr = val;
		pic_update_irq(pic);
		break;
	case PIC_WANT_ICW2:
		/* T7-T3 of the vector; the 8259A supplies the low three bits. */
		s->irq_base = val & 0xf8;
		s->init_state = PIC_WANT_ICW3;
		break;
	case PIC_WANT_ICW3:
		/* The cascade is wired (IR2), whatever ICW3 says. */
		s->init_state = s->init4 ? PIC_WANT_ICW4 : PIC_READY;
		break;
	case PIC_WANT_ICW4:
		s->special_fully_nested_mode = !!(val & ICW4_SFNM);
		s->auto_eoi = !!(val & ICW4_AEOI);
		s->init_state = PIC_READY;
		break;
	default:
		/* Only SET_IRQCHIP puts another value here; KVM ignores the write. */
		break;
	}
}

static void pic_write(struct mv_pic *pic, int c, u16 port, u8 val)
	__must_hold(&pic->lock)
{
	struct kvm_pic_state *s = &pic->chips[c];

	if (port & 1) {
		pic_write_data(pic, c, val);
	} else if (val & ICW1) {
		pic_init(pic, c, val);
	} else if (val & OCW3) {
		if (val & OCW3_P)
			s->poll = 1;
		if (val & OCW3_RR)
			s->read_reg_select = val & OCW3_RIS;
		if (val & OCW3_ESMM)
			s->special_mask = !!(val & OCW3_SMM);
	} else {
		pic_ocw2(pic, c, val);
	}
}

/*
 * The poll word (8259A "The Poll Command"): I (bit 7) set and W2-W0 the
 * highest-priority request, which is acknowledged as by an INTA and an EOI
 * at once; 0x07 (I clear) if none. Linux 6.1's KVM leaves bit 7 clear even
 * with a request (fixed in 6.12, which this follows). A poll of the slave
 * also retires its request on the master's IR2.
 */
static u8 pic_poll(struct mv_pic *pic, int c)
	__must_hold(&pic->lock)
{
	struct kvm_pic_state *master = &pic->chips[PIC_MASTER];
	int irq = pic_get_irq(pic, c);

	if (irq < 0) {
		pic_update_irq(pic);
		return 0x07;
	}
	if (c == PIC_SLAVE) {
		master->isr &= ~BIT(PIC_CASCADE_IR);
		master->irr &= ~BIT(PIC_CASCADE_IR);
	}
	pic->chips[c].irr &= ~BIT(irq);
	pic_clear_isr(pic, c, irq);
	/* As KVM: the master's own cascade input polled leaves INT alone. */
	if (c == PIC_SLAVE || irq != PIC_CASCADE_IR)
		pic_update_irq(pic);
	return 0x80 | irq;
}

/*
 * A read (8259A "Reading the 8259A Status"): the poll word after a poll
 * command (at either port), else the IRR or ISR (OCW3's choice) at A0 = 0
 * and the IMR at A0 = 1.
 */
static u8 pic_read(struct mv_pic *pic, int c, u16 port)
	__must_hold(&pic->lock)
{
	struct kvm_pic_state *s = &pic->chips[c];
	u8 val;

	if (s->poll) {
		val = pic_poll(pic, c);
		s->poll = 0;
	} else if (port & 1) {
		val = s->imr;
	} else {
		val = s->read_reg_select ? s->isr : s->irr;
	}
	return val;
}

static bool pic_port_valid(u64 port)
{
	switch (port) {
	case PIC_MASTER_PORT ... PIC_MASTER_PORT + 1:
	case PIC_SLAVE_PORT ... PIC_SLAVE_PORT + 1:
	case PIC_ELCR_PORT ... PIC_ELCR_PORT + 1:
		return true;
	default:
		return false;
	}
}

static int pic_port_write(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			  u64 addr, unsigned int len, const void *val)
{
	struct mv_pic *pic = container_of(dev, struct mv_pic_port, dev)->pic;
	u8 data = *(const u8 *)val;

	if (!pic_port_valid(addr))
		return -EOPNOTSUPP;
	/* The 8259A's data bus is 8 bits wide: KVM drops wider writes. */
	if (len != 1)
		return 0;

	pic_lock(pic);
	switch (addr) {
	case PIC_MASTER_PORT ... PIC_MASTER_PORT + 1:
		pic_write(pic, PIC_MASTER, addr, data);
		break;
	case PIC_SLAVE_PORT ... PIC_SLAVE_PORT + 1:
		pic_write(pic, PIC_SLAVE, addr, data);
		break;
	default:
		/*
		 * The ELCR (PIIX4 "ELCR1/ELCR2"): a bit per IRQ, 1 for level.
		 * IRQ0-2 (timer, keyboard, cascade), IRQ8 and IRQ13 are edge
		 * only: their bits are not writable (KVM's elcr_mask, 0xf8 and
		 * 0xde). It rules from the next change of a line on (KVM does
		 * not re-evaluate the IRR here).
		 */
		pic->chips[addr & 1].elcr = data & pic->chips[addr & 1].elcr_mask;
		break;
	}
	pic_unlock(pic);
	return 0;
}

static int pic_port_read(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			 u64 addr, unsigned int len, void *val)
{
	struct mv_pic *pic = container_of(dev, struct mv_pic_port, dev)->pic;
	u8 data;

	if (!pic_port_valid(addr))
		return -EOPNOTSUPP;
	/* Wider reads read as zeros (KVM). */
	if (len != 1) {
		memset(val, 0, len);
		return 0;
	}

	pic_lock(pic);
	switch (addr) {
	case PIC_MASTER_PORT ... PIC_MASTER_PORT + 1:
		data = pic_read(pic, PIC_MASTER, addr);
		break;
	case PIC_SLAVE_PORT ... PIC_SLAVE_PORT + 1:
		data = pic_read(pic, PIC_SLAVE, addr);
		break;
	default:
		data = pic->chips[addr & 1].elcr;
		break;
	}
	pic_unlock(pic);
	*(u8 *)val = data;
	return 0;
}

static const struct mv_io_device_ops pic_port_ops = {
	.read = pic_port_read,
	.write = pic_port_write,
};

static const u16 pic_port_base[] = {
	PIC_MASTER_PORT, PIC_SLAVE_PORT, PIC_ELCR_PORT,
};

int mv_pic_create(struct mv_vm *vm)
{
	struct mv_pic *pic;
	unsigned int i;
	int ret;

	pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);
	if (!pic)
		return -ENOMEM;
	spin_lock_init(&pic->lock);
	pic->vm = vm;
	pic->chips[PIC_MASTER].elcr_mask = 0xf8;
	pic->chips[PIC_SLAVE].elcr_mask = 0xde;

	for (i = 0; i < ARRAY_SIZE(pic->ports); i++) {
		pic->ports[i].dev.ops = &pic_port_ops;
		pic->ports[i].pic = pic;
		ret = mv_io_bus_register(vm, MV_PIO_BUS, pic_port_base[i], 2,
					 &pic->ports[i].dev);
		if (ret)
			goto err_unregister;
	}
	vm->irq.pic = pic;
	return 0;

err_unregister:
	while (i--)
		mv_io_bus_unregister(vm, MV_PIO_BUS, &pic->ports[i].dev);
	kfree(pic);
	return ret;
}

void mv_pic_destroy(struct mv_vm *vm)
{
	struct mv_pic *pic = vm->irq.pic;
	unsigned int i = ARRAY_SIZE(pic->ports);

	if (!pic)
		return;
	while (i--)
		mv_io_bus_unregister(vm, MV_PIO_BUS, &pic->ports[i].dev);
	vm->irq.pic = NULL;
	kfree(pic);
}

void mv_pic_get_state(struct mv_pic *pic, int chip, struct kvm_pic_state *s)
{
	if (WARN_ON_ONCE(chip != PIC_MASTER && chip != PIC_SLAVE))
		return;
	pic_lock(pic);
	*s = pic->chips[chip];
	pic_unlock(pic);
}

void mv_pic_set_state(struct mv_pic *pic, int chip,
		      const struct kvm_pic_state *s)
{
	if (WARN_ON_ONCE(chip != PIC_MASTER && chip != PIC_SLAVE))
		return;
	pic_lock(pic);
	pic->chips[chip] = *s;
	pic_update_irq(pic);
	pic_unlock(pic);
}
