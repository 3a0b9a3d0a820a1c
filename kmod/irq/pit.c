// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8254 programmable interval timer at ports 0x40-0x43 and the timer bits
 * of port 0x61, with KVM's semantics (arch/x86/kvm/i8254.c): a counter's
 * value and OUT are computed from the time elapsed since its count was
 * loaded, never stepped; only channel 0 has a timer (an hrtimer) and an
 * interrupt (GSI 0).
 *
 * References: Intel 82C54 CHMOS Programmable Interval Timer datasheet, order
 * number 231244-006 ("8254 datasheet"), cited by section title; the
 * speaker port as the PC chipsets define it (Intel ICH9 datasheet, "NMI
 * Status and Control Register", I/O port 61h).
 *
 * Locking: pit->lock (a mutex) guards the channel registers, flags and the
 * timer's period; port accesses (vCPU threads) and the state ioctls take it.
 * The hrtimer callback takes no lock: it only counts the tick and queues the
 * kthread worker, which drives GSI 0 (pit_inject()). Reinjection's counters
 * are atomics shared by the callback, the worker and the ack notifier. Lock
 * order: vm->lock -> pit->lock -> vm->irq.routing_lock (ack notifier
 * registration). The worker and the ack notifier take no PIT lock, so
 * pit->lock may wait for them (hrtimer_cancel(), kthread_flush_work()).
 */
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../iobus.h"
#include "../vm.h"
#include "irq.h"
#include "pit.h"

#define PIT_BASE_PORT		0x40
#define PIT_NR_PORTS		4
#define PIT_CONTROL_PORT	3	/* 0x43, relative to PIT_BASE_PORT */
#define SPEAKER_PORT		0x61
#define SPEAKER_NR_PORTS	4	/* KVM's registration; only 0x61 is taken */
/* The PC's 8254 input clock, in Hz (KVM_PIT_FREQ). */
#define PIT_FREQ		1193181
/*
 * The shortest period a guest gets for modes 2 and 3: KVM's
 * min_timer_period_us default (200 us), so that a guest cannot make the host
 * run a timer storm.
 */
#define PIT_MIN_PERIOD_NS	(200 * NSEC_PER_USEC)
#define PIT_CHANNEL0_GSI	0

/*
 * The read/write state of a counter (8254 datasheet, "Control Word Format",
 * RW1 RW0): LSB only, MSB only, or LSB then MSB, the last in two steps. The
 * values are KVM's (they are visible in struct kvm_pit_channel_state).
 */
#define RW_STATE_LSB		1
#define RW_STATE_MSB		2
#define RW_STATE_WORD0		3
#define RW_STATE_WORD1		4

/* Control word bits (8254 datasheet, "Control Word Format"). */
#define CW_SC_SHIFT		6	/* SC1 SC0: counter; 3 = Read-Back */
#define CW_RW_SHIFT		4	/* RW1 RW0: 0 = Counter Latch Command */
#define CW_MODE_SHIFT		1	/* M2 M1 M0 */
#define CW_BCD			0x01
/* Read-Back Command bits (8254 datasheet, "Read-Back Command"). */
#define RB_NOT_COUNT		0x20	/* COUNT, active low */
#define RB_NOT_STATUS		0x10	/* STATUS, active low */
#define RB_CNT(ch)		(2 << (ch))

/* Port 61h bits (ICH9 datasheet, "NMI Status and Control Register"). */
#define SPK_TIM2_GATE		0x01	/* Timer Counter 2 Enable */
#define SPK_DATA_EN		0x02	/* Speaker Data Enable */
#define SPK_REFRESH_SHIFT	4	/* Refresh Cycle Toggle */
#define SPK_TIM2_OUT_SHIFT	5	/* Timer Counter 2 OUT Status */

struct mv_pit {
	struct mv_io_device dev;	/* ports 0x40-0x43 */
	struct mv_io_device speaker;	/* port 0x61 (KVM_PIT_SPEAKER_DUMMY) */
	bool has_speaker;
	struct mv_vm *vm;

	struct mutex lock;
	/* Under lock; the layout KVM_GET/SET_PIT2 copy as they are. */
	struct kvm_pit_channel_state ch[3];
	u32 flags;			/* KVM_PIT_FLAGS_* as set, under lock */
	/* Channel 0's timer: changed under lock, after hrtimer_cancel(). */
	bool periodic;
	s64 period;			/* ns; 0 before the first load */
	struct hrtimer timer;

	/* Reinjection (KVM_REINJECT_CONTROL). */
	atomic_t reinject;
	atomic_t pending;		/* ticks not yet acked by the guest */
	atomic_t irq_ack;		/* the last injected tick was acked */
	struct mv_irq_ack_notifier ack;

	struct kthread_worker *worker;
	struct kthread_work expired;
};

/*
 * The GATE input (8254 datasheet, "Gate", Figure "Gate Pin Operations
 * Summary"): a rising edge retriggers modes 1 and 5 and restarts the count
 * in modes 2 and 3; in modes 0 and 4 GATE only enables counting, which KVM
 * does not model (the count runs regardless).
 */
static void pit_set_gate(struct mv_pit *pit, int channel, u32 val)
{
	struct kvm_pit_channel_state *c = &pit->ch[channel];

	switch (c->mode) {
	case 1:
	case 2:
	case 3:
	case 5:
		if (c->gate < val)
			c->count_load_time = ktime_get();
		break;
	default:
		break;
	}
	c->gate = val;
}

/*
 * Nanoseconds since channel 0's count was loaded, from its timer: the
 * period less what remains until the next expiry (each periodic expiry
 * starts a new period, as the counter's reload does).
 */
static s64 pit_timer_elapsed(struct mv_pit *pit)
{
	if (!pit->period)
		return 0;
	return pit->period - ktime_to_ns(hrtimer_get_remaining(&pit->timer));
}

static s64 pit_elapsed(struct mv_pit *pit, int channel)
{
	if (channel == 0)
		return pit_timer_elapsed(pit);
	return ktime_to_ns(ktime_sub(ktime_get(), pit->ch[channel].count_load_time));
}

/* Input clock periods since the count was loaded. */
static s64 pit_elapsed_ticks(struct mv_pit *pit, int channel)
{
	return mul_u64_u32_div(pit_elapsed(pit, channel), PIT_FREQ,
			       NSEC_PER_SEC);
}

/*
 * The counting element's value (8254 datasheet, "Mode 0" to "Mode 5"). The
 * counter does not stop at zero: in modes 0, 1, 4 and 5 it wraps around to
 * the highest count and goes on; modes 2 and 3 reload the initial count.
 * Mode 3 counts down by two per clock. As KVM, counting is binary even when
 * the control word selected BCD (the BCD bit is only kept and reported).
 */
static int pit_get_count(struct mv_pit *pit, int channel)
{
	struct kvm_pit_channel_state *c = &pit->ch[channel];
	s64 d = pit_elapsed_ticks(pit, channel);

	switch (c->mode) {
	case 0:
	case 1:
	case 4:
	case 5:
		return (c->count - d) & 0xffff;
	case 3:
		return c->count - (2 * d) % c->count;
	default:
		return c->count - d % c->count;
	}
}

/*
 * The OUT pin (8254 datasheet, "Mode 0" to "Mode 5") as KVM computes it:
 * mode 0 goes high at terminal count and stays high; mode 1 is high for
 * one count's duration after the trigger (KVM: the load), then low (the
 * datasheet's one-shot is low, then high: KVM's polarity is kept); mode 2
 * reads 1 only at the instant a period ends (the datasheet's one-clock
 * pulse); mode 3 is high for the first half (rounded up) of each period;
 * modes 4 and 5 strobe at terminal count.
 */
static int pit_get_out(struct mv_pit *pit, int channel)
{
	struct kvm_pit_channel_state *c = &pit->ch[channel];
	s64 d = pit_elapsed_ticks(pit, channel);

	switch (c->mode) {
	case 1:
		return d < c->count;
	case 2:
		return d % c->count == 0 && d != 0;
	case 3:
		return d % c->count < (c->count + 1) >> 1;
	case 4:
	case 5:
		return d == c->count;
	case 0:
	default:
		return d >= c->count;
	}
}

/*
 * Counter Latch Command (8254 datasheet, "Counter Latch Command"): the
 * count is latched until read in the counter's read format; a second latch
 * before that read is ignored.
 */
static void pit_latch_count(struct mv_pit *pit, int channel)
{
	struct kvm_pit_channel_state *c = &pit->ch[channel];

	if (!c->count_latched) {
		c->latched_count = pit_get_count(pit, channel);
		c->count_latched = c->rw_mode;
	}
}

/*
 * The status byte (8254 datasheet, "Read-Back Command", "Status Byte"): OUT,
 * NULL COUNT (always 0, as KVM), RW1 RW0, M2 M1 M0, BCD. A second status
 * latch before the read is ignored.
 */
static void pit_latch_status(struct mv_pit *pit, int channel)
{
	struct kvm_pit_channel_state *c = &pit->ch[channel];

	if (!c->status_latched) {
		c->status = (pit_get_out(pit, channel) << 7) |
			    (c->rw_mode << CW_RW_SHIFT) |
			    (c->mode << CW_MODE_SHIFT) | c->bcd;
		c->status_latched = 1;
	}
}

/* The next tick may be injected at once: nothing is pending. */
static void pit_reset_reinject(struct mv_pit *pit)
{
	atomic_set(&pit->pending, 0);
	atomic_set(&pit->irq_ack, 1);
}

/*
 * A channel-0 interrupt: an edge on GSI 0 (OUT's rising edge ends a count,
 * 8254 datasheet, "Mode 0" and "Mode 2"). With reinjection on, a tick is
 * injected only once the previous one was acked; the ticks that came
 * meanwhile wait in pending and follow one per ack (pit_acked()).
 * KVM also delivers the tick as an NMI to LAPICs whose LVT0 is in NMI mode
 * (its NMI watchdog); minivirt's LAPIC has no such hook yet.
 */
static void pit_inject(struct kthread_work *work)
{
	struct mv_pit *pit = container_of(work, struct mv_pit, expired);

	if (atomic_read(&pit->reinject) && !atomic_xchg(&pit->irq_ack, 0))
		return;

	mv_irq_set_gsi(pit->vm, MV_IRQ_SOURCE_PIT, PIT_CHANNEL0_GSI, 1, false);
	mv_irq_set_gsi(pit->vm, MV_IRQ_SOURCE_PIT, PIT_CHANNEL0_GSI, 0, false);
}

/* Hard interrupt context: count the tick, hand it to the worker. */
static enum hrtimer_restart pit_timer_fn(struct hrtimer *timer)
{
	struct mv_pit *pit = container_of(timer, struct mv_pit, timer);

	if (atomic_read(&pit->reinject))
		atomic_inc(&pit->pending);

	kthread_queue_work(pit->worker, &pit->expired);

	if (!pit->periodic)
		return HRTIMER_NORESTART;
	hrtimer_add_expires_ns(timer, pit->period);
	return HRTIMER_RESTART;
}

/* The guest acked GSI 0 (vCPU thread, under vm->irq.srcu). */
static void pit_acked(struct mv_irq_ack_notifier *ian)
{
	struct mv_pit *pit = container_of(ian, struct mv_pit, ack);

	atomic_set(&pit->irq_ack, 1);
	/*
	 * irq_ack is set before pending is read: pairs with the increment of
	 * pending in pit_timer_fn() and the exchange of irq_ack in
	 * pit_inject(), so that a tick is neither lost nor injected twice.
	 */
	smp_mb();
	if (atomic_dec_if_positive(&pit->pending) > 0)
		kthread_queue_work(pit->worker, &pit->expired);
}

/* Under pit->lock. */
static void pit_set_reinject_locked(struct mv_pit *pit, bool reinject)
{
	if (atomic_read(&pit->reinject) == reinject)
		return;

	if (reinject) {
		/* The counters keep their initial values while it is off. */
		pit_reset_reinject(pit);
		mv_irq_register_ack_notifier(pit->vm, &pit->ack);
	} else {
		mv_irq_unregister_ack_notifier(pit->vm, &pit->ack);
	}
	atomic_set(&pit->reinject, reinject);
}

/* Channel 0's timer stopped, no tick of it still on the way. */
static void pit_stop_timer(struct mv_pit *pit)
{
	hrtimer_cancel(&pit->timer);
	kthread_flush_work(&pit->expired);
}

/*
 * Channel 0's timer for a count of val input clocks, periodic or one-shot,
 * as KVM's create_pit_timer(): none without the in-kernel IOAPIC or while
 * the HPET has the legacy interrupt (KVM_PIT_FLAGS_HPET_LEGACY).
 */
static void pit_start_timer(struct mv_pit *pit, u32 val, bool periodic)
{
	s64 interval;

	if (mv_irqchip_mode(&pit->vm->irq) != MV_IRQCHIP_KERNEL ||
	    (pit->flags & KVM_PIT_FLAGS_HPET_LEGACY))
		return;

	interval = mul_u64_u32_div(val, NSEC_PER_SEC, PIT_FREQ);

	pit_stop_timer(pit);
	pit->period = interval;
	pit->periodic = periodic;
	pit_reset_reinject(pit);

	/* The first expiry is a full interval away; later ones are clamped. */
	if (periodic && pit->period < PIT_MIN_PERIOD_NS)
		pit->period = PIT_MIN_PERIOD_NS;

	hrtimer_start(&pit->timer, ktime_add_ns(ktime_get(), interval),
		      HRTIMER_MODE_ABS);
}

/*
 * A new count for a channel (8254 datasheet, "Write Operations"): 0 is the
 * largest initial count, 2^16 (KVM takes it so in BCD too). Channel 0 gets
 * its timer: one-shot in modes 0, 1 and 4, periodic in modes 2 and 3, and
 * none in mode 5 (a hardware-triggered strobe whose trigger, channel 0's
 * GATE, never rises) nor in the reset mode 0xff. Under pit->lock.
 */
static void pit_load_count(struct mv_pit *pit, int channel, u32 val)
{
	if (val == 0)
		val = 0x10000;

	pit->ch[channel].count = val;

	if (channel != 0) {
		pit->ch[channel].count_load_time = ktime_get();
		return;
	}

	switch (pit->ch[0].mode) {
	case 0:
	case 1:
	case 4:
		pit_start_timer(pit, val, false);
		break;
	case 2:
	case 3:
		pit_start_timer(pit, val, true);
		break;
	default:
		pit_stop_timer(pit);
		break;
	}
}

/*
 * A load by the state ioctls; when the HPET takes over the legacy
 * interrupt (hpet_legacy_start), channel 0's timer stops but its mode is
 * kept for when the PIT gets it back.
 */
static void pit_load_count_state(struct mv_pit *pit, int channel, u32 val,
				 bool hpet_legacy_start)
{
	u8 saved_mode;

	lockdep_assert_held(&pit->lock);

	if (!hpet_legacy_start) {
		pit_load_count(pit, channel, val);
		return;
	}
	saved_mode = pit->ch[0].mode;
	pit->ch[0].mode = 0xff;
	pit_load_count(pit, channel, val);
	pit->ch[0].mode = saved_mode;
}

/* A control word (8254 datasheet, "Control Word Format"). */
static void pit_write_control(struct mv_pit *pit, u8 val)
{
	int channel = val >> CW_SC_SHIFT;
	struct kvm_pit_channel_state *c;
	u8 access;

	if (channel == 3) {
		/* Read-Back Command: latch count and/or status of each CNT. */
		for (channel = 0; channel < 3; channel++) {
			if (!(val & RB_CNT(channel)))
				continue;
			if (!(val & RB_NOT_COUNT))
				pit_latch_count(pit, channel);
			if (!(val & RB_NOT_STATUS))
				pit_latch_status(pit, channel);
		}
		return;
	}

	c = &pit->ch[channel];
	access = (val >> CW_RW_SHIFT) & 3;
	if (access == 0) {
		pit_latch_count(pit, channel);
		return;
	}
	/*
	 * The new mode takes effect with the next count (the timer runs on
	 * until then, as KVM). Modes 6 and 7 are 2 and 3 ("X" bit M2).
	 */
	c->rw_mode = access;
	c->read_state = access;
	c->write_state = access;
	c->mode = (val >> CW_MODE_SHIFT) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = val & CW_BCD;
}

/* A count byte (8254 datasheet, "Write Operations"), in the RW format. */
static void pit_write_count(struct mv_pit *pit, int channel, u8 val)
{
	struct kvm_pit_channel_state *c = &pit->ch[channel];

	switch (c->write_state) {
	case RW_STATE_MSB:
		pit_load_count(pit, channel, val << 8);
		break;
	case RW_STATE_WORD0:
		c->write_latch = val;
		c->write_state = RW_STATE_WORD1;
		break;
	case RW_STATE_WORD1:
		pit_load_count(pit, channel, c->write_latch | (val << 8));
		c->write_state = RW_STATE_WORD0;
		break;
	case RW_STATE_LSB:
	default:
		pit_load_count(pit, channel, val);
		break;
	}
}

/*
 * A counter's read (8254 datasheet, "Read Operations", "Read-Back
 * Command"): a latched status first, then a latched count in the RW
 * format, else the live count.
 */
static int pit_read_counter(struct mv_pit *pit, int channel)
{
	struct kvm_pit_channel_state *c = &pit->ch[channel];
	int ret;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}

	if (c->count_latched) {
		switch (c->count_latched) {
		case RW_STATE_MSB:
			ret = c->latched_count >> 8;
			c->count_latched = 0;
			break;
		case RW_STATE_WORD0:
			ret = c->latched_count & 0xff;
			c->count_latched = RW_STATE_MSB;
			break;
		case RW_STATE_LSB:
		default:
			ret = c->latched_count & 0xff;
			c->count_latched = 0;
			break;
		}
		return ret;
	}

	switch (c->read_state) {
	case RW_STATE_MSB:
		ret = (pit_get_count(pit, channel) >> 8) & 0xff;
		break;
	case RW_STATE_WORD0:
		ret = pit_get_count(pit, channel) & 0xff;
		c->read_state = RW_STATE_WORD1;
		break;
	case RW_STATE_WORD1:
		ret = (pit_get_count(pit, channel) >> 8) & 0xff;
		c->read_state = RW_STATE_WORD0;
		break;
	case RW_STATE_LSB:
	default:
		ret = pit_get_count(pit, channel) & 0xff;
		break;
	}
	return ret;
}

