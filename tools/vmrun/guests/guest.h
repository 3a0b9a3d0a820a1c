/* SPDX-License-Identifier: GPL-2.0-only */
/* What vmrun's bundled guests share: the machine vmrun gives them. */
#ifndef VMRUN_GUEST_H
#define VMRUN_GUEST_H

#define COM1			0x3f8	/* 8250 UART */
#define UART_RBR		(COM1 + 0)
#define UART_IER		(COM1 + 1)
#define UART_DLL		(COM1 + 0)	/* with LCR.DLAB */
#define UART_DLM		(COM1 + 1)
#define UART_IIR		(COM1 + 2)
#define UART_FCR		(COM1 + 2)
#define UART_LCR		(COM1 + 3)
#define UART_LSR		(COM1 + 5)
#define UART_SCR		(COM1 + 7)
#define LSR_DR			0x01
#define LSR_THRE		0x20

#define DEBUG_EXIT		0xf4	/* write v: vmrun exits (v << 1) | 1 */

#define MB_HEADER_MAGIC		0x1badb002
#define MB_HF_MEMORY_INFO	0x00000002
#define MB_HF_AOUT_KLUDGE	0x00010000
#define MB_BOOTLOADER_MAGIC	0x2badb002
/* struct multiboot_info offsets and flags */
#define MBI_FLAGS		0
#define MBI_MEM_LOWER		4
#define MBI_MEM_UPPER		8
#define MBI_CMDLINE		16
#define MBI_MMAP_LENGTH		44
#define MBI_MMAP_ADDR		48
#define MBI_BOOT_LOADER_NAME	64
#define MBI_F_MEMORY		(1 << 0)
#define MBI_F_CMDLINE		(1 << 2)
#define MBI_F_MEM_MAP		(1 << 6)
#define MBI_F_BOOT_LOADER_NAME	(1 << 9)

#ifdef __ASSEMBLER__
/*
 * A multiboot v1 header asking for the memory fields. ELF kernels need no
 * more; built with -DMB_AOUT_KLUDGE (a flat image) it carries the address
 * fields of flag 16, from symbols of guests/aout.ld.
 */
.macro multiboot_header
	.section .multiboot, "a"
	.balign 4
mb_header:
#ifdef MB_AOUT_KLUDGE
	.long MB_HEADER_MAGIC
	.long MB_HF_MEMORY_INFO | MB_HF_AOUT_KLUDGE
	.long -(MB_HEADER_MAGIC + (MB_HF_MEMORY_INFO | MB_HF_AOUT_KLUDGE))
	.long mb_header		/* header_addr */
	.long _load_start	/* load_addr */
	.long _load_end		/* load_end_addr */
	.long _bss_end		/* bss_end_addr */
	.long _start		/* entry_addr */
#else
	.long MB_HEADER_MAGIC
	.long MB_HF_MEMORY_INFO
	.long -(MB_HEADER_MAGIC + MB_HF_MEMORY_INFO)
#endif
	.previous
.endm

/* No executable stack wanted (keeps ld quiet). */
	.section .note.GNU-stack, "", @progbits
	.previous
#endif

#endif /* VMRUN_GUEST_H */
