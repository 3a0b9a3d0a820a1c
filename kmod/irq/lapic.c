// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC of a vCPU (SDM vol 3A chapter 10), with KVM's semantics
 * (arch/x86/kvm/lapic.c, Linux 6.1): the register page as KVM_GET_LAPIC
 * shows it, xAPIC MMIO and x2APIC MSR access, interrupt acceptance and
 * priority (IRR, ISR, TMR, TPR, PPR), EOI, IPIs, and the timer on an
 * hrtimer. See lapic.h for the locking.
 */
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "../cpuid.h"
#include "../vcpu.h"
#include "../vm.h"
#include "irq.h"
#include "lapic.h"

#define LAPIC_REGS_SIZE		KVM_APIC_REG_SIZE	/* 0x400 */
#define LAPIC_MMIO_LEN		0x1000
#define LAPIC_VERSION		0x14	/* integrated APIC (KVM's APIC_VERSION) */
#define LAPIC_NR_LVT		6	/* timer, thermal, PMC, LINT0, LINT1, error */
#define LVT_TIMER_MODE		(3U << 17)
#define LVT_TIMER_ONESHOT	(0U << 17)
#define LVT_TIMER_PERIODIC	(1U << 17)
#define LVT_TIMER_TSCDEADLINE	(2U << 17)
#define LVT_MASK_BITS		(APIC_LVT_MASKED | APIC_SEND_PENDING | APIC_VECTOR_MASK)
#define LINT_MASK_BITS		(LVT_MASK_BITS | APIC_MODE_MASK | APIC_INPUT_POLARITY | \
				 APIC_LVT_REMOTE_IRR | APIC_LVT_LEVEL_TRIGGER)
/* ICR destination shorthand, LVR directed-EOI bit (SDM 10.6.1, 10.8.5). */
#define ICR_SHORTHAND		0xc0000U
#define LVR_DIRECTED_EOI	BIT(24)
#define X2APIC_BROADCAST	0xffffffffU
#define XAPIC_BROADCAST		0xffU
/* KVM's min_timer_period_us: a periodic timer fires at most every 200 us. */
#define LAPIC_MIN_PERIOD_NS	200000ULL

enum { PENDING_INIT, PENDING_SIPI, PENDING_NMI };

struct mv_lapic {
	spinlock_t lock;
	struct mv_vcpu *vcpu;
	u8 regs[LAPIC_REGS_SIZE] __aligned(16);
	unsigned long pending;		/* PENDING_*: for the run loop */
	u8 sipi_vector;
	u32 divide_count;
	struct hrtimer timer;
	u32 timer_mode;			/* LVT_TIMER_* in force */
	u64 period_ns;			/* 0: no count-down running */
	ktime_t target;			/* of the current count-down */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE */
	u32 arb_prio;			/* lowest-priority arbitration */
};

static u32 reg_get(const struct mv_lapic *a, unsigned int off)
{
	return *(const u32 *)(a->regs + off);
}

static void reg_set(struct mv_lapic *a, unsigned int off, u32 val)
{
	*(u32 *)(a->regs + off) = val;
}

/* The 256-bit IRR/ISR/TMR: 8 registers 16 bytes apart (SDM 10.8.4). */
static bool vec_test(const struct mv_lapic *a, unsigned int base, u8 v)
{
	return reg_get(a, base + (v >> 5) * 0x10) & BIT(v & 31);
}

static void vec_assign(struct mv_lapic *a, unsigned int base, u8 v, bool on)
{
	u32 *w = (u32 *)(a->regs + base + (v >> 5) * 0x10);

	if (on)
		*w |= BIT(v & 31);
	else
		*w &= ~BIT(v & 31);
}

static int vec_highest(const struct mv_lapic *a, unsigned int base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = reg_get(a, base + i * 0x10);

		if (w)
			return i * 32 + __fls(w);
	}
	return -1;
}

static bool x2apic_mode(const struct mv_lapic *a)
{
	return a->vcpu->apic_base & X2APIC_ENABLE;
}

static bool hw_enabled(const struct mv_lapic *a)
{
	return a->vcpu->apic_base & MSR_IA32_APICBASE_ENABLE;
}

static bool sw_enabled(const struct mv_lapic *a)
{
	return reg_get(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

static bool enabled(const struct mv_lapic *a)
{
	return hw_enabled(a) && sw_enabled(a);
}

static u32 xapic_id(const struct mv_lapic *a)
{
	return reg_get(a, APIC_ID) >> 24;
}

/* In x2APIC mode the ID is the vCPU id and LDR derives from it (10.12.10.2). */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1U << (id & 0xf));
}

/* PPR (SDM 10.8.3.1): TPR if its class is at least the highest ISR's. */
static u32 update_ppr(struct mv_lapic *a)
{
	u32 tpr = reg_get(a, APIC_TASKPRI);
	int isr = vec_highest(a, APIC_ISR);
	u32 isrv = isr < 0 ? 0 : isr;
	u32 ppr = (tpr & 0xf0) >= (isrv & 0xf0) ? tpr & 0xff : isrv & 0xf0;

	reg_set(a, APIC_PROCPRI, ppr);
	return ppr;
}

