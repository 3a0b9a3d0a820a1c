/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's TSC and KVM's paravirtual clock (kvmclock), with KVM's
 * semantics (arch/x86/kvm/x86.c, Linux 6.1) and without a master clock.
 */
#ifndef MINIVIRT_KVMCLOCK_H
#define MINIVIRT_KVMCLOCK_H

#include <linux/kvm.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct mv_vcpu;
struct mv_vm;

/* Per VM: KVM's kvm_arch clock fields; lock orders TSC writes and SET_CLOCK. */
struct mv_vm_clock {
	spinlock_t lock;
	s64 offset;		/* kvmclock = mv_hostclock_ns() + offset */
	u64 wall_clock;		/* MSR_KVM_WALL_CLOCK(_NEW) as written */
	u32 default_tsc_khz;	/* new vCPUs' rate (VM KVM_SET_TSC_KHZ) */
	/* kvm_synchronize_tsc(): the last host TSC write, and its generation. */
	u64 last_tsc_nsec, last_tsc_write;
	u32 last_tsc_khz;
	u64 cur_tsc_nsec, cur_tsc_write, cur_tsc_offset;
};

/* Per vCPU. */
struct mv_vcpu_clock {
	u64 tsc_offset;		/* guest TSC = host TSC + tsc_offset */
	s64 tsc_adjust;		/* IA32_TSC_ADJUST */
	u64 system_time;	/* MSR_KVM_SYSTEM_TIME(_NEW) as written */
	u32 version;		/* of the pvclock structure last written */
	int cpu;		/* where it was computed; -1: never */
	/* KVM_SET_TSC_KHZ; faster than the host: KVM's TSC catch-up. */
	u32 virtual_tsc_khz;
	u32 virtual_tsc_mult;
	s8 virtual_tsc_shift;
	bool catchup;
	u64 this_tsc_nsec, this_tsc_write;
};

void mv_kvmclock_vm_init(struct mv_vm *vm);
void mv_kvmclock_vcpu_init(struct mv_vcpu *vcpu);

/*
 * MSRs: IA32_TSC, IA32_TSC_ADJUST and the kvmclock MSRs. 0 done, 1 #GP,
 * -ENOENT for an MSR that is not one of these.
 */
int mv_kvmclock_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host);
int mv_kvmclock_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host);

/*
 * Before an entry, preemptible, vm->srcu held: rewrites the guest's pvclock
 * structure if a request or the TSC catch-up asks for it.
 */
void mv_kvmclock_update(struct mv_vcpu *vcpu);
/* With IRQs off on the CPU about to enter: does the pvclock need redoing? */
bool mv_kvmclock_moved(struct mv_vcpu *vcpu, int cpu);

/* KVM_GET_CLOCK / KVM_SET_CLOCK. */
long mv_kvmclock_get_clock(struct mv_vm *vm, struct kvm_clock_data *data);
long mv_kvmclock_set_clock(struct mv_vm *vm, const struct kvm_clock_data *data);
/* KVM_GET_TSC_KHZ / KVM_SET_TSC_KHZ on a vCPU, and on a VM (new vCPUs). */
long mv_kvmclock_get_tsc_khz(struct mv_vcpu *vcpu);
long mv_kvmclock_set_tsc_khz(struct mv_vcpu *vcpu, u32 khz);
long mv_kvmclock_vm_get_tsc_khz(struct mv_vm *vm);
long mv_kvmclock_vm_set_tsc_khz(struct mv_vm *vm, u32 khz);

/* KVM_CAP_ADJUST_CLOCK: the flags KVM_GET/SET_CLOCK know (KVM 6.1). */
#define MV_CLOCK_VALID_FLAGS	(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | \
				 KVM_CLOCK_HOST_TSC)

#endif /* MINIVIRT_KVMCLOCK_H */
