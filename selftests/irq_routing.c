// SPDX-License-Identifier: GPL-2.0-only
/*
 * GSI routing and MSI injection through the KVM ABI, as KVM answers them
 * (Linux 6.1: virt/kvm/kvm_main.c kvm_vm_ioctl(), virt/kvm/irqchip.c,
 * arch/x86/kvm/irq_comm.c, x86.c; Documentation/virt/kvm/api.rst):
 * - KVM_SET_GSI_ROUTING: the header first (-EFAULT), then an in-kernel
 *   irqchip, nr <= KVM_MAX_IRQ_ROUTES and flags 0 (-EINVAL) before the
 *   entries are read (-EFAULT); then each entry: gsi < KVM_MAX_IRQ_ROUTES,
 *   flags (MSI: only KVM_MSI_VALID_DEVID), type IRQCHIP (PIC pins 0-7,
 *   IOAPIC pins 0-23, not in split mode) or MSI (address_hi[7:0] clear under
 *   32-bit x2APIC IDs), a GSI on each irqchip once and an MSI alone. A
 *   refused table leaves the old one in place.
 * - KVM_CREATE_IRQCHIP installs KVM's default table (GSI 0-15 to the PIC
 *   and IOAPIC pin of that number, 16-23 to the IOAPIC); split mode starts
 *   empty.
 * - KVM_IRQ_LINE(_STATUS): -ENXIO without an irqchip; the status is the sum
 *   of the routes' answers >= 0, or -1.
 * - KVM_SIGNAL_MSI: -EINVAL without an irqchip or with unknown flags; else
 *   the number of LAPICs that took it (-1, EPERM, when none matched).
 * Routes are observed without running a guest through the PIC's and
 * IOAPIC's IRR (KVM_GET_IRQCHIP) and the LAPICs' IRR/TMR (KVM_GET_LAPIC);
 * delivery to a running 64-bit guest is counted by its handlers
 * (guest/irq_routing.S). Every refusal has an accepted twin that differs in
 * the one field refused, so that no check passes by refusing everything.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(irqr_guest);
DECLARE_GUEST_LABEL(irqr_guest, vec_stubs);
DECLARE_GUEST_LABEL(irqr_guest, nmi);

/* As in guest/irq_routing.S. */
#define IRQR_VEC_FIRST		0x40
#define IRQR_COUNTS		(GUEST_DATA_GPA + 0x000)
#define IRQR_TOTAL		(GUEST_DATA_GPA + 0x800)
#define IRQR_EOIS		(GUEST_DATA_GPA + 0x808)
#define IRQR_NMIS		(GUEST_DATA_GPA + 0x810)
#define IRQR_TARGET		(GUEST_DATA_GPA + 0x818)
#define IRQR_LOG_LEN		(GUEST_DATA_GPA + 0x820)
#define IRQR_LOG		(GUEST_DATA_GPA + 0x900)

#define MAX_ROUTES		4096	/* KVM_MAX_IRQ_ROUTES */
#define MAX_RESERVED_PINS	4096	/* KVM's MAX_NR_RESERVED_IOAPIC_PINS */
#define NMI_VECTOR		2

/* LAPIC registers (SDM vol 3A 11.4.1, table 11-1) in kvm_lapic_state. */
#define APIC_ID			0x20
#define APIC_LDR		0xd0
#define APIC_DFR		0xe0
#define APIC_SVR		0xf0
#define APIC_ISR		0x100
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_SVR_ENABLE		0x100
#define APIC_LVT0		0x350
#define LVT_MASKED		0x10000
#define LVT_EXTINT		0x700

/* MSI address/data (SDM vol 3A 11.11.1, 11.11.2). */
#define MSI_BASE		0xfee00000U
#define MSI_DEST(id)		((uint32_t)(id) << 12)
#define MSI_RH			(1U << 3)
#define MSI_LOGICAL		(1U << 2)
#define MSI_DM(m)		((uint32_t)(m) << 8)
#define MSI_LEVEL_ASSERT	(1U << 14)
#define MSI_TRIGGER_LEVEL	(1U << 15)

enum chip_mode { CHIP_NONE, CHIP_KERNEL, CHIP_SPLIT };

static int enable_cap(int fd, uint32_t cap, uint64_t arg0, uint32_t flags)
{
	struct kvm_enable_cap c = { .cap = cap, .flags = flags };

	c.args[0] = arg0;
	return ioctl(fd, KVM_ENABLE_CAP, &c);
}

static struct vm *vm_chip(enum chip_mode mode)
{
	struct vm *vm = vm_new();

	if (mode == CHIP_KERNEL)
		ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	else if (mode == CHIP_SPLIT)
		ASSERT_OK(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0));
	return vm;
}

static struct kvm_irq_routing_entry r_chip(uint32_t gsi, uint32_t chip,
					   uint32_t pin)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = chip, .pin = pin },
	};

	return e;
}

static struct kvm_irq_routing_entry r_msi(uint32_t gsi, uint32_t lo,
					  uint32_t hi, uint32_t data)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = lo, .address_hi = hi, .data = data },
	};

	return e;
}

/* KVM_SET_GSI_ROUTING with nr entries: 0, or -1 with errno. */
static int set_routing(struct vm *vm, const struct kvm_irq_routing_entry *e,
		       uint32_t nr)
{
	struct kvm_irq_routing *r = calloc(1, sizeof(*r) + nr * sizeof(*e));
	int ret, err;

	ASSERT_TRUE(r);
	r->nr = nr;
	if (nr)
		memcpy(r->entries, e, nr * sizeof(*e));
	ret = ioctl(vm->fd, KVM_SET_GSI_ROUTING, r);
	err = errno;
	free(r);
	errno = err;
	return ret;
}

static int32_t line_status(struct vm *vm, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	ASSERT_OK(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l));
	return l.status;
}

static int signal_msi(struct vm *vm, uint32_t lo, uint32_t hi, uint32_t data)
{
	struct kvm_msi m = { .address_lo = lo, .address_hi = hi, .data = data };

	return ioctl(vm->fd, KVM_SIGNAL_MSI, &m);
}

