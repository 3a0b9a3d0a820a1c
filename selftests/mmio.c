// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO exits (KVM_EXIT_MMIO): a guest touching a guest-physical address that
 * no memslot covers, through many instruction forms, in 64-bit and 32-bit
 * mode: MOV to and from memory, MOV of an immediate, MOVZX/MOVSX/MOVSXD, MOV
 * with a moffs operand (A0-A3), ALU instructions with a memory operand (read,
 * then write for OR/AND/ADD; read only for CMP/TEST and a register
 * destination), XCHG, and MMX MOVQ for 8 bytes in 32-bit mode. Each access
 * is checked in kvm_run->mmio (phys_addr, len, is_write, data); read data the
 * host supplies must reach the right register with the right extension and
 * flags; RIP must advance past the instruction (checked after completing it
 * with immediate_exit, api.rst). The MMX and SSE moves KVM's emulator has
 * (MOVQ mm, MOVDQU/MOVDQA, MOVUPS/PD, MOVAPS/PD, MOVNTPS/PD/DQ): a 16-byte
 * access is two 8-byte exits, at the address and 8 past it (one more across
 * a page), as on KVM; the data reaches the register (KVM_GET_FPU, and the
 * guest's own copy); the faults (#GP for misalignment, #NM for CR0.TS, #UD
 * for CR0.EM or no CR4.OSFXSR, #MF for MMX with an x87 exception pending)
 * come before any exit, or when a load completes after the host changed
 * CR0/CR4; MOVD is not emulated. Then read-only memslots (KVM_MEM_READONLY):
 * reads and instruction fetches see the memory, writes exit as MMIO with the
 * data and leave it unchanged. Guest code: guest/mmio.S.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/vm.h"

#define MMIO_ADDR	(GUEST_MMIO_GPA + 0x40)	/* RBX */
#define MOFFS_ADDR	(GUEST_MMIO_GPA + 0x80)	/* as in guest/mmio.S */
#define RO_GPA		0x400000ULL
#define RO_SIZE		0x10000ULL

/* Register values every case starts with. */
#define RAX0		0x1122334455667788ULL
#define RCX0		0xa5a5a5a5a5a5a5a5ULL
#define RDX0		0x0000000000000002ULL
#define R9_0		0x9999999999999999ULL
#define R10_0		0x1010101010101010ULL

#define MMIO_GUESTS(X)							\
	X(mmio64_st_b) X(mmio64_st_w) X(mmio64_st_l) X(mmio64_st_q)	\
	X(mmio64_ld_b) X(mmio64_ld_bh) X(mmio64_ld_w) X(mmio64_ld_l)	\
	X(mmio64_ld_q) X(mmio64_ld_r10b) X(mmio64_ld_r9d_disp)		\
	X(mmio64_st_imm_b) X(mmio64_st_imm_w) X(mmio64_st_imm_l)	\
	X(mmio64_st_imm_q) X(mmio64_movzbl) X(mmio64_movzwq)		\
	X(mmio64_movsbq) X(mmio64_movsbw) X(mmio64_movswl)		\
	X(mmio64_movslq) X(mmio64_moffs_ld_b) X(mmio64_moffs_ld_l)	\
	X(mmio64_moffs_st_w) X(mmio64_moffs_st_q) X(mmio64_or_imm_l)	\
	X(mmio64_and_imm_w) X(mmio64_add_imm_b) X(mmio64_add_reg_q)	\
	X(mmio64_add_to_reg_l) X(mmio64_sub_to_reg_q)			\
	X(mmio64_cmp_imm_l) X(mmio64_test_imm_b) X(mmio64_xchg_l)	\
	X(mmio64_xchg_b)						\
	X(mmio32_st_b) X(mmio32_st_w) X(mmio32_st_l) X(mmio32_ld_b)	\
	X(mmio32_ld_w) X(mmio32_ld_l) X(mmio32_st_imm_w)		\
	X(mmio32_st_imm_l) X(mmio32_movzbl) X(mmio32_movswl)		\
	X(mmio32_movsbw) X(mmio32_moffs_ld_b) X(mmio32_moffs_ld_l)	\
	X(mmio32_moffs_st_b) X(mmio32_moffs_st_l) X(mmio32_or_reg_l)	\
	X(mmio32_and_imm_b) X(mmio32_add_imm8_w) X(mmio32_cmp_reg_l)	\
	X(mmio32_test_reg_w) X(mmio32_xchg_w) X(mmio32_movq_ld)		\
	X(mmio32_movq_st) X(mmio_ro) X(mmio_ro_code)
#define DECLARE(g) DECLARE_GUEST(g);
MMIO_GUESTS(DECLARE)

#define VEC_GUESTS(X)							\
	X(vec64_movq_ld) X(vec64_movq_st) X(vec64_movdqu_ld)		\
	X(vec64_movdqu_st) X(vec64_movdqu_ld_x12) X(vec64_movdqu_st_x13)	\
	X(vec64_movdqa_ld) X(vec64_movdqa_st) X(vec64_movups_ld)	\
	X(vec64_movups_st) X(vec64_movupd_ld) X(vec64_movupd_st)	\
	X(vec64_movaps_ld) X(vec64_movaps_st) X(vec64_movapd_ld)	\
	X(vec64_movapd_st) X(vec64_movntps_st) X(vec64_movntpd_st)	\
	X(vec64_movntdq_st) X(vec32_movdqu_ld) X(vec32_movntdq_st)	\
	X(vec32_movq_ld)
#define DECLARE_VEC(g) DECLARE_GUEST(g); DECLARE_GUEST_LABEL(g, next);
VEC_GUESTS(DECLARE_VEC)
DECLARE_GUEST(vec64_movd_ld);
DECLARE_GUEST(vec64_movq_xmm_ld);
DECLARE_GUEST(vec_misaligned);
DECLARE_GUEST_LABEL(vec_misaligned, ld);
DECLARE_GUEST_LABEL(vec_misaligned, st);
DECLARE_GUEST(vec_cr_faults);
DECLARE_GUEST_LABEL(vec_cr_faults, i0);
DECLARE_GUEST_LABEL(vec_cr_faults, i1);
DECLARE_GUEST_LABEL(vec_cr_faults, i2);
DECLARE_GUEST_LABEL(vec_cr_faults, i3);
DECLARE_GUEST_LABEL(vec_cr_faults, i4);
DECLARE_GUEST_LABEL(vec_cr_faults, i5);
DECLARE_GUEST(vec_late_ts);
DECLARE_GUEST_LABEL(vec_late_ts, insn);
DECLARE_GUEST(vec_late_osfxsr);
DECLARE_GUEST_LABEL(vec_late_osfxsr, insn);

struct access {
	bool write;
	uint8_t len;		/* 0: no access */
	uint64_t data;		/* write: the data expected; read: supplied */
};

struct mmio_case {
	const char *name;
	struct guest_code code;
	enum vm_mode mode;
	uint64_t addr;
	struct access acc[2];
	int reg;		/* offsetof(struct kvm_regs, ...) to check, or -1 */
	uint64_t expect;	/* its value after the instruction */
	uint64_t flags_mask;	/* RFLAGS bits to check... */
	uint64_t flags;		/* ...and their values */
};

#define W(l, d)		{ true, l, d }
#define R(l, d)		{ false, l, d }
#define REG(r)		offsetof(struct kvm_regs, r)
#define NOREG		-1
/* Guest g, in mode m, accesses addr: acc[], then register reg holds expect. */
#define C(g, m, addr, reg, expect, ...)					\
	{ #g, GUEST(g), VM_MODE_##m, addr, { __VA_ARGS__ }, reg, expect, 0, 0 }
/* The same, and the RFLAGS bits in mask are flags. */
#define CF(g, m, addr, reg, expect, mask, flags, ...)			\
	{ #g, GUEST(g), VM_MODE_##m, addr, { __VA_ARGS__ }, reg, expect, mask, flags }

#define NM_VECTOR	7	/* #NM, SDM vol 3A 6.2 */
#define MF_VECTOR	16	/* #MF */

#define ZF	X86_EFLAGS_ZF
#define CF_	X86_EFLAGS_CF
#define SF	X86_EFLAGS_SF

static uint64_t reg_of(struct kvm_regs *regs, int off)
{
	return *(uint64_t *)((uint8_t *)regs + off);
}

static void run_case(const struct mmio_case *c)
{
	uint64_t end, mask = c->mode == VM_MODE_LONG ? ~0ULL : 0xffffffffULL;
	struct kvm_regs regs;
	struct vcpu *vcpu;
	int i;

	TH_LOG("case %s", c->name);
	guest_new(c->mode, c->code, 0, &vcpu);
	end = vcpu_load_insn(vcpu, c->code);
	vcpu_regs_get(vcpu, &regs);
	regs.rax = RAX0;
	regs.rbx = MMIO_ADDR;
	regs.rcx = RCX0;
	regs.rdx = RDX0;
	regs.r9 = R9_0;
	regs.r10 = R10_0;
	vcpu_regs_set(vcpu, &regs);

	vcpu_run(vcpu);
	for (i = 0; i < 2 && c->acc[i].len; i++) {
		const struct access *a = &c->acc[i];

		/* The write half of a read-modify-write comes on completion. */
		if (i)
			ASSERT_TRUE(!vcpu_complete_io(vcpu));
		ASSERT_MMIO(vcpu, c->addr, a->len, a->write);
		if (!a->write)
			vcpu_mmio_reply(vcpu, a->data);
		else if (vcpu_mmio_value(vcpu) != a->data)
			TH_FAIL("write data %#llx, expected %#llx",
				(unsigned long long)vcpu_mmio_value(vcpu),
				(unsigned long long)a->data);
	}
	ASSERT_TRUE(vcpu_complete_io(vcpu));

	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rip, end);
	if (c->reg != NOREG && (reg_of(&regs, c->reg) & mask) != (c->expect & mask))
		TH_FAIL("register at %d: %#llx, expected %#llx", c->reg,
			(unsigned long long)reg_of(&regs, c->reg),
			(unsigned long long)c->expect);
	if ((regs.rflags & c->flags_mask) != c->flags)
		TH_FAIL("rflags %#llx, expected bits %#llx of %#llx",
			(unsigned long long)regs.rflags,
			(unsigned long long)c->flags,
			(unsigned long long)c->flags_mask);
	/* Registers the instruction does not name stay. */
	if (c->reg != REG(rax))
		EXPECT_EQ(regs.rax, RAX0);
	if (c->reg != REG(rcx))
		EXPECT_EQ(regs.rcx, RCX0);
	EXPECT_EQ(regs.rbx, MMIO_ADDR);
	EXPECT_EQ(regs.rdx, RDX0);

	/* And the guest goes on. */
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), end + 1);
}

