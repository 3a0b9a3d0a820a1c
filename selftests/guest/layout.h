/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest-physical memory layout and the port protocol shared by the guest
 * library (lib/vm.c), the tests and the guest code (guest/ *.S). Plain
 * constants only: this file is included by C and by assembly.
 *
 * Standard guest memory is one memslot (slot 0) of GUEST_MEM_SIZE at GPA 0:
 *
 *   0x00000  real-mode IVT (unused otherwise)
 *   0x01000  GDT                          GUEST_GDT_GPA
 *   0x02000  IDT (256 x 16 bytes)         GUEST_IDT_GPA
 *   0x03000  TSS                          GUEST_TSS_GPA
 *   0x04000  exception record             GUEST_EXC_GPA (struct guest_exc)
 *   0x05000  report page                  GUEST_REPORT_GPA: guests store results here
 *   0x06000  stack, grows down from       GUEST_STACK_TOP (0x8000)
 *   0x08000  guest code, up to 24 KiB     GUEST_CODE_GPA
 *   0x0e000  exception stubs (2 pages)    GUEST_STUBS_GPA (256 x 16 bytes + handler)
 *   0x10000  data pages for tests         GUEST_DATA_GPA .. 0x1ffff
 *   0x20000  page tables (pool of 16)     GUEST_PT_GPA
 *   0x30000  free for tests               .. GUEST_MEM_SIZE
 *
 * In long mode the first 4 GiB are identity-mapped (4 KiB pages for the first
 * 2 MiB, 2 MiB pages above), supervisor, writable. GUEST_MMIO_GPA has no
 * memslot: accesses there exit as KVM_EXIT_MMIO.
 */
#ifndef MINIVIRT_GUEST_LAYOUT_H
#define MINIVIRT_GUEST_LAYOUT_H

#define GUEST_PAGE_SIZE		0x1000
#define GUEST_MEM_SIZE		0x200000

#define GUEST_GDT_GPA		0x1000
#define GUEST_IDT_GPA		0x2000
#define GUEST_TSS_GPA		0x3000
#define GUEST_EXC_GPA		0x4000
#define GUEST_REPORT_GPA	0x5000
#define GUEST_STACK_TOP		0x8000
#define GUEST_CODE_GPA		0x8000
#define GUEST_CODE_MAX		0x6000
#define GUEST_STUBS_GPA		0xe000
#define GUEST_DATA_GPA		0x10000
#define GUEST_PT_GPA		0x20000
#define GUEST_PT_PAGES		16
#define GUEST_FREE_GPA		0x30000

/* No memslot here: MMIO (identity-mapped in long mode). */
#define GUEST_MMIO_GPA		0xc0000000

/* GDT selectors (lib/vm.c writes the descriptors). */
#define SEL_CODE32		0x08
#define SEL_DATA		0x10
#define SEL_CODE64		0x18
#define SEL_CODE16		0x20
#define SEL_DATA16		0x28
#define SEL_TSS			0x30	/* 16 bytes in long mode */

/* The exception record (struct guest_exc in lib/vm.h), 8-byte fields. */
#define EXC_VECTOR		(GUEST_EXC_GPA + 0x00)
#define EXC_ERROR		(GUEST_EXC_GPA + 0x08)
#define EXC_RIP			(GUEST_EXC_GPA + 0x10)
#define EXC_COUNT		(GUEST_EXC_GPA + 0x18)
#define EXC_FIXUP		(GUEST_EXC_GPA + 0x20)

/*
 * Ports of the guest-to-host protocol (DX form only, above 0xff, so that no
 * test of a port below 0x100 can collide):
 * - GUEST_PORT_FAIL: a self-checking guest found a mismatch; EAX holds the
 *   number of the failed check. The guest then halts for good.
 * - GUEST_PORT_EXC: an exception arrived that no fixup expected; EAX holds
 *   the vector (the record at GUEST_EXC_GPA has the rest).
 * - GUEST_PORT_REPORT: a value for the host (EAX); the guest goes on.
 */
#define GUEST_PORT_FAIL		0x0501
#define GUEST_PORT_EXC		0x0502
#define GUEST_PORT_REPORT	0x0503

#endif /* MINIVIRT_GUEST_LAYOUT_H */
