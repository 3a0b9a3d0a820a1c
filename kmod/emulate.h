/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 instruction decoder and emulator, vendor neutral.
 *
 * When a guest touches guest-physical memory that no memslot backs (MMIO), or
 * writes a page table that the shadow MMU write-protects, the hardware reports
 * the address but not what the instruction wanted. The core fetches the bytes
 * at the guest's RIP and asks this code:
 *
 *	mv_emu_decode()		what instruction is it (length, sizes, segment)?
 *	mv_emu_mem_offset()	where is its memory operand (segment offset)?
 *	mv_emu_start()		what is its first memory access (read, or a
 *				store with its data)?
 *	mv_emu_finish()		given the data read, complete it: destination
 *				register, RFLAGS, RIP, and a second access if
 *				it writes back (read-modify-write).
 *
 * Executed: instructions with one explicit memory operand, one or two
 * accesses to it (enum mv_emu_op: MOV, MOVZX/MOVSX/MOVSXD, the ALU group,
 * TEST, INC/DEC/NOT/NEG, XCHG, CMPXCHG, CMPXCHG8B, BT*). Decoded only: the
 * string and plain I/O instructions (INS, OUTS, IN, OUT) and the string moves
 * (MOVS, STOS), which the core runs.
 * The MMX and SSE register moves KVM's emulator has (MV_OP_VMOV) go through
 * mv_emu_vec_start() and mv_emu_vec_finish() instead: the emulator checks
 * their exceptions and moves RIP, the caller moves the register's bytes.
 * Anything else is -EOPNOTSUPP, which the core reports as
 * KVM_EXIT_INTERNAL_ERROR / KVM_INTERNAL_ERROR_EMULATION.
 *
 * The code is plain C without kernel dependencies beyond types and errno: the
 * same emulate.c builds into minivirt.ko and into the userspace unit test
 * (tests/test_emulate.c), which checks it against the host CPU. It has no
 * state of its own: no globals, no allocation, no printing.
 *
 * Manuals: Intel 64 and IA-32 Architectures Software Developer's Manual,
 * combined volumes, order number 325462-080US, June 2023 ("SDM vol 1",
 * "SDM vol 2A".."SDM vol 2D"; instructions cited by page name, e.g. "SDM vol
 * 2B MOVZX", which does not move between editions), and AMD64 Architecture
 * Programmer's Manual Volume 3, publication 24594 ("APM vol 3").
 */
#ifndef MINIVIRT_EMULATE_H
#define MINIVIRT_EMULATE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

/*
 * The architectural limit on an instruction's length; longer is #GP (SDM vol
 * 2A chapter 2 "Instruction Format").
 */
#define MV_EMU_MAX_LEN		15

/* The legacy prefixes (SDM vol 2A 2.1.1): lock/rep, segment, 66, 67. */
static inline bool mv_emu_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

/*
 * The default operand and address size of the code segment: MODE64 when
 * EFER.LMA and CS.L, else MODE32 when CS.D, else MODE16 (real mode and
 * virtual-8086 mode are MODE16).
 */
enum mv_emu_mode {
	MV_EMU_MODE16,
	MV_EMU_MODE32,
	MV_EMU_MODE64,
};

/* Segment registers in their encoding order (the Sreg field, SDM vol 2B MOV). */
enum mv_emu_seg {
	MV_SEG_ES,
	MV_SEG_CS,
	MV_SEG_SS,
	MV_SEG_DS,
	MV_SEG_FS,
	MV_SEG_GS,
	MV_SEG_NONE,
};

/*
 * General-purpose registers in their encoding order, the index into
 * mv_emu_regs.gpr[]: RAX=0 RCX=1 RDX=2 RBX=3 RSP=4 RBP=5 RSI=6 RDI=7,
 * R8..R15 = 8..15.
 */
enum {
	MV_REG_RAX, MV_REG_RCX, MV_REG_RDX, MV_REG_RBX,
	MV_REG_RSP, MV_REG_RBP, MV_REG_RSI, MV_REG_RDI,
	/* No register (mv_insn.base, mv_insn.index). */
	MV_REG_NONE = 0xff,
};

/* The registers the emulator reads and writes. */
struct mv_emu_regs {
	u64 gpr[16];
	u64 rip;
	u64 rflags;
};

/* RFLAGS bits that arithmetic sets (SDM vol 1 3.4.3.1 "Status Flags"). */
#define MV_RFLAGS_CF		(1ULL << 0)
#define MV_RFLAGS_PF		(1ULL << 2)
#define MV_RFLAGS_AF		(1ULL << 4)
#define MV_RFLAGS_ZF		(1ULL << 6)
#define MV_RFLAGS_SF		(1ULL << 7)
#define MV_RFLAGS_OF		(1ULL << 11)
#define MV_RFLAGS_ARITH		(MV_RFLAGS_CF | MV_RFLAGS_PF | MV_RFLAGS_AF | \
				 MV_RFLAGS_ZF | MV_RFLAGS_SF | MV_RFLAGS_OF)

