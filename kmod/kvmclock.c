// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's TSC and kvmclock, with the semantics of KVM's x86.c (Linux
 * 6.1) on a host where KVM runs without a master clock:
 *
 * - The guest TSC is the host's plus a per-vCPU offset (no TSC scaling).
 *   Host writes of IA32_TSC follow kvm_synchronize_tsc(): 0, or a value
 *   within a second of where the last write would be now, matches the
 *   offset of the previous write, so vCPUs created or restored together
 *   share one TSC. Guest writes move IA32_TSC_ADJUST by the same amount;
 *   guest writes of IA32_TSC_ADJUST (with its CPUID bit) move the TSC.
 * - kvmclock is host boot-time nanoseconds (raw rate) plus a per-VM offset
 *   (KVM_GET/SET_CLOCK), 0 at VM creation. A vCPU's pvclock structure
 *   (MSR_KVM_SYSTEM_TIME(_NEW), Documentation/virt/kvm/x86/msr.rst) is
 *   rewritten before an entry after the MSR write, a TSC change,
 *   KVM_SET_CLOCK, or a move to another host CPU (kvm_guest_time_update()).
 *   PVCLOCK_TSC_STABLE_BIT and KVM_CLOCK_TSC_STABLE are never set: KVM
 *   sets them only with its master clock, which needs a host on the TSC
 *   clocksource and vCPUs in TSC sync; minivirt keeps no master clock. On
 *   a TSC clocksource KVM_GET_CLOCK still gives the real time and host TSC
 *   of its reading (hostclock.c), as KVM's master clock does.
 * - The wall clock (MSR_KVM_WALL_CLOCK(_NEW)) is written when the MSR is.
 * - As KVM without KVM_CAP_ENFORCE_PV_FEATURE_CPUID, the kvmclock MSRs work
 *   whatever the guest's CPUID says (QEMU writes them at every reset).
 *
 * Guest memory is written through mv_write_guest() only.
 */
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <asm/msr-index.h>
#include <asm/pvclock.h>
#include <asm/tsc.h>

#include "backend.h"
#include "cpuid.h"
#include "hostclock.h"
#include "kvmclock.h"
#include "memslot.h"
#include "vcpu.h"
#include "vm.h"

/* KVM's tsc_tolerance_ppm: a requested rate this close to the host's is it. */
#define MV_TSC_TOLERANCE_PPM	250

/* KVM's get_kvmclock_base_ns(): from boot, at the raw clock's rate. */
static u64 base_ns(void)
{
	return mv_hostclock_ns();
}

/*
 * KVM's kvm_get_time_scale(): shift and 32.32 multiplier so that
 * pvclock_scale_delta(x, mul, shift) converts base_hz ticks to scaled_hz.
 */
static void time_scale(u64 scaled_hz, u64 base_hz, s8 *pshift, u32 *pmul)
{
	u64 scaled = scaled_hz, tps64 = base_hz;
	int shift = 0;
	u32 tps32;

	while (tps64 > scaled * 2 || (tps64 >> 32)) {
		tps64 >>= 1;
		shift--;
	}
	tps32 = tps64;
	while (tps32 <= scaled || (scaled >> 32)) {
		if ((scaled >> 32) || (tps32 & 0x80000000))
			scaled >>= 1;
		else
			tps32 <<= 1;
		shift++;
	}
	*pshift = shift;
	*pmul = div_u64(scaled << 32, tps32);
}

static void write_tsc_offset(struct mv_vcpu *vcpu, u64 offset)
{
	vcpu->clock.tsc_offset = offset;
	mv_backend->set_tsc_offset(vcpu, offset);
	mv_vcpu_request(vcpu, MV_REQ_CLOCK_UPDATE);
}

/* KVM's compute_guest_tsc(): where a TSC at the requested rate would be. */
static u64 catchup_tsc(const struct mv_vcpu_clock *c, u64 ns)
{
	return c->this_tsc_write +
	       pvclock_scale_delta(ns - c->this_tsc_nsec, c->virtual_tsc_mult,
				   c->virtual_tsc_shift);
}

