/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading a 32-bit x86 ELF executable's PT_LOAD segments into guest RAM. */
#ifndef VMRUN_ELF32_H
#define VMRUN_ELF32_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mem.h"

struct elf_load {
	uint32_t entry;		/* physical: e_entry moved by p_paddr - p_vaddr */
	uint64_t lo, hi;	/* the loaded range [lo, hi) */
	unsigned int nsegs;	/* PT_LOAD segments loaded */
};

/* True if img starts with the ELF magic (whatever its class). */
int elf_is_elf(const uint8_t *img, size_t len);

/*
 * Checks every segment first (inside the file, inside guest RAM, clear of
 * avoid), then copies p_filesz bytes to p_paddr and zeroes up to p_memsz.
 * On error guest RAM is untouched.
 */
int elf32_load(const uint8_t *img, size_t len, struct guest_mem *m,
	       const struct gpa_range *avoid, struct elf_load *out,
	       struct err *e);

#endif /* VMRUN_ELF32_H */
