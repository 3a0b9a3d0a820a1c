// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel 8254 PIT (KVM_CREATE_PIT2, arch/x86/kvm/i8254.c) through the
 * KVM ABI:
 * - KVM_CREATE_PIT2's errnos: -EEXIST for a second one, -ENOENT without the
 *   in-kernel PIC (Linux 6.12; 6.1 created it: the one answer accepted from
 *   6.1, ../shared/TESTING.md), unknown flags and pad ignored; the state and
 *   reinject ioctls -ENXIO without a PIT;
 * - KVM_GET/SET_PIT2 and KVM_GET/SET_PIT: the reset state, channel fields
 *   kept as set, counts of 0 read as 0x10000, channels 1 and 2 counting from
 *   the SET, flags kept as set (HPET_LEGACY stops channel 0, keeping its
 *   mode);
 * - a guest on the ports (8254 datasheet, order number 231244-006, cited by
 *   section): control words, RW formats, Counter Latch and Read-Back
 *   Commands as the host sees them in KVM_GET_PIT2; counts read back never
 *   above the reload and decreasing until terminal count; OUT staying high
 *   after terminal count in mode 0;
 * - channel 0 through the PIC (programmed by ports) to the guest's vector:
 *   periodic modes 2 and 3 keep ticking, one-shot modes 0, 1 and 4 fire
 *   exactly once per count loaded, mode 5 not at all (as KVM);
 * - reinjection: with it (the default) no tick is injected while the last
 *   one is unacked, without it (KVM_REINJECT_CONTROL) the next tick reaches
 *   the PIC's IRR; through the IOAPIC the LAPIC EOI of the edge-triggered
 *   vector is the ack that lets the next tick in;
 * - port 0x61 in the kernel only with KVM_PIT_SPEAKER_DUMMY: gate, speaker
 *   data, OUT of channel 2, the refresh toggle;
 * - VMs destroyed while channel 0 ticks.
 * No case depends on how fast anything runs: waits are for events, each
 * to come eventually (a tick, OUT going high), and what must not happen is
 * checked where nothing else could have made it happen.
 * Guest code: guest/pit.S, a port proxy that does one port access per run.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(pit_proxy);
DECLARE_GUEST_LABEL(pit_proxy, isr);

/* As in guest/pit.S. */
#define PIT_MBOX_OP	(GUEST_DATA_GPA + 0x00)
#define PIT_TICKS	(GUEST_DATA_GPA + 0x10)
#define PIT_EOI		(GUEST_DATA_GPA + 0x18)
#define PIT_EOI_PIC	0
#define PIT_EOI_NONE	1
#define PIT_EOI_LAPIC	2
#define PIT_OP_OUT	1
#define PIT_OP_IN	2
#define PIT_OP_WAIT	3
#define PIT_OP_WINDOW	4
#define PIT_OP_WRITE	5
#define PIT_OP_READ	6

#define PIT_CH(n)	(0x40 + (n))
#define PIT_CTL		0x43
#define SPEAKER		0x61
#define PIC_M_CMD	0x20
#define PIC_M_DATA	0x21
#define PIC_S_CMD	0xa0
#define PIC_S_DATA	0xa1
#define PIC_VECTOR	0x20	/* the master's IR0 */
#define IOAPIC_VECTOR	0x30
#define IOAPIC_SEL	0xfec00000
#define IOAPIC_WIN	0xfec00010
#define LAPIC_SVR	0xfee000f0

/* Control words (8254 datasheet, "Control Word Format"). */
#define CW(ch, rw, mode, bcd)	(((ch) << 6) | ((rw) << 4) | ((mode) << 1) | (bcd))
#define RW_LATCH	0
#define RW_LSB		1
#define RW_MSB		2
#define RW_WORD		3
/* Read-Back Command: COUNT and STATUS are active low; CNTn. */
#define RB(count, status, ch)	(0xc0 | ((count) ? 0 : 0x20) | ((status) ? 0 : 0x10) | (2 << (ch)))
#define ST_OUT		0x80

/* 1193 input clocks of 1.193182 MHz: about 1 ms. */
#define PIT_1MS		1193

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A 64-bit interrupt gate for vector to target (AMD APM vol 2 4.8.4). */
static void set_gate(struct vm *vm, unsigned int vector, uint64_t target)
{
	uint32_t *idt = vm_ptr(vm, GUEST_IDT_GPA);

	idt[vector * 4 + 0] = (target & 0xffff) | SEL_CODE64 << 16;
	idt[vector * 4 + 1] = (target & 0xffff0000) | 0x8e00;
	idt[vector * 4 + 2] = target >> 32;
	idt[vector * 4 + 3] = 0;
}

static int create_pit(int vm_fd, uint32_t flags)
{
	struct kvm_pit_config c = { .flags = flags };

	return ioctl(vm_fd, KVM_CREATE_PIT2, &c);
}

static void get_pit2(struct vm *vm, struct kvm_pit_state2 *s)
{
	memset(s, 0xa5, sizeof(*s));
	ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT2, s));
}

static void set_pit2(struct vm *vm, const struct kvm_pit_state2 *s)
{
	ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT2, s));
}

static void set_reinject(struct vm *vm, bool on)
{
	struct kvm_reinject_control c = { .pit_reinject = on };

	ASSERT_OK(ioctl(vm->fd, KVM_REINJECT_CONTROL, &c));
}