static void get_chip(struct vm *vm, uint32_t id, struct kvm_irqchip *c)
{
	memset(c, 0, sizeof(*c));
	c->chip_id = id;
	ASSERT_OK(ioctl(vm->fd, KVM_GET_IRQCHIP, c));
}

static uint32_t ioapic_irr(struct vm *vm)
{
	struct kvm_irqchip c;

	get_chip(vm, KVM_IRQCHIP_IOAPIC, &c);
	return c.chip.ioapic.irr;
}

/* The PIC pair's IRR as 16 bits: the slave's in 15:8. */
static uint32_t pic_irr(struct vm *vm)
{
	struct kvm_irqchip m, s;

	get_chip(vm, KVM_IRQCHIP_PIC_MASTER, &m);
	get_chip(vm, KVM_IRQCHIP_PIC_SLAVE, &s);
	return m.chip.pic.irr | (uint32_t)s.chip.pic.irr << 8;
}

/* --- LAPIC state (KVM_GET/SET_LAPIC) --- */

static uint32_t *apic_reg(struct kvm_lapic_state *s, unsigned int off)
{
	return (uint32_t *)(s->regs + off);
}

static bool apic_vec(struct kvm_lapic_state *s, unsigned int base, uint8_t v)
{
	return *apic_reg(s, base + 0x10 * (v / 32)) >> (v % 32) & 1;
}

static unsigned int apic_nr_set(struct kvm_lapic_state *s, unsigned int base)
{
	unsigned int i, n = 0;

	for (i = 0; i < 8; i++)
		n += __builtin_popcount(*apic_reg(s, base + 0x10 * i));
	return n;
}

static void get_lapic(struct vcpu *vcpu, struct kvm_lapic_state *s)
{
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, s));
}

/*
 * The LAPIC of vCPU n software-enabled or not, flat logical mode with LDR
 * bit n (SDM vol 3A 11.6.2.2 "Logical Destination Mode"), IRR, ISR and TMR
 * clear.
 */
static void lapic_setup(struct vcpu *vcpu, bool enabled)
{
	struct kvm_lapic_state s;
	unsigned int i;

	get_lapic(vcpu, &s);
	ASSERT_EQ(*apic_reg(&s, APIC_ID) >> 24, vcpu->id);
	*apic_reg(&s, APIC_SVR) = 0xff | (enabled ? APIC_SVR_ENABLE : 0);
	*apic_reg(&s, APIC_DFR) = 0xffffffff;
	*apic_reg(&s, APIC_LDR) = (1U << vcpu->id) << 24;
	for (i = 0; i < 8; i++) {
		*apic_reg(&s, APIC_IRR + 0x10 * i) = 0;
		*apic_reg(&s, APIC_ISR + 0x10 * i) = 0;
		*apic_reg(&s, APIC_TMR + 0x10 * i) = 0;
	}
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_LAPIC, &s));
}

/* ------------------------------------------------------------------ */

TEST(caps)
{
	struct vm *vm = vm_new();
	int fds[2] = { vm->sys_fd, vm->fd };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING),
			  MAX_ROUTES);
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION,
				KVM_CAP_IRQ_INJECT_STATUS), 1);
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI), 1);
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP), 1);
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION,
				KVM_CAP_SPLIT_IRQCHIP), 1);
	}
}

/*
 * Without an irqchip: KVM_SET_GSI_ROUTING is -EINVAL whatever it holds,
 * KVM_IRQ_LINE(_STATUS) -ENXIO, KVM_SIGNAL_MSI -EINVAL; a bad pointer is
 * -EFAULT first. The same calls then succeed once KVM_CREATE_IRQCHIP ran.
 */
TEST(no_irqchip)
{
	struct kvm_irq_routing_entry e = r_chip(0, KVM_IRQCHIP_IOAPIC, 0);
	struct kvm_irq_level l = { .irq = 4, .level = 1 };
	struct kvm_msi m = { .address_lo = MSI_BASE, .data = 0x30 };
	struct vm *vm = vm_chip(CHIP_NONE);

	EXPECT_ERRNO(set_routing(vm, NULL, 0), EINVAL);
	EXPECT_ERRNO(set_routing(vm, &e, 1), EINVAL);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, (void *)8), EFAULT);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE, &l), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE, (void *)8), EFAULT);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, (void *)8), EFAULT);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), EINVAL);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, (void *)8), EFAULT);
	EXPECT_EQ(l.irq, 4);	/* nothing written back */

	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_EQ(set_routing(vm, &e, 1), 0);
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE, &l), 0);
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &l), 0);
	/* No vCPU: no LAPIC matches (kvm_irq_delivery_to_apic() -1). */
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), EPERM);
}

/*
 * KVM_CREATE_IRQCHIP's table, seen in the PIC's and IOAPIC's IRR (the
 * IOAPIC's pins are masked after reset, but a rising level still sets its
 * IRR bit; the PIC's IMR is clear). GSI n < 16 raises PIC pin n and IOAPIC
 * pin n, 16-23 only the IOAPIC pin, 24 and above nothing. Lowering the
 * line gives 1 per chip (both answer 1 to a falling level), which counts
 * the routes of each GSI.
 */
TEST(default_routing)
{
	struct vm *vm = vm_chip(CHIP_KERNEL);
	uint32_t gsi, pic0, pic1, io0, io1;

	for (gsi = 0; gsi < 24; gsi++) {
		pic0 = pic_irr(vm);
		io0 = ioapic_irr(vm);
		/* PIC: 1 (a new request); IOAPIC: -1 (masked). */
		EXPECT_EQ(line_status(vm, gsi, 1), gsi < 16 ? 1 : -1);
		pic1 = pic_irr(vm);
		io1 = ioapic_irr(vm);
		EXPECT_EQ(io1 & ~io0, 1U << gsi);
		/* The slave's output raises the master's IR2 (cascade). */
		if (gsi >= 8)
			pic1 &= ~(1U << 2), pic0 &= ~(1U << 2);
		EXPECT_EQ(pic1 & ~pic0, gsi < 16 ? 1U << gsi : 0);
		if (th_failed)
			TH_LOG("GSI %u", gsi);
		EXPECT_EQ(line_status(vm, gsi, 0), gsi < 16 ? 2 : 1);
		EXPECT_EQ(ioapic_irr(vm) & (1U << gsi), 0);
		TH_END_IF_FAILED();
	}
	EXPECT_EQ(line_status(vm, 24, 0), -1);
	EXPECT_EQ(line_status(vm, 24, 1), -1);
	EXPECT_EQ(line_status(vm, MAX_ROUTES - 1, 1), -1);
	EXPECT_EQ(line_status(vm, 0xffffffff, 1), -1);
}

