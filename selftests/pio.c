// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O exits (KVM_EXIT_IO): IN/OUT at 1, 2 and 4 bytes through imm8 and
 * DX ports, INS/OUTS with and without REP, forwards and backwards (EFLAGS.DF),
 * in 64-bit, 32-bit and real mode; kvm_run->io as KVM lays it out:
 * - direction, size, port; data at data_offset = KVM_PIO_PAGE_OFFSET pages
 *   into the kvm_run mapping, count elements of size bytes back to back;
 * - OUTS: one exit per element (count 1), also under REP;
 * - INS: one exit for all the elements of a REP that fit KVM's read-ahead
 *   (count > 1: here up to 8 elements, within one page);
 * and that the data the host supplies for IN lands in AL/AX/EAX (AL and AX
 * keep the rest of RAX; EAX zero-extends in 64-bit mode) or in memory at
 * RDI, that RSI/RDI/RCX end where the architecture says, and that the guest
 * goes on to the next instruction. Guest code: guest/pio.S.
 */
#include <unistd.h>

#include "lib/harness.h"
#include "lib/vm.h"

#define PATTERN_RAX	0x1122334455667788ULL
#define RDX_HIGH	0xdead0000ULL	/* above DX: the port ignores it */
#define RCX_UNUSED	0x5555ULL	/* not a REP: RCX stays */
#define PORT_DX		0xabcd
#define BUF_LEN		0x200

/* Guests: guest/pio.S. */
#define PIO_GUESTS(X)							\
	X(pio_out_imm_b) X(pio_out_imm_w) X(pio_out_imm_l)		\
	X(pio_out_dx_b) X(pio_out_dx_w) X(pio_out_dx_l)			\
	X(pio_in_imm_b) X(pio_in_imm_w) X(pio_in_imm_l)			\
	X(pio_in_dx_b) X(pio_in_dx_w) X(pio_in_dx_l)			\
	X(pio_outsb) X(pio_outsw) X(pio_outsl)				\
	X(pio_rep_outsb) X(pio_rep_outsw) X(pio_rep_outsl)		\
	X(pio_insb) X(pio_insw) X(pio_insl)				\
	X(pio_rep_insb) X(pio_rep_insw) X(pio_rep_insl)			\
	X(pio_real_out_imm_w) X(pio_real_in_dx_b) X(pio_real_rep_insw)	\
	X(pio_real_rep_outsb) X(pio_prot32_in_dx_l)			\
	X(pio_prot32_rep_outsl) X(pio_prot32_rep_insw) X(pio_loop)
#define DECLARE(g) DECLARE_GUEST(g);
PIO_GUESTS(DECLARE)

#define PIO_LOOP_N	1000	/* as in guest/pio.S */

struct pio_case {
	const char *name;
	struct guest_code code;
	enum vm_mode mode;
	uint8_t dir;		/* KVM_EXIT_IO_IN or KVM_EXIT_IO_OUT */
	uint8_t size;
	uint16_t port;
	bool string;
	bool rep;
	bool df;
	uint32_t count;		/* RCX, for REP */
};