/* A VM with the in-kernel irqchip and a PIT, running the port proxy. */
static struct vm *pit_vm(uint32_t pit_flags, bool reinject,
			 struct vcpu **vcpu)
{
	struct vm *vm = vm_new();

	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	ASSERT_OK(create_pit(vm->fd, pit_flags));
	if (!reinject)
		set_reinject(vm, false);
	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	vm_load(vm, GUEST_CODE_GPA, GUEST(pit_proxy));
	*vcpu = vcpu_new(vm, 0);
	vcpu_set_mode(*vcpu, VM_MODE_LONG, 0);
	set_gate(vm, PIC_VECTOR, GUEST_ADDR(pit_proxy, isr));
	set_gate(vm, IOAPIC_VECTOR, GUEST_ADDR(pit_proxy, isr));
	return vm;
}

static void mailbox(struct vcpu *v, uint32_t op, uint32_t port, uint32_t value)
{
	volatile uint32_t *mbox = vm_ptr(v->vm, PIT_MBOX_OP);

	mbox[0] = op;
	mbox[1] = port;
	mbox[2] = value;
}

static uint32_t proxy(struct vcpu *v, uint32_t op, uint32_t port,
		      uint32_t value)
{
	mailbox(v, op, port, value);
	return vcpu_run_to_report(v);
}

static void gout(struct vcpu *v, uint16_t port, uint8_t val)
{
	proxy(v, PIT_OP_OUT, port, val);
}

static uint8_t gin(struct vcpu *v, uint16_t port)
{
	return proxy(v, PIT_OP_IN, port, 0);
}

/* STI; HLT until the guest counted ticks PIT interrupts: returns its count. */
static uint64_t wait_ticks(struct vcpu *v, uint64_t ticks)
{
	return proxy(v, PIT_OP_WAIT, 0, ticks);
}

/*
 * Interrupts on for at least 0xffff input clocks (about 55 ms): channel 2
 * loaded in mode 0 and polled until its OUT rises at terminal count.
 * Returns the guest's tick count after it.
 */
static uint64_t window(struct vcpu *v)
{
	gout(v, PIT_CTL, CW(2, RW_WORD, 0, 0));
	gout(v, PIT_CH(2), 0xff);
	gout(v, PIT_CH(2), 0xff);
	return proxy(v, PIT_OP_WINDOW, 0, 0);
}

static volatile uint64_t *ticks_of(struct vm *vm)
{
	return vm_ptr(vm, PIT_TICKS);
}

/* How the guest's interrupt handler ends (PIT_EOI_*). */
static void set_eoi(struct vm *vm, uint32_t how)
{
	*(volatile uint32_t *)vm_ptr(vm, PIT_EOI) = how;
}

/*
 * The 8259A pair as a PC BIOS sets it up (8259A datasheet, ICW1-ICW4):
 * edge triggered, master vectors from PIC_VECTOR, slave on IR2; then the
 * masks (OCW1).
 */
static void pic_init(struct vcpu *v, uint8_t master_mask)
{
	gout(v, PIC_M_CMD, 0x11);
	gout(v, PIC_M_DATA, PIC_VECTOR);
	gout(v, PIC_M_DATA, 0x04);
	gout(v, PIC_M_DATA, 0x01);
	gout(v, PIC_S_CMD, 0x11);
	gout(v, PIC_S_DATA, PIC_VECTOR + 8);
	gout(v, PIC_S_DATA, 0x02);
	gout(v, PIC_S_DATA, 0x01);
	gout(v, PIC_M_DATA, master_mask);
	gout(v, PIC_S_DATA, 0xff);
}

/* The master's IRR and ISR (OCW3 read register commands). */
static uint8_t pic_irr(struct vcpu *v)
{
	gout(v, PIC_M_CMD, 0x0a);
	return gin(v, PIC_M_CMD);
}

static uint8_t pic_isr(struct vcpu *v)
{
	gout(v, PIC_M_CMD, 0x0b);
	return gin(v, PIC_M_CMD);
}

/* A control word, then a count in the LSB-then-MSB format. */
static void pit_load(struct vcpu *v, int ch, int mode, uint16_t count)
{
	gout(v, PIT_CTL, CW(ch, RW_WORD, mode, 0));
	gout(v, PIT_CH(ch), count & 0xff);
	gout(v, PIT_CH(ch), count >> 8);
}

/* Counter Latch Command, then the latched count (RW_WORD). */
static uint16_t pit_latch(struct vcpu *v, int ch)
{
	uint16_t lo;

	gout(v, PIT_CTL, CW(ch, RW_LATCH, 0, 0));
	lo = gin(v, PIT_CH(ch));
	return lo | gin(v, PIT_CH(ch)) << 8;
}

/* Read-Back of status and count: the status byte comes first. */
static uint16_t pit_readback(struct vcpu *v, int ch, uint8_t *status)
{
	uint16_t lo;

	gout(v, PIT_CTL, RB(1, 1, ch));
	*status = gin(v, PIT_CH(ch));
	lo = gin(v, PIT_CH(ch));
	return lo | gin(v, PIT_CH(ch)) << 8;
}

