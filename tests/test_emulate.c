// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_emulate.c - unit tests of kmod/emulate.c, the x86 decoder/emulator.
 *
 * The oracle is the host CPU: each 64-bit instruction form is assembled into
 * an executable page and run natively on a buffer with chosen registers and
 * flags, then emulated from the same bytes and the same state; registers,
 * RFLAGS (but the bits the SDM leaves undefined), RIP, the memory operand's
 * address and the bytes written must all agree. 16- and 32-bit decoding is
 * checked against byte sequences from `as --32` (.code16/.code32), lengths
 * confirmed by `objdump -d -M i8086`. A fuzzer feeds random bytes, each
 * buffer exactly as long as the decoder is told (build with ASan, or run
 * `make valgrind`, to see any read past it).
 */
#define _GNU_SOURCE

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "emulate.h"

/*
 * Valgrind's CPU cannot run a few rare forms (66 0F B7, 63 without REX.W,
 * 67 A0-A3, two segment prefixes): under it, those native runs are skipped.
 */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND RUNNING_ON_VALGRIND
#else
#define UNDER_VALGRIND 0
#endif

#ifndef __x86_64__
#error "test_emulate runs instructions natively: x86-64 hosts only"
#endif

#define N(a) ((int)(sizeof(a) / sizeof(*(a))))

#define CF MV_RFLAGS_CF
#define PF MV_RFLAGS_PF
#define AF MV_RFLAGS_AF
#define ZF MV_RFLAGS_ZF
#define SF MV_RFLAGS_SF
#define OF MV_RFLAGS_OF

#define M16 MV_EMU_MODE16
#define M32 MV_EMU_MODE32
#define M64 MV_EMU_MODE64

#define NOREG MV_REG_NONE
#define RAX MV_REG_RAX
#define RCX MV_REG_RCX
#define RDX MV_REG_RDX
#define RBX MV_REG_RBX
#define RSP MV_REG_RSP
#define RBP MV_REG_RBP
#define RSI MV_REG_RSI
#define RDI MV_REG_RDI

/* xorshift64*: deterministic, seeded per test. */
static u64 rnd_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static u64 mask_of(unsigned int size)
{
	return ~0ULL >> (64 - 8 * size);
}

static u64 load_le(const u8 *p, unsigned int size)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

static void store_le(u8 *p, unsigned int size, u64 v)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* ==== Running one instruction natively ==== */

/*
 * The executable area, below 2 GB (MAP_32BIT) so that disp32, [eip+disp]
 * and 32-bit addresses can reach the data page.
 */
struct jit {
	u8 code[4096];
	u8 data[4096];
	u64 host_rsp;
	u64 out_rax;
	u64 out_rsp;
	u64 out_rflags;
};

struct nstate {
	u64 gpr[16];
	u64 rflags;
};

static struct jit *J;

