// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel 8259A pair (with the ELCR) and IOAPIC through the KVM ABI,
 * as KVM has them (arch/x86/kvm/i8259.c, ioapic.c; KVM_CREATE_IRQCHIP):
 * - KVM_GET/SET_IRQCHIP: the errnos (no irqchip or a split one: ENXIO; a bad
 *   chip_id: EINVAL), the state KVM reports after KVM_CREATE_IRQCHIP, round
 *   trips of every field of the master, the slave and the IOAPIC, and state
 *   set that the guest then sees (and takes interrupts from);
 * - a guest that programs the PIC through its ports (ICW1-4, OCW1-3, ELCR)
 *   and takes the interrupts KVM_IRQ_LINE raises: one handler run per edge,
 *   a level line that stays high runs the handler again after each EOI,
 *   nothing while masked and the latched request at the unmask, the slave on
 *   the master's IR2, a spurious IRQ15, auto-EOI, specific, non-specific and
 *   rotating EOIs, priorities, the poll command, IRR/ISR reads;
 * - a guest that programs the IOAPIC through its page: the registers, their
 *   read-only bits, other sizes and offsets, edge and level delivery to its
 *   LAPIC (enabled in the SVR), remote IRR until the LAPIC EOI (not the EOI
 *   register version 0x11 lacks), a level line held high sent again after
 *   each EOI, the delivery modes;
 * - KVM_IRQ_LINE_STATUS: KVM's kvm_set_irq() sum over the pins a GSI
 *   reaches; -1 masked (or held by remote IRR), 0 coalesced (or no LAPIC
 *   took it), 1 delivered or newly requested.
 * No case depends on time: the host raises a line while the guest waits at
 * a port exit, and the interrupt is taken before the guest's next
 * instruction. Guest code: guest/irqchip_devices.S.
 *
 * None of it is vacuous: `make -C selftests mutants` builds this file three
 * more times, each dropping one kind of step (IRQC_MUTANT 1: lines are never
 * raised; 2: KVM_SET_IRQCHIP is never issued, and the errno and reset cases
 * get an irqchip, valid ids and a changed state; 3: the guest's port and MMIO
 * writes are dropped). Every case fails under at least one of them.
 */
#include <sys/ioctl.h>

#include "guest/irqchip_devices.h"
#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(irqc);
DECLARE_GUEST_LABEL(irqc, stubs);
DECLARE_GUEST_LABEL(irqc, nmi_stub);

#ifndef IRQC_MUTANT
#define IRQC_MUTANT		0
#endif
#define MUTANT_NO_RAISE		(IRQC_MUTANT == 1)
#define MUTANT_NO_STATE		(IRQC_MUTANT == 2)
#define MUTANT_NO_WRITES	(IRQC_MUTANT == 3)

/* 8259A ports and the ELCR. */
#define PIC_M			0x20
#define PIC_M_DATA		0x21
#define PIC_S			0xa0
#define PIC_S_DATA		0xa1
#define ELCR_M			0x4d0
#define ELCR_S			0x4d1
#define ICW4_8086		0x01
#define ICW4_AEOI		0x02
#define OCW3_READ_IRR		0x0a
#define OCW3_READ_ISR		0x0b
#define OCW3_POLL		0x0c
#define MASTER_BASE		0x20	/* ICW2 of pic_init() */
#define SLAVE_BASE		0x28

/* The IOAPIC page and the LAPIC registers. */
#define IOAPIC_BASE		0xfec00000ULL
#define IOREGSEL		IOAPIC_BASE
#define IOWIN			(IOAPIC_BASE + 0x10)
#define IOAPIC_EOI_REG		(IOAPIC_BASE + 0x40)	/* version 0x20 only */
#define RTE_LO(pin)		(0x10 + 2 * (pin))
#define RTE_HI(pin)		(0x11 + 2 * (pin))
#define RTE_DELIVERY_STATUS	(1ULL << 12)
#define RTE_REMOTE_IRR		(1ULL << 14)
#define RTE_LEVEL		(1ULL << 15)
#define RTE_MASKED		(1ULL << 16)
#define RTE_LOGICAL		(1ULL << 11)
#define RTE_MODE(m)		((uint64_t)(m) << 8)
#define LAPIC_LDR		0xfee000d0ULL
#define LAPIC_SVR		0xfee000f0ULL

struct irqc {
	struct vm *vm;
	struct vcpu *vcpu;
	struct vcpu *ap;	/* vCPU 1, if asked for: never run */
};

/* A 64-bit interrupt gate for vector to target (SDM vol 3A 6.14.1). */
static void set_gate(struct vm *vm, unsigned int vector, uint64_t target)
{
	uint32_t *idt = vm_ptr(vm, GUEST_IDT_GPA);

	idt[vector * 4 + 0] = (target & 0xffff) | SEL_CODE64 << 16;
	idt[vector * 4 + 1] = (target & 0xffff0000) | 0x8e00;
	idt[vector * 4 + 2] = target >> 32;
	idt[vector * 4 + 3] = 0;
}

static uint64_t *gmem(struct irqc *c, uint64_t gpa)
{
	return vm_ptr(c->vm, gpa);
}

static void create_irqchip(struct vm *vm)
{
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
}

/*
 * The guest: a VM with an in-kernel irqchip, vCPU 0 in long mode with the
 * handler stubs in its IDT (and vCPU 1 if nr_vcpus is 2, never run), run to
 * its first idle report.
 */
static void irqc_new_vcpus(struct irqc *c, unsigned int nr_vcpus)
{
	unsigned int v;

	c->vm = vm_new();
	create_irqchip(c->vm);
	vm_mem_add(c->vm, 0, 0, GUEST_MEM_SIZE, 0);
	vm_load(c->vm, GUEST_CODE_GPA, GUEST(irqc));
	c->vcpu = vcpu_new(c->vm, 0);
	c->ap = nr_vcpus > 1 ? vcpu_new(c->vm, 1) : NULL;
	vcpu_set_mode(c->vcpu, VM_MODE_LONG, 0);
	for (v = 0; v < IRQC_NR_STUBS; v++)
		set_gate(c->vm, IRQC_FIRST_VECTOR + v,
			 GUEST_ADDR(irqc, stubs) + v * IRQC_STUB_SIZE);
	set_gate(c->vm, 2, GUEST_ADDR(irqc, nmi_stub));
	ASSERT_EQ(vcpu_run_to_report(c->vcpu), IRQC_IDLE);
}

static void irqc_new(struct irqc *c)
{
	irqc_new_vcpus(c, 1);
}

/* Runs the guest to its next report: IRQC_IDLE or IRQC_HANDLER | vector. */
static uint32_t step(struct irqc *c)
{
	return vcpu_run_to_report(c->vcpu);
}

/* The command the guest carries out when next run. */
static void set_cmd(struct irqc *c, uint64_t op, uint64_t addr, uint64_t val)
{
	bool write = op == IRQC_OP_OUTB || op == IRQC_OP_OUTW ||
		     op == IRQC_OP_WRITE8 || op == IRQC_OP_WRITE32 ||
		     op == IRQC_OP_WRITE64;

	if (MUTANT_NO_WRITES && write)
		op = IRQC_OP_NOP;
	*gmem(c, IRQC_CMD_OP) = op;
	*gmem(c, IRQC_CMD_ADDR) = addr;
	*gmem(c, IRQC_CMD_VAL) = val;
	*gmem(c, IRQC_CMD_RESULT) = ~0ULL;
}

