/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the suites that test the in-kernel irqchip through the KVM
 * ABI: a VM with KVM_CREATE_IRQCHIP (before any vCPU, as KVM requires), its
 * vCPUs, KVM_GET/SET_LAPIC register access, KVM_GET/SET_MP_STATE and IDT
 * gates for guest handlers. Each fails the test when an ioctl it relies on
 * fails; a test that checks an ioctl's own errno calls ioctl() itself.
 * APIC constants: guest/apic.h.
 */
#ifndef MINIVIRT_SELFTEST_IRQCHIP_H
#define MINIVIRT_SELFTEST_IRQCHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

/* vm_new(), GUEST_MEM_SIZE of memory at GPA 0 (slot 0), KVM_CREATE_IRQCHIP. */
struct vm *irqchip_vm_new(void);

/*
 * vCPU id of an irqchip VM: KVM_CREATE_VCPU, then vcpu_set_mode(mode, 0);
 * with mode < 0 only the supported CPUID is set (the vCPU stays in its
 * reset state, e.g. an AP waiting for INIT/SIPI). vcpu_set_mode() rewrites
 * the IDT: set gates after the last vCPU is made.
 */
struct vcpu *irqchip_vcpu_new(struct vm *vm, unsigned long id, int mode);

/* KVM_GET_LAPIC / KVM_SET_LAPIC. */
void vcpu_lapic_get(struct vcpu *vcpu, struct kvm_lapic_state *s);
void vcpu_lapic_set(struct vcpu *vcpu, const struct kvm_lapic_state *s);
/* The 32-bit register at offset reg (APIC_*) of a KVM_GET/SET_LAPIC page. */
uint32_t lapic_reg(const struct kvm_lapic_state *s, unsigned int reg);
void lapic_reg_put(struct kvm_lapic_state *s, unsigned int reg, uint32_t val);
/* Vector vec's bit in the 256-bit IRR/ISR/TMR at base (APIC_IRR...). */
bool lapic_vec_test(const struct kvm_lapic_state *s, unsigned int base,
		    unsigned int vec);
void lapic_vec_put(struct kvm_lapic_state *s, unsigned int base,
		   unsigned int vec, bool set);

/* KVM_GET_MP_STATE; KVM_SET_MP_STATE (returns the ioctl's result, errno set). */
uint32_t vcpu_mp_state(struct vcpu *vcpu);
int vcpu_mp_state_set(struct vcpu *vcpu, uint32_t state);

/* A 64-bit interrupt gate for vector to target (AMD APM vol 2 4.8.4). */
void irqchip_set_gate(struct vm *vm, unsigned int vector, uint64_t target);

#endif /* MINIVIRT_SELFTEST_IRQCHIP_H */