static void jit_setup(void)
{
	void *p = mmap(NULL, sizeof(struct jit), PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	J = p;
}

static void jit_teardown(void)
{
	munmap(J, sizeof(struct jit));
	J = NULL;
}

struct code {
	u8 *p;
	unsigned int n;
};

static void emit(struct code *c, const void *b, unsigned int n)
{
	memcpy(c->p + c->n, b, n);
	c->n += n;
}

static void emit8(struct code *c, u8 b)
{
	emit(c, &b, 1);
}

static void emit_le(struct code *c, u64 v, unsigned int n)
{
	store_le(c->p + c->n, n, v);
	c->n += n;
}

/* mov r64, [rdi+d32] (load) or mov [rax+d32], r64 (store). */
static void emit_gpr_move(struct code *c, unsigned int r, bool store)
{
	emit8(c, 0x48 | (r >= 8 ? 4 : 0));
	emit8(c, store ? 0x89 : 0x8b);
	emit8(c, 0x80 | ((r & 7) << 3) | (store ? 0 : 7));
	emit_le(c, 8 * r, 4);
}

/*
 * Prologue: save callee-saved registers and the state pointer, remember RSP,
 * load RFLAGS and every GPR but RSP from the state (RDI last). The test
 * instruction never changes RSP: the stack stays valid for valgrind.
 */
static void emit_prologue(struct code *c)
{
	static const u8 pushes[] = {
		0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, 0x57,
	};
	unsigned int r;

	emit(c, pushes, sizeof(pushes));
	emit8(c, 0x48);					/* movabs rax, &host_rsp */
	emit8(c, 0xb8);
	emit_le(c, (u64)(uintptr_t)&J->host_rsp, 8);
	emit(c, "\x48\x89\x20", 3);			/* mov [rax], rsp */
	emit(c, "\xff\xb7\x80\x00\x00\x00", 6);	/* push [rdi+128] */
	emit8(c, 0x9d);					/* popfq */
	for (r = 0; r < 16; r++)
		if (r != RSP && r != RDI)
			emit_gpr_move(c, r, false);
	emit_gpr_move(c, RDI, false);
}

/* Epilogue: save RAX, RSP and RFLAGS through absolute moffs, then the rest. */
static void emit_epilogue(struct code *c)
{
	static const u8 pops[] = {
		0x5f, 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3,
	};
	unsigned int r;

	emit(c, "\x48\xa3", 2);				/* mov [out_rax], rax */
	emit_le(c, (u64)(uintptr_t)&J->out_rax, 8);
	emit(c, "\x48\x89\xe0", 3);			/* mov rax, rsp */
	emit(c, "\x48\xa3", 2);
	emit_le(c, (u64)(uintptr_t)&J->out_rsp, 8);
	emit(c, "\x48\xa1", 2);				/* mov rax, [host_rsp] */
	emit_le(c, (u64)(uintptr_t)&J->host_rsp, 8);
	emit(c, "\x48\x89\xc4", 3);			/* mov rsp, rax */
	emit(c, "\x9c\x58", 2);				/* pushfq; pop rax */
	emit(c, "\x48\xa3", 2);
	emit_le(c, (u64)(uintptr_t)&J->out_rflags, 8);
	emit(c, "\x48\x8b\x04\x24", 4);			/* mov rax, [rsp] */
	for (r = 1; r < 16; r++)
		if (r != RSP)
			emit_gpr_move(c, r, true);
	emit(c, pops, sizeof(pops));
}

/* Where the instruction under test goes: right after the prologue. */
static u8 *insn_slot(void)
{
	struct code c = { .p = J->code };

	emit_prologue(&c);
	return J->code + c.n;
}

/*
 * Run insn (already written at insn_slot()) on st. st->gpr[RSP] is ignored
 * on the way in and set to the real RSP the instruction saw.
 */
static void run_native(unsigned int insn_len, struct nstate *st)
{
	struct code c = { .p = J->code };
	void (*fn)(struct nstate *state);

	emit_prologue(&c);
	c.n += insn_len;
	emit_epilogue(&c);
	fn = (void (*)(struct nstate *))(void *)J->code;
	fn(st);
	st->gpr[RAX] = J->out_rax;
	st->gpr[RSP] = J->out_rsp;
	st->rflags = J->out_rflags;
	ck_assert_uint_eq(J->out_rsp, J->host_rsp);
}

/* ==== Native tables: instruction forms and memory operand forms ==== */

/* entry.kind */
#define K_LOCK		(1 << 0)	/* LOCK prefix allowed */
#define K_BTREG		(1 << 1)	/* register bit offset: keep in range */
#define K_CMPXCHG	(1 << 2)	/* make RAX equal the operand half the time */
#define K_MOFFS		(1 << 3)	/* A0-A3: no ModRM */
#define K_NOVG		(1 << 4)	/* valgrind cannot run it */
#define K_CMPXCHG8B	(1 << 5)	/* 8-byte operand, EDX:EAX */

struct entry {
	char name[40];
	u8 op[2];
	u8 nop;
	s8 ext;		/* ModRM.reg opcode extension, or -1: register operand */
	u8 size;	/* operand size (66, REX.W from it) */
	u8 regsize;	/* size of the register operand (1 for byte forms) */
	u8 imm;		/* immediate bytes */
	bool rex;	/* force a REX prefix (SPL..DIL instead of AH..BH) */
	u8 kind;
	u64 undef;	/* RFLAGS bits the SDM leaves undefined */
};

#define MAX_ENTRIES 320
static struct entry entries[MAX_ENTRIES];
static int n_entries;

static void add_entry(const char *name, const u8 *op, unsigned int nop, int ext,
		      unsigned int size, unsigned int regsize, unsigned int imm,
		      bool rex, unsigned int kind, u64 undef)
{
	struct entry *e = &entries[n_entries++];
	static const char * const sz[] = { "", "b", "w", "", "l", "", "", "", "q" };

	if (n_entries > MAX_ENTRIES)
		abort();
	snprintf(e->name, sizeof(e->name), "%s%s%s", name, sz[size],
		 rex ? " rex" : "");
	memcpy(e->op, op, nop);
	e->nop = (u8)nop;
	e->ext = (s8)ext;
	e->size = (u8)size;
	e->regsize = (u8)regsize;
	e->imm = (u8)imm;
	e->rex = rex;
	e->kind = (u8)kind;
	e->undef = undef;
}

/* A byte form, with and without REX; or the 16/32/64-bit forms. */
static void add_b(const char *name, u8 op, int ext, unsigned int imm,
		  unsigned int kind, u64 undef)
{
	add_entry(name, &op, 1, ext, 1, 1, imm, false, kind, undef);
	add_entry(name, &op, 1, ext, 1, 1, imm, true, kind, undef);
}

static void add_v(const char *name, const u8 *op, unsigned int nop, int ext,
		  bool immz, unsigned int imm8, unsigned int kind, u64 undef)
{
	static const u8 sizes[] = { 2, 4, 8 };
	unsigned int i, imm;

	for (i = 0; i < 3; i++) {
		imm = immz ? (sizes[i] == 2 ? 2 : 4) : imm8;
		add_entry(name, op, nop, ext, sizes[i], sizes[i], imm, false,
			  kind, undef);
	}
}

static void add_v1(const char *name, u8 op, int ext, bool immz,
		   unsigned int imm8, unsigned int kind, u64 undef)
{
	add_v(name, &op, 1, ext, immz, imm8, kind, undef);
}

static void build_entries(void)
{
	static const char * const alu[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
	static const u8 bt_ops[] = { 0xa3, 0xab, 0xb3, 0xbb };
	static const char * const bt[] = { "bt", "bts", "btr", "btc" };
	const u64 logic = AF, bitu = OF | SF | ZF | AF | PF;
	unsigned int i, lk, sz;
	char name[32];
	u64 u;
	u8 op[2];

	n_entries = 0;
	for (i = 0; i < 8; i++) {
		u = (i == 1 || i == 4 || i == 6) ? logic : 0;
		lk = i == 7 ? 0 : K_LOCK;
		snprintf(name, sizeof(name), "%s m,r ", alu[i]);
		add_b(name, (u8)(i << 3), -1, 0, lk, u);
		add_v1(name, (u8)(i << 3 | 1), -1, false, 0, lk, u);
		snprintf(name, sizeof(name), "%s r,m ", alu[i]);
		add_b(name, (u8)(i << 3 | 2), -1, 0, 0, u);
		add_v1(name, (u8)(i << 3 | 3), -1, false, 0, 0, u);
		snprintf(name, sizeof(name), "%s m,imm ", alu[i]);
		add_entry(name, (u8 []){ 0x80 }, 1, (int)i, 1, 1, 1, false, lk, u);
		add_v1(name, 0x81, (int)i, true, 0, lk, u);
		snprintf(name, sizeof(name), "%s m,imm8 ", alu[i]);
		add_v1(name, 0x83, (int)i, false, 1, lk, u);
	}
	add_b("test m,r ", 0x84, -1, 0, 0, logic);
	add_v1("test m,r ", 0x85, -1, false, 0, 0, logic);
	add_entry("test m,imm ", (u8 []){ 0xf6 }, 1, 0, 1, 1, 1, false, 0, logic);
	add_v1("test m,imm ", 0xf7, 0, true, 0, 0, logic);
	add_entry("not ", (u8 []){ 0xf6 }, 1, 2, 1, 1, 0, false, K_LOCK, 0);
	add_v1("not ", 0xf7, 2, false, 0, K_LOCK, 0);
	add_entry("neg ", (u8 []){ 0xf6 }, 1, 3, 1, 1, 0, false, K_LOCK, 0);
	add_v1("neg ", 0xf7, 3, false, 0, K_LOCK, 0);
	add_entry("inc ", (u8 []){ 0xfe }, 1, 0, 1, 1, 0, false, K_LOCK, 0);
	add_v1("inc ", 0xff, 0, false, 0, K_LOCK, 0);
	add_entry("dec ", (u8 []){ 0xfe }, 1, 1, 1, 1, 0, false, K_LOCK, 0);
	add_v1("dec ", 0xff, 1, false, 0, K_LOCK, 0);
	add_b("xchg ", 0x86, -1, 0, K_LOCK, 0);
	add_v1("xchg ", 0x87, -1, false, 0, K_LOCK, 0);
	add_entry("cmpxchg ", (u8 []){ 0x0f, 0xb0 }, 2, -1, 1, 1, 0, false,
		  K_LOCK | K_CMPXCHG, 0);
	add_entry("cmpxchg ", (u8 []){ 0x0f, 0xb0 }, 2, -1, 1, 1, 0, true,
		  K_LOCK | K_CMPXCHG, 0);
	add_v("cmpxchg ", (u8 []){ 0x0f, 0xb1 }, 2, -1, false, 0,
	      K_LOCK | K_CMPXCHG, 0);
	add_entry("cmpxchg8b ", (u8 []){ 0x0f, 0xc7 }, 2, 1, 4, 4, 0, false,
		  K_LOCK | K_CMPXCHG8B, 0);
	for (i = 0; i < 4; i++) {
		lk = i ? K_LOCK : 0;
		snprintf(name, sizeof(name), "%s m,r ", bt[i]);
		op[0] = 0x0f;
		op[1] = bt_ops[i];
		add_v(name, op, 2, -1, false, 0, lk | K_BTREG, bitu);
		snprintf(name, sizeof(name), "%s m,imm8 ", bt[i]);
		op[1] = 0xba;
		add_v(name, op, 2, (int)(4 + i), false, 1, lk, bitu);
	}
	add_b("mov m,r ", 0x88, -1, 0, 0, 0);
	add_v1("mov m,r ", 0x89, -1, false, 0, 0, 0);
	add_b("mov r,m ", 0x8a, -1, 0, 0, 0);
	add_v1("mov r,m ", 0x8b, -1, false, 0, 0, 0);
	add_entry("mov m,imm ", (u8 []){ 0xc6 }, 1, 0, 1, 1, 1, false, 0, 0);
	add_v1("mov m,imm ", 0xc7, 0, true, 0, 0, 0);
	add_v("movzx8 ", (u8 []){ 0x0f, 0xb6 }, 2, -1, false, 0, 0, 0);
	add_entry("movzx16 ", (u8 []){ 0x0f, 0xb7 }, 2, -1, 2, 2, 0, false,
		  K_NOVG, 0);
	add_entry("movzx16 ", (u8 []){ 0x0f, 0xb7 }, 2, -1, 4, 4, 0, false, 0, 0);
	add_entry("movzx16 ", (u8 []){ 0x0f, 0xb7 }, 2, -1, 8, 8, 0, false, 0, 0);
	add_v("movsx8 ", (u8 []){ 0x0f, 0xbe }, 2, -1, false, 0, 0, 0);
	add_entry("movsx16 ", (u8 []){ 0x0f, 0xbf }, 2, -1, 2, 2, 0, false,
		  K_NOVG, 0);
	add_entry("movsx16 ", (u8 []){ 0x0f, 0xbf }, 2, -1, 4, 4, 0, false, 0, 0);
	add_entry("movsx16 ", (u8 []){ 0x0f, 0xbf }, 2, -1, 8, 8, 0, false, 0, 0);
	add_entry("movsxd ", (u8 []){ 0x63 }, 1, -1, 8, 8, 0, false, 0, 0);
	add_entry("movsxd ", (u8 []){ 0x63 }, 1, -1, 4, 4, 0, false, K_NOVG, 0);
	for (sz = 1; sz <= 8; sz *= 2) {
		add_entry("mov al,moffs ", (u8 []){ sz == 1 ? 0xa0 : 0xa1 }, 1,
			  -1, sz, sz, 0, false, K_MOFFS, 0);
		add_entry("mov moffs,al ", (u8 []){ sz == 1 ? 0xa2 : 0xa3 }, 1,
			  -1, sz, sz, 0, false, K_MOFFS, 0);
	}
}

/* How to address the operand: a ModRM/SIB form and the registers it uses. */
struct form {
	const char *name;
	bool a32;	/* 67 prefix: 32-bit address */
	u8 mod, rm;	/* rm 4: SIB */
	u8 sib;
	u8 rex;		/* REX.X / REX.B bits */
	u8 dsize;	/* displacement bytes */
	s8 breg, ireg;	/* base and index register, -1 for none */
	u8 scale;
	bool rip;
};

static const struct form forms[] = {
	{ "[rbx]",		false, 0, 3, 0, 0, 0, RBX, -1, 1, false },
	{ "[rbx+d8]",		false, 1, 3, 0, 0, 1, RBX, -1, 1, false },
	{ "[rbp+d32]",		false, 2, 5, 0, 0, 4, RBP, -1, 1, false },
	{ "[rsi+rcx*4+d8]",	false, 1, 4, 0x8e, 0, 1, RSI, RCX, 4, false },
	{ "[rdx*8+d32]",	false, 0, 4, 0xd5, 0, 4, -1, RDX, 8, false },
	{ "[rip+d32]",		false, 0, 5, 0, 0, 4, -1, -1, 1, true },
	{ "[r12+r13*2]",	false, 0, 4, 0x6c, 3, 0, 12, 13, 2, false },
	{ "[r13+d8]",		false, 1, 5, 0, 1, 1, 13, -1, 1, false },
	{ "[d32]",		false, 0, 4, 0x25, 0, 4, -1, -1, 1, false },
	{ "[r8+r9*8+d32]",	false, 2, 4, 0xc8, 3, 4, 8, 9, 8, false },
	{ "[ebx+d8] a32",	true, 1, 3, 0, 0, 1, RBX, -1, 1, false },
	{ "[ebp+esi*2] a32",	true, 1, 4, 0x75, 0, 1, RBP, RSI, 2, false },
	{ "[eip+d32] a32",	true, 0, 5, 0, 0, 4, -1, -1, 1, true },
	{ "[r14d*4+d32] a32",	true, 0, 4, 0xb5, 2, 4, -1, 14, 4, false },
};

/* Interesting operand values; each test walks all pairs, then random ones. */
static const u64 vals[] = {
	0, 1, 0x0f, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x55aa,
	0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, ~0ULL,
};

#define N_PAIRS (N(vals) * N(vals) * 2)
#define N_RANDOM 128
#define N_ITER (N_PAIRS + N_RANDOM)

/* Register operand candidates: not RSP (SPL, ESP...), which would move the stack. */
static const u8 regs_any[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static bool is_high_byte(unsigned int reg, unsigned int size, bool rex)
{
	return size == 1 && !rex && reg >= 4 && reg < 8;
}

/* Put val in the register operand, random bits elsewhere in the GPR. */
static void set_reg(struct nstate *st, unsigned int reg, unsigned int size, bool rex,
		    u64 val)
{
	u64 m = mask_of(size);

	if (is_high_byte(reg, size, rex))
		st->gpr[reg - 4] = (st->gpr[reg - 4] & ~0xff00ULL) | ((val & 0xff) << 8);
	else
		st->gpr[reg] = (st->gpr[reg] & ~m) | (val & m);
}

struct built {
	u8 bytes[MV_EMU_MAX_LEN + 4];
	unsigned int len;
	u64 target;	/* linear address of the operand */
};

/*
 * Encode e with form f and register operand reg into the slot, set the
 * address registers in st, and return the bytes.
 */
static void build(const struct entry *e, const struct form *f, unsigned int reg,
		  unsigned int prefix_variant, u64 imm, u64 *seed, struct nstate *st,
		  struct built *out)
{
	u8 *slot = insn_slot();
	struct code c = { .p = slot };
	unsigned int disp_at = 0, rex, regf;
	bool a32 = f->a32, has_rex;
	s64 k = 0, disp = 0;
	u64 t = out->target, base;

	switch (prefix_variant) {
	case 1:
		emit8(&c, 0x3e);	/* DS: a null prefix in 64-bit mode */
		break;
	case 2:
		if (e->kind & K_LOCK)
			emit8(&c, 0xf0);
		break;
	case 3:
		/* CS and ES: null too, the last does not cancel the first */
		if (!UNDER_VALGRIND)
			emit8(&c, 0x2e);
		emit8(&c, 0x26);
		break;
	}
	if (e->size == 2)
		emit8(&c, 0x66);
	if (e->kind & K_MOFFS)
		a32 = (prefix_variant & 1) && !UNDER_VALGRIND;
	if (a32)
		emit8(&c, 0x67);
	rex = (e->size == 8 ? 8 : 0) | (reg >= 8 ? 4 : 0);
	if (!(e->kind & K_MOFFS))
		rex |= f->rex;
	has_rex = rex || e->rex;
	if (has_rex)
		emit8(&c, 0x40 | rex);
	emit(&c, e->op, e->nop);

	if (e->kind & K_MOFFS) {
		emit_le(&c, t, a32 ? 4 : 8);
	} else {
		regf = e->ext >= 0 ? (unsigned int)e->ext : reg;
		emit8(&c, (u8)(f->mod << 6 | (regf & 7) << 3 | f->rm));
		if (f->rm == 4)
			emit8(&c, f->sib);
		if (f->ireg >= 0)
			k = (s64)(rnd_next(seed) % 17) - 8;
		if (f->dsize == 1)
			disp = (s64)(rnd_next(seed) % 256) - 128;
		else if (f->dsize == 4)
			disp = (s64)(rnd_next(seed) % 0x20000) - 0x10000;
		if (f->breg < 0 && !f->rip)
			disp = (s64)t - k * f->scale;	/* no base: absolute */
		disp_at = c.n;
		emit_le(&c, (u64)disp, f->dsize);
	}
	emit_le(&c, imm, e->imm);
	out->len = c.n;
	memcpy(out->bytes, slot, c.n);

	if (!(e->kind & K_MOFFS)) {
		if (f->rip) {
			disp = (s64)(t - ((u64)(uintptr_t)slot + c.n));
			store_le(slot + disp_at, 4, (u64)disp);
			store_le(out->bytes + disp_at, 4, (u64)disp);
		}
		if (f->ireg >= 0)
			st->gpr[f->ireg] = a32 ? (rnd_next(seed) << 32) | (u32)k : (u64)k;
		if (f->breg >= 0) {
			base = t - (u64)disp - (u64)k * f->scale;
			st->gpr[f->breg] = a32 ? (rnd_next(seed) << 32) | (u32)base : base;
		}
	}
}

/* Operand values of iteration i: all pairs of vals[], both CF, then random. */
static void iter_values(int i, u64 *seed, u64 *a, u64 *b, bool *cf)
{
	int n = N(vals);

	if (i < (int)N_PAIRS) {
		*cf = i & 1;
		*a = vals[(i >> 1) % n];
		*b = vals[(i >> 1) / n];
		return;
	}
	*cf = rnd_next(seed) & 1;
	*a = rnd_next(seed) >> (rnd_next(seed) % 64);
	*b = rnd_next(seed) >> (rnd_next(seed) % 64);
}

static void check_entry(const struct entry *e, int ei)
{
	u64 seed = 0x9e3779b97f4a7c15ULL ^ ((u64)ei << 32);
	u8 before[sizeof(J->data)], expect[sizeof(J->data)];
	int i, ret, r, step = 1;

	/*
	 * Under valgrind every run retranslates the rewritten code page: take
	 * one iteration in 7. Valgrind's CMPXCHG also writes EAX when equal,
	 * zero-extending RAX; the hardware does not (test_exec_modes).
	 */
	if (UNDER_VALGRIND) {
		if ((e->kind & K_NOVG) || ((e->kind & K_CMPXCHG) && e->size == 4))
			return;
		step = 7;
	}
	for (i = 0; i < N_ITER; i += step) {
		const struct form *f = &forms[(i * 7 + ei) % N(forms)];
		unsigned int reg = regs_any[(i * 5 + ei) % N(regs_any)];
		unsigned int pv = (unsigned int)(i >> 3) & 3;
		struct mv_emu_access acc, next;
		struct nstate st, nat;
		struct mv_emu_regs regs;
		struct mv_insn insn;
		struct built bt;
		u64 a, b, rf, ea, imm, rd;
		bool cf;

		iter_values(i, &seed, &a, &b, &cf);
		for (r = 0; r < 16; r++)
			st.gpr[r] = rnd_next(&seed);
		rf = (rnd_next(&seed) & MV_RFLAGS_ARITH & ~CF) | (cf ? CF : 0);
		st.rflags = 0x202 | rf;

		if (e->kind & K_MOFFS)
			reg = RAX;
		else if (e->regsize == 1 && !e->rex && !f->rex && (i & 16))
			reg = 4 + (i & 3);	/* AH CH DH BH */
		if (e->kind & K_BTREG) {
			while ((int)reg == f->breg || (int)reg == f->ireg)
				reg = regs_any[rnd_next(&seed) % N(regs_any)];
			b %= 8 * e->size;
		}
		imm = e->ext >= 0 ? b : 0;

		/* Memory: random bytes, the operand a at the target. */
		for (r = 0; r < (int)sizeof(before); r++)
			before[r] = (u8)rnd_next(&seed);
		bt.target = (u64)(uintptr_t)J->data + 64 + (i % 8);
		store_le(before + 64 + (i % 8), e->kind & K_CMPXCHG8B ? 8 : e->size, a);
		memcpy(J->data, before, sizeof(before));

		if (e->ext < 0)
			set_reg(&st, reg, e->regsize, e->rex || reg >= 8, b);
		if ((e->kind & K_CMPXCHG) && (i & 2))
			set_reg(&st, RAX, e->size, true, a);
		if (e->kind & K_CMPXCHG8B) {
			imm = i & 2 ? a : b;	/* EDX:EAX */
			set_reg(&st, RAX, 4, true, imm);
			set_reg(&st, RDX, 4, true, imm >> 32);
		}
		build(e, f, reg, pv, imm, &seed, &st, &bt);

		nat = st;
		run_native(bt.len, &nat);

		/* The emulator, from the same bytes and state. */
		memcpy(regs.gpr, st.gpr, sizeof(regs.gpr));
		regs.gpr[RSP] = nat.gpr[RSP];
		regs.rip = (u64)(uintptr_t)insn_slot();
		regs.rflags = st.rflags;
		ret = mv_emu_decode(&insn, bt.bytes, bt.len, M64);
		ck_assert_msg(ret == 0, "%s %s: decode %d", e->name, f->name, ret);
		ck_assert_uint_eq(insn.len, bt.len);
		ck_assert_int_eq(mv_emu_mem_offset(&insn, &regs, &ea), 0);
		ck_assert_msg(ea == bt.target, "%s %s: ea %#llx, want %#llx", e->name,
			      f->name, (unsigned long long)ea,
			      (unsigned long long)bt.target);
		ret = mv_emu_start(&insn, &regs, &acc);
		ck_assert_msg(ret == 0, "%s %s: start %d", e->name, f->name, ret);

		memcpy(expect, before, sizeof(expect));
		if (acc.write) {
			store_le(expect + 64 + (i % 8), acc.size, acc.data);
			rd = rnd_next(&seed);	/* ignored after a store */
		} else {
			rd = load_le(before + 64 + (i % 8), acc.size);
			if (acc.size < 8)
				rd |= rnd_next(&seed) << (8 * acc.size);
		}
		ret = mv_emu_finish(&insn, &regs, rd, &next);
		ck_assert_msg(ret == 0 || ret == 1, "%s: finish %d", e->name, ret);
		if (ret == 1) {
			ck_assert(!acc.write && next.write);
			ck_assert_uint_eq(next.size, acc.size);
			store_le(expect + 64 + (i % 8), next.size, next.data);
		}

		for (r = 0; r < 16; r++)
			ck_assert_msg(regs.gpr[r] == nat.gpr[r],
				      "%s %s a=%#llx b=%#llx: gpr[%d] %#llx, cpu %#llx",
				      e->name, f->name, (unsigned long long)a,
				      (unsigned long long)b, r,
				      (unsigned long long)regs.gpr[r],
				      (unsigned long long)nat.gpr[r]);
		/* Only the status flags: under valgrind PUSHFQ shows no IF. */
		ck_assert_uint_eq(regs.rflags & ~MV_RFLAGS_ARITH,
				  st.rflags & ~MV_RFLAGS_ARITH);
		ck_assert_msg(((regs.rflags ^ nat.rflags) & MV_RFLAGS_ARITH &
			       ~e->undef) == 0,
			      "%s %s a=%#llx b=%#llx cf=%d: rflags %#llx, cpu %#llx",
			      e->name, f->name, (unsigned long long)a,
			      (unsigned long long)b, cf,
			      (unsigned long long)regs.rflags,
			      (unsigned long long)nat.rflags);
		ck_assert_uint_eq(regs.rip, (u64)(uintptr_t)insn_slot() + bt.len);
		ck_assert_msg(memcmp(expect, J->data, sizeof(expect)) == 0,
			      "%s %s a=%#llx b=%#llx: memory differs", e->name,
			      f->name, (unsigned long long)a, (unsigned long long)b);
	}
}

START_TEST(test_native)
{
	check_entry(&entries[_i], _i);
}
END_TEST

/* ==== Decoding: 16, 32 and 64-bit byte sequences from the assembler ==== */

struct dcase {
	int mode;
	const char *bytes;
	unsigned int n;
	u8 len, op, op_size, mem_size, addr_size, seg, base, index, scale;
	u64 disp;
};

#define D(m, b, ...) { m, b, sizeof(b) - 1, __VA_ARGS__ }
#define MOV MV_OP_MOV
#define VMOV MV_OP_VMOV
#define ES MV_SEG_ES
#define CS MV_SEG_CS
#define SS MV_SEG_SS
#define DS MV_SEG_DS
#define FS MV_SEG_FS
#define GS MV_SEG_GS

static const struct dcase dcases[] = {
	/* .code16 (as --32, objdump -M i8086) */
	D(M16, "\x8b\x00", 2, MOV, 2, 2, 2, DS, RBX, RSI, 1, 0),
	D(M16, "\x8a\x41\x05", 3, MOV, 1, 1, 2, DS, RBX, RDI, 1, 5),
	D(M16, "\x89\x4a\xfe", 3, MOV, 2, 2, 2, SS, RBP, RSI, 1, -2ULL),
	D(M16, "\x8b\x93\x34\x12", 4, MOV, 2, 2, 2, SS, RBP, RDI, 1, 0x1234),
	D(M16, "\x88\x1c", 2, MOV, 1, 1, 2, DS, NOREG, RSI, 1, 0),
	D(M16, "\x88\xa5\x80\x00", 4, MOV, 1, 1, 2, DS, NOREG, RDI, 1, 0x80),
	D(M16, "\xa1\x34\x12", 3, MOV, 2, 2, 2, DS, NOREG, NOREG, 1, 0x1234),
	D(M16, "\x8b\x1e\x34\x12", 4, MOV, 2, 2, 2, DS, NOREG, NOREG, 1, 0x1234),
	D(M16, "\x8b\x5e\x00", 3, MOV, 2, 2, 2, SS, RBP, NOREG, 1, 0),
	D(M16, "\x26\x89\x07", 3, MOV, 2, 2, 2, ES, RBX, NOREG, 1, 0),
	D(M16, "\x66\x8b\x07", 3, MOV, 4, 4, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\x67\x8b\x44\x88\x08", 5, MOV, 2, 2, 4, DS, RAX, RCX, 4, 8),
	D(M16, "\x67\x8b\x45\x04", 4, MOV, 2, 2, 4, SS, RBP, NOREG, 1, 4),
	D(M16, "\x66\x0f\xb6\x40\x01", 5, MV_OP_MOVZX, 4, 1, 2, DS, RBX, RSI, 1, 1),
	D(M16, "\x81\x07\x34\x12", 4, MV_OP_ADD, 2, 2, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\x83\x07\xff", 3, MV_OP_ADD, 2, 2, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\xf0\xfe\x04", 3, MV_OP_INC, 1, 1, 2, DS, NOREG, RSI, 1, 0),
	D(M16, "\xf3\x6f", 2, MV_OP_OUTS, 2, 2, 2, DS, RSI, NOREG, 1, 0),
	D(M16, "\xf3\x6c", 2, MV_OP_INS, 1, 1, 2, ES, RDI, NOREG, 1, 0),
	D(M16, "\x64\x6e", 2, MV_OP_OUTS, 1, 1, 2, FS, RSI, NOREG, 1, 0),
	D(M16, "\x0f\xb1\x0f", 3, MV_OP_CMPXCHG, 2, 2, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\x0f\xba\x2f\x03", 4, MV_OP_BTS, 2, 2, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\xf6\x07\x80", 3, MV_OP_TEST, 1, 1, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\xc6\x00\x12", 3, MOV, 1, 1, 2, DS, RBX, RSI, 1, 0),
	D(M16, "\xc7\x07\x34\x12", 4, MOV, 2, 2, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\x66\xc7\x07\x78\x56\x34\x12", 7, MOV, 4, 4, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\x87\x17", 2, MV_OP_XCHG, 2, 2, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\xa3\x10\x00", 3, MOV, 2, 2, 2, DS, NOREG, NOREG, 1, 0x10),
	D(M16, "\x67\xa3\x78\x56\x34\x12", 6, MOV, 2, 2, 4, DS, NOREG, NOREG, 1,
	  0x12345678),
	D(M16, "\x36\x8b\x07", 3, MOV, 2, 2, 2, SS, RBX, NOREG, 1, 0),
	D(M16, "\x3e\x8b\x46\x02", 4, MOV, 2, 2, 2, DS, RBP, NOREG, 1, 2),
	D(M16, "\x2e\x26\x8b\x07", 4, MOV, 2, 2, 2, ES, RBX, NOREG, 1, 0),

	/* .code32 */
	D(M32, "\x8b\x03", 2, MOV, 4, 4, 4, DS, RBX, NOREG, 1, 0),
	D(M32, "\xa1\x78\x56\x34\x12", 5, MOV, 4, 4, 4, DS, NOREG, NOREG, 1, 0x12345678),
	D(M32, "\x8b\x0d\x78\x56\x34\x12", 6, MOV, 4, 4, 4, DS, NOREG, NOREG, 1,
	  0x12345678),
	D(M32, "\x89\x44\x24\x04", 4, MOV, 4, 4, 4, SS, RSP, NOREG, 1, 4),
	D(M32, "\x89\x45\xf8", 3, MOV, 4, 4, 4, SS, RBP, NOREG, 1, -8ULL),
	D(M32, "\x8b\x04\x8d\x00\x01\x00\x00", 7, MOV, 4, 4, 4, DS, NOREG, RCX, 4, 0x100),
	D(M32, "\x8b\x44\x4d\x00", 4, MOV, 4, 4, 4, SS, RBP, RCX, 2, 0),
	D(M32, "\x66\x8b\x06", 3, MOV, 2, 2, 4, DS, RSI, NOREG, 1, 0),
	D(M32, "\x67\x66\x8b\x00", 4, MOV, 2, 2, 2, DS, RBX, RSI, 1, 0),
	D(M32, "\x67\x8a\x05", 3, MOV, 1, 1, 2, DS, NOREG, RDI, 1, 0),
	D(M32, "\xf0\x01\x18", 3, MV_OP_ADD, 4, 4, 4, DS, RAX, NOREG, 1, 0),
	D(M32, "\x65\x8b\x03", 3, MOV, 4, 4, 4, GS, RBX, NOREG, 1, 0),
	D(M32, "\x0f\xbf\x00", 3, MV_OP_MOVSX, 4, 2, 4, DS, RAX, NOREG, 1, 0),
	D(M32, "\x0f\xb1\x0e", 3, MV_OP_CMPXCHG, 4, 4, 4, DS, RSI, NOREG, 1, 0),
	D(M32, "\xf3\x6d", 2, MV_OP_INS, 4, 4, 4, ES, RDI, NOREG, 1, 0),
	D(M32, "\x26\x6e", 2, MV_OP_OUTS, 1, 1, 4, ES, RSI, NOREG, 1, 0),
	D(M32, "\x64\x6c", 2, MV_OP_INS, 1, 1, 4, ES, RDI, NOREG, 1, 0),
	D(M32, "\xa2\x78\x56\x34\x12", 5, MOV, 1, 1, 4, DS, NOREG, NOREG, 1, 0x12345678),
	D(M32, "\x67\xa2\x34\x12", 4, MOV, 1, 1, 2, DS, NOREG, NOREG, 1, 0x1234),
	D(M32, "\x0f\xa3\x0b", 3, MV_OP_BT, 4, 4, 4, DS, RBX, NOREG, 1, 0),
	D(M32, "\x0f\xba\x7b\x08\x21", 5, MV_OP_BTC, 4, 4, 4, DS, RBX, NOREG, 1, 8),
	D(M32, "\xf6\x5c\xf7\xff", 4, MV_OP_NEG, 1, 1, 4, DS, RDI, RSI, 8, -1ULL),
	D(M32, "\x86\x3b", 2, MV_OP_XCHG, 1, 1, 4, DS, RBX, NOREG, 1, 0),
	D(M32, "\xf0\x0f\xb1\x19", 4, MV_OP_CMPXCHG, 4, 4, 4, DS, RCX, NOREG, 1, 0),
	D(M32, "\x82\x03\x01", 3, MV_OP_ADD, 1, 1, 4, DS, RBX, NOREG, 1, 0),
	D(M32, "\xf0\x0f\xc7\x0e", 4, MV_OP_CMPXCHG8B, 4, 8, 4, DS, RSI, NOREG, 1, 0),
	D(M16, "\x0f\xc7\x4f\x04", 4, MV_OP_CMPXCHG8B, 4, 8, 2, DS, RBX, NOREG, 1, 4),

	/* .code64 */
	D(M64, "\x48\x8b\x05\x10\x00\x00\x00", 7, MOV, 8, 8, 8, DS, NOREG, NOREG, 1, 0x10),
	D(M64, "\x67\x8b\x05\x10\x00\x00\x00", 7, MOV, 4, 4, 4, DS, NOREG, NOREG, 1, 0x10),
	D(M64, "\x48\xa1\x88\x77\x66\x55\x44\x33\x22\x11", 10, MOV, 8, 8, 8, DS, NOREG,
	  NOREG, 1, 0x1122334455667788ULL),
	D(M64, "\x67\xa1\x44\x33\x22\x11", 6, MOV, 4, 4, 4, DS, NOREG, NOREG, 1,
	  0x11223344),
	D(M64, "\x4d\x8b\x04\x24", 4, MOV, 8, 8, 8, DS, 12, NOREG, 1, 0),
	D(M64, "\x45\x8b\x4d\x00", 4, MOV, 4, 4, 8, DS, 13, NOREG, 1, 0),
	D(M64, "\x4a\x8b\x04\x20", 4, MOV, 8, 8, 8, DS, RAX, 12, 1, 0),
	D(M64, "\x8b\x04\x24", 3, MOV, 4, 4, 8, SS, RSP, NOREG, 1, 0),
	D(M64, "\x40\x88\x30", 3, MOV, 1, 1, 8, DS, RAX, NOREG, 1, 0),
	D(M64, "\x64\x48\x8b\x03", 4, MOV, 8, 8, 8, FS, RBX, NOREG, 1, 0),
	D(M64, "\x26\x48\x8b\x03", 4, MOV, 8, 8, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\x65\x2e\x8b\x03", 4, MOV, 4, 4, 8, GS, RBX, NOREG, 1, 0),
	D(M64, "\x2e\x65\x8b\x03", 4, MOV, 4, 4, 8, GS, RBX, NOREG, 1, 0),
	D(M64, "\x48\x63\x03", 3, MV_OP_MOVSX, 8, 4, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\x63\x03", 2, MOV, 4, 4, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\xf0\x48\x0f\xb1\x37", 5, MV_OP_CMPXCHG, 8, 8, 8, DS, RDI, NOREG, 1, 0),
	D(M64, "\x48\x0f\xba\x20\x3f", 5, MV_OP_BT, 8, 8, 8, DS, RAX, NOREG, 1, 0),
	D(M64, "\x48\xc7\x00\xff\xff\xff\xff", 7, MOV, 8, 8, 8, DS, RAX, NOREG, 1, 0),
	D(M64, "\x48\x83\x80\x78\x56\x34\x12\x7f", 8, MV_OP_ADD, 8, 8, 8, DS, RAX,
	  NOREG, 1, 0x12345678),
	D(M64, "\x8b\x0c\xed\x78\x56\x34\x12", 7, MOV, 4, 4, 8, DS, NOREG, RBP, 8,
	  0x12345678),
	D(M64, "\x8b\x0c\x25\x78\x56\x34\x12", 7, MOV, 4, 4, 8, DS, NOREG, NOREG, 1,
	  0x12345678),
	D(M64, "\x66\x47\x8b\x6c\x6d\xfc", 6, MOV, 2, 2, 8, DS, 13, 13, 2, -4ULL),
	D(M64, "\x45\x86\x3b", 3, MV_OP_XCHG, 1, 1, 8, DS, 11, NOREG, 1, 0),
	D(M64, "\x64\xf0\x48\x81\x84\x88\x78\x56\x34\x12\x78\x56\x34\x12", 14,
	  MV_OP_ADD, 8, 8, 8, FS, RAX, RCX, 4, 0x12345678),
	/* 15 bytes: the limit. */
	D(M64, "\x64\x67\xf0\x48\x81\x84\x88\x78\x56\x34\x12\x78\x56\x34\x12", 15,
	  MV_OP_ADD, 8, 8, 4, FS, RAX, RCX, 4, 0x12345678),
	D(M64, "\xf3\x6e", 2, MV_OP_OUTS, 1, 1, 8, DS, RSI, NOREG, 1, 0),
	D(M64, "\xf3\x48\x6d", 3, MV_OP_INS, 4, 4, 8, ES, RDI, NOREG, 1, 0),
	/* REX then a legacy prefix: the REX is ignored (16-bit, not 64). */
	D(M64, "\x48\x66\x8b\x03", 4, MOV, 2, 2, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\x66\x48\x8b\x03", 4, MOV, 8, 8, 8, DS, RBX, NOREG, 1, 0),
	/* Two REX: the last counts. */
	D(M64, "\x41\x48\x8b\x03", 4, MOV, 8, 8, 8, DS, RBX, NOREG, 1, 0),
	/* SIB index 4 with REX.X is R12; base 5 with mod 0 and REX.B: no base. */
	D(M64, "\x43\x8b\x04\xa5\x00\x01\x00\x00", 8, MOV, 4, 4, 8, DS, NOREG, 12, 4,
	  0x100),
	/* ModRM rm 5 mod 0 with REX.B: still RIP-relative. */
	D(M64, "\x41\x8b\x05\xf0\xff\xff\xff", 7, MOV, 4, 4, 8, DS, NOREG, NOREG, 1,
	  -16ULL),
	/* Redundant prefixes. */
	D(M64, "\x66\x66\x66\x8b\x03", 5, MOV, 2, 2, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\xf2\xf0\x48\x01\x03", 5, MV_OP_ADD, 8, 8, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\xf3\x88\x03", 3, MOV, 1, 1, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\xf2\x87\x03", 3, MV_OP_XCHG, 4, 4, 8, DS, RBX, NOREG, 1, 0),

	/* MMX and SSE moves (as --64/--32, objdump -M i8086 for .code16). */
	D(M64, "\x0f\x6f\x03", 3, VMOV, 8, 8, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\x0f\x7f\x7b\x08", 4, VMOV, 8, 8, 8, DS, RBX, NOREG, 1, 8),
	D(M64, "\xf3\x44\x0f\x7f\x3c\x88", 6, VMOV, 16, 16, 8, DS, RAX, RCX, 4, 0),
	D(M64, "\x66\x0f\x6f\x53\x10", 5, VMOV, 16, 16, 8, DS, RBX, NOREG, 1, 0x10),
	D(M64, "\xf3\x44\x0f\x6f\x25\x10\x00\x00\x00", 9, VMOV, 16, 16, 8, DS,
	  NOREG, NOREG, 1, 0x10),
	/* REX.W changes no size; 66 after it cancels it, and is the prefix. */
	D(M64, "\x66\x48\x0f\x6f\x03", 5, VMOV, 16, 16, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\x48\x0f\x7f\x03", 4, VMOV, 8, 8, 8, DS, RBX, NOREG, 1, 0),
	D(M64, "\x64\x67\x66\x44\x0f\xe7\x13", 7, VMOV, 16, 16, 4, FS, RBX,
	  NOREG, 1, 0),
	D(M32, "\x0f\x11\x4e\x04", 4, VMOV, 16, 16, 4, DS, RSI, NOREG, 1, 4),
	D(M32, "\x66\x0f\xe7\x3f", 4, VMOV, 16, 16, 4, DS, RDI, NOREG, 1, 0),
	D(M32, "\x0f\x6f\x03", 3, VMOV, 8, 8, 4, DS, RBX, NOREG, 1, 0),
	D(M16, "\x0f\x6f\x07", 3, VMOV, 8, 8, 2, DS, RBX, NOREG, 1, 0),
	D(M16, "\xf3\x0f\x6f\x4a\x02", 5, VMOV, 16, 16, 2, SS, RBP, RSI, 1, 2),
};

static void check_dcase(const struct dcase *d, const struct mv_insn *in)
{
	ck_assert_uint_eq(in->len, d->len);
	ck_assert_uint_eq(in->op, d->op);
	ck_assert_uint_eq(in->op_size, d->op_size);
	ck_assert_uint_eq(in->mem_size, d->mem_size);
	ck_assert_uint_eq(in->addr_size, d->addr_size);
	ck_assert_uint_eq(in->seg, d->seg);
	ck_assert_uint_eq(in->base, d->base);
	ck_assert_uint_eq(in->index, d->index);
	ck_assert_uint_eq(in->scale, d->scale);
	ck_assert_uint_eq(in->disp, d->disp);
	ck_assert(in->has_mem);
}

START_TEST(test_decode_table)
{
	const struct dcase *d = &dcases[_i];
	u8 buf[MV_EMU_MAX_LEN + 8];
	struct mv_insn in;
	unsigned int n;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)d->bytes, d->n, d->mode), 0);
	check_dcase(d, &in);
	/* Trailing bytes do not change anything. */
	memset(buf, 0x8b, sizeof(buf));
	memcpy(buf, d->bytes, d->n);
	ck_assert_int_eq(mv_emu_decode(&in, buf, sizeof(buf), d->mode), 0);
	check_dcase(d, &in);
	/* Any truncation is an error. */
	for (n = 0; n < d->n; n++)
		ck_assert_int_eq(mv_emu_decode(&in, buf, n, d->mode), -EINVAL);
}
END_TEST

/* Prefix details of some of the table's instructions. */
START_TEST(test_decode_prefixes)
{
	struct mv_insn in;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\xf3\x6f", 2, M16), 0);
	ck_assert_uint_eq(in.rep, MV_REP_E);
	ck_assert(in.port_dx);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\xf0\x01\x18", 3, M32), 0);
	ck_assert(in.lock);
	ck_assert_uint_eq(in.rep, MV_REP_NONE);
	/* XCHG with memory is locked without the prefix. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x86\x3b", 2, M32), 0);
	ck_assert(in.lock);
	ck_assert_uint_eq(in.reg, RDI);	/* BH */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x87\xd8", 2, M32), 0);
	ck_assert(!in.lock && !in.has_mem);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x45\x86\x3b", 3, M64), 0);
	ck_assert_uint_eq(in.reg, 15);
	ck_assert_uint_eq(in.rex, 0x45);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x48\x66\x8b\x03", 4, M64), 0);
	ck_assert_uint_eq(in.rex, 0);
	/* RIP-relative only in 64-bit mode; disp32 absolute in 32-bit mode. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x8b\x05\x10\x00\x00\x00", 6,
				       M64), 0);
	ck_assert(in.rip_rel);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x8b\x05\x10\x00\x00\x00", 6,
				       M32), 0);
	ck_assert(!in.rip_rel);
	/* Immediates: sign-extended, imm16 with 66, imm8 of 0F BA unsigned. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x48\xc7\x00\xff\xff\xff\xff",
				       7, M64), 0);
	ck_assert_uint_eq(in.imm, ~0ULL);
	ck_assert_uint_eq(in.imm_size, 4);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x66\x81\x00\x34\x82", 5, M32),
			 0);
	ck_assert_uint_eq(in.imm_size, 2);
	ck_assert_uint_eq(in.imm, 0xffffffffffff8234ULL);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x0f\xba\x20\xff", 4, M32), 0);
	ck_assert_uint_eq(in.imm, 0xff);
	/* ModRM fields. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x4d\x8b\x04\x24", 4, M64), 0);
	ck_assert(in.has_modrm && in.has_sib);
	ck_assert_uint_eq(in.modrm, 0x04);
	ck_assert_uint_eq(in.sib, 0x24);
	ck_assert_uint_eq(in.mod, 0);
	ck_assert_uint_eq(in.rm, 12);
	ck_assert_uint_eq(in.reg, 8);
	ck_assert_uint_eq(in.disp_size, 0);
}
END_TEST

/* IN and OUT: no memory operand; size, port, prefixes. */
struct iocase {
	int mode;
	const char *bytes;
	unsigned int n;
	u8 len, op, size;
	bool dx;
	u8 port;
};

static const struct iocase iocases[] = {
	{ M16, "\xe4\x60", 2, 2, MV_OP_IN, 1, false, 0x60 },
	{ M16, "\xef", 1, 1, MV_OP_OUT, 2, true, 0 },
	{ M16, "\x66\xef", 2, 2, MV_OP_OUT, 4, true, 0 },
	{ M32, "\xe5\x71", 2, 2, MV_OP_IN, 4, false, 0x71 },
	{ M32, "\x66\xe7\x80", 3, 3, MV_OP_OUT, 2, false, 0x80 },
	{ M64, "\xed", 1, 1, MV_OP_IN, 4, true, 0 },
	{ M64, "\x48\xed", 2, 2, MV_OP_IN, 4, true, 0 },
	{ M64, "\xe6\x80", 2, 2, MV_OP_OUT, 1, false, 0x80 },
	{ M64, "\xec", 1, 1, MV_OP_IN, 1, true, 0 },
	{ M64, "\xee", 1, 1, MV_OP_OUT, 1, true, 0 },
	{ M64, "\x66\xe5\xff", 3, 3, MV_OP_IN, 2, false, 0xff },
};

START_TEST(test_decode_io)
{
	const struct iocase *c = &iocases[_i];
	struct mv_emu_regs regs = { };
	struct mv_emu_access acc;
	struct mv_insn in;
	unsigned int n;
	u64 off;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)c->bytes, c->n, c->mode), 0);
	ck_assert_uint_eq(in.len, c->len);
	ck_assert_uint_eq(in.op, c->op);
	ck_assert_uint_eq(in.op_size, c->size);
	ck_assert_int_eq(in.port_dx, c->dx);
	if (!c->dx)
		ck_assert_uint_eq(in.imm, c->port);
	ck_assert(!in.has_mem);
	ck_assert_uint_eq(in.seg, MV_SEG_NONE);
	ck_assert_int_eq(mv_emu_mem_offset(&in, &regs, &off), -EINVAL);
	ck_assert_int_eq(mv_emu_start(&in, &regs, &acc), -EOPNOTSUPP);
	for (n = 0; n < c->n; n++)
		ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)c->bytes, n, c->mode),
				 -EINVAL);
}
END_TEST

/*
 * MOVS and STOS: decoded for the core (mmio_string.c), which runs them.
 * Element size, address size, REP, the segment (MOVS: its source's, with
 * overrides; STOS: ES, whatever the prefix), the register the memory
 * operand names (rSI, rDI), and the effective address from it.
 */
struct strcase {
	int mode;
	const char *bytes;
	unsigned int n;
	u8 op, size, asize, rep, seg, base;
};

static const struct strcase strcases[] = {
	{ M64, "\xa4", 1, MV_OP_MOVS, 1, 8, MV_REP_NONE, MV_SEG_DS, MV_REG_RSI },
	{ M64, "\xf3\x48\xa5", 3, MV_OP_MOVS, 8, 8, MV_REP_E, MV_SEG_DS, MV_REG_RSI },
	{ M64, "\x67\xf3\xa5", 3, MV_OP_MOVS, 4, 4, MV_REP_E, MV_SEG_DS, MV_REG_RSI },
	{ M64, "\x65\x66\xa5", 3, MV_OP_MOVS, 2, 8, MV_REP_NONE, MV_SEG_GS, MV_REG_RSI },
	{ M64, "\xf3\xaa", 2, MV_OP_STOS, 1, 8, MV_REP_E, MV_SEG_ES, MV_REG_RDI },
	{ M64, "\x64\xab", 2, MV_OP_STOS, 4, 8, MV_REP_NONE, MV_SEG_ES, MV_REG_RDI },
	{ M32, "\x67\xf3\x66\xab", 4, MV_OP_STOS, 2, 2, MV_REP_E, MV_SEG_ES, MV_REG_RDI },
	{ M32, "\x2e\xa5", 2, MV_OP_MOVS, 4, 4, MV_REP_NONE, MV_SEG_CS, MV_REG_RSI },
	{ M16, "\xf3\xa5", 2, MV_OP_MOVS, 2, 2, MV_REP_E, MV_SEG_DS, MV_REG_RSI },
	{ M16, "\x67\x66\xab", 3, MV_OP_STOS, 4, 4, MV_REP_NONE, MV_SEG_ES, MV_REG_RDI },
};

START_TEST(test_decode_string)
{
	const struct strcase *c = &strcases[_i];
	struct mv_emu_regs regs = { };
	struct mv_emu_access acc;
	struct mv_insn in;
	u64 off;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)c->bytes, c->n, c->mode), 0);
	ck_assert_uint_eq(in.len, c->n);
	ck_assert_uint_eq(in.op, c->op);
	ck_assert_uint_eq(in.op_size, c->size);
	ck_assert_uint_eq(in.addr_size, c->asize);
	ck_assert_uint_eq(in.rep, c->rep);
	ck_assert_uint_eq(in.seg, c->seg);
	ck_assert_uint_eq(in.base, c->base);
	ck_assert(in.has_mem);
	regs.gpr[c->base] = 0xffffffff12345678ULL;
	ck_assert_int_eq(mv_emu_mem_offset(&in, &regs, &off), 0);
	ck_assert_uint_eq(off, 0xffffffff12345678ULL &
			  (c->asize == 8 ? ~0ULL : (1ULL << (c->asize * 8)) - 1));
	/* The core runs them: neither start nor finish takes them. */
	ck_assert_int_eq(mv_emu_start(&in, &regs, &acc), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_finish(&in, &regs, 0, &acc), -EOPNOTSUPP);
}
END_TEST

