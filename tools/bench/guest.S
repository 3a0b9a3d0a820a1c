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
#define IRQ_SHARED_GPA	0x33000
#define SH(off)		IRQ_SHARED_GPA+off
#define SH_READY	0x00
#define SH_FLAG		0x04
#define SH_COUNT	0x08
#define SH_COUNT_B	0x0c
#define SH_T0		0x10
#define SH_SUM		0x18
#define SH_MIN		0x20
#define SH_SEQ		0x24
#define SH_ECHO		0x28
#define SH_DUP		0x2c
#define SH_HLTFIX	0x30
#define VEC_PING	0x40
#define VEC_PONG	0x41
#define VEC_STOP	0x42
#define VEC_TIMER	0x43
#define VEC_IRQFD	0x44
#define VEC_SPURIOUS	0xff

/*
 * The x2APIC (SDM vol 3A 10.12, Extended XAPIC (x2APIC); chapter 10's numbers
 * as kmod/irq cites them, chapter 11 since 325462-080US): its registers are
 * MSRs 0x800 + (xAPIC offset >> 4) (table 10-6), so the interrupt guests
 * need no MMIO mapping in either mode, and each access is an MSR exit on
 * both hypervisors (no AVIC here), cheaper than decoding an MMIO access.
 */
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	(1 << 10)	/* x2APIC mode (10.12.1) */
#define APIC_BASE_EN	(1 << 11)	/* APIC global enable (10.4.3) */
#define X2APIC_EOI	0x80b
#define X2APIC_SVR	0x80f
#define X2APIC_ICR	0x830
#define X2APIC_LVTT	0x832
#define X2APIC_TMICT	0x838
#define X2APIC_TDCR	0x83e
#define SVR_ENABLE	(1 << 8)	/* APIC software enable (10.9) */
#define ICR_ASSERT	(1 << 14)	/* level: assert (10.6.1) */
#define TDCR_DIV1	0xb		/* divide by 1 (10.5.4, figure 10-10) */

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

/*
 * x2APIC mode: from the xAPIC mode that reset leaves (EN set), set EXTD too
 * (10.12.5, the EN=1 EXTD=0 -> EN=1 EXTD=1 transition); then SVR's software
 * enable with the spurious vector (10.9): until then the LAPIC drops every
 * fixed interrupt sent to it.
 */
.macro	x2apic_on
	mov $MSR_APIC_BASE, %ecx
	rdmsr
	or $(APIC_BASE_EN | APIC_BASE_EXTD), %eax
	wrmsr
	apic_write X2APIC_SVR, (SVR_ENABLE | VEC_SPURIOUS)
.endm

/* WRMSR of hi:lo to x2APIC register msr. */
.macro	apic_write msr, lo, hi=0
	mov $\msr, %ecx
	mov $\lo, %eax
	mov $\hi, %edx
	wrmsr
.endm

/*
 * EOI (10.8.5): in x2APIC mode a write of 0 to the EOI MSR; any other value
 * is a #GP (10.12.1.2).
 */
.macro	eoi
	apic_write X2APIC_EOI, 0
.endm

/*
 * Sleeps until the u32 at addr is non-zero: tested with IF clear, then
 * STI; HLT: STI holds interrupts off until the instruction after it has
 * run (SDM vol 2B, STI), so an interrupt that arrives after the test wakes
 * the HLT instead of being taken before it and sleeping through.
 */
.macro	wait_nonzero addr
.Lwait\@:
	cmpl $0, \addr
	jne .Lwoken\@
	sti
	hlt
	cli
	jmp .Lwait\@
.Lwoken\@:
.endm

/* The same, until the u32 at addr equals reg. */
.macro	wait_equal addr, reg
.Lwait\@:
	cmp \addr, \reg
	je .Lwoken\@
	sti
	hlt
	cli
	jmp .Lwait\@
.Lwoken\@:
.endm

/* The handlers' entry and exit: ax, cx, dx saved. */
.macro	isr_enter ax, cx, dx
	push \ax
	push \cx
	push \dx
.endm

/*
 * An interrupt can only arrive at an STI; HLT of ours once the HLT has
 * begun, so that it returns past the HLT: STI's shadow holds interrupts off
 * for one instruction (SDM vol 2B, STI). One taken inside the shadow would
 * return to the HLT and sleep through the wake-up it brought; seen as hangs
 * in the QEMU TCG host on both hypervisors. Counted in SH_HLTFIX, and the
 * return goes past the HLT. sp, w: the stack pointer and the word size.
 */
.macro	isr_leave ax, cx, dx, iret, sp, w
	mov 3*\w(\sp), \ax
	cmpb $0xf4, (\ax)
	jne .Lpast_hlt\@
	inc \ax
	mov \ax, 3*\w(\sp)
	incl SH(SH_HLTFIX)
.Lpast_hlt\@:
	pop \dx
	pop \cx
	pop \ax
	\iret
.endm

/*
 * The interrupt benchmarks' guests (irq.c), x2APIC on, IF clear except in
 * wait_nonzero's and wait_equal's STI; HLT. ax, cx, dx name the registers
 * that handlers save in the mode, iret the mode's IRET.
 *
 * The QEMU TCG host sometimes delivers an interrupt that a hypervisor
 * injected (EVENTINJ) a second time, inside its handler, when an exit
 * request reaches it before the next #VMEXIT (issue 10, kmod/run.c;
 * selftest interrupts.interrupt_delivered_once_long_handler): minivirt exits
 * right after each injection, which closes that window; kvm_amd with an
 * in-kernel LAPIC does not. So each protocol here stands a handler's second
 * run (sequence numbers echoed; one timer sample per arming), and the
 * handlers count their runs, which the host checks and reports.
 */