static int pending_vector(struct mv_lapic *a)
{
	u32 ppr = update_ppr(a);
	int irr = vec_highest(a, APIC_IRR);

	if (irr < 0 || (irr & 0xf0) <= ppr)
		return -1;
	return irr;
}

static bool timer_mode_is(const struct mv_lapic *a, u32 mode)
{
	return a->timer_mode == mode;
}

/* The guest's TSC now (kvmclock.c keeps guest = host + offset). */
static u64 guest_tsc(const struct mv_lapic *a)
{
	return rdtsc() + a->vcpu->clock.tsc_offset;
}

static u32 guest_tsc_khz(const struct mv_lapic *a)
{
	return a->vcpu->clock.virtual_tsc_khz ?: tsc_khz;
}

/* TDCR (SDM 10.5.4 figure 10-10): divide by 2^(((b3 << 2) | b1:0) + 1) mod 8. */
static void update_divide_count(struct mv_lapic *a)
{
	u32 tdcr = reg_get(a, APIC_TDCR);
	u32 v = ((tdcr & 0x3) | ((tdcr & 0x8) >> 1)) + 1;

	a->divide_count = 1U << (v & 7);
}

static u64 count_to_ns(const struct mv_lapic *a, u32 count)
{
	/* KVM's APIC bus runs at 1 GHz: one count is one ns times the divider. */
	return (u64)count * a->divide_count;
}

static u32 timer_current_count(const struct mv_lapic *a)
{
	s64 left;

	if (!reg_get(a, APIC_TMICT) || !a->period_ns)
		return 0;
	left = ktime_to_ns(ktime_sub(a->target, ktime_get()));
	if (left < 0)
		left = 0;
	return div64_u64(left % a->period_ns, a->divide_count);
}

/* Accepting an interrupt into this LAPIC; lock held. */
static bool accept_fixed(struct mv_lapic *a, u8 vector, bool level)
{
	if (!enabled(a))
		return false;
	vec_assign(a, APIC_TMR, vector, level);
	vec_assign(a, APIC_IRR, vector, true);
	return true;
}

/* An LVT's interrupt to this vCPU (SDM 10.5.1); lock held. */
static bool local_deliver(struct mv_lapic *a, unsigned int lvt)
{
	u32 reg = reg_get(a, lvt);

	if (!hw_enabled(a) || (reg & APIC_LVT_MASKED))
		return false;
	switch (reg & APIC_MODE_MASK) {
	case APIC_DM_FIXED:
		return accept_fixed(a, reg & APIC_VECTOR_MASK,
				    reg & APIC_LVT_LEVEL_TRIGGER);
	case APIC_DM_NMI:
		set_bit(PENDING_NMI, &a->pending);
		return true;
	default:	/* ExtINT: the PIC's (mv_lapic_accepts_pic()); SMI, INIT: none */
		return false;
	}
}

static void timer_cancel(struct mv_lapic *a)
{
	/* Never called with a->lock held: the callback takes it. */
	hrtimer_cancel(&a->timer);
}

/* Arms the count-down from TMICT (or TMCCT when count is given), lock held. */
static void timer_start_count(struct mv_lapic *a, u32 count)
{
	u32 tmict = reg_get(a, APIC_TMICT);
	u64 deadline;

	a->period_ns = count_to_ns(a, tmict);
	if (!a->period_ns)
		return;
	if (timer_mode_is(a, LVT_TIMER_PERIODIC))
		a->period_ns = max(a->period_ns, LAPIC_MIN_PERIOD_NS);
	deadline = count ? min(count_to_ns(a, count), a->period_ns) : a->period_ns;
	a->target = ktime_add_ns(ktime_get(), deadline);
	hrtimer_start(&a->timer, a->target, HRTIMER_MODE_ABS_HARD);
}

static void timer_start_deadline(struct mv_lapic *a)
{
	u64 now = guest_tsc(a), ns;

	if (!a->tsc_deadline)
		return;
	if (a->tsc_deadline <= now) {
		local_deliver(a, APIC_LVTT);
		a->tsc_deadline = 0;
		return;
	}
	ns = mul_u64_u32_div(a->tsc_deadline - now, 1000000, guest_tsc_khz(a));
	a->target = ktime_add_ns(ktime_get(), ns);
	hrtimer_start(&a->timer, a->target, HRTIMER_MODE_ABS_HARD);
}

