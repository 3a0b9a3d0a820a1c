/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux's PVH boot ABI: the start-of-day structure a loader hands to the
 * kernel's PVH entry point in EBX. Layout from the kernel's
 * include/xen/interface/hvm/start_info.h (version 1, with the memory map);
 * arch/x86/platform/pvh/enlighten.c is what reads it.
 */
#ifndef PVH_START_INFO_H
#define PVH_START_INFO_H

#include "types.h"

/* "xEn3" with the 0x80 bit of the "E" set; xen_prepare_pvh() BUG()s without it. */
#define XEN_HVM_START_MAGIC_VALUE	0x336ec578

/* Memory map types: the same numbers as E820 (and multiboot's mmap). */
#define XEN_HVM_MEMMAP_TYPE_RAM		1
#define XEN_HVM_MEMMAP_TYPE_RESERVED	2
#define XEN_HVM_MEMMAP_TYPE_ACPI	3
#define XEN_HVM_MEMMAP_TYPE_NVS		4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE	5

/* All addresses are physical; 0 means "not present". */
struct hvm_start_info {
	u32 magic;
	u32 version;		/* 1: memmap_* fields present */
	u32 flags;		/* SIF_xxx: none for a plain PVH boot */
	u32 nr_modules;		/* module 0 is always the initrd */
	u64 modlist_paddr;	/* struct hvm_modlist_entry[] */
	u64 cmdline_paddr;	/* NUL-terminated */
	u64 rsdp_paddr;		/* ACPI RSDP */
	u64 memmap_paddr;	/* struct hvm_memmap_table_entry[] */
	u32 memmap_entries;
	u32 reserved;		/* must be zero */
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;		/* must be zero in version 1 */
};

/* The offsets the header documents (and head.S copies sizeof() bytes). */
BUILD_BUG_ON(sizeof(struct hvm_start_info) != 56);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_start_info, rsdp_paddr) != 32);
BUILD_BUG_ON(__builtin_offsetof(struct hvm_start_info, memmap_entries) != 48);
BUILD_BUG_ON(sizeof(struct hvm_modlist_entry) != 32);
BUILD_BUG_ON(sizeof(struct hvm_memmap_table_entry) != 24);

#endif /* PVH_START_INFO_H */