TEST(pit_caps)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);

	EXPECT_GE(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_PIT2), 1);
	EXPECT_GE(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_PIT_STATE2), 1);
	EXPECT_GE(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_REINJECT_CONTROL), 1);
	EXPECT_GE(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_PIT2), 1);
	EXPECT_GE(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_PIT_STATE2), 1);
	EXPECT_GE(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_REINJECT_CONTROL), 1);
}

/* KVM's errnos around KVM_CREATE_PIT2 (x86.c, kvm_arch_vm_ioctl()). */
TEST(pit_create_errnos)
{
	struct kvm_pit_config cfg;
	struct kvm_pit_state2 s2;
	struct kvm_pit_state s;
	struct kvm_reinject_control rc = { .pit_reinject = 1 };
	struct vm *vm = vm_new();

	memset(&s2, 0, sizeof(s2));
	memset(&s, 0, sizeof(s));
	/* No PIT yet: the state and reinject ioctls have nothing to act on. */
	EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_PIT2, &s2), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_PIT2, &s2), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_GET_PIT, &s), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_PIT, &s), ENXIO);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc), ENXIO);

	/* Before KVM_CREATE_IRQCHIP: -ENOENT since Linux 6.12; 6.1 made one. */
	if (th_kvm_before(6, 12)) {
		TH_LOG("KVM before 6.12: KVM_CREATE_PIT2 without irqchip succeeds");
		EXPECT_EQ(create_pit(vm->fd, 0), 0);
	} else {
		EXPECT_ERRNO(create_pit(vm->fd, 0), ENOENT);
	}

	vm = vm_new();
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_EQ(create_pit(vm->fd, 0), 0);
	EXPECT_ERRNO(create_pit(vm->fd, 0), EEXIST);
	EXPECT_ERRNO(create_pit(vm->fd, KVM_PIT_SPEAKER_DUMMY), EEXIST);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_CREATE_PIT, 0), EEXIST);
	EXPECT_EQ(ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc), 0);
	EXPECT_EQ(ioctl(vm->fd, KVM_GET_PIT2, &s2), 0);

	/* Flag bits KVM does not know, and the pad, are not checked. */
	vm = vm_new();
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	memset(&cfg, 0xff, sizeof(cfg));
	cfg.flags = ~(uint32_t)KVM_PIT_SPEAKER_DUMMY;
	EXPECT_EQ(ioctl(vm->fd, KVM_CREATE_PIT2, &cfg), 0);
	get_pit2(vm, &s2);
	EXPECT_EQ(s2.flags, 0);
}

/* A split irqchip has no PIC: -ENOENT since Linux 6.12 (6.1 made one). */
TEST(pit_create_split_irqchip)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 },
	};
	struct vm *vm = vm_new();

	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0)
		SKIP("no KVM_CAP_SPLIT_IRQCHIP");
	ASSERT_OK(ioctl(vm->fd, KVM_ENABLE_CAP, &cap));
	if (th_kvm_before(6, 12)) {
		TH_LOG("KVM before 6.12: KVM_CREATE_PIT2 with a split irqchip succeeds");
		EXPECT_EQ(create_pit(vm->fd, 0), 0);
	} else {
		EXPECT_ERRNO(create_pit(vm->fd, 0), ENOENT);
	}
}

/*
 * A new PIT (KVM's kvm_pit_reset()): no flags; every channel in mode 0xff
 * with the count 0x10000, gate on for channels 0 and 1, off for 2; channels
 * 1 and 2 loaded at creation (host monotonic ns), channel 0 at 0.
 */
TEST(pit_state_initial)
{
	struct kvm_pit_state2 s;
	struct vm *vm = vm_new();
	int64_t t0, t1;
	unsigned int i;

	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	t0 = now_ns();
	ASSERT_OK(create_pit(vm->fd, 0));
	t1 = now_ns();
	get_pit2(vm, &s);

	EXPECT_EQ(s.flags, 0);
	for (i = 0; i < 9; i++)
		EXPECT_EQ(s.reserved[i], 0);
	for (i = 0; i < 3; i++) {
		struct kvm_pit_channel_state *c = &s.channels[i];

		TH_LOG("channel %u: count %#x mode %#x gate %u load time %lld",
		       i, c->count, c->mode, c->gate, (long long)c->count_load_time);
		EXPECT_EQ(c->count, 0x10000);
		EXPECT_EQ(c->mode, 0xff);
		EXPECT_EQ(c->gate, i != 2);
		EXPECT_EQ(c->latched_count, 0);
		EXPECT_EQ(c->count_latched, 0);
		EXPECT_EQ(c->status_latched, 0);
		EXPECT_EQ(c->status, 0);
		EXPECT_EQ(c->read_state, 0);
		EXPECT_EQ(c->write_state, 0);
		EXPECT_EQ(c->write_latch, 0);
		EXPECT_EQ(c->rw_mode, 0);
		EXPECT_EQ(c->bcd, 0);
		if (i == 0) {
			EXPECT_EQ(c->count_load_time, 0);
		} else {
			EXPECT_GE(c->count_load_time, t0);
			EXPECT_GE(t1, c->count_load_time);
		}
	}
}