/*
 * What an instruction does. The first eight are in group-1 order (the ModRM
 * reg field of 80/81/83, and bits 5:3 of opcodes 00-3B).
 */
enum mv_emu_op {
	MV_OP_ADD,
	MV_OP_OR,
	MV_OP_ADC,
	MV_OP_SBB,
	MV_OP_AND,
	MV_OP_SUB,
	MV_OP_XOR,
	MV_OP_CMP,
	MV_OP_MOV,		/* 88 89 8A 8B C6 C7 A0-A3, and 63 without REX.W */
	MV_OP_MOVZX,		/* 0F B6 0F B7 */
	MV_OP_MOVSX,		/* 0F BE 0F BF, 63 with REX.W (MOVSXD) */
	MV_OP_TEST,		/* 84 85 F6/0 F7/0 */
	MV_OP_INC,		/* FE/0 FF/0 */
	MV_OP_DEC,		/* FE/1 FF/1 */
	MV_OP_NOT,		/* F6/2 F7/2 */
	MV_OP_NEG,		/* F6/3 F7/3 */
	MV_OP_XCHG,		/* 86 87 */
	MV_OP_CMPXCHG,		/* 0F B0 0F B1 */
	MV_OP_CMPXCHG8B,	/* 0F C7/1 without REX.W */
	MV_OP_BT,		/* 0F A3, 0F BA/4 */
	MV_OP_BTS,		/* 0F AB, 0F BA/5 */
	MV_OP_BTR,		/* 0F B3, 0F BA/6 */
	MV_OP_BTC,		/* 0F BB, 0F BA/7 */
	/* Decoded only: the core executes these. */
	MV_OP_INS,		/* 6C 6D */
	MV_OP_OUTS,		/* 6E 6F */
	MV_OP_IN,		/* E4 E5 EC ED */
	MV_OP_OUT,		/* E6 E7 EE EF */
	MV_OP_MOVS,		/* A4 A5: .seg is the source's segment */
	MV_OP_STOS,		/* AA AB */
	MV_OP_LMSW,		/* 0F 01/6 m16 (the register form is cr.c's) */
	MV_OP_SMSW,		/* 0F 01/4 m16 */
	/*
	 * MMX/SSE register <-> memory, all bytes as they are (mv_insn.vec):
	 * 0F 6F/7F MOVQ mm; 66 0F 6F/7F MOVDQA; F3 0F 6F/7F MOVDQU;
	 * (66) 0F 10/11 MOVUPS/MOVUPD; (66) 0F 28/29 MOVAPS/MOVAPD;
	 * (66) 0F 2B MOVNTPS/MOVNTPD; 66 0F E7 MOVNTDQ.
	 */
	MV_OP_VMOV,
};

/* mv_insn.vec: the register file of an MV_OP_VMOV's register operand. */
enum {
	MV_VEC_NONE,
	MV_VEC_MMX,		/* MM0-MM7, 8 bytes */
	MV_VEC_SSE,		/* XMM0-XMM15, 16 bytes */
};

/* mv_insn.rep: the F3 or F2 prefix in effect. */
enum {
	MV_REP_NONE,
	MV_REP_E,		/* F3: REP/REPE, or XRELEASE */
	MV_REP_NE,		/* F2: REPNE, or XACQUIRE */
};

/* mv_insn.src: the operand that is not the memory operand. */
enum {
	MV_SRC_NONE,		/* unary (INC DEC NOT NEG), or a load */
	MV_SRC_REG,		/* the register mv_insn.reg */
	MV_SRC_IMM,		/* mv_insn.imm */
};

/*
 * A decoded instruction. Filled by mv_emu_decode(); the caller only reads it.
 * Sizes are in bytes.
 */