static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
	struct mv_lapic *a = container_of(t, struct mv_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	ktime_t now;

	spin_lock_irqsave(&a->lock, flags);
	local_deliver(a, APIC_LVTT);
	if (timer_mode_is(a, LVT_TIMER_TSCDEADLINE)) {
		a->tsc_deadline = 0;
	} else if (timer_mode_is(a, LVT_TIMER_PERIODIC) && a->period_ns) {
		/* Missed periods are not caught up (KVM: one interrupt). */
		now = ktime_get();
		a->target = ktime_add_ns(a->target, a->period_ns);
		if (ktime_before(a->target, now))
			a->target = now;
		hrtimer_set_expires(t, a->target);
		ret = HRTIMER_RESTART;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	mv_vcpu_wake(a->vcpu);
	return ret;
}

/* LVTT's mode changed (KVM's apic_update_lvtt()); lock held. */
static bool update_lvtt(struct mv_lapic *a)
{
	u32 mode = reg_get(a, APIC_LVTT) & LVT_TIMER_MODE;
	bool stop = false;

	if (mode == a->timer_mode)
		return false;
	if ((mode == LVT_TIMER_TSCDEADLINE) !=
	    (a->timer_mode == LVT_TIMER_TSCDEADLINE)) {
		reg_set(a, APIC_TMICT, 0);
		a->period_ns = 0;
		a->tsc_deadline = 0;
		stop = true;
	}
	a->timer_mode = mode;
	return stop;
}

static u32 lvt_timer_modes(struct mv_lapic *a)
{
	/* TSC-deadline only where the guest's CPUID offers it (SDM 10.5.4.1). */
	return mv_guest_has(a->vcpu, 1, MV_ECX, 24) ? LVT_TIMER_MODE :
						     LVT_TIMER_PERIODIC;
}

static void set_version(struct mv_lapic *a)
{
	/*
	 * No directed EOI with the in-kernel IOAPIC (82093AA has no EOI
	 * register), as KVM; with a split irqchip and x2APIC it is offered.
	 */
	u32 v = LAPIC_VERSION | ((LAPIC_NR_LVT - 1) << 16);

	if (mv_guest_has(a->vcpu, 1, MV_ECX, 21) &&
	    mv_irqchip_mode(&a->vcpu->vm->irq) == MV_IRQCHIP_SPLIT)
		v |= LVR_DIRECTED_EOI;
	reg_set(a, APIC_LVR, v);
}

/* Work a register write leaves for after the lock (IPIs, EOI, timer). */
struct after_write {
	bool ipi;
	struct mv_irq_msg msg;
	int eoi_vector;		/* an EOI's vector, or -1 */
	bool eoi_level;		/* its TMR bit */
	bool timer_stop;
	bool timer_start;
	bool event;		/* something may be deliverable now */
};

static void icr_to_msg(struct mv_lapic *a, u32 lo, u32 hi, struct mv_irq_msg *m)
{
	m->vector = lo & APIC_VECTOR_MASK;
	m->delivery_mode = (lo & APIC_MODE_MASK) >> 8;
	m->logical = lo & APIC_DEST_LOGICAL;
	m->assert = lo & APIC_INT_ASSERT;
	m->level = lo & APIC_INT_LEVELTRIG;
	m->shorthand = (lo & ICR_SHORTHAND) >> 18;
	m->dest = x2apic_mode(a) ? hi : hi >> 24;
}

static void eoi(struct mv_lapic *a, struct after_write *w)
{
	int v = vec_highest(a, APIC_ISR);

	/* An EOI with nothing in service does nothing (KVM). */
	if (v < 0)
		return;
	vec_assign(a, APIC_ISR, v, false);
	update_ppr(a);
	w->eoi_vector = v;
	w->eoi_level = vec_test(a, APIC_TMR, v);
	w->event = true;
}

/* KVM's kvm_lapic_reg_write(): 0, or 1 for an invalid x2APIC access. */
static int reg_write(struct mv_lapic *a, u32 reg, u32 val, struct after_write *w)
{
	static const u32 lvt_bits[LAPIC_NR_LVT] = {
		LVT_MASK_BITS,					/* timer */
		LVT_MASK_BITS | APIC_MODE_MASK,			/* thermal */
		LVT_MASK_BITS | APIC_MODE_MASK,			/* PMC */
		LINT_MASK_BITS, LINT_MASK_BITS,			/* LINT0, 1 */
		LVT_MASK_BITS,					/* error */
	};
	bool x2 = x2apic_mode(a);
	int i;

	switch (reg) {
	case APIC_ID:
		if (x2)
			return 1;
		reg_set(a, APIC_ID, val & 0xff000000);
		break;
	case APIC_TASKPRI:
		reg_set(a, APIC_TASKPRI, val & 0xff);
		update_ppr(a);
		w->event = true;
		break;
	case APIC_EOI:
		eoi(a, w);
		break;
	case APIC_LDR:
		if (x2)
			return 1;
		reg_set(a, APIC_LDR, val & APIC_LDR_MASK);
		break;
	case APIC_DFR:
		if (x2)
			return 1;
		reg_set(a, APIC_DFR, val | 0x0fffffff);
		break;
	case APIC_SPIV: {
		u32 mask = 0x3ff;

		if (reg_get(a, APIC_LVR) & LVR_DIRECTED_EOI)
			mask |= APIC_SPIV_DIRECTED_EOI;
		reg_set(a, APIC_SPIV, val & mask);
		/* Software disable masks every LVT (SDM 10.4.7.2). */
		if (!(val & APIC_SPIV_APIC_ENABLED)) {
			for (i = 0; i < LAPIC_NR_LVT; i++)
				reg_set(a, APIC_LVTT + 0x10 * i,
					reg_get(a, APIC_LVTT + 0x10 * i) |
					APIC_LVT_MASKED);
			w->timer_stop |= update_lvtt(a);
		}
		w->event = true;
		break;
	}
	case APIC_ICR:
		if (x2)
			return 1;	/* a 64-bit MSR write, mv_lapic_msr_write() */
		val &= ~APIC_ICR_BUSY;	/* delivered at once */
		reg_set(a, APIC_ICR, val);
		icr_to_msg(a, val, reg_get(a, APIC_ICR2), &w->msg);
		w->ipi = true;
		break;
	case APIC_ICR2:
		if (x2)
			return 1;
		reg_set(a, APIC_ICR2, val & 0xff000000);
		break;
	case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0: case APIC_LVT1:
	case APIC_LVTERR:
		i = array_index_nospec((reg - APIC_LVTT) >> 4, LAPIC_NR_LVT);
		if (!sw_enabled(a))
			val |= APIC_LVT_MASKED;
		reg_set(a, reg, val & lvt_bits[i]);
		w->event = true;	/* LINT0 may now take the PIC's ExtINT */
		break;
	case APIC_LVTT:
		if (!sw_enabled(a))
			val |= APIC_LVT_MASKED;
		reg_set(a, APIC_LVTT, val & (lvt_bits[0] | lvt_timer_modes(a)));
		w->timer_stop |= update_lvtt(a);
		break;
	case APIC_TMICT:
		if (timer_mode_is(a, LVT_TIMER_TSCDEADLINE))
			break;
		reg_set(a, APIC_TMICT, val);
		w->timer_stop = true;
		w->timer_start = true;
		break;
	case APIC_TDCR:
		reg_set(a, APIC_TDCR, val & 0xb);
		update_divide_count(a);
		/* A running count-down continues with the new divider (KVM restarts it). */
		if (a->period_ns) {
			w->timer_stop = true;
			w->timer_start = true;
		}
		break;
	case APIC_ESR:
		if (x2 && val)
			return 1;
		/* A write arms the read of the errors seen since (SDM 10.5.3). */
		reg_set(a, APIC_ESR, 0);
		break;
	case APIC_SELF_IPI:
		if (!x2 || (val & ~APIC_VECTOR_MASK))
			return 1;
		icr_to_msg(a, APIC_DEST_SELF | val, 0, &w->msg);
		w->ipi = true;
		break;
	default:
		return 1;
	}
	return 0;
}

/* Registers a read may name (KVM's valid_reg_mask in kvm_lapic_reg_read()). */
static bool reg_readable(const struct mv_lapic *a, u32 off)
{
	if (off > 0x3f0)
		return false;
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_TASKPRI: case APIC_PROCPRI:
	case APIC_LDR: case APIC_DFR: case APIC_SPIV: case APIC_ESR:
	case APIC_ICR: case APIC_LVTT: case APIC_LVTTHMR: case APIC_LVTPC:
	case APIC_LVT0: case APIC_LVT1: case APIC_LVTERR: case APIC_TMICT:
	case APIC_TMCCT: case APIC_TDCR:
		return true;
	case APIC_ARBPRI: case APIC_ICR2:
		return !x2apic_mode(a);
	default:
		return (off >= APIC_ISR && off < APIC_ISR + 0x80) ||
		       (off >= APIC_TMR && off < APIC_TMR + 0x80) ||
		       (off >= APIC_IRR && off < APIC_IRR + 0x80);
	}
}