/* KVM's kvm_synchronize_tsc() and __kvm_synchronize_tsc(). */
static void synchronize_tsc(struct mv_vcpu *vcpu, u64 data)
{
	struct mv_vm_clock *vc = &vcpu->vm->clock;
	struct mv_vcpu_clock *c = &vcpu->clock;
	bool synchronizing = false;
	u64 offset, ns, elapsed;
	unsigned long flags;

	spin_lock_irqsave(&vc->lock, flags);
	offset = data - rdtsc();
	ns = base_ns();
	elapsed = ns - vc->last_tsc_nsec;
	if (c->virtual_tsc_khz) {
		u64 hz = c->virtual_tsc_khz * 1000ULL;
		u64 expected = vc->last_tsc_write +
			       pvclock_scale_delta(elapsed, c->virtual_tsc_mult,
						   c->virtual_tsc_shift);

		/* 0: a new vCPU; else within a second of the last write. */
		synchronizing = !data || (data < expected + hz &&
					  data + hz > expected);
	}
	if (synchronizing && c->virtual_tsc_khz == vc->last_tsc_khz) {
		if (!check_tsc_unstable()) {
			offset = vc->cur_tsc_offset;
		} else {
			data += pvclock_scale_delta(elapsed, c->virtual_tsc_mult,
						    c->virtual_tsc_shift);
			offset = data - rdtsc();
		}
	} else {
		vc->cur_tsc_nsec = ns;
		vc->cur_tsc_write = data;
		vc->cur_tsc_offset = offset;
	}
	vc->last_tsc_nsec = ns;
	vc->last_tsc_write = data;
	vc->last_tsc_khz = c->virtual_tsc_khz;
	c->this_tsc_nsec = vc->cur_tsc_nsec;
	c->this_tsc_write = vc->cur_tsc_write;
	spin_unlock_irqrestore(&vc->lock, flags);
	write_tsc_offset(vcpu, offset);
}

void mv_kvmclock_vm_init(struct mv_vm *vm)
{
	spin_lock_init(&vm->clock.lock);
	/* KVM: kvmclock starts at 0 with the VM. */
	vm->clock.offset = -(s64)base_ns();
	vm->clock.default_tsc_khz = tsc_khz;
}

void mv_kvmclock_vcpu_init(struct mv_vcpu *vcpu)
{
	vcpu->clock.cpu = -1;
	/*
	 * KVM's kvm_arch_vcpu_create(): the VM's rate (its failure ignored),
	 * then a TSC of 0.
	 */
	mv_kvmclock_set_tsc_khz(vcpu, READ_ONCE(vcpu->vm->clock.default_tsc_khz));
	synchronize_tsc(vcpu, 0);
}

/* kvmclock at host time @base (base_ns()'s count). */
static u64 kvmclock_at(struct mv_vm *vm, u64 base)
{
	unsigned long flags;
	u64 ns;

	spin_lock_irqsave(&vm->clock.lock, flags);
	ns = base + vm->clock.offset;
	spin_unlock_irqrestore(&vm->clock.lock, flags);
	return ns;
}

static u64 kvmclock_ns(struct mv_vm *vm)
{
	return kvmclock_at(vm, base_ns());
}

/*
 * KVM's kvm_write_wall_clock(): version odd while the structure changes
 * (a first, odd, value is junk), then even; the time is the host's
 * real time at kvmclock 0. Nothing is written outside guest memory.
 */
static void write_wall_clock(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_vm *vm = vcpu->vm;
	struct pvclock_wall_clock wc;
	u32 version;
	u64 wall;
	int idx;

	WRITE_ONCE(vm->clock.wall_clock, gpa);
	if (!gpa)
		return;
	idx = srcu_read_lock(&vm->srcu);
	if (mv_read_guest(vm, gpa, &version, sizeof(version)))
		goto out;
	version += (version & 1) + 1;
	if (mv_write_guest(vm, gpa, &version, sizeof(version)))
		goto out;
	wall = ktime_get_real_ns() - kvmclock_ns(vm);
	wc.nsec = do_div(wall, NSEC_PER_SEC);
	wc.sec = (u32)wall;		/* wraps in 2106, as on KVM */
	wc.version = version;
	smp_wmb();
	mv_write_guest(vm, gpa, &wc, sizeof(wc));
	version++;
	smp_wmb();
	mv_write_guest(vm, gpa, &version, sizeof(version));
out:
	srcu_read_unlock(&vm->srcu, idx);
}

/* KVM's kvm_write_system_time(): the structure comes at the next entry. */
static void write_system_time(struct mv_vcpu *vcpu, u64 data)
{
	vcpu->clock.system_time = data;
	mv_vcpu_request(vcpu, MV_REQ_CLOCK_UPDATE);
}

int mv_kvmclock_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc() + vcpu->clock.tsc_offset;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*data = vcpu->clock.tsc_adjust;
		return 0;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		*data = READ_ONCE(vcpu->vm->clock.wall_clock);
		return 0;
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		*data = vcpu->clock.system_time;
		return 0;
	default:
		return -ENOENT;
	}
}

int mv_kvmclock_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct mv_vcpu_clock *c = &vcpu->clock;
	s64 adj;

	switch (index) {
	case MSR_IA32_TSC:
		if (host) {
			synchronize_tsc(vcpu, data);
		} else {
			/* The TSC moves, and TSC_ADJUST with it (SDM vol 3B 18.17.3). */
			adj = (data - rdtsc()) - c->tsc_offset;
			c->tsc_adjust += adj;
			write_tsc_offset(vcpu, c->tsc_offset + adj);
		}
		return 0;
	case MSR_IA32_TSC_ADJUST:
		/* Without the CPUID bit KVM drops the write silently. */
		if (!mv_guest_has(vcpu, 7, MV_EBX, 1))
			return 0;
		if (!host)
			write_tsc_offset(vcpu, c->tsc_offset + (data - c->tsc_adjust));
		c->tsc_adjust = data;
		return 0;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		write_wall_clock(vcpu, data);
		return 0;
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		write_system_time(vcpu, data);
		return 0;
	default:
		return -ENOENT;
	}
}

bool mv_kvmclock_moved(struct mv_vcpu *vcpu, int cpu)
{
	/* Without a calibrated TSC there is nothing to redo (as KVM). */
	return tsc_khz && (vcpu->clock.system_time & 1) && vcpu->clock.cpu != cpu;
}

/*
 * KVM's kvm_guest_time_update() without a master clock, and
 * kvm_setup_guest_pvclock(): version odd while the structure changes, even
 * after; a PVCLOCK_GUEST_STOPPED the guest has not yet seen stays.
 */
void mv_kvmclock_update(struct mv_vcpu *vcpu)
{
	struct mv_vcpu_clock *c = &vcpu->clock;
	struct mv_vm *vm = vcpu->vm;
	struct pvclock_vcpu_time_info pv, old;
	u64 gpa = c->system_time & ~1ULL;
	struct mv_hostclock_reading r;
	u64 ns, tsc, want;
	unsigned long flags;

	if (!tsc_khz)
		return;
	spin_lock_irqsave(&vm->clock.lock, flags);
	/* On the TSC clocksource, the TSC and the time of one reading. */
	if (!mv_hostclock_read_tsc(&r)) {
		r.tsc = rdtsc();
		r.ns = base_ns();
	}
	ns = r.ns;
	c->cpu = smp_processor_id();
	memset(&pv, 0, sizeof(pv));
	pv.system_time = ns + vm->clock.offset;
	spin_unlock_irqrestore(&vm->clock.lock, flags);

	tsc = r.tsc + c->tsc_offset;
	if (c->catchup) {
		/* Slower than asked: step forward (KVM's tsc_catchup). */
		want = catchup_tsc(c, ns);
		if ((s64)(want - tsc) > 0) {
			c->tsc_offset += want - tsc;
			mv_backend->set_tsc_offset(vcpu, c->tsc_offset);
			tsc = want;
		}
	}
	if (!(c->system_time & 1) || offset_in_page(gpa) + sizeof(pv) > PAGE_SIZE)
		return;		/* off, or across a page: KVM writes nothing */

	pv.tsc_timestamp = tsc;
	time_scale(NSEC_PER_SEC, tsc_khz * 1000ULL, &pv.tsc_shift,
		   &pv.tsc_to_system_mul);
	if (mv_read_guest(vm, gpa, &old, sizeof(old)))
		return;
	pv.flags = old.flags & PVCLOCK_GUEST_STOPPED;
	c->version = (old.version + 1) | 1;
	pv.version = c->version;
	if (mv_write_guest(vm, gpa, &pv.version, sizeof(pv.version)))
		return;
	smp_wmb();
	mv_write_guest(vm, gpa, &pv, sizeof(pv));
	smp_wmb();
	c->version++;
	mv_write_guest(vm, gpa, &c->version, sizeof(c->version));
}