struct mv_insn {
	u8 len;			/* 1..MV_EMU_MAX_LEN, prefixes included */
	u8 mode;		/* enum mv_emu_mode it was decoded for */
	u8 op;			/* enum mv_emu_op */
	u8 opcode;		/* the opcode byte (after 0F if twobyte) */
	bool twobyte;		/* opcode in the 0F map */

	/* Prefixes. */
	u8 op_size;		/* operand size: 1, 2, 4, 8 (CMPXCHG8B: 4), 16 */
	u8 addr_size;		/* address size: 2, 4 or 8 */
	/*
	 * Segment of the memory operand (enum mv_emu_seg): the override, else
	 * SS for an rSP/rBP base, else DS; INS always ES; MV_SEG_NONE without
	 * memory. 64-bit mode ignores ES/CS/SS/DS overrides (only FS and GS
	 * have a base there), as the hardware does.
	 */
	u8 seg;
	u8 rep;			/* MV_REP_* */
	bool lock;		/* F0 prefix, or implicit (XCHG with memory) */
	u8 rex;			/* REX prefix in effect (0x40-0x4f), or 0 */

	/* Operands. */
	u8 src;			/* MV_SRC_* */
	bool reg_dst;		/* the result goes to register .reg, not memory */
	u8 reg;			/* register operand (REX.R applied), or RAX */
	u8 vec;			/* MV_VEC_*: .reg is an MMX or XMM register */
	bool aligned;		/* the memory operand must be size-aligned */
	bool has_mem;		/* there is a memory operand */
	u8 mem_size;		/* its size (differs from op_size for MOVZX...) */
	/*
	 * Immediate, sign-extended to 64 bits as the instruction does it;
	 * zero-extended for the bit offset of 0F BA and the port of IN/OUT.
	 */
	u64 imm;
	u8 imm_size;		/* immediate bytes in the encoding */
	bool port_dx;		/* IN/OUT/INS/OUTS: the port is in DX */

	/* ModRM and the memory operand's effective address. */
	bool has_modrm;
	u8 modrm;
	u8 mod;			/* ModRM.mod; 3 = register operand */
	u8 rm;			/* ModRM.rm with REX.B */
	bool has_sib;
	u8 sib;
	u8 base;		/* base register, or MV_REG_NONE */
	u8 index;		/* index register, or MV_REG_NONE */
	u8 scale;		/* 1, 2, 4 or 8 */
	bool rip_rel;		/* RIP-relative (64-bit mode) */
	u8 disp_size;		/* displacement bytes in the encoding (moffs: 2/4/8) */
	u64 disp;		/* displacement, sign-extended; moffs zero-extended */
};

/* One memory access of an instruction. */
struct mv_emu_access {
	bool write;
	u8 size;		/* 1, 2, 4, 8 or 16 (SSE) bytes */
	union {
		u64 data;	/* what to write (zero-extended); 0 for a read */
		u8 bytes[16];	/* the same in memory order; MV_OP_VMOV uses it */
	};
};

/*
 * Decode the instruction in bytes[0..avail) for a code segment of the given
 * mode. Reads at most min(avail, MV_EMU_MAX_LEN) bytes.
 *
 * Returns 0 and fills *insn; -EOPNOTSUPP for a valid instruction that the
 * emulator does not handle (including prefixes it does not handle on it);
 * -EINVAL for an invalid encoding (#UD: LOCK where not allowed, an invalid
 * opcode or ModRM extension), one longer than MV_EMU_MAX_LEN (#GP), or one
 * that does not fit in avail bytes. *insn is undefined on error.
 *
 * A register form (ModRM.mod = 3) of a handled opcode decodes with has_mem
 * false; mv_emu_start() refuses it.
 */
int mv_emu_decode(struct mv_insn *insn, const u8 *bytes, unsigned int avail,
		  enum mv_emu_mode mode);

/*
 * The effective address (offset in segment insn->seg) of the memory operand,
 * wrapped to the address size; the caller adds the segment base. RIP-relative
 * addresses are relative to the end of the instruction, so call this before
 * mv_emu_finish() moves RIP. For INS and OUTS it is the current rDI / rSI.
 * Returns 0, or -EINVAL if the instruction has no memory operand.
 */
int mv_emu_mem_offset(const struct mv_insn *insn,
		      const struct mv_emu_regs *regs, u64 *offset);