static u32 reg_read(struct mv_lapic *a, u32 off)
{
	switch (off) {
	case APIC_ARBPRI:
		return 0;
	case APIC_TMCCT:
		return timer_mode_is(a, LVT_TIMER_TSCDEADLINE) ? 0 :
		       timer_current_count(a);
	case APIC_PROCPRI:
		return update_ppr(a);
	default:
		return reg_get(a, off);
	}
}

static void timer_restart(struct mv_lapic *a)
{
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	if (timer_mode_is(a, LVT_TIMER_TSCDEADLINE))
		timer_start_deadline(a);
	else
		timer_start_count(a, 0);
	spin_unlock_irqrestore(&a->lock, flags);
}

/* Acts on what a register write left to do, without the lock. */
static void after_write(struct mv_lapic *a, struct after_write *w)
{
	struct mv_vcpu *vcpu = a->vcpu;

	if (w->timer_stop) {
		timer_cancel(a);
		if (!w->timer_start)
			a->period_ns = 0;
	}
	if (w->timer_start)
		timer_restart(a);
	if (w->ipi)
		mv_lapic_deliver(vcpu->vm, vcpu, &w->msg);
	if (w->eoi_vector >= 0)
		mv_irqchip_eoi(vcpu, w->eoi_vector, w->eoi_level);
	if (w->event)
		mv_vcpu_request(vcpu, MV_REQ_EVENT);
}

