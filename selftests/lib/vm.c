// SPDX-License-Identifier: GPL-2.0-only
/* The guest library: VMs, memslots, vCPUs, registers, KVM_RUN. See vm.h. */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "kvm_util.h"
#include "vm.h"

static void *zalloc(size_t size)
{
	void *p = calloc(1, size);

	ASSERT_TRUE(p);
	return p;
}

struct vm *vm_new(void)
{
	struct vm *vm = zalloc(sizeof(*vm));

	vm->sys_fd = th_open(th_dev);
	vm->fd = th_create_vm(vm->sys_fd);
	/*
	 * KVM's api.rst: KVM_SET_TSS_ADDR "is required on Intel-based hosts":
	 * kvm_intel without unrestricted guest (ept=0) runs real mode in
	 * vm86 mode on a TSS of three pages there; without it the TSS sits
	 * at 0, over the IVT, and a real-mode INT n #GPs (internal error).
	 * QEMU's address, above any test memory; a no-op on AMD.
	 */
	ASSERT_OK(ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfeffd000UL));
	return vm;
}

uint8_t *vm_mem_add(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		    uint32_t flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size,
	};
	struct vm_slot *s;
	void *hva;

	ASSERT_TRUE(vm->nr_slots < VM_MAX_SLOTS);
	hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_TRUE(hva != MAP_FAILED);
	r.userspace_addr = (uint64_t)(uintptr_t)hva;
	ASSERT_OK(ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r));

	s = &vm->slots[vm->nr_slots++];
	s->slot = slot;
	s->flags = flags;
	s->gpa = gpa;
	s->size = size;
	s->hva = hva;
	return hva;
}

void *vm_ptr(struct vm *vm, uint64_t gpa)
{
	int i;

	for (i = 0; i < vm->nr_slots; i++) {
		struct vm_slot *s = &vm->slots[i];

		if (gpa >= s->gpa && gpa - s->gpa < s->size)
			return s->hva + (gpa - s->gpa);
	}
	TH_FAIL("GPA %#llx is in no memslot of the test", (unsigned long long)gpa);
	exit(TH_EXIT_FAIL);
}

void vm_load(struct vm *vm, uint64_t gpa, struct guest_code code)
{
	uint8_t *dst = vm_ptr(vm, gpa);
	size_t n = GUEST_SIZE(code);

	/* The whole blob must fit in the slot: check its last byte too. */
	if (n)
		ASSERT_TRUE((uint8_t *)vm_ptr(vm, gpa + n - 1) == dst + n - 1);
	memcpy(dst, code.start, n);
}

struct vcpu *vcpu_new(struct vm *vm, unsigned long id)
{
	struct vcpu *vcpu = zalloc(sizeof(*vcpu));
	void *run;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ASSERT_OK(ioctl(vm->fd, KVM_CREATE_VCPU, id));
	vcpu->run_size = ASSERT_OK(ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	ASSERT_GE(vcpu->run_size, (long)sizeof(struct kvm_run));
	run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	ASSERT_TRUE(run != MAP_FAILED);
	vcpu->run = run;
	return vcpu;
}

void vm_close(struct vm *vm, struct vcpu *vcpu)
{
	int i;

	if (vcpu) {
		munmap(vcpu->run, vcpu->run_size);
		close(vcpu->fd);
		free(vcpu);
	}
	close(vm->fd);
	close(vm->sys_fd);
	for (i = 0; i < vm->nr_slots; i++)
		munmap(vm->slots[i].hva, vm->slots[i].size);
	free(vm);
}

void vcpu_regs_get(struct vcpu *vcpu, struct kvm_regs *regs)
{
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_REGS, regs));
}

void vcpu_regs_set(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_REGS, regs));
}

void vcpu_sregs_get(struct vcpu *vcpu, struct kvm_sregs *sregs)
{
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_SREGS, sregs));
}

void vcpu_sregs_set(struct vcpu *vcpu, const struct kvm_sregs *sregs)
{
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SREGS, sregs));
}

uint64_t vcpu_rip(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	return regs.rip;
}

struct one_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entry;
};

uint64_t vcpu_msr_get(struct vcpu *vcpu, uint32_t index)
{
	struct one_msr m = { .hdr.nmsrs = 1, .entry.index = index };

	ASSERT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, &m), 1);
	return m.entry.data;
}

void vcpu_msr_set(struct vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct one_msr m = {
		.hdr.nmsrs = 1, .entry.index = index, .entry.data = value,
	};

	ASSERT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), 1);
}

int vcpu_run_errno(struct vcpu *vcpu)
{
	errno = 0;
	return ioctl(vcpu->fd, KVM_RUN, 0) ? errno : 0;
}

void vcpu_run(struct vcpu *vcpu)
{
	int err = vcpu_run_errno(vcpu);

	if (err) {
		TH_FAIL("KVM_RUN: %s (exit reason left: %s)", strerror(err),
			exit_reason_name(vcpu->run->exit_reason));
		exit(TH_EXIT_FAIL);
	}
}

bool vcpu_complete_io(struct vcpu *vcpu)
{
	int err;

	vcpu->run->immediate_exit = 1;
	err = vcpu_run_errno(vcpu);
	vcpu->run->immediate_exit = 0;
	if (err == EINTR)
		return true;
	if (err) {
		TH_FAIL("KVM_RUN to complete I/O: %s", strerror(err));
		exit(TH_EXIT_FAIL);
	}
	return false;
}

uint64_t vcpu_load_insn(struct vcpu *vcpu, struct guest_code code)
{
	uint64_t end = GUEST_CODE_GPA + GUEST_SIZE(code);
	struct kvm_regs regs;

	ASSERT_TRUE(GUEST_SIZE(code) < GUEST_CODE_MAX);
	vm_load(vcpu->vm, GUEST_CODE_GPA, code);
	*(uint8_t *)vm_ptr(vcpu->vm, end) = 0xf4;	/* hlt */
	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_CODE_GPA;
	vcpu_regs_set(vcpu, &regs);
	return end;
}

bool host_is_amd(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	return b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;
}
