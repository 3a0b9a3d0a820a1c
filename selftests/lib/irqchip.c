// SPDX-License-Identifier: GPL-2.0-only
/* In-kernel irqchip helpers: VMs, vCPUs, LAPIC and mp_state. See irqchip.h. */
#include <sys/ioctl.h>

#include "harness.h"
#include "irqchip.h"

struct vm *irqchip_vm_new(void)
{
	struct vm *vm = vm_new();

	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	return vm;
}

struct vcpu *irqchip_vcpu_new(struct vm *vm, unsigned long id, int mode)
{
	struct vcpu *vcpu = vcpu_new(vm, id);

	if (mode < 0)
		vcpu_set_supported_cpuid(vcpu);
	else
		vcpu_set_mode(vcpu, (enum vm_mode)mode, 0);
	return vcpu;
}

void vcpu_lapic_get(struct vcpu *vcpu, struct kvm_lapic_state *s)
{
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_LAPIC, s));
}

void vcpu_lapic_set(struct vcpu *vcpu, const struct kvm_lapic_state *s)
{
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_LAPIC, s));
}

uint32_t lapic_reg(const struct kvm_lapic_state *s, unsigned int reg)
{
	uint32_t v;

	ASSERT_TRUE(reg + sizeof(v) <= sizeof(s->regs));
	memcpy(&v, s->regs + reg, sizeof(v));
	return v;
}

void lapic_reg_put(struct kvm_lapic_state *s, unsigned int reg, uint32_t val)
{
	ASSERT_TRUE(reg + sizeof(val) <= sizeof(s->regs));
	memcpy(s->regs + reg, &val, sizeof(val));
}

/* 256 bits as eight 32-bit registers 16 bytes apart (SDM vol 3A 10.8.4). */
bool lapic_vec_test(const struct kvm_lapic_state *s, unsigned int base,
		    unsigned int vec)
{
	return lapic_reg(s, base + 0x10 * (vec / 32)) & (1U << (vec % 32));
}

void lapic_vec_put(struct kvm_lapic_state *s, unsigned int base,
		   unsigned int vec, bool set)
{
	unsigned int reg = base + 0x10 * (vec / 32);
	uint32_t v = lapic_reg(s, reg);

	if (set)
		v |= 1U << (vec % 32);
	else
		v &= ~(1U << (vec % 32));
	lapic_reg_put(s, reg, v);
}

uint32_t vcpu_mp_state(struct vcpu *vcpu)
{
	struct kvm_mp_state mp;

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp));
	return mp.mp_state;
}

int vcpu_mp_state_set(struct vcpu *vcpu, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	return ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp);
}

void irqchip_set_gate(struct vm *vm, unsigned int vector, uint64_t target)
{
	uint32_t *idt = vm_ptr(vm, GUEST_IDT_GPA);

	ASSERT_TRUE(vector < 256);
	idt[vector * 4 + 0] = (target & 0xffff) | SEL_CODE64 << 16;
	idt[vector * 4 + 1] = (target & 0xffff0000) | 0x8e00;
	idt[vector * 4 + 2] = target >> 32;
	idt[vector * 4 + 3] = 0;
}