/*
 * KVM's __get_kvmclock(). On a host whose clocksource is the TSC, the clock,
 * CLOCK_REALTIME and the host TSC of one reading (KVM_CLOCK_REALTIME,
 * KVM_CLOCK_HOST_TSC), as KVM sets them with its master clock; never
 * KVM_CLOCK_TSC_STABLE, which promises a master clock minivirt has not.
 */
long mv_kvmclock_get_clock(struct mv_vm *vm, struct kvm_clock_data *data)
{
	struct mv_hostclock_reading r;

	memset(data, 0, sizeof(*data));
	if (!mv_hostclock_read_tsc(&r)) {
		data->clock = kvmclock_ns(vm);
		return 0;
	}
	data->clock = kvmclock_at(vm, r.ns);
	data->flags = KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;
	data->realtime = r.realtime;
	data->host_tsc = r.tsc;
	return 0;
}

/*
 * KVM's kvm_vm_ioctl_set_clock(): what KVM_GET_CLOCK returns is accepted;
 * with KVM_CLOCK_REALTIME the time since data->realtime is added (never
 * stepping back). Every vCPU's pvclock follows before its next entry.
 */
long mv_kvmclock_set_clock(struct mv_vm *vm, const struct kvm_clock_data *data)
{
	u64 clock = data->clock;
	unsigned long flags;
	unsigned int i, n;

	if (data->flags & ~MV_CLOCK_VALID_FLAGS)
		return -EINVAL;
	if (data->flags & KVM_CLOCK_REALTIME) {
		u64 now = ktime_get_real_ns();

		if (now > data->realtime)
			clock += now - data->realtime;
	}
	spin_lock_irqsave(&vm->clock.lock, flags);
	vm->clock.offset = clock - base_ns();
	spin_unlock_irqrestore(&vm->clock.lock, flags);

	n = smp_load_acquire(&vm->nr_vcpus);
	for (i = 0; i < n; i++) {
		mv_vcpu_request(vm->vcpus[i], MV_REQ_CLOCK_UPDATE);
		mv_vcpu_kick(vm->vcpus[i]);
	}
	return 0;
}

long mv_kvmclock_get_tsc_khz(struct mv_vcpu *vcpu)
{
	return vcpu->clock.virtual_tsc_khz;
}

static u32 tolerance(u32 khz, int ppm)
{
	return div_u64((u64)khz * (1000000 + ppm), 1000000);
}

/*
 * KVM's KVM_SET_TSC_KHZ without TSC scaling (kvm_set_tsc_khz(),
 * set_tsc_khz()): 0 means the host's rate; within 250 ppm of it is it; a
 * faster rate is met by stepping the TSC forward at each entry; a slower
 * one is refused with -EINVAL, though, as on KVM, KVM_GET_TSC_KHZ then
 * reports it.
 */
long mv_kvmclock_set_tsc_khz(struct mv_vcpu *vcpu, u32 khz)
{
	struct mv_vcpu_clock *c = &vcpu->clock;

	if (!khz)
		khz = tsc_khz;
	if (!khz)
		return -EINVAL;		/* the host TSC was never calibrated */
	time_scale(khz * 1000ULL, NSEC_PER_SEC, &c->virtual_tsc_shift,
		   &c->virtual_tsc_mult);
	c->virtual_tsc_khz = khz;
	c->catchup = false;
	if (khz >= tolerance(tsc_khz, -MV_TSC_TOLERANCE_PPM) &&
	    khz <= tolerance(tsc_khz, MV_TSC_TOLERANCE_PPM))
		return 0;
	if (khz < tsc_khz)
		return -EINVAL;
	c->catchup = true;
	return 0;
}

long mv_kvmclock_vm_get_tsc_khz(struct mv_vm *vm)
{
	return READ_ONCE(vm->clock.default_tsc_khz);
}

/*
 * KVM's VM-wide KVM_SET_TSC_KHZ (Linux 5.19+): the rate of vCPUs created
 * from now on, 0 for the host's; checked only when each vCPU takes it.
 */
long mv_kvmclock_vm_set_tsc_khz(struct mv_vm *vm, u32 khz)
{
	WRITE_ONCE(vm->clock.default_tsc_khz, khz ? khz : tsc_khz);
	return 0;
}
