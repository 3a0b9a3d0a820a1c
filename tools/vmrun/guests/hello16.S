/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hello16: vmrun's flat-binary demo. Entered in real mode at 0x1000:0000
 * with every segment register 0x1000 and SP 0x8000; says hello through the
 * UART, shows the CS and SS:SP it started with and a sum it computed, then
 * executes HLT (vmrun exits 0).
 */
#include "guest.h"

	.text
	.code16
	.globl _start
_start:
	mov %sp, %bp			/* as vmrun left them */
	mov %cs, %bx
	cld
	mov $greeting, %si
	mov $greeting_len, %cx
	mov $COM1, %dx
	rep outsb

	mov $s_cs, %si
	call puts
	mov %bx, %ax
	call puthex16
	mov $s_sssp, %si
	call puts
	mov %ss, %ax
	call puthex16
	mov $':', %al
	call putc
	mov %bp, %ax
	call puthex16

	mov $s_sum, %si			/* 1 + 2 + ... + 100, in a loop */
	call puts
	xor %ax, %ax
	mov $100, %cx
1:	add %cx, %ax
	loop 1b
	call puthex16
	mov $'\n', %al
	call putc
	hlt
	jmp .

/* putc: AL, once THR is empty. */
putc:
	push %dx
	push %ax
1:	mov $UART_LSR, %dx
	in %dx, %al
	test $LSR_THRE, %al
	jz 1b
	pop %ax
	mov $COM1, %dx
	out %al, %dx
	pop %dx
	ret

/* puts: the NUL-terminated string at DS:SI. */
puts:
	push %ax
1:	lodsb
	test %al, %al
	jz 2f
	call putc
	jmp 1b
2:	pop %ax
	ret

/* puthex16: AX as 4 hex digits. */
puthex16:
	push %ax
	push %cx
	push %dx
	mov %ax, %dx
	mov $4, %cx
1:	rol $4, %dx
	mov %dl, %al
	and $0xf, %al
	add $'0', %al
	cmp $'9', %al
	jbe 2f
	add $('a' - '0' - 10), %al
2:	call putc
	loop 1b
	pop %dx
	pop %cx
	pop %ax
	ret

greeting:
	.ascii "Hello from a real-mode guest of minivirt\n"
	.set greeting_len, . - greeting
s_cs:	.asciz "CS="
s_sssp:	.asciz " SS:SP="
s_sum:	.asciz " sum(1..100)=0x"