/* The guest carries out one command; returns what a read command read. */
static uint64_t cmd(struct irqc *c, uint64_t op, uint64_t addr, uint64_t val)
{
	set_cmd(c, op, addr, val);
	ASSERT_EQ(step(c), IRQC_IDLE);
	*gmem(c, IRQC_CMD_OP) = IRQC_OP_NOP;
	return *gmem(c, IRQC_CMD_RESULT);
}

static void outb(struct irqc *c, uint16_t port, uint8_t val)
{
	cmd(c, IRQC_OP_OUTB, port, val);
}

static uint8_t inb(struct irqc *c, uint16_t port)
{
	return cmd(c, IRQC_OP_INB, port, 0);
}

static void w32(struct irqc *c, uint64_t gpa, uint32_t val)
{
	cmd(c, IRQC_OP_WRITE32, gpa, val);
}

static uint32_t r32(struct irqc *c, uint64_t gpa)
{
	return cmd(c, IRQC_OP_READ32, gpa, 0);
}

static void nop(struct irqc *c)
{
	cmd(c, IRQC_OP_NOP, 0, 0);
}

static void sti(struct irqc *c)
{
	cmd(c, IRQC_OP_STI, 0, 0);
}

static void cli(struct irqc *c)
{
	cmd(c, IRQC_OP_CLI, 0, 0);
}

static void eoi_mode(struct irqc *c, uint64_t mode)
{
	*gmem(c, IRQC_EOI_MODE) = mode;
}

static void handler_reports(struct irqc *c, bool on)
{
	*gmem(c, IRQC_HREPORT) = on;
}

/* Handler runs for vector so far. */
static uint64_t count(struct irqc *c, unsigned int vector)
{
	return *gmem(c, IRQC_COUNTS + 8 * vector);
}

/* The n-th handler run's vector. */
static uint64_t logged(struct irqc *c, unsigned int n)
{
	return *gmem(c, IRQC_LOG + 8 * n);
}

/* KVM_IRQ_LINE_STATUS: gsi from the userspace source to level; the status. */
static int irq_line(struct vm *vm, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = {
		.irq = gsi,
		.level = MUTANT_NO_RAISE ? 0 : level,
	};

	ASSERT_OK(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &irq));
	return irq.status;
}

/* An edge: the line up and down again. */
static void pulse(struct vm *vm, uint32_t gsi)
{
	irq_line(vm, gsi, 1);
	irq_line(vm, gsi, 0);
}

static void get_chip(struct vm *vm, uint32_t id, struct kvm_irqchip *chip)
{
	memset(chip, 0, sizeof(*chip));
	chip->chip_id = id;
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, chip));
}

static void set_chip(struct vm *vm, struct kvm_irqchip *chip)
{
	if (MUTANT_NO_STATE)
		return;
	ASSERT_OK(ioctl(vm->fd, KVM_SET_IRQCHIP, chip));
}

static struct kvm_pic_state get_pic(struct vm *vm, uint32_t id)
{
	struct kvm_irqchip chip;

	get_chip(vm, id, &chip);
	return chip.chip.pic;
}

static struct kvm_ioapic_state get_ioapic(struct vm *vm)
{
	struct kvm_irqchip chip;

	get_chip(vm, KVM_IRQCHIP_IOAPIC, &chip);
	return chip.chip.ioapic;
}

/* Every field of a struct kvm_pic_state, by name. */
#define PIC_FIELDS(X)							\
	X(last_irr) X(irr) X(imr) X(isr) X(priority_add) X(irq_base)	\
	X(read_reg_select) X(poll) X(special_mask) X(init_state)	\
	X(auto_eoi) X(rotate_on_auto_eoi) X(special_fully_nested_mode)	\
	X(init4) X(elcr) X(elcr_mask)

static void expect_pic_state(const struct kvm_pic_state *got,
			     const struct kvm_pic_state *want)
{
#define EXPECT_FIELD(f)	EXPECT_EQ(got->f, want->f);
	PIC_FIELDS(EXPECT_FIELD)
#undef EXPECT_FIELD
}

static void expect_ioapic_state(const struct kvm_ioapic_state *got,
				const struct kvm_ioapic_state *want)
{
	unsigned int pin;

	EXPECT_EQ(got->base_address, want->base_address);
	EXPECT_EQ(got->ioregsel, want->ioregsel);
	EXPECT_EQ(got->id, want->id);
	EXPECT_EQ(got->irr, want->irr);
	EXPECT_EQ(got->pad, want->pad);
	for (pin = 0; pin < KVM_IOAPIC_NUM_PINS; pin++)
		if (got->redirtbl[pin].bits != want->redirtbl[pin].bits)
			TH_FAIL("redirtbl[%u]: %#llx, expected %#llx", pin,
				(unsigned long long)got->redirtbl[pin].bits,
				(unsigned long long)want->redirtbl[pin].bits);
}

/*
 * ICW1-ICW4 to both chips (8259A "Initialization Command Words"): edge
 * triggered, cascaded, vectors MASTER_BASE and SLAVE_BASE, ICW4 icw4; then
 * every IR masked (OCW1).
 */
static void pic_init(struct irqc *c, uint8_t icw4)
{
	outb(c, PIC_M, 0x11);
	outb(c, PIC_M_DATA, MASTER_BASE);
	outb(c, PIC_M_DATA, 0x04);	/* a slave on IR2 */
	outb(c, PIC_M_DATA, icw4);
	outb(c, PIC_S, 0x11);
	outb(c, PIC_S_DATA, SLAVE_BASE);
	outb(c, PIC_S_DATA, 0x02);	/* slave ID 2 */
	outb(c, PIC_S_DATA, icw4);
	outb(c, PIC_M_DATA, 0xff);
	outb(c, PIC_S_DATA, 0xff);
}

/* The poll word with a request: bit 7 set since Linux 6.12 (8259A). */
static uint8_t poll_word(uint8_t irq)
{
	return th_kvm_before(6, 12) ? irq : 0x80 | irq;
}

static void ioapic_w(struct irqc *c, uint32_t reg, uint32_t val)
{
	w32(c, IOREGSEL, reg);
	w32(c, IOWIN, val);
}

static uint32_t ioapic_r(struct irqc *c, uint32_t reg)
{
	w32(c, IOREGSEL, reg);
	return r32(c, IOWIN);
}

/* A redirection entry, the high half (destination) first. */
static void rte_set(struct irqc *c, unsigned int pin, uint32_t lo, uint32_t hi)
{
	ioapic_w(c, RTE_HI(pin), hi);
	ioapic_w(c, RTE_LO(pin), lo);
}

static uint64_t rte_get(struct vm *vm, unsigned int pin)
{
	return get_ioapic(vm).redirtbl[pin].bits;
}

/* The LAPIC software-enabled (SVR bit 8, SDM vol 3A 10.4.7.2), vector 0xff. */
static void lapic_enable(struct irqc *c)
{
	w32(c, LAPIC_SVR, 0x1ff);
}

static void lapic_eoi(struct irqc *c)
{
	w32(c, IRQC_LAPIC_EOI, 0);
}

