// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 instruction decoder and emulator for MMIO and shadow page-table writes.
 *
 * Decoding follows SDM vol 2A chapter 2 "Instruction Format" (prefixes, REX,
 * ModRM, SIB, displacement, immediate) and its opcode map, appendix A of SDM
 * vol 2D; execution follows each instruction's page in SDM vol 2A-2D (flags in
 * its "Flags Affected" section) and APM vol 3. Manual editions: emulate.h.
 *
 * The decoder knows exactly the instructions it can execute (plus the I/O
 * ones), so any other opcode stops it with -EOPNOTSUPP before it needs to
 * know the rest of that instruction's format. It never reads a byte past the
 * end of the buffer or past MV_EMU_MAX_LEN, whatever the bytes are.
 */
#include "emulate.h"

/* Bytes are fetched through this: pos never passes limit. */
struct mv_cursor {
	const u8 *bytes;
	unsigned int pos;
	unsigned int limit;	/* min(avail, MV_EMU_MAX_LEN) */
};

/* Opcode properties, for the checks after the whole instruction is read. */
#define MV_F_LOCK	(1U << 0)	/* LOCK allowed with a memory operand */
#define MV_F_IMPLOCK	(1U << 1)	/* locked without the prefix (XCHG) */
#define MV_F_XRELEASE	(1U << 2)	/* F3 = XRELEASE with a memory operand */
#define MV_F_REP	(1U << 3)	/* F3 = REP (INS, OUTS, MOVS, STOS) */
#define MV_F_SIMD	(1U << 4)	/* 66/F2/F3 were a mandatory prefix */

/* Immediate operand kinds. */
enum {
	MV_IMM_NONE,
	MV_IMM_8S,	/* imm8, sign-extended */
	MV_IMM_8U,	/* imm8, zero-extended (bit offset, port) */
	MV_IMM_Z,	/* imm16 with 16-bit operand size, else imm32 sign-extended */
};

static u64 size_mask(unsigned int size)
{
	return ~0ULL >> (64 - 8 * size);
}

static u64 sign_extend(u64 val, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return (u64)((s64)(val << shift) >> shift);
}

/* Little-endian fetch of n (1..8) bytes. */
static int fetch(struct mv_cursor *c, unsigned int n, u64 *val)
{
	unsigned int i;
	u64 v = 0;

	if (n > c->limit - c->pos)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v |= (u64)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*val = v;
	return 0;
}

static int fetch_u8(struct mv_cursor *c, u8 *val)
{
	if (c->pos >= c->limit)
		return -EINVAL;
	*val = c->bytes[c->pos++];
	return 0;
}

/* Signed displacement of n bytes. */
static int fetch_disp(struct mv_cursor *c, struct mv_insn *insn, unsigned int n)
{
	u64 v;
	int ret;

	ret = fetch(c, n, &v);
	if (ret)
		return ret;
	insn->disp_size = (u8)n;
	insn->disp = sign_extend(v, n);
	return 0;
}

/*
 * 16-bit addressing: SDM vol 2A "16-Bit Addressing Forms with the ModR/M
 * Byte". rm selects [BX+SI] [BX+DI] [BP+SI] [BP+DI] [SI] [DI] [BP] [BX];
 * mod 0 rm 6 is [disp16]. BP-based forms default to SS.
 */
static int decode_mem16(struct mv_cursor *c, struct mv_insn *insn)
{
	static const u8 base16[8] = {
		MV_REG_RBX, MV_REG_RBX, MV_REG_RBP, MV_REG_RBP,
		MV_REG_NONE, MV_REG_NONE, MV_REG_RBP, MV_REG_RBX,
	};
	static const u8 index16[8] = {
		MV_REG_RSI, MV_REG_RDI, MV_REG_RSI, MV_REG_RDI,
		MV_REG_RSI, MV_REG_RDI, MV_REG_NONE, MV_REG_NONE,
	};
	unsigned int rm = insn->modrm & 7;

	insn->base = base16[rm];
	insn->index = index16[rm];
	if (insn->mod == 0 && rm == 6) {
		insn->base = MV_REG_NONE;
		return fetch_disp(c, insn, 2);
	}
	if (insn->mod == 1)
		return fetch_disp(c, insn, 1);
	if (insn->mod == 2)
		return fetch_disp(c, insn, 2);
	return 0;
}

/*
 * 32- and 64-bit addressing: SDM vol 2A "32-Bit Addressing Forms with the
 * ModR/M Byte" and "... with the SIB Byte", and 2.2.1 "REX Prefixes" for the
 * 64-bit differences: mod 0 rm 5 is RIP-relative in 64-bit mode; SIB index 4
 * (without REX.X) is no index; SIB base 5 (or 13) with mod 0 is no base and a
 * disp32. RSP/RBP as base default to SS.
 */
