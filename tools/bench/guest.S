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
/* Keep in step with kvmbench.h. */
#define BENCH_VA	0x40000000
#define BENCH_DATA_GPA	0x20000

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

/*
 * Guest page-table work, 64-bit code on 4-level paging whatever the mode
 * (kvmbench.h, "Paging benchmarks"): BENCH_VA's PTE at EDI (root A's),
 * roots A and B in EDI and EDX for cr3_switch. ESI iterations; each writes
 * ESI to BENCH_VA, so that the host can tell which page each write reached.
 */
/* The PTE pointed at page ESI & 1, INVLPG, a write through it. */
entry pte_invlpg_64
	mov $BENCH_VA, %ebx
1:	mov %esi, %eax
	and $1, %eax
	shl $12, %eax
	add $(BENCH_DATA_GPA | 3), %eax
	mov %rax, (%rdi)
	invlpg (%rbx)
	mov %esi, (%rbx)
	dec %esi
	jnz 1b
	mov %esi, %eax
	done

/* The same with a reload of CR3 (same value) instead of INVLPG. */
entry pte_cr3_64
	mov $BENCH_VA, %ebx
1:	mov %esi, %eax
	and $1, %eax
	shl $12, %eax
	add $(BENCH_DATA_GPA | 3), %eax
	mov %rax, (%rdi)
	mov %cr3, %rcx
	mov %rcx, %cr3
	mov %esi, (%rbx)
	dec %esi
	jnz 1b
	mov %esi, %eax
	done

/* Root A, a write; root B, a write: BENCH_VA is another page in each. */
entry cr3_switch_64
	mov $BENCH_VA, %ebx
1:	mov %rdi, %cr3
	mov %esi, (%rbx)
	mov %rdx, %cr3
	mov %esi, (%rbx)
	dec %esi
	jnz 1b
	mov %esi, %eax
	done

	.global bench_guest_end
bench_guest_end:
	.popsection

	.section .note.GNU-stack, "", @progbits