static bool pit_port_in_range(u64 addr)
{
	return addr >= PIT_BASE_PORT && addr < PIT_BASE_PORT + PIT_NR_PORTS;
}

static int pit_port_write(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			  u64 addr, unsigned int len, const void *val)
{
	struct mv_pit *pit = container_of(dev, struct mv_pit, dev);
	unsigned int port = addr - PIT_BASE_PORT;
	u8 byte;

	if (!pit_port_in_range(addr) || !len)
		return -EOPNOTSUPP;

	/* Each port is 8 bits wide: a wider OUT writes its low byte. */
	byte = *(const u8 *)val;

	mutex_lock(&pit->lock);
	if (port == PIT_CONTROL_PORT)
		pit_write_control(pit, byte);
	else
		pit_write_count(pit, port, byte);
	mutex_unlock(&pit->lock);
	return 0;
}

/*
 * A wider IN gets the byte zero-extended. Reading the control port returns
 * nothing (the 8254 datasheet: "no-operation, 3-state"): as KVM, the
 * access is taken and val left as it is.
 */
static int pit_port_read(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			 u64 addr, unsigned int len, void *val)
{
	struct mv_pit *pit = container_of(dev, struct mv_pit, dev);
	unsigned int port = addr - PIT_BASE_PORT;
	int ret;

	if (!pit_port_in_range(addr))
		return -EOPNOTSUPP;
	if (port == PIT_CONTROL_PORT)
		return 0;

	mutex_lock(&pit->lock);
	ret = pit_read_counter(pit, port);
	mutex_unlock(&pit->lock);

	memcpy(val, &ret, min_t(unsigned int, len, sizeof(ret)));
	return 0;
}