/* --- KVM_GET/SET_IRQCHIP --- */

/* Without KVM_CREATE_IRQCHIP: ENXIO, whatever the chip_id. */
TEST(irqchip_ioctls_need_an_irqchip)
{
	static const uint32_t ids[] = { 0, 1, 2, 3, 0xffffffff };
	struct kvm_irq_level irq = { .irq = 3, .level = 1 };
	struct kvm_irqchip chip;
	struct vm *vm = vm_new();
	size_t i;

	if (MUTANT_NO_STATE)
		create_irqchip(vm);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		memset(&chip, 0, sizeof(chip));
		chip.chip_id = ids[i];
		EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip), ENXIO);
		EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_IRQCHIP, &chip), ENXIO);
	}
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE, &irq), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &irq), ENXIO);
}

/* A split irqchip has no PIC and no IOAPIC in the kernel: ENXIO too. */
TEST(irqchip_ioctls_refused_with_split_irqchip)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP };
	struct kvm_irqchip chip;
	struct vm *vm = vm_new();
	uint32_t id;

	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0)
		SKIP("no KVM_CAP_SPLIT_IRQCHIP");
	cap.args[0] = KVM_IOAPIC_NUM_PINS;
	if (MUTANT_NO_STATE)
		create_irqchip(vm);
	else
		ASSERT_OK(ioctl(vm->fd, KVM_ENABLE_CAP, &cap));
	for (id = 0; id < 3; id++) {
		memset(&chip, 0, sizeof(chip));
		chip.chip_id = id;
		EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip), ENXIO);
		EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_IRQCHIP, &chip), ENXIO);
	}
}

/* chip_id past KVM_IRQCHIP_IOAPIC: EINVAL both ways. */
TEST(irqchip_bad_chip_id)
{
	static const uint32_t ids[] = { 3, 4, 255, 0x80000000, 0xffffffff };
	struct kvm_irqchip chip;
	struct vm *vm = vm_new();
	size_t i;

	create_irqchip(vm);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		memset(&chip, 0, sizeof(chip));
		chip.chip_id = MUTANT_NO_STATE ? i % 3 : ids[i];
		EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_IRQCHIP, &chip), EINVAL);
		EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_IRQCHIP, &chip), EINVAL);
	}
}

/*
 * After KVM_CREATE_IRQCHIP (KVM's kvm_pic_init(), kvm_ioapic_reset()): the
 * PIC's registers all zero but the ELCR masks (0xf8: IRQ0-2 edge only;
 * 0xde: IRQ8 and IRQ13); the IOAPIC at 0xfec00000 with ID 0 and every pin
 * masked. A vCPU's creation changes none of it.
 */
TEST(irqchip_reset_state)
{
	struct kvm_pic_state master = { .elcr_mask = 0xf8 };
	struct kvm_pic_state slave = { .elcr_mask = 0xde };
	struct kvm_ioapic_state ioapic = { .base_address = IOAPIC_BASE };
	struct kvm_pic_state got_pic;
	struct kvm_ioapic_state got_ioapic;
	struct kvm_irqchip chip;
	struct vm *vm = vm_new();
	unsigned int pin, round;

	for (pin = 0; pin < KVM_IOAPIC_NUM_PINS; pin++)
		ioapic.redirtbl[pin].bits = RTE_MASKED;
	create_irqchip(vm);
	if (MUTANT_NO_STATE) {
		get_chip(vm, KVM_IRQCHIP_PIC_SLAVE, &chip);
		chip.chip.pic.elcr_mask = 0xff;
		ASSERT_OK(ioctl(vm->fd, KVM_SET_IRQCHIP, &chip));
	}
	for (round = 0; round < 2; round++) {
		got_pic = get_pic(vm, KVM_IRQCHIP_PIC_MASTER);
		expect_pic_state(&got_pic, &master);
		got_pic = get_pic(vm, KVM_IRQCHIP_PIC_SLAVE);
		expect_pic_state(&got_pic, &slave);
		got_ioapic = get_ioapic(vm);
		expect_ioapic_state(&got_ioapic, &ioapic);
		if (!round)
			vcpu_new(vm, 0);
	}
}

/*
 * Every byte of both chips' state comes back as set: KVM copies struct
 * kvm_pic_state whole, whatever the values (an init_state of 0xb7, an
 * elcr_mask of its own). The slave has every IR masked, so that nothing
 * reaches the master's IR2 at the SET. The rest of struct kvm_irqchip comes
 * back as it was given.
 */
TEST(irqchip_pic_round_trip)
{
	struct kvm_irqchip chip, got;
	struct kvm_pic_state want[2];
	struct vm *vm = vm_new();
	uint8_t *b;
	unsigned int id, i;

	create_irqchip(vm);
	for (id = 0; id < 2; id++) {
		b = (uint8_t *)&want[id];
		for (i = 0; i < sizeof(want[id]); i++)
			b[i] = 0x17 * (i + 1) + 0x40 * id;
	}
	want[1].imr = 0xff;
	for (id = 0; id < 2; id++) {
		memset(&chip, 0, sizeof(chip));
		chip.chip_id = 1 - id;	/* the slave first */
		chip.chip.pic = want[1 - id];
		set_chip(vm, &chip);
	}
	for (id = 0; id < 2; id++) {
		memset(&got, 0xa5, sizeof(got));
		got.chip_id = id;
		ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &got));
		expect_pic_state(&got.chip.pic, &want[id]);
		EXPECT_EQ(got.chip_id, id);
		EXPECT_EQ(got.pad, 0xa5a5a5a5);
		b = (uint8_t *)&got.chip;
		for (i = sizeof(struct kvm_pic_state); i < sizeof(got.chip); i++)
			if (b[i] != 0xa5)
				TH_FAIL("chip byte %u: %#x", i, b[i]);
	}
}

/*
 * The IOAPIC's state round trip, every field: base_address, id, ioregsel
 * and pad are stored as given (KVM copies them; the ID register shows
 * id & 0xf), redirection entries whole (remote IRR, delivery status and the
 * reserved bits too). irr names only masked pins here: an unmasked one
 * would be sent at the SET (irqchip_ioapic_set_state_sends).
 */
TEST(irqchip_ioapic_round_trip)
{
	struct kvm_ioapic_state want = {
		.base_address = 0xfec01000,
		.ioregsel = 0x12345678,
		.id = 0x9abcdef0,
		.irr = 1U << 3 | 1U << 9 | 1U << 23,
		.pad = 0xdeadbeef,
	};
	struct kvm_irqchip chip, got;
	struct vm *vm = vm_new();
	unsigned int pin, i;
	uint8_t *b;

	create_irqchip(vm);
	for (pin = 0; pin < KVM_IOAPIC_NUM_PINS; pin++) {
		want.redirtbl[pin].bits = 0x0123456789abcdefULL * (pin + 1);
		if (want.irr & 1U << pin)
			want.redirtbl[pin].bits |= RTE_MASKED;
	}
	memset(&chip, 0, sizeof(chip));
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	chip.chip.ioapic = want;
	set_chip(vm, &chip);

	memset(&got, 0xa5, sizeof(got));
	got.chip_id = KVM_IRQCHIP_IOAPIC;
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, &got));
	expect_ioapic_state(&got.chip.ioapic, &want);
	EXPECT_EQ(got.pad, 0xa5a5a5a5);
	b = (uint8_t *)&got.chip;
	for (i = sizeof(struct kvm_ioapic_state); i < sizeof(got.chip); i++)
		if (b[i] != 0xa5)
			TH_FAIL("chip byte %u: %#x", i, b[i]);
}