static int decode_mem32(struct mv_cursor *c, struct mv_insn *insn)
{
	unsigned int rex_b = insn->rex & 1 ? 8 : 0;
	unsigned int rex_x = insn->rex & 2 ? 8 : 0;
	unsigned int rm = insn->modrm & 7;
	int ret;

	insn->index = MV_REG_NONE;
	if (rm == 4) {
		ret = fetch_u8(c, &insn->sib);
		if (ret)
			return ret;
		insn->has_sib = true;
		insn->scale = (u8)(1U << (insn->sib >> 6));
		if ((((insn->sib >> 3) & 7) | rex_x) != 4)
			insn->index = ((insn->sib >> 3) & 7) | rex_x;
		insn->base = (insn->sib & 7) | rex_b;
		if ((insn->sib & 7) == 5 && insn->mod == 0) {
			insn->base = MV_REG_NONE;
			return fetch_disp(c, insn, 4);
		}
	} else if (rm == 5 && insn->mod == 0) {
		insn->base = MV_REG_NONE;
		insn->rip_rel = insn->mode == MV_EMU_MODE64;
		return fetch_disp(c, insn, 4);
	}
	if (rm != 4)
		insn->base = rm | rex_b;
	if (insn->mod == 1)
		return fetch_disp(c, insn, 1);
	if (insn->mod == 2)
		return fetch_disp(c, insn, 4);
	return 0;
}

static int decode_modrm(struct mv_cursor *c, struct mv_insn *insn)
{
	int ret;

	ret = fetch_u8(c, &insn->modrm);
	if (ret)
		return ret;
	insn->has_modrm = true;
	insn->mod = insn->modrm >> 6;
	insn->rm = (insn->modrm & 7) | (insn->rex & 1 ? 8 : 0);
	insn->base = MV_REG_NONE;
	insn->index = MV_REG_NONE;
	insn->scale = 1;
	if (insn->mod == 3)
		return 0;
	insn->has_mem = true;
	if (insn->addr_size == 2)
		return decode_mem16(c, insn);
	return decode_mem32(c, insn);
}

/* Does this (supported) opcode have a ModRM byte? */
static bool has_modrm(const struct mv_insn *insn)
{
	u8 op = insn->opcode;

	if (insn->twobyte)
		return true;	/* every 0F opcode decode_opcode() accepts */
	if (op < 0x40 || op == 0x63 || (op >= 0x80 && op <= 0x8b))
		return true;
	return op == 0xc6 || op == 0xc7 || op == 0xf6 || op == 0xf7 ||
	       op == 0xfe || op == 0xff;
}

/*
 * Is the opcode handled at all? 0 if decode_opcode() may take it (depending
 * on ModRM), -EOPNOTSUPP if not, -EINVAL if it is #UD whatever follows.
 */
static int check_opcode(const struct mv_insn *insn)
{
	u8 op = insn->opcode;
	bool m64 = insn->mode == MV_EMU_MODE64;

	if (insn->twobyte) {
		switch (op) {
		case 0x0b: case 0xb9: case 0xff:	/* UD2 UD1 UD0 */
			return -EINVAL;
		case 0xa3: case 0xab: case 0xb3: case 0xbb: case 0xba:
		case 0xb0: case 0xb1: case 0xb6: case 0xb7: case 0xbe: case 0xbf:
		case 0xc7: case 0x01:
		case 0x10: case 0x11: case 0x28: case 0x29: case 0x2b:
		case 0x6f: case 0x7f: case 0xe7:
			return 0;
		}
		return -EOPNOTSUPP;
	}
	/* SDM vol 2D appendix A "Opcode Map": the one-byte "i64" entries #UD. */
	if (m64) {
		switch (op) {
		case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17:
		case 0x1e: case 0x1f: case 0x27: case 0x2f: case 0x37:
		case 0x3f: case 0x60: case 0x61: case 0x82: case 0x9a:
		case 0xce: case 0xd4: case 0xd5: case 0xd6: case 0xea:
			return -EINVAL;
		}
	}
	if (op < 0x40 && (op & 7) < 4)
		return 0;
	if (op == 0x63)
		return m64 ? 0 : -EOPNOTSUPP;	/* ARPL outside 64-bit mode */
	if ((op >= 0x80 && op <= 0x8b) || (op >= 0xa0 && op <= 0xa5) ||
	    (op >= 0x6c && op <= 0x6f) || op == 0xaa || op == 0xab)
		return 0;
	switch (op) {
	case 0xc6: case 0xc7: case 0xf6: case 0xf7: case 0xfe: case 0xff:
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		return 0;
	}
	return -EOPNOTSUPP;
}

/*
 * The MMX and SSE moves of KVM's emulator: the entries of its twobyte_table
 * with the Mmx or Sse flag, no more. The mandatory prefix picks the form
 * (SDM vol 2A 2.1.2 "Opcodes"); 66 together with F2 or F3 is not handled,
 * as in KVM. Loads are 0F 10, 28, 6F; the others store.
 *
 *	0F 10/11 MOVUPS		66 0F 10/11 MOVUPD
 *	0F 28/29 MOVAPS (a)	66 0F 28/29 MOVAPD (a)
 *	0F 2B MOVNTPS (a, m)	66 0F 2B MOVNTPD (a, m)
 *	0F 6F/7F MOVQ mm	66 0F 6F/7F MOVDQA (a)
 *	F3 0F 6F/7F MOVDQU	66 0F E7 MOVNTDQ (a, m)
 *
 * (a): a memory operand not 16-byte aligned is #GP(0) (SDM vol 2B, each
 * page); (m): memory operand only, a register one is #UD.
 * Not in KVM's table, so not here: MOVD/MOVQ 0F 6E/7E, MOVQ F3 0F 7E and
 * 66 0F D6, MOVSS/MOVSD (F3/F2 0F 10/11), MOVNTQ (0F E7), the VEX forms.
 * MOVQ mm names MM0-7 whatever REX.R says; REX.W changes no size.
 */
static int decode_vec(struct mv_insn *insn, u8 reg, bool opsize_prefix,
		      unsigned int *flags)
{
	u8 op = insn->opcode;
	u8 pfx = opsize_prefix ? 0x66 : 0;

	if (insn->rep != MV_REP_NONE) {
		if (opsize_prefix)
			return -EOPNOTSUPP;
		pfx = insn->rep == MV_REP_E ? 0xf3 : 0xf2;
	}
	switch (op) {
	case 0x10: case 0x11: case 0x28: case 0x29: case 0x2b:
		if (pfx != 0 && pfx != 0x66)
			return -EOPNOTSUPP;
		insn->aligned = op >= 0x28;
		break;
	case 0x6f: case 0x7f:
		if (pfx == 0xf2)
			return -EOPNOTSUPP;
		insn->aligned = pfx == 0x66;
		break;
	default:	/* 0xe7 */
		if (pfx != 0x66)
			return -EOPNOTSUPP;
		insn->aligned = true;
		break;
	}
	/* (m): SDM vol 2B MOVNTPS, MOVNTPD, MOVNTDQ. */
	if ((op == 0x2b || op == 0xe7) && insn->mod == 3)
		return -EINVAL;
	insn->op = MV_OP_VMOV;
	insn->reg_dst = op == 0x10 || op == 0x28 || op == 0x6f;
	if ((op == 0x6f || op == 0x7f) && !pfx) {
		insn->vec = MV_VEC_MMX;
		insn->reg = reg & 7;
		insn->op_size = 8;
	} else {
		insn->vec = MV_VEC_SSE;
		insn->reg = reg;
		insn->op_size = 16;
	}
	insn->mem_size = insn->op_size;
	*flags = MV_F_SIMD;
	return 0;
}

/*
 * The operation of a (supported) opcode, once ModRM is known. Sets op,
 * src/reg_dst, operand sizes, the immediate kind and the prefix rules.
 */
static int decode_opcode(struct mv_insn *insn, bool opsize_prefix,
			 unsigned int *imm, unsigned int *flags)
{
	unsigned int regf = (insn->modrm >> 3) & 7;
	u8 reg = regf | (insn->rex & 4 ? 8 : 0);
	u8 op = insn->opcode;
	bool byte = !(op & 1);

	*imm = MV_IMM_NONE;
	*flags = 0;

	if (insn->twobyte) {
		switch (op) {
		case 0xa3: case 0xab: case 0xb3: case 0xbb:
			/* SDM vol 2A BT, BTS, BTR, BTC: r/m, r */
			insn->op = MV_OP_BT + ((op >> 3) & 3);
			insn->src = MV_SRC_REG;
			insn->reg = reg;
			*flags = insn->op == MV_OP_BT ? 0 : MV_F_LOCK;
			return 0;
		case 0xba:
			/* Group 8: BT* r/m, imm8; /0-/3 are #UD. */
			if (regf < 4)
				return -EINVAL;
			insn->op = MV_OP_BT + regf - 4;
			insn->src = MV_SRC_IMM;
			*imm = MV_IMM_8U;
			*flags = insn->op == MV_OP_BT ? 0 : MV_F_LOCK;
			return 0;
		case 0xb0: case 0xb1:
			/* SDM vol 2A CMPXCHG: r/m, r, with rAX implied. */
			insn->op = MV_OP_CMPXCHG;
			insn->src = MV_SRC_REG;
			insn->reg = reg;
			if (byte)
				insn->op_size = 1;
			*flags = MV_F_LOCK;
			return 0;
		case 0xc7:
			/*
			 * Group 9: /1 with memory is CMPXCHG8B (SDM vol 2A
			 * CMPXCHG8B/CMPXCHG16B), EDX:EAX against m64 whatever
			 * the operand size; CMPXCHG16B (REX.W) and the others
			 * (RDRAND, VMPTRLD...) are not handled.
			 */
			if (regf != 1 || (insn->rex & 8))
				return -EOPNOTSUPP;
			if (insn->mod == 3)
				return -EINVAL;
			insn->op = MV_OP_CMPXCHG8B;
			insn->op_size = 4;
			insn->mem_size = 8;
			*flags = MV_F_LOCK;
			return 0;
		case 0x10: case 0x11: case 0x28: case 0x29: case 0x2b:
		case 0x6f: case 0x7f: case 0xe7:
			return decode_vec(insn, reg, opsize_prefix, flags);
		case 0x01:
			/*
			 * Group 7: LMSW m16 (/6) and SMSW m16 (/4), whatever
			 * the operand size (SDM vol 2A LMSW, SMSW); the rest
			 * (SGDT, VMCALL...) is not handled.
			 */
			if (insn->mod == 3 || (regf != 4 && regf != 6))
				return -EOPNOTSUPP;
			insn->op = regf == 6 ? MV_OP_LMSW : MV_OP_SMSW;
			insn->op_size = 2;
			insn->mem_size = 2;
			return 0;
		case 0xb6: case 0xb7: case 0xbe: case 0xbf:
			/* SDM vol 2B MOVZX, MOVSX: r16/32/64 <- r/m8 or r/m16. */
			insn->op = op & 8 ? MV_OP_MOVSX : MV_OP_MOVZX;
			insn->reg_dst = true;
			insn->reg = reg;
			insn->mem_size = op & 1 ? 2 : 1;
			return 0;
		}
		return -EOPNOTSUPP;
	}

	if (op < 0x40) {
		/* 00-3B: ADD OR ADC SBB AND SUB XOR CMP, r/m,r and r,r/m. */
		insn->op = op >> 3;
		insn->src = MV_SRC_REG;
		insn->reg_dst = op & 2;
		insn->reg = reg;
		if (byte)
			insn->op_size = 1;
		if (!insn->reg_dst && insn->op != MV_OP_CMP)
			*flags = MV_F_LOCK;
		return 0;
	}

	switch (op) {
	case 0x63:
		/*
		 * SDM vol 2B MOVSX/MOVSXD: with REX.W it sign-extends r/m32.
		 * Without, it is a plain 32-bit move (discouraged by the SDM);
		 * the 16-bit form is not handled (vendors differ in what it reads).
		 */
		insn->reg_dst = true;
		insn->reg = reg;
		if (insn->op_size == 8) {
			insn->op = MV_OP_MOVSX;
			insn->mem_size = 4;
			return 0;
		}
		if (insn->op_size == 2)
			return -EOPNOTSUPP;
		insn->op = MV_OP_MOV;
		return 0;
	case 0x80: case 0x81: case 0x82: case 0x83:
		/* Group 1 (SDM vol 2A ADD etc.): r/m, imm. 82 = 80 outside 64-bit. */
		insn->op = regf;
		insn->src = MV_SRC_IMM;
		if (op != 0x81)
			*imm = MV_IMM_8S;
		else
			*imm = MV_IMM_Z;
		if (op != 0x81 && op != 0x83)
			insn->op_size = 1;
		if (insn->op != MV_OP_CMP)
			*flags = MV_F_LOCK;
		return 0;
	case 0x84: case 0x85:
		/* SDM vol 2B TEST: r/m, r */
		insn->op = MV_OP_TEST;
		insn->src = MV_SRC_REG;
		insn->reg = reg;
		if (byte)
			insn->op_size = 1;
		return 0;
	case 0x86: case 0x87:
		/* SDM vol 2D XCHG: r/m, r; locked with memory, prefix or not. */
		insn->op = MV_OP_XCHG;
		insn->src = MV_SRC_REG;
		insn->reg = reg;
		if (byte)
			insn->op_size = 1;
		*flags = MV_F_LOCK | MV_F_IMPLOCK;
		return 0;
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		/* SDM vol 2B MOV: r/m, r and r, r/m. XRELEASE on the stores. */
		insn->op = MV_OP_MOV;
		insn->reg = reg;
		insn->reg_dst = op & 2;
		insn->src = insn->reg_dst ? MV_SRC_NONE : MV_SRC_REG;
		if (byte)
			insn->op_size = 1;
		if (!insn->reg_dst)
			*flags = MV_F_XRELEASE;
		return 0;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* SDM vol 2B MOV: AL/rAX <-> moffs. */
		insn->op = MV_OP_MOV;
		insn->reg = MV_REG_RAX;
		insn->reg_dst = !(op & 2);
		insn->src = insn->reg_dst ? MV_SRC_NONE : MV_SRC_REG;
		if (byte)
			insn->op_size = 1;
		return 0;
	case 0xc6: case 0xc7:
		/*
		 * Group 11: /0 is MOV r/m, imm (SDM vol 2B MOV); /7 with
		 * mod 3 is XABORT/XBEGIN; the rest is #UD.
		 */
		if (regf == 7 && insn->mod == 3)
			return -EOPNOTSUPP;
		if (regf != 0)
			return -EINVAL;
		insn->op = MV_OP_MOV;
		insn->src = MV_SRC_IMM;
		*imm = byte ? MV_IMM_8S : MV_IMM_Z;
		if (byte)
			insn->op_size = 1;
		*flags = MV_F_XRELEASE;
		return 0;
	case 0xf6: case 0xf7:
		/*
		 * Group 3: /0 TEST r/m, imm; /2 NOT; /3 NEG (SDM vol 2B).
		 * /1 (an undocumented alias of /0) and MUL/IMUL/DIV/IDIV are
		 * not handled.
		 */
		if (byte)
			insn->op_size = 1;
		switch (regf) {
		case 0:
			insn->op = MV_OP_TEST;
			insn->src = MV_SRC_IMM;
			*imm = byte ? MV_IMM_8S : MV_IMM_Z;
			return 0;
		case 2:
		case 3:
			insn->op = regf == 2 ? MV_OP_NOT : MV_OP_NEG;
			*flags = MV_F_LOCK;
			return 0;
		}
		return -EOPNOTSUPP;
	case 0xfe: case 0xff:
		/*
		 * Group 4 (FE) and 5 (FF): /0 INC, /1 DEC (SDM vol 2A DEC,
		 * INC). FF /2-/6 are CALL, JMP, PUSH; FE /2-/7 and FF /7 #UD.
		 */
		if (regf >= 2)
			return (byte || regf == 7) ? -EINVAL : -EOPNOTSUPP;
		insn->op = regf ? MV_OP_DEC : MV_OP_INC;
		if (byte)
			insn->op_size = 1;
		*flags = MV_F_LOCK;
		return 0;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
		/*
		 * SDM vol 2A INS and vol 2B OUTS: ES:rDI <- port DX, port DX
		 * <- seg:rSI (default DS). Operand size at most 32 bits.
		 */
		insn->op = op & 2 ? MV_OP_OUTS : MV_OP_INS;
		insn->port_dx = true;
		insn->has_mem = true;
		insn->scale = 1;
		insn->index = MV_REG_NONE;
		if (insn->op == MV_OP_INS) {
			insn->base = MV_REG_RDI;
			insn->seg = MV_SEG_ES;
		} else {
			insn->base = MV_REG_RSI;
		}
		*flags = MV_F_REP;
		break;
	case 0xa4: case 0xa5: case 0xaa: case 0xab:
		/*
		 * SDM vol 2B MOVS: ES:rDI <- seg:rSI (default DS); STOS:
		 * ES:rDI <- AL/rAX. The memory operand named is MOVS's
		 * source, STOS's destination.
		 */
		insn->op = op >= 0xaa ? MV_OP_STOS : MV_OP_MOVS;
		insn->has_mem = true;
		insn->scale = 1;
		insn->index = MV_REG_NONE;
		if (insn->op == MV_OP_STOS) {
			insn->base = MV_REG_RDI;
			insn->seg = MV_SEG_ES;
			insn->reg = MV_REG_RAX;
		} else {
			insn->base = MV_REG_RSI;
		}
		if (byte)
			insn->op_size = 1;
		*flags = MV_F_REP;
		return 0;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		/* SDM vol 2A IN, vol 2B OUT: imm8 port or DX. */
		insn->op = op & 2 ? MV_OP_OUT : MV_OP_IN;
		insn->port_dx = op & 8;
		if (!insn->port_dx)
			*imm = MV_IMM_8U;
		break;
	default:
		return -EOPNOTSUPP;
	}
	/* The I/O instructions: 8, 16 or 32 bits; REX.W does not widen them. */
	if (byte)
		insn->op_size = 1;
	else if (insn->op_size == 8)
		insn->op_size = 4;
	return 0;
}

static int fetch_imm(struct mv_cursor *c, struct mv_insn *insn, unsigned int kind)
{
	unsigned int n;
	u64 v;
	int ret;

	switch (kind) {
	case MV_IMM_NONE:
		return 0;
	case MV_IMM_8S:
	case MV_IMM_8U:
		n = 1;
		break;
	default:
		n = insn->op_size == 2 ? 2 : 4;
		break;
	}
	ret = fetch(c, n, &v);
	if (ret)
		return ret;
	insn->imm_size = (u8)n;
	insn->imm = kind == MV_IMM_8U ? v : sign_extend(v, n);
	return 0;
}

/*
 * SDM vol 2A 2.1.1 "Instruction Prefixes": LOCK only with a memory destination
 * of the instructions that allow it (#UD otherwise); F2/F3 as REP on the
 * string instructions, as XACQUIRE/XRELEASE (SDM vol 2D XACQUIRE/XRELEASE)
 * with LOCK, on XCHG, and (XRELEASE) on MOV stores. Elsewhere hardware
 * ignores F2/F3 or gives them a meaning the emulator lacks: -EOPNOTSUPP.
 */
static int check_prefixes(struct mv_insn *insn, unsigned int flags)
{
	bool mem_lock = insn->has_mem && (flags & MV_F_LOCK);

	if (insn->lock && !mem_lock)
		return -EINVAL;
	if (mem_lock && (flags & MV_F_IMPLOCK))
		insn->lock = true;
	if (insn->rep == MV_REP_NONE || (flags & MV_F_SIMD))
		return 0;
	if (flags & MV_F_REP)
		return insn->rep == MV_REP_E ? 0 : -EOPNOTSUPP;
	if (mem_lock && insn->lock)
		return 0;
	if (insn->has_mem && (flags & MV_F_XRELEASE) && insn->rep == MV_REP_E)
		return 0;
	return -EOPNOTSUPP;
}

int mv_emu_decode(struct mv_insn *insn, const u8 *bytes, unsigned int avail,
		  enum mv_emu_mode mode)
{
	struct mv_cursor c = {
		.bytes = bytes,
		.limit = avail < MV_EMU_MAX_LEN ? avail : MV_EMU_MAX_LEN,
	};
	bool opsize_prefix = false, addrsize_prefix = false;
	unsigned int imm, flags;
	u8 b, seg = MV_SEG_NONE;
	int ret;

	if (mode > MV_EMU_MODE64)
		return -EINVAL;
	*insn = (struct mv_insn){ };
	insn->mode = mode;
	insn->seg = MV_SEG_NONE;

	/*
	 * Legacy prefixes in any order and number, then REX (64-bit mode):
	 * a REX followed by another prefix is ignored (SDM vol 2A 2.2.1
	 * "REX Prefixes"). The last segment override and the last of F2/F3
	 * win. In 64-bit mode the ES, CS, SS and DS overrides are ignored.
	 */
	for (;;) {
		ret = fetch_u8(&c, &b);
		if (ret)
			return ret;
		if (mode == MV_EMU_MODE64 && (b & 0xf0) == 0x40) {
			insn->rex = b;
			continue;
		}
		if (!mv_emu_legacy_prefix(b))
			break;
		insn->rex = 0;
		switch (b) {
		case 0x66:
			opsize_prefix = true;
			break;
		case 0x67:
			addrsize_prefix = true;
			break;
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2:
			insn->rep = MV_REP_NE;
			break;
		case 0xf3:
			insn->rep = MV_REP_E;
			break;
		case 0x64:
			seg = MV_SEG_FS;
			break;
		case 0x65:
			seg = MV_SEG_GS;
			break;
		default:	/* 26 2E 36 3E: ES CS SS DS */
			if (mode != MV_EMU_MODE64)
				seg = (b >> 3) & 3;
			break;
		}
	}