/*
 * Port 61h, written: bit 0 is channel 2's GATE, bit 1 enables the speaker
 * data (kept in KVM_PIT_FLAGS_SPEAKER_DATA_ON); the other bits are ignored.
 */
static int speaker_port_write(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			      u64 addr, unsigned int len, const void *val)
{
	struct mv_pit *pit = container_of(dev, struct mv_pit, speaker);
	u8 byte;

	if (addr != SPEAKER_PORT || !len)
		return -EOPNOTSUPP;
	byte = *(const u8 *)val;

	mutex_lock(&pit->lock);
	if (byte & SPK_DATA_EN)
		pit->flags |= KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	else
		pit->flags &= ~KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	pit_set_gate(pit, 2, byte & SPK_TIM2_GATE);
	mutex_unlock(&pit->lock);
	return 0;
}

/*
 * Port 61h, read: speaker data enable, channel 2's GATE, its OUT, and the
 * refresh toggle, which flips about every 15 us on a PC: as KVM, every
 * 2^14 ns of the host's monotonic clock. The other bits read 0.
 */
static int speaker_port_read(struct mv_vcpu *vcpu, struct mv_io_device *dev,
			     u64 addr, unsigned int len, void *val)
{
	struct mv_pit *pit = container_of(dev, struct mv_pit, speaker);
	unsigned int refresh;
	int ret;

	if (addr != SPEAKER_PORT)
		return -EOPNOTSUPP;

	refresh = ((unsigned int)ktime_to_ns(ktime_get()) >> 14) & 1;

	mutex_lock(&pit->lock);
	ret = (!!(pit->flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON) << 1) |
	      pit->ch[2].gate |
	      (pit_get_out(pit, 2) << SPK_TIM2_OUT_SHIFT) |
	      (refresh << SPK_REFRESH_SHIFT);
	mutex_unlock(&pit->lock);

	memcpy(val, &ret, min_t(unsigned int, len, sizeof(ret)));
	return 0;
}

