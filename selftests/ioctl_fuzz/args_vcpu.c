// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU fd's ioctls (MINIVIRT_VCPU_IOCTLS in uapi/minivirt.h) with
 * generated arguments.
 */
#include <signal.h>
#include <string.h>

#include "fuzz.h"

/* The states a VMM reads and writes back: GET, sometimes changed, SET. */
static const struct {
	unsigned long get, set;
	size_t size;
} states[] = {
	{ KVM_GET_REGS, KVM_SET_REGS, sizeof(struct kvm_regs) },
	{ KVM_GET_SREGS, KVM_SET_SREGS, sizeof(struct kvm_sregs) },
	{ KVM_GET_FPU, KVM_SET_FPU, sizeof(struct kvm_fpu) },
	{ KVM_GET_XSAVE, KVM_SET_XSAVE, sizeof(struct kvm_xsave) },
	{ KVM_GET_XCRS, KVM_SET_XCRS, sizeof(struct kvm_xcrs) },
	{ KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, sizeof(struct kvm_vcpu_events) },
	{ KVM_GET_MP_STATE, KVM_SET_MP_STATE, sizeof(struct kvm_mp_state) },
	{ KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS, sizeof(struct kvm_debugregs) },
	{ KVM_GET_LAPIC, KVM_SET_LAPIC, sizeof(struct kvm_lapic_state) },
};

/*
 * Without SVM and VMX: minivirt offers no nested virtualization, so KVM's
 * would be compared with nothing, and under QEMU TCG it is not sound
 * (README.md: KVM's nested SVM fails its own selftests there).
 */
static void no_nested_virt(struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent && i < 100; i++) {
		if (c->entries[i].function == 1)
			c->entries[i].ecx &= ~(1u << 5);	/* VMX */
		if (c->entries[i].function == 0x80000001)
			c->entries[i].ecx &= ~(1u << 2);	/* SVM */
	}
}

/* The supported CPUID, sometimes changed, or a count past the limit. */
static void set_cpuid(struct fz *f, int fd)
{
	struct kvm_cpuid2 *c = (void *)f->scratch;
	int sys = fz_pick(f, FZ_SYS);
	uint32_t n;

	c->nent = 100;
	if (sys < 0 || fz_ioctl(f, f->fds[sys].fd, KVM_GET_SUPPORTED_CPUID,
				(unsigned long)c)) {
		c->nent = 0;
	}
	n = c->nent;
	if (fz_chance(f, 20))
		n = fz_count(f, n);
	if (fz_chance(f, 30))
		fz_mutate(f, c->entries, c->nent * sizeof(c->entries[0]));
	no_nested_virt(c);
	c->nent = n;
	fz_ioctl(f, fd, KVM_SET_CPUID2, (unsigned long)fz_ptr(f, 8 + n * 40UL));
}

/*
 * A mask for KVM_RUN that never blocks the fuzzer's break signal (nor the
 * harness's SIGALRM): at scratch or NULL (no mask), or at a pointer the
 * kernel cannot read; never a misaligned copy, whose bits would be others.
 */
static void signal_mask(struct fz *f, int fd)
{
	struct kvm_signal_mask *m = (void *)f->scratch;
	uint64_t set = fz_next(&f->rng) >> fz_below(f, 64);
	void *at = fz_ptr_exact(f, 12);

	set &= ~(1ULL << (FZ_BREAK_SIG - 1) | 1ULL << (SIGALRM - 1));
	m->len = fz_chance(f, 85) ? 8 : (uint32_t)fz_value(f);
	memcpy(m->sigset, &set, 8);
	fz_ioctl(f, fd, KVM_SET_SIGNAL_MASK, fz_chance(f, 20) ? 0 : (unsigned long)at);
}

static void guest_debug(struct fz *f, int fd)
{
	static const uint32_t bits[] = {
		KVM_GUESTDBG_ENABLE, KVM_GUESTDBG_SINGLESTEP, KVM_GUESTDBG_USE_SW_BP,
		KVM_GUESTDBG_USE_HW_BP, KVM_GUESTDBG_INJECT_DB, KVM_GUESTDBG_INJECT_BP,
		KVM_GUESTDBG_BLOCKIRQ,
	};
	struct kvm_guest_debug *d = (void *)f->scratch;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (fz_chance(f, 30))
			d->control |= bits[i];
	if (fz_chance(f, 10))
		d->control = fz_value(f);
	for (i = 0; i < 8; i++)
		d->arch.debugreg[i] = fz_chance(f, 50) ? fz_below(f, 0x10000) : fz_value(f);
	fz_ioctl(f, fd, KVM_SET_GUEST_DEBUG, (unsigned long)fz_ptr(f, sizeof(*d)));
}