/* Errors: invalid (-EINVAL) or not handled (-EOPNOTSUPP). */
struct ecase {
	int mode;
	const char *bytes;
	unsigned int n;
	int ret;
};

#define E(m, b, r) { m, b, sizeof(b) - 1, r }

static const struct ecase ecases[] = {
	/* Truncated, or nothing at all. */
	E(M64, "", -EINVAL),
	E(M64, "\x48", -EINVAL),
	E(M64, "\x66\x67\xf0", -EINVAL),
	E(M64, "\x0f", -EINVAL),
	E(M64, "\x8b", -EINVAL),
	E(M64, "\x8b\x04", -EINVAL),
	E(M64, "\x8b\x05\x10\x00\x00", -EINVAL),
	E(M64, "\x81\x00\x01\x02", -EINVAL),
	E(M64, "\x48\xa1\x88\x77\x66\x55\x44\x33\x22", -EINVAL),
	E(M16, "\x8b\x1e\x34", -EINVAL),
	/* Longer than 15 bytes. */
	E(M64, "\x2e\x64\x67\xf0\x48\x81\x84\x88\x78\x56\x34\x12\x78\x56\x34\x12",
	  -EINVAL),
	E(M16, "\x26\x26\x26\x26\x26\x26\x26\x26\x26\x26\x26\x26\x26\x26\x8b\x07",
	  -EINVAL),
	E(M64, "\x40\x40\x40\x40\x40\x40\x40\x40\x40\x40\x40\x40\x40\x40\x40\x8b\x03",
	  -EINVAL),
	/* LOCK where not allowed: #UD. */
	E(M64, "\xf0\x89\x03", -EINVAL),
	E(M64, "\xf0\x8b\x03", -EINVAL),
	E(M64, "\xf0\x39\x03", -EINVAL),
	E(M64, "\xf0\x03\x03", -EINVAL),
	E(M64, "\xf0\x01\xc3", -EINVAL),
	E(M64, "\xf0\x0f\xa3\x03", -EINVAL),
	E(M64, "\xf0\x0f\xba\x23\x01", -EINVAL),
	E(M64, "\xf0\x85\x03", -EINVAL),
	E(M64, "\xf0\xf6\x03\x01", -EINVAL),
	E(M64, "\xf0\x0f\xb6\x03", -EINVAL),
	E(M64, "\xf0\x80\x3b\x01", -EINVAL),
	E(M64, "\xf0\x87\xc3", -EINVAL),
	E(M64, "\xf0\xc7\x03\x01\x00\x00\x00", -EINVAL),
	E(M64, "\xf0\xa1\x00\x00\x00\x00\x00\x00\x00\x00", -EINVAL),
	E(M32, "\xf0\x6e", -EINVAL),
	/* F2/F3 without a meaning the emulator gives them. */
	E(M64, "\xf3\x8b\x03", -EOPNOTSUPP),
	E(M64, "\xf2\x89\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x01\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x0f\xb6\x03", -EOPNOTSUPP),
	E(M64, "\xf2\x6e", -EOPNOTSUPP),
	E(M64, "\xf3\xe4\x60", -EOPNOTSUPP),
	E(M64, "\xf3\x0f\xb8\x03", -EOPNOTSUPP),	/* POPCNT */
	/* Group 7 but LMSW/SMSW m16; their register forms (cr.c decodes). */
	E(M64, "\x0f\x01\x00", -EOPNOTSUPP),		/* SGDT */
	E(M64, "\x0f\x01\xc1", -EOPNOTSUPP),		/* VMCALL */
	E(M64, "\x0f\x01\xf0", -EOPNOTSUPP),		/* LMSW AX */
	E(M64, "\x0f\x01\xe0", -EOPNOTSUPP),		/* SMSW EAX */
	/* Invalid opcodes or ModRM extensions. */
	E(M64, "\x82\x03\x01", -EINVAL),
	E(M64, "\x06", -EINVAL),
	E(M64, "\xfe\x13", -EINVAL),
	E(M64, "\xff\x3b", -EINVAL),
	E(M64, "\xc6\x08\x00", -EINVAL),
	E(M64, "\xc7\x10\x00\x00\x00\x00", -EINVAL),
	E(M64, "\x0f\xba\x03\x01", -EINVAL),
	E(M64, "\x0f\x0b", -EINVAL),
	/* Valid but not handled. */
	E(M64, "\x90", -EOPNOTSUPP),
	E(M64, "\xac", -EOPNOTSUPP),		/* LODS */
	E(M64, "\xf3\xae", -EOPNOTSUPP),	/* REPE SCAS */
	E(M64, "\xf2\xa4", -EOPNOTSUPP),	/* REPNE MOVS */
	E(M64, "\xf0\xab", -EINVAL),		/* LOCK STOS */
	E(M64, "\x0f\xc1\x03", -EOPNOTSUPP),
	E(M64, "\x48\x0f\xc7\x0b", -EOPNOTSUPP),	/* CMPXCHG16B */
	E(M64, "\x0f\xc7\x33", -EOPNOTSUPP),	/* VMPTRLD */
	E(M64, "\x0f\xc7\xc8", -EINVAL),	/* CMPXCHG8B, register */
	E(M64, "\x0f\x38\x00\x03", -EOPNOTSUPP),
	E(M64, "\xc4\xe2\x79\x00\x03", -EOPNOTSUPP),
	E(M64, "\xff\x13", -EOPNOTSUPP),
	E(M64, "\xff\x33", -EOPNOTSUPP),
	E(M64, "\xf6\x23", -EOPNOTSUPP),
	E(M64, "\xf7\x0b\x00\x00\x00\x00", -EOPNOTSUPP),
	E(M64, "\xc6\xf8\x00", -EOPNOTSUPP),
	E(M64, "\x66\x63\x03", -EOPNOTSUPP),
	E(M64, "\x04\x01", -EOPNOTSUPP),
	E(M32, "\x40", -EOPNOTSUPP),
	E(M32, "\x48\x8b\x03", -EOPNOTSUPP),
	E(M32, "\x63\x03", -EOPNOTSUPP),
	E(M16, "\x4b", -EOPNOTSUPP),
	E(M32, "\x06", -EOPNOTSUPP),
	/*
	 * MMX/SSE: only what KVM's table has. 66 with F2/F3 (KVM gives up),
	 * F2 0F 6F, MOVSS/MOVSD, MOVNTSS, F3 0F 28, MOVD and the other MOVQ
	 * forms, MOVNTQ, and VEX are not handled.
	 */
	E(M64, "\x66\xf3\x0f\x6f\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x66\x0f\x6f\x03", -EOPNOTSUPP),
	E(M64, "\x66\xf2\x0f\x28\x03", -EOPNOTSUPP),
	E(M64, "\xf2\x0f\x6f\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x0f\x10\x03", -EOPNOTSUPP),
	E(M64, "\xf2\x0f\x11\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x0f\x2b\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x0f\x28\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x0f\xe7\x03", -EOPNOTSUPP),
	E(M64, "\x0f\x6e\x03", -EOPNOTSUPP),
	E(M64, "\x0f\x7e\x03", -EOPNOTSUPP),
	E(M64, "\x66\x0f\x7e\x03", -EOPNOTSUPP),
	E(M64, "\xf3\x0f\x7e\x03", -EOPNOTSUPP),
	E(M64, "\x66\x0f\xd6\x03", -EOPNOTSUPP),
	E(M64, "\x0f\xe7\x03", -EOPNOTSUPP),
	E(M64, "\x0f\x12\x03", -EOPNOTSUPP),
	E(M64, "\xc5\xf9\x6f\x03", -EOPNOTSUPP),
	E(M64, "\xc4\xe1\x79\x7f\x03", -EOPNOTSUPP),
	/* LOCK is #UD on them; MOVNT* have no register form (#UD). */
	E(M64, "\xf0\xf3\x0f\x6f\x03", -EINVAL),
	E(M64, "\xf0\x0f\x29\x03", -EINVAL),
	E(M64, "\xf0\x0f\x7f\x03", -EINVAL),
	E(M64, "\x0f\x2b\xc3", -EINVAL),
	E(M64, "\x66\x0f\x2b\xc3", -EINVAL),
	E(M64, "\x66\x0f\xe7\xc3", -EINVAL),
	/* Truncated. */
	E(M64, "\x0f\x6f", -EINVAL),
	E(M64, "\xf3\x0f\x6f\x04", -EINVAL),
	E(M32, "\x66\x0f\xe7\x05\x00\x00\x00", -EINVAL),
};

