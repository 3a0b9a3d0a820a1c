/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hello: vmrun's demo guest, a multiboot v1 ELF kernel. Says hello through
 * the UART, then what it found: the CPU vendor (CPUID leaf 0), the memory
 * multiboot reported (mem_lower/mem_upper and the memory map), the command
 * line and the boot loader name; then writes 0x10 to isa-debug-exit, so
 * vmrun exits with status 33.
 */
#include "guest.h"

#define HELLO_EXIT_VALUE	0x10

	multiboot_header

	.text
	.code32
	.globl _start
_start:
	mov $stack_top, %esp
	mov %eax, %edi			/* the boot loader's magic */
	mov %ebx, %ebp			/* struct multiboot_info */
	cld

	/* The greeting goes out in one string instruction (rep outsb). */
	mov $greeting, %esi
	mov $greeting_len, %ecx
	mov $COM1, %dx
	rep outsb

	cmp $MB_BOOTLOADER_MAGIC, %edi
	jne bad_magic

	mov $s_vendor, %esi
	call puts
	xor %eax, %eax
	cpuid
	mov %ebx, vendor
	mov %edx, vendor + 4
	mov %ecx, vendor + 8
	mov $vendor, %esi
	call puts
	call newline

	testl $MBI_F_MEMORY, MBI_FLAGS(%ebp)
	jz 1f
	mov $s_memory, %esi
	call puts
	mov MBI_MEM_UPPER(%ebp), %eax
	add $1024, %eax			/* mem_upper counts from 1 MiB */
	shr $10, %eax
	call putdec
	mov $s_mem_lower, %esi
	call puts
	mov MBI_MEM_LOWER(%ebp), %eax
	call putdec
	mov $s_mem_upper, %esi
	call puts
	mov MBI_MEM_UPPER(%ebp), %eax
	call putdec
	mov $s_kib, %esi
	call puts
1:
	testl $MBI_F_MEM_MAP, MBI_FLAGS(%ebp)
	jz 3f
	/* Sum the available (type 1) entries; each is size + 4 bytes long. */
	mov MBI_MMAP_ADDR(%ebp), %esi
	mov %esi, %ecx
	add MBI_MMAP_LENGTH(%ebp), %ecx
	xor %ebx, %ebx			/* entries */
	xor %edi, %edi			/* available KiB */
2:	cmp %ecx, %esi
	jae 4f
	inc %ebx
	cmpl $1, 20(%esi)		/* type */
	jne 5f
	mov 12(%esi), %eax		/* length, low 32 bits */
	shr $10, %eax
	add %eax, %edi
5:	add (%esi), %esi
	add $4, %esi
	jmp 2b
4:	mov $s_mmap, %esi
	call puts
	mov %ebx, %eax
	call putdec
	mov $s_entries, %esi
	call puts
	mov %edi, %eax
	call putdec
	mov $s_available, %esi
	call puts
3:
	testl $MBI_F_CMDLINE, MBI_FLAGS(%ebp)
	jz 1f
	mov $s_cmdline, %esi
	call puts
	mov MBI_CMDLINE(%ebp), %esi
	call puts
	call newline
1:
	testl $MBI_F_BOOT_LOADER_NAME, MBI_FLAGS(%ebp)
	jz 1f
	mov $s_loader, %esi
	call puts
	mov MBI_BOOT_LOADER_NAME(%ebp), %esi
	call puts
	call newline
1:
	mov $s_bye, %esi
	call puts
	mov $HELLO_EXIT_VALUE, %al
	jmp exit

bad_magic:
	mov $s_bad_magic, %esi
	call puts
	mov %edi, %eax
	mov $8, %cl
	call puthex
	call newline
	mov $0x7f, %al
	jmp exit

#include "lib32.S"

	.section .rodata
greeting:
	.ascii "Hello from a guest of minivirt\n"
	.set greeting_len, . - greeting
s_vendor:	.asciz "CPU vendor: "
s_memory:	.asciz "memory: "
s_mem_lower:	.asciz " MiB (mem_lower "
s_mem_upper:	.asciz " KiB, mem_upper "
s_kib:		.asciz " KiB)\n"
s_mmap:		.asciz "memory map: "
s_entries:	.asciz " entries, "
s_available:	.asciz " KiB available\n"
s_cmdline:	.asciz "command line: "
s_loader:	.asciz "boot loader: "
s_bye:		.asciz "bye: writing 0x10 to isa-debug-exit\n"
s_bad_magic:	.asciz "not booted by a multiboot loader: EAX="

	.data
vendor:	.fill 13, 1, 0

	.bss
	.balign 16
	.fill 4096, 1, 0
stack_top:
