/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The paging suite's memory layout and parameter block, shared by paging.c
 * (which builds the page tables) and guest/paging.S (which edits them).
 * Plain constants only: included by C and by assembly.
 *
 * Slot 0 (guest/layout.h) holds, above GUEST_FREE_GPA:
 *   0x30000  parameter block (PG_P_*: 8-byte fields, 32-bit code reads the
 *            low half)
 *   0x31000  page-table pool the host builds the address spaces from
 *   0x60000  data pages D0..D15, D(i) holding PG_MARK(i) in its first word
 *   0x70000  spare zeroed pages for tables the guest builds itself
 * Slot 1: PG_LARGE_SIZE at PG_LARGE_GPA, for 2 MiB and 4 MiB pages; its
 * 4 KiB page at GPA g holds g in its first word.
 *
 * The guest runs on the host's tables, one of three formats (PG_MODE_*),
 * up to three address spaces (CR3s). In each, VA 0..2 MiB is identity-mapped
 * (4 KiB pages, user, writable: the code, stacks, descriptor tables and page
 * tables, so the guest edits tables at VA = GPA); PG_TVA is the 4 KiB test
 * region, with its page table at PG_P_PT + 8 * n for address space n;
 * PG_LVA the large-page region (address space 0).
 */
#ifndef MINIVIRT_GUEST_PAGING_H
#define MINIVIRT_GUEST_PAGING_H

#define PG_PARAMS	0x30000
#define PG_POOL		0x31000
#define PG_POOL_PAGES	47
#define PG_DATA		0x60000
#define PG_NDATA	16
#define PG_SPARE	0x70000
#define PG_NSPARE	4
#define PG_MARK(i)	(0x4d410000 + (i))

#define PG_LARGE_GPA	0x400000
#define PG_LARGE_SIZE	0x800000

#define PG_TVA		0x40000000	/* 4 KiB test pages */
#define PG_TVA2		(PG_TVA + 0x400000)	/* another PDE, every format */
#define PG_TVA3		(PG_TVA + 0x800000)
#define PG_LVA		0x80000000	/* two large pages */

/* Ring 3: its stack, the user segments, the gate back to ring 0. */
#define PG_USER_STACK	(GUEST_STACK_TOP - 0x800)
#define PG_KERNEL_STACK	GUEST_STACK_TOP
#define SEL_UCODE32	0x40
#define SEL_UDATA	0x48
#define SEL_UCODE64	0x50
#define PG_GDT_LIMIT	(SEL_UCODE64 + 8 - 1)
#define PG_KERNEL_VEC	0x80

/* Paging formats. */
#define PG_MODE_32	0	/* 2-level, 4-byte entries, CR4.PSE */
#define PG_MODE_PAE	1	/* PAE, EFER.NXE */
#define PG_MODE_64	2	/* 4-level, EFER.NXE */

/* The parameter block, written by the host (but the last four). */
#define PG_P_MODE	(PG_PARAMS + 0x00)	/* PG_MODE_* */
#define PG_P_PTESZ	(PG_PARAMS + 0x08)	/* 4 or 8 */
#define PG_P_CR3	(PG_PARAMS + 0x10)	/* [3] */
#define PG_P_PT		(PG_PARAMS + 0x28)	/* [3] PG_TVA's page table */
#define PG_P_E2		(PG_PARAMS + 0x40)	/* PG_TVA's PDE (space 0) */
#define PG_P_E3		(PG_PARAMS + 0x48)	/* its PDPTE: 4-level only, else 0 */
#define PG_P_E4		(PG_PARAMS + 0x50)	/* its PML4E: 4-level only, else 0 */
#define PG_P_LSZ	(PG_PARAMS + 0x58)	/* large page: 4 MiB or 2 MiB */
#define PG_P_LPDE	(PG_PARAMS + 0x60)	/* PG_LVA's PDE (space 0) */
#define PG_P_CR4	(PG_PARAMS + 0x68)	/* what the guest loads into CR4 */
#define PG_P_NXE	(PG_PARAMS + 0x70)	/* 1: set EFER.NXE */
#define PG_P_NPTE	(PG_PARAMS + 0x78)	/* entries per table: 1024 or 512 */
#define PG_P_PD		(PG_PARAMS + 0x80)	/* the page holding PG_P_E2's entry */
#define PG_P_IDBIT	(PG_PARAMS + 0x88)	/* #PF I/D bit of a fetch: 0x10 or 0 */
#define PG_P_RSV	(PG_PARAMS + 0x90)	/* [4] reserved_bits' addresses */
#define PG_P_RSVALT	(PG_PARAMS + 0xb0)	/* RSVD #PF: error-code bits that
						   may differ (nested mode) */
#define PG_P_CR2	(PG_PARAMS + 0x100)	/* the guest's #PF handler: CR2 */
#define PG_P_OBS	(PG_PARAMS + 0x108)	/* the last check: observed */
#define PG_P_EXP	(PG_PARAMS + 0x110)	/* the last check: expected */
#define PG_P_NCHK	(PG_PARAMS + 0x118)	/* checks passed */

/* Report page: the value each check n observed, as 32-bit words. */
#define PG_R(n)		(GUEST_REPORT_GPA + 4 * (n))
#define PG_NR_SLOTS	1024

/* Tests, the guest's entry switch (ESI). */
#define PG_T_MAP	1
#define PG_T_INVLPG	2
#define PG_T_CR3	3
#define PG_T_LARGE	4
#define PG_T_FAULTS	5
#define PG_T_AD		6
#define PG_T_ALIAS	7
#define PG_T_RSVD	8

#endif /* MINIVIRT_GUEST_PAGING_H */