/*
 * The first memory access of a decoded instruction: a store gives
 * {write, size, data}; a load, a read-modify-write or a compare gives
 * {read, size}. regs is not changed.
 *
 * Returns 0; -EOPNOTSUPP if the instruction has no memory operand (register
 * form), is one the core executes itself (INS, OUTS, IN, OUT, MOVS, STOS),
 * is an MMX or
 * SSE move (MV_OP_VMOV: mv_emu_vec_start()), or is a BT*
 * whose register bit offset reaches outside the operand (the access would
 * not be at the effective address).
 */
int mv_emu_start(const struct mv_insn *insn, const struct mv_emu_regs *regs,
		 struct mv_emu_access *acc);

/*
 * Complete an instruction after its first access: read_data is what it read
 * (low acc.size bytes; ignored after a store). Writes the destination register
 * (x86's rules: a 32-bit destination zero-extends to 64 bits, an 8 or 16-bit
 * one keeps the other bits, AH/CH/DH/BH without REX), sets the arithmetic
 * RFLAGS bits the instruction defines (the others, and the ones it leaves
 * undefined, keep their value), and advances RIP past the instruction
 * (wrapping at 16 bits in MODE16 and 32 bits in MODE32).
 *
 * Returns 0 when done; 1 when the instruction writes memory too: *next then
 * holds the write (the write-back of a read-modify-write, XCHG's store,
 * CMPXCHG's store when the values were equal), which the caller must perform,
 * as regs already reflect the completed instruction. Returns <0 (and leaves
 * regs alone) on the errors of mv_emu_start().
 */
int mv_emu_finish(const struct mv_insn *insn, struct mv_emu_regs *regs,
		  u64 read_data, struct mv_emu_access *next);

/* What MMX and SSE instructions check: SDM vol 3A 2.5 "Control Registers". */
#define MV_EMU_CR0_EM		(1ULL << 2)
#define MV_EMU_CR0_TS		(1ULL << 3)
#define MV_EMU_CR4_OSFXSR	(1ULL << 9)

/* Exception vectors (SDM vol 3A 6.2); #GP has error code 0 here. */
#define MV_EMU_EXC_UD		6
#define MV_EMU_EXC_NM		7
#define MV_EMU_EXC_GP		13
#define MV_EMU_EXC_MF		16

/*
 * The start of an MV_OP_VMOV with a memory operand: first the exceptions it
 * raises instead of its access, in the order KVM's emulator checks them
 * (x86_emulate_insn(), then __linearize()), which is also the SDM's (each
 * instruction's "Protected Mode Exceptions"; for the SSE forms SDM vol 2A
 * 2.4 "AVX and SSE Instruction Exception Specification", types 1 and 4):
 *	#UD	CR0.EM, or an SSE form without CR4.OSFXSR;
 *	#NM	CR0.TS;
 *	#MF	an MMX form while x87_pending: the guest has an unmasked x87
 *		exception pending (its FWAIT would fault; SDM vol 1 8.6
 *		"x87 FPU Exception Synchronization"); ignored for SSE;
 *	#GP(0)	an aligned form (mv_insn.aligned: MOVAPS/PD, MOVDQA, MOVNT*)
 *		whose address is not a multiple of 16; only the low 4 bits
 *		of addr count, so a guest-physical address will do.
 * Returns the vector (> 0) of the first one that applies; else 0 and *acc
 * (size 8 or 16, bytes zeroed): for a store the caller copies the low
 * acc->size bytes of register insn->reg into acc->bytes, for a load it
 * copies the bytes read into that register (MOVQ mm and the 16-byte moves
 * replace the whole register). -EOPNOTSUPP for any other instruction, or a
 * register form. mv_emu_start() refuses MV_OP_VMOV.
 */
int mv_emu_vec_start(const struct mv_insn *insn, u64 cr0, u64 cr4,
		     bool x87_pending, u64 addr, struct mv_emu_access *acc);

/*
 * Completes an MV_OP_VMOV: moves RIP past it (wrapped as mv_emu_finish()
 * does). Returns 0, or -EOPNOTSUPP as mv_emu_vec_start().
 */
int mv_emu_vec_finish(const struct mv_insn *insn, struct mv_emu_regs *regs);

#endif /* MINIVIRT_EMULATE_H */