/*
 * State set with KVM_SET_IRQCHIP is the guest's: its IMR, IRR and ELCR
 * reads show it, and a request set in the IRR is taken with the vector
 * base set, on the master and through the slave.
 */
TEST(irqchip_pic_set_state_reaches_the_guest)
{
	struct kvm_irqchip chip;
	struct irqc c;

	irqc_new(&c);
	eoi_mode(&c, IRQC_EOI_SLAVE | IRQC_EOI_MASTER);
	get_chip(c.vm, KVM_IRQCHIP_PIC_MASTER, &chip);
	chip.chip.pic.irq_base = 0x50;
	chip.chip.pic.imr = 0xf7;
	chip.chip.pic.irr = 0x08;
	chip.chip.pic.elcr = 0x20;
	set_chip(c.vm, &chip);
	EXPECT_EQ(inb(&c, PIC_M_DATA), 0xf7);
	EXPECT_EQ(inb(&c, ELCR_M), 0x20);
	outb(&c, PIC_M, OCW3_READ_IRR);
	EXPECT_EQ(inb(&c, PIC_M), 0x08);
	sti(&c);
	EXPECT_EQ(count(&c, 0x53), 1);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).isr, 0);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).irr, 0);

	/* The slave's IR1 (IRQ9) through the master's IR2. */
	get_chip(c.vm, KVM_IRQCHIP_PIC_SLAVE, &chip);
	chip.chip.pic.irq_base = 0x60;
	chip.chip.pic.imr = 0xfd;
	chip.chip.pic.irr = 0x02;
	set_chip(c.vm, &chip);
	EXPECT_EQ(count(&c, 0x61), 0);
	outb(&c, PIC_M_DATA, 0xf3);
	EXPECT_EQ(count(&c, 0x61), 1);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_SLAVE).isr, 0);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).isr, 0);
}

/*
 * KVM_SET_IRQCHIP of the IOAPIC: each pin of irr rises anew (KVM's
 * kvm_ioapic_inject_all()): an unmasked edge pin is sent at once and no
 * longer shows in irr, a masked one stays there. IOREGSEL and the ID as set
 * are what the guest reads.
 */
TEST(irqchip_ioapic_set_state_sends)
{
	struct kvm_irqchip chip;
	struct irqc c;

	irqc_new(&c);
	lapic_enable(&c);
	eoi_mode(&c, IRQC_EOI_LAPIC);
	sti(&c);
	get_chip(c.vm, KVM_IRQCHIP_IOAPIC, &chip);
	chip.chip.ioapic.redirtbl[21].bits = 0x47;
	chip.chip.ioapic.redirtbl[22].bits = RTE_MASKED | 0x48;
	chip.chip.ioapic.redirtbl[23].bits = 0x5a00000000000000ULL | RTE_MASKED;
	chip.chip.ioapic.irr = 1U << 21 | 1U << 22;
	chip.chip.ioapic.id = 5;
	chip.chip.ioapic.ioregsel = RTE_HI(23);
	set_chip(c.vm, &chip);
	nop(&c);
	EXPECT_EQ(count(&c, 0x47), 1);
	EXPECT_EQ(count(&c, 0x48), 0);
	EXPECT_EQ(get_ioapic(c.vm).irr, 1U << 22);
	EXPECT_EQ(r32(&c, IOREGSEL), RTE_HI(23));
	EXPECT_EQ(r32(&c, IOWIN), 0x5a000000);
	EXPECT_EQ(ioapic_r(&c, 0), 5U << 24);
}

/* --- The PIC, programmed by the guest --- */

/*
 * Edge-triggered IRQ3 (8259A "Edge and Level Triggered Modes"): one handler
 * run per rising edge; a line held high, or raised again while high, gives
 * no more.
 */
TEST(pic_edge_one_run_per_edge)
{
	struct kvm_pic_state pic;
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	outb(&c, PIC_M_DATA, 0xf7);
	eoi_mode(&c, IRQC_EOI_MASTER);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 3, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 3, 0), 2);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 1);

	EXPECT_EQ(irq_line(c.vm, 3, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 2);
	EXPECT_EQ(irq_line(c.vm, 3, 1), 1);	/* still high: no edge */
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 2);
	EXPECT_EQ(irq_line(c.vm, 3, 0), 2);
	EXPECT_EQ(irq_line(c.vm, 3, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 3);
	EXPECT_EQ(irq_line(c.vm, 3, 0), 2);
	EXPECT_EQ(*gmem(&c, IRQC_LOG_N), 3);

	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.irr, 0);
	EXPECT_EQ(pic.isr, 0);
	EXPECT_EQ(pic.imr, 0xf7);
	EXPECT_EQ(pic.irq_base, MASTER_BASE);
	EXPECT_EQ(pic.init_state, 0);
	EXPECT_EQ(pic.init4, 1);
	EXPECT_EQ(pic.auto_eoi, 0);
}

/*
 * Level-triggered IRQ5 (ELCR bit 5): the request stays in the IRR while the
 * line is high, so after the handler's EOI it runs again; once the line is
 * low the EOI ends it. The handler reports before its EOI, so the host sees
 * each run and lowers the line during the second.
 */
TEST(pic_level_runs_again_while_high)
{
	struct kvm_pic_state pic;
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	outb(&c, ELCR_M, 0x20);
	EXPECT_EQ(inb(&c, ELCR_M), 0x20);
	outb(&c, PIC_M_DATA, 0xdf);
	eoi_mode(&c, IRQC_EOI_MASTER);
	handler_reports(&c, true);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 5, 1), 1);
	EXPECT_EQ(step(&c), IRQC_HANDLER | 0x25);
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.isr, 0x20);
	EXPECT_EQ(pic.irr, 0x20);
	EXPECT_EQ(irq_line(c.vm, 5, 1), 0);	/* already requested */
	EXPECT_EQ(step(&c), IRQC_HANDLER | 0x25);
	EXPECT_EQ(irq_line(c.vm, 5, 0), 2);
	EXPECT_EQ(step(&c), IRQC_IDLE);
	EXPECT_EQ(count(&c, 0x25), 2);
	handler_reports(&c, false);
	nop(&c);
	EXPECT_EQ(count(&c, 0x25), 2);
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.isr, 0);
	EXPECT_EQ(pic.irr, 0);
}

/*
 * A masked IR (OCW1) interrupts nothing; its request waits in the IRR (an
 * edge is latched) and is taken when the guest unmasks it. A masked level
 * line likewise.
 */
