/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The benchmark guest: flat 32-bit protected mode, paging off, interrupts
 * off, no stack, no IDT (a fault would shut the vCPU down, which kvmbench
 * reports as an unexpected KVM_EXIT_SHUTDOWN). The host copies the whole blob
 * to GUEST_CODE_GPA and starts at one entry point with ESI (and EDI) set.
 * Every loop ends with an OUT of EAX to PORT_DONE, then halts for good.
 *
 * Flat protected mode rather than long mode: no guest page tables, so the
 * exit loops measure the exit path only and first_touch measures exactly one
 * nested-paging fault per page, with no guest page-walk traffic.
 */
#define PORT_BENCH	0x500
#define PORT_DONE	0x501

#define ENTRY(name)				\
	.global bench_guest_##name;		\
	bench_guest_##name:

#define DONE					\
	mov $PORT_DONE, %dx;			\
	out %eax, %dx;				\
	9: hlt;					\
	jmp 9b

	.pushsection .rodata.guest, "a"
	.balign 16
	.global bench_guest_start
bench_guest_start:
	.code32

/* ESI OUTs to PORT_BENCH of ESI, ESI-1, ..., 1: each a round trip to the host. */
ENTRY(out)
1:	mov %esi, %eax
	mov $PORT_BENCH, %dx
	out %eax, %dx
	dec %esi
	jnz 1b
	DONE

/* ESI x CPUID leaf 0, all handled in the kernel; reports leaf 0's EAX. */
ENTRY(cpuid)
1:	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	dec %esi
	jnz 1b
	DONE

/*
 * ESI x VMMCALL (AMD) or VMCALL (Intel) with hypercall number EDI, which no
 * one implements: the kernel answers -KVM_ENOSYS in EAX, which is reported.
 */
ENTRY(vmmcall)
1:	mov %edi, %eax
	vmmcall
	dec %esi
	jnz 1b
	DONE

ENTRY(vmcall)
1:	mov %edi, %eax
	vmcall
	dec %esi
	jnz 1b
	DONE

/* Writes one byte to each of ESI 4-KiB pages from EDI up; reports EDI's end. */
ENTRY(touch)
1:	movb $1, (%edi)
	add $4096, %edi
	dec %esi
	jnz 1b
	mov %edi, %eax
	DONE

	.global bench_guest_end
bench_guest_end:
	.popsection

	.section .note.GNU-stack, "", @progbits
