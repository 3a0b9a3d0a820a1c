/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The benchmark guests, assembled twice from one body: for flat 32-bit
 * protected mode (paging off) and for 64-bit long mode (identity-mapped with
 * 2-MiB pages by vm.c). Interrupts off, no stack, no IDT: a fault shuts the
 * vCPU down, which kvmbench reports as an unexpected KVM_EXIT_SHUTDOWN.
 * The host copies the whole blob to GUEST_CODE_GPA and starts at one entry
 * point with ESI (and EDI) set. Every loop ends with an OUT of EAX to
 * PORT_DONE, then halts for good.
 *
 * flat32 is the default: no guest page tables, so the exit loops measure the
 * exit path only and first_touch exactly one nested-paging fault per page.
 */
#define PORT_BENCH	0x500
#define PORT_DONE	0x501

.macro	entry name
	.global bench_guest_\name
bench_guest_\name:
.endm

.macro	done
	mov $PORT_DONE, %dx
	out %eax, %dx
9:	hlt
	jmp 9b
.endm

/* sfx names the mode; ptr is EDI as an address in that mode. */
.macro	body sfx, ptr
/* ESI OUTs to PORT_BENCH of ESI, ESI-1, ..., 1: each a round trip to the host. */
entry out\sfx
1:	mov %esi, %eax
	mov $PORT_BENCH, %dx
	out %eax, %dx
	dec %esi
	jnz 1b
	done

/* ESI x CPUID leaf 0, all handled in the kernel; reports leaf 0's EAX. */
entry cpuid\sfx
1:	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	dec %esi
	jnz 1b
	done

/*
 * ESI x VMMCALL (AMD) or VMCALL (Intel) with hypercall number EDI, which no
 * one implements: the kernel answers -KVM_ENOSYS in EAX, which is reported.
 */
entry vmmcall\sfx
1:	mov %edi, %eax
	vmmcall
	dec %esi
	jnz 1b
	done

entry vmcall\sfx
1:	mov %edi, %eax
	vmcall
	dec %esi
	jnz 1b
	done

/* Writes one byte to each of ESI 4-KiB pages from EDI up; reports EDI's end. */
entry touch\sfx
1:	movb $1, (\ptr)
	add $4096, %edi
	dec %esi
	jnz 1b
	mov %edi, %eax
	done
.endm

	.pushsection .rodata.guest, "a"
	.balign 16
	.global bench_guest_start
bench_guest_start:
	.code32
	body _32, %edi
	.code64
	body _64, %rdi
	.global bench_guest_end
bench_guest_end:
	.popsection

	.section .note.GNU-stack, "", @progbits