static void run_cases(const struct mmio_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&cases[i]);
}

#define RUN_CASES(...)							\
	do {								\
		static const struct mmio_case cases[] = { __VA_ARGS__ };	\
		run_cases(cases, sizeof(cases) / sizeof(cases[0]));	\
	} while (0)

TEST(mov_store_64)
{
	RUN_CASES(C(mmio64_st_b, LONG, MMIO_ADDR, NOREG, 0, W(1, 0x88)),
		  C(mmio64_st_w, LONG, MMIO_ADDR, NOREG, 0, W(2, 0x7788)),
		  C(mmio64_st_l, LONG, MMIO_ADDR, NOREG, 0, W(4, 0x55667788)),
		  C(mmio64_st_q, LONG, MMIO_ADDR, NOREG, 0, W(8, RAX0)),
		  C(mmio64_st_imm_b, LONG, MMIO_ADDR, NOREG, 0, W(1, 0x12)),
		  C(mmio64_st_imm_w, LONG, MMIO_ADDR, NOREG, 0, W(2, 0x1234)),
		  C(mmio64_st_imm_l, LONG, MMIO_ADDR, NOREG, 0, W(4, 0x12345678)),
		  C(mmio64_st_imm_q, LONG, MMIO_ADDR, NOREG, 0,
		    W(8, 0xfffffffffffffffeULL)));
}

TEST(mov_load_64)
{
	RUN_CASES(C(mmio64_ld_b, LONG, MMIO_ADDR, REG(rcx),
		    0xa5a5a5a5a5a5a55aULL, R(1, 0x5a)),
		  C(mmio64_ld_bh, LONG, MMIO_ADDR, REG(rcx),
		    0xa5a5a5a5a5a55aa5ULL, R(1, 0x5a)),
		  C(mmio64_ld_w, LONG, MMIO_ADDR, REG(rcx),
		    0xa5a5a5a5a5a51234ULL, R(2, 0x1234)),
		  /* A 32-bit destination zero-extends into the whole register. */
		  C(mmio64_ld_l, LONG, MMIO_ADDR, REG(rcx),
		    0x0000000089abcdefULL, R(4, 0x89abcdef)),
		  C(mmio64_ld_q, LONG, MMIO_ADDR, REG(rcx),
		    0xfedcba9876543210ULL, R(8, 0xfedcba9876543210ULL)),
		  C(mmio64_ld_r10b, LONG, MMIO_ADDR + 8, REG(r10),
		    0x10101010101010c3ULL, R(1, 0xc3)),
		  /* -8(%rbx,%rdx,4) with RDX = 2: MMIO_ADDR again. */
		  C(mmio64_ld_r9d_disp, LONG, MMIO_ADDR, REG(r9),
		    0x00000000cafef00dULL, R(4, 0xcafef00d)));
}