START_TEST(test_decode_errors)
{
	const struct ecase *c = &ecases[_i];
	struct mv_insn in;

	ck_assert_msg(mv_emu_decode(&in, (const u8 *)c->bytes, c->n, c->mode) == c->ret,
		      "case %d", _i);
}
END_TEST

/*
 * LMSW m16 and SMSW m16 (SDM vol 2A): decoded for the core (cr.c), a word
 * whatever the operand size, never executed by the emulator.
 */
static const struct {
	int mode;
	const char *bytes;
	unsigned int n;
	u8 op, seg;
} mswcases[] = {
	{ M64, "\x0f\x01\x70\x08", 4, MV_OP_LMSW, MV_SEG_DS },	/* 8(%rax) */
	{ M64, "\x66\x48\x0f\x01\x20", 5, MV_OP_SMSW, MV_SEG_DS },
	{ M16, "\x0f\x01\x22", 3, MV_OP_SMSW, MV_SEG_SS },		/* [bp+si] */
	{ M16, "\x26\x0f\x01\x36\x34\x12", 6, MV_OP_LMSW, MV_SEG_ES },
};

START_TEST(test_decode_msw)
{
	struct mv_emu_regs regs = { };
	struct mv_emu_access acc;
	struct mv_insn in;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)mswcases[_i].bytes,
				       mswcases[_i].n, mswcases[_i].mode), 0);
	ck_assert_uint_eq(in.len, mswcases[_i].n);
	ck_assert_uint_eq(in.op, mswcases[_i].op);
	ck_assert_uint_eq(in.seg, mswcases[_i].seg);
	ck_assert(in.has_mem);
	ck_assert_uint_eq(in.mem_size, 2);
	ck_assert_int_eq(mv_emu_start(&in, &regs, &acc), -EOPNOTSUPP);
}
END_TEST