	/* SDM vol 1 3.6 "Operand-size and Address-size Attributes". */
	if (insn->rex & 8)
		insn->op_size = 8;
	else if (mode == MV_EMU_MODE16)
		insn->op_size = opsize_prefix ? 4 : 2;
	else
		insn->op_size = opsize_prefix ? 2 : 4;
	if (mode == MV_EMU_MODE64)
		insn->addr_size = addrsize_prefix ? 4 : 8;
	else if (mode == MV_EMU_MODE32)
		insn->addr_size = addrsize_prefix ? 2 : 4;
	else
		insn->addr_size = addrsize_prefix ? 4 : 2;

	insn->opcode = b;
	if (b == 0x0f) {
		insn->twobyte = true;
		ret = fetch_u8(&c, &insn->opcode);
		if (ret)
			return ret;
	}
	ret = check_opcode(insn);
	if (ret)
		return ret;

	if (has_modrm(insn)) {
		ret = decode_modrm(&c, insn);
		if (ret)
			return ret;
	} else if (!insn->twobyte && insn->opcode >= 0xa0 &&
		   insn->opcode <= 0xa3) {
		/* moffs: an unsigned offset of the address size. */
		insn->has_mem = true;
		insn->base = MV_REG_NONE;
		insn->index = MV_REG_NONE;
		insn->scale = 1;
		ret = fetch(&c, insn->addr_size, &insn->disp);
		if (ret)
			return ret;
		insn->disp_size = insn->addr_size;
	}

	ret = decode_opcode(insn, opsize_prefix, &imm, &flags);
	if (ret)
		return ret;
	ret = fetch_imm(&c, insn, imm);
	if (ret)
		return ret;
	ret = check_prefixes(insn, flags);
	if (ret)
		return ret;

	if (insn->has_mem) {
		if (!insn->mem_size)
			insn->mem_size = insn->op_size;
		/* INS has its fixed ES; the others default by base register. */
		if (insn->seg == MV_SEG_NONE)
			insn->seg = seg;
		if (insn->seg == MV_SEG_NONE)
			insn->seg = (insn->base == MV_REG_RSP ||
				     insn->base == MV_REG_RBP) ? MV_SEG_SS : MV_SEG_DS;
	}
	insn->len = (u8)c.pos;
	return 0;
}

/* ---- execution ---- */

/* 8-bit registers 4-7 are AH CH DH BH unless there is a REX prefix. */
static bool is_high_byte(const struct mv_insn *insn, unsigned int reg,
			 unsigned int size)
{
	return size == 1 && !insn->rex && reg >= 4 && reg < 8;
}

static u64 reg_read(const struct mv_insn *insn, const struct mv_emu_regs *regs,
		    unsigned int reg, unsigned int size)
{
	if (is_high_byte(insn, reg, size))
		return (regs->gpr[reg - 4] >> 8) & 0xff;
	return regs->gpr[reg] & size_mask(size);
}

/*
 * SDM vol 1 3.4.1.1 "General-Purpose Registers in 64-Bit Mode": 8 and 16-bit
 * results leave the rest of the register alone, 32-bit results zero-extend.
 * Outside 64-bit mode the upper half is not visible; it is zeroed as well.
 */
static void reg_write(const struct mv_insn *insn, struct mv_emu_regs *regs,
		      unsigned int reg, unsigned int size, u64 val)
{
	u64 *r = &regs->gpr[reg];

	switch (size) {
	case 1:
		if (is_high_byte(insn, reg, size)) {
			r = &regs->gpr[reg - 4];
			*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
		} else {
			*r = (*r & ~0xffULL) | (val & 0xff);
		}
		break;
	case 2:
		*r = (*r & ~0xffffULL) | (val & 0xffff);
		break;
	case 4:
		*r = (u32)val;
		break;
	default:
		*r = val;
		break;
	}
}

/* The register or immediate operand, at operand size. */
static u64 src_value(const struct mv_insn *insn, const struct mv_emu_regs *regs)
{
	if (insn->src == MV_SRC_IMM)
		return insn->imm & size_mask(insn->op_size);
	return reg_read(insn, regs, insn->reg, insn->op_size);
}