static void mce(struct fz *f, int fd)
{
	if (fz_chance(f, 50)) {
		*(uint64_t *)f->scratch = fz_chance(f, 70) ?
			fz_below(f, 33) | (fz_below(f, 2) << 8) | (fz_below(f, 2) << 24) :
			fz_value(f);
		fz_ioctl(f, fd, KVM_X86_SETUP_MCE, (unsigned long)fz_ptr(f, 8));
	} else {
		struct kvm_x86_mce *m = (void *)f->scratch;

		memset(m, 0, sizeof(*m));
		m->status = fz_chance(f, 50) ? 1ULL << 63 | fz_below(f, 1ULL << 62) : fz_value(f);
		m->addr = fz_value(f);
		m->misc = fz_value(f);
		m->mcg_status = fz_below(f, 8);
		m->bank = fz_chance(f, 90) ? fz_below(f, 33) : fz_value(f);
		fz_ioctl(f, fd, KVM_X86_SET_MCE, (unsigned long)fz_ptr(f, sizeof(*m)));
	}
}

void fz_vcpu_ioctl(struct fz *f, int fd)
{
	unsigned int i;

	switch (fz_below(f, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		i = fz_below(f, sizeof(states) / sizeof(states[0]));
		fz_get_set(f, fd, states[i].get, fz_chance(f, 60) ? states[i].set : 0,
			   states[i].size, 0);
		break;
	case 6:
		*(uint64_t *)f->scratch = fz_value(f);	/* kvm_translation.linear_address */
		fz_ioctl(f, fd, KVM_TRANSLATE,
			 (unsigned long)fz_ptr(f, sizeof(struct kvm_translation)));
		break;
	case 7:
		*(uint32_t *)f->scratch = fz_chance(f, 80) ? fz_below(f, 256) : fz_value(f);
		fz_ioctl(f, fd, KVM_INTERRUPT, (unsigned long)fz_ptr(f, 4));
		break;
	case 8:
		fz_ioctl(f, fd, KVM_NMI, fz_value(f));
		break;
	case 9:
		signal_mask(f, fd);
		break;
	case 10: case 11: {
		struct kvm_msrs *m = fz_msr_array(f, fz_count(f, 8));

		fz_ioctl(f, fd, fz_chance(f, 50) ? KVM_GET_MSRS : KVM_SET_MSRS,
			 (unsigned long)fz_ptr(f, 8 + m->nmsrs * 16UL));
		break;
	}
	case 12:
		set_cpuid(f, fd);
		break;
	case 13: {
		struct kvm_cpuid2 *c = (void *)f->scratch;

		c->nent = fz_count(f, 100);
		fz_ioctl(f, fd, KVM_GET_CPUID2, (unsigned long)fz_ptr(f, 8 + c->nent * 40UL));
		break;
	}
	case 14:
		mce(f, fd);
		break;
	case 15:
		fz_ioctl(f, fd, fz_chance(f, 50) ? KVM_GET_TSC_KHZ : KVM_SET_TSC_KHZ,
			 fz_chance(f, 50) ? 1000000 + fz_below(f, 3000000) : fz_value(f));
		break;
	case 16:
		guest_debug(f, fd);
		break;
	case 17:
		*(uint64_t *)f->scratch = fz_chance(f, 80) ? 0 : fz_value(f);
		fz_ioctl(f, fd, KVM_SET_VAPIC_ADDR, (unsigned long)fz_ptr(f, 8));
		break;
	default:
		/* KVM_RUN as it comes: whatever state and memory the VM has. */
		FZ_TRACE(f, "KVM_RUN fd %d (bare)", fd);
		fz_trace_state(f, fd);
		fz_count_cmd(f, KVM_RUN);
		fz_run_bounded(fd);
	}
}