TEST(pic_masked_until_unmasked)
{
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	outb(&c, ELCR_M, 0x40);
	eoi_mode(&c, IRQC_EOI_MASTER);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 4, 1), -1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x24), 0);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).irr, 0x10);
	outb(&c, PIC_M_DATA, 0xef);
	EXPECT_EQ(count(&c, 0x24), 1);
	EXPECT_EQ(irq_line(c.vm, 4, 0), 2);
	nop(&c);
	EXPECT_EQ(count(&c, 0x24), 1);

	/* IRQ6, level: taken at the unmask, the line lowered in the handler. */
	EXPECT_EQ(irq_line(c.vm, 6, 1), -1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x26), 0);
	handler_reports(&c, true);
	set_cmd(&c, IRQC_OP_OUTB, PIC_M_DATA, 0xaf);
	EXPECT_EQ(step(&c), IRQC_HANDLER | 0x26);	/* right after the OUT */
	*gmem(&c, IRQC_CMD_OP) = IRQC_OP_NOP;
	EXPECT_EQ(irq_line(c.vm, 6, 0), 2);
	EXPECT_EQ(step(&c), IRQC_IDLE);
	EXPECT_EQ(count(&c, 0x26), 1);
}

/*
 * The slave (8259A "Cascade Mode"): its IRQ10 (level) and IRQ12 (edge)
 * reach the CPU through the master's IR2 with the slave's vectors; both
 * chips hold it in service until the handler's EOIs.
 */
TEST(pic_slave_on_master_ir2)
{
	struct kvm_pic_state master, slave;
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	outb(&c, ELCR_S, 0x04);
	EXPECT_EQ(inb(&c, ELCR_S), 0x04);
	outb(&c, PIC_M_DATA, 0xfb);
	outb(&c, PIC_S_DATA, 0xeb);
	eoi_mode(&c, IRQC_EOI_SLAVE | IRQC_EOI_MASTER);
	handler_reports(&c, true);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 10, 1), 1);
	EXPECT_EQ(step(&c), IRQC_HANDLER | 0x2a);
	master = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	slave = get_pic(c.vm, KVM_IRQCHIP_PIC_SLAVE);
	EXPECT_EQ(master.isr, 0x04);
	EXPECT_EQ(slave.isr, 0x04);
	EXPECT_EQ(slave.irr, 0x04);
	EXPECT_EQ(irq_line(c.vm, 10, 0), 2);
	EXPECT_EQ(step(&c), IRQC_IDLE);
	EXPECT_EQ(count(&c, 0x2a), 1);

	handler_reports(&c, false);
	pulse(c.vm, 12);
	nop(&c);
	EXPECT_EQ(count(&c, 0x2c), 1);
	master = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	slave = get_pic(c.vm, KVM_IRQCHIP_PIC_SLAVE);
	EXPECT_EQ(master.isr, 0);
	EXPECT_EQ(master.irr, 0);
	EXPECT_EQ(slave.isr, 0);
	EXPECT_EQ(slave.irr, 0);
}

/*
 * A request gone before INTA: the slave's level IRQ10 rises (the master
 * latches the edge on IR2) and falls while the guest has IF = 0. At INTA
 * the master answers IR2 but the slave has nothing: the slave's IR7 vector,
 * spurious IRQ15 (8259A "Interrupt Sequence"), in service at the master
 * only; the master's EOI ends it.
 */
TEST(pic_spurious_irq15)
{
	struct kvm_pic_state master, slave;
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	outb(&c, ELCR_S, 0x04);
	outb(&c, PIC_M_DATA, 0xfb);
	outb(&c, PIC_S_DATA, 0xfb);
	eoi_mode(&c, IRQC_EOI_MASTER);

	EXPECT_EQ(irq_line(c.vm, 10, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 10, 0), 2);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).irr, 0x04);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_SLAVE).irr, 0);
	sti(&c);
	EXPECT_EQ(count(&c, SLAVE_BASE + 7), 1);
	EXPECT_EQ(count(&c, 0x2a), 0);
	EXPECT_EQ(*gmem(&c, IRQC_LOG_N), 1);
	master = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	slave = get_pic(c.vm, KVM_IRQCHIP_PIC_SLAVE);
	EXPECT_EQ(master.isr, 0);
	EXPECT_EQ(master.irr, 0);
	EXPECT_EQ(slave.isr, 0);
}

/*
 * ICW4's AEOI (8259A "Automatic End of Interrupt (AEOI) Mode"): the ISR bit
 * goes at INTA, so a handler that sends no EOI still gets the next edge, and
 * OCW2's rotate-in-AEOI moves the lowest priority to the IR just taken.
 * Without AEOI the same handler leaves IRQ3 in service and the next edge
 * waits, until a specific EOI (OCW2 0x63).
 */
TEST(pic_auto_eoi)
{
	struct kvm_pic_state pic;
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086 | ICW4_AEOI);
	outb(&c, PIC_M_DATA, 0xf7);
	eoi_mode(&c, 0);
	sti(&c);
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.auto_eoi, 1);
	EXPECT_EQ(pic.init4, 1);

	pulse(c.vm, 3);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 1);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).isr, 0);
	pulse(c.vm, 3);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 2);

	outb(&c, PIC_M, 0x80);		/* rotate in AEOI mode: set */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).rotate_on_auto_eoi, 1);
	pulse(c.vm, 3);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 3);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).priority_add, 4);
	outb(&c, PIC_M, 0x00);		/* ...clear */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).rotate_on_auto_eoi, 0);

	/* ICW1 again, ICW4 without AEOI. */
	pic_init(&c, ICW4_8086);
	outb(&c, PIC_M_DATA, 0xf7);
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.auto_eoi, 0);
	EXPECT_EQ(pic.priority_add, 0);
	pulse(c.vm, 3);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 4);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).isr, 0x08);
	pulse(c.vm, 3);
	nop(&c);
	EXPECT_EQ(count(&c, 0x23), 4);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).irr, 0x08);
	outb(&c, PIC_M, 0x63);		/* specific EOI, IR3 */
	EXPECT_EQ(count(&c, 0x23), 5);
	outb(&c, PIC_M, 0x63);
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.isr, 0);
	EXPECT_EQ(pic.irr, 0);
}

/*
 * Priorities (8259A "Fully Nested Mode", "Specific Rotation", "Automatic
 * Rotation"): IRQ3 before IRQ5 by default; after OCW2 "set priority" with
 * IR3 lowest, IRQ5 first. A non-specific EOI ends the highest-priority IR in
 * service, a rotating one makes it the lowest; a specific rotate does the
 * same for the IR it names.
 */