static const struct mv_io_device_ops pit_dev_ops = {
	.read = pit_port_read,
	.write = pit_port_write,
};

static const struct mv_io_device_ops speaker_dev_ops = {
	.read = speaker_port_read,
	.write = speaker_port_write,
};

/*
 * The state KVM gives a new PIT (kvm_pit_reset()): no flags, every channel
 * in the reset mode 0xff (no mode: no timer) with the largest count,
 * channels 0 and 1 gated on, channel 2 (the speaker's) off.
 */
static void pit_reset(struct mv_pit *pit)
{
	int i;

	pit->flags = 0;
	for (i = 0; i < 3; i++) {
		pit->ch[i].mode = 0xff;
		pit->ch[i].gate = i != 2;
		pit_load_count(pit, i, 0);
	}
	pit_reset_reinject(pit);
}

/*
 * KVM_CREATE_PIT2 under vm->lock, with KVM's (Linux 6.12's) errnos:
 * -EEXIST if the VM has a PIT; -ENOENT without the in-kernel PIC
 * (KVM_CREATE_IRQCHIP first; also in split mode; Linux 6.1 had no such
 * check); -ENOMEM when anything fails after (KVM answers -ENOMEM for all
 * of it). Flags other than KVM_PIT_SPEAKER_DUMMY are ignored, as KVM does.
 */
