// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM's interrupt-controller mode and what the vCPU loop asks of it, with
 * KVM's semantics (arch/x86/kvm/x86.c, irq.c; Linux 6.1):
 * - KVM_CREATE_IRQCHIP (PIC pair, IOAPIC, a LAPIC per vCPU, the default
 *   routing), KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP) (LAPICs only; the VMM's
 *   IOAPIC sends MSIs, EOIs of level vectors exit as KVM_EXIT_IOAPIC_EOI),
 *   KVM_GET/SET_IRQCHIP, KVM_GET/SET_LAPIC, the PIT ioctls;
 * - which interrupt the vCPU takes next (the PIC's ExtINT through LINT0,
 *   else its LAPIC's), and whether a halted vCPU has a reason to wake.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../vcpu.h"
#include "../vm.h"
#include "ioapic.h"
#include "irq.h"
#include "irqchip.h"
#include "lapic.h"
#include "pic.h"
#include "pit.h"
#include "routing.h"

/* Under vm->lock: the mode can change only before the first vCPU. */
static int irqchip_settable(struct mv_vm *vm)
{
	if (vm->irq.mode != MV_IRQCHIP_NONE)
		return -EEXIST;
	if (vm->created_vcpus)
		return -EINVAL;
	return 0;
}

int mv_irqchip_create(struct mv_vm *vm)
{
	int r;

	lockdep_assert_held(&vm->lock);
	r = irqchip_settable(vm);
	if (r)
		return r;
	r = mv_pic_create(vm);
	if (r)
		return r;
	r = mv_ioapic_create(vm);
	if (r)
		goto err_pic;
	r = mv_irq_routing_init(vm);
	if (r)
		goto err_ioapic;
	/* The devices and the table before the mode that makes them used. */
	smp_store_release(&vm->irq.mode, MV_IRQCHIP_KERNEL);
	return 0;

err_ioapic:
	mv_ioapic_destroy(vm);
err_pic:
	mv_pic_destroy(vm);
	return r;
}

/* KVM's MAX_NR_RESERVED_IOAPIC_PINS is KVM_MAX_IRQ_ROUTES. */
int mv_irqchip_enable_split(struct mv_vm *vm, u64 nr_pins)
{
	int r;

	lockdep_assert_held(&vm->lock);
	if (nr_pins > MV_MAX_IRQ_ROUTES)
		return -EINVAL;
	r = irqchip_settable(vm);
	/* KVM answers -EEXIST for both reasons here. */
	if (r == -EINVAL)
		r = -EEXIST;
	if (!r)
		r = mv_irq_routing_init(vm);
	if (!r) {
		vm->irq.nr_user_ioapic_pins = nr_pins;
		smp_store_release(&vm->irq.mode, MV_IRQCHIP_SPLIT);
	}
	return r;
}

void mv_irqchip_destroy(struct mv_vm *vm)
{
	/* The PIT first (it drives the PIC and IOAPIC); it takes vm->lock. */
	if (vm->irq.pit)
		mv_pit_destroy(vm);
	/* The devices leave the buses under vm->lock, as they joined. */
	mutex_lock(&vm->lock);
	if (vm->irq.ioapic)
		mv_ioapic_destroy(vm);
	if (vm->irq.pic)
		mv_pic_destroy(vm);
	mutex_unlock(&vm->lock);
	mv_irq_routing_free(vm);
}

/*
 * KVM_GET_IRQCHIP and KVM_SET_IRQCHIP: the same argument, checks and chip
 * ids (KVM's kvm_vm_ioctl_get/set_irqchip()); a get copies the state back.
 */
static long irqchip_state(struct mv_vm *vm, void __user *argp, bool set)
{
	struct kvm_irqchip *chip = memdup_user(argp, sizeof(*chip));
	long r = 0;

	if (IS_ERR(chip))
		return PTR_ERR(chip);
	if (mv_irqchip_mode(&vm->irq) != MV_IRQCHIP_KERNEL) {
		r = -ENXIO;
		goto out;
	}
	switch (chip->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		if (set)
			mv_pic_set_state(vm->irq.pic, chip->chip_id, &chip->chip.pic);
		else
			mv_pic_get_state(vm->irq.pic, chip->chip_id, &chip->chip.pic);
		break;
	case KVM_IRQCHIP_IOAPIC:
		if (set)
			mv_ioapic_set_state(vm->irq.ioapic, &chip->chip.ioapic);
		else
			mv_ioapic_get_state(vm->irq.ioapic, &chip->chip.ioapic);
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if (!set && copy_to_user(argp, chip, sizeof(*chip)))
		r = -EFAULT;
out:
	kfree(chip);
	return r;
}

long mv_irqchip_get(struct mv_vm *vm, void __user *argp)
{
	return irqchip_state(vm, argp, false);
}

long mv_irqchip_set(struct mv_vm *vm, void __user *argp)
{
	return irqchip_state(vm, argp, true);
}

long mv_irqchip_get_lapic(struct mv_vcpu *vcpu, void __user *argp)
{
	struct kvm_lapic_state *s;
	long r = 0;

	if (!vcpu->lapic)
		return -EINVAL;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	mv_lapic_get_state(vcpu, s);
	if (copy_to_user(argp, s, sizeof(*s)))
		r = -EFAULT;
	kfree(s);
	return r;
}

long mv_irqchip_set_lapic(struct mv_vcpu *vcpu, void __user *argp)
{
	struct kvm_lapic_state *s;
	long r;

	if (!vcpu->lapic)
		return -EINVAL;
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	r = mv_lapic_set_state(vcpu, s);
	kfree(s);
	return r;
}

/* KVM_CREATE_PIT2 (KVM_CREATE_PIT: flags KVM_PIT_SPEAKER_DUMMY); pit.h's checks. */
long mv_irqchip_create_pit(struct mv_vm *vm, const struct kvm_pit_config *cfg)
{
	lockdep_assert_held(&vm->lock);
	return mv_pit_create(vm, cfg->flags);
}

/* The PIT exists from KVM_CREATE_PIT2 until the VM goes (vm->lock). */
static struct mv_pit *vm_pit(struct mv_vm *vm)
{
	return smp_load_acquire(&vm->irq.pit);
}

long mv_irqchip_get_pit2(struct mv_vm *vm, struct kvm_pit_state2 *s)
{
	struct mv_pit *pit = vm_pit(vm);

	if (!pit)
		return -ENXIO;
	mv_pit_get_state2(pit, s);
	return 0;
}

long mv_irqchip_get_pit(struct mv_vm *vm, struct kvm_pit_state *s)
{
	struct mv_pit *pit = vm_pit(vm);

	if (!pit)
		return -ENXIO;
	mv_pit_get_state(pit, s);
	return 0;
}

long mv_irqchip_set_pit(struct mv_vm *vm, const struct kvm_pit_state *s)
{
	struct mv_pit *pit = vm_pit(vm);

	lockdep_assert_held(&vm->lock);
	return pit ? mv_pit_set_state(pit, s) : -ENXIO;
}

long mv_irqchip_set_pit2(struct mv_vm *vm, const struct kvm_pit_state2 *s)
{
	struct mv_pit *pit = vm_pit(vm);

	lockdep_assert_held(&vm->lock);
	return pit ? mv_pit_set_state2(pit, s) : -ENXIO;
}

long mv_irqchip_reinject(struct mv_vm *vm, const struct kvm_reinject_control *c)
{
	struct mv_pit *pit = vm_pit(vm);

	if (!pit)
		return -ENXIO;
	mv_pit_set_reinject(pit, c->pit_reinject);
	return 0;
}

/*
 * The PIC's output rose: the first vCPU whose LINT0 takes ExtINT looks
 * (KVM's pic_unlock()).
 */
void mv_irqchip_pic_changed(struct mv_vm *vm)
{
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct mv_vcpu *vcpu = vm->vcpus[i];

		if (vcpu->lapic && mv_lapic_accepts_pic(vcpu)) {
			mv_vcpu_wake(vcpu);
			return;
		}
	}
}

/* KVM's kvm_ioapic_send_eoi(). */
void mv_irqchip_eoi(struct mv_vcpu *vcpu, u8 vector, bool level)
{
	struct mv_vm *vm = vcpu->vm;

	if (mv_irqchip_mode(&vm->irq) == MV_IRQCHIP_SPLIT) {
		/* The VMM's IOAPIC learns of its level vectors' EOIs. */
		if (!mv_irq_split_eoi_vector(vm, vector))
			return;
		vcpu->ioapic_eoi_vector = vector;
		mv_vcpu_request(vcpu, MV_REQ_IOAPIC_EOI_EXIT);
		return;
	}
	mv_ioapic_eoi(vm->irq.ioapic, vector, level);
}

bool mv_pic_in_kernel(struct mv_vcpu *vcpu)
{
	return mv_irqchip_mode(&vcpu->vm->irq) == MV_IRQCHIP_KERNEL;
}

/* An ExtINT: the in-kernel PIC's output, or the VMM's (split, KVM_INTERRUPT). */
static bool has_extint(struct mv_vcpu *vcpu)
{
	if (!mv_lapic_accepts_pic(vcpu))
		return false;
	if (mv_irqchip_mode(&vcpu->vm->irq) == MV_IRQCHIP_SPLIT)
		return vcpu->ext_vector >= 0;
	return mv_pic_output(vcpu->vm->irq.pic);
}

/* KVM's kvm_cpu_has_interrupt() with an in-kernel LAPIC. */
bool mv_irqchip_has_interrupt(struct mv_vcpu *vcpu)
{
	return has_extint(vcpu) || mv_lapic_pending_vector(vcpu) >= 0;
}

/* KVM's kvm_cpu_get_interrupt(): the vector, acknowledged, or -1. */
int mv_irqchip_get_interrupt(struct mv_vcpu *vcpu)
{
	int v;

	if (has_extint(vcpu)) {
		if (mv_irqchip_mode(&vcpu->vm->irq) == MV_IRQCHIP_SPLIT) {
			v = vcpu->ext_vector;
			vcpu->ext_vector = -1;
			return v;
		}
		return mv_pic_read_irq(vcpu->vm->irq.pic);
	}
	v = mv_lapic_pending_vector(vcpu);
	if (v >= 0)
		mv_lapic_ack(vcpu, v);
	return v;
}

/* KVM_INTERRUPT with a LAPIC: only the split mode's ExtINT (KVM). */
long mv_irqchip_user_interrupt(struct mv_vcpu *vcpu, u32 vector)
{
	if (mv_irqchip_mode(&vcpu->vm->irq) == MV_IRQCHIP_KERNEL)
		return -ENXIO;
	if (vcpu->ext_vector >= 0)
		return -EEXIST;
	vcpu->ext_vector = vector;
	mv_vcpu_request(vcpu, MV_REQ_EVENT);
	return 0;
}