/*
 * KVM_IRQ_LINE_STATUS, step by step, on routed lines after reset (kvm_set_irq()
 * over kvm_pic_set_irq() and kvm_ioapic_set_irq()):
 * - GSI 4 (PIC + masked IOAPIC): raise 1 (PIC new), raise again 1 (PIC:
 *   the edge is not new, the answer stays 1; IOAPIC: no change, 0), lower 2,
 *   raise 0 (PIC: IRR still set, coalesced; IOAPIC masked);
 * - GSI 20 (masked IOAPIC only): -1, 0, 1, -1;
 * - any non-zero level is a raise.
 * KVM_IRQ_LINE returns 0 and writes nothing back.
 */
TEST(irq_line_status)
{
	static const struct { uint32_t gsi, level; int32_t status; } steps[] = {
		{ 4, 1, 1 }, { 4, 1, 1 }, { 4, 0, 2 }, { 4, 1, 0 },
		{ 20, 1, -1 }, { 20, 1, 0 }, { 20, 0, 1 }, { 20, 1, -1 },
		{ 21, 0x80000000, -1 }, { 21, 7, 0 }, { 21, 0, 1 },
		{ 9, 0, 2 }, { 9, 2, 1 },
	};
	struct vm *vm = vm_chip(CHIP_KERNEL);
	struct kvm_irq_level l = { .irq = 22, .level = 1 };
	unsigned int i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		EXPECT_EQ(line_status(vm, steps[i].gsi, steps[i].level),
			  steps[i].status);
		if (th_failed) {
			TH_LOG("step %u: GSI %u level %#x", i, steps[i].gsi,
			       steps[i].level);
			break;
		}
	}
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE, &l), 0);
	EXPECT_EQ(l.irq, 22);
	EXPECT_EQ(l.level, 1);
	EXPECT_TRUE(ioapic_irr(vm) & (1U << 22));
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE, &l), 0);
	EXPECT_EQ(line_status(vm, 22, 1), 0);	/* KVM_IRQ_LINE raised it */
}

/*
 * KVM_IRQ_LINE_STATUS reads, injects, then writes the status back: from a
 * read-only page it is -EFAULT after the line moved; KVM_IRQ_LINE only
 * reads and succeeds from the same page.
 */
TEST(irq_line_readonly_arg)
{
	struct vm *vm = vm_chip(CHIP_KERNEL);
	struct kvm_irq_level *l;

	l = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(l != MAP_FAILED);
	l->irq = 20;
	l->level = 1;
	ASSERT_OK(mprotect(l, getpagesize(), PROT_READ));
	EXPECT_ERRNO(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, l), EFAULT);
	EXPECT_TRUE(ioapic_irr(vm) & (1U << 20));
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE, l), 0);
	EXPECT_EQ(l->irq, 20);
	EXPECT_EQ(line_status(vm, 20, 0), 1);
	EXPECT_EQ(ioapic_irr(vm) & (1U << 20), 0);
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE, l), 0);
	EXPECT_TRUE(ioapic_irr(vm) & (1U << 20));
}

/*
 * The header's checks come before the entries are read: nr above
 * KVM_MAX_IRQ_ROUTES or flags set is -EINVAL even when the entries are
 * unreadable; an unreadable entry is -EFAULT for nr > 0 and never read for
 * nr 0. nr = 0 empties the table; nr = KVM_MAX_IRQ_ROUTES is accepted.
 */
TEST(gsi_routing_header)
{
	struct vm *vm = vm_chip(CHIP_KERNEL);
	long page = getpagesize();
	struct kvm_irq_routing *hdr;
	struct kvm_irq_routing_entry *many;
	struct vcpu *vcpu;
	uint8_t *p;
	uint32_t i;

	/* The header in the last bytes of a page, entries on a PROT_NONE one. */
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_OK(mprotect(p + page, page, PROT_NONE));
	hdr = (struct kvm_irq_routing *)(p + page - sizeof(*hdr));

	EXPECT_EQ(line_status(vm, 3, 0), 2);	/* the default table */
	hdr->nr = MAX_ROUTES + 1;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, hdr), EINVAL);
	hdr->nr = 0xffffffff;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, hdr), EINVAL);
	hdr->nr = 1;
	hdr->flags = 1;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, hdr), EINVAL);
	hdr->flags = 0x80000000;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, hdr), EINVAL);
	hdr->flags = 0;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, hdr), EFAULT);
	/* The header itself half unreadable. */
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, p + page - 4), EFAULT);
	EXPECT_EQ(line_status(vm, 3, 0), 2);	/* all refused: unchanged */
	hdr->nr = 0;
	EXPECT_EQ(ioctl(vm->fd, KVM_SET_GSI_ROUTING, hdr), 0);
	EXPECT_EQ(line_status(vm, 3, 0), -1);	/* empty */
	EXPECT_EQ(line_status(vm, 0, 1), -1);

	/* A full table: MSIs on every GSI, the last one delivered. */
	vcpu = vcpu_new(vm, 0);
	many = calloc(MAX_ROUTES, sizeof(*many));
	ASSERT_TRUE(many);
	for (i = 0; i < MAX_ROUTES; i++)
		many[i] = r_msi(i, MSI_BASE, 0, 0x30 + i % 16);
	EXPECT_EQ(set_routing(vm, many, MAX_ROUTES), 0);
	/* The LAPIC is software-disabled after reset: matched, not taken. */
	EXPECT_EQ(line_status(vm, MAX_ROUTES - 1, 1), 0);
	EXPECT_EQ(line_status(vm, MAX_ROUTES - 1, 0), -1);
	lapic_setup(vcpu, true);
	EXPECT_EQ(line_status(vm, MAX_ROUTES - 1, 1), 1);
	EXPECT_EQ(line_status(vm, 0, 1), 1);
	many[0].gsi = MAX_ROUTES;
	EXPECT_ERRNO(set_routing(vm, many, MAX_ROUTES), EINVAL);
	EXPECT_EQ(line_status(vm, 0, 1), 1);	/* the full table stayed */
	free(many);
}

