/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differential guest fuzzer (selftests/guest_fuzz.c). One sequence is
 * a seed: from it alone (ioctl_fuzz's PRNG, ioctl_fuzz/rand.c) come a valid
 * starting state in one of the modes below (setup.c) and a few random
 * instructions that exit or fault (gen.c), each in a GF_SLOT-byte slot,
 * then a HLT or an OUT to GF_PORT_END. run.c runs it on one device,
 * answering IN and MMIO reads from the exit's fields alone, and writes its
 * digest: how it ended, every exit, the registers, control and debug
 * registers, segments, the fuzzed MSRs and a hash of each page of guest
 * memory, as text lines that two devices must agree on.
 */
#ifndef MINIVIRT_GUEST_FUZZ_H
#define MINIVIRT_GUEST_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "../guest/layout.h"
#include "ports.h"

enum gf_mode {
	GF_REAL,	/* real mode */
	GF_PROT,	/* 32-bit protected mode, paging off */
	GF_PG32,	/* 32-bit paging */
	GF_PAE,		/* PAE paging */
	GF_LONG,	/* 64-bit long mode */
	GF_MODES,
};

extern const char *const gf_mode_names[GF_MODES];

/* Guest memory the fuzzer uses (guest/layout.h's slot 0, cut short). */
#define GF_MEM_SIZE	0xa0000		/* slot 0: GPA 0 up to the VGA hole */
#define GF_MMIO_GPA	0xa0000		/* no memslot: FS's base */
#define GF_HASH_SIZE	0x40000		/* the pages hashed in the digest */
#define GF_DATA_PAGES	16		/* GUEST_DATA_GPA..: GS's base */
#define GF_STR_GPA	GUEST_REPORT_GPA	/* INS/OUTS/MOVS buffer */
#define GF_PD32_GPA	0x30000		/* 32-bit paging: PD, PT, another PD */
#define GF_PAE_GPA	0x33000		/* PAE: PDPT (two of them), PD, PT */
#define GF_ROOT2_GPA	0x37000		/* long mode: another PML4 */
#define GF_LONG_PT_GPA	(GUEST_PT_GPA + 6 * 0x1000)	/* vcpu_set_mode()'s PT of 0-2 MiB */
#define GF_MAX_SLOTS	24
#define GF_MAX_EXITS	96

/* Bits lib/x86.h does not name (SDM vol 3A 2.5, 2.3). */
#define CR4_VME		(1ULL << 0)
#define CR4_PVI		(1ULL << 1)
#define CR4_TSD		(1ULL << 2)
#define CR4_DE		(1ULL << 3)
#define CR4_MCE		(1ULL << 6)
#define CR4_PCE		(1ULL << 8)
#define CR4_UMIP	(1ULL << 11)
#define CR4_FSGSBASE	(1ULL << 16)
#define CR4_PCIDE	(1ULL << 17)
#define CR4_SMEP	(1ULL << 20)
#define CR4_SMAP	(1ULL << 21)
#define CR3_PWT		(1ULL << 3)
#define CR3_PCD		(1ULL << 4)
#define EFLAGS_AF	(1ULL << 4)

/* What a sequence's generator needs to know of its starting state. */
struct gf_state {
	enum gf_mode mode;
	int bits;			/* 16, 32 or 64: the code's */
	uint64_t cr0, cr3, cr4, efer;
	uint64_t root2;			/* another valid CR3 */
	uint64_t pte_gpa;		/* the PTE of GUEST_DATA_GPA, or 0 */
	unsigned int pte_size;		/* 4 or 8 */
	bool nx, pse, pge, smep, smap, umip, fsgsbase, osxsave, pcid, rdtscp;
	uint32_t max_leaf, max_ext_leaf;
	unsigned int idt_vectors;	/* the IDT's (IVT's) limit, in gates */
};

struct gf_seq {
	uint64_t seed;
	uint64_t rng;
	struct gf_state st;
	uint8_t code[GF_MAX_SLOTS * GF_SLOT];
	unsigned int slots;
	char what[GF_MAX_SLOTS][48];	/* each slot's kind, for --trace */
	uint64_t end_rip;		/* right after the final HLT */
	struct kvm_regs regs;		/* the starting registers */
	struct kvm_sregs sregs;		/* ... and the rest, setup.c's */
};

/* The fuzzed MSRs: RDMSR/WRMSR draw from them and the digest reads them back. */
extern const uint32_t gf_msrs[];
extern const unsigned int gf_nmsrs;

/* The PRNG of ioctl_fuzz/rand.c on the sequence's own state. */
uint64_t gf_rand(struct gf_seq *s);
uint64_t gf_below(struct gf_seq *s, uint64_t n);
bool gf_chance(struct gf_seq *s, unsigned int percent);

/* setup.c: a CPUID table both devices get; the starting state of a seed. */
struct kvm_cpuid2 *gf_cpuid_common(const char *dev, const char *other);
void gf_seq_init(struct gf_seq *s, enum gf_mode mode, uint64_t seed,
		 const struct kvm_cpuid2 *cpuid);

struct vm;
struct vcpu;
/* The state on a new vCPU (after vcpu_new()), then the guest memory. */
void gf_set_state(const struct gf_seq *s, struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid);
void gf_write_memory(const struct gf_seq *s, struct vm *vm);

/* gen.c: the random slots and the final one. */
void gf_generate(struct gf_seq *s);

/* run.c: the sequence run on dev; its digest in out (text lines). */
void gf_run(const struct gf_seq *s, const char *dev, const struct kvm_cpuid2 *cpuid,
	    char *out, size_t size, bool trace);

#endif /* MINIVIRT_GUEST_FUZZ_H */
