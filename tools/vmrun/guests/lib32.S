/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console helpers of the 32-bit guests, included by each (.include keeps
 * every guest one object): polled UART output, like any 8250 driver.
 * All preserve every register but those they document.
 */

/* putc: the byte in AL, once the transmitter holding register is empty. */
putc:
	push %edx
	push %eax
1:	mov $UART_LSR, %dx
	in %dx, %al
	test $LSR_THRE, %al
	jz 1b
	pop %eax
	mov $COM1, %dx
	out %al, %dx
	pop %edx
	ret

/* puts: the NUL-terminated string at ESI. */
puts:
	push %esi
	push %eax
1:	lodsb
	test %al, %al
	jz 2f
	call putc
	jmp 1b
2:	pop %eax
	pop %esi
	ret

newline:
	push %eax
	mov $'\n', %al
	call putc
	pop %eax
	ret

/* putdec: EAX as an unsigned decimal number. */
putdec:
	pusha
	mov $10, %ecx
	xor %ebx, %ebx		/* digits pushed */
1:	xor %edx, %edx
	div %ecx
	push %edx
	inc %ebx
	test %eax, %eax
	jnz 1b
2:	pop %eax
	add $'0', %al
	call putc
	dec %ebx
	jnz 2b
	popa
	ret

/* puthex: the low CL nibbles of EAX in hex (CL from 1 to 8). */
puthex:
	pusha
	movzx %cl, %ecx
	mov %ecx, %ebx
	shl $2, %ebx
	neg %ebx
	add $32, %ebx		/* bits above the printed ones */
	xchg %ebx, %ecx
	shl %cl, %eax
	mov %ebx, %ecx
1:	rol $4, %eax
	push %eax
	and $0xf, %al
	add $'0', %al
	cmp $'9', %al
	jbe 2f
	add $('a' - '0' - 10), %al
2:	call putc
	pop %eax
	loop 1b
	popa
	ret

/* exit: writes AL to isa-debug-exit; vmrun ends with (AL << 1) | 1. */
exit:
	out %al, $DEBUG_EXIT
	hlt			/* not reached under vmrun */
	jmp exit