/*
 * One table per row, installed over a marker table (GSI 100 to IOAPIC pin
 * 1): accepted rows replace it, refused ones leave it. An accepted row's
 * first GSI then answers what its routes answer: a falling level gives 1
 * per irqchip route, a rising one on an MSI route 0 (the vCPU's LAPIC is
 * software-disabled: matched, not accepted), where an unrouted GSI gives -1.
 */
struct route_row {
	const char *name;
	int err;			/* 0: accepted */
	unsigned int nr;
	struct kvm_irq_routing_entry e[3];
};

#define CHIP(g, c, p)		r_chip_c(g, c, p)
#define IOAPIC(g, p)		CHIP(g, KVM_IRQCHIP_IOAPIC, p)
#define MASTER(g, p)		CHIP(g, KVM_IRQCHIP_PIC_MASTER, p)
#define SLAVE(g, p)		CHIP(g, KVM_IRQCHIP_PIC_SLAVE, p)
#define MSI(g, lo, hi, d)						\
	{ .gsi = (g), .type = KVM_IRQ_ROUTING_MSI,			\
	  .u.msi = { .address_lo = (lo), .address_hi = (hi), .data = (d) } }
#define r_chip_c(g, c, p)						\
	{ .gsi = (g), .type = KVM_IRQ_ROUTING_IRQCHIP,			\
	  .u.irqchip = { .irqchip = (c), .pin = (p) } }

static const struct route_row route_rows[] = {
	{ "IOAPIC pin 0", 0, 1, { IOAPIC(7, 0) } },
	{ "IOAPIC pin 23", 0, 1, { IOAPIC(7, 23) } },
	{ "IOAPIC pin 24", EINVAL, 1, { IOAPIC(7, 24) } },
	{ "IOAPIC pin ~0", EINVAL, 1, { IOAPIC(7, 0xffffffff) } },
	{ "PIC master pin 7", 0, 1, { MASTER(7, 7) } },
	{ "PIC master pin 8", EINVAL, 1, { MASTER(7, 8) } },
	{ "PIC slave pin 7", 0, 1, { SLAVE(7, 7) } },
	{ "PIC slave pin 8", EINVAL, 1, { SLAVE(7, 8) } },
	{ "irqchip 3", EINVAL, 1, { CHIP(7, 3, 0) } },
	{ "irqchip ~0", EINVAL, 1, { CHIP(7, 0xffffffff, 0) } },
	{ "GSI 4095", 0, 1, { IOAPIC(4095, 5) } },
	{ "GSI 4096", EINVAL, 1, { IOAPIC(4096, 5) } },
	{ "GSI ~0", EINVAL, 1, { IOAPIC(0xffffffff, 5) } },
	{ "GSI 4096 after a valid entry", EINVAL, 2,
	  { IOAPIC(7, 5), IOAPIC(4096, 5) } },
	{ "MSI", 0, 1, { MSI(7, MSI_BASE, 0, 0x30) } },
	{ "MSI, address_hi ignored without 32-bit IDs", 0, 1,
	  { MSI(7, MSI_BASE, 0xffffffff, 0x30) } },
	{ "MSI with bad entry after it", EINVAL, 2,
	  { MSI(7, MSI_BASE, 0, 0x30), IOAPIC(8, 24) } },
	{ "IRQCHIP entry flags 1", EINVAL, 1,
	  { { .gsi = 7, .type = KVM_IRQ_ROUTING_IRQCHIP, .flags = 1,
	      .u.irqchip = { KVM_IRQCHIP_IOAPIC, 1 } } } },
	{ "MSI entry flags KVM_MSI_VALID_DEVID", 0, 1,
	  { { .gsi = 7, .type = KVM_IRQ_ROUTING_MSI,
	      .flags = KVM_MSI_VALID_DEVID,
	      .u.msi = { .address_lo = MSI_BASE, .data = 0x30 } } } },
	{ "MSI entry flags 2", EINVAL, 1,
	  { { .gsi = 7, .type = KVM_IRQ_ROUTING_MSI, .flags = 2,
	      .u.msi = { .address_lo = MSI_BASE, .data = 0x30 } } } },
	{ "type 0", EINVAL, 1, { { .gsi = 7, .type = 0 } } },
	{ "type 3 (s390 adapter)", EINVAL, 1, { { .gsi = 7, .type = 3 } } },
	{ "type 6", EINVAL, 1, { { .gsi = 7, .type = 6 } } },
	{ "type ~0", EINVAL, 1, { { .gsi = 7, .type = 0xffffffff } } },
	{ "IOAPIC and PIC master", 0, 2, { IOAPIC(7, 3), MASTER(7, 3) } },
	{ "PIC master, slave and IOAPIC", 0, 3,
	  { MASTER(7, 1), SLAVE(7, 1), IOAPIC(7, 1) } },
	{ "IOAPIC twice, same pin", EINVAL, 2, { IOAPIC(7, 3), IOAPIC(7, 3) } },
	{ "IOAPIC twice, other pin", EINVAL, 2, { IOAPIC(7, 3), IOAPIC(7, 4) } },
	{ "PIC master twice", EINVAL, 2, { MASTER(7, 3), MASTER(7, 4) } },
	{ "MSI and IOAPIC", EINVAL, 2, { MSI(7, MSI_BASE, 0, 0x30), IOAPIC(7, 3) } },
	{ "IOAPIC and MSI", EINVAL, 2, { IOAPIC(7, 3), MSI(7, MSI_BASE, 0, 0x30) } },
	{ "MSI twice", EINVAL, 2,
	  { MSI(7, MSI_BASE, 0, 0x30), MSI(7, MSI_BASE, 0, 0x31) } },
	{ "one IOAPIC pin from two GSIs", 0, 2, { IOAPIC(7, 3), IOAPIC(8, 3) } },
	{ "MSI on two GSIs", 0, 2,
	  { MSI(7, MSI_BASE, 0, 0x30), MSI(8, MSI_BASE, 0, 0x30) } },
};