/* ==== Effective addresses ==== */

struct eacase {
	int mode;
	const char *bytes;
	unsigned int n;
	u64 rip;
	u64 gpr[8];	/* RAX..RDI */
	u64 ea;
};

static const struct eacase eacases[] = {
	/* 16-bit wraps at 64K: [bx+si] and [bp+di+0x1234]. */
	{ M16, "\x8b\x00", 2, 0, { 0, 0, 0, 0xfff0, 0, 0, 0x20, 0 }, 0x10 },
	{ M16, "\x8b\x93\x34\x12", 4, 0,
	  { 0, 0, 0, 0, 0, 0xf000, 0, 0x0f00 }, 0x1134 },
	/* Upper register bits do not count in 16-bit addressing. */
	{ M16, "\x8a\x41\x05", 3, 0, { 0, 0, 0, 0xabcd0010, 0, 0, 0, 0xffff0001 }, 0x16 },
	{ M16, "\x8b\x1e\x34\x12", 4, 0, { 0, 0, 0, 0xffff, 0, 0, 0, 0 }, 0x1234 },
	{ M16, "\x89\x4a\xfe", 3, 0, { 0, 0, 0, 0, 0, 1, 0, 0 }, 0xffff },
	{ M16, "\x67\x8b\x44\x88\x08", 5, 0, { 0x10000, 2, 0, 0, 0, 0, 0, 0 }, 0x10010 },
	{ M16, "\x67\xa3\x78\x56\x34\x12", 6, 0, { 0 }, 0x12345678 },
	/* 32-bit wraps at 4G. */
	{ M32, "\x8b\x04\x8d\x00\x01\x00\x00", 7, 0,
	  { 0, 0xffffffff, 0, 0, 0, 0, 0, 0 }, 0xfc },
	{ M32, "\x89\x45\xf8", 3, 0, { 0, 0, 0, 0, 0, 4, 0, 0 }, 0xfffffffc },
	{ M32, "\x67\x66\x8b\x00", 4, 0, { 0, 0, 0, 0xffff, 0, 0, 1, 0 }, 0 },
	{ M32, "\x89\x44\x24\x04", 4, 0, { 0, 0, 0, 0, 0x1000, 0, 0, 0 }, 0x1004 },
	{ M32, "\xf6\x5c\xf7\xff", 4, 0, { 0, 0, 0, 0, 0, 0, 2, 0x100 }, 0x10f },
	/* 64-bit: RIP-relative from the end of the instruction; [eip+]. */
	{ M64, "\x48\x8b\x05\x10\x00\x00\x00", 7, 0x1000, { 0 }, 0x1017 },
	{ M64, "\x41\x8b\x05\xf0\xff\xff\xff", 7, 0x1000, { 0 }, 0xff7 },
	{ M64, "\x67\x8b\x05\x10\x00\x00\x00", 7, 0xfffffff0, { 0 }, 7 },
	{ M64, "\x48\x83\x80\x78\x56\x34\x12\x7f", 8, 0,
	  { 0xffffffff00000000ULL, 0, 0, 0, 0, 0, 0, 0 }, 0xffffffff12345678ULL },
	{ M64, "\x8b\x0c\xed\x78\x56\x34\x12", 7, 0,
	  { 0, 0, 0, 0, 0, 0x2, 0, 0 }, 0x12345688 },
	{ M64, "\x8b\x0c\x25\x78\x56\x34\x12", 7, 0, { 0 }, 0x12345678 },
	{ M64, "\x48\xa1\x88\x77\x66\x55\x44\x33\x22\x11", 10, 0, { 0 },
	  0x1122334455667788ULL },
	{ M64, "\x67\x8b\x44\x88\x08", 5, 0,
	  { 0x1ffffffff0ULL, 0x100000002ULL, 0, 0, 0, 0, 0, 0 }, 0x0 },
	{ M64, "\x8b\x44\x88\xf8", 4, 0,
	  { 0x10, 0xfffffffffffffffeULL, 0, 0, 0, 0, 0, 0 }, 0x0 },
	/* MOVDQU xmm12, [rip+0x10]; MOVDQU [bp+si+2] wraps at 64K. */
	{ M64, "\xf3\x44\x0f\x6f\x25\x10\x00\x00\x00", 9, 0x1000, { 0 }, 0x1019 },
	{ M16, "\xf3\x0f\x6f\x4a\x02", 5, 0, { 0, 0, 0, 0, 0, 0xfff0, 0x000e, 0 },
	  0 },
	/* INS/OUTS: the current rDI / rSI, at the address size. */
	{ M16, "\xf3\x6c", 2, 0, { 0, 0, 0, 0, 0, 0, 0x12345678, 0x9abcdef0 }, 0xdef0 },
	{ M32, "\x26\x6e", 2, 0, { 0, 0, 0, 0, 0, 0, 0x123456789ULL, 0 }, 0x23456789 },
	{ M64, "\xf3\x6e", 2, 0, { 0, 0, 0, 0, 0, 0, 0x123456789ULL, 0 }, 0x123456789ULL },
};

START_TEST(test_mem_offset)
{
	const struct eacase *c = &eacases[_i];
	struct mv_emu_regs regs = { };
	struct mv_insn in;
	u64 ea = 0;

	memcpy(regs.gpr, c->gpr, sizeof(c->gpr));
	regs.rip = c->rip;
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)c->bytes, c->n, c->mode), 0);
	ck_assert_int_eq(mv_emu_mem_offset(&in, &regs, &ea), 0);
	ck_assert_msg(ea == c->ea, "case %d: %#llx, want %#llx", _i,
		      (unsigned long long)ea, (unsigned long long)c->ea);
}
END_TEST

/* ==== Execution details outside 64-bit mode, with known answers ==== */

static int emulate(int mode, const char *bytes, unsigned int n,
		   struct mv_emu_regs *regs, struct mv_emu_access *acc, u64 read,
		   struct mv_emu_access *next)
{
	struct mv_insn in;
	int ret;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)bytes, n, mode), 0);
	ret = mv_emu_start(&in, regs, acc);
	if (ret)
		return ret;
	return mv_emu_finish(&in, regs, read, next);
}

#define EMU(mode, b, regs, acc, read, next) \
	emulate(mode, b, sizeof(b) - 1, regs, acc, read, next)

START_TEST(test_exec_modes)
{
	struct mv_emu_access acc, next;
	struct mv_emu_regs r = { };

	/* 16-bit load keeps the upper bits; IP wraps at 64K. */
	r.gpr[RAX] = 0xdeadbeefcafe1234ULL;
	r.rip = 0xfffe;
	ck_assert_int_eq(EMU(M16, "\x8b\x00", &r, &acc, 0x99995678, &next), 0);
	ck_assert(!acc.write);
	ck_assert_uint_eq(acc.size, 2);
	ck_assert_uint_eq(r.gpr[RAX], 0xdeadbeefcafe5678ULL);
	ck_assert_uint_eq(r.rip, 0);

	/* Store of AH in 16-bit mode. */
	r.gpr[RAX] = 0x1234;
	r.rip = 0x100;
	ck_assert_int_eq(EMU(M16, "\x88\xa5\x80\x00", &r, &acc, 0, &next), 0);
	ck_assert(acc.write);
	ck_assert_uint_eq(acc.size, 1);
	ck_assert_uint_eq(acc.data, 0x12);
	ck_assert_uint_eq(r.rip, 0x104);

	/* 32-bit load (66 in 16-bit mode), and EIP wrap in 32-bit mode. */
	r.gpr[RAX] = ~0ULL;
	ck_assert_int_eq(EMU(M16, "\x66\x8b\x07", &r, &acc, 0x87654321, &next), 0);
	ck_assert_uint_eq(acc.size, 4);
	ck_assert_uint_eq(r.gpr[RAX], 0x87654321);
	r.rip = 0xffffffff;
	ck_assert_int_eq(EMU(M32, "\x8b\x03", &r, &acc, 1, &next), 0);
	ck_assert_uint_eq(r.rip, 1);

	/* XCHG with BH in 32-bit mode: BH gets memory, memory gets BH. */
	r.gpr[RBX] = 0x11223344;
	ck_assert_int_eq(EMU(M32, "\x86\x3b", &r, &acc, 0xab, &next), 1);
	ck_assert(!acc.write);
	ck_assert(next.write);
	ck_assert_uint_eq(next.size, 1);
	ck_assert_uint_eq(next.data, 0x33);
	ck_assert_uint_eq(r.gpr[RBX], 0x1122ab44);

	/* add word [bx], -1 with 1 in memory: 0, CF ZF PF AF. */
	r.rflags = 0x2 | OF | SF | (1ULL << 10);
	ck_assert_int_eq(EMU(M16, "\x83\x07\xff", &r, &acc, 1, &next), 1);
	ck_assert_uint_eq(next.data, 0);
	ck_assert_uint_eq(next.size, 2);
	ck_assert_uint_eq(r.rflags, 0x2 | CF | ZF | PF | AF | (1ULL << 10));

	/* btc dword [ebx+8], 33: the immediate is taken mod 32. */
	r.rflags = 0x2;
	ck_assert_int_eq(EMU(M32, "\x0f\xba\x7b\x08\x21", &r, &acc, 0x6, &next), 1);
	ck_assert_uint_eq(next.data, 0x4);
	ck_assert_uint_eq(r.rflags, 0x2 | CF);

	/* movzx eax, byte [bx+si+1] in 16-bit mode. */
	r.gpr[RAX] = ~0ULL;
	ck_assert_int_eq(EMU(M16, "\x66\x0f\xb6\x40\x01", &r, &acc, 0x1ff, &next), 0);
	ck_assert_uint_eq(acc.size, 1);
	ck_assert_uint_eq(r.gpr[RAX], 0xff);

	/* cmpxchg [bx], cx, 16-bit: equal and not equal. */
	r.gpr[RAX] = 0xaaaa5555;
	r.gpr[RCX] = 0x1234;
	ck_assert_int_eq(EMU(M16, "\x0f\xb1\x0f", &r, &acc, 0x5555, &next), 1);
	ck_assert_uint_eq(next.data, 0x1234);
	ck_assert(r.rflags & ZF);
	ck_assert_int_eq(EMU(M16, "\x0f\xb1\x0f", &r, &acc, 0x5556, &next), 0);
	ck_assert(!(r.rflags & ZF));
	ck_assert_uint_eq(r.gpr[RAX], 0xaaaa5556);

	/*
	 * 32-bit cmpxchg in 64-bit mode: RAX is written (zero-extended) only
	 * when the values differ.
	 */
	r.gpr[RAX] = 0xffffffff00000005ULL;
	r.gpr[RCX] = 0x123456789ULL;
	ck_assert_int_eq(EMU(M64, "\x0f\xb1\x0b", &r, &acc, 5, &next), 1);
	ck_assert_uint_eq(next.size, 4);
	ck_assert_uint_eq(next.data, 0x23456789);
	ck_assert_uint_eq(r.gpr[RAX], 0xffffffff00000005ULL);
	ck_assert_int_eq(EMU(M64, "\x0f\xb1\x0b", &r, &acc, 6, &next), 0);
	ck_assert_uint_eq(r.gpr[RAX], 6);

	/* movsxd without REX.W: a 32-bit move, zero-extended. */
	r.gpr[RAX] = ~0ULL;
	ck_assert_int_eq(EMU(M64, "\x63\x03", &r, &acc, 0x80000000, &next), 0);
	ck_assert_uint_eq(acc.size, 4);
	ck_assert_uint_eq(r.gpr[RAX], 0x80000000);
	/* movsx r16, m16 in 64-bit mode: a 16-bit move. */
	r.gpr[RAX] = ~0ULL;
	ck_assert_int_eq(EMU(M64, "\x66\x0f\xbf\x03", &r, &acc, 0x1234, &next), 0);
	ck_assert_uint_eq(r.gpr[RAX], 0xffffffffffff1234ULL);

	/* mov dword [bx], imm32 with 66 in 16-bit mode. */
	ck_assert_int_eq(EMU(M16, "\x66\xc7\x07\x78\x56\x34\x12", &r, &acc, 0, &next), 0);
	ck_assert(acc.write);
	ck_assert_uint_eq(acc.size, 4);
	ck_assert_uint_eq(acc.data, 0x12345678);
}
END_TEST

START_TEST(test_exec_errors)
{
	struct mv_emu_access acc, next;
	struct mv_emu_regs r = { };
	struct mv_insn in;
	u64 off;

	/* No such mode. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x8b\x03", 2,
				       (enum mv_emu_mode)3), -EINVAL);

	/* Register forms decode, but have no access to emulate. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x8b\xc3", 2, M64), 0);
	ck_assert(!in.has_mem);
	ck_assert_uint_eq(in.len, 2);
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_finish(&in, &r, 0, &next), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_mem_offset(&in, &r, &off), -EINVAL);
	ck_assert_uint_eq(r.rip, 0);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\xc7\xc0\x01\x00\x00\x00", 6,
				       M64), 0);
	ck_assert_uint_eq(in.len, 6);
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), -EOPNOTSUPP);

	/* INS/OUTS are the core's. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\xf3\x6c", 2, M64), 0);
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_finish(&in, &r, 0, &next), -EOPNOTSUPP);

	/* BT with a register offset outside the operand. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x0f\xa3\x0b", 3, M32), 0);
	r.gpr[RCX] = 31;
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), 0);
	r.gpr[RCX] = 32;
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), -EOPNOTSUPP);
	r.gpr[RCX] = 0xffffffff;	/* -1 */
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_finish(&in, &r, 0, &next), -EOPNOTSUPP);
	ck_assert_uint_eq(r.rip, 0);
	/* Only the operand-size bits of the register count. */
	r.gpr[RCX] = 0x100000005ULL;
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), 0);
	ck_assert_int_eq(mv_emu_finish(&in, &r, 0x20, &next), 0);
	ck_assert(r.rflags & CF);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x66\x0f\xab\x0b", 4, M32), 0);
	r.gpr[RCX] = 16;
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), -EOPNOTSUPP);
}
END_TEST

/* ==== MMX and SSE moves ==== */

struct vcase {
	int mode;
	const char *bytes;
	unsigned int n;
	u8 vec, reg;
	bool load, aligned;
};

#define V(m, b, ...) { m, b, sizeof(b) - 1, __VA_ARGS__ }
#define MMX MV_VEC_MMX
#define SSE MV_VEC_SSE

/* Which register, which way, aligned or not (SDM vol 2B, each page). */
static const struct vcase vcases[] = {
	V(M64, "\x0f\x6f\x03", MMX, 0, true, false),		/* movq (%rbx),%mm0 */
	V(M64, "\x0f\x7f\x7b\x08", MMX, 7, false, false),	/* movq %mm7,8(%rbx) */
	V(M64, "\x44\x0f\x6f\x0b", MMX, 1, true, false),	/* REX.R: still mm1 */
	V(M64, "\xf3\x0f\x6f\x0b", SSE, 1, true, false),	/* movdqu */
	V(M64, "\xf3\x44\x0f\x7f\x3c\x88", SSE, 15, false, false),
	V(M64, "\x66\x0f\x6f\x53\x10", SSE, 2, true, true),	/* movdqa */
	V(M64, "\x66\x44\x0f\x7f\x0b", SSE, 9, false, true),
	V(M64, "\x0f\x10\x1b", SSE, 3, true, false),		/* movups */
	V(M64, "\x0f\x11\x1b", SSE, 3, false, false),
	V(M64, "\x66\x0f\x10\x23", SSE, 4, true, false),	/* movupd */
	V(M64, "\x66\x0f\x11\x23", SSE, 4, false, false),
	V(M64, "\x0f\x28\x2b", SSE, 5, true, true),		/* movaps */
	V(M64, "\x0f\x29\x2b", SSE, 5, false, true),
	V(M64, "\x66\x0f\x28\x33", SSE, 6, true, true),	/* movapd */
	V(M64, "\x66\x0f\x29\x33", SSE, 6, false, true),
	V(M64, "\x0f\x2b\x3b", SSE, 7, false, true),		/* movntps */
	V(M64, "\x66\x44\x0f\x2b\x03", SSE, 8, false, true),	/* movntpd */
	V(M64, "\x66\x44\x0f\xe7\x13", SSE, 10, false, true),	/* movntdq */
	/* F3 wins over an earlier F2, as the last of them counts. */
	V(M64, "\xf2\xf3\x0f\x6f\x03", SSE, 0, true, false),
	V(M32, "\x0f\x11\x4e\x04", SSE, 1, false, false),
	V(M32, "\x66\x0f\xe7\x3f", SSE, 7, false, true),
	V(M16, "\x0f\x6f\x07", MMX, 0, true, false),
	V(M16, "\xf3\x0f\x6f\x4a\x02", SSE, 1, true, false),
};

START_TEST(test_decode_vec)
{
	const struct vcase *c = &vcases[_i];
	struct mv_emu_access acc;
	struct mv_emu_regs r = { };
	struct mv_insn in;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)c->bytes, c->n, c->mode), 0);
	ck_assert_uint_eq(in.len, c->n);
	ck_assert_uint_eq(in.op, MV_OP_VMOV);
	ck_assert_uint_eq(in.vec, c->vec);
	ck_assert_uint_eq(in.reg, c->reg);
	ck_assert_int_eq(in.reg_dst, c->load);
	ck_assert_int_eq(in.aligned, c->aligned);
	ck_assert_uint_eq(in.mem_size, c->vec == MMX ? 8 : 16);
	ck_assert(in.has_mem && !in.lock);
	ck_assert_uint_eq(in.src, MV_SRC_NONE);
	/* Only the vector entry points take it. */
	ck_assert_int_eq(mv_emu_start(&in, &r, &acc), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_vec_start(&in, 0, MV_EMU_CR4_OSFXSR, 0, 0, &acc), 0);
	ck_assert_int_eq(acc.write, !c->load);
	ck_assert_uint_eq(acc.size, in.mem_size);
}
END_TEST

#define EM MV_EMU_CR0_EM
#define TS MV_EMU_CR0_TS
#define OSFXSR MV_EMU_CR4_OSFXSR

static int vec_start(const char *bytes, unsigned int n, int mode, u64 cr0,
		     u64 cr4, bool x87, u64 addr)
{
	struct mv_emu_access acc;
	struct mv_insn in;

	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)bytes, n, mode), 0);
	return mv_emu_vec_start(&in, cr0, cr4, x87, addr, &acc);
}

#define VSTART(b, cr0, cr4, x87, addr) \
	vec_start(b, sizeof(b) - 1, M64, cr0, cr4, x87, addr)

#define MOVQ_LD		"\x0f\x6f\x03"		/* movq (%rbx),%mm0 */
#define MOVDQU_ST	"\xf3\x0f\x7f\x03"		/* movdqu %xmm0,(%rbx) */
#define MOVDQA_LD	"\x66\x0f\x6f\x03"		/* movdqa (%rbx),%xmm0 */
#define MOVAPS_ST	"\x0f\x29\x03"		/* movaps %xmm0,(%rbx) */
#define MOVNTPS_ST	"\x0f\x2b\x03"		/* movntps %xmm0,(%rbx) */
#define MOVNTDQ_ST	"\x66\x0f\xe7\x03"		/* movntdq %xmm0,(%rbx) */
#define MOVUPD_LD	"\x66\x0f\x10\x03"		/* movupd (%rbx),%xmm0 */

/*
 * Exceptions before the access, in KVM's (and the SDM's) order: #UD for
 * CR0.EM or (SSE) CR4.OSFXSR = 0, #NM for CR0.TS, #MF (MMX) for a pending
 * x87 exception, #GP(0) for a misaligned MOVAPS/MOVDQA/MOVNT*.
 */