static void fill_channel(struct kvm_pit_channel_state *c, uint32_t count,
			 uint8_t mode, uint8_t seed)
{
	c->count = count;
	c->latched_count = 0x1100 * seed + 0x11;
	c->count_latched = seed % 4;
	c->status_latched = seed & 1;
	c->status = 0x30 + seed;
	c->read_state = 1 + seed % 4;
	c->write_state = 1 + (seed + 1) % 4;
	c->write_latch = 0x50 + seed;
	c->rw_mode = 1 + (seed + 2) % 3;
	c->mode = mode;
	c->bcd = seed & 1;
	c->gate = seed != 2;
	c->count_load_time = 1000 + seed;
}

static void expect_channel(const struct kvm_pit_channel_state *got,
			   const struct kvm_pit_channel_state *set)
{
	EXPECT_EQ(got->latched_count, set->latched_count);
	EXPECT_EQ(got->count_latched, set->count_latched);
	EXPECT_EQ(got->status_latched, set->status_latched);
	EXPECT_EQ(got->status, set->status);
	EXPECT_EQ(got->read_state, set->read_state);
	EXPECT_EQ(got->write_state, set->write_state);
	EXPECT_EQ(got->write_latch, set->write_latch);
	EXPECT_EQ(got->rw_mode, set->rw_mode);
	EXPECT_EQ(got->mode, set->mode);
	EXPECT_EQ(got->bcd, set->bcd);
	EXPECT_EQ(got->gate, set->gate);
}

/*
 * KVM_SET_PIT2 takes every field as it is (KVM checks nothing) and loads
 * each count again: 0 becomes 0x10000, channels 1 and 2 count from the SET
 * (their load time is now), channel 0 keeps the load time it was given
 * (its timer is its time base); flags are kept as set, reserved reads 0.
 */
TEST(pit_state2_roundtrip)
{
	struct kvm_pit_state2 set, got;
	struct vm *vm = vm_new();
	int64_t t0, t1;
	unsigned int i;

	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	ASSERT_OK(create_pit(vm->fd, 0));

	memset(&set, 0xff, sizeof(set));
	fill_channel(&set.channels[0], 0x1234, 2, 0);
	fill_channel(&set.channels[1], 0, 4, 1);
	fill_channel(&set.channels[2], 0x10000, 3, 2);
	set.flags = KVM_PIT_FLAGS_SPEAKER_DATA_ON | 0x100;
	t0 = now_ns();
	set_pit2(vm, &set);
	t1 = now_ns();
	get_pit2(vm, &got);

	for (i = 0; i < 3; i++)
		expect_channel(&got.channels[i], &set.channels[i]);
	EXPECT_EQ(got.channels[0].count, 0x1234);
	EXPECT_EQ(got.channels[1].count, 0x10000);
	EXPECT_EQ(got.channels[2].count, 0x10000);
	EXPECT_EQ(got.channels[0].count_load_time, set.channels[0].count_load_time);
	for (i = 1; i < 3; i++) {
		EXPECT_GE(got.channels[i].count_load_time, t0);
		EXPECT_GE(t1, got.channels[i].count_load_time);
	}
	EXPECT_EQ(got.flags, KVM_PIT_FLAGS_SPEAKER_DATA_ON | 0x100);
	for (i = 0; i < 9; i++)
		EXPECT_EQ(got.reserved[i], 0);

	/* HPET_LEGACY on: channel 0's timer stops, its mode is kept. */
	set.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	set_pit2(vm, &set);
	get_pit2(vm, &got);
	EXPECT_EQ(got.flags, KVM_PIT_FLAGS_HPET_LEGACY);
	EXPECT_EQ(got.channels[0].mode, 2);
	EXPECT_EQ(got.channels[0].count, 0x1234);
}

/* The legacy KVM_GET/SET_PIT: the channels alone; flags stay as they were. */
TEST(pit_state_legacy)
{
	struct kvm_pit_state2 s2;
	struct kvm_pit_state set, got;
	struct vm *vm = vm_new();
	unsigned int i;

	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	ASSERT_OK(create_pit(vm->fd, 0));
	get_pit2(vm, &s2);
	s2.flags = KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	set_pit2(vm, &s2);

	for (i = 0; i < 3; i++)
		fill_channel(&set.channels[i], 0x100 * (i + 1), 4, i);
	ASSERT_OK(ioctl(vm->fd, KVM_SET_PIT, &set));
	memset(&got, 0xa5, sizeof(got));
	ASSERT_OK(ioctl(vm->fd, KVM_GET_PIT, &got));
	for (i = 0; i < 3; i++) {
		expect_channel(&got.channels[i], &set.channels[i]);
		EXPECT_EQ(got.channels[i].count, 0x100 * (i + 1));
	}
	EXPECT_EQ(got.channels[0].count_load_time, set.channels[0].count_load_time);
	get_pit2(vm, &s2);
	EXPECT_EQ(s2.flags, KVM_PIT_FLAGS_SPEAKER_DATA_ON);
}

/*
 * Control words, count formats and the latch commands, done by the guest
 * and seen by the host in KVM_GET_PIT2 (8254 datasheet, "Control Word
 * Format", "Write Operations", "Counter Latch Command", "Read-Back
 * Command"). Channel 1: no timer, nothing but the guest moves it.
 */