int mv_pit_create(struct mv_vm *vm, u32 flags)
{
	struct mv_pit *pit;
	int ret;

	lockdep_assert_held(&vm->lock);

	if (vm->irq.pit)
		return -EEXIST;
	if (mv_irqchip_mode(&vm->irq) != MV_IRQCHIP_KERNEL)
		return -ENOENT;

	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		return -ENOMEM;

	pit->vm = vm;
	mutex_init(&pit->lock);
	pit->worker = kthread_create_worker(0, "minivirt-pit/%d",
					    task_tgid_vnr(current));
	if (IS_ERR(pit->worker))
		goto err_free;
	kthread_init_work(&pit->expired, pit_inject);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	pit->timer.function = pit_timer_fn;
	pit->ack.gsi = PIT_CHANNEL0_GSI;
	pit->ack.acked = pit_acked;

	mutex_lock(&pit->lock);
	pit_reset(pit);
	pit_set_reinject_locked(pit, true);
	mutex_unlock(&pit->lock);

	pit->dev.ops = &pit_dev_ops;
	ret = mv_io_bus_register(vm, MV_PIO_BUS, PIT_BASE_PORT, PIT_NR_PORTS,
				 &pit->dev);
	if (ret)
		goto err_reinject;

	/*
	 * Port 61h in the kernel only with KVM_PIT_SPEAKER_DUMMY (KVM_CREATE_PIT
	 * implies it): without it 0x61 exits to userspace, whose speaker reads
	 * channel 2 with KVM_GET_PIT2 (QEMU's pcspk does).
	 */
	if (flags & KVM_PIT_SPEAKER_DUMMY) {
		pit->speaker.ops = &speaker_dev_ops;
		ret = mv_io_bus_register(vm, MV_PIO_BUS, SPEAKER_PORT,
					 SPEAKER_NR_PORTS, &pit->speaker);
		if (ret)
			goto err_unregister_pit;
		pit->has_speaker = true;
	}

	/* Fully set up before readers without vm->lock (ioctls) see it. */
	smp_store_release(&vm->irq.pit, pit);
	return 0;

err_unregister_pit:
	mv_io_bus_unregister(vm, MV_PIO_BUS, &pit->dev);
err_reinject:
	mutex_lock(&pit->lock);
	pit_set_reinject_locked(pit, false);
	mutex_unlock(&pit->lock);
	kthread_destroy_worker(pit->worker);
err_free:
	mutex_destroy(&pit->lock);
	kfree(pit);
	return -ENOMEM;
}