static int write_reg(struct mv_lapic *a, u32 reg, u32 val)
{
	struct after_write w = { .eoi_vector = -1 };
	unsigned long flags;
	int r;

	spin_lock_irqsave(&a->lock, flags);
	r = reg_write(a, reg, val, &w);
	spin_unlock_irqrestore(&a->lock, flags);
	after_write(a, &w);
	return r;
}

/* Destination matching (SDM 10.6.2; KVM's kvm_apic_match_dest()). */
static bool match_dest(struct mv_lapic *t, struct mv_lapic *src,
		       const struct mv_irq_msg *m, bool broadcast_quirk)
{
	u32 mda = m->dest, ldr;
	bool x2 = x2apic_mode(t);

	switch (m->shorthand) {
	case 1:
		return t == src;
	case 2:
		return true;
	case 3:
		return t != src;
	}
	/* KVM's quirk: an IOAPIC/MSI broadcast 0xff reaches x2APIC LAPICs. */
	if (broadcast_quirk && !src && mda == XAPIC_BROADCAST && x2)
		mda = X2APIC_BROADCAST;
	if (mda == (x2 ? X2APIC_BROADCAST : XAPIC_BROADCAST))
		return true;
	if (!m->logical) {
		if (x2 || mda > 0xff)
			return mda == t->vcpu->id;
		return mda == xapic_id(t);
	}
	ldr = reg_get(t, APIC_LDR);
	if (x2)
		return (ldr >> 16) == (mda >> 16) && (ldr & mda & 0xffff);
	ldr = GET_APIC_LOGICAL_ID(ldr);
	switch (reg_get(t, APIC_DFR)) {
	case APIC_DFR_FLAT:
		return ldr & mda;
	case APIC_DFR_CLUSTER:
		return (ldr >> 4) == (mda >> 4) && (ldr & mda & 0xf);
	default:
		return false;
	}
}

/* KVM's __apic_accept_irq(): 1 if the LAPIC took it. */
static int accept(struct mv_lapic *a, const struct mv_irq_msg *m)
{
	unsigned long flags;
	int r = 0;

	switch (m->delivery_mode) {
	case APIC_DM_LOWEST >> 8:
		a->arb_prio++;
		fallthrough;
	case APIC_DM_FIXED >> 8:
		/* A level message's de-assert carries nothing (KVM). */
		if (m->level && !m->assert)
			return 0;
		spin_lock_irqsave(&a->lock, flags);
		r = accept_fixed(a, m->vector, m->level);
		spin_unlock_irqrestore(&a->lock, flags);
		break;
	case APIC_DM_NMI >> 8:
		set_bit(PENDING_NMI, &a->pending);
		r = 1;
		break;
	case APIC_DM_INIT >> 8:
		if (m->level && !m->assert)
			return 0;
		/* INIT discards a SIPI not yet taken (KVM). */
		clear_bit(PENDING_SIPI, &a->pending);
		set_bit(PENDING_INIT, &a->pending);
		r = 1;
		break;
	case APIC_DM_STARTUP >> 8:
		a->sipi_vector = m->vector;
		smp_wmb();	/* the vector before the bit: mv_lapic_take_sipi() */
		set_bit(PENDING_SIPI, &a->pending);
		r = 1;
		break;
	default:	/* SMI (no SMM), ExtINT (through the PIC): none */
		return 0;
	}
	if (r)
		mv_vcpu_wake(a->vcpu);
	return r;
}

/* The logical model of the VM's software-enabled LAPICs (KVM's map->mode). */
#define MODEL_X2APIC	1
#define MODEL_FLAT	2
#define MODEL_CLUSTER	4

static unsigned int logical_models(struct mv_vm *vm, unsigned int n)
{
	unsigned int i, models = 0;

	for (i = 0; i < n; i++) {
		struct mv_lapic *t = vm->vcpus[i]->lapic;

		if (!t || !hw_enabled(t) || !sw_enabled(t))
			continue;
		if (x2apic_mode(t))
			models |= MODEL_X2APIC;
		else if (reg_get(t, APIC_LDR))
			models |= reg_get(t, APIC_DFR) == APIC_DFR_FLAT ?
				  MODEL_FLAT : MODEL_CLUSTER;
	}
	return models;
}

/*
 * Does KVM answer this message from its APIC map
 * (kvm_apic_map_get_dest_lapic() true)? Then a message that reaches no
 * LAPIC was delivered to 0, not -1: a physical ID, or a logical one while
 * all LAPICs use one model; not a shorthand but self, nor a broadcast, nor
 * anything before the first vCPU.
 */