#define OUT	KVM_EXIT_IO_OUT
#define IN	KVM_EXIT_IO_IN
/* IN or OUT: guest g, mode m, direction d, size s, port p. */
#define IO(g, m, d, s, p)						\
	{ #g, GUEST(pio_##g), VM_MODE_##m, d, s, p, false, false, false, 0 }
/* INS or OUTS through PORT_DX; rep, df, count. */
#define STR(g, m, d, s, rep, df, n)					\
	{ #g, GUEST(pio_##g), VM_MODE_##m, d, s, PORT_DX, true, rep, df, n }

static uint64_t pio_page_offset(void)
{
	return KVM_PIO_PAGE_OFFSET * sysconf(_SC_PAGESIZE);
}

/* The low size bytes of v replace those of old (IN to AL/AX/EAX). */
static uint64_t in_result(uint64_t old, uint64_t v, uint8_t size,
			  enum vm_mode mode)
{
	if (size == 4)		/* 64-bit mode zero-extends; elsewhere RAX's */
		return mode == VM_MODE_LONG ? v : (old & ~0xffffffffULL) | v;
	return (old & ~((1ULL << (size * 8)) - 1)) | v;
}

/* Runs one case: its exits, the data both ways, registers and memory after. */
static void run_case(const struct pio_case *c)
{
	uint64_t buf = c->mode == VM_MODE_REAL ? GUEST_REPORT_GPA : GUEST_DATA_GPA;
	uint64_t start = buf + (c->df ? 0x100 : 0);
	int64_t step = c->df ? -(int64_t)c->size : c->size;
	uint32_t n = c->string && c->rep ? c->count : 1;
	uint8_t expect[BUF_LEN], reply[BUF_LEN];
	uint64_t end, reply_val = 0, mask;
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm;
	uint8_t *mem;
	uint32_t i;

	TH_LOG("case %s: size %u port %#x%s%s count %u", c->name, c->size,
	       c->port, c->rep ? " rep" : "", c->df ? " DF=1" : "", n);
	vm = guest_new(c->mode, c->code, 0, &vcpu);
	end = vcpu_load_insn(vcpu, c->code);
	mem = vm_ptr(vm, buf);
	for (i = 0; i < BUF_LEN; i++)
		mem[i] = 0x40 + i;
	memcpy(expect, mem, BUF_LEN);
	for (i = 0; i < BUF_LEN; i++)
		reply[i] = 0xa0 + i;

	vcpu_regs_get(vcpu, &regs);
	regs.rax = PATTERN_RAX;
	regs.rdx = RDX_HIGH | c->port;
	regs.rsi = regs.rdi = start;
	regs.rcx = c->string && c->rep ? c->count : RCX_UNUSED;
	regs.rflags = X86_EFLAGS_FIXED | (c->df ? X86_EFLAGS_DF : 0);
	vcpu_regs_set(vcpu, &regs);

	if (c->dir == OUT) {
		for (i = 0; i < n; i++) {
			const uint8_t *want = c->string ?
				mem + (start - buf) + i * step :
				(const uint8_t *)&regs.rax;

			vcpu_run(vcpu);
			ASSERT_IO(vcpu, OUT, c->size, c->port, 1);
			EXPECT_EQ(vcpu->run->io.data_offset, pio_page_offset());
			if (memcmp(vcpu_io_data(vcpu), want, c->size))
				TH_FAIL("element %u: data %#llx", i,
					(unsigned long long)vcpu_io_value(vcpu));
		}
	} else if (n) {
		vcpu_run(vcpu);
		ASSERT_IO(vcpu, IN, c->size, c->port, n);
		EXPECT_EQ(vcpu->run->io.data_offset, pio_page_offset());
		memcpy(vcpu_io_data(vcpu), reply, n * c->size);
		memcpy(&reply_val, reply, c->size);
		for (i = 0; c->string && i < n; i++)
			memcpy(expect + (start - buf) + i * step,
			       reply + i * c->size, c->size);
	}
	vcpu_run_to_hlt(vcpu);

	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rip, end + 1);
	EXPECT_EQ(regs.rcx, c->string && c->rep ? 0 : RCX_UNUSED);
	EXPECT_EQ(regs.rdx, RDX_HIGH | c->port);
	EXPECT_EQ(!!(regs.rflags & X86_EFLAGS_DF), c->df);
	mask = c->mode == VM_MODE_LONG ? ~0ULL : 0xffffffffULL;
	if (c->dir == IN && !c->string)
		EXPECT_EQ(regs.rax & mask,
			  in_result(PATTERN_RAX, reply_val, c->size, c->mode) & mask);
	else
		EXPECT_EQ(regs.rax, PATTERN_RAX);
	if (c->string) {
		uint64_t moved = start + (int64_t)n * step;

		EXPECT_EQ(regs.rsi, c->dir == OUT ? moved : start);
		EXPECT_EQ(regs.rdi, c->dir == IN ? moved : start);
	} else {
		EXPECT_EQ(regs.rsi, start);
		EXPECT_EQ(regs.rdi, start);
	}
	for (i = 0; i < BUF_LEN; i++)
		if (mem[i] != expect[i]) {
			TH_FAIL("guest memory %#llx: %#x, expected %#x",
				(unsigned long long)buf + i, mem[i], expect[i]);
			break;
		}
}

static void run_cases(const struct pio_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&cases[i]);
}

#define RUN_CASES(...)							\
	do {								\
		static const struct pio_case cases[] = { __VA_ARGS__ };	\
		run_cases(cases, sizeof(cases) / sizeof(cases[0]));	\
	} while (0)