static int row_probe(struct vm *vm, const struct route_row *row)
{
	uint32_t gsi = row->e[0].gsi;
	unsigned int i, chips = 0;

	for (i = 0; i < row->nr; i++)
		if (row->e[i].gsi == gsi && row->e[i].type == KVM_IRQ_ROUTING_IRQCHIP)
			chips++;
	if (chips)
		return line_status(vm, gsi, 0) == (int32_t)chips;
	return line_status(vm, gsi, 1) == 0 && line_status(vm, gsi, 0) == -1;
}

static void route_table(enum chip_mode mode)
{
	struct kvm_irq_routing_entry marker = r_chip(100, KVM_IRQCHIP_IOAPIC, 1);
	struct vm *vm = vm_chip(mode);
	bool failed = false;
	unsigned int i;
	int err;

	vcpu_new(vm, 0);
	for (i = 0; i < sizeof(route_rows) / sizeof(route_rows[0]); i++) {
		const struct route_row *row = &route_rows[i];
		bool chip = false;
		unsigned int j;

		for (j = 0; j < row->nr; j++)
			chip |= row->e[j].type == KVM_IRQ_ROUTING_IRQCHIP;
		/* Split mode: no IRQCHIP entry (nor the marker) exists. */
		if (mode == CHIP_SPLIT) {
			marker = r_msi(100, MSI_BASE, 0, 0x3f);
			err = chip ? EINVAL : row->err;
		} else {
			err = row->err;
		}
		ASSERT_EQ(set_routing(vm, &marker, 1), 0);
		errno = 0;
		EXPECT_EQ(set_routing(vm, row->e, row->nr), err ? -1 : 0);
		EXPECT_EQ(errno, err);
		/*
		 * The marker: an IOAPIC route answers 1 to a falling line; in
		 * split mode an MSI route answers 0 to a rising one (matched,
		 * software-disabled LAPIC); gone, both answer -1.
		 */
		if (mode == CHIP_SPLIT)
			EXPECT_EQ(line_status(vm, 100, 1), err ? 0 : -1);
		else
			EXPECT_EQ(line_status(vm, 100, 0), err ? 1 : -1);
		if (!err)
			EXPECT_TRUE(row_probe(vm, row));
		/* Every row is checked and every failing one named. */
		if (th_failed) {
			TH_LOG("row \"%s\"", row->name);
			failed = true;
		}
		th_failed = false;
	}
	th_failed = failed;
}

TEST(gsi_routing_entries)
{
	route_table(CHIP_KERNEL);
}

TEST(gsi_routing_entries_split)
{
	route_table(CHIP_SPLIT);
}

/*
 * With 32-bit x2APIC IDs (KVM_CAP_X2APIC_API, KVM_X2APIC_API_USE_32BIT_IDS)
 * address_hi[31:8] is destination ID 31:8 and address_hi[7:0] is reserved:
 * such routes and KVM_SIGNAL_MSIs are -EINVAL, and a route accepted before
 * the switch is no longer delivered (-1).
 */
TEST(msi_x2apic_format)
{
	struct vm *vm = vm_chip(CHIP_KERNEL);
	struct kvm_irq_routing_entry e[2] = {
		r_msi(5, MSI_BASE, 1, 0x30), r_msi(6, MSI_BASE, 0x100, 0x31),
	};
	struct vcpu *vcpu = vcpu_new(vm, 0);

	lapic_setup(vcpu, true);
	ASSERT_EQ(set_routing(vm, e, 2), 0);
	EXPECT_EQ(line_status(vm, 5, 1), 1);
	EXPECT_EQ(line_status(vm, 6, 1), 1);	/* dest 0: hi ignored */
	EXPECT_EQ(signal_msi(vm, MSI_BASE, 1, 0x32), 1);

	ASSERT_OK(enable_cap(vm->fd, KVM_CAP_X2APIC_API,
			     KVM_X2APIC_API_USE_32BIT_IDS, 0));
	EXPECT_EQ(line_status(vm, 5, 1), -1);	/* kvm_msi_route_invalid() */
	EXPECT_EQ(line_status(vm, 6, 1), 0);	/* dest 0x100: no such LAPIC */
	EXPECT_ERRNO(signal_msi(vm, MSI_BASE, 1, 0x32), EINVAL);
	EXPECT_ERRNO(signal_msi(vm, MSI_BASE, 0x80, 0x32), EINVAL);
	EXPECT_EQ(signal_msi(vm, MSI_BASE, 0x100, 0x32), 0);
	EXPECT_EQ(signal_msi(vm, MSI_BASE, 0, 0x32), 1);
	EXPECT_ERRNO(set_routing(vm, e, 2), EINVAL);
	EXPECT_EQ(set_routing(vm, &e[1], 1), 0);
	e[0].u.msi.address_hi = 0;
	EXPECT_EQ(set_routing(vm, e, 1), 0);
	EXPECT_EQ(line_status(vm, 5, 1), 1);
}

/* KVM_SIGNAL_MSI's flags and its answers without a guest running. */
TEST(signal_msi_errnos)
{
	struct vm *vm = vm_chip(CHIP_KERNEL);
	struct kvm_msi m = { .address_lo = MSI_BASE, .data = 0x30 };
	struct vcpu *vcpu;

	m.flags = 2;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), EINVAL);
	m.flags = 0x80000000;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), EINVAL);
	m.flags = 0;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), EPERM);	/* no vCPU */
	vcpu = vcpu_new(vm, 0);
	EXPECT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), 0);	/* disabled */
	lapic_setup(vcpu, true);
	EXPECT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), 1);
	m.flags = KVM_MSI_VALID_DEVID;		/* accepted, ignored on x86 */
	m.devid = 0x1234;
	EXPECT_EQ(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), 1);
	m.flags = KVM_MSI_VALID_DEVID | 2;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SIGNAL_MSI, &m), EINVAL);
}

/*
 * MSI decoding (SDM vol 3A 11.11.1, 11.11.2) seen in two LAPICs' IRR and
 * TMR: vCPU n has APIC ID n and logical ID bit n (flat model). Each row is
 * sent by KVM_SIGNAL_MSI and, in a fresh LAPIC state, by an MSI route and
 * KVM_IRQ_LINE_STATUS; both answer ret.
 */
#define TO_ONE	0x100		/* exactly one of the two (lowest priority) */
static const struct msi_row {
	const char *name;
	uint32_t lo, hi, data;
	int ret;
	unsigned int to;	/* vCPUs whose IRR gets the vector */
	bool tmr;
} msi_rows[] = {
	{ "physical 0", MSI_BASE | MSI_DEST(0), 0, 0x30, 1, 1, false },
	{ "physical 1", MSI_BASE | MSI_DEST(1), 0, 0x31, 1, 2, false },
	{ "physical broadcast", MSI_BASE | MSI_DEST(0xff), 0, 0x32, 2, 3, false },
	{ "physical ID 2 (none)", MSI_BASE | MSI_DEST(2), 0, 0x33, 0, 0, false },
	{ "logical 1", MSI_BASE | MSI_LOGICAL | MSI_DEST(1), 0, 0x34, 1, 1, false },
	{ "logical 2", MSI_BASE | MSI_LOGICAL | MSI_DEST(2), 0, 0x35, 1, 2, false },
	{ "logical 3", MSI_BASE | MSI_LOGICAL | MSI_DEST(3), 0, 0x36, 2, 3, false },
	{ "logical 3, redirection hint",
	  MSI_BASE | MSI_LOGICAL | MSI_RH | MSI_DEST(3), 0, 0x37, 1, TO_ONE, false },
	{ "logical 4 (none)", MSI_BASE | MSI_LOGICAL | MSI_DEST(4), 0, 0x38, 0, 0, false },
	{ "lowest priority, physical 1", MSI_BASE | MSI_DEST(1), 0,
	  MSI_DM(1) | 0x39, 1, 2, false },
	{ "level trigger, level bit clear", MSI_BASE | MSI_DEST(0), 0,
	  MSI_TRIGGER_LEVEL | 0x3a, 1, 1, true },
	{ "level trigger, level bit set", MSI_BASE | MSI_DEST(1), 0,
	  MSI_TRIGGER_LEVEL | MSI_LEVEL_ASSERT | 0x3b, 1, 2, true },
	{ "edge, level bit set", MSI_BASE | MSI_DEST(1), 0,
	  MSI_LEVEL_ASSERT | 0x3c, 1, 2, false },
	{ "base address not checked", MSI_DEST(1), 0, 0x3d, 1, 2, false },
	{ "address_hi ignored", MSI_BASE | MSI_DEST(0), 0xffffffff, 0x3e, 1, 1, false },
	{ "vector 0xef", MSI_BASE | MSI_DEST(0), 0, 0xef, 1, 1, false },
};

static void msi_check(struct vcpu **vcpus, const struct msi_row *row,
		      const char *how)
{
	uint8_t v = row->data & 0xff;
	unsigned int i, got = 0;

	for (i = 0; i < 2; i++) {
		struct kvm_lapic_state s;

		get_lapic(vcpus[i], &s);
		if (apic_vec(&s, APIC_IRR, v))
			got |= 1U << i;
		/* Nothing else arrived, and the TMR says the trigger mode. */
		EXPECT_EQ(apic_nr_set(&s, APIC_IRR), apic_vec(&s, APIC_IRR, v));
		if (apic_vec(&s, APIC_IRR, v))
			EXPECT_EQ(apic_vec(&s, APIC_TMR, v), row->tmr);
	}
	if (row->to == TO_ONE)
		EXPECT_TRUE(got == 1 || got == 2);
	else
		EXPECT_EQ(got, row->to);
	if (th_failed)
		TH_LOG("row \"%s\" by %s", row->name, how);
}

TEST(msi_decode)
{
	struct vm *vm = vm_chip(CHIP_KERNEL);
	struct vcpu *vcpus[2] = { vcpu_new(vm, 0), vcpu_new(vm, 1) };
	unsigned int i;

	for (i = 0; i < sizeof(msi_rows) / sizeof(msi_rows[0]); i++) {
		const struct msi_row *row = &msi_rows[i];
		struct kvm_irq_routing_entry e = r_msi(40, row->lo, row->hi,
						       row->data);

		lapic_setup(vcpus[0], true);
		lapic_setup(vcpus[1], true);
		EXPECT_EQ(signal_msi(vm, row->lo, row->hi, row->data), row->ret);
		msi_check(vcpus, row, "KVM_SIGNAL_MSI");

		lapic_setup(vcpus[0], true);
		lapic_setup(vcpus[1], true);
		ASSERT_EQ(set_routing(vm, &e, 1), 0);
		EXPECT_EQ(line_status(vm, 40, 0), -1);	/* no message */
		EXPECT_EQ(line_status(vm, 40, 1), row->ret);
		msi_check(vcpus, row, "route");
		TH_END_IF_FAILED();
	}

	/* A software-disabled LAPIC matches but does not accept. */
	lapic_setup(vcpus[0], true);
	lapic_setup(vcpus[1], false);
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(1), 0, 0x31), 0);
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0xff), 0, 0x32), 1);
	msi_check(vcpus, &(struct msi_row){ "disabled", 0, 0, 0x32, 1, 1, false },
		  "KVM_SIGNAL_MSI");
}

/* --- split mode --- */

/*
 * KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): args[0] (pins routed to userspace's
 * IOAPIC) at most 4096, flags 0 (-EINVAL); -EEXIST twice, after
 * KVM_CREATE_IRQCHIP, or once a vCPU exists; KVM_CREATE_IRQCHIP after it
 * -EEXIST.
 */
TEST(split_irqchip_enable)
{
	struct vm *vm = vm_new();

	EXPECT_ERRNO(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP,
				MAX_RESERVED_PINS + 1, 0), EINVAL);
	EXPECT_ERRNO(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, 24, 1), EINVAL);
	EXPECT_EQ(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, MAX_RESERVED_PINS, 0), 0);
	EXPECT_ERRNO(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0), EEXIST);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0), EEXIST);

	vm = vm_new();
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_ERRNO(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0), EEXIST);

	vm = vm_new();
	vcpu_new(vm, 0);
	EXPECT_ERRNO(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0), EEXIST);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0), EINVAL);

	vm = vm_new();
	EXPECT_EQ(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, 0, 0), 0);
}

