/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests: a multiboot v1 guest that does what the first word of its command
 * line says, so that testhost-check.sh can drive every way a run ends:
 *   hlt       prints "tests: hlt", executes HLT           -> status 0
 *   shutdown  UD2 with no IDT: triple fault               -> status 2
 *   mmio      writes 0x12345678 to GPA 0xd0000000 (no RAM) -> status 4
 *   loop      spins forever (for --timeout)                -> status 6
 *   echo      echoes UART input up to a newline, writes 0 to isa-debug-exit
 *                                                          -> status 1
 *   ports     reads unclaimed ports and UART registers, prints the values,
 *             ends with a 4-byte debug-exit write of 3     -> status 7
 *   exitw     a 2-byte debug-exit write of 0x0102          -> status 5
 * Anything else prints "tests: unknown command" and writes 0x7e (status 253).
 */
#include "guest.h"

	multiboot_header

	.text
	.code32
	.globl _start
_start:
	mov $stack_top, %esp
	cld
	xor %esi, %esi
	cmp $MB_BOOTLOADER_MAGIC, %eax
	jne 1f
	testl $MBI_F_CMDLINE, MBI_FLAGS(%ebx)
	jz 1f
	mov MBI_CMDLINE(%ebx), %esi
1:	mov %esi, cmdline
	mov $commands, %ebx
2:	mov (%ebx), %edi		/* name */
	test %edi, %edi
	jz unknown
	mov cmdline, %esi
	test %esi, %esi
	jz unknown
	call word_is
	je 3f
	add $8, %ebx
	jmp 2b
3:	jmp *4(%ebx)

/* ZF set if the word at ESI (ended by NUL or space) is the string at EDI. */
word_is:
	push %esi
	push %edi
	push %eax
1:	mov (%esi), %al
	cmp $' ', %al
	jne 2f
	xor %al, %al
2:	cmp (%edi), %al
	jne 3f
	test %al, %al
	jz 3f				/* both ended: equal, ZF set */
	inc %esi
	inc %edi
	jmp 1b
3:	pop %eax
	pop %edi
	pop %esi
	ret

unknown:
	mov $s_unknown, %esi
	call puts
	mov $0x7e, %al
	jmp exit

cmd_hlt:
	mov $s_hlt, %esi
	call puts
	hlt
	jmp cmd_hlt

cmd_shutdown:
	mov $s_shutdown, %esi
	call puts
	lidt null_idt
	ud2

cmd_mmio:
	mov $s_mmio, %esi
	call puts
	movl $0x12345678, 0xd0000000
	mov $0x7d, %al			/* vmrun must not resume us */
	jmp exit

cmd_loop:
	mov $s_loop, %esi
	call puts
1:	pause
	jmp 1b

cmd_echo:
	mov $s_echo, %esi
	call puts
1:	mov $UART_LSR, %dx
	in %dx, %al
	test $LSR_DR, %al
	jz 1b
	mov $UART_RBR, %dx
	in %dx, %al
	cmp $'\n', %al
	je 2f
	call putc
	jmp 1b
2:	call newline
	xor %al, %al
	jmp exit