START_TEST(test_vec_faults)
{
	/* MMX needs no OSFXSR; SSE does. */
	ck_assert_int_eq(VSTART(MOVQ_LD, 0, 0, 0, 0), 0);
	ck_assert_int_eq(VSTART(MOVDQU_ST, 0, 0, 0, 0), MV_EMU_EXC_UD);
	ck_assert_int_eq(VSTART(MOVDQU_ST, 0, OSFXSR, 0, 0), 0);
	/* CR0.EM: #UD, before #NM. */
	ck_assert_int_eq(VSTART(MOVQ_LD, EM, OSFXSR, 0, 0), MV_EMU_EXC_UD);
	ck_assert_int_eq(VSTART(MOVQ_LD, EM | TS, OSFXSR, true, 0), MV_EMU_EXC_UD);
	ck_assert_int_eq(VSTART(MOVDQU_ST, EM, OSFXSR, 0, 0), MV_EMU_EXC_UD);
	ck_assert_int_eq(VSTART(MOVDQU_ST, TS, 0, 0, 0), MV_EMU_EXC_UD);
	/* CR0.TS: #NM, before #MF and #GP. */
	ck_assert_int_eq(VSTART(MOVQ_LD, TS, 0, 0, 0), MV_EMU_EXC_NM);
	ck_assert_int_eq(VSTART(MOVQ_LD, TS, 0, true, 0), MV_EMU_EXC_NM);
	ck_assert_int_eq(VSTART(MOVDQU_ST, TS, OSFXSR, 0, 0), MV_EMU_EXC_NM);
	ck_assert_int_eq(VSTART(MOVDQA_LD, TS, OSFXSR, 0, 8), MV_EMU_EXC_NM);
	/* A pending x87 exception stops MMX, not SSE. */
	ck_assert_int_eq(VSTART(MOVQ_LD, 0, 0, true, 0), MV_EMU_EXC_MF);
	ck_assert_int_eq(VSTART(MOVDQU_ST, 0, OSFXSR, true, 0), 0);
	/* Alignment: 16 for the aligned forms only; the low 4 bits count. */
	ck_assert_int_eq(VSTART(MOVDQA_LD, 0, OSFXSR, 0, 0xc0000010), 0);
	ck_assert_int_eq(VSTART(MOVDQA_LD, 0, OSFXSR, 0, 0xc0000008), MV_EMU_EXC_GP);
	ck_assert_int_eq(VSTART(MOVAPS_ST, 0, OSFXSR, 0, 0x1001), MV_EMU_EXC_GP);
	ck_assert_int_eq(VSTART(MOVNTPS_ST, 0, OSFXSR, 0, 0x1004), MV_EMU_EXC_GP);
	ck_assert_int_eq(VSTART(MOVNTDQ_ST, 0, OSFXSR, 0, 0x100c), MV_EMU_EXC_GP);
	ck_assert_int_eq(VSTART(MOVNTDQ_ST, 0, OSFXSR, 0, 0x1000), 0);
	ck_assert_int_eq(VSTART(MOVDQU_ST, 0, OSFXSR, 0, 0x1001), 0);
	ck_assert_int_eq(VSTART(MOVUPD_LD, 0, OSFXSR, 0, 0x100f), 0);
	ck_assert_int_eq(VSTART(MOVQ_LD, 0, 0, 0, 0x1003), 0);
	ck_assert_int_eq(VSTART(MOVAPS_ST, 0, 0, 0, 0x1001), MV_EMU_EXC_UD);
	/* Other CR0/CR4 bits do not matter. */
	ck_assert_int_eq(VSTART(MOVDQA_LD, ~(EM | TS), OSFXSR, 0, 0x20), 0);
	ck_assert_int_eq(VSTART(MOVQ_LD, ~(EM | TS), 0, 0, 0), 0);
}
END_TEST

START_TEST(test_vec_exec)
{
	struct mv_emu_access acc;
	struct mv_emu_regs r = { };
	struct mv_insn in;
	unsigned int i;

	/* The access: its size, direction, and zeroed bytes for the caller. */
	memset(&acc, 0xff, sizeof(acc));
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)MOVDQU_ST, 4, M64), 0);
	ck_assert_int_eq(mv_emu_vec_start(&in, 0, OSFXSR, 0, 0, &acc), 0);
	ck_assert(acc.write);
	ck_assert_uint_eq(acc.size, 16);
	for (i = 0; i < sizeof(acc.bytes); i++)
		ck_assert_uint_eq(acc.bytes[i], 0);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)MOVQ_LD, 3, M64), 0);
	ck_assert_int_eq(mv_emu_vec_start(&in, 0, 0, 0, 0, &acc), 0);
	ck_assert(!acc.write);
	ck_assert_uint_eq(acc.size, 8);

	/* Finishing moves RIP only, wrapped as the mode wraps it. */
	r.gpr[RAX] = 0x1234;
	r.rflags = 0x2 | CF;
	r.rip = 0x1000;
	ck_assert_int_eq(mv_emu_vec_finish(&in, &r), 0);
	ck_assert_uint_eq(r.rip, 0x1003);
	ck_assert_uint_eq(r.gpr[RAX], 0x1234);
	ck_assert_uint_eq(r.rflags, 0x2 | CF);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\xf3\x0f\x6f\x4a\x02", 5,
				       M16), 0);
	r.rip = 0xfffe;
	ck_assert_int_eq(mv_emu_vec_finish(&in, &r), 0);
	ck_assert_uint_eq(r.rip, 3);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x0f\x11\x4e\x04", 4, M32), 0);
	r.rip = 0xfffffffe;
	ck_assert_int_eq(mv_emu_vec_finish(&in, &r), 0);
	ck_assert_uint_eq(r.rip, 2);

	/* The general entry points refuse it, and it refuses the rest. */
	ck_assert_int_eq(mv_emu_finish(&in, &r, 0, &acc), -EOPNOTSUPP);
	ck_assert_uint_eq(r.rip, 2);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x8b\x03", 2, M64), 0);
	ck_assert_int_eq(mv_emu_vec_start(&in, 0, OSFXSR, 0, 0, &acc), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_vec_finish(&in, &r), -EOPNOTSUPP);

	/* Register forms decode, but have no access. */
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x0f\x28\xc1", 3, M64), 0);
	ck_assert(!in.has_mem);
	ck_assert_uint_eq(in.op, MV_OP_VMOV);
	ck_assert_uint_eq(in.len, 3);
	ck_assert_int_eq(mv_emu_vec_start(&in, 0, OSFXSR, 0, 0, &acc), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_vec_finish(&in, &r), -EOPNOTSUPP);
	ck_assert_int_eq(mv_emu_decode(&in, (const u8 *)"\x41\x0f\x6f\xc7", 4, M64), 0);
	ck_assert(!in.has_mem);
	ck_assert_uint_eq(in.vec, MV_VEC_MMX);
	ck_assert_uint_eq(in.rm, 15);
	ck_assert_uint_eq(r.rip, 2);
}
END_TEST

/* ==== Fuzz: random bytes never crash or read past avail ==== */

/* Bytes that lead somewhere: prefixes, REX, escapes, handled opcodes. */
static const u8 fuzz_alphabet[] = {
	0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3,
	0x40, 0x41, 0x44, 0x48, 0x4f, 0x0f, 0x00, 0x01, 0x02, 0x03, 0x38, 0x39,
	0x63, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
	0x8b, 0xa0, 0xa1, 0xa2, 0xa3, 0xc6, 0xc7, 0xf6, 0xf7, 0xfe, 0xff,
	0x6c, 0x6d, 0x6e, 0x6f, 0xe4, 0xe5, 0xee, 0xef, 0xa3, 0xab, 0xb0,
	0xb1, 0xb3, 0xb6, 0xb7, 0xba, 0xbb, 0xbe, 0xbf, 0x04, 0x05, 0x44,
	0x84, 0x24, 0x25, 0x45, 0xc0,
	0x10, 0x11, 0x28, 0x29, 0x2b, 0x6f, 0x7f, 0xe7,
};

#define FUZZ_RUNS 100000

START_TEST(test_fuzz)
{
	u64 seed = 0x0123456789abcdefULL;
	unsigned int run, avail, i, mode;
	int ok = 0;

	for (run = 0; run < FUZZ_RUNS; run++) {
		struct mv_emu_access acc, next;
		struct mv_emu_regs regs;
		struct mv_insn in;
		u64 off, rip;
		u8 *buf;
		int ret;

		/* Exactly avail bytes (none: NULL), so any over-read faults. */
		avail = (unsigned int)(rnd_next(&seed) % 20);
		buf = avail ? malloc(avail) : NULL;
		ck_assert(buf || !avail);
		for (i = 0; i < avail; i++) {
			if (rnd_next(&seed) % 3)
				buf[i] = fuzz_alphabet[rnd_next(&seed) % sizeof(fuzz_alphabet)];
			else
				buf[i] = (u8)rnd_next(&seed);
		}
		for (mode = M16; mode <= M64; mode++) {
			ret = mv_emu_decode(&in, buf, avail, mode);
			ck_assert(ret == 0 || ret == -EINVAL || ret == -EOPNOTSUPP);
			if (ret)
				continue;
			ok++;
			ck_assert(in.len >= 1 && in.len <= avail && in.len <= MV_EMU_MAX_LEN);
			/* The length does not depend on what follows. */
			ck_assert_int_eq(mv_emu_decode(&in, buf, in.len, mode), 0);
			for (i = 0; i < 16; i++)
				regs.gpr[i] = rnd_next(&seed);
			rip = rnd_next(&seed);
			regs.rip = rip;
			regs.rflags = rnd_next(&seed);
			ret = mv_emu_mem_offset(&in, &regs, &off);
			ck_assert_int_eq(ret, in.has_mem ? 0 : -EINVAL);
			if (in.op == MV_OP_VMOV) {
				ret = mv_emu_vec_start(&in, rnd_next(&seed),
						       rnd_next(&seed),
						       rnd_next(&seed) & 1, off,
						       &acc);
				ck_assert(ret == 0 || ret == MV_EMU_EXC_UD ||
					  ret == MV_EMU_EXC_NM || ret == MV_EMU_EXC_MF ||
					  ret == MV_EMU_EXC_GP ||
					  (ret == -EOPNOTSUPP && !in.has_mem));
				if (ret)
					continue;
				ck_assert(acc.size == 8 || acc.size == 16);
				ck_assert_int_eq(mv_emu_vec_finish(&in, &regs), 0);
				goto check_rip;
			}
			ret = mv_emu_start(&in, &regs, &acc);
			if (ret) {
				ck_assert_int_eq(ret, -EOPNOTSUPP);
				continue;
			}
			ck_assert(acc.size == 1 || acc.size == 2 || acc.size == 4 ||
				  acc.size == 8);
			ret = mv_emu_finish(&in, &regs, rnd_next(&seed), &next);
			ck_assert(ret == 0 || ret == 1);
			if (ret == 1)
				ck_assert(next.write && next.size == acc.size);
check_rip:
			rip += in.len;
			if (mode == M16)
				rip &= 0xffff;
			else if (mode == M32)
				rip &= 0xffffffff;
			ck_assert_uint_eq(regs.rip, rip);
		}
		free(buf);
	}
	/* The alphabet makes a good share of the inputs valid. */
	ck_assert_int_gt(ok, FUZZ_RUNS / 20);
}
END_TEST

static Suite *emulate_suite(void)
{
	Suite *s = suite_create("emulate");
	TCase *tc;

	build_entries();

	tc = tcase_create("native");
	tcase_add_checked_fixture(tc, jit_setup, jit_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_native, 0, n_entries);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_decode_table, 0, N(dcases));
	tcase_add_test(tc, test_decode_prefixes);
	tcase_add_loop_test(tc, test_decode_io, 0, N(iocases));
	tcase_add_loop_test(tc, test_decode_string, 0, N(strcases));
	tcase_add_loop_test(tc, test_decode_errors, 0, N(ecases));
	tcase_add_loop_test(tc, test_decode_msw, 0, N(mswcases));
	tcase_add_loop_test(tc, test_mem_offset, 0, N(eacases));
	tcase_add_loop_test(tc, test_decode_vec, 0, N(vcases));
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_add_test(tc, test_exec_modes);
	tcase_add_test(tc, test_exec_errors);
	tcase_add_test(tc, test_vec_faults);
	tcase_add_test(tc, test_vec_exec);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(emulate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