/*
 * Split mode: the table starts empty, IRQCHIP routes are refused, MSI
 * routes and KVM_SIGNAL_MSI reach the in-kernel LAPICs, KVM_IRQ_LINE works
 * (no -ENXIO).
 */
TEST(split_irqchip_routing)
{
	struct vm *vm = vm_chip(CHIP_SPLIT);
	struct kvm_irq_routing_entry chip = r_chip(3, KVM_IRQCHIP_IOAPIC, 3);
	struct kvm_irq_routing_entry pic = r_chip(3, KVM_IRQCHIP_PIC_MASTER, 3);
	struct kvm_irq_routing_entry msi = r_msi(3, MSI_BASE, 0, 0x30);
	struct kvm_irq_level l = { .irq = 3, .level = 1 };
	struct vcpu *vcpu;

	EXPECT_EQ(line_status(vm, 3, 0), -1);
	EXPECT_EQ(line_status(vm, 3, 1), -1);
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE, &l), 0);
	EXPECT_ERRNO(set_routing(vm, &chip, 1), EINVAL);
	EXPECT_ERRNO(set_routing(vm, &pic, 1), EINVAL);
	EXPECT_EQ(set_routing(vm, &msi, 1), 0);
	EXPECT_EQ(line_status(vm, 3, 1), -1);	/* no vCPU: no LAPIC */
	EXPECT_ERRNO(signal_msi(vm, MSI_BASE, 0, 0x30), EPERM);
	vcpu = vcpu_new(vm, 0);
	EXPECT_EQ(line_status(vm, 3, 1), 0);	/* software-disabled */
	lapic_setup(vcpu, true);
	EXPECT_EQ(line_status(vm, 3, 1), 1);
	EXPECT_EQ(signal_msi(vm, MSI_BASE, 0, 0x31), 1);
	EXPECT_EQ(set_routing(vm, NULL, 0), 0);
	EXPECT_EQ(line_status(vm, 3, 1), -1);
}

/* --- delivery to a running guest --- */

/* A 64-bit interrupt gate for vector to target (SDM vol 3A 6.14.1). */
static void set_gate(struct vm *vm, unsigned int vector, uint64_t target)
{
	uint32_t *idt = vm_ptr(vm, GUEST_IDT_GPA);

	idt[vector * 4 + 0] = (target & 0xffff) | SEL_CODE64 << 16;
	idt[vector * 4 + 1] = (target & 0xffff0000) | 0x8e00;
	idt[vector * 4 + 2] = target >> 32;
	idt[vector * 4 + 3] = 0;
}

static uint64_t *gmem(struct vm *vm, uint64_t gpa)
{
	return vm_ptr(vm, gpa);
}

/* The guest started, LAPIC enabled by itself, at its first report. */
static struct vm *msi_guest(enum chip_mode mode, struct vcpu **vcpu)
{
	struct vm *vm = vm_chip(CHIP_NONE);
	unsigned int v;

	/* The irqchip before the vCPU: vm_chip() would add no memory. */
	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	if (mode == CHIP_KERNEL)
		ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	else
		ASSERT_OK(enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0));
	vm_load(vm, GUEST_CODE_GPA, GUEST(irqr_guest));
	*vcpu = vcpu_new(vm, 0);
	vcpu_set_mode(*vcpu, VM_MODE_LONG, 0);
	for (v = 0; v < 16; v++)
		set_gate(vm, IRQR_VEC_FIRST + v,
			 GUEST_ADDR(irqr_guest, vec_stubs) + 16 * v);
	set_gate(vm, NMI_VECTOR, GUEST_ADDR(irqr_guest, nmi));
	EXPECT_EQ(vcpu_run_to_report(*vcpu), 0);
	return vm;
}

/* Lets the guest run until its handlers ran target times in all. */
static void guest_round(struct vm *vm, struct vcpu *vcpu, uint64_t target)
{
	*gmem(vm, IRQR_TARGET) = target;
	EXPECT_EQ(vcpu_run_to_report(vcpu), target);
	EXPECT_EQ(*gmem(vm, IRQR_TOTAL), target);
}

static uint64_t count(struct vm *vm, unsigned int vector)
{
	return gmem(vm, IRQR_COUNTS)[vector];
}

static uint64_t logged(struct vm *vm, unsigned int n)
{
	return gmem(vm, IRQR_LOG)[n];
}

/*
 * A guest with its LAPIC enabled takes what KVM_SIGNAL_MSI and an MSI route
 * driven by KVM_IRQ_LINE send: each interrupt once per send, pending ones
 * in priority order (SDM vol 3A 11.8.3.1 "Interrupt Acceptance for Fixed
 * Interrupts"), sends of a vector already in IRR merged into one, NMIs
 * through vector 2, nothing for a destination it is not; an EOI for each.
 */