.macro	irq_body sfx, ax, cx, dx, iret, sp, w
/*
 * ipi_roundtrip, vCPU 0, started once vCPU 1's LAPIC is on (SH_READY; the
 * host waits for it: a spin here would hold the emulated host's one TCG
 * thread away from vCPU 1): reports to the host (its clock starts), then
 * for ESI = N..1: ESI into SH_SEQ, a fixed IPI VEC_PING to x2APIC ID 1
 * (physical destination, edge, assert: ICR, 10.6.1; in x2APIC mode one
 * WRMSR, the destination in EDX, 10.12.9), and a sleep until vCPU 1 has
 * echoed ESI into SH_ECHO (its IPI back wakes the HLT). Then VEC_STOP to
 * vCPU 1, and reports isr_pong's runs.
 */
entry ipi0\sfx
	x2apic_on
	mov %esi, %eax
	mov $PORT_BENCH, %dx
	out %eax, %dx
1:	mov %esi, SH(SH_SEQ)
	apic_write X2APIC_ICR, (ICR_ASSERT | VEC_PING), 1
	wait_equal SH(SH_ECHO), %esi
	dec %esi
	jnz 1b
	apic_write X2APIC_ICR, (ICR_ASSERT | VEC_STOP), 1
	mov SH(SH_COUNT), %eax
	done

/* ipi_roundtrip, vCPU 1: LAPIC on, ready, then sleeps in its handlers. */
entry ipi1\sfx
	x2apic_on
	movl $1, SH(SH_READY)
1:	sti
	hlt
	cli
	jmp 1b

/* vCPU 1: echoes SH_SEQ, EOIs, sends the IPI back: VEC_PONG to ID 0. */
entry isr_ping\sfx
	isr_enter \ax, \cx, \dx
	incl SH(SH_COUNT_B)
	mov SH(SH_SEQ), %eax
	mov %eax, SH(SH_ECHO)
	eoi
	apic_write X2APIC_ICR, (ICR_ASSERT | VEC_PONG), 0
	isr_leave \ax, \cx, \dx, \iret, \sp, \w

/* vCPU 0: the wake-up is the message; counts and EOIs. */
entry isr_pong\sfx
	isr_enter \ax, \cx, \dx
	incl SH(SH_COUNT)
	eoi
	isr_leave \ax, \cx, \dx, \iret, \sp, \w

/* vCPU 1: reports its handler's runs and stops (IF stays clear). */
entry isr_stop\sfx
	eoi
	mov SH(SH_COUNT_B), %eax
	done

/*
 * lapic_timer_irq: the timer divides by 1 (TDCR) and counts one-shot (LVT
 * timer mode 00, 10.5.4) into VEC_TIMER; ESI times: SH_FLAG cleared, the
 * TSC's low half into SH_T0, then TMICT = EDI starts the count-down, and a
 * sleep until isr_timer has taken its sample. Reports the samples.
 */
entry timer\sfx
	x2apic_on
	apic_write X2APIC_TDCR, TDCR_DIV1
	apic_write X2APIC_LVTT, VEC_TIMER
1:	movl $0, SH(SH_FLAG)
	rdtsc
	mov %eax, SH(SH_T0)
	mov $X2APIC_TMICT, %ecx
	mov %edi, %eax
	xor %edx, %edx
	wrmsr
	wait_nonzero SH(SH_FLAG)
	dec %esi
	jnz 1b
	mov SH(SH_COUNT), %eax
	done

/*
 * The TSC first; then, if this arming has no sample yet (SH_FLAG clear),
 * its delta from SH_T0 (32 bits hold any delta under a second) is summed
 * into SH_SUM (64 bits), the smallest kept in SH_MIN; a second run for the
 * same arming only counts in SH_DUP.
 */
entry isr_timer\sfx
	isr_enter \ax, \cx, \dx
	rdtsc
	cmpl $0, SH(SH_FLAG)
	jne 2f
	movl $1, SH(SH_FLAG)
	sub SH(SH_T0), %eax
	add %eax, SH(SH_SUM)
	adcl $0, SH(SH_SUM)+4
	cmp SH(SH_MIN), %eax
	jae 1f
	mov %eax, SH(SH_MIN)
1:	incl SH(SH_COUNT)
	jmp 3f
2:	incl SH(SH_DUP)
3:	eoi
	isr_leave \ax, \cx, \dx, \iret, \sp, \w

/*
 * irqfd_to_handler: LAPIC on, ready, then sleeps until its handler has
 * echoed ESI (the host's last sequence number); reports the handler's runs.
 */
entry irqfd\sfx
	x2apic_on
	movl $1, SH(SH_READY)
	wait_equal SH(SH_ECHO), %esi
	mov SH(SH_COUNT), %eax
	done

/* Echoes the host's SH_SEQ first: it is what the host polls. */
entry isr_irqfd\sfx
	isr_enter \ax, \cx, \dx
	mov SH(SH_SEQ), %eax
	mov %eax, SH(SH_ECHO)
	incl SH(SH_COUNT)
	eoi
	isr_leave \ax, \cx, \dx, \iret, \sp, \w

/* A spurious interrupt takes no EOI (10.9). */
entry isr_spurious\sfx
	\iret
.endm

	.pushsection .rodata.guest, "a"
	.balign 16
	.global bench_guest_start
bench_guest_start:
	.code32
	body _32, %edi
	irq_body _32, %eax, %ecx, %edx, iretl, %esp, 4
	.code64
	body _64, %rdi
	irq_body _64, %rax, %rcx, %rdx, iretq, %rsp, 8

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
