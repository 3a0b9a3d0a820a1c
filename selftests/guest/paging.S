/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the paging suite: one body, assembled as paging32 (32-bit code:
 * 2-level and PAE paging) and paging64 (64-bit code: 4-level paging). The
 * host builds the page tables and the parameter block (guest/paging.h) and
 * starts the guest with ESI = the test (PG_T_*). The guest turns its paging
 * on, runs the test, and halts at paging32_done/paging64_done.
 *
 * Every test checks itself: chk stores what it observed in report slot n
 * (PG_R(n)) and in PG_P_OBS/PG_P_EXP, and on a mismatch reports check n on
 * GUEST_PORT_FAIL. pf expects a #PF from one instruction and checks the
 * vector, the error code (SDM vol 3A 4.7, APM vol 2 8.4.2) and CR2, which
 * the guest's own #PF handler (pfh, installed by the host in front of the
 * library's stub) records.
 *
 * Page-table entries are written with 32-bit stores in 32-bit code (a PAE
 * entry's high half stays as the host left it) and 64-bit stores in 64-bit
 * code; every table lies in the identity-mapped first 2 MiB.
 */
#include "guest.h"
#include "paging.h"

#define E_P		0x001
#define E_W		0x002
#define E_U		0x004
#define E_A		0x020
#define E_D		0x040
#define E_PS		0x080
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000
#define EFER_NX		0x800
#define MSR_EFER	0xc0000080
#define D(i)		(PG_DATA + (i) * 0x1000)
#define PF_VECTOR	14

.macro	body m, w

/* Check n: register reg holds the immediate exp. */
.macro	chk n, reg, exp
	mov \reg, PG_R(\n)
	mov \reg, PG_P_OBS
	movl $(\exp), PG_P_EXP
	cmpl $(\exp), \reg
	je 9997f
	GUEST_FAIL(\n)
9997:	incl PG_P_NCHK
.endm

/* Check n: register reg equals register exp (not EAX). */
.macro	chkr n, reg, exp
	mov \reg, PG_R(\n)
	mov \reg, PG_P_OBS
	mov \exp, PG_P_EXP
	cmp \exp, \reg
	je 9997f
	GUEST_FAIL(\n)
9997:	incl PG_P_NCHK
.endm

/*
 * Checks n, n+1, n+2 (and n+3 for a fetch): insn takes a #PF with error
 * code err (| the I/D bit for a fetch, where the mode has one) and CR2 =
 * register va; a fetch fault also returns to va. With rsvd, a reserved-bit
 * fault, the error code may also differ from err by exactly the bits in
 * PG_P_RSVALT (0 but in nested mode: paging.c). Clobbers EAX, EDX.
 */
.macro	pf_any rsvd, n, err, fetch, va, insn:vararg
	movl $0xffffffff, EXC_VECTOR
	movl $(GUEST_CODE_GPA + 9996f - paging\m\()_start), EXC_FIXUP
	\insn
	GUEST_FAIL(\n)
9996:	mov EXC_VECTOR, %eax
	chk \n, %eax, PF_VECTOR
	mov $(\err), %edx
	.if \fetch
	or PG_P_IDBIT, %edx
	.endif
	.if \rsvd
	mov EXC_ERROR, %eax
	xor %edx, %eax
	jz 9994f
	cmp PG_P_RSVALT, %eax
	jne 9994f
	xor %eax, %edx			/* the one accepted difference */
9994:
	.endif
	mov EXC_ERROR, %eax
	chkr (\n + 1), %eax, %edx
	mov PG_P_CR2, %eax
	chkr (\n + 2), %eax, \va
	.if \fetch
	mov EXC_RIP, %eax
	chkr (\n + 3), %eax, \va
	.endif
.endm

.macro	pf n, err, fetch, va, insn:vararg
	pf_any 0, \n, \err, \fetch, \va, \insn
.endm

.macro	pfr n, err, fetch, va, insn:vararg
	pf_any 1, \n, \err, \fetch, \va, \insn
.endm

/* Register reg = the address of entry idx of PG_TVA's table in space as. */
.macro	pte reg, as, idx
	mov PG_P_PTESZ, %eax
	imul $(\idx), %eax, %eax
	add PG_P_PT + 8 * (\as), %eax
	mov %eax, \reg
.endm

/* The entry at EDI = EAX (zero-extended in 64-bit code). */
.macro	wpte
	mov %\w\()ax, (%\w\()di)
.endm

/* Reads the entry at EDI into EAX, keeping the bits in mask. */
.macro	rpte mask
	mov (%\w\()di), %eax
	and $(\mask), %eax
.endm

.macro	set_cr3 as
	mov PG_P_CR3 + 8 * (\as), %eax
	mov %\w\()ax, %cr3
.endm

/* CR0.WP on (1) or off (0). */
.macro	wp on
	mov %cr0, %\w\()ax
	.if \on
	or $CR0_WP, %eax
	.else
	and $~CR0_WP, %eax
	.endif
	mov %\w\()ax, %cr0
.endm

/* To ring 3 (IOPL 3, for the port protocol) and back through PG_KERNEL_VEC. */
.macro	to_user
	.if \m == 32
	push $(SEL_UDATA | 3)
	push $PG_USER_STACK
	pushf
	orl $0x3000, (%esp)
	push $(SEL_UCODE32 | 3)
	push $(GUEST_CODE_GPA + 9995f - paging\m\()_start)
	iret
9995:	mov $(SEL_UDATA | 3), %eax
	mov %ax, %ds
	mov %ax, %es
	.else
	pushq $(SEL_UDATA | 3)
	pushq $PG_USER_STACK
	pushfq
	orl $0x3000, (%rsp)
	pushq $(SEL_UCODE64 | 3)
	pushq $(GUEST_CODE_GPA + 9995f - paging\m\()_start)
	iretq
9995:
	.endif
.endm

.macro	to_kernel
	int $PG_KERNEL_VEC
.endm

/* Upper-level entries of PG_TVA (those the format has): A set. */
.macro	upper_a n
	mov PG_P_E2, %edi
	call upa\m
	chk \n, %eax, E_A
	mov PG_P_E3, %edi
	call upa\m
	chk (\n + 1), %eax, E_A
	mov PG_P_E4, %edi
	call upa\m
	chk (\n + 2), %eax, E_A
.endm

	/* Paging on: CR4 (PSE or PAE), CR3, EFER.NXE, CR0.PG and WP. */
	mov PG_P_CR4, %eax
	mov %\w\()ax, %cr4
	set_cr3 0
	cmpl $0, PG_P_NXE
	je 1f
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_NX, %eax
	wrmsr
1:	mov %cr0, %\w\()ax
	or $(CR0_PG | CR0_WP), %eax
	mov %\w\()ax, %cr0

	cmp $PG_T_MAP, %esi
	je t_map\m
	cmp $PG_T_INVLPG, %esi
	je t_invlpg\m
	cmp $PG_T_CR3, %esi
	je t_cr3\m
	cmp $PG_T_LARGE, %esi
	je t_large\m
	cmp $PG_T_FAULTS, %esi
	je t_faults\m
	cmp $PG_T_AD, %esi
	je t_ad\m
	cmp $PG_T_ALIAS, %esi
	je t_alias\m
	cmp $PG_T_RSVD, %esi
	je t_rsvd\m
	GUEST_FAIL(1)

	.global paging\m\()_done
paging\m\()_done:
	hlt
	jmp paging\m\()_done

/*
 * Build, change and tear down: a page mapped into an empty table, changed,
 * unmapped; then the whole table unlinked from its PDE, a new one built in
 * its place, and the old one linked back.
 */
t_map\m:
	mov $PG_TVA, %ebx
	pf 10, 0, 0, %ebx, mov (%\w\()bx), %eax
	pte %edi, 0, 0
	mov $(D(0) | E_P | E_W), %eax
	wpte
	mov (%\w\()bx), %eax
	chk 13, %eax, PG_MARK(0)
	movl $0x600dcafe, 4(%\w\()bx)
	mov D(0) + 4, %eax
	chk 14, %eax, 0x600dcafe
	/* Present to present: INVLPG, then the new page. */
	mov $(D(1) | E_P | E_W), %eax
	wpte
	invlpg (%\w\()bx)
	mov (%\w\()bx), %eax
	chk 15, %eax, PG_MARK(1)
	/* Unmapped: a read and a write fault (P clear). */
	xor %eax, %eax
	wpte
	invlpg (%\w\()bx)
	lea 0x123(%ebx), %ecx
	pf 16, 0, 0, %ecx, mov (%\w\()cx), %eax
	pf 19, E_W, 0, %ebx, movl $1, (%\w\()bx)
	/* The table unlinked: its mapped page faults. */
	pte %edi, 0, 3
	mov $(D(3) | E_P | E_W), %eax
	wpte
	lea 0x3000(%ebx), %ecx
	mov (%\w\()cx), %eax
	chk 22, %eax, PG_MARK(3)
	mov PG_P_E2, %edi
	mov (%\w\()di), %ebp
	xor %eax, %eax
	wpte
	invlpg (%\w\()cx)
	pf 23, 0, 0, %ecx, mov (%\w\()cx), %eax
	/* A new table, built by the guest, linked in its place. */
	mov $PG_SPARE, %edi
	xor %eax, %eax
	mov $1024, %ecx
	rep stosl
	mov PG_P_PTESZ, %ecx
	imul $5, %ecx, %ecx
	movl $(D(5) | E_P | E_W), PG_SPARE(%\w\()cx)
	mov PG_P_E2, %edi
	mov $(PG_SPARE | E_P | E_W | E_U), %eax
	wpte
	lea 0x5000(%ebx), %ecx
	mov (%\w\()cx), %eax
	chk 26, %eax, PG_MARK(5)
	lea 0x3000(%ebx), %ecx
	pf 27, 0, 0, %ecx, mov (%\w\()cx), %eax
	/* The old table back. */
	mov PG_P_E2, %edi
	mov %ebp, %eax
	wpte
	lea 0x5000(%ebx), %ecx
	invlpg (%\w\()cx)
	lea 0x3000(%ebx), %ecx
	mov (%\w\()cx), %eax
	chk 30, %eax, PG_MARK(3)
	lea 0x5000(%ebx), %ecx
	pf 31, 0, 0, %ecx, mov (%\w\()cx), %eax
	jmp paging\m\()_done

/*
 * INVLPG after each change of a present PTE: 48 rounds over 8 entries, each
 * pointed at another data page, read and written through the new mapping.
 */
t_invlpg\m:
	mov $PG_TVA, %ebx
	xor %esi, %esi
1:	mov %esi, %ecx
	and $7, %ecx			/* entry k = i % 8 */
	lea (%esi, %esi, 2), %edx
	mov %esi, %eax
	shr $3, %eax
	add %eax, %edx
	and $7, %edx			/* page j = (3i + i / 8) % 8 */
	mov PG_P_PTESZ, %eax
	imul %ecx, %eax
	add PG_P_PT, %eax
	mov %eax, %edi
	mov %edx, %eax
	shl $12, %eax
	add $(PG_DATA | E_P | E_W), %eax
	wpte
	mov %ecx, %eax
	shl $12, %eax
	lea (%\w\()bx, %\w\()ax), %ebp
	invlpg (%\w\()bp)
	mov (%\w\()bp), %eax
	lea PG_MARK(0)(%\w\()dx), %edi
	chkr 40, %eax, %edi
	mov %esi, 8(%\w\()bp)
	mov %edx, %eax
	shl $12, %eax
	mov PG_DATA + 8(%\w\()ax), %eax
	chkr 41, %eax, %esi
	inc %esi
	cmp $48, %esi
	jb 1b
	mov %esi, %eax
	chk 42, %eax, 48
	jmp paging\m\()_done

/*
 * Three address spaces with different pages at PG_TVA: 36 switches back
 * and forth, each read and written; then tables of inactive spaces edited,
 * seen once their CR3 is loaded; a reload of the same CR3 flushes too.
 */
t_cr3\m:
	mov $PG_TVA, %ebx
	xor %esi, %esi
1:	mov %esi, %eax
	xor %edx, %edx
	mov $12, %ecx
	div %ecx
	movzbl (GUEST_CODE_GPA + cr3_seq\m - paging\m\()_start)(%\w\()dx), %ecx
	mov PG_P_CR3(, %\w\()cx, 8), %eax
	mov %\w\()ax, %cr3
	mov (%\w\()bx), %eax
	lea PG_MARK(0)(%\w\()cx), %edi
	chkr 50, %eax, %edi
	mov %esi, 8(%\w\()bx)
	mov %ecx, %eax
	shl $12, %eax
	mov PG_DATA + 8(%\w\()ax), %eax
	chkr 51, %eax, %esi
	inc %esi
	cmp $36, %esi
	jb 1b
	mov %esi, %eax
	chk 52, %eax, 36

	set_cr3 0
	mov (%\w\()bx), %eax
	chk 53, %eax, PG_MARK(0)
	pte %edi, 2, 0
	mov $(D(5) | E_P | E_W), %eax
	wpte
	set_cr3 2
	mov (%\w\()bx), %eax
	chk 54, %eax, PG_MARK(5)
	pte %edi, 0, 0
	mov $(D(6) | E_P | E_W), %eax
	wpte
	set_cr3 0
	mov (%\w\()bx), %eax
	chk 55, %eax, PG_MARK(6)
	mov $(D(7) | E_P | E_W), %eax
	wpte
	mov %cr3, %\w\()ax
	mov %\w\()ax, %cr3
	mov (%\w\()bx), %eax
	chk 56, %eax, PG_MARK(7)
	set_cr3 1
	mov (%\w\()bx), %eax
	chk 57, %eax, PG_MARK(1)
	jmp paging\m\()_done
cr3_seq\m:
	.byte 0, 1, 0, 2, 1, 2, 2, 0, 1, 1, 0, 2

/*
 * Large pages (4 MiB with CR4.PSE in 2-level paging, 2 MiB in PAE and
 * 4-level): both read at four offsets; A then D in the PDE; the PDE pointed
 * at the other frame; split into a table the guest builds; merged back.
 * l4 reads EBX + {0, 4K, size/2, size - 4K} (EBP = size) and counts the
 * words equal to ESI + offset (each 4 KiB page of slot 1 holds its GPA).
 */
t_large\m:
	mov $PG_LVA, %ebx
	mov PG_P_LSZ, %ebp
	mov $PG_LARGE_GPA, %esi
	call l4\m
	chk 60, %eax, 4
	add %ebp, %ebx
	add %ebp, %esi
	call l4\m
	chk 61, %eax, 4
	mov $PG_LVA, %ebx
	mov PG_P_LPDE, %edi
	rpte E_A | E_D
	chk 62, %eax, E_A
	movl $0x5a5a5a5a, 8(%\w\()bx)
	rpte E_A | E_D
	chk 63, %eax, E_A | E_D
	/* The second frame under the first PDE. */
	mov $PG_LARGE_GPA, %eax
	add %ebp, %eax
	or $(E_P | E_W | E_U | E_PS | E_A | E_D), %eax
	wpte
	invlpg (%\w\()bx)
	mov $PG_LARGE_GPA, %esi
	add %ebp, %esi
	call l4\m
	chk 64, %eax, 4
	/* Split: a table of 4 KiB pages over the first frame. */
	xor %ecx, %ecx
	mov $(PG_LARGE_GPA | E_P | E_W | E_U), %eax
	mov $PG_SPARE, %edx
1:	mov %eax, (%\w\()dx)
	add $0x1000, %eax
	add PG_P_PTESZ, %edx
	inc %ecx
	cmp PG_P_NPTE, %ecx
	jb 1b
	mov PG_P_LPDE, %edi
	mov $(PG_SPARE | E_P | E_W | E_U), %eax
	wpte
	invlpg (%\w\()bx)
	mov $PG_LARGE_GPA, %esi
	call l4\m
	chk 65, %eax, 4
	mov %ebp, %ecx
	shr $1, %ecx
	movl $0x12345678, 12(%\w\()bx, %\w\()cx)
	/* One entry of the new table changed: that page only. */
	mov PG_P_PTESZ, %edi
	add $PG_SPARE, %edi
	mov $((PG_LARGE_GPA + 0x2000) | E_P | E_W | E_U), %eax
	wpte
	lea 0x1000(%ebx), %ecx
	invlpg (%\w\()cx)
	mov (%\w\()cx), %eax
	chk 66, %eax, PG_LARGE_GPA + 0x2000
	mov (%\w\()bx), %eax
	chk 67, %eax, PG_LARGE_GPA
	/* Merged back into one large page: each cached 4 KiB page flushed. */
	mov PG_P_LPDE, %edi
	mov $(PG_LARGE_GPA | E_P | E_W | E_U | E_PS), %eax
	wpte
	invlpg (%\w\()bx)
	invlpg 0x1000(%\w\()bx)
	mov %ebp, %ecx
	shr $1, %ecx
	invlpg (%\w\()bx, %\w\()cx)
	invlpg -0x1000(%\w\()bx, %\w\()bp)
	mov $PG_LARGE_GPA, %esi
	call l4\m
	chk 68, %eax, 4
	mov %ebp, %ecx
	shr $1, %ecx
	mov 12(%\w\()bx, %\w\()cx), %eax
	chk 69, %eax, 0x12345678
	jmp paging\m\()_done

l4\m:
	push %\w\()cx
	xor %eax, %eax
	xor %ecx, %ecx
	call 2f
	mov $0x1000, %ecx
	call 2f
	mov %ebp, %ecx
	shr $1, %ecx
	call 2f
	lea -0x1000(%\w\()bp), %ecx
	call 2f
	pop %\w\()cx
	ret
2:	push %\w\()dx
	mov (%\w\()bx, %\w\()cx), %edx
	sub %ecx, %edx
	cmp %esi, %edx
	jne 3f
	inc %eax
3:	pop %\w\()dx
	ret

/*
 * #PF error codes and CR2 for every kind of violation, from ring 0 with
 * CR0.WP = 1 and 0 and from ring 3. The host's map of PG_TVA + n * 4 KiB:
 * 0 supervisor RW, 1 supervisor RO, 2 user RO, 3 user RW NX, 4 supervisor
 * NX, 5 not present, 6 user RW holding a RET; PG_TVA2 a user page under a
 * supervisor PDE, PG_TVA3 a user RW page under a read-only PDE (rights are
 * ANDed across levels: SDM vol 3A 4.6). NX exists only with PAE/4-level.
 */
t_faults\m:
	mov $PG_TVA, %ebx
	lea 0x5123(%ebx), %ecx
	pf 70, 0, 0, %ecx, mov (%\w\()cx), %eax
	lea 0x5456(%ebx), %ecx
	pf 74, E_W, 0, %ecx, movl $1, (%\w\()cx)
	/* CR0.WP = 1: ring 0 cannot write read-only pages (SDM vol 3A 4.6.1). */
	lea 0x1008(%ebx), %ecx
	pf 78, E_P | E_W, 0, %ecx, movl $1, (%\w\()cx)
	lea 0x2008(%ebx), %ecx
	pf 82, E_P | E_W, 0, %ecx, movl $1, (%\w\()cx)
	lea 0x5000(%ebx), %ecx
	pf 86, 0, 1, %ecx, jmp *%\w\()cx
	cmpl $PG_MODE_32, PG_P_MODE
	je 1f
	lea 0x4000(%ebx), %ecx
	pf 90, E_P, 1, %ecx, jmp *%\w\()cx
1:	lea 0x6000(%ebx), %ecx
	call *%\w\()cx
	/* CR0.WP = 0: it can. */
	wp 0
	movl $0x11111111, 0x1008(%\w\()bx)
	mov D(1) + 8, %eax
	chk 94, %eax, 0x11111111
	movl $0x22222222, 0x2008(%\w\()bx)
	mov D(2) + 8, %eax
	chk 95, %eax, 0x22222222

	/* Ring 3: CR0.WP does not matter there. */
	to_user
	mov 0x2008(%\w\()bx), %eax
	chk 96, %eax, 0x22222222
	lea 0x2008(%ebx), %ecx
	pf 97, E_P | E_W | E_U, 0, %ecx, movl $2, (%\w\()cx)
	lea 0x10(%ebx), %ecx
	pf 101, E_P | E_U, 0, %ecx, mov (%\w\()cx), %eax
	pf 105, E_P | E_W | E_U, 0, %ecx, movl $3, (%\w\()cx)
	lea 0x5000(%ebx), %ecx
	pf 109, E_U, 0, %ecx, mov (%\w\()cx), %eax
	pf 113, E_W | E_U, 0, %ecx, movl $4, (%\w\()cx)
	lea 0x1000(%ebx), %ecx
	pf 117, E_P | E_U, 1, %ecx, jmp *%\w\()cx
	cmpl $PG_MODE_32, PG_P_MODE
	je 1f
	lea 0x3000(%ebx), %ecx
	pf 121, E_P | E_U, 1, %ecx, jmp *%\w\()cx
1:	movl $0x33333333, 0x3008(%\w\()bx)
	mov 0x3008(%\w\()bx), %eax
	chk 125, %eax, 0x33333333
	mov $PG_TVA2, %ecx
	pf 126, E_P | E_U, 0, %ecx, mov (%\w\()cx), %eax
	mov $PG_TVA3, %ecx
	pf 130, E_P | E_W | E_U, 0, %ecx, movl $5, (%\w\()cx)
	mov (%\w\()cx), %eax
	chk 134, %eax, PG_MARK(8)
	lea 0x6000(%ebx), %ecx
	call *%\w\()cx
	to_kernel

	/* CR0.WP = 1 again: the same writes fault again. */
	wp 1
	lea 0x2008(%ebx), %ecx
	pf 135, E_P | E_W, 0, %ecx, movl $6, (%\w\()cx)
	lea 0x1008(%ebx), %ecx
	pf 139, E_P | E_W, 0, %ecx, movl $7, (%\w\()cx)
	mov $PG_TVA3, %ecx
	pf 143, E_P | E_W, 0, %ecx, movl $8, (%\w\()cx)
	wp 0
	movl $0x44444444, PG_TVA3 + 8
	wp 1
	mov D(8) + 8, %eax
	chk 147, %eax, 0x44444444
	mov D(2) + 8, %eax
	chk 148, %eax, 0x22222222
	mov D(0) + 0x10, %eax
	chk 149, %eax, 0
	jmp paging\m\()_done

/*
 * Accessed and dirty bits, at every level the format has: the guest clears
 * them, flushes, touches the page and reads the entries back. A read sets
 * A (every level) and not D; a write sets D in the leaf, also when the read
 * before it left a translation cached; an entry never used stays clear.
 */
t_ad\m:
	mov $PG_TVA, %ebx
	pte %esi, 0, 0
	pte %ebp, 0, 1
	call clear_ad\m
	invlpg (%\w\()bx)
	mov (%\w\()bx), %eax
	chk 160, %eax, PG_MARK(0)
	mov %esi, %edi
	rpte E_A | E_D
	chk 161, %eax, E_A
	upper_a 162
	mov %ebp, %edi
	rpte E_A | E_D
	chk 165, %eax, 0
	movl $1, (%\w\()bx)
	mov %esi, %edi
	rpte E_A | E_D
	chk 166, %eax, E_A | E_D
	/* A write first: A and D together. */
	call clear_ad\m
	invlpg (%\w\()bx)
	movl $2, 4(%\w\()bx)
	mov %esi, %edi
	rpte E_A | E_D
	chk 167, %eax, E_A | E_D
	upper_a 168
	/* D clear, A kept: a read leaves D clear, the write after it sets D. */
	lock btrl $6, (%\w\()si)
	invlpg (%\w\()bx)
	mov (%\w\()bx), %eax
	mov %esi, %edi
	rpte E_A | E_D
	chk 171, %eax, E_A
	movl $3, 8(%\w\()bx)
	rpte E_A | E_D
	chk 172, %eax, E_A | E_D
	mov %ebp, %edi
	rpte E_A | E_D
	chk 173, %eax, 0
	mov 0x1000(%\w\()bx), %eax
	chk 174, %eax, PG_MARK(1)
	rpte E_A | E_D
	chk 175, %eax, E_A
	jmp paging\m\()_done

/* A and D of the PTE at ESI, A of the upper-level entries: cleared. */
clear_ad\m:
	andl $~(E_A | E_D), (%\w\()si)
	mov PG_P_E2, %edi
	call 1f
	mov PG_P_E3, %edi
	call 1f
	mov PG_P_E4, %edi
1:	test %edi, %edi
	jz 2f
	lock andl $~E_A, (%\w\()di)
2:	ret

/* EAX = the A bit of the entry at EDI, or E_A if EDI = 0 (no such level). */
upa\m:
	mov $E_A, %eax
	test %edi, %edi
	jz 1f
	mov (%\w\()di), %eax
	and $E_A, %eax
1:	ret

/*
 * A guest writing its page tables through alias mappings: PG_TVA + 16 pages
 * maps PG_TVA's own table (and so, through entry 16, itself), + 17 the
 * table of space 1, + 18 the directory holding PG_TVA's PDE; PG_TVA2's
 * read-only PDE points at PG_TVA's table too. Written with MOV, XCHG,
 * CMPXCHG and BTS; each new mapping then used.
 */
t_alias\m:
	mov $PG_TVA, %ebx
	lea 0x10000(%ebx), %esi
	mov PG_P_PTESZ, %ebp
	mov $(D(2) | E_P | E_W), %eax
	mov %eax, (%\w\()si, %\w\()bp, 2)
	mov 0x2000(%\w\()bx), %eax
	chk 180, %eax, PG_MARK(2)
	/* The alias reads the table as it is, A bits included. */
	mov (%\w\()si), %eax
	chk 181, %eax, D(0) | E_P | E_W
	mov (%\w\()bx), %eax
	chk 182, %eax, PG_MARK(0)
	mov (%\w\()si), %eax
	chk 183, %eax, D(0) | E_P | E_W | E_A
	/* XCHG returns the old entry. */
	mov $(D(3) | E_P | E_W), %eax
	xchg %eax, (%\w\()si, %\w\()bp, 2)
	chk 184, %eax, D(2) | E_P | E_W | E_A
	invlpg 0x2000(%\w\()bx)
	mov 0x2000(%\w\()bx), %eax
	chk 185, %eax, PG_MARK(3)
	/* CMPXCHG. */
	mov $(D(3) | E_P | E_W | E_A), %eax
	mov $(D(4) | E_P | E_W), %ecx
	lock cmpxchg %ecx, (%\w\()si, %\w\()bp, 2)
	setz %al
	movzbl %al, %eax
	chk 186, %eax, 1
	invlpg 0x2000(%\w\()bx)
	mov 0x2000(%\w\()bx), %eax
	chk 187, %eax, PG_MARK(4)
	/* Read-only, then writable again with BTS. */
	mov $(D(1) | E_P), %eax
	mov %eax, (%\w\()si, %\w\()bp, 1)
	invlpg 0x1000(%\w\()bx)
	lea 0x1008(%ebx), %ecx
	pf 188, E_P | E_W, 0, %ecx, movl $1, (%\w\()cx)
	lock btsl $1, (%\w\()si, %\w\()bp, 1)
	invlpg 0x1000(%\w\()bx)
	movl $0x77, 0x1008(%\w\()bx)
	mov D(1) + 8, %eax
	chk 192, %eax, 0x77
	/* The alias's own entry, written through the alias. */
	mov %ebp, %eax
	shl $4, %eax
	add %esi, %eax
	mov %eax, %edi
	mov $(D(5) | E_P | E_W), %eax
	wpte
	invlpg (%\w\()si)
	mov (%\w\()si), %eax
	chk 193, %eax, PG_MARK(5)
	pte %edi, 0, 16
	rpte ~(E_A | E_D)
	chk 194, %eax, D(5) | E_P | E_W
	/* Space 1's table, through an alias in space 0. */
	lea 0x11000(%ebx), %edi
	mov $(D(6) | E_P | E_W), %eax
	wpte
	set_cr3 1
	mov (%\w\()bx), %eax
	chk 195, %eax, PG_MARK(6)
	set_cr3 0
	mov (%\w\()bx), %eax
	chk 196, %eax, PG_MARK(0)
	/*
	 * PG_TVA's PDE through the directory's alias, pointed at a table the
	 * guest built (one page: D7), which does not map the alias itself.
	 */
	movl $(D(7) | E_P | E_W), PG_SPARE
	mov PG_P_E2, %edi
	mov (%\w\()di), %ebp
	and $0xfff, %edi
	lea 0x12000(%\w\()bx, %\w\()di), %edi
	mov $(PG_SPARE | E_P | E_W | E_U), %eax
	wpte
	invlpg (%\w\()bx)
	mov (%\w\()bx), %eax
	chk 197, %eax, PG_MARK(7)
	lea 0x12000(%ebx), %ecx
	invlpg (%\w\()cx)
	pf 198, 0, 0, %ecx, mov (%\w\()cx), %eax
	mov PG_P_E2, %edi
	mov %ebp, %eax
	wpte
	invlpg (%\w\()bx)
	mov (%\w\()bx), %eax
	chk 201, %eax, PG_MARK(0)
	/*
	 * The same table also under PG_TVA2's PDE, read-only: one change,
	 * both addresses see it; writes through PG_TVA2 fault.
	 */
	mov $PG_TVA2, %ecx
	mov (%\w\()cx), %eax
	chk 202, %eax, PG_MARK(0)
	pte %edi, 0, 0
	mov $(D(9) | E_P | E_W), %eax
	wpte
	invlpg (%\w\()bx)
	invlpg (%\w\()cx)
	mov (%\w\()bx), %eax
	chk 203, %eax, PG_MARK(9)
	mov (%\w\()cx), %eax
	chk 204, %eax, PG_MARK(9)
	pf 205, E_P | E_W, 0, %ecx, movl $1, (%\w\()cx)
	movl $0x99, 8(%\w\()bx)
	mov D(9) + 8, %eax
	chk 208, %eax, 0x99
	/*
	 * A store that crosses from a data page (D5, at PG_TVA + 0x10000 since
	 * check 193) into space 1's table (its alias at PG_TVA + 0x11000),
	 * shadowed (space 1 in use just before): the low half lands at the
	 * end of D5, the high half on entry 0's low 16 bits, which it writes
	 * with the value they hold. A shadow MMU's #PF is at the table's
	 * first byte, not at the operand (SDM vol 3A 4.7: CR2).
	 */
	set_cr3 1
	mov (%\w\()bx), %eax
	set_cr3 0
	lea 0x11000(%ebx), %esi
	mov (%\w\()si), %edx
	mov %edx, %eax
	shl $16, %eax
	mov $0xbeef, %ax
	mov %eax, 0x10ffe(%\w\()bx)
	movzwl D(5) + 0xffe, %eax
	chk 209, %eax, 0xbeef
	mov (%\w\()si), %eax
	sub %edx, %eax
	chk 210, %eax, 0
	jmp paging\m\()_done

/*
 * Reserved bits (SDM vol 3A 4.7, APM vol 2 8.4.2: RSVD faults are on
 * present entries, so P = 1 too), set by the host (paging.c): PG_P_RSV[0]
 * a present supervisor RW leaf, [1] a present read-only leaf, [2] a leaf
 * with P clear (reserved bits of a not-present entry do not matter), [3]
 * a page under a present upper-level entry with a reserved bit. The RSVD
 * fault wins over the access rights (a write to [1], a read from ring 3).
 */
t_rsvd\m:
	mov PG_P_RSV, %ecx
	pfr 220, E_P | 8, 0, %ecx, mov (%\w\()cx), %eax
	pfr 223, E_P | E_W | 8, 0, %ecx, movl $1, (%\w\()cx)
	pfr 226, E_P | 8, 1, %ecx, jmp *%\w\()cx
	mov PG_P_RSV + 8, %ecx
	pfr 230, E_P | E_W | 8, 0, %ecx, movl $1, (%\w\()cx)
	mov PG_P_RSV + 16, %ecx
	pf 233, 0, 0, %ecx, mov (%\w\()cx), %eax
	mov PG_P_RSV + 24, %ecx
	pfr 236, E_P | 8, 0, %ecx, mov (%\w\()cx), %eax
	to_user
	mov PG_P_RSV, %ecx
	pfr 239, E_P | E_U | 8, 0, %ecx, mov (%\w\()cx), %eax
	to_kernel
	mov D(0), %eax
	chk 242, %eax, PG_MARK(0)
	jmp paging\m\()_done

/* #PF: CR2 into the parameter block, then the library's stub (idt.S). */
	.global paging\m\()_pfh
paging\m\()_pfh:
	push %\w\()ax
	mov %cr2, %\w\()ax
	mov %eax, PG_P_CR2
	pop %\w\()ax
	push $(GUEST_STUBS_GPA + PF_VECTOR * 16)
	ret

/* INT PG_KERNEL_VEC from ring 3: back in ring 0 after the INT. */
	.global paging\m\()_kentry
paging\m\()_kentry:
	.if \m == 32
	mov (%esp), %eax
	add $20, %esp
	mov $SEL_DATA, %ecx
	mov %cx, %ds
	mov %cx, %es
	jmp *%eax
	.else
	mov (%rsp), %rax
	add $40, %rsp
	jmp *%rax
	.endif

.purgem chk
.purgem chkr
.purgem pf_any
.purgem pf
.purgem pfr
.purgem pte
.purgem wpte
.purgem rpte
.purgem set_cr3
.purgem wp
.purgem to_user
.purgem to_kernel
.purgem upper_a
.endm

GUEST_BEGIN(paging32)
	.code32
	body 32, e
GUEST_END(paging32)

GUEST_BEGIN(paging64)
	.code64
	body 64, r
GUEST_END(paging64)

	.section .note.GNU-stack, "", @progbits