TEST(movzx_movsx_64)
{
	RUN_CASES(C(mmio64_movzbl, LONG, MMIO_ADDR, REG(rcx), 0x80, R(1, 0x80)),
		  C(mmio64_movzwq, LONG, MMIO_ADDR, REG(rcx), 0x8000, R(2, 0x8000)),
		  C(mmio64_movsbq, LONG, MMIO_ADDR, REG(rcx),
		    0xffffffffffffff80ULL, R(1, 0x80)),
		  C(mmio64_movsbw, LONG, MMIO_ADDR, REG(rcx),
		    0xa5a5a5a5a5a5ff80ULL, R(1, 0x80)),
		  C(mmio64_movswl, LONG, MMIO_ADDR, REG(rcx),
		    0x00000000ffff8000ULL, R(2, 0x8000)),
		  C(mmio64_movslq, LONG, MMIO_ADDR, REG(rcx),
		    0xffffffff80000000ULL, R(4, 0x80000000)));
}

TEST(mov_moffs_64)
{
	RUN_CASES(C(mmio64_moffs_ld_b, LONG, MOFFS_ADDR, REG(rax),
		    0x1122334455667700ULL, R(1, 0x00)),
		  C(mmio64_moffs_ld_l, LONG, MOFFS_ADDR, REG(rax),
		    0x00000000deadbeefULL, R(4, 0xdeadbeef)),
		  C(mmio64_moffs_st_w, LONG, MOFFS_ADDR, NOREG, 0, W(2, 0x7788)),
		  C(mmio64_moffs_st_q, LONG, MOFFS_ADDR, NOREG, 0, W(8, RAX0)));
}

TEST(alu_64)
{
	RUN_CASES(CF(mmio64_or_imm_l, LONG, MMIO_ADDR, NOREG, 0, ZF | CF_, 0,
		     R(4, 0x100), W(4, 0x10f)),
		  CF(mmio64_and_imm_w, LONG, MMIO_ADDR, NOREG, 0, ZF, 0,
		     R(2, 0x1234), W(2, 0x1200)),
		  CF(mmio64_add_imm_b, LONG, MMIO_ADDR, NOREG, 0, ZF | CF_,
		     ZF | CF_, R(1, 0xff), W(1, 0x00)),
		  CF(mmio64_add_reg_q, LONG, MMIO_ADDR, NOREG, 0, ZF | CF_, 0,
		     R(8, 0x100000000ULL), W(8, 0x100000002ULL)),
		  /* A register destination: the read alone, 32-bit zero-extends. */
		  CF(mmio64_add_to_reg_l, LONG, MMIO_ADDR, REG(rcx),
		     0x00000000a5a5a5a6ULL, ZF | CF_, 0, R(4, 1)),
		  CF(mmio64_sub_to_reg_q, LONG, MMIO_ADDR, REG(rcx),
		     0xa5a5a5a5a5a5a5a4ULL, ZF | CF_, 0, R(8, 1)),
		  /* CMP and TEST only read. */
		  CF(mmio64_cmp_imm_l, LONG, MMIO_ADDR, NOREG, 0, ZF | CF_, ZF,
		     R(4, 5)),
		  CF(mmio64_cmp_imm_l, LONG, MMIO_ADDR, NOREG, 0, ZF | CF_, CF_,
		     R(4, 4)),
		  CF(mmio64_test_imm_b, LONG, MMIO_ADDR, NOREG, 0, ZF, ZF,
		     R(1, 0x7f)),
		  CF(mmio64_test_imm_b, LONG, MMIO_ADDR, NOREG, 0, ZF | SF, SF,
		     R(1, 0x80)));
}

/* XCHG: the old memory value is read, the register's written, then swapped. */
TEST(xchg_64)
{
	RUN_CASES(C(mmio64_xchg_l, LONG, MMIO_ADDR, REG(rcx), 0x12345678,
		    R(4, 0x12345678), W(4, 0xa5a5a5a5)),
		  C(mmio64_xchg_b, LONG, MMIO_ADDR, REG(rax),
		    0x11223344556677abULL, R(1, 0xab), W(1, 0x88)));
}

TEST(mov_32)
{
	RUN_CASES(C(mmio32_st_b, PROT32, MMIO_ADDR, NOREG, 0, W(1, 0x88)),
		  C(mmio32_st_w, PROT32, MMIO_ADDR, NOREG, 0, W(2, 0x7788)),
		  C(mmio32_st_l, PROT32, MMIO_ADDR, NOREG, 0, W(4, 0x55667788)),
		  C(mmio32_st_imm_w, PROT32, MMIO_ADDR, NOREG, 0, W(2, 0x1234)),
		  C(mmio32_st_imm_l, PROT32, MMIO_ADDR + 4, NOREG, 0,
		    W(4, 0x12345678)),
		  C(mmio32_ld_b, PROT32, MMIO_ADDR, REG(rcx), 0xa5a5a55a,
		    R(1, 0x5a)),
		  C(mmio32_ld_w, PROT32, MMIO_ADDR, REG(rcx), 0xa5a51234,
		    R(2, 0x1234)),
		  C(mmio32_ld_l, PROT32, MMIO_ADDR, REG(rcx), 0x89abcdef,
		    R(4, 0x89abcdef)),
		  C(mmio32_movzbl, PROT32, MMIO_ADDR, REG(rcx), 0xfe, R(1, 0xfe)),
		  C(mmio32_movswl, PROT32, MMIO_ADDR, REG(rcx), 0xfffffffe,
		    R(2, 0xfffe)),
		  C(mmio32_movsbw, PROT32, MMIO_ADDR, REG(rcx), 0xa5a5ff81,
		    R(1, 0x81)),
		  C(mmio32_moffs_ld_b, PROT32, MOFFS_ADDR, REG(rax), 0x556677ee,
		    R(1, 0xee)),
		  C(mmio32_moffs_ld_l, PROT32, MOFFS_ADDR, REG(rax), 0x01020304,
		    R(4, 0x01020304)),
		  C(mmio32_moffs_st_b, PROT32, MOFFS_ADDR, NOREG, 0, W(1, 0x88)),
		  C(mmio32_moffs_st_l, PROT32, MOFFS_ADDR, NOREG, 0,
		    W(4, 0x55667788)));
}

TEST(alu_xchg_32)
{
	RUN_CASES(CF(mmio32_or_reg_l, PROT32, MMIO_ADDR, NOREG, 0, ZF, 0,
		     R(4, 0xf0000000), W(4, 0xf0000002)),
		  CF(mmio32_and_imm_b, PROT32, MMIO_ADDR, NOREG, 0, ZF, ZF,
		     R(1, 0xf0), W(1, 0x00)),
		  CF(mmio32_add_imm8_w, PROT32, MMIO_ADDR, NOREG, 0, ZF | CF_, CF_,
		     R(2, 0x1000), W(2, 0x0fff)),
		  CF(mmio32_cmp_reg_l, PROT32, MMIO_ADDR, NOREG, 0, ZF, ZF,
		     R(4, 0xa5a5a5a5)),
		  CF(mmio32_test_reg_w, PROT32, MMIO_ADDR, NOREG, 0, ZF, ZF,
		     R(2, 0x5a5a)),
		  C(mmio32_xchg_w, PROT32, MMIO_ADDR, REG(rcx), 0xa5a5beef,
		    R(2, 0xbeef), W(2, 0xa5a5)));
}