static void msi_delivery(enum chip_mode mode)
{
	struct kvm_irq_routing_entry e[2] = {
		r_msi(33, MSI_BASE | MSI_DEST(0), 0, 0x44),
		r_msi(34, MSI_BASE | MSI_LOGICAL | MSI_DEST(1), 0,
		      MSI_DM(1) | 0x47),
	};
	struct kvm_irq_level l = { .irq = 34, .level = 1 };
	struct kvm_lapic_state s;
	struct vcpu *vcpu;
	struct vm *vm = msi_guest(mode, &vcpu);

	/* 1: one MSI. */
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0), 0, 0x41), 1);
	guest_round(vm, vcpu, 1);
	EXPECT_EQ(count(vm, 0x41), 1);
	EXPECT_EQ(logged(vm, 0), 0x41);

	/* 2: two pending: the higher vector first. */
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0), 0, 0x42), 1);
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0), 0, 0x43), 1);
	guest_round(vm, vcpu, 3);
	EXPECT_EQ(logged(vm, 1), 0x43);
	EXPECT_EQ(logged(vm, 2), 0x42);

	/* 3: MSI routes: a rising line sends, a falling one does not. */
	ASSERT_EQ(set_routing(vm, e, 2), 0);
	EXPECT_EQ(line_status(vm, 33, 1), 1);
	EXPECT_EQ(line_status(vm, 33, 0), -1);
	EXPECT_EQ(ioctl(vm->fd, KVM_IRQ_LINE, &l), 0);	/* logical, lowest */
	guest_round(vm, vcpu, 5);
	EXPECT_EQ(logged(vm, 3), 0x47);
	EXPECT_EQ(logged(vm, 4), 0x44);

	/* 4: the same vector twice before the guest runs: IRR holds one. */
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0), 0, 0x45), 1);
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0), 0, 0x45), 1);
	guest_round(vm, vcpu, 6);

	/* 5: level-triggered and NMI messages. */
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0), 0,
			     MSI_TRIGGER_LEVEL | MSI_LEVEL_ASSERT | 0x46), 1);
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(0), 0, MSI_DM(4)), 1);
	guest_round(vm, vcpu, 8);

	/* 6: for others: nothing. */
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_DEST(1), 0, 0x48), 0);
	EXPECT_EQ(signal_msi(vm, MSI_BASE | MSI_LOGICAL | MSI_DEST(2), 0,
			     0x48), 0);
	EXPECT_EQ(line_status(vm, 35, 1), -1);
	guest_round(vm, vcpu, 8);
	EXPECT_EQ(line_status(vm, 34, 1), 1);
	guest_round(vm, vcpu, 9);

	EXPECT_EQ(count(vm, 0x41), 1);
	EXPECT_EQ(count(vm, 0x42), 1);
	EXPECT_EQ(count(vm, 0x43), 1);
	EXPECT_EQ(count(vm, 0x44), 1);
	EXPECT_EQ(count(vm, 0x45), 1);
	EXPECT_EQ(count(vm, 0x46), 1);
	EXPECT_EQ(count(vm, 0x47), 2);
	EXPECT_EQ(count(vm, 0x48), 0);
	EXPECT_EQ(*gmem(vm, IRQR_NMIS), 1);
	EXPECT_EQ(*gmem(vm, IRQR_EOIS), 8);
	EXPECT_EQ(*gmem(vm, IRQR_LOG_LEN), 8);

	/* Every interrupt taken and completed: IRR and ISR empty. */
	get_lapic(vcpu, &s);
	EXPECT_EQ(apic_nr_set(&s, APIC_IRR), 0);
	EXPECT_EQ(apic_nr_set(&s, APIC_ISR), 0);
	EXPECT_TRUE(*apic_reg(&s, APIC_SVR) & APIC_SVR_ENABLE);
}

TEST(msi_delivery_guest)
{
	msi_delivery(CHIP_KERNEL);
}

TEST(msi_delivery_guest_split)
{
	msi_delivery(CHIP_SPLIT);
}

/*
 * Split mode: the EOI of a vector that a level-triggered MSI route of one
 * of userspace's IOAPIC pins (GSI < KVM_CAP_SPLIT_IRQCHIP's args[0], 24
 * here) sends exits as KVM_EXIT_IOAPIC_EOI with that vector (KVM's
 * kvm_scan_ioapic_routes(), kvm_ioapic_send_eoi()); the same message on a
 * GSI above the reserved pins, or edge-triggered, does not exit.
 */
TEST(split_eoi_exit)
{
	struct kvm_irq_routing_entry e[3] = {
		r_msi(5, MSI_BASE, 0, MSI_TRIGGER_LEVEL | 0x4a),
		r_msi(6, MSI_BASE, 0, 0x4b),
		r_msi(30, MSI_BASE, 0, MSI_TRIGGER_LEVEL | 0x4c),
	};
	struct vcpu *vcpu;
	struct vm *vm = msi_guest(CHIP_SPLIT, &vcpu);

	ASSERT_EQ(set_routing(vm, e, 3), 0);
	EXPECT_EQ(line_status(vm, 30, 1), 1);
	guest_round(vm, vcpu, 1);
	EXPECT_EQ(line_status(vm, 6, 1), 1);
	guest_round(vm, vcpu, 2);

	EXPECT_EQ(line_status(vm, 5, 1), 1);
	*gmem(vm, IRQR_TARGET) = 3;
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_IOAPIC_EOI);
	EXPECT_EQ(vcpu->run->eoi.vector, 0x4a);
	/* The EOI is done: the handler goes on from after it. */
	EXPECT_EQ(*gmem(vm, IRQR_COUNTS + 8 * 0x4a), 1);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 3);

	EXPECT_EQ(count(vm, 0x4a), 1);
	EXPECT_EQ(count(vm, 0x4b), 1);
	EXPECT_EQ(count(vm, 0x4c), 1);
	EXPECT_EQ(*gmem(vm, IRQR_EOIS), 3);
}

/*
 * Split mode: userspace's PIC asks for an interrupt window
 * (request_interrupt_window) while LINT0 is masked, as Linux leaves it once
 * it uses an IOAPIC. KVM opens no window then (kvm_cpu_accept_dm_intr():
 * ExtINT needs LINT0 unmasked in ExtINT mode), so the guest runs on: here it
 * takes an MSI and reports. With LINT0 in ExtINT mode again, the window
 * opens at once (the guest spins with IF = 1): KVM_EXIT_IRQ_WINDOW_OPEN.
 */
TEST(split_irq_window_needs_lint0)
{
	struct kvm_irq_routing_entry e = r_msi(6, MSI_BASE, 0, 0x4b);
	struct kvm_lapic_state s;
	struct vcpu *vcpu;
	struct vm *vm = msi_guest(CHIP_SPLIT, &vcpu);

	ASSERT_EQ(set_routing(vm, &e, 1), 0);
	get_lapic(vcpu, &s);
	*apic_reg(&s, APIC_LVT0) = LVT_MASKED | LVT_EXTINT;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_LAPIC, &s));
	vcpu->run->request_interrupt_window = 1;
	EXPECT_EQ(line_status(vm, 6, 1), 1);
	guest_round(vm, vcpu, 1);
	EXPECT_EQ(vcpu->run->ready_for_interrupt_injection, 0);

	*apic_reg(&s, APIC_LVT0) = LVT_EXTINT;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_LAPIC, &s));
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ(vcpu->run->ready_for_interrupt_injection, 1);
}
