// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MTRR MSRs: MTRRcap, MTRRdefType, the eleven fixed-range and the eight
 * variable-range pairs, with the validity checks of KVM's
 * arch/x86/kvm/mtrr.c (Linux 6.1 and 6.12 agree on them). Writes the checks
 * refuse #GP (a short count from KVM_SET_MSRS).
 */
#include <asm/msr-index.h>
#include <asm/mtrr.h>

#include "cpuid.h"
#include "mtrr.h"
#include "vcpu.h"

#define MTRRCAP_WC		BIT_ULL(10)
#define MTRRCAP_FIX		BIT_ULL(8)
#define MTRR_DEFTYPE_VALID	0xcffULL	/* E, FE, type */

bool mv_mtrr_msr(u32 index)
{
	switch (index) {
	case MSR_MTRRcap:
	case MTRRphysBase_MSR(0) ... MSR_MTRRfix4K_F8000:
	case MSR_MTRRdefType:
		return true;
	default:
		return false;
	}
}

static u64 *find_mtrr(struct mv_vcpu *vcpu, u32 index)
{
	struct mv_mtrr *m = &vcpu->mtrr;

	switch (index) {
	case MTRRphysBase_MSR(0) ... MTRRphysMask_MSR(MV_NR_VAR_MTRR - 1):
		return &m->var[index - MTRRphysBase_MSR(0)];
	case MSR_MTRRfix64K_00000:
		return &m->fixed_64k;
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return &m->fixed_16k[index - MSR_MTRRfix16K_80000];
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return &m->fixed_4k[index - MSR_MTRRfix4K_C0000];
	case MSR_MTRRdefType:
		return &m->deftype;
	default:
		return NULL;	/* the holes between them */
	}
}

/* UC, WC, WT, WP, WB (SDM vol 3A table 13-8); 2, 3 and 7+ are reserved. */
static bool valid_type(u8 t)
{
	return t < 8 && (BIT(t) & 0x73);
}

/* The guest's MAXPHYADDR: CPUID 0x80000008 EAX[7:0], else 36 (KVM's rule). */
static unsigned int guest_maxphyaddr(struct mv_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = mv_cpuid_find(vcpu, 0x80000000, 0);

	if (e && e->eax >= 0x80000008) {
		e = mv_cpuid_find(vcpu, 0x80000008, 0);
		if (e)
			return e->eax & 0xff;
	}
	return 36;
}

static bool mtrr_valid(struct mv_vcpu *vcpu, u32 index, u64 data)
{
	unsigned int maxphyaddr;
	u64 reserved;
	int i;

	if (index == MSR_MTRRdefType)
		return !(data & ~MTRR_DEFTYPE_VALID) && valid_type(data & 0xff);
	if (index >= MSR_MTRRfix64K_00000 && index <= MSR_MTRRfix4K_F8000) {
		for (i = 0; i < 8; i++)
			if (!valid_type(data >> (i * 8)))
				return false;
		return true;
	}
	/* Variable ranges: address bits up to MAXPHYADDR (SDM vol 3A 13.11.2.3). */
	maxphyaddr = guest_maxphyaddr(vcpu);
	reserved = maxphyaddr < 64 ? GENMASK_ULL(63, maxphyaddr) : 0;
	if (!(index & 1)) {
		if (!valid_type(data & 0xff))
			return false;
		reserved |= 0xf00;		/* PHYSBASE bits 8-11 */
	} else {
		reserved |= 0x7ff;		/* PHYSMASK bits 0-10 */
	}
	return !(data & reserved);
}

int mv_mtrr_get(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *mtrr;

	/* KVM's MTRRcap: WC, fixed ranges, eight variable ranges, no SMRR. */
	if (index == MSR_MTRRcap) {
		*data = MTRRCAP_WC | MTRRCAP_FIX | MV_NR_VAR_MTRR;
		return 0;
	}
	mtrr = find_mtrr(vcpu, index);
	if (!mtrr)
		return 1;
	*data = *mtrr;
	return 0;
}

/* MTRRcap is read-only: a write #GPs, as on KVM. */
int mv_mtrr_set(struct mv_vcpu *vcpu, u32 index, u64 data)
{
	u64 *mtrr = find_mtrr(vcpu, index);

	if (!mtrr || !mtrr_valid(vcpu, index, data))
		return 1;
	*mtrr = data;
	return 0;
}