static void set_rbx(struct vcpu *vcpu, uint64_t v)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.rbx = v;
	vcpu_regs_set(vcpu, &regs);
}

/*
 * 8 bytes in 32-bit mode: MMX MOVQ. The load's MM0 is seen through
 * KVM_GET_FPU; the store's MM1 the guest loads itself from the report page
 * (KVM_SET_FPU writes the legacy area only, and on an XSAVE host the guest
 * then gets what XSTATE_BV says: the x87 init state, not those registers).
 */
TEST(movq_mmx_32)
{
	static const uint64_t mm0 = 0xfedcba9876543210ULL;
	static const uint64_t mm1 = 0x0123456789abcdefULL;
	struct kvm_fpu fpu;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t end;

	guest_new(VM_MODE_PROT32, GUEST(mmio32_movq_ld), 0, &vcpu);
	end = vcpu_load_insn(vcpu, GUEST(mmio32_movq_ld));
	set_rbx(vcpu, MMIO_ADDR);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 8, false);
	vcpu_mmio_reply(vcpu, mm0);
	ASSERT_TRUE(vcpu_complete_io(vcpu));
	EXPECT_EQ(vcpu_rip(vcpu), end);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	EXPECT_EQ(*(uint64_t *)fpu.fpr[0], mm0);
	vcpu_run_to_hlt(vcpu);

	vm = guest_new(VM_MODE_PROT32, GUEST(mmio32_movq_st), 0, &vcpu);
	end = vcpu_load_insn(vcpu, GUEST(mmio32_movq_st));
	*guest_report(vm) = mm1;
	set_rbx(vcpu, MMIO_ADDR);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 8, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), mm1);
	ASSERT_TRUE(vcpu_complete_io(vcpu));
	EXPECT_EQ(vcpu_rip(vcpu), end);
	vcpu_run_to_hlt(vcpu);
}

/* An MMX or SSE move between register reg and MMIO at addr. */
struct vec_case {
	const char *name;
	struct guest_code code;
	const uint8_t *next;	/* the guest's label after the instruction */
	enum vm_mode mode;
	bool load, mmx;
	int reg;
	uint64_t addr;
};

#define VC(g, m, load, mmx, reg, addr)					\
	{ #g, GUEST(g), g##_next, VM_MODE_##m, load, mmx, reg, addr }
#define LD	true
#define ST	false
#define MM	true
#define XMM	false

static const uint64_t vec_val[2] = {
	0x8877665544332211ULL, 0x00ffeeddccbbaa99ULL,
};

/*
 * Each 8 bytes is one exit, in address order, the next only once the last
 * completed; RIP moves once all did. A load's data is in the register
 * (KVM_GET_FPU; the guest then stores it to the report page); a store's
 * data is what the guest loaded into the register.
 */
static void run_vec_case(const struct vec_case *c)
{
	unsigned int i, n = c->mmx ? 1 : 2;
	struct kvm_fpu fpu;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t *r;

	TH_LOG("case %s", c->name);
	vm = guest_new(c->mode, c->code, 0, &vcpu);
	r = guest_report(vm);
	r[0] = c->load ? 0 : vec_val[0];
	r[1] = c->load ? 0 : vec_val[1];
	set_rbx(vcpu, c->addr);
	vcpu_run(vcpu);
	for (i = 0; i < n; i++) {
		if (i)
			ASSERT_TRUE(!vcpu_complete_io(vcpu));
		ASSERT_MMIO(vcpu, c->addr + 8 * i, 8, !c->load);
		if (c->load)
			vcpu_mmio_reply(vcpu, vec_val[i]);
		else
			EXPECT_EQ(vcpu_mmio_value(vcpu), vec_val[i]);
	}
	ASSERT_TRUE(vcpu_complete_io(vcpu));
	EXPECT_EQ(vcpu_rip(vcpu),
		  GUEST_CODE_GPA + (uint64_t)(c->next - c->code.start));
	if (c->load) {
		ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
		EXPECT_EQ(memcmp(c->mmx ? fpu.fpr[c->reg] : fpu.xmm[c->reg],
				 vec_val, 8 * n), 0);
	}
	vcpu_run_to_hlt(vcpu);
	if (c->load) {
		EXPECT_EQ(r[0], vec_val[0]);
		EXPECT_EQ(r[1], c->mmx ? 0 : vec_val[1]);
	}
}

#define RUN_VEC_CASES(...)						\
	do {								\
		static const struct vec_case cases[] = { __VA_ARGS__ };	\
		size_t i;						\
									\
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)	\
			run_vec_case(&cases[i]);			\
	} while (0)

/* 8 bytes, one exit: MOVQ mm in 64-bit mode (MM6, MM7), and in 32-bit. */
TEST(movq_mmx_64)
{
	RUN_VEC_CASES(VC(vec64_movq_ld, LONG, LD, MM, 6, MMIO_ADDR),
		      VC(vec64_movq_st, LONG, ST, MM, 7, MMIO_ADDR + 8),
		      VC(vec32_movq_ld, PROT32, LD, MM, 3, MMIO_ADDR + 4));
}

/* 16 bytes, two exits: MOVDQU at aligned and unaligned addresses, XMM8+. */
TEST(movdqu_sse)
{
	RUN_VEC_CASES(VC(vec64_movdqu_ld, LONG, LD, XMM, 3, MMIO_ADDR),
		      VC(vec64_movdqu_st, LONG, ST, XMM, 3, MMIO_ADDR),
		      VC(vec64_movdqu_ld_x12, LONG, LD, XMM, 12, MMIO_ADDR + 4),
		      VC(vec64_movdqu_st_x13, LONG, ST, XMM, 13, MMIO_ADDR + 7),
		      VC(vec32_movdqu_ld, PROT32, LD, XMM, 1, MMIO_ADDR + 1));
}

/* The other 16-byte forms of KVM's table, aligned where they must be. */
TEST(sse_moves)
{
	RUN_VEC_CASES(VC(vec64_movdqa_ld, LONG, LD, XMM, 4, MMIO_ADDR),
		      VC(vec64_movdqa_st, LONG, ST, XMM, 4, MMIO_ADDR + 0x10),
		      VC(vec64_movups_ld, LONG, LD, XMM, 5, MMIO_ADDR + 2),
		      VC(vec64_movups_st, LONG, ST, XMM, 5, MMIO_ADDR + 8),
		      VC(vec64_movupd_ld, LONG, LD, XMM, 6, MMIO_ADDR + 6),
		      VC(vec64_movupd_st, LONG, ST, XMM, 6, MMIO_ADDR),
		      VC(vec64_movaps_ld, LONG, LD, XMM, 7, MMIO_ADDR),
		      VC(vec64_movaps_st, LONG, ST, XMM, 7, MMIO_ADDR + 0x20),
		      VC(vec64_movapd_ld, LONG, LD, XMM, 8, MMIO_ADDR),
		      VC(vec64_movapd_st, LONG, ST, XMM, 9, MMIO_ADDR),
		      VC(vec64_movntps_st, LONG, ST, XMM, 10, MMIO_ADDR),
		      VC(vec64_movntpd_st, LONG, ST, XMM, 11, MMIO_ADDR + 0x30),
		      VC(vec64_movntdq_st, LONG, ST, XMM, 15, MMIO_ADDR),
		      VC(vec32_movntdq_st, PROT32, ST, XMM, 2, MMIO_ADDR));
}

