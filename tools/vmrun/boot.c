// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86 CPU state at guest entry: segment caches, descriptor tables and
 * control registers for real mode and for flat 32-bit protected mode.
 * References: SDM vol 3A 3.4.5 "Segment Descriptors" (type, S, DPL, P, D/B,
 * G), SDM vol 3A 9.1.1 "Processor State After Reset" (real-mode values).
 */
#include <errno.h>
#include <string.h>

#include "boot.h"

/* Segment types (S=1): code execute/read accessed, data read/write accessed. */
#define SEG_TYPE_CODE_RX	0xb
#define SEG_TYPE_DATA_RW	0x3
/* System types (S=0). */
#define SEG_TYPE_LDT		0x2
#define SEG_TYPE_TSS16_BUSY	0x3
#define SEG_TYPE_TSS32_BUSY	0xb

/* Flat 4 GiB descriptors: base 0, limit 0xfffff, G=1, D=1, P=1, DPL 0. */
#define GDT_CODE32		0x00cf9b000000ffffull
#define GDT_DATA32		0x00cf93000000ffffull

int boot_write_gdt(struct guest_mem *m, uint32_t gpa, struct err *e)
{
	static const uint64_t gdt[] = { 0, GDT_CODE32, GDT_DATA32 };
	void *p = gmem_ptr(m, gpa, sizeof(gdt));

	if (!p)
		return err_set(e, ERANGE, "the GDT at 0x%x lies outside guest RAM", gpa);
	memcpy(p, gdt, sizeof(gdt));
	return 0;
}

static void seg_real(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = (uint64_t)sel << 4;
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
}

static void seg_flat32(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;	/* KVM takes the byte-granular limit */
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

static void seg_system(struct kvm_segment *s, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
}

void boot_to_sregs(const struct boot_regs *b, struct kvm_sregs *s)
{
	struct kvm_segment *data[] = { &s->ds, &s->es, &s->fs, &s->gs, &s->ss };
	unsigned int i;

	if (b->mode == BOOT_REAL16) {
		seg_real(&s->cs, b->seg, SEG_TYPE_CODE_RX);
		for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
			seg_real(data[i], b->seg, SEG_TYPE_DATA_RW);
		seg_system(&s->tr, SEG_TYPE_TSS16_BUSY);
		seg_system(&s->ldt, SEG_TYPE_LDT);
		s->gdt.base = 0;
		s->gdt.limit = 0xffff;
		s->idt.base = 0;		/* the real-mode IVT */
		s->idt.limit = 0x3ff;
		s->cr0 = X86_CR0_ET;
	} else {
		seg_flat32(&s->cs, BOOT_SEL_CODE32, SEG_TYPE_CODE_RX);
		for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
			seg_flat32(data[i], BOOT_SEL_DATA32, SEG_TYPE_DATA_RW);
		seg_system(&s->tr, SEG_TYPE_TSS32_BUSY);
		memset(&s->ldt, 0, sizeof(s->ldt));
		s->ldt.unusable = 1;
		s->gdt.base = b->gdt_base;
		s->gdt.limit = 3 * 8 - 1;
		s->idt.base = 0;		/* none: any exception triple-faults */
		s->idt.limit = 0;
		s->cr0 = X86_CR0_PE | X86_CR0_ET;
	}
	memset(s->gdt.padding, 0, sizeof(s->gdt.padding));
	memset(s->idt.padding, 0, sizeof(s->idt.padding));
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->cr8 = 0;
	s->efer = 0;
	memset(s->interrupt_bitmap, 0, sizeof(s->interrupt_bitmap));
}

void boot_to_regs(const struct boot_regs *b, struct kvm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rip = b->ip;
	r->rsp = b->sp;
	r->rax = b->eax;
	r->rbx = b->ebx;
	r->rflags = X86_RFLAGS_FIXED;	/* IF=0 */
}