/*
 * At VM destruction, with no vCPU running and before the routing table and
 * the PIC go; takes vm->lock (call it without). In this order: the ports go
 * (no guest access starts the timer again), the ack notifier (no ack queues
 * the worker), the timer (no tick queues it), then the worker is flushed
 * and stopped: its last injection runs before the PIT is freed.
 */
void mv_pit_destroy(struct mv_vm *vm)
{
	struct mv_pit *pit = vm->irq.pit;

	if (!pit)
		return;

	mutex_lock(&vm->lock);
	mv_io_bus_unregister(vm, MV_PIO_BUS, &pit->dev);
	if (pit->has_speaker)
		mv_io_bus_unregister(vm, MV_PIO_BUS, &pit->speaker);
	vm->irq.pit = NULL;
	mutex_unlock(&vm->lock);

	mutex_lock(&pit->lock);
	pit_set_reinject_locked(pit, false);
	mutex_unlock(&pit->lock);
	hrtimer_cancel(&pit->timer);
	kthread_destroy_worker(pit->worker);
	mutex_destroy(&pit->lock);
	kfree(pit);
}

/*
 * KVM_GET_PIT2: the channels as they are (count_load_time in the host's
 * monotonic ns: channel 0's is not kept up to date, its timer is the
 * base), the flags as set, reserved zero.
 */