/*
 * Across a page: one piece per page, each in exits of up to 8 bytes (KVM's
 * mmio_fragments), so 16 bytes at 0xffc are 4, 8 and 4 bytes.
 */
TEST(movdqu_page_cross)
{
	static const struct { uint64_t gpa; uint8_t len; } ld[] = {
		{ GUEST_MMIO_GPA + 0xffc, 4 }, { GUEST_MMIO_GPA + 0x1000, 8 },
		{ GUEST_MMIO_GPA + 0x1008, 4 },
	}, st[] = {
		{ GUEST_MMIO_GPA + 0xffa, 6 }, { GUEST_MMIO_GPA + 0x1000, 8 },
		{ GUEST_MMIO_GPA + 0x1008, 2 },
	};
	const uint8_t *val = (const uint8_t *)vec_val;
	struct kvm_fpu fpu;
	struct vcpu *vcpu;
	struct vm *vm;
	unsigned int i, off;
	uint64_t v;

	vm = guest_new(VM_MODE_LONG, GUEST(vec64_movdqu_ld), 0, &vcpu);
	set_rbx(vcpu, ld[0].gpa);
	vcpu_run(vcpu);
	for (i = 0, off = 0; i < 3; off += ld[i].len, i++) {
		if (i)
			ASSERT_TRUE(!vcpu_complete_io(vcpu));
		ASSERT_MMIO(vcpu, ld[i].gpa, ld[i].len, false);
		v = 0;
		memcpy(&v, val + off, ld[i].len);
		vcpu_mmio_reply(vcpu, v);
	}
	ASSERT_TRUE(vcpu_complete_io(vcpu));
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(vec64_movdqu_ld, next));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_FPU, &fpu));
	EXPECT_EQ(memcmp(fpu.xmm[3], val, 16), 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(memcmp(guest_report(vm), val, 16), 0);

	vm = guest_new(VM_MODE_LONG, GUEST(vec64_movdqu_st), 0, &vcpu);
	memcpy(guest_report(vm), val, 16);
	set_rbx(vcpu, st[0].gpa);
	vcpu_run(vcpu);
	for (i = 0, off = 0; i < 3; off += st[i].len, i++) {
		if (i)
			ASSERT_TRUE(!vcpu_complete_io(vcpu));
		ASSERT_MMIO(vcpu, st[i].gpa, st[i].len, true);
		v = 0;
		memcpy(&v, val + off, st[i].len);
		EXPECT_EQ(vcpu_mmio_value(vcpu), v);
	}
	ASSERT_TRUE(vcpu_complete_io(vcpu));
	EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(vec64_movdqu_st, next));
	vcpu_run_to_hlt(vcpu);
}

/* Forms KVM's emulator does not have are not emulated here either. */
TEST(movd_not_emulated)
{
	struct guest_code codes[] = {
		GUEST(vec64_movd_ld), GUEST(vec64_movq_xmm_ld),
	};
	struct vcpu *vcpu;
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		guest_new(VM_MODE_LONG, codes[i], 0, &vcpu);
		vcpu_load_insn(vcpu, codes[i]);
		set_rbx(vcpu, MMIO_ADDR);
		vcpu_run(vcpu);
		ASSERT_EXIT(vcpu, KVM_EXIT_INTERNAL_ERROR);
		EXPECT_EQ(vcpu->run->internal.suberror,
			  KVM_INTERNAL_ERROR_EMULATION);
	}
}

static void expect_exc(const uint64_t *r, uint64_t vector, uint64_t rip)
{
	EXPECT_EQ(r[0], vector);
	EXPECT_EQ(r[1], 0);
	EXPECT_EQ(r[2], rip);
}

/* SDM vol 2B MOVAPS, MOVNTDQ: #GP(0) for a misaligned operand, no access. */
TEST(sse_misaligned_gp)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(vec_misaligned), 0, &vcpu);
	uint64_t *r = guest_report(vm);

	set_rbx(vcpu, MMIO_ADDR + 8);
	vcpu_run_to_hlt(vcpu);
	expect_exc(r, GP_VECTOR, GUEST_ADDR(vec_misaligned, ld));
	expect_exc(r + 3, GP_VECTOR, GUEST_ADDR(vec_misaligned, st));
	EXPECT_EQ(guest_exc(vm)->count, 2);
}

/*
 * SDM vol 2B MOVQ, MOVDQU, MOVUPS "Protected Mode Exceptions": #NM for
 * CR0.TS, #UD for CR0.EM or (SSE) CR4.OSFXSR = 0, #MF (MMX) for a pending
 * x87 exception, before any access.
 */
TEST(vec_cr_faults)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(vec_cr_faults), 0, &vcpu);
	uint64_t *r = guest_report(vm);

	set_rbx(vcpu, MMIO_ADDR);
	vcpu_run_to_hlt(vcpu);
	expect_exc(r, NM_VECTOR, GUEST_ADDR(vec_cr_faults, i0));
	expect_exc(r + 3, NM_VECTOR, GUEST_ADDR(vec_cr_faults, i1));
	expect_exc(r + 6, UD_VECTOR, GUEST_ADDR(vec_cr_faults, i2));
	expect_exc(r + 9, UD_VECTOR, GUEST_ADDR(vec_cr_faults, i3));
	expect_exc(r + 12, MF_VECTOR, GUEST_ADDR(vec_cr_faults, i4));
	expect_exc(r + 15, MF_VECTOR, GUEST_ADDR(vec_cr_faults, i5));
	EXPECT_EQ(guest_exc(vm)->count, 6);
}

/*
 * A load completes as the instruction would run with the control registers
 * of that moment: KVM runs it again with the data it read. CR0.TS set while
 * its exit is out gives #NM; CR4.OSFXSR cleared between the two exits of a
 * 16-byte load gives #UD once the second completes. The register keeps its
 * value; RIP stays on the instruction.
 */