static bool kvm_map_answers(struct mv_vm *vm, struct mv_lapic *from,
			    const struct mv_irq_msg *m, unsigned int n)
{
	unsigned int models;

	/* No vCPU yet: KVM has no map (kvm_recalculate_apic_map() not run). */
	if (!n)
		return false;
	if (m->shorthand)
		return m->shorthand == 1 && from;
	if (vm->irq.x2apic_broadcast_quirk_off) {
		if (m->dest == X2APIC_BROADCAST)
			return false;
		models = logical_models(vm, n);
		if (m->dest == XAPIC_BROADCAST && models != MODEL_X2APIC)
			return false;
	} else {
		if (m->dest == (from && x2apic_mode(from) ?
				X2APIC_BROADCAST : XAPIC_BROADCAST))
			return false;
		models = m->logical ? logical_models(vm, n) : 0;
	}
	if (!m->logical)
		return true;
	return models == MODEL_X2APIC || models == MODEL_FLAT ||
	       models == MODEL_CLUSTER;
}

/*
 * Delivers @msg from @src (NULL: the IOAPIC or an MSI). Returns as KVM's
 * kvm_irq_delivery_to_apic(): the number of LAPICs that took it, or -1 if
 * none matched and KVM would not have answered from its map.
 */
int mv_lapic_deliver(struct mv_vm *vm, struct mv_vcpu *src,
		     const struct mv_irq_msg *msg)
{
	struct mv_lapic *from = src ? src->lapic : NULL;
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus), candidates = 0;
	bool quirk = !vm->irq.x2apic_broadcast_quirk_off;
	DECLARE_BITMAP(lowest, MV_MAX_VCPUS);
	int r = -1;

	bitmap_zero(lowest, MV_MAX_VCPUS);
	for (i = 0; i < n; i++) {
		struct mv_lapic *t = vm->vcpus[i]->lapic;

		if (!t || !hw_enabled(t) || !match_dest(t, from, msg, quirk))
			continue;
		if (msg->delivery_mode != APIC_DM_LOWEST >> 8) {
			r = max(r, 0) + accept(t, msg);
		} else if (sw_enabled(t)) {
			__set_bit(i, lowest);
			candidates++;
		}
	}
	/* Lowest priority by vector hashing, KVM's default (irq_comm.c). */
	if (candidates) {
		unsigned int k = msg->vector % candidates;

		i = find_first_bit(lowest, MV_MAX_VCPUS);
		while (k--)
			i = find_next_bit(lowest, MV_MAX_VCPUS, i + 1);
		r = accept(vm->vcpus[i]->lapic, msg);
	}
	if (r < 0 && kvm_map_answers(vm, from, msg, n))
		r = 0;
	return r;
}

int mv_lapic_pending_vector(struct mv_vcpu *vcpu)
{
	struct mv_lapic *a = vcpu->lapic;
	unsigned long flags;
	int v;

	if (!hw_enabled(a))
		return -1;
	spin_lock_irqsave(&a->lock, flags);
	v = pending_vector(a);
	spin_unlock_irqrestore(&a->lock, flags);
	return v;
}

void mv_lapic_ack(struct mv_vcpu *vcpu, u8 vector)
{
	struct mv_lapic *a = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	vec_assign(a, APIC_IRR, vector, false);
	vec_assign(a, APIC_ISR, vector, true);
	update_ppr(a);
	spin_unlock_irqrestore(&a->lock, flags);
}

bool mv_lapic_accepts_pic(struct mv_vcpu *vcpu)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 lvt0 = reg_get(a, APIC_LVT0);

	/* A hardware-disabled LAPIC passes INTR through (KVM). */
	if (!hw_enabled(a))
		return true;
	return !(lvt0 & APIC_LVT_MASKED) &&
	       (lvt0 & APIC_MODE_MASK) == APIC_DM_EXTINT;
}

bool mv_lapic_take_nmi(struct mv_vcpu *vcpu)
{
	return test_and_clear_bit(PENDING_NMI, &vcpu->lapic->pending);
}

bool mv_lapic_take_init(struct mv_vcpu *vcpu)
{
	return test_and_clear_bit(PENDING_INIT, &vcpu->lapic->pending);
}

int mv_lapic_take_sipi(struct mv_vcpu *vcpu)
{
	struct mv_lapic *a = vcpu->lapic;

	if (!test_and_clear_bit(PENDING_SIPI, &a->pending))
		return -1;
	smp_rmb();	/* the bit before the vector: accept() */
	return a->sipi_vector;
}

void mv_lapic_pend_sipi(struct mv_vcpu *vcpu)
{
	set_bit(PENDING_SIPI, &vcpu->lapic->pending);
}

bool mv_lapic_has_init_sipi(struct mv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->lapic->pending) &
	       (BIT(PENDING_INIT) | BIT(PENDING_SIPI));
}

bool mv_lapic_has_nmi(struct mv_vcpu *vcpu)
{
	return test_bit(PENDING_NMI, &vcpu->lapic->pending);
}

static u64 lapic_base_gpa(const struct mv_vcpu *vcpu)
{
	return vcpu->apic_base & MSR_IA32_APICBASE_BASE;
}

bool mv_lapic_mmio_match(struct mv_vcpu *vcpu, u64 gpa)
{
	u64 base = lapic_base_gpa(vcpu);

	return gpa >= base && gpa < base + LAPIC_MMIO_LEN;
}

/*
 * A disabled or x2APIC-mode LAPIC's page reads as all ones and drops writes
 * (KVM_X86_QUIRK_LAPIC_MMIO_HOLE, on by default).
 */