TEST(out_imm8)
{
	RUN_CASES(IO(out_imm_b, LONG, OUT, 1, 0xe0),
		  IO(out_imm_w, LONG, OUT, 2, 0xe2),
		  IO(out_imm_l, LONG, OUT, 4, 0xe4));
}

TEST(out_dx)
{
	RUN_CASES(IO(out_dx_b, LONG, OUT, 1, PORT_DX),
		  IO(out_dx_w, LONG, OUT, 2, PORT_DX),
		  IO(out_dx_l, LONG, OUT, 4, PORT_DX));
}

TEST(in_imm8)
{
	RUN_CASES(IO(in_imm_b, LONG, IN, 1, 0xe0),
		  IO(in_imm_w, LONG, IN, 2, 0xe2),
		  IO(in_imm_l, LONG, IN, 4, 0xe4));
}

TEST(in_dx)
{
	RUN_CASES(IO(in_dx_b, LONG, IN, 1, PORT_DX),
		  IO(in_dx_w, LONG, IN, 2, PORT_DX),
		  IO(in_dx_l, LONG, IN, 4, PORT_DX));
}

TEST(outs)
{
	RUN_CASES(STR(outsb, LONG, OUT, 1, false, false, 0),
		  STR(outsw, LONG, OUT, 2, false, false, 0),
		  STR(outsl, LONG, OUT, 4, false, false, 0),
		  STR(outsw, LONG, OUT, 2, false, true, 0));
}

TEST(ins)
{
	RUN_CASES(STR(insb, LONG, IN, 1, false, false, 0),
		  STR(insw, LONG, IN, 2, false, false, 0),
		  STR(insl, LONG, IN, 4, false, false, 0),
		  STR(insl, LONG, IN, 4, false, true, 0));
}

TEST(rep_outs)
{
	RUN_CASES(STR(rep_outsb, LONG, OUT, 1, true, false, 5),
		  STR(rep_outsw, LONG, OUT, 2, true, false, 3),
		  STR(rep_outsl, LONG, OUT, 4, true, false, 4));
}

TEST(rep_ins)
{
	RUN_CASES(STR(rep_insb, LONG, IN, 1, true, false, 5),
		  STR(rep_insw, LONG, IN, 2, true, false, 3),
		  STR(rep_insl, LONG, IN, 4, true, false, 8));
}

TEST(rep_outs_df)
{
	RUN_CASES(STR(rep_outsb, LONG, OUT, 1, true, true, 4),
		  STR(rep_outsw, LONG, OUT, 2, true, true, 2),
		  STR(rep_outsl, LONG, OUT, 4, true, true, 3));
}

TEST(rep_ins_df)
{
	RUN_CASES(STR(rep_insb, LONG, IN, 1, true, true, 6),
		  STR(rep_insw, LONG, IN, 2, true, true, 4),
		  STR(rep_insl, LONG, IN, 4, true, true, 3));
}

/* REP with RCX = 0: no iteration, no exit, straight to the HLT. */
TEST(rep_count_zero)
{
	RUN_CASES(STR(rep_outsb, LONG, OUT, 1, true, false, 0),
		  STR(rep_insl, LONG, IN, 4, true, false, 0));
}

/* 16-bit SI/DI/CX in real mode, 32-bit ESI/EDI/ECX in protected mode. */
TEST(real_and_protected_mode)
{
	RUN_CASES(IO(real_out_imm_w, REAL, OUT, 2, 0xe2),
		  IO(real_in_dx_b, REAL, IN, 1, PORT_DX),
		  STR(real_rep_insw, REAL, IN, 2, true, false, 4),
		  STR(real_rep_outsb, REAL, OUT, 1, true, true, 3),
		  IO(prot32_in_dx_l, PROT32, IN, 4, PORT_DX),
		  STR(prot32_rep_outsl, PROT32, OUT, 4, true, true, 2),
		  STR(prot32_rep_insw, PROT32, IN, 2, true, false, 7));
}

/*
 * A long REP INSB: KVM hands it out in batches (its read-ahead holds 1 KiB);
 * whatever the batches, each fits the PIO page, they come in order, and
 * together they fill the guest's buffer exactly.
 */