TEST(pit_control_word)
{
	struct kvm_pit_state2 s;
	struct kvm_pit_channel_state *c = &s.channels[1];
	struct vcpu *v;
	struct vm *vm = pit_vm(0, true, &v);
	uint16_t latched;
	uint8_t status, b;
	int64_t t0;

	/* Counter 1, LSB then MSB, mode 2, binary. */
	gout(v, PIT_CTL, CW(1, RW_WORD, 2, 0));
	get_pit2(vm, &s);
	EXPECT_EQ(c->rw_mode, RW_WORD);
	EXPECT_EQ(c->read_state, RW_WORD);
	EXPECT_EQ(c->write_state, RW_WORD);
	EXPECT_EQ(c->mode, 2);
	EXPECT_EQ(c->bcd, 0);
	EXPECT_EQ(c->count, 0x10000);	/* the control word loads nothing */

	gout(v, PIT_CH(1), 0x34);
	get_pit2(vm, &s);
	EXPECT_EQ(c->write_state, 4);	/* waiting for the MSB */
	EXPECT_EQ(c->write_latch, 0x34);
	EXPECT_EQ(c->count, 0x10000);
	t0 = now_ns();
	gout(v, PIT_CH(1), 0x12);
	get_pit2(vm, &s);
	EXPECT_EQ(c->write_state, RW_WORD);
	EXPECT_EQ(c->count, 0x1234);
	EXPECT_GE(c->count_load_time, t0);

	/* Counter Latch: held until read; a second latch is ignored. */
	gout(v, PIT_CTL, CW(1, RW_LATCH, 0, 0));
	get_pit2(vm, &s);
	EXPECT_EQ(c->count_latched, RW_WORD);
	latched = c->latched_count;
	TH_LOG("latched %#x of reload 0x1234", latched);
	EXPECT_GE(latched, 1);
	EXPECT_GE(0x1234, latched);
	gout(v, PIT_CTL, CW(1, RW_LATCH, 0, 0));
	get_pit2(vm, &s);
	EXPECT_EQ(c->latched_count, latched);
	EXPECT_EQ(gin(v, PIT_CH(1)), latched & 0xff);
	get_pit2(vm, &s);
	EXPECT_EQ(c->count_latched, RW_MSB);
	EXPECT_EQ(gin(v, PIT_CH(1)), latched >> 8);
	get_pit2(vm, &s);
	EXPECT_EQ(c->count_latched, 0);

	/* Read-Back of the status alone: OUT, RW, mode, BCD. */
	gout(v, PIT_CTL, RB(0, 1, 1));
	get_pit2(vm, &s);
	EXPECT_EQ(c->status_latched, 1);
	EXPECT_EQ(c->count_latched, 0);
	EXPECT_EQ(c->status & 0x7f, (RW_WORD << 4) | (2 << 1));
	status = c->status;
	EXPECT_EQ(gin(v, PIT_CH(1)), status);
	get_pit2(vm, &s);
	EXPECT_EQ(c->status_latched, 0);

	/* Read-Back of both: the status byte first, then the count. */
	gout(v, PIT_CTL, RB(1, 1, 1));
	get_pit2(vm, &s);
	EXPECT_EQ(c->status_latched, 1);
	EXPECT_EQ(c->count_latched, RW_WORD);
	latched = c->latched_count;
	EXPECT_EQ(gin(v, PIT_CH(1)), c->status);
	EXPECT_EQ(gin(v, PIT_CH(1)), latched & 0xff);
	EXPECT_EQ(gin(v, PIT_CH(1)), latched >> 8);
	/* Neither selected: nothing latched. */
	gout(v, PIT_CTL, RB(0, 0, 1));
	get_pit2(vm, &s);
	EXPECT_EQ(c->status_latched, 0);
	EXPECT_EQ(c->count_latched, 0);

	/* Modes 6 and 7 are 2 and 3; BCD is kept and read back. */
	gout(v, PIT_CTL, CW(1, RW_WORD, 6, 0));
	get_pit2(vm, &s);
	EXPECT_EQ(c->mode, 2);
	gout(v, PIT_CTL, CW(1, RW_WORD, 7, 1));
	get_pit2(vm, &s);
	EXPECT_EQ(c->mode, 3);
	EXPECT_EQ(c->bcd, 1);
	gout(v, PIT_CTL, RB(0, 1, 1));
	EXPECT_EQ(gin(v, PIT_CH(1)) & 0x7f, (RW_WORD << 4) | (3 << 1) | 1);

	/* LSB only: one byte is the count; a latch reads back one byte. */
	gout(v, PIT_CTL, CW(1, RW_LSB, 0, 0));
	gout(v, PIT_CH(1), 0x80);
	get_pit2(vm, &s);
	EXPECT_EQ(c->count, 0x80);
	EXPECT_EQ(c->write_state, RW_LSB);
	gout(v, PIT_CTL, CW(1, RW_LATCH, 0, 0));
	get_pit2(vm, &s);
	EXPECT_EQ(c->count_latched, RW_LSB);
	b = gin(v, PIT_CH(1));
	EXPECT_EQ(b, c->latched_count & 0xff);
	get_pit2(vm, &s);
	EXPECT_EQ(c->count_latched, 0);
	/* A count of 0 is the largest, 0x10000. */
	gout(v, PIT_CH(1), 0);
	get_pit2(vm, &s);
	EXPECT_EQ(c->count, 0x10000);

	/* MSB only: the byte is the count's high half. */
	gout(v, PIT_CTL, CW(1, RW_MSB, 0, 0));
	gout(v, PIT_CH(1), 0x02);
	get_pit2(vm, &s);
	EXPECT_EQ(c->count, 0x200);
	gout(v, PIT_CTL, CW(1, RW_LATCH, 0, 0));
	get_pit2(vm, &s);
	EXPECT_EQ(c->count_latched, RW_MSB);
	EXPECT_EQ(gin(v, PIT_CH(1)), c->latched_count >> 8);

	/* The live count in the word format: LSB, MSB, LSB... */
	gout(v, PIT_CTL, CW(1, RW_WORD, 2, 0));
	gin(v, PIT_CH(1));
	get_pit2(vm, &s);
	EXPECT_EQ(c->read_state, 4);
	gin(v, PIT_CH(1));
	get_pit2(vm, &s);
	EXPECT_EQ(c->read_state, RW_WORD);
}

