/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot (v1) entry of the PVH stub: GRUB's "multiboot" command loads the
 * whole image (this stub, padding, and the flat kernel at its physical load
 * address) and jumps to _start; we build a struct hvm_start_info in C and
 * enter the kernel's PVH entry point in the state Linux's PVH ABI asks for.
 *
 * The per-kernel values (kernel_load_end, kernel_bss_end, pvh_entry) are
 * linker symbols given with --defsym at link time (see Makefile).
 */
#include "multiboot.h"

#define MB_FLAGS	(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE)

#define CS_SEL		0x08
#define DS_SEL		0x10
#define TSS_SEL		0x18

#define X86_CR0_PE	0x00000001

/*
 * Multiboot 3.1.1: the header must be 32-bit aligned and lie within the
 * first 8192 bytes of the image; the linker script puts it first.
 * 3.1.3: with flag 16 (the "a.out kludge") the loader takes the load
 * addresses from here instead of from an ELF header:
 *   file offset of the header <-> header_addr fixes the file-to-memory
 *   offset; [load_addr, load_end_addr) is read from the file and
 *   [load_end_addr, bss_end_addr) is zeroed. bss_end_addr covers the
 *   kernel's .bss/.brk, so GRUB also keeps its modules (the initrd) and
 *   the boot information out of that range.
 */
	.section .multiboot, "a"
	.balign 4
	.globl	mb_header
mb_header:
	.long	MB_HEADER_MAGIC
	.long	MB_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_FLAGS)	/* 3.1.2: the three sum to 0 */
	.long	mb_header			/* header_addr */
	.long	__image_start			/* load_addr */
	.long	kernel_load_end			/* load_end_addr */
	.long	kernel_bss_end			/* bss_end_addr */
	.long	_start				/* entry_addr */

	.text
	.code32
	.globl	_start
/*
 * Multiboot 3.2 machine state: EAX = 0x2BADB002, EBX = multiboot_info,
 * 32-bit protected mode with flat CS/DS/ES/SS, paging off, IF clear;
 * ESP and GDTR are undefined, so set up our own stack and GDT first.
 */
_start:
	cli
	cld
	movl	$stack_top, %esp
	pushl	$0
	popfl				/* PVH ABI: EFLAGS.VM, IF, TF clear */

	pushl	%ebx			/* struct multiboot_info * */
	pushl	%eax			/* bootloader magic */
	call	build_start_info	/* does not return on error */
	movl	%eax, %ebx		/* PVH ABI: EBX = hvm_start_info */

	/*
	 * PVH ABI (arch/x86/platform/pvh/head.S): CS a 32-bit execute/read
	 * segment, DS and ES 32-bit read/write, all base 0 limit 4 GiB.
	 */
	lgdt	gdt_desc
	ljmp	$CS_SEL, $1f
1:	movl	$DS_SEL, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* PVH ABI: TR an active 32-bit TSS with base 0 and limit 0x67. */
	movl	$TSS_SEL, %eax
	ltr	%ax

	/* PVH ABI: CR4 all clear; CR0 only PE of its writable bits. */
	xorl	%eax, %eax
	movl	%eax, %cr4
	movl	$X86_CR0_PE, %eax
	movl	%eax, %cr0

	/* PVH ABI: other registers unspecified; the kernel sets its stack. */
	movl	$pvh_entry, %eax
	jmp	*%eax

	.data					/* ltr marks the TSS descriptor busy */
	.balign	8
gdt:
	.quad	0				/* null */
	.quad	0x00cf9a000000ffff		/* CS: code, 32-bit, 4 GiB */
	.quad	0x00cf92000000ffff		/* DS: data, 32-bit, 4 GiB */
	.quad	0x0000890000000067		/* TSS: 32-bit available, base 0 */
gdt_end:

	.balign	4
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.balign	16
	.space	8192
stack_top:

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