void mv_pit_get_state2(struct mv_pit *pit, struct kvm_pit_state2 *s)
{
	BUILD_BUG_ON(sizeof(s->channels) != sizeof(pit->ch));

	mutex_lock(&pit->lock);
	memcpy(s->channels, pit->ch, sizeof(s->channels));
	s->flags = pit->flags;
	mutex_unlock(&pit->lock);
	memset(s->reserved, 0, sizeof(s->reserved));
}

/*
 * KVM_SET_PIT2: the channels and flags taken as they are (no check, as
 * KVM), then each channel's count loaded again: channel 0's timer restarts
 * for a full count in its mode, and channels 1 and 2 count from now. When
 * KVM_PIT_FLAGS_HPET_LEGACY turns on, channel 0's timer stops.
 */
int mv_pit_set_state2(struct mv_pit *pit, const struct kvm_pit_state2 *s)
{
	bool start;
	int i;

	mutex_lock(&pit->lock);
	start = !(pit->flags & KVM_PIT_FLAGS_HPET_LEGACY) &&
		(s->flags & KVM_PIT_FLAGS_HPET_LEGACY);
	memcpy(pit->ch, s->channels, sizeof(pit->ch));
	pit->flags = s->flags;
	for (i = 0; i < 3; i++)
		pit_load_count_state(pit, i, pit->ch[i].count, start && i == 0);
	mutex_unlock(&pit->lock);
	return 0;
}

/* KVM_GET_PIT: the channels of KVM_GET_PIT2. */
void mv_pit_get_state(struct mv_pit *pit, struct kvm_pit_state *s)
{
	BUILD_BUG_ON(sizeof(*s) != sizeof(pit->ch));

	mutex_lock(&pit->lock);
	memcpy(s->channels, pit->ch, sizeof(s->channels));
	mutex_unlock(&pit->lock);
}

/* KVM_SET_PIT: the channels of KVM_SET_PIT2, the flags left as they are. */
int mv_pit_set_state(struct mv_pit *pit, const struct kvm_pit_state *s)
{
	int i;

	mutex_lock(&pit->lock);
	memcpy(pit->ch, s->channels, sizeof(pit->ch));
	for (i = 0; i < 3; i++)
		pit_load_count_state(pit, i, pit->ch[i].count, false);
	mutex_unlock(&pit->lock);
	return 0;
}

/*
 * KVM_REINJECT_CONTROL: with reinjection (the default) every tick reaches
 * the guest, each after the previous one was acked; without, ticks that
 * come while the last one is still pending merge in the PIC's IRR.
 */
void mv_pit_set_reinject(struct mv_pit *pit, bool reinject)
{
	mutex_lock(&pit->lock);
	pit_set_reinject_locked(pit, reinject);
	mutex_unlock(&pit->lock);
}
