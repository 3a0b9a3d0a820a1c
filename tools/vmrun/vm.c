// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM setup on the KVM API (Documentation/virt/kvm/api.rst, 4.x): the system
 * ioctls, KVM_CREATE_VM, KVM_SET_TSS_ADDR where offered, and guest RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vm.h"

#define KVM_API_VERSION_12	12

#define CAP(c, use) { c, #c, use }
/* What vmrun cannot run a guest without (kvmtool's kvm_req_ext[]). */
const struct cap_req vm_required_caps[] = {
	CAP(KVM_CAP_USER_MEMORY, "guest RAM"),
	CAP(KVM_CAP_EXT_CPUID, "the vCPU's CPUID"),
	CAP(KVM_CAP_IMMEDIATE_EXIT, "kicking the vCPU out of KVM_RUN"),
};
const unsigned int vm_nr_required_caps =
	sizeof(vm_required_caps) / sizeof(vm_required_caps[0]);

int caps_check(const struct cap_req *req, unsigned int n,
	       long (*probe)(void *ctx, long cap), void *ctx, struct err *e)
{
	char missing[sizeof(e->msg)] = "";
	size_t len = 0;
	unsigned int i, nmissing = 0;

	for (i = 0; i < n; i++) {
		if (probe(ctx, req[i].cap) > 0)
			continue;
		len += snprintf(missing + len, len < sizeof(missing) ? sizeof(missing) - len : 0,
				"%s%s (for %s)", nmissing ? ", " : "", req[i].name, req[i].use);
		if (len >= sizeof(missing))
			len = sizeof(missing) - 1;
		nmissing++;
	}
	if (nmissing)
		return err_set(e, ENOTSUP, "missing capabilit%s: %s",
			       nmissing > 1 ? "ies" : "y", missing);
	return 0;
}

static long probe_ioctl(void *ctx, long cap)
{
	return ioctl(*(int *)ctx, KVM_CHECK_EXTENSION, cap);
}

static int vm_sys_checks(struct vm *vm, const char *dev, struct err *e)
{
	struct err caps;
	int r;

	r = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (r < 0)
		return err_set(e, errno, "%s does not speak the KVM API (KVM_GET_API_VERSION: %s)",
			       dev, strerror(errno));
	if (r != KVM_API_VERSION_12)
		return err_set(e, EPROTO, "%s: KVM API version %d, vmrun needs %d",
			       dev, r, KVM_API_VERSION_12);
	r = caps_check(vm_required_caps, vm_nr_required_caps, probe_ioctl,
		       &vm->sys_fd, &caps);
	if (r)
		return err_set(e, -r, "%s: %s", dev, caps.msg);
	r = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r < 0)
		return err_set(e, errno, "%s: KVM_GET_VCPU_MMAP_SIZE: %s", dev, strerror(errno));
	if ((size_t)r < sizeof(struct kvm_run))
		return err_set(e, EPROTO, "%s: KVM_GET_VCPU_MMAP_SIZE says %d, less than struct kvm_run",
			       dev, r);
	vm->run_size = r;
	return 0;
}

static int vm_add_ram(struct vm *vm, unsigned int mem_mib, struct err *e)
{
	struct kvm_userspace_memory_region region;
	uint64_t size = (uint64_t)mem_mib << 20;
	void *ram;

	ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return err_set(e, errno, "guest RAM (%u MiB): %s", mem_mib, strerror(errno));
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = size;
	region.userspace_addr = (uintptr_t)ram;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		int ret = err_set(e, errno, "KVM_SET_USER_MEMORY_REGION (%u MiB at GPA 0): %s",
				  mem_mib, strerror(errno));
		munmap(ram, size);
		return ret;
	}
	vm->mem.host = ram;
	vm->mem.size = size;
	return 0;
}

int vm_open(struct vm *vm, const char *dev, unsigned int mem_mib, struct err *e)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		return err_set(e, errno, "%s: %s%s", dev, strerror(errno),
			       errno == ENOENT ? " (is the module loaded?)" : "");
	ret = vm_sys_checks(vm, dev, e);
	if (ret)
		goto err_close_sys;

	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = err_set(e, errno, "%s: KVM_CREATE_VM: %s%s", dev, strerror(errno),
			      errno == EBUSY ? " (another hypervisor holds VMX/SVM?)" : "");
		goto err_close_sys;
	}
	/* Real mode on VT-x without unrestricted guest needs it; harmless elsewhere. */
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) < 0) {
		ret = err_set(e, errno, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		goto err_close_vm;
	}
	ret = vm_add_ram(vm, mem_mib, e);
	if (ret)
		goto err_close_vm;
	return 0;

err_close_vm:
	close(vm->vm_fd);
	vm->vm_fd = -1;
err_close_sys:
	close(vm->sys_fd);
	vm->sys_fd = -1;
	return ret;
}

void vm_close(struct vm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem.host)
		munmap(vm->mem.host, vm->mem.size);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = -1;
	vm->vm_fd = -1;
}
