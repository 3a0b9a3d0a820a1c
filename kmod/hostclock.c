// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host clock under kvmclock. Which clocksource the timekeeper uses is
 * learnt as KVM learns it: the pvclock_gtod notifier runs at every
 * timekeeping update, under the timekeeper's lock, with the timekeeper.
 * It records the clocksource's vDSO mode with the timekeeper's
 * clocksource-change count, so that a reading (ktime_get_snapshot(), which
 * carries that count) is trusted as TSC-based only if the clocksource it
 * read is the one recorded.
 */
#include <linux/ktime.h>
#include <linux/notifier.h>
#include <linux/pvclock_gtod.h>
#include <linux/timekeeper_internal.h>
#include <linux/timekeeping.h>

#include "hostclock.h"

/* The low 8 bits: cs_was_changed_seq; HOST_CS_TSC: the clocksource is the TSC. */
#define HOST_CS_TSC	BIT(8)

static unsigned int host_cs;

/* Time spent suspended: boot time minus monotonic time. */
static u64 boot_offset_ns(void)
{
	return ktime_to_ns(ktime_mono_to_any(0, TK_OFFS_BOOT));
}

u64 mv_hostclock_ns(void)
{
	return ktime_get_raw_ns() + boot_offset_ns();
}

bool mv_hostclock_read_tsc(struct mv_hostclock_reading *r)
{
	struct system_time_snapshot snap;
	unsigned int cs;

	ktime_get_snapshot(&snap);
	cs = READ_ONCE(host_cs);
	if (!(cs & HOST_CS_TSC) || (u8)cs != snap.cs_was_changed_seq)
		return false;
	r->ns = ktime_to_ns(snap.raw) + boot_offset_ns();
	r->realtime = ktime_to_ns(snap.real);
	r->tsc = snap.cycles;	/* read_tsc(): rdtsc_ordered() */
	return true;
}

static int host_cs_notify(struct notifier_block *nb, unsigned long was_set,
			  void *priv)
{
	const struct timekeeper *tk = priv;
	unsigned int cs = tk->cs_was_changed_seq;

	if (tk->tkr_mono.clock->vdso_clock_mode == VDSO_CLOCKMODE_TSC)
		cs |= HOST_CS_TSC;
	WRITE_ONCE(host_cs, cs);
	return 0;
}

static struct notifier_block host_cs_nb = {
	.notifier_call = host_cs_notify,
};

/* The notifier runs once at registration: host_cs is valid from here. */
int mv_hostclock_init(void)
{
	return pvclock_gtod_register_notifier(&host_cs_nb);
}

void mv_hostclock_exit(void)
{
	pvclock_gtod_unregister_notifier(&host_cs_nb);
}