/*
 * Mode 2 (8254 datasheet, "Mode 2: Rate Generator"): the count runs from
 * the reload down to 1 and reloads. Every latched count is in [1, reload];
 * the samples go on until the count was seen both to fall and to reload
 * (three times each), so the range check saw the whole cycle.
 */
TEST(pit_count_mode2)
{
	struct vcpu *v;
	struct vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY, true, &v);
	unsigned int falls = 0, reloads = 0, samples = 0;
	uint16_t prev, cur;
	uint8_t status = 0;

	pic_init(v, 0xff);
	pit_load(v, 0, 2, PIT_1MS);
	prev = pit_latch(v, 0);
	while (falls < 3 || reloads < 3) {
		if (samples % 2)
			cur = pit_latch(v, 0);
		else
			cur = pit_readback(v, 0, &status);
		samples++;
		ASSERT_GE(cur, 1);
		ASSERT_GE(PIT_1MS, cur);
		if (!(samples % 2))
			EXPECT_EQ(status & 0x7f, (RW_WORD << 4) | (2 << 1));
		falls += cur < prev;
		reloads += cur > prev;
		prev = cur;
	}
	TH_LOG("%u samples, %u falls, %u reloads", samples, falls, reloads);
	(void)vm;
}

/*
 * Mode 0 (8254 datasheet, "Mode 0: Interrupt on Terminal Count"): OUT is
 * low while the count runs down from the reload, then high, and stays high.
 * Read-Back latches count then status at once: while the status says OUT
 * low, the count is in [1, reload] and never rises between samples. A slow
 * host may miss the low phase; the count is then loaded again until it was
 * seen to fall while OUT was low.
 */
TEST(pit_count_mode0)
{
	const uint16_t reload = 0xc000;
	struct vcpu *v;
	struct vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY, true, &v);
	unsigned int loads = 0, low = 0, falls = 0, high = 0;
	uint16_t prev = 0, cur;
	uint8_t status;

	pic_init(v, 0xff);
	while (!falls) {
		pit_load(v, 0, 0, reload);
		loads++;
		low = 0;
		high = 0;
		while (high < 20) {
			cur = pit_readback(v, 0, &status);
			EXPECT_EQ(status & 0x7f, RW_WORD << 4);
			if (status & ST_OUT) {
				high++;
				continue;
			}
			ASSERT_EQ(high, 0);	/* OUT never falls back */
			ASSERT_GE(cur, 1);
			ASSERT_GE(reload, cur);
			if (low)
				ASSERT_GE(prev, cur);
			falls += low && cur < prev;
			low++;
			prev = cur;
		}
	}
	TH_LOG("%u loads, %u samples with OUT low, %u falls", loads, low, falls);
	(void)vm;
}

/*
 * Channel 0 in modes 2 and 3 through the PIC to vector 0x20: ticks keep
 * coming (the guest waits for 20, then 10 more), each handled at that
 * vector (no other interrupt arrives) and EOI'd.
 */
TEST(pit_periodic_irqs)
{
	struct vcpu *v;
	struct vm *vm = pit_vm(0, true, &v);
	uint64_t n;

	pic_init(v, 0xfe);
	pit_load(v, 0, 2, PIT_1MS);
	n = wait_ticks(v, 20);
	EXPECT_GE(n, 20);
	pit_load(v, 0, 3, 2 * PIT_1MS);
	n = wait_ticks(v, n + 10);
	TH_LOG("%llu ticks", (unsigned long long)n);
	EXPECT_EQ(*ticks_of(vm), n);
	EXPECT_EQ(guest_exc(vm)->count, 0);	/* no other vector */
	EXPECT_EQ(pic_isr(v), 0);
}

/*
 * One-shot modes (8254 datasheet, "Mode 0", "Mode 1", "Mode 4"; KVM starts
 * each on the count's load, channel 0's GATE being always high): each load
 * gives exactly one interrupt. The guest waits for it, then keeps
 * interrupts on for a window of 0xffff input clocks measured by channel 2:
 * no second one comes. Mode 5 waits for a GATE edge channel 0 never sees:
 * no interrupt at all (KVM stops channel 0's timer).
 */