static void run_late_fault(struct guest_code code, uint64_t insn, bool sse,
			   uint64_t vector)
{
	static const uint64_t old[2] = {
		0x0102030405060708ULL, 0x1112131415161718ULL,
	};
	struct kvm_sregs sregs;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, code, 0, &vcpu);
	uint64_t *r = guest_report(vm);

	r[1] = old[0];
	r[2] = old[1];
	set_rbx(vcpu, MMIO_ADDR);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 8, false);
	vcpu_mmio_reply(vcpu, vec_val[0]);
	vcpu_sregs_get(vcpu, &sregs);
	if (sse)
		sregs.cr4 &= ~X86_CR4_OSFXSR;
	else
		sregs.cr0 |= X86_CR0_TS;
	vcpu_sregs_set(vcpu, &sregs);
	if (sse) {
		ASSERT_TRUE(!vcpu_complete_io(vcpu));
		ASSERT_MMIO(vcpu, MMIO_ADDR + 8, 8, false);
		vcpu_mmio_reply(vcpu, vec_val[1]);
	}
	ASSERT_TRUE(vcpu_complete_io(vcpu));
	EXPECT_EQ(vcpu_rip(vcpu), insn);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_exc(vm)->count, 1);
	EXPECT_EQ(guest_exc(vm)->vector, vector);
	EXPECT_EQ(guest_exc(vm)->rip, insn);
	EXPECT_EQ(r[4], old[0]);
	if (sse)
		EXPECT_EQ(r[5], old[1]);
}

TEST(vec_late_faults)
{
	run_late_fault(GUEST(vec_late_ts), GUEST_ADDR(vec_late_ts, insn), false,
		       NM_VECTOR);
	run_late_fault(GUEST(vec_late_osfxsr), GUEST_ADDR(vec_late_osfxsr, insn),
		       true, UD_VECTOR);
}

static void need_readonly_mem(struct vm *vm)
{
	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0)
		SKIP("no KVM_CAP_READONLY_MEM");
}

/* Reads see a read-only slot's memory; writes exit with the data, change nothing. */
TEST(readonly_slot)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(mmio_ro), 0, &vcpu);
	uint64_t *r = guest_report(vm);
	uint8_t *ro, before[64];

	need_readonly_mem(vm);
	ro = vm_mem_add(vm, 1, RO_GPA, RO_SIZE, KVM_MEM_READONLY);
	*(uint64_t *)ro = 0xaabbccddeeff0011ULL;
	*(uint64_t *)(ro + 8) = 0x1111111111111111ULL;
	ro[0x10] = 0x42;
	memcpy(before, ro, sizeof(before));

	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, RO_GPA + 8, 8, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0x0102030405060708ULL);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, RO_GPA + 0x10, 1, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0x99);
	vcpu_run_to_hlt(vcpu);

	EXPECT_EQ(r[0], 0xaabbccddeeff0011ULL);
	EXPECT_EQ(r[1], 0x1111111111111111ULL);
	EXPECT_EQ(r[2], 0x42);
	EXPECT_EQ(memcmp(ro, before, sizeof(before)), 0);
}

/* Code runs from a read-only slot; its store to that slot exits as MMIO. */
TEST(readonly_slot_code)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(mmio_ro_code), 0, &vcpu);
	struct kvm_regs regs;
	uint8_t *ro;

	need_readonly_mem(vm);
	ro = vm_mem_add(vm, 1, RO_GPA, RO_SIZE, KVM_MEM_READONLY);
	memcpy(ro, mmio_ro_code_start, GUEST_SIZE(GUEST(mmio_ro_code)));
	*(uint32_t *)(ro + 0x100) = 0x5a5a5a5a;
	vcpu_regs_get(vcpu, &regs);
	regs.rip = RO_GPA;
	vcpu_regs_set(vcpu, &regs);

	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, RO_GPA + 0x100, 4, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0xc0de);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*(uint32_t *)guest_report(vm), 0x5a5a5a5a);
	EXPECT_EQ(*(uint32_t *)(ro + 0x100), 0x5a5a5a5a);
	EXPECT_EQ(vcpu_rip(vcpu), RO_GPA + GUEST_SIZE(GUEST(mmio_ro_code)));
}

/*
 * RIP at the exit, as KVM's x86_emulate_instruction() leaves it: a store
 * has completed when its exit is out (RIP past the instruction, for every
 * exit of it: a 16-byte SSE store, an access split at a page boundary);
 * a load has not (RIP on the instruction, its destination register not yet
 * written); a read-modify-write exits at RIP for the read and past the
 * instruction for the write. (mmio_rip_*)
 */
static void expect_rip_regs(struct vcpu *vcpu, uint64_t rip, uint64_t rcx)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rip, rip);
	EXPECT_EQ(regs.rcx, rcx);
}

static struct vcpu *rip_guest(struct guest_code code, uint64_t rbx,
			      uint64_t *end)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;

	guest_new(VM_MODE_LONG, code, 0, &vcpu);
	*end = vcpu_load_insn(vcpu, code);
	vcpu_regs_get(vcpu, &regs);
	regs.rax = RAX0;
	regs.rbx = rbx;
	regs.rcx = RCX0;
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}

TEST(rip_at_exit_mov)
{
	struct vcpu *vcpu;
	uint64_t end;

	TH_LOG("store");
	vcpu = rip_guest(GUEST(mmio64_st_l), MMIO_ADDR, &end);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 4, true);
	expect_rip_regs(vcpu, end, RCX0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), end + 1);

	TH_LOG("load");
	vcpu = rip_guest(GUEST(mmio64_ld_l), MMIO_ADDR, &end);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 4, false);
	expect_rip_regs(vcpu, GUEST_CODE_GPA, RCX0);
	vcpu_mmio_reply(vcpu, 0x12345678);
	vcpu_run_to_hlt(vcpu);
	expect_rip_regs(vcpu, end + 1, 0x12345678);

	TH_LOG("read-modify-write");
	vcpu = rip_guest(GUEST(mmio64_or_imm_l), MMIO_ADDR, &end);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 4, false);
	expect_rip_regs(vcpu, GUEST_CODE_GPA, RCX0);
	vcpu_mmio_reply(vcpu, 0x100);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 4, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0x10f);
	expect_rip_regs(vcpu, end, RCX0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), end + 1);
}

/* Two exits for one instruction: across a page, and 16 bytes of SSE. */
TEST(rip_at_exit_two_exits)
{
	uint64_t split = GUEST_MMIO_GPA + 0xffe, end;
	struct vcpu *vcpu;

	TH_LOG("store across a page");
	vcpu = rip_guest(GUEST(mmio64_st_l), split, &end);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, split, 2, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0x7788);
	expect_rip_regs(vcpu, end, RCX0);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, split + 2, 2, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), 0x5566);
	expect_rip_regs(vcpu, end, RCX0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(vcpu_rip(vcpu), end + 1);

	TH_LOG("load across a page");
	vcpu = rip_guest(GUEST(mmio64_ld_l), split, &end);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, split, 2, false);
	expect_rip_regs(vcpu, GUEST_CODE_GPA, RCX0);
	vcpu_mmio_reply(vcpu, 0x3344);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, split + 2, 2, false);
	expect_rip_regs(vcpu, GUEST_CODE_GPA, RCX0);
	vcpu_mmio_reply(vcpu, 0x1122);
	vcpu_run_to_hlt(vcpu);
	expect_rip_regs(vcpu, end + 1, 0x11223344);

	TH_LOG("16-byte SSE store");
	vcpu = rip_guest(GUEST(vec64_movdqu_st), MMIO_ADDR, &end);
	end = GUEST_ADDR(vec64_movdqu_st, next);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 8, true);
	expect_rip_regs(vcpu, end, RCX0);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR + 8, 8, true);
	expect_rip_regs(vcpu, end, RCX0);
	vcpu_run_to_hlt(vcpu);

	TH_LOG("16-byte SSE load");
	vcpu = rip_guest(GUEST(vec64_movdqu_ld), MMIO_ADDR, &end);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR, 8, false);
	expect_rip_regs(vcpu, GUEST_CODE_GPA, RCX0);
	vcpu_mmio_reply(vcpu, 1);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, MMIO_ADDR + 8, 8, false);
	expect_rip_regs(vcpu, GUEST_CODE_GPA, RCX0);
	vcpu_mmio_reply(vcpu, 2);
	vcpu_run_to_hlt(vcpu);
}