TEST(rep_insb_batches)
{
	const uint32_t total = 3000;
	uint32_t done = 0, exits = 0, i;
	struct kvm_regs regs;
	struct vcpu *vcpu;
	uint8_t *mem;
	struct vm *vm;

	vm = guest_new(VM_MODE_LONG, GUEST(pio_rep_insb), 0, &vcpu);
	vcpu_load_insn(vcpu, GUEST(pio_rep_insb));
	mem = vm_ptr(vm, GUEST_DATA_GPA);
	memset(mem, 0x55, total + 16);
	vcpu_regs_get(vcpu, &regs);
	regs.rdx = PORT_DX;
	regs.rdi = GUEST_DATA_GPA;
	regs.rcx = total;
	vcpu_regs_set(vcpu, &regs);

	for (;;) {
		struct kvm_run *run = vcpu->run;

		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		ASSERT_EXIT(vcpu, KVM_EXIT_IO);
		ASSERT_EQ(run->io.direction, IN);
		ASSERT_EQ(run->io.size, 1);
		ASSERT_EQ(run->io.port, PORT_DX);
		ASSERT_GE(run->io.count, 1);
		ASSERT_TRUE(run->io.count <= total - done);
		ASSERT_TRUE(run->io.data_offset + run->io.count <=
			    (uint64_t)vcpu->run_size);
		for (i = 0; i < run->io.count; i++)
			((uint8_t *)vcpu_io_data(vcpu))[i] = (uint8_t)(done + i);
		done += run->io.count;
		exits++;
	}
	TH_LOG("%u bytes in %u exits", total, exits);
	EXPECT_EQ(done, total);
	for (i = 0; i < total; i++)
		if (mem[i] != (uint8_t)i) {
			TH_FAIL("byte %u: %#x", i, mem[i]);
			break;
		}
	EXPECT_EQ(mem[total], 0x55);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rdi, GUEST_DATA_GPA + total);
	EXPECT_EQ(regs.rcx, 0);
}

/*
 * REP INSB's exit shows RCX as it was before the batch (KVM completes the
 * batch at the next KVM_RUN); a RCX that userspace lowers meanwhile sizes
 * the batch then completed (KVM's pio_in_emulated(), entered again, reads
 * it anew: Linux's userspace_io_test relies on it). 4 bytes asked, RCX
 * set to 1: one byte stored, RCX 0, the instruction done.
 */
TEST(rep_insb_rcx_lowered)
{
	struct kvm_regs regs;
	struct vcpu *vcpu;
	uint64_t end;
	uint8_t *mem;
	struct vm *vm;

	vm = guest_new(VM_MODE_LONG, GUEST(pio_rep_insb), 0, &vcpu);
	end = vcpu_load_insn(vcpu, GUEST(pio_rep_insb));
	mem = vm_ptr(vm, GUEST_DATA_GPA);
	memset(mem, 0x55, 8);
	vcpu_regs_get(vcpu, &regs);
	regs.rdx = PORT_DX;
	regs.rdi = GUEST_DATA_GPA;
	regs.rcx = 4;
	vcpu_regs_set(vcpu, &regs);

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, IN, 1, PORT_DX, 4);
	memset(vcpu_io_data(vcpu), 0xaa, 4);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rcx, 4);
	EXPECT_EQ(regs.rdi, GUEST_DATA_GPA);
	regs.rcx = 1;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);

	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rcx, 0);
	EXPECT_EQ(regs.rdi, GUEST_DATA_GPA + 1);
	EXPECT_EQ(regs.rip, end + 1);
	EXPECT_EQ(mem[0], 0xaa);
	EXPECT_EQ(mem[1], 0x55);
}

/* A guest looping over OUT and IN: every exit seen, in order, data both ways. */
TEST(many_outs_and_ins)
{
	uint64_t sum = 0;
	struct vcpu *vcpu;
	struct vm *vm;
	uint32_t i;

	vm = guest_new(VM_MODE_LONG, GUEST(pio_loop), 0, &vcpu);
	for (i = 0; i < PIO_LOOP_N; i++) {
		vcpu_run(vcpu);
		ASSERT_IO(vcpu, OUT, 4, 0xe8, 1);
		ASSERT_EQ(vcpu_io_value(vcpu), i);
	}
	for (i = 0; i < PIO_LOOP_N; i++) {
		uint32_t v = 0x10000 + i * 3;

		vcpu_run(vcpu);
		ASSERT_IO(vcpu, IN, 4, 0xea, 1);
		memcpy(vcpu_io_data(vcpu), &v, 4);
		sum += v;
	}
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(*guest_report(vm), sum);
}
