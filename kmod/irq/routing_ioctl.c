// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM ioctls of GSI routing and MSI injection, with the checks, order
 * and errnos of KVM's kvm_vm_ioctl() and what it calls (Linux 6.1,
 * virt/kvm/kvm_main.c, virt/kvm/irqchip.c, arch/x86/kvm/x86.c;
 * Documentation/virt/kvm/api.rst). The dispatcher has copied the fixed
 * argument in (-EFAULT before anything else) and copies it back out for
 * KVM_IRQ_LINE_STATUS. "An in-kernel irqchip" is KVM's
 * irqchip_in_kernel(): KVM_CREATE_IRQCHIP or KVM_CAP_SPLIT_IRQCHIP.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "../vm.h"
#include "irq.h"
#include "routing.h"

static bool mv_irqchip_in_kernel(struct mv_vm *vm)
{
	return mv_irqchip_mode(&vm->irq) != MV_IRQCHIP_NONE;
}

/* kvm_vm_ioctl_irq_line(): the status is kvm_set_irq()'s answer. */
int mv_irq_line(struct mv_vm *vm, struct kvm_irq_level *irq, bool line_status)
{
	if (!mv_irqchip_in_kernel(vm))
		return -ENXIO;
	irq->status = mv_irq_set_gsi(vm, MV_IRQ_SOURCE_USER, irq->irq,
				     irq->level, line_status);
	return 0;
}

/*
 * kvm_vm_ioctl(KVM_SET_GSI_ROUTING): an in-kernel irqchip
 * (kvm_arch_can_set_irq_routing()), nr at most KVM_MAX_IRQ_ROUTES, flags 0,
 * each -EINVAL; then the entries are copied (-EFAULT; none when nr is 0,
 * which empties the table) and checked (mv_irq_update_routing()).
 */
int mv_set_gsi_routing(struct mv_vm *vm, const struct kvm_irq_routing *hdr,
		       const struct kvm_irq_routing_entry __user *entries)
{
	struct kvm_irq_routing_entry *ue = NULL;
	int r;

	if (!mv_irqchip_in_kernel(vm))
		return -EINVAL;
	if (hdr->nr > MV_MAX_IRQ_ROUTES || hdr->flags)
		return -EINVAL;
	if (hdr->nr) {
		ue = vmemdup_user(entries, array_size(sizeof(*ue), hdr->nr));
		if (IS_ERR(ue))
			return PTR_ERR(ue);
	}
	r = mv_irq_update_routing(vm, ue, hdr->nr);
	kvfree(ue);
	return r;
}

/*
 * kvm_send_userspace_msi(): an in-kernel irqchip and no flag but
 * KVM_MSI_VALID_DEVID (accepted and ignored on x86), else -EINVAL; then
 * kvm_set_msi()'s answer is the ioctl's, -1 included (EPERM to userspace
 * when no LAPIC matched).
 */
int mv_signal_msi(struct mv_vm *vm, const struct kvm_msi *msi)
{
	if (!mv_irqchip_in_kernel(vm) || (msi->flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	return mv_irq_set_msi(vm, msi->address_lo, msi->address_hi, msi->data);
}