/* PF: set when the low byte of the result has an even number of ones. */
static bool parity_even(u64 val)
{
	u8 b = (u8)val;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/*
 * The group-1 operations and TEST: result and the six status flags, as in
 * SDM vol 2A ADD, ADC, AND, CMP, OR, SBB, SUB, XOR and vol 2B TEST "Flags
 * Affected". CF/OF/AF come from the carry (borrow) vector: bit i of
 * (a & b) | ((a | b) & ~r) is the carry out of bit i of a + b (+ carry in);
 * bit 4 of a ^ b ^ r is the carry (borrow) into bit 4. The logic operations
 * clear CF and OF; AF is undefined for them and cleared, as hardware does.
 */
static u64 alu(unsigned int op, u64 a, u64 b, unsigned int size, u64 *rflags)
{
	u64 msb = 1ULL << (8 * size - 1);
	u64 mask = size_mask(size);
	u64 cin = *rflags & MV_RFLAGS_CF ? 1 : 0;
	u64 res, carry, f = 0;

	a &= mask;
	b &= mask;
	switch (op) {
	case MV_OP_ADD:
	case MV_OP_ADC:
		res = a + b + (op == MV_OP_ADC ? cin : 0);
		carry = (a & b) | ((a | b) & ~res);
		if (carry & msb)
			f |= MV_RFLAGS_CF;
		if ((a ^ res) & (b ^ res) & msb)
			f |= MV_RFLAGS_OF;
		f |= (a ^ b ^ res) & MV_RFLAGS_AF;
		break;
	case MV_OP_SUB:
	case MV_OP_SBB:
	case MV_OP_CMP:
		res = a - b - (op == MV_OP_SBB ? cin : 0);
		carry = (~a & b) | ((~a | b) & res);
		if (carry & msb)
			f |= MV_RFLAGS_CF;
		if ((a ^ b) & (a ^ res) & msb)
			f |= MV_RFLAGS_OF;
		f |= (a ^ b ^ res) & MV_RFLAGS_AF;
		break;
	case MV_OP_OR:
		res = a | b;
		break;
	case MV_OP_XOR:
		res = a ^ b;
		break;
	default:	/* AND, TEST */
		res = a & b;
		break;
	}
	res &= mask;
	if (!res)
		f |= MV_RFLAGS_ZF;
	if (res & msb)
		f |= MV_RFLAGS_SF;
	if (parity_even(res))
		f |= MV_RFLAGS_PF;
	*rflags = (*rflags & ~MV_RFLAGS_ARITH) | f;
	return res;
}

/*
 * The bit offset of BT*, within the operand. SDM vol 2A BT: an immediate is
 * taken modulo the operand width; a register offset is signed and may select
 * a bit outside the operand (at another address): not handled.
 */
static int bit_offset(const struct mv_insn *insn, const struct mv_emu_regs *regs,
		      unsigned int *offset)
{
	unsigned int bits = 8 * insn->op_size;
	u64 off;

	if (insn->src == MV_SRC_IMM) {
		*offset = insn->imm & (bits - 1);
		return 0;
	}
	off = reg_read(insn, regs, insn->reg, insn->op_size);
	if (off >= bits)	/* negative offsets are large here */
		return -EOPNOTSUPP;
	*offset = (unsigned int)off;
	return 0;
}

static bool is_bt(const struct mv_insn *insn)
{
	return insn->op >= MV_OP_BT && insn->op <= MV_OP_BTC;
}

/* RIP past the instruction, wrapped to the code segment's size. */
static void advance_rip(const struct mv_insn *insn, struct mv_emu_regs *regs)
{
	regs->rip += insn->len;
	if (insn->mode == MV_EMU_MODE16)
		regs->rip &= 0xffff;
	else if (insn->mode == MV_EMU_MODE32)
		regs->rip &= 0xffffffff;
}

int mv_emu_mem_offset(const struct mv_insn *insn,
		      const struct mv_emu_regs *regs, u64 *offset)
{
	u64 ea = insn->disp;

	if (!insn->has_mem)
		return -EINVAL;
	/* SDM vol 2A 2.2.1.6 "RIP-Relative Addressing": from the next insn. */
	if (insn->rip_rel)
		ea += regs->rip + insn->len;
	if (insn->base != MV_REG_NONE)
		ea += regs->gpr[insn->base];
	if (insn->index != MV_REG_NONE)
		ea += regs->gpr[insn->index] * insn->scale;
	*offset = ea & size_mask(insn->addr_size);
	return 0;
}

int mv_emu_start(const struct mv_insn *insn, const struct mv_emu_regs *regs,
		 struct mv_emu_access *acc)
{
	unsigned int off;
	int ret;

	if (!insn->has_mem || insn->op >= MV_OP_INS)
		return -EOPNOTSUPP;
	if (is_bt(insn)) {
		ret = bit_offset(insn, regs, &off);
		if (ret)
			return ret;
	}
	acc->size = insn->mem_size;
	acc->write = insn->op == MV_OP_MOV && !insn->reg_dst;
	acc->data = acc->write ? src_value(insn, regs) : 0;
	return 0;
}

int mv_emu_finish(const struct mv_insn *insn, struct mv_emu_regs *regs,
		  u64 read_data, struct mv_emu_access *next)
{
	unsigned int size = insn->op_size, off = 0;
	u64 rflags = regs->rflags, cf, res = 0, src, m;
	bool write = false;
	int ret;

	if (!insn->has_mem || insn->op >= MV_OP_INS)
		return -EOPNOTSUPP;
	if (is_bt(insn)) {
		ret = bit_offset(insn, regs, &off);
		if (ret)
			return ret;
	}
	m = read_data & size_mask(insn->mem_size);
	src = insn->src == MV_SRC_NONE ? 0 : src_value(insn, regs);

	switch (insn->op) {
	case MV_OP_MOV:
		if (insn->reg_dst)
			reg_write(insn, regs, insn->reg, size, m);
		break;
	case MV_OP_MOVZX:
		reg_write(insn, regs, insn->reg, size, m);
		break;
	case MV_OP_MOVSX:
		reg_write(insn, regs, insn->reg, size,
			  sign_extend(m, insn->mem_size));
		break;
	case MV_OP_ADD: case MV_OP_OR: case MV_OP_ADC: case MV_OP_SBB:
	case MV_OP_AND: case MV_OP_SUB: case MV_OP_XOR: case MV_OP_CMP:
		if (insn->reg_dst)
			res = alu(insn->op, src, m, size, &rflags);
		else
			res = alu(insn->op, m, src, size, &rflags);
		if (insn->op == MV_OP_CMP)
			break;
		if (insn->reg_dst)
			reg_write(insn, regs, insn->reg, size, res);
		else
			write = true;
		break;
	case MV_OP_TEST:
		alu(MV_OP_AND, m, src, size, &rflags);
		break;
	case MV_OP_INC:
	case MV_OP_DEC:
		/* SDM vol 2A INC, DEC: as ADD/SUB 1, but CF is kept. */
		cf = rflags & MV_RFLAGS_CF;
		res = alu(insn->op == MV_OP_INC ? MV_OP_ADD : MV_OP_SUB, m, 1,
			  size, &rflags);
		rflags = (rflags & ~MV_RFLAGS_CF) | cf;
		write = true;
		break;
	case MV_OP_NOT:
		/* SDM vol 2B NOT: no flags. */
		res = ~m;
		write = true;
		break;
	case MV_OP_NEG:
		/* SDM vol 2B NEG: 0 - x; CF = (x != 0), the borrow. */
		res = alu(MV_OP_SUB, 0, m, size, &rflags);
		write = true;
		break;
	case MV_OP_XCHG:
		reg_write(insn, regs, insn->reg, size, m);
		res = src;
		write = true;
		break;
	case MV_OP_CMPXCHG:
		/*
		 * SDM vol 2A CMPXCHG: flags of CMP rAX, r/m. Equal: r/m = src.
		 * Not equal: rAX = r/m (a 32-bit rAX zero-extends), and the
		 * hardware's write-back of the old value is not needed here.
		 */
		alu(MV_OP_CMP, reg_read(insn, regs, MV_REG_RAX, size), m, size,
		    &rflags);
		if (rflags & MV_RFLAGS_ZF) {
			res = src;
			write = true;
		} else {
			reg_write(insn, regs, MV_REG_RAX, size, m);
		}
		break;
	case MV_OP_CMPXCHG8B:
		/*
		 * SDM vol 2A CMPXCHG8B: EDX:EAX against m64; equal: ZF = 1,
		 * m64 = ECX:EBX; not equal: ZF = 0, EDX:EAX = m64. Only ZF.
		 */
		if (m == ((u64)(u32)regs->gpr[MV_REG_RDX] << 32 |
			  (u32)regs->gpr[MV_REG_RAX])) {
			rflags |= MV_RFLAGS_ZF;
			res = (u64)(u32)regs->gpr[MV_REG_RCX] << 32 |
			      (u32)regs->gpr[MV_REG_RBX];
			write = true;
		} else {
			rflags &= ~MV_RFLAGS_ZF;
			reg_write(insn, regs, MV_REG_RAX, 4, m);
			reg_write(insn, regs, MV_REG_RDX, 4, m >> 32);
		}
		break;
	case MV_OP_BT: case MV_OP_BTS: case MV_OP_BTR: case MV_OP_BTC:
		/*
		 * SDM vol 2A BT, BTS, BTR, BTC: CF = the bit; OF SF AF PF (and
		 * on some parts ZF) are undefined: they keep their value.
		 */
		rflags = (rflags & ~MV_RFLAGS_CF) | ((m >> off) & 1);
		if (insn->op == MV_OP_BT)
			break;
		if (insn->op == MV_OP_BTS)
			res = m | (1ULL << off);
		else if (insn->op == MV_OP_BTR)
			res = m & ~(1ULL << off);
		else
			res = m ^ (1ULL << off);
		write = true;
		break;
	}

	regs->rflags = rflags;
	advance_rip(insn, regs);
	if (!write)
		return 0;
	next->write = true;
	next->size = insn->mem_size;
	next->data = res & size_mask(insn->mem_size);
	return 1;
}

int mv_emu_vec_start(const struct mv_insn *insn, u64 cr0, u64 cr4,
		     bool x87_pending, u64 addr, struct mv_emu_access *acc)
{
	unsigned int i;

	if (insn->op != MV_OP_VMOV || !insn->has_mem)
		return -EOPNOTSUPP;
	if ((cr0 & MV_EMU_CR0_EM) ||
	    (insn->vec == MV_VEC_SSE && !(cr4 & MV_EMU_CR4_OSFXSR)))
		return MV_EMU_EXC_UD;
	if (cr0 & MV_EMU_CR0_TS)
		return MV_EMU_EXC_NM;
	if (insn->vec == MV_VEC_MMX && x87_pending)
		return MV_EMU_EXC_MF;
	if (insn->aligned && (addr & (insn->mem_size - 1)))
		return MV_EMU_EXC_GP;
	acc->write = !insn->reg_dst;
	acc->size = insn->mem_size;
	for (i = 0; i < sizeof(acc->bytes); i++)
		acc->bytes[i] = 0;
	return 0;
}

int mv_emu_vec_finish(const struct mv_insn *insn, struct mv_emu_regs *regs)
{
	if (insn->op != MV_OP_VMOV || !insn->has_mem)
		return -EOPNOTSUPP;
	advance_rip(insn, regs);
	return 0;
}