TEST(pic_priorities_and_rotation)
{
	struct kvm_pic_state pic;
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	outb(&c, PIC_M_DATA, 0xd7);
	eoi_mode(&c, IRQC_EOI_MASTER);

	pulse(c.vm, 5);
	pulse(c.vm, 3);
	outb(&c, PIC_M, OCW3_READ_IRR);
	EXPECT_EQ(inb(&c, PIC_M), 0x28);
	sti(&c);
	EXPECT_EQ(*gmem(&c, IRQC_LOG_N), 2);
	EXPECT_EQ(logged(&c, 0), 0x23);
	EXPECT_EQ(logged(&c, 1), 0x25);
	cli(&c);

	outb(&c, PIC_M, 0xc3);		/* set priority: IR3 lowest */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).priority_add, 4);
	pulse(c.vm, 3);
	pulse(c.vm, 5);
	sti(&c);
	EXPECT_EQ(*gmem(&c, IRQC_LOG_N), 4);
	EXPECT_EQ(logged(&c, 2), 0x25);
	EXPECT_EQ(logged(&c, 3), 0x23);

	/* The guest's own EOIs from here on. */
	eoi_mode(&c, 0);
	outb(&c, PIC_M, 0xc7);		/* IR7 lowest: the default */
	pulse(c.vm, 3);
	nop(&c);
	outb(&c, PIC_M, OCW3_READ_ISR);
	EXPECT_EQ(inb(&c, PIC_M), 0x08);
	outb(&c, PIC_M, 0xa0);		/* rotate on non-specific EOI */
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.isr, 0);
	EXPECT_EQ(pic.priority_add, 4);

	outb(&c, PIC_M, 0xc7);
	pulse(c.vm, 5);
	nop(&c);
	pulse(c.vm, 3);			/* outranks IR5 in service: nests */
	nop(&c);
	EXPECT_EQ(count(&c, 0x25), 3);
	EXPECT_EQ(count(&c, 0x23), 4);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).isr, 0x28);
	outb(&c, PIC_M, 0x20);		/* non-specific EOI: IR3 */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).isr, 0x20);
	outb(&c, PIC_M, 0xe5);		/* rotate on specific EOI, IR5 */
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.isr, 0);
	EXPECT_EQ(pic.priority_add, 6);
}

/*
 * OCW3 (8259A "Reading the 8259A Status", "The Poll Command", "Special Mask
 * Mode"): IRR or ISR at the command port, IMR at the data port; special
 * mask mode on and off (KVM keeps the bit; it does not change priorities
 * there); a poll acknowledges the highest request and returns it (bit 7
 * set, but on Linux 6.1's KVM), 0x07 with none, at either port; a poll of
 * the slave clears its request on the master's IR2 as well. What was polled
 * is not delivered.
 */
TEST(pic_ocw3_reads_and_poll)
{
	struct kvm_pic_state pic;
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	outb(&c, PIC_M_DATA, 0xf3);
	outb(&c, PIC_S_DATA, 0xf7);
	eoi_mode(&c, IRQC_EOI_SLAVE | IRQC_EOI_MASTER);

	pulse(c.vm, 3);
	outb(&c, PIC_M, OCW3_READ_IRR);
	EXPECT_EQ(inb(&c, PIC_M), 0x08);
	EXPECT_EQ(inb(&c, PIC_M_DATA), 0xf3);
	outb(&c, PIC_M, OCW3_READ_ISR);
	EXPECT_EQ(inb(&c, PIC_M), 0);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).read_reg_select, 1);
	outb(&c, PIC_M, 0x08);		/* RR clear: no change */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).read_reg_select, 1);
	outb(&c, PIC_M, OCW3_READ_IRR);

	outb(&c, PIC_M, 0x68);		/* ESMM, SMM: special mask mode on */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).special_mask, 1);
	outb(&c, PIC_M, 0x28);		/* SMM without ESMM: no change */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).special_mask, 1);
	outb(&c, PIC_M, 0x48);		/* off */
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).special_mask, 0);

	outb(&c, PIC_M, OCW3_POLL);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).poll, 1);
	EXPECT_EQ(inb(&c, PIC_M), poll_word(3));
	pic = get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER);
	EXPECT_EQ(pic.poll, 0);
	EXPECT_EQ(pic.irr, 0);
	EXPECT_EQ(pic.isr, 0);
	outb(&c, PIC_M, OCW3_POLL);
	EXPECT_EQ(inb(&c, PIC_M_DATA), 0x07);
	EXPECT_EQ(inb(&c, PIC_M_DATA), 0xf3);

	pulse(c.vm, 11);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).irr, 0x04);
	outb(&c, PIC_S, OCW3_POLL);
	EXPECT_EQ(inb(&c, PIC_S), poll_word(3));
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).irr, 0);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_SLAVE).irr, 0);

	sti(&c);
	nop(&c);
	EXPECT_EQ(*gmem(&c, IRQC_LOG_N), 0);
}

/*
 * The ELCR (PIIX4 "ELCR1/ELCR2"): IRQ0-2, 8 and 13 cannot be made level
 * (KVM's masks 0xf8, 0xde). 16-bit accesses to the PIC's ports are dropped
 * and read as zeros (KVM). The mask is part of the state: one set with
 * KVM_SET_IRQCHIP rules the next ELCR writes.
 */
TEST(pic_elcr)
{
	struct kvm_irqchip chip;
	struct irqc c;

	irqc_new(&c);
	outb(&c, ELCR_M, 0xff);
	outb(&c, ELCR_S, 0xff);
	EXPECT_EQ(inb(&c, ELCR_M), 0xf8);
	EXPECT_EQ(inb(&c, ELCR_S), 0xde);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_MASTER).elcr, 0xf8);
	EXPECT_EQ(get_pic(c.vm, KVM_IRQCHIP_PIC_SLAVE).elcr, 0xde);

	cmd(&c, IRQC_OP_OUTW, ELCR_M, 0);
	EXPECT_EQ(inb(&c, ELCR_M), 0xf8);
	EXPECT_EQ(cmd(&c, IRQC_OP_INW, ELCR_M, 0), 0);
	EXPECT_EQ(cmd(&c, IRQC_OP_INW, PIC_M, 0), 0);
	outb(&c, ELCR_M, 0);
	EXPECT_EQ(inb(&c, ELCR_M), 0);

	get_chip(c.vm, KVM_IRQCHIP_PIC_MASTER, &chip);
	chip.chip.pic.elcr_mask = 0xff;
	set_chip(c.vm, &chip);
	outb(&c, ELCR_M, 0xff);
	EXPECT_EQ(inb(&c, ELCR_M), 0xff);
}

/*
 * KVM_IRQ_LINE_STATUS on GSIs 3 and 4, which reach PIC and IOAPIC; KVM adds
 * up the answers that are not -1 (kvm_set_irq()). The IOAPIC's pins stay
 * masked: -1 for a raise, 1 for a lowering (ioapic_set_irq()). The PIC's
 * part (kvm_pic_set_irq()): -1 while masked, whatever the level; 0 for a
 * request already in the IRR (coalesced); 1 otherwise, a held edge line
 * included. So a lowering answers the PIC's part + 1. KVM_IRQ_LINE itself
 * returns 0.
 */
TEST(pic_irq_line_status)
{
	struct kvm_irq_level irq = { .irq = 3, .level = 0 };
	struct irqc c;

	irqc_new(&c);
	pic_init(&c, ICW4_8086);
	eoi_mode(&c, IRQC_EOI_MASTER);

	EXPECT_EQ(irq_line(c.vm, 3, 1), -1);
	EXPECT_EQ(irq_line(c.vm, 3, 0), 1);
	outb(&c, PIC_M_DATA, 0xf7);
	EXPECT_EQ(irq_line(c.vm, 3, 1), 0);
	EXPECT_EQ(irq_line(c.vm, 3, 0), 2);
	sti(&c);
	EXPECT_EQ(count(&c, 0x23), 1);
	cli(&c);
	EXPECT_EQ(irq_line(c.vm, 3, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 3, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 3, 0), 2);

	outb(&c, ELCR_M, 0x10);
	outb(&c, PIC_M_DATA, 0xe7);
	EXPECT_EQ(irq_line(c.vm, 4, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 4, 1), 0);
	EXPECT_EQ(irq_line(c.vm, 4, 0), 2);
	EXPECT_EQ(irq_line(c.vm, 4, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 4, 0), 2);

	EXPECT_EQ(ioctl(c.vm->fd, KVM_IRQ_LINE, &irq), 0);
}

