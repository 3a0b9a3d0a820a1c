// SPDX-License-Identifier: GPL-2.0-only
/* vCPU setup on the KVM API: create, map kvm_run, CPUID, registers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vcpu.h"

#define CPUID_MAX_ENTRIES	4096

void cpuid_fixup(struct kvm_cpuid2 *cpuid, int id)
{
	struct kvm_cpuid_entry2 *ent;
	unsigned int i;

	for (i = 0; i < cpuid->nent; i++) {
		ent = &cpuid->entries[i];
		switch (ent->function) {
		case 0x1:	/* EBX[31:24]: initial APIC ID */
			ent->ebx = (ent->ebx & 0x00ffffff) | (uint32_t)id << 24;
			break;
		case 0xb:	/* EDX: x2APIC ID */
		case 0x1f:
			ent->edx = id;
			break;
		}
	}
}

/* KVM_GET_SUPPORTED_CPUID, growing the table while KVM says E2BIG. */
static struct kvm_cpuid2 *supported_cpuid(int sys_fd, struct err *e)
{
	struct kvm_cpuid2 *cpuid;
	unsigned int nent;
	int saved = E2BIG;

	for (nent = 64; nent <= CPUID_MAX_ENTRIES; nent *= 2) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid) {
			err_set(e, ENOMEM, "KVM_GET_SUPPORTED_CPUID: out of memory");
			return NULL;
		}
		cpuid->nent = nent;
		if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			return cpuid;
		saved = errno;
		free(cpuid);
		if (saved != E2BIG)
			break;
	}
	err_set(e, saved, "KVM_GET_SUPPORTED_CPUID: %s", strerror(saved));
	return NULL;
}

static int vcpu_set_cpuid(struct vcpu *c, int sys_fd, struct err *e)
{
	struct kvm_cpuid2 *cpuid = supported_cpuid(sys_fd, e);
	int ret = 0;

	if (!cpuid)
		return -EIO;
	cpuid_fixup(cpuid, c->id);
	if (ioctl(c->fd, KVM_SET_CPUID2, cpuid) < 0)
		ret = err_set(e, errno, "KVM_SET_CPUID2 (%u entries): %s", cpuid->nent,
			      strerror(errno));
	free(cpuid);
	return ret;
}

int vcpu_create(struct vcpu *c, struct vm *vm, int id, struct err *e)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (c->fd < 0)
		return err_set(e, errno, "KVM_CREATE_VCPU %d: %s", id, strerror(errno));
	c->run_size = vm->run_size;
	c->run = mmap(NULL, c->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		ret = err_set(e, errno, "mmap of vCPU %d's kvm_run: %s", id, strerror(errno));
		goto err_close;
	}
	ret = vcpu_set_cpuid(c, vm->sys_fd, e);
	if (ret)
		goto err_unmap;
	return 0;

err_unmap:
	munmap(c->run, c->run_size);
err_close:
	close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	return ret;
}

int vcpu_boot(struct vcpu *c, const struct boot_regs *b, struct err *e)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return err_set(e, errno, "KVM_GET_SREGS: %s", strerror(errno));
	boot_to_sregs(b, &sregs);
	if (ioctl(c->fd, KVM_SET_SREGS, &sregs) < 0)
		return err_set(e, errno, "KVM_SET_SREGS: %s", strerror(errno));
	boot_to_regs(b, &regs);
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0)
		return err_set(e, errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

void vcpu_destroy(struct vcpu *c)
{
	if (c->run && c->run != MAP_FAILED)
		munmap(c->run, c->run_size);
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}
