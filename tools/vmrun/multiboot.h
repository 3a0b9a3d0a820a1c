/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot v1, as the Multiboot Specification version 0.6.96 defines it
 * (section numbers below are that document's): the OS image header (3.1.1),
 * the machine state at entry (3.2) and the boot information (3.3).
 */
#ifndef VMRUN_MULTIBOOT_H
#define VMRUN_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mem.h"

/* 3.1.1: the header is longword aligned within the first 8192 bytes. */
#define MB_HEADER_MAGIC		0x1badb002u
#define MB_SEARCH_BYTES		8192u
#define MB_HEADER_ALIGN		4u

/* 3.1.2 "flags": bits 0-15 are requirements, bits 16-31 optional. */
#define MB_HF_PAGE_ALIGN	(1u << 0)	/* modules page aligned: none */
#define MB_HF_MEMORY_INFO	(1u << 1)	/* mem_* fields: always given */
#define MB_HF_VIDEO_MODE	(1u << 2)	/* no display: ignored */
#define MB_HF_REQUIRED		0x0000ffffu
#define MB_HF_KNOWN		(MB_HF_PAGE_ALIGN | MB_HF_MEMORY_INFO | MB_HF_VIDEO_MODE)
#define MB_HF_AOUT_KLUDGE	(1u << 16)	/* the address fields are valid */

/* 3.2: EAX at entry. */
#define MB_BOOTLOADER_MAGIC	0x2badb002u

/* 3.1.1 "OS image format": the fields at offsets 0-44 of the header. */
struct mb_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	/* valid with MB_HF_AOUT_KLUDGE */
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr;
	uint32_t bss_end_addr;
	uint32_t entry_addr;
	/* valid with MB_HF_VIDEO_MODE */
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
};
_Static_assert(sizeof(struct mb_header) == 48, "multiboot header layout");
#define MB_HEADER_BASIC_SIZE	12u
#define MB_HEADER_AOUT_SIZE	32u

/* 3.3 "Boot information format": flags of struct mb_info. */
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MEM_MAP		(1u << 6)
#define MB_INFO_BOOT_LOADER_NAME (1u << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB from 0, at most 640 */
	uint32_t mem_upper;		/* KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;		/* bytes of mmap entries */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));
_Static_assert(sizeof(struct mb_info) == 116, "multiboot_info layout");
_Static_assert(offsetof(struct mb_info, mmap_length) == 44, "multiboot_info layout");
_Static_assert(offsetof(struct mb_info, boot_loader_name) == 64, "multiboot_info layout");

/* 3.3: one memory map entry; size counts the bytes after itself. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot mmap entry layout");
#define MB_MEMORY_AVAILABLE	1
#define MB_MEMORY_RESERVED	2

/* The PC memory map vmrun reports: RAM from 0, the legacy hole reserved. */
#define MB_LOW_MEM_END		0xa0000u	/* 640 KiB */
#define MB_HIGH_MEM_START	0x100000u	/* 1 MiB */

/*
 * Finds the first longword-aligned header with a valid checksum in the first
 * 8192 bytes; *off is its file offset. The error names a bad checksum or a
 * magic found beyond 8 KiB.
 */
int mb_find_header(const uint8_t *img, size_t len, struct mb_header *h,
		   size_t *off, struct err *e);

/* Refuses requirement flag bits vmrun does not know. */
int mb_check_flags(const struct mb_header *h, struct err *e);

/* Loads an image by the header's address fields (flag 16, "a.out kludge"). */
int mb_load_aout(const uint8_t *img, size_t len, const struct mb_header *h,
		 size_t hdr_off, struct guest_mem *m,
		 const struct gpa_range *avoid, uint32_t *entry, struct err *e);

/*
 * Builds the multiboot_info, its memory map, the boot loader name and the
 * command line (cmdline may be NULL) in [start, end) of guest RAM; *mbi_gpa is
 * the address for EBX.
 */
int mb_info_build(struct guest_mem *m, uint32_t start, uint32_t end,
		  const char *cmdline, const char *loader_name,
		  uint32_t *mbi_gpa, struct err *e);

#endif /* VMRUN_MULTIBOOT_H */