cmd_ports:
	mov $s_unclaimed, %esi
	call puts
	in $0x80, %al			/* unclaimed: all ones, at each width */
	mov $2, %cl
	call puthex
	call space
	in $0x80, %ax
	mov $4, %cl
	call puthex
	call space
	in $0x84, %eax
	mov $8, %cl
	call puthex
	call newline
	out %al, $0x80			/* ignored, counted */

	mov $s_scratch, %esi		/* scratch register round trip */
	call puts
	mov $0x5a, %al
	mov $UART_SCR, %dx
	out %al, %dx
	xor %eax, %eax
	in %dx, %al
	mov $2, %cl
	call puthex

	mov $s_insb, %esi		/* a string read: rep insb, 4 times SCR */
	call puts
	mov $UART_SCR, %dx
	mov $buf, %edi
	mov $4, %ecx
	rep insb
	mov buf, %eax
	mov $8, %cl
	call puthex

	mov $UART_LCR, %dx		/* DLAB: the divisor latches */
	mov $0x83, %al			/* DLAB, 8 bits */
	out %al, %dx
	mov $UART_DLL, %dx
	mov $0x01, %al			/* 115200 baud */
	out %al, %dx
	mov $UART_DLM, %dx
	xor %al, %al
	out %al, %dx
	xor %ebx, %ebx
	mov $UART_DLM, %dx
	in %dx, %al
	mov %al, %bh
	mov $UART_DLL, %dx
	in %dx, %al
	mov %al, %bl
	mov $UART_LCR, %dx
	mov $0x03, %al			/* DLAB off before printing again */
	out %al, %dx
	mov $s_divisor, %esi
	call puts
	mov %ebx, %eax
	mov $4, %cl
	call puthex
	mov $s_lcr, %esi
	call puts
	in %dx, %al
	mov $2, %cl
	call puthex

	/* IIR: nothing pending; THRE pending once THRI is enabled; read again
	 * at once: acknowledged. (Printing in between would send a byte and
	 * make THR empty, so pending, again.) */
	mov $UART_FCR, %dx
	mov $0x07, %al			/* FIFOs on and cleared */
	out %al, %dx
	mov $UART_IIR, %dx
	in %dx, %al
	mov %al, %bl
	mov $UART_IER, %dx
	mov $0x02, %al			/* THRI */
	out %al, %dx
	mov $UART_IIR, %dx
	in %dx, %al
	mov %al, %bh
	in %dx, %al
	movzx %al, %edi
	mov $UART_IER, %dx
	xor %al, %al
	out %al, %dx
	mov $s_iir, %esi
	call puts
	mov %bl, %al
	mov $2, %cl
	call puthex
	call space
	mov %bh, %al
	call puthex
	call space
	mov %edi, %eax
	call puthex

	mov $s_lsr, %esi
	call puts
	mov $UART_LSR, %dx
	in %dx, %al
	call puthex
	call newline

	mov $s_bye_ports, %esi
	call puts
	mov $3, %eax
	out %eax, $DEBUG_EXIT		/* a 4-byte write */
	hlt

cmd_exitw:
	mov $s_exitw, %esi
	call puts
	mov $0x0102, %ax
	out %ax, $DEBUG_EXIT		/* a 2-byte write */
	hlt

space:
	push %eax
	mov $' ', %al
	call putc
	pop %eax
	ret

#include "lib32.S"

	.section .rodata
	.balign 4
commands:
	.long n_hlt, cmd_hlt
	.long n_shutdown, cmd_shutdown
	.long n_mmio, cmd_mmio
	.long n_loop, cmd_loop
	.long n_echo, cmd_echo
	.long n_ports, cmd_ports
	.long n_exitw, cmd_exitw
	.long 0, 0
null_idt:
	.word 0
	.long 0
n_hlt:		.asciz "hlt"
n_shutdown:	.asciz "shutdown"
n_mmio:		.asciz "mmio"
n_loop:		.asciz "loop"
n_echo:		.asciz "echo"
n_ports:	.asciz "ports"
n_exitw:	.asciz "exitw"
s_unknown:	.asciz "tests: unknown command\n"
s_hlt:		.asciz "tests: hlt\n"
s_shutdown:	.asciz "tests: shutdown\n"
s_mmio:		.asciz "tests: mmio\n"
s_loop:		.asciz "tests: loop\n"
s_echo:		.asciz "tests: echo: "
s_unclaimed:	.asciz "tests: unclaimed ports read "
s_scratch:	.asciz "tests: uart scratch "
s_insb:		.asciz " insb "
s_divisor:	.asciz " divisor "
s_lcr:		.asciz " lcr "
s_iir:		.asciz " iir "
s_lsr:		.asciz " lsr "
s_bye_ports:	.asciz "tests: ports done\n"
s_exitw:	.asciz "tests: exitw\n"

	.data
cmdline:	.long 0
buf:		.long 0

	.bss
	.balign 16
	.fill 4096, 1, 0
stack_top:
