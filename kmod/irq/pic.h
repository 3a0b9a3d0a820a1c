/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 8259A pair (master at 0x20, slave at 0xa0 on the master's IR2) and the
 * ELCR (0x4d0/0x4d1), as a PC chipset has them (KVM's i8259.c).
 * Locking: pic->lock (a spinlock, IRQs saved: callers may be in any context).
 */
#ifndef MINIVIRT_IRQ_PIC_H
#define MINIVIRT_IRQ_PIC_H

#include <linux/kvm.h>
#include <linux/types.h>

struct mv_pic;
struct mv_vm;

/* Under vm->lock: vm->irq.pic, its ports registered on the PIO bus. */
int mv_pic_create(struct mv_vm *vm);
/*
 * Under vm->lock, at VM destruction (no vCPU runs) or when a later step of
 * KVM_CREATE_IRQCHIP fails: unregisters and frees vm->irq.pic (if any).
 */
void mv_pic_destroy(struct mv_vm *vm);

/*
 * Drives pin irq (0-15) from source to level. Any context. Returns KVM's
 * kvm_pic_set_irq() value: -1 if the pin is masked (IMR), else 1 for a new
 * request in the IRR (or a line going low) and 0 for a request already
 * there (coalesced). Calls mv_irqchip_pic_changed() (after dropping
 * pic->lock) when the INT output rises.
 */
int mv_pic_set_irq(struct mv_pic *pic, unsigned int irq, int source, int level);
/* The INT output: an unmasked request above the in-service priority. */
bool mv_pic_output(struct mv_pic *pic);
/*
 * The INTA cycle (the vCPU takes an ExtINT): the vector, with IRR/ISR
 * updated (auto-EOI, the slave's cascade); the spurious IRQ7/IRQ15 vector if
 * nothing is pending. Calls mv_irq_acked() for an auto-EOI'd pin (after
 * dropping pic->lock).
 */
int mv_pic_read_irq(struct mv_pic *pic);

/* KVM_GET/SET_IRQCHIP, chip 0 (master) or 1 (slave). */
void mv_pic_get_state(struct mv_pic *pic, int chip, struct kvm_pic_state *s);
void mv_pic_set_state(struct mv_pic *pic, int chip,
		      const struct kvm_pic_state *s);

#endif /* MINIVIRT_IRQ_PIC_H */