/*
 * String moves with MMIO (MOVS, STOS; REP or not; RAM to MMIO, MMIO to RAM,
 * MMIO to MMIO; DF 0 and 1; address sizes 64, 32 and 16; an element across
 * a page; RCX 0), as KVM's emulator runs them: one element per exit. A read
 * from MMIO exits with the registers as before the element and RIP on the
 * instruction; a write to MMIO exits with the element done (rSI, rDI, rCX
 * moved on), RIP past the instruction without REP and on it with REP, even
 * after the last element (the guest then runs it once more with rCX 0).
 * The expected sequence is computed from that model.
 */
#define STR_SRC		(GUEST_FREE_GPA)		/* RAM source */
#define STR_DST		(GUEST_FREE_GPA + 0x2000)	/* RAM destination */
#define STR_M		GUEST_MMIO_GPA

DECLARE_GUEST(str64_rep_stosl);
DECLARE_GUEST(str64_rep_stosw);
DECLARE_GUEST(str64_rep_movsb);
DECLARE_GUEST(str64_rep_movsl);
DECLARE_GUEST(str64_rep_movsq);
DECLARE_GUEST(str64_movsl);
DECLARE_GUEST(str64_stosb);
DECLARE_GUEST(str64_a32_rep_stosl);
DECLARE_GUEST(str64_a32_rep_movsw);
DECLARE_GUEST(str32_rep_movsw);
DECLARE_GUEST(str32_rep_stosb);
DECLARE_GUEST(str32_a16_rep_stosw);
DECLARE_GUEST(str32_a16_rep_movsb);

struct str_case {
	const char *name;
	struct guest_code code;
	enum vm_mode mode;
	uint8_t size, asize;	/* element and address size */
	bool movs, rep, df;
	uint64_t rsi, rdi, rcx;
	uint64_t seg_base;	/* DS and ES base (32-bit mode) */
};

#define STR(g, m, size, asize, movs, rep, df, rsi, rdi, rcx, base)	\
	{ #g, GUEST(g), VM_MODE_##m, size, asize, movs, rep, df, rsi, rdi, \
	  rcx, base }

/* KVM's assign_register(): 16-bit keeps the rest, 32-bit zero-extends. */
static uint64_t str_assign(uint64_t reg, uint64_t val, unsigned int asize)
{
	switch (asize) {
	case 2: return (reg & ~0xffffULL) | (val & 0xffff);
	case 4: return (uint32_t)val;
	default: return val;
	}
}

static uint64_t str_mask(unsigned int bytes)
{
	return bytes == 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

static uint64_t str_la(const struct str_case *c, uint64_t reg)
{
	uint64_t la = c->seg_base + (reg & str_mask(c->asize));

	return c->mode == VM_MODE_LONG ? la : (uint32_t)la;
}

static bool str_mmio(uint64_t la)
{
	return la >= GUEST_MMIO_GPA && la < GUEST_MMIO_GPA + 0x10000000ULL;
}

static void str_expect_regs(struct vcpu *vcpu, uint64_t rip, uint64_t rsi,
			    uint64_t rdi, uint64_t rcx)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	if (regs.rip != rip || regs.rsi != rsi || regs.rdi != rdi ||
	    regs.rcx != rcx)
		TH_FAIL("registers rip %#llx rsi %#llx rdi %#llx rcx %#llx, "
			"expected %#llx %#llx %#llx %#llx",
			(unsigned long long)regs.rip, (unsigned long long)regs.rsi,
			(unsigned long long)regs.rdi, (unsigned long long)regs.rcx,
			(unsigned long long)rip, (unsigned long long)rsi,
			(unsigned long long)rdi, (unsigned long long)rcx);
}

/* The exits of one access of size bytes at la (split at a page boundary). */
static void str_access(struct vcpu *vcpu, uint64_t la, unsigned int size,
		       bool write, uint64_t *value, uint64_t rip, uint64_t rsi,
		       uint64_t rdi, uint64_t rcx)
{
	unsigned int off = 0;

	while (off < size) {
		unsigned int len = size - off;

		if (!off && (la & 0xfff) + size > 0x1000)
			len = 0x1000 - (la & 0xfff);
		vcpu_run(vcpu);
		ASSERT_MMIO(vcpu, la + off, len, write);
		str_expect_regs(vcpu, rip, rsi, rdi, rcx);
		if (write) {
			uint64_t want = (*value >> (off * 8)) & str_mask(len);

			if (vcpu_mmio_value(vcpu) != want)
				TH_FAIL("write data %#llx, expected %#llx",
					(unsigned long long)vcpu_mmio_value(vcpu),
					(unsigned long long)want);
		} else {
			vcpu_mmio_reply(vcpu, (*value >> (off * 8)) & str_mask(len));
		}
		off += len;
	}
}