/* --- The IOAPIC, programmed by the guest --- */

/*
 * The registers (82093AA 3.1, 3.2): IOREGSEL is 8 bits; version 0x170011
 * (24 entries, version 0x11, read-only); ID bits 27:24 writable, the
 * arbitration ID reads the same and is read-only; a redirection entry keeps
 * every bit written (reserved ones too) but delivery status and remote IRR;
 * registers past the table read all ones. Other offsets read 0 and drop
 * writes, the EOI register at 0x40 (version 0x20 only) among them; 1- and
 * 8-byte accesses reach the register (KVM).
 */
TEST(ioapic_registers)
{
	struct irqc c;

	irqc_new(&c);
	EXPECT_EQ(r32(&c, IOREGSEL), 0);
	w32(&c, IOREGSEL, 0x1ff);
	EXPECT_EQ(r32(&c, IOREGSEL), 0xff);

	EXPECT_EQ(ioapic_r(&c, 1), 0x00170011);
	ioapic_w(&c, 1, 0);
	EXPECT_EQ(ioapic_r(&c, 1), 0x00170011);
	EXPECT_EQ(ioapic_r(&c, 0), 0);
	ioapic_w(&c, 0, 0xffffffff);
	EXPECT_EQ(ioapic_r(&c, 0), 0x0f000000);
	EXPECT_EQ(ioapic_r(&c, 2), 0x0f000000);
	EXPECT_EQ(get_ioapic(c.vm).id, 0xf);
	ioapic_w(&c, 2, 0);
	EXPECT_EQ(ioapic_r(&c, 0), 0x0f000000);
	ioapic_w(&c, 0, 0x05000000);
	EXPECT_EQ(ioapic_r(&c, 2), 0x05000000);

	EXPECT_EQ(ioapic_r(&c, RTE_LO(5)), RTE_MASKED);
	EXPECT_EQ(ioapic_r(&c, RTE_HI(5)), 0);
	ioapic_w(&c, RTE_LO(5), 0xffffffff);
	ioapic_w(&c, RTE_HI(5), 0xffffffff);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(5)), 0xffffafff);
	EXPECT_EQ(ioapic_r(&c, RTE_HI(5)), 0xffffffff);
	EXPECT_EQ(rte_get(c.vm, 5), 0xffffffffffffafffULL);
	rte_set(&c, 5, RTE_MASKED, 0);
	EXPECT_EQ(rte_get(c.vm, 5), RTE_MASKED);

	EXPECT_EQ(ioapic_r(&c, RTE_LO(24)), 0xffffffff);
	EXPECT_EQ(ioapic_r(&c, 0x03), 0xffffffff);
	EXPECT_EQ(ioapic_r(&c, 0xff), 0xffffffff);
	EXPECT_EQ(ioapic_r(&c, RTE_HI(23)), 0);
	ioapic_w(&c, RTE_LO(24), 0);

	EXPECT_EQ(r32(&c, IOAPIC_BASE + 0x20), 0);
	EXPECT_EQ(r32(&c, IOAPIC_EOI_REG), 0);
	EXPECT_EQ(r32(&c, IOAPIC_BASE + 0xf0), 0);
	EXPECT_EQ(r32(&c, IOWIN + 2), 0);
	w32(&c, IOAPIC_EOI_REG, 0x30);
	w32(&c, IOAPIC_BASE + 0x20, 0x30);
	EXPECT_EQ(r32(&c, IOREGSEL), RTE_LO(24));

	w32(&c, IOREGSEL, 1);
	EXPECT_EQ(cmd(&c, IRQC_OP_READ8, IOWIN, 0), 0x11);
	EXPECT_EQ(cmd(&c, IRQC_OP_READ8, IOWIN + 1, 0), 0);
	EXPECT_EQ(cmd(&c, IRQC_OP_READ64, IOWIN, 0), 0x00170011);
	EXPECT_EQ(cmd(&c, IRQC_OP_READ8, IOREGSEL, 0), 1);
	cmd(&c, IRQC_OP_WRITE8, IOREGSEL, RTE_LO(5));
	EXPECT_EQ(r32(&c, IOREGSEL), RTE_LO(5));
	cmd(&c, IRQC_OP_WRITE8, IOWIN, 0x5a);
	EXPECT_EQ(r32(&c, IOWIN), 0x5a);
	cmd(&c, IRQC_OP_WRITE64, IOWIN, 0xdeadbeef00010000ULL);
	EXPECT_EQ(r32(&c, IOWIN), RTE_MASKED);
	EXPECT_EQ(rte_get(c.vm, 5), RTE_MASKED);
}

/*
 * An edge pin (16: the IOAPIC's alone) sends its vector to the LAPIC on
 * each rising edge; the latched edge makes a second raise without a fall
 * coalesce (status 0), and irr leaves out an edge already sent. Masked:
 * -1, nothing sent, not even at the unmask (KVM services only level pins
 * there); the next edge is.
 */
TEST(ioapic_edge)
{
	struct irqc c;

	irqc_new(&c);
	lapic_enable(&c);
	rte_set(&c, 16, 0x40, 0);
	eoi_mode(&c, IRQC_EOI_LAPIC);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 16, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x40), 1);
	EXPECT_EQ(rte_get(c.vm, 16), 0x40);
	EXPECT_EQ(get_ioapic(c.vm).irr, 0);
	EXPECT_EQ(irq_line(c.vm, 16, 1), 0);
	nop(&c);
	EXPECT_EQ(count(&c, 0x40), 1);
	EXPECT_EQ(irq_line(c.vm, 16, 0), 1);
	EXPECT_EQ(irq_line(c.vm, 16, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x40), 2);
	EXPECT_EQ(irq_line(c.vm, 16, 0), 1);

	ioapic_w(&c, RTE_LO(16), RTE_MASKED | 0x40);
	EXPECT_EQ(irq_line(c.vm, 16, 1), -1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x40), 2);
	EXPECT_EQ(get_ioapic(c.vm).irr, 1U << 16);
	ioapic_w(&c, RTE_LO(16), 0x40);
	nop(&c);
	EXPECT_EQ(count(&c, 0x40), 2);
	EXPECT_EQ(irq_line(c.vm, 16, 0), 1);
	EXPECT_EQ(irq_line(c.vm, 16, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x40), 3);
}

/*
 * A level pin (17): sent while high, then held by remote IRR (read-only,
 * 82093AA 3.2.4) until the LAPIC's EOI of its vector; a raise meanwhile
 * answers -1. A write to offset 0x40 (the EOI register of version 0x20
 * IOAPICs) ends nothing. The LAPIC EOI with the line still high sends it
 * again; with the line low it ends it. Making the entry edge-triggered
 * clears remote IRR (KVM, for Linux and Xen).
 */