int mv_lapic_mmio_read(struct mv_vcpu *vcpu, u64 gpa, unsigned int len,
		       void *val)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 off = gpa - lapic_base_gpa(vcpu), align = off & 0xf, v;
	unsigned long flags;

	if (!hw_enabled(a) || x2apic_mode(a)) {
		memset(val, 0xff, len);
		return 0;
	}
	/* Outside a register, or across one: the bus reads nothing (KVM). */
	if (align + len > 4 || !reg_readable(a, off & ~0xf)) {
		memset(val, 0, len);
		return 0;
	}
	spin_lock_irqsave(&a->lock, flags);
	v = reg_read(a, off & ~0xf);
	spin_unlock_irqrestore(&a->lock, flags);
	memcpy(val, (u8 *)&v + align, len);
	return 0;
}

int mv_lapic_mmio_write(struct mv_vcpu *vcpu, u64 gpa, unsigned int len,
			const void *val)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 off = gpa - lapic_base_gpa(vcpu), v;

	if (!hw_enabled(a) || x2apic_mode(a))
		return 0;
	/* Registers are written 32 bits at their start (SDM 10.4.1). */
	if (len != 4 || (off & 0xf))
		return 0;
	memcpy(&v, val, 4);
	write_reg(a, off & 0xff0, v);
	return 0;
}

/* x2APIC ICR: one 64-bit register (SDM 10.12.9), reserved bits #GP (KVM). */
#define X2APIC_ICR_RESERVED	(GENMASK_ULL(31, 20) | GENMASK_ULL(17, 16) | BIT(13))

int mv_lapic_msr_read(struct mv_vcpu *vcpu, u32 msr, u64 *data)
{
	struct mv_lapic *a = vcpu->lapic;
	unsigned long flags;
	u32 reg;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		*data = timer_mode_is(a, LVT_TIMER_TSCDEADLINE) ? a->tsc_deadline : 0;
		return 0;
	}
	reg = (msr - APIC_BASE_MSR) << 4;
	if (!x2apic_mode(a) || reg == APIC_DFR)
		return 1;
	spin_lock_irqsave(&a->lock, flags);
	if (reg == APIC_ICR)
		*data = reg_get(a, APIC_ICR) | (u64)reg_get(a, APIC_ICR2) << 32;
	else if (reg_readable(a, reg))
		*data = reg_read(a, reg);
	else
		reg = 0;
	spin_unlock_irqrestore(&a->lock, flags);
	return reg ? 0 : 1;
}

int mv_lapic_msr_write(struct mv_vcpu *vcpu, u32 msr, u64 data)
{
	struct mv_lapic *a = vcpu->lapic;
	struct after_write w = { .eoi_vector = -1 };
	unsigned long flags;
	u32 reg;
	int r;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		if (!timer_mode_is(a, LVT_TIMER_TSCDEADLINE))
			return 0;
		timer_cancel(a);
		spin_lock_irqsave(&a->lock, flags);
		a->tsc_deadline = data;
		timer_start_deadline(a);
		spin_unlock_irqrestore(&a->lock, flags);
		mv_vcpu_request(vcpu, MV_REQ_EVENT);
		return 0;
	}
	reg = (msr - APIC_BASE_MSR) << 4;
	if (!x2apic_mode(a))
		return 1;
	if (reg == APIC_ICR) {
		if (data & X2APIC_ICR_RESERVED)
			return 1;
		data &= ~(u64)APIC_ICR_BUSY;
		spin_lock_irqsave(&a->lock, flags);
		reg_set(a, APIC_ICR, data);
		reg_set(a, APIC_ICR2, data >> 32);
		icr_to_msg(a, data, data >> 32, &w.msg);
		spin_unlock_irqrestore(&a->lock, flags);
		mv_lapic_deliver(vcpu->vm, vcpu, &w.msg);
		return 0;
	}
	/* Bits 63:32 of every other register are reserved. */
	if (data >> 32)
		return 1;
	spin_lock_irqsave(&a->lock, flags);
	r = reg_write(a, reg, data, &w);
	spin_unlock_irqrestore(&a->lock, flags);
	after_write(a, &w);
	return r;
}

void mv_lapic_set_base(struct mv_vcpu *vcpu, u64 old, u64 value)
{
	struct mv_lapic *a = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	/* Enabling restores the xAPIC ID from the vCPU id (KVM). */
	if ((old ^ value) & value & MSR_IA32_APICBASE_ENABLE)
		reg_set(a, APIC_ID, vcpu->id << 24);
	if ((old ^ value) & value & X2APIC_ENABLE) {
		reg_set(a, APIC_ID, vcpu->id);
		reg_set(a, APIC_LDR, x2apic_ldr(vcpu->id));
	}
	spin_unlock_irqrestore(&a->lock, flags);
	mv_vcpu_request(vcpu, MV_REQ_EVENT);
}

u64 mv_lapic_get_cr8(struct mv_vcpu *vcpu)
{
	return (reg_get(vcpu->lapic, APIC_TASKPRI) >> 4) & 0xf;
}