TEST(pit_oneshot_irqs)
{
	static const int modes[] = { 0, 0, 4, 1 };
	struct vcpu *v;
	struct vm *vm = pit_vm(0, true, &v);
	uint64_t n = 0;
	unsigned int i;

	pic_init(v, 0xfe);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		pit_load(v, 0, modes[i], 4 * PIT_1MS);
		EXPECT_EQ(wait_ticks(v, n + 1), n + 1);
		n++;
		EXPECT_EQ(window(v), n);
		TH_LOG("mode %d: one interrupt", modes[i]);
	}
	pit_load(v, 0, 5, 4 * PIT_1MS);
	EXPECT_EQ(window(v), n);
	EXPECT_EQ(guest_exc(vm)->count, 0);

	/* Not checked (it would take a time): what a window shows in mode 2. */
	pit_load(v, 0, 2, 4 * PIT_1MS);
	TH_LOG("control: a window in mode 2 took %llu interrupts",
	       (unsigned long long)(window(v) - n));
}

/*
 * Reinjection (KVM_REINJECT_CONTROL). The handler does not EOI: the first
 * tick stays in service. With reinjection on, the ticks that follow are
 * only counted: the guest sees channel 0 reload 5 times and the PIC's IRR
 * for IR0 still clear; the EOI (the ack) lets the next one in. With it off,
 * the next tick reaches IRR while the first is still in service.
 */
static void reinject_case(bool reinject)
{
	struct vcpu *v;
	struct vm *vm = pit_vm(0, reinject, &v);
	unsigned int reloads = 0, samples = 0;
	uint16_t prev, cur;

	set_eoi(vm, PIT_EOI_NONE);
	pic_init(v, 0xfe);
	pit_load(v, 0, 2, PIT_1MS);
	EXPECT_EQ(wait_ticks(v, 1), 1);
	EXPECT_EQ(pic_isr(v) & 1, 1);

	if (!reinject) {
		while (!(pic_irr(v) & 1))
			samples++;
		TH_LOG("reinject off: IRR set %u samples after the first tick", samples);
		return;
	}

	prev = pit_latch(v, 0);
	while (reloads < 5) {
		cur = pit_latch(v, 0);
		reloads += cur > prev;
		prev = cur;
	}
	EXPECT_EQ(pic_irr(v) & 1, 0);
	EXPECT_EQ(*ticks_of(vm), 1);
	TH_LOG("reinject on: IRR clear after %u reloads of the unacked tick", reloads);

	gout(v, PIC_M_CMD, 0x20);	/* EOI: the ack */
	while (!(pic_irr(v) & 1))
		samples++;
	set_eoi(vm, PIT_EOI_PIC);
	EXPECT_GE(wait_ticks(v, 4), 4);
}

TEST(pit_reinject_on)
{
	reinject_case(true);
}

TEST(pit_reinject_off)
{
	reinject_case(false);
}

/*
 * Channel 0 through the IOAPIC (KVM's default routing: GSI 0 to IOAPIC pin
 * 0 as well) to the local APIC, the PIC's IR0 masked: with reinjection on,
 * each tick after the first comes only once the guest's LAPIC EOI of the
 * previous one (an edge-triggered vector) reached the PIT's ack notifier.
 * 82093AA IOAPIC datasheet, "IOREDTBL"; SDM vol 3A 10.9 "Spurious
 * Interrupt" (SVR bit 8 enables the APIC), 10.8.5 "Signaling Interrupt
 * Servicing Completion".
 */
static void ioapic_case(bool reinject)
{
	struct vcpu *v;
	struct vm *vm = pit_vm(0, reinject, &v);
	uint64_t n;

	set_eoi(vm, PIT_EOI_LAPIC);
	pic_init(v, 0xff);
	proxy(v, PIT_OP_WRITE, LAPIC_SVR, 0x1ff);
	proxy(v, PIT_OP_WRITE, IOAPIC_SEL, 0x11);	/* pin 0, high half */
	proxy(v, PIT_OP_WRITE, IOAPIC_WIN, 0);		/* APIC ID 0 */
	proxy(v, PIT_OP_WRITE, IOAPIC_SEL, 0x10);	/* pin 0, low half */
	proxy(v, PIT_OP_WRITE, IOAPIC_WIN, IOAPIC_VECTOR); /* fixed, edge, unmasked */
	EXPECT_EQ(proxy(v, PIT_OP_READ, IOAPIC_WIN, 0) & 0x1afff, IOAPIC_VECTOR);
	pit_load(v, 0, 2, PIT_1MS);
	n = wait_ticks(v, 20);
	EXPECT_GE(n, 20);
	EXPECT_EQ(guest_exc(vm)->count, 0);	/* nothing at the PIC's vector */
	TH_LOG("reinject %s: %llu ticks through the IOAPIC", reinject ? "on" : "off",
	       (unsigned long long)n);
}

TEST(pit_ioapic_reinject_on)
{
	ioapic_case(true);
}

TEST(pit_ioapic_reinject_off)
{
	ioapic_case(false);
}

/*
 * KVM_PIT_FLAGS_HPET_LEGACY set by KVM_SET_PIT2 stops channel 0 (the HPET
 * has its interrupt); cleared, channel 0 runs again in the mode it kept.
 * Without reinjection a stopped channel 0 leaves at most one tick in IRR,
 * so after a first window no interrupt comes in a second.
 */
