/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the kvmclock suite. Input at GUEST_DATA_GPA (D), results in the
 * report page (R). The pvclock structure the host names lives at PV.
 */
#include "guest.h"

#define D		GUEST_DATA_GPA
#define R		GUEST_REPORT_GPA
#define PV		(GUEST_DATA_GPA + 0x100)
#define SLACK_NS	1000000000	/* 1 s: see pvclock_loop */

/* A few exits (CPUID) before halting: entries after the first. */
GUEST_BEGIN(exits_then_hlt)
	.code64
	mov $4, %r8d
1:	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	dec %r8d
	jnz 1b
	hlt
GUEST_END(exits_then_hlt)

/*
 * kvmclock as a Linux guest reads it (Documentation/virt/kvm/x86/msr.rst,
 * "MSR_KVM_SYSTEM_TIME_NEW"): enables the structure at PV through the MSR
 * whose index is the u32 at D, then reads the clock u32 [D + 4] times,
 * reporting (GUEST_PORT_REPORT, the reads left) between reads so that the
 * host may move it to another CPU. Each read: version even (one vCPU: the host
 * writes only while it is out), TSC at or after tsc_timestamp, time =
 * system_time + ((TSC - tsc_timestamp) << shift) * mul >> 32. Within one
 * version the time never goes back. Across versions (a new host CPU, a
 * host clock step) KVM without a master clock promises nothing (a Linux
 * guest keeps a last value for that reason): the largest step back is
 * stored at R + 24, and only one of SLACK_NS or more (garbage) fails.
 * Stores the first and last times at R and R + 8, the versions seen at
 * R + 16.
 * Failures: 1 odd version, 2 TSC before tsc_timestamp, 3 time went back
 * within a version, 4 time went back across versions.
 */
GUEST_BEGIN(pvclock_loop)
	.code64
	mov D, %ecx
	mov $PV + 1, %eax
	xor %edx, %edx
	wrmsr
	mov D + 4, %r14d
	call 10f
	mov %rax, R
	mov %rax, %r12			/* previous time */
	mov %r11, %r13			/* previous version */
	movq $1, R + 16
	movq $0, R + 24
1:	mov %r14d, %eax
	GUEST_REPORT_EAX
	call 10f
	cmp %r11, %r13
	jne 2f
	cmp %r12, %rax
	jae 3f
	GUEST_FAIL(3)
2:	incq R + 16
	cmp %r12, %rax
	jae 3f
	mov %r12, %rbx			/* back by RBX ns */
	sub %rax, %rbx
	cmp R + 24, %rbx
	jbe 15f
	mov %rbx, R + 24
15:	cmp $SLACK_NS, %rbx
	jbe 3f
	GUEST_FAIL(4)
3:	mov %rax, %r12
	mov %r11, %r13
	dec %r14d
	jnz 1b
	mov %r12, R + 8
	hlt

	/* One read: time in RAX, version in R11. */
10:	mov PV, %r11d
	test $1, %r11d
	jz 11f
	GUEST_FAIL(1)
11:	lfence
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov PV + 8, %r9			/* tsc_timestamp */
	mov PV + 16, %r10		/* system_time */
	mov PV + 24, %esi		/* tsc_to_system_mul */
	movsbl PV + 28, %ecx		/* tsc_shift */
	lfence
	cmp PV, %r11d
	jne 10b				/* changed under us: read again */
	sub %r9, %rax
	jae 12f
	GUEST_FAIL(2)
12:	test %ecx, %ecx
	js 13f
	shl %cl, %rax
	jmp 14f
13:	neg %ecx
	shr %cl, %rax
14:	mul %rsi
	shrd $32, %rdx, %rax
	add %r10, %rax
	ret
GUEST_END(pvclock_loop)

/* A triple fault (run without an IDT). */
GUEST_BEGIN(triple_fault)
	.code64
	ud2
GUEST_END(triple_fault)

	.section .note.GNU-stack, "", @progbits