void mv_lapic_set_cr8(struct mv_vcpu *vcpu, u64 cr8)
{
	write_reg(vcpu->lapic, APIC_TASKPRI, (cr8 & 0xf) << 4);
}

void mv_lapic_reset(struct mv_vcpu *vcpu, bool init_event)
{
	struct mv_lapic *a = vcpu->lapic;
	unsigned long flags;
	int i;

	timer_cancel(a);
	spin_lock_irqsave(&a->lock, flags);
	if (!init_event)
		reg_set(a, APIC_ID, vcpu->id << 24);
	set_version(a);
	for (i = 0; i < LAPIC_NR_LVT; i++)
		reg_set(a, APIC_LVTT + 0x10 * i, APIC_LVT_MASKED);
	update_lvtt(a);
	/* KVM_X86_QUIRK_LINT0_REENABLED: the BSP's LINT0 takes ExtINT. */
	if (vcpu->id == vcpu->vm->irq.boot_cpu_id)
		reg_set(a, APIC_LVT0, APIC_DM_EXTINT);
	reg_set(a, APIC_DFR, 0xffffffff);
	reg_set(a, APIC_SPIV, 0xff);
	reg_set(a, APIC_TASKPRI, 0);
	if (!x2apic_mode(a))
		reg_set(a, APIC_LDR, 0);
	reg_set(a, APIC_ESR, 0);
	reg_set(a, APIC_ICR, 0);
	reg_set(a, APIC_ICR2, 0);
	reg_set(a, APIC_TDCR, 0);
	reg_set(a, APIC_TMICT, 0);
	for (i = 0; i < 8; i++) {
		reg_set(a, APIC_IRR + 0x10 * i, 0);
		reg_set(a, APIC_ISR + 0x10 * i, 0);
		reg_set(a, APIC_TMR + 0x10 * i, 0);
	}
	update_divide_count(a);
	a->period_ns = 0;
	a->tsc_deadline = 0;
	update_ppr(a);
	a->arb_prio = 0;
	spin_unlock_irqrestore(&a->lock, flags);
}

/*
 * In x2APIC mode userspace sees the ID as an xAPIC one (<< 24) unless
 * KVM_X2APIC_API_USE_32BIT_IDS, and the ICR split in ICR/ICR2 (KVM's
 * kvm_apic_state_fixup()).
 */
void mv_lapic_get_state(struct mv_vcpu *vcpu, struct kvm_lapic_state *s)
{
	struct mv_lapic *a = vcpu->lapic;
	unsigned long flags;
	u32 *id = (u32 *)(s->regs + APIC_ID);

	spin_lock_irqsave(&a->lock, flags);
	memcpy(s->regs, a->regs, sizeof(s->regs));
	*(u32 *)(s->regs + APIC_TMCCT) = reg_read(a, APIC_TMCCT);
	spin_unlock_irqrestore(&a->lock, flags);
	if (x2apic_mode(a) && !vcpu->vm->irq.x2apic_format)
		*id <<= 24;
}

int mv_lapic_set_state(struct mv_vcpu *vcpu, const struct kvm_lapic_state *s)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 id = *(const u32 *)(s->regs + APIC_ID), tmcct;
	unsigned long flags;

	if (x2apic_mode(a)) {
		if (vcpu->vm->irq.x2apic_format) {
			if (id != vcpu->id)
				return -EINVAL;
		} else {
			id >>= 24;
		}
	}
	timer_cancel(a);
	spin_lock_irqsave(&a->lock, flags);
	memcpy(a->regs, s->regs, sizeof(a->regs));
	if (x2apic_mode(a)) {
		reg_set(a, APIC_ID, id);
		reg_set(a, APIC_LDR, x2apic_ldr(id));
	}
	set_version(a);
	update_ppr(a);
	a->timer_mode = ~0U;		/* recomputed from LVTT */
	update_lvtt(a);
	update_divide_count(a);
	/* The count-down restarts from the saved current count (KVM). */
	tmcct = reg_get(a, APIC_TMCCT);
	reg_set(a, APIC_TMCCT, 0);
	a->period_ns = 0;
	if (!timer_mode_is(a, LVT_TIMER_TSCDEADLINE))
		timer_start_count(a, tmcct);
	a->arb_prio = 0;
	spin_unlock_irqrestore(&a->lock, flags);
	mv_vcpu_request(vcpu, MV_REQ_EVENT);
	return 0;
}

int mv_lapic_create(struct mv_vcpu *vcpu)
{
	struct mv_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	spin_lock_init(&a->lock);
	a->vcpu = vcpu;
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	a->timer.function = timer_fn;
	vcpu->lapic = a;
	mv_lapic_reset(vcpu, false);
	return 0;
}

void mv_lapic_free(struct mv_vcpu *vcpu)
{
	if (!vcpu->lapic)
		return;
	hrtimer_cancel(&vcpu->lapic->timer);
	kfree(vcpu->lapic);
	vcpu->lapic = NULL;
}