TEST(pit_hpet_legacy)
{
	struct kvm_pit_state2 s;
	struct vcpu *v;
	struct vm *vm = pit_vm(0, false, &v);
	uint64_t n, m;

	pic_init(v, 0xfe);
	pit_load(v, 0, 2, PIT_1MS);
	n = wait_ticks(v, 3);
	/* Not checked (it would take a time): a window while it runs. */
	m = window(v);
	TH_LOG("control: a window with channel 0 running took %llu interrupts",
	       (unsigned long long)(m - n));
	n = m;
	get_pit2(vm, &s);
	s.flags |= KVM_PIT_FLAGS_HPET_LEGACY;
	set_pit2(vm, &s);
	m = window(v);
	EXPECT_GE(n + 1, m);
	EXPECT_EQ(window(v), m);
	TH_LOG("HPET_LEGACY: %llu interrupt(s) after it, none in the next window",
	       (unsigned long long)(m - n));

	get_pit2(vm, &s);
	EXPECT_EQ(s.channels[0].mode, 2);
	s.flags &= ~KVM_PIT_FLAGS_HPET_LEGACY;
	set_pit2(vm, &s);
	EXPECT_GE(wait_ticks(v, m + 3), m + 3);
}

/*
 * Port 0x61 with KVM_PIT_SPEAKER_DUMMY (ICH9 datasheet, "NMI Status and
 * Control Register"): bit 0 channel 2's GATE and bit 1 speaker data, as
 * written; bit 4 the refresh toggle; bit 5 channel 2's OUT; the rest 0.
 */
TEST(pit_speaker_port)
{
	struct kvm_pit_state2 s;
	struct vcpu *v;
	struct vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY, true, &v);
	unsigned int refresh = 0;
	int64_t load, t0;
	uint8_t b;

	b = gin(v, SPEAKER);
	EXPECT_EQ(b & 0xcf, 0);

	gout(v, SPEAKER, 0x03);
	get_pit2(vm, &s);
	EXPECT_EQ(s.flags, KVM_PIT_FLAGS_SPEAKER_DATA_ON);
	EXPECT_EQ(s.channels[2].gate, 1);
	b = gin(v, SPEAKER);
	EXPECT_EQ(b & 0xcf, 0x03);

	/* OUT of channel 2: high at terminal count in mode 0... */
	pit_load(v, 2, 0, 2);
	while (!(gin(v, SPEAKER) & 0x20))
		;
	/* ...and low after one count in mode 1. */
	pit_load(v, 2, 1, 2);
	while (gin(v, SPEAKER) & 0x20)
		;
	while (refresh != 3)
		refresh |= 1 << ((gin(v, SPEAKER) >> 4) & 1);

	/* A rising GATE restarts the count in mode 2, not in mode 0. */
	pit_load(v, 2, 2, 100);
	gout(v, SPEAKER, 0x00);
	t0 = now_ns();
	gout(v, SPEAKER, 0x01);
	get_pit2(vm, &s);
	EXPECT_GE(s.channels[2].count_load_time, t0);
	pit_load(v, 2, 0, 100);
	get_pit2(vm, &s);
	load = s.channels[2].count_load_time;
	gout(v, SPEAKER, 0x00);
	gout(v, SPEAKER, 0x01);
	get_pit2(vm, &s);
	EXPECT_EQ(s.channels[2].count_load_time, load);

	/* Bits other than 0 and 1 are not kept. */
	gout(v, SPEAKER, 0xfc);
	get_pit2(vm, &s);
	EXPECT_EQ(s.flags, 0);
	EXPECT_EQ(s.channels[2].gate, 0);
	b = gin(v, SPEAKER);
	EXPECT_EQ(b & 0xcf, 0);
}

/* Without KVM_PIT_SPEAKER_DUMMY, port 0x61 is userspace's. */
TEST(pit_speaker_userspace)
{
	struct vcpu *v;
	struct vm *vm = pit_vm(0, true, &v);

	mailbox(v, PIT_OP_IN, SPEAKER, 0);
	vcpu_run(v);
	ASSERT_IO(v, KVM_EXIT_IO_IN, 1, SPEAKER, 1);
	*(uint8_t *)vcpu_io_data(v) = 0x5a;
	EXPECT_EQ(vcpu_run_to_report(v), 0x5a);

	mailbox(v, PIT_OP_OUT, SPEAKER, 0x03);
	vcpu_run(v);
	ASSERT_IO(v, KVM_EXIT_IO_OUT, 1, SPEAKER, 1);
	EXPECT_EQ(*(uint8_t *)vcpu_io_data(v), 0x03);
	EXPECT_EQ(vcpu_run_to_report(v), 0);
	(void)vm;
}

/*
 * VMs closed while channel 0 ticks every millisecond, with and without
 * ticks waiting for an ack: the host survives (the PIT's timer, worker and
 * ack notifier go in order). Not the shortest period (count 1, clamped to
 * 200 us by both hypervisors): under TCG on a loaded machine its timer
 * interrupts left the emulated host too little time to finish, on KVM and
 * minivirt alike (make check, 2026-12-07).
 */
TEST_TIMEOUT(pit_destroy_running, 240)
{
	unsigned int i;

	for (i = 0; i < 6; i++) {
		struct vcpu *v;
		struct vm *vm = pit_vm(KVM_PIT_SPEAKER_DUMMY, true, &v);

		set_eoi(vm, i & 1 ? PIT_EOI_NONE : PIT_EOI_PIC);
		pic_init(v, 0xfe);
		pit_load(v, 0, 2, PIT_1MS);
		wait_ticks(v, 1);
		pit_load(v, 0, 2, PIT_1MS);
		vm_close(vm, v);
	}
}
