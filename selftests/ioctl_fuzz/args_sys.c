// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system fd's ioctls (MINIVIRT_SYSTEM_IOCTLS and
 * MINIVIRT_GUEST_SYSTEM_IOCTLS in uapi/minivirt.h) with generated
 * arguments, and the counted arrays they share with the vCPU fd.
 */
#include <string.h>

#include "fuzz.h"

/* MSRs a VMM or a guest touches, and a few nobody implements. */
const uint32_t fz_msrs[] = {
	0x10, 0x1b, 0x3a, 0x3b, 0x48, 0x49, 0x8b, 0xce, 0xe7, 0xe8, 0x10a, 0x140,
	0x174, 0x175, 0x176, 0x179, 0x17a, 0x17b, 0x1a0, 0x1d9, 0x200, 0x201, 0x20f,
	0x250, 0x258, 0x277, 0x2ff, 0x345, 0x400, 0x401, 0x402, 0x403, 0x47f, 0x480,
	0x48d, 0x6e0, 0x802, 0x808, 0x80b, 0x830, 0x838, 0x8ff, 0xd90, 0xda0,
	0x40000000, 0x4b564d00, 0x4b564d01, 0x4b564d02, 0x4b564d03, 0x4b564d04,
	0x4b564d06, 0x4b564d07, 0x11, 0x12, 0xc0000080, 0xc0000081, 0xc0000082,
	0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0000104,
	0xc0010015, 0xc0010114, 0xc0010117, 0xc0011029, 0xffffffff,
};
const unsigned int fz_nmsrs = sizeof(fz_msrs) / sizeof(fz_msrs[0]);

/* A count: small, just past a limit, or huge. */
uint32_t fz_count(struct fz *f, uint32_t plausible)
{
	static const uint32_t hostile[] = { 0, 255, 256, 257, 1024, 4096, 65536,
					    0x7fffffff, 0x80000000, 0xffffffff };

	if (fz_chance(f, 85))
		return fz_below(f, plausible + 1);
	return hostile[fz_below(f, sizeof(hostile) / sizeof(hostile[0]))];
}

/* struct kvm_msrs in scratch: n entries, indices mostly from fz_msrs. */
struct kvm_msrs *fz_msr_array(struct fz *f, uint32_t n)
{
	struct kvm_msrs *m = (void *)f->scratch;
	uint32_t i, fit = (FZ_SCRATCH - sizeof(*m)) / sizeof(m->entries[0]);

	m->nmsrs = n;
	m->pad = fz_chance(f, 95) ? 0 : fz_next(&f->rng);
	for (i = 0; i < n && i < fit; i++) {
		m->entries[i].index = fz_chance(f, 85) ? fz_msrs[fz_below(f, fz_nmsrs)] :
							  (uint32_t)fz_value(f);
		m->entries[i].reserved = fz_chance(f, 95) ? 0 : fz_next(&f->rng);
		m->entries[i].data = fz_value(f);
		/* EFER.LME only with paging, no TSC deadline (run.c says why). */
		if (m->entries[i].index == 0xc0000080)
			m->entries[i].data &= ~FZ_EFER_LME_LMA;
		if (m->entries[i].index == 0x6e0)
			m->entries[i].data = 0;
	}
	return m;
}

static void device_attr(struct fz *f, int fd, unsigned long cmd)
{
	struct kvm_device_attr *a = (void *)f->scratch;
	uint64_t *dst = (void *)(f->scratch + 4096);

	*a = (struct kvm_device_attr){
		.flags = fz_chance(f, 90) ? 0 : fz_value(f),
		.group = fz_chance(f, 80) ? 0 : fz_value(f),
		.attr = fz_chance(f, 80) ? 0 : fz_value(f),
		.addr = fz_chance(f, 80) ? (uintptr_t)dst : (uintptr_t)fz_ptr(f, 8),
	};
	fz_ioctl(f, fd, cmd, (unsigned long)fz_ptr(f, sizeof(*a)));
}

void fz_sys_ioctl(struct fz *f, int fd)
{
	struct kvm_cpuid2 *c = (void *)f->scratch;
	struct kvm_msr_list *l = (void *)f->scratch;

	switch (fz_below(f, 12)) {
	case 0:
		fz_ioctl(f, fd, KVM_GET_API_VERSION, fz_value(f));
		break;
	case 1:
		fz_ioctl(f, fd, KVM_CHECK_EXTENSION,
			 fz_chance(f, 80) ? fz_below(f, 260) : fz_value(f));
		break;
	case 2:
		fz_ioctl(f, fd, KVM_GET_VCPU_MMAP_SIZE, fz_value(f));
		break;
	case 3: case 4:
		fz_add(f, FZ_VM, fz_ioctl(f, fd, KVM_CREATE_VM,
					  fz_chance(f, 90) ? 0 : fz_value(f)));
		break;
	case 5:
		c->nent = fz_count(f, 100);
		c->padding = 0;
		fz_ioctl(f, fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)fz_ptr(f, 8 + c->nent * 40UL));
		break;
	case 6: case 7:
		l->nmsrs = fz_count(f, 300);
		fz_ioctl(f, fd, fz_chance(f, 50) ? KVM_GET_MSR_INDEX_LIST :
			 KVM_GET_MSR_FEATURE_INDEX_LIST,
			 (unsigned long)fz_ptr(f, 4 + l->nmsrs * 4UL));
		break;
	case 8: {
		struct kvm_msrs *m = fz_msr_array(f, fz_count(f, 8));

		fz_ioctl(f, fd, KVM_GET_MSRS, (unsigned long)fz_ptr(f, 8 + m->nmsrs * 16UL));
		break;
	}
	case 9:
		fz_ioctl(f, fd, KVM_X86_GET_MCE_CAP_SUPPORTED, (unsigned long)fz_ptr(f, 8));
		break;
	default:
		device_attr(f, fd, fz_chance(f, 50) ? KVM_GET_DEVICE_ATTR : KVM_HAS_DEVICE_ATTR);
	}
}