static void run_str_case(const struct str_case *c)
{
	uint64_t rsi = c->rsi, rdi = c->rdi, rcx = c->rcx, n, i, end;
	uint64_t amask = str_mask(c->asize), vmask = str_mask(c->size);
	uint64_t ram_dst[16] = { 0 }, ram_la[16] = { 0 };
	int64_t step = c->df ? -(int64_t)c->size : c->size;
	unsigned int nram = 0;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	uint8_t *src;

	TH_LOG("case %s", c->name);
	vm = guest_new(c->mode, c->code, 0, &vcpu);
	end = vcpu_load_insn(vcpu, c->code);
	src = vm_ptr(vm, STR_SRC);
	for (i = 0; i < 0x2000; i++)
		src[i] = 0x40 + (i & 0x3f);
	memset(vm_ptr(vm, STR_DST), 0, 0x1000);
	if (c->seg_base) {
		vcpu_sregs_get(vcpu, &sregs);
		sregs.ds.base = c->seg_base;
		sregs.es.base = c->seg_base;
		vcpu_sregs_set(vcpu, &sregs);
	}
	vcpu_regs_get(vcpu, &regs);
	regs.rax = RAX0;
	regs.rsi = rsi;
	regs.rdi = rdi;
	regs.rcx = rcx;
	if (c->df)
		regs.rflags |= X86_EFLAGS_DF;
	vcpu_regs_set(vcpu, &regs);

	n = c->rep ? rcx & amask : 1;
	for (i = 0; i < n; i++) {
		uint64_t sla = str_la(c, rsi), dla = str_la(c, rdi), value;

		if (!c->movs) {
			value = RAX0 & vmask;
		} else if (str_mmio(sla)) {
			value = (0x8877665544332211ULL + i * 0x0101010101010101ULL) &
				vmask;
			str_access(vcpu, sla, c->size, false, &value,
				   GUEST_CODE_GPA, rsi, rdi, rcx);
		} else {
			value = 0;
			memcpy(&value, vm_ptr(vm, sla), c->size);
		}
		if (c->movs)
			rsi = str_assign(rsi, rsi + step, c->asize);
		rdi = str_assign(rdi, rdi + step, c->asize);
		if (c->rep)
			rcx = str_assign(rcx, rcx - 1, c->asize);
		if (str_mmio(dla)) {
			str_access(vcpu, dla, c->size, true, &value,
				   c->rep ? GUEST_CODE_GPA : end, rsi, rdi, rcx);
		} else if (nram < 16) {
			ram_la[nram] = dla;
			ram_dst[nram++] = value;
		}
	}
	vcpu_run_to_hlt(vcpu);
	str_expect_regs(vcpu, end + 1, rsi, rdi, rcx);
	for (i = 0; i < nram; i++) {
		uint64_t got = 0;

		memcpy(&got, vm_ptr(vm, ram_la[i]), c->size);
		if (got != ram_dst[i])
			TH_FAIL("RAM at %#llx: %#llx, expected %#llx",
				(unsigned long long)ram_la[i],
				(unsigned long long)got,
				(unsigned long long)ram_dst[i]);
	}
}

#define RUN_STR(...)							\
	do {								\
		static const struct str_case cases[] = { __VA_ARGS__ };	\
		size_t i;						\
									\
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)	\
			run_str_case(&cases[i]);			\
	} while (0)

TEST(string_stos)
{
	RUN_STR(STR(str64_rep_stosl, LONG, 4, 8, false, true, false,
		    0, STR_M + 0x100, 3, 0),
		STR(str64_rep_stosw, LONG, 2, 8, false, true, true,
		    0, STR_M + 0x110, 3, 0),
		STR(str64_stosb, LONG, 1, 8, false, false, false,
		    0, STR_M + 0x120, 5, 0),
		/* RCX 0: nothing happens, no exit. */
		STR(str64_rep_stosl, LONG, 4, 8, false, true, false,
		    0, STR_M + 0x100, 0, 0),
		STR(str32_rep_stosb, PROT32, 1, 4, false, true, true,
		    0, STR_M + 0x210, 2, 0));
}

TEST(string_movs)
{
	RUN_STR(STR(str64_rep_movsb, LONG, 1, 8, true, true, false,
		    STR_SRC + 1, STR_M + 0x130, 3, 0),
		STR(str64_rep_movsl, LONG, 4, 8, true, true, true,
		    STR_M + 0x140, STR_DST + 0x40, 3, 0),
		STR(str64_movsl, LONG, 4, 8, true, false, false,
		    STR_M + 0x150, STR_M + 0x160, 7, 0),
		STR(str32_rep_movsw, PROT32, 2, 4, true, true, false,
		    STR_M + 0x200, STR_DST + 0x100, 2, 0));
}

/* An element across a page: one exit per page, as any access. */
TEST(string_page_cross)
{
	RUN_STR(STR(str64_rep_movsq, LONG, 8, 8, true, true, false,
		    STR_M + 0xffc, STR_DST, 2, 0),
		STR(str64_rep_stosl, LONG, 4, 8, false, true, false,
		    0, STR_M + 0x1ffe, 2, 0));
}

/*
 * Address sizes: 32-bit in 64-bit mode (rSI, rDI, rCX zero-extend as they
 * move), 16-bit in 32-bit mode (they wrap at 64 KiB, bits 31:16 stay), with
 * DS and ES based in MMIO.
 */
TEST(string_address_size)
{
	RUN_STR(STR(str64_a32_rep_stosl, LONG, 4, 4, false, true, false,
		    0, 0xffffffff00000000ULL | (STR_M + 0x170),
		    0xffffffff00000002ULL, 0),
		STR(str64_a32_rep_movsw, LONG, 2, 4, true, true, false,
		    0x1234567800000000ULL | (STR_M + 0x180),
		    0xabcd000000000000ULL | (STR_DST + 0x80), 2, 0),
		STR(str32_a16_rep_stosw, PROT32, 2, 2, false, true, false,
		    0, 0x1234fffc, 0x56780003, STR_M),
		STR(str32_a16_rep_movsb, PROT32, 1, 2, true, true, true,
		    0x10, 0x20, 2, STR_M + 0x300));
}

/*
 * The last element of a string move from MMIO to RAM completes at the next
 * KVM_RUN; completed with immediate_exit (no guest instruction runs after
 * it), the registers show it done, and RIP is past a MOVS but still on a
 * REP MOVS (measured on kvm_amd: its emulator leaves RIP there, and the
 * guest runs the instruction once more with rCX 0).
 */
TEST(string_read_completion)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t end;
	int rep;

	for (rep = 0; rep < 2; rep++) {
		struct guest_code code = rep ? GUEST(str64_rep_movsl) :
					       GUEST(str64_movsl);

		TH_LOG("%s", rep ? "rep movsl" : "movsl");
		vm = guest_new(VM_MODE_LONG, code, 0, &vcpu);
		end = vcpu_load_insn(vcpu, code);
		vcpu_regs_get(vcpu, &regs);
		regs.rsi = STR_M + 0x400;
		regs.rdi = STR_DST;
		regs.rcx = rep ? 2 : 9;
		vcpu_regs_set(vcpu, &regs);
		if (rep) {
			vcpu_run(vcpu);
			ASSERT_MMIO(vcpu, STR_M + 0x400, 4, false);
			vcpu_mmio_reply(vcpu, 0x11111111);
		}
		vcpu_run(vcpu);
		ASSERT_MMIO(vcpu, STR_M + 0x400 + 4 * rep, 4, false);
		vcpu_mmio_reply(vcpu, 0x22222222);
		ASSERT_TRUE(vcpu_complete_io(vcpu));
		str_expect_regs(vcpu, rep ? GUEST_CODE_GPA : end,
				STR_M + 0x404 + 4 * rep,
				STR_DST + 4 + 4 * rep, rep ? 0 : 9);
		EXPECT_EQ(*(uint32_t *)vm_ptr(vm, STR_DST + 4 * rep), 0x22222222);
		vcpu_run_to_hlt(vcpu);
		EXPECT_EQ(vcpu_rip(vcpu), end + 1);
	}
}