TEST(ioapic_level_remote_irr)
{
	struct irqc c;

	irqc_new(&c);
	lapic_enable(&c);
	rte_set(&c, 17, RTE_LEVEL | 0x41, 0);
	eoi_mode(&c, 0);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 17, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x41), 1);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(17)), RTE_REMOTE_IRR | RTE_LEVEL | 0x41);
	EXPECT_EQ(rte_get(c.vm, 17), RTE_REMOTE_IRR | RTE_LEVEL | 0x41);
	EXPECT_EQ(get_ioapic(c.vm).irr, 1U << 17);
	EXPECT_EQ(irq_line(c.vm, 17, 1), -1);
	w32(&c, IOAPIC_EOI_REG, 0x41);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(17)), RTE_REMOTE_IRR | RTE_LEVEL | 0x41);
	ioapic_w(&c, RTE_LO(17), RTE_LEVEL | 0x41);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(17)), RTE_REMOTE_IRR | RTE_LEVEL | 0x41);
	nop(&c);
	EXPECT_EQ(count(&c, 0x41), 1);

	lapic_eoi(&c);
	EXPECT_EQ(count(&c, 0x41), 2);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(17)), RTE_REMOTE_IRR | RTE_LEVEL | 0x41);
	EXPECT_EQ(irq_line(c.vm, 17, 0), 1);
	lapic_eoi(&c);
	EXPECT_EQ(count(&c, 0x41), 2);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(17)), RTE_LEVEL | 0x41);
	EXPECT_EQ(rte_get(c.vm, 17), RTE_LEVEL | 0x41);
	EXPECT_EQ(get_ioapic(c.vm).irr, 0);

	EXPECT_EQ(irq_line(c.vm, 17, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x41), 3);
	EXPECT_EQ(irq_line(c.vm, 17, 0), 1);
	ioapic_w(&c, RTE_LO(17), 0x41);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(17)), 0x41);
	lapic_eoi(&c);
	EXPECT_EQ(count(&c, 0x41), 3);
}

/*
 * A level line held high through the handler's own LAPIC EOI runs it again,
 * each time; lowered, the next EOI ends it. The handler reports before its
 * EOI, with remote IRR set.
 */
TEST(ioapic_level_held_runs_again)
{
	struct irqc c;

	irqc_new(&c);
	lapic_enable(&c);
	rte_set(&c, 18, RTE_LEVEL | 0x42, 0);
	eoi_mode(&c, IRQC_EOI_LAPIC);
	handler_reports(&c, true);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 18, 1), 1);
	EXPECT_EQ(step(&c), IRQC_HANDLER | 0x42);
	EXPECT_EQ(rte_get(c.vm, 18), RTE_REMOTE_IRR | RTE_LEVEL | 0x42);
	EXPECT_EQ(step(&c), IRQC_HANDLER | 0x42);
	EXPECT_EQ(step(&c), IRQC_HANDLER | 0x42);
	EXPECT_EQ(irq_line(c.vm, 18, 0), 1);
	EXPECT_EQ(step(&c), IRQC_IDLE);
	EXPECT_EQ(count(&c, 0x42), 3);
	EXPECT_EQ(rte_get(c.vm, 18), RTE_LEVEL | 0x42);
}

/* A masked level pin sends nothing (-1) until the guest unmasks it. */
TEST(ioapic_masked_level_sent_at_unmask)
{
	struct irqc c;

	irqc_new(&c);
	lapic_enable(&c);
	rte_set(&c, 19, RTE_MASKED | RTE_LEVEL | 0x43, 0);
	eoi_mode(&c, 0);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 19, 1), -1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x43), 0);
	EXPECT_EQ(get_ioapic(c.vm).irr, 1U << 19);
	EXPECT_EQ(rte_get(c.vm, 19), RTE_MASKED | RTE_LEVEL | 0x43);
	ioapic_w(&c, RTE_LO(19), RTE_LEVEL | 0x43);
	EXPECT_EQ(count(&c, 0x43), 1);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(19)), RTE_REMOTE_IRR | RTE_LEVEL | 0x43);
	EXPECT_EQ(irq_line(c.vm, 19, 0), 1);
	lapic_eoi(&c);
	EXPECT_EQ(ioapic_r(&c, RTE_LO(19)), RTE_LEVEL | 0x43);
	EXPECT_EQ(count(&c, 0x43), 1);
}

/*
 * A LAPIC not software-enabled (SVR bit 8 clear, its reset state; SDM vol
 * 3A 10.4.7.2) accepts no fixed interrupt: status 0, no handler. Enabled,
 * the next edge arrives (1).
 */
TEST(ioapic_needs_an_enabled_lapic)
{
	struct irqc c;

	irqc_new(&c);
	rte_set(&c, 20, 0x44, 0);
	eoi_mode(&c, IRQC_EOI_LAPIC);
	sti(&c);

	EXPECT_EQ(irq_line(c.vm, 20, 1), 0);
	nop(&c);
	EXPECT_EQ(count(&c, 0x44), 0);
	EXPECT_EQ(irq_line(c.vm, 20, 0), 1);
	lapic_enable(&c);
	EXPECT_EQ(irq_line(c.vm, 20, 1), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x44), 1);
}

/*
 * Delivery modes (82093AA 3.2.4 "Delivery Mode"): lowest priority to the
 * one LAPIC; a logical destination (flat model, the LDR set); NMI (vector
 * ignored: the NMI handler runs); ExtINT, which a LAPIC does not take from
 * the IOAPIC (status 0); INIT to vCPU 1, which then waits for a SIPI
 * (KVM_GET_MP_STATE).
 */
TEST(ioapic_delivery_modes)
{
	struct kvm_mp_state mp;
	struct irqc c;

	irqc_new_vcpus(&c, 2);
	lapic_enable(&c);
	eoi_mode(&c, IRQC_EOI_LAPIC);
	sti(&c);

	rte_set(&c, 21, RTE_MODE(1) | 0x45, 0);
	EXPECT_EQ(irq_line(c.vm, 21, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 21, 0), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x45), 1);

	w32(&c, LAPIC_LDR, 0x01000000);
	rte_set(&c, 21, RTE_LOGICAL | 0x46, 0x01000000);
	EXPECT_EQ(irq_line(c.vm, 21, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 21, 0), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x46), 1);
	rte_set(&c, 21, RTE_LOGICAL | 0x46, 0x02000000);
	pulse(c.vm, 21);
	nop(&c);
	EXPECT_EQ(count(&c, 0x46), 1);

	rte_set(&c, 21, RTE_MODE(4) | 0x47, 0);
	EXPECT_EQ(irq_line(c.vm, 21, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 21, 0), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 2), 1);
	EXPECT_EQ(count(&c, 0x47), 0);

	rte_set(&c, 21, RTE_MODE(7) | 0x48, 0);
	EXPECT_EQ(irq_line(c.vm, 21, 1), 0);
	EXPECT_EQ(irq_line(c.vm, 21, 0), 1);
	nop(&c);
	EXPECT_EQ(count(&c, 0x48), 0);

	/* INIT: vCPU 1 (APIC ID 1) leaves "uninitialized" to wait for a SIPI. */
	ASSERT_OK(ioctl(c.ap->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	rte_set(&c, 21, RTE_MODE(5), 0x01000000);
	EXPECT_EQ(irq_line(c.vm, 21, 1), 1);
	EXPECT_EQ(irq_line(c.vm, 21, 0), 1);
	ASSERT_OK(ioctl(c.ap->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(mp.mp_state, KVM_MP_STATE_INIT_RECEIVED);
	nop(&c);
}
