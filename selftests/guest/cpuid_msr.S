/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the cpuid_msr suite. Their input is a list the test writes at
 * GUEST_DATA_GPA; their output goes to the report page (R).
 */
#include "guest.h"

#define R		GUEST_REPORT_GPA
#define MSR_UNKNOWN	0x0badc0de

/*
 * CPUID for each (leaf, subleaf) pair of the list: u32 count at
 * GUEST_DATA_GPA, pairs of u32 from GUEST_DATA_GPA + 8. Stores EAX, EBX, ECX,
 * EDX (u32 each) at R + 16 * i.
 */
GUEST_BEGIN(cpuid_list)
	.code64
	mov GUEST_DATA_GPA, %r8d
	mov $GUEST_DATA_GPA + 8, %rsi
	mov $R, %rdi
1:	test %r8d, %r8d
	jz 2f
	mov (%rsi), %eax
	mov 4(%rsi), %ecx
	cpuid
	mov %eax, (%rdi)
	mov %ebx, 4(%rdi)
	mov %ecx, 8(%rdi)
	mov %edx, 12(%rdi)
	add $8, %rsi
	add $16, %rdi
	dec %r8d
	jmp 1b
2:	hlt
GUEST_END(cpuid_list)

/*
 * RDMSR and WRMSR of an MSR nobody implements: each must raise #GP, which the
 * IDT stubs record; the guest copies each record (vector, error code, RIP)
 * to R + 0 and R + 24 and halts.
 */
GUEST_BEGIN(msr_unknown)
	.code64
	movq $ABS(msr_unknown, 1f), EXC_FIXUP
	mov $MSR_UNKNOWN, %ecx
GUEST_LABEL(msr_unknown, rdmsr)
	rdmsr
	GUEST_FAIL(1)
1:	mov EXC_VECTOR, %rax
	mov %rax, R
	mov EXC_ERROR, %rax
	mov %rax, R + 8
	mov EXC_RIP, %rax
	mov %rax, R + 16
	movq $ABS(msr_unknown, 2f), EXC_FIXUP
	mov $MSR_UNKNOWN, %ecx
	xor %eax, %eax
	xor %edx, %edx
GUEST_LABEL(msr_unknown, wrmsr)
	wrmsr
	GUEST_FAIL(2)
2:	mov EXC_VECTOR, %rax
	mov %rax, R + 24
	mov EXC_ERROR, %rax
	mov %rax, R + 32
	mov EXC_RIP, %rax
	mov %rax, R + 40
	hlt
GUEST_END(msr_unknown)

/*
 * For CPUID faulting, run at whatever CPL the host's KVM_SET_SREGS gave
 * (IOPL 3 for the OUT): CPUID leaf 0, its EAX out on port 0x10; then
 * RDMSR MSR_PLATFORM_INFO (0xce), its EAX out on port 0x11. A fault, with
 * no IDT, shuts the guest down.
 */
GUEST_BEGIN(cpuid_at_cpl)
	.code32
	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	out %eax, $0x10
	mov $0xce, %ecx
	rdmsr
	out %eax, $0x11
	hlt
GUEST_END(cpuid_at_cpl)

	.section .note.GNU-stack, "", @progbits
