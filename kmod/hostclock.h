/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's time as kvmclock counts it: KVM's get_kvmclock_base_ns() (the
 * raw clock's rate, counted from boot) and, when the host's clocksource is
 * the TSC, one reading of that clock with CLOCK_REALTIME and the TSC
 * (KVM's kvm_get_walltime_and_clockread()).
 */
#ifndef MINIVIRT_HOSTCLOCK_H
#define MINIVIRT_HOSTCLOCK_H

#include <linux/types.h>

struct mv_hostclock_reading {
	u64 ns;		/* mv_hostclock_ns() */
	u64 realtime;	/* CLOCK_REALTIME, ns */
	u64 tsc;	/* the host TSC */
};

u64 mv_hostclock_ns(void);
/* False, and nothing read, unless the host's clocksource is the TSC. */
bool mv_hostclock_read_tsc(struct mv_hostclock_reading *r);

int mv_hostclock_init(void);
void mv_hostclock_exit(void);

#endif /* MINIVIRT_HOSTCLOCK_H */
