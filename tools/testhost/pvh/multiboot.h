/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of the Multiboot Specification version 0.6.96 ("multiboot v1")
 * that the stub uses. Section numbers below are that document's.
 */
#ifndef PVH_MULTIBOOT_H
#define PVH_MULTIBOOT_H

/* 3.1.2: the header's magic; 3.2: what the loader leaves in EAX. */
#define MB_HEADER_MAGIC		0x1BADB002
#define MB_BOOTLOADER_MAGIC	0x2BADB002

/* 3.1.2: header flags. */
#define MB_PAGE_ALIGN		(1 << 0)	/* modules on 4 KiB boundaries */
#define MB_MEMORY_INFO		(1 << 1)	/* mem_* and mmap_* wanted */
#define MB_AOUT_KLUDGE		(1 << 16)	/* header address fields valid */

/* 3.3: multiboot_info.flags bits. */
#define MBI_MEMORY		(1 << 0)	/* mem_lower/mem_upper */
#define MBI_CMDLINE		(1 << 2)
#define MBI_MODS		(1 << 3)
#define MBI_MMAP		(1 << 6)

/* 3.3: E820-style types in the memory map. */
#define MB_MEMORY_AVAILABLE	1
#define MB_MEMORY_ACPI		3
#define MB_MEMORY_NVS		4
#define MB_MEMORY_BADRAM	5

#ifndef __ASSEMBLER__
#include "types.h"

/* 3.3: Boot information format (only the fields up to mmap_*). */
struct multiboot_info {
	u32 flags;
	u32 mem_lower;		/* KiB below 1 MiB */
	u32 mem_upper;		/* KiB from 1 MiB to the first hole */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
};

/* 3.3: a module; mod_end is the first byte past it. */
struct multiboot_module {
	u32 mod_start;
	u32 mod_end;
	u32 string;
	u32 reserved;
};

/* 3.3: a memory map entry; 'size' does not count itself. */
struct multiboot_mmap_entry {
	u32 size;
	u64 addr;
	u64 len;
	u32 type;
} __attribute__((packed));

#endif /* __ASSEMBLER__ */
#endif /* PVH_MULTIBOOT_H */
