// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multiboot boot information (Multiboot Specification 0.6.96, 3.3):
 * mem_lower/mem_upper, a memory map, the command line and the boot loader
 * name, laid out one after the other in a window of guest RAM. vmrun's RAM
 * starts at 0; the map still reserves the PC's legacy hole [640 KiB, 1 MiB),
 * as a PC firmware would, so guests never put anything there.
 */
#include <errno.h>
#include <string.h>

#include "multiboot.h"

struct area {
	struct guest_mem *m;
	uint32_t next, end;
};

/* Reserves len bytes, 8-byte aligned; returns their GPA or 0 if full. */
static uint32_t area_alloc(struct area *a, uint32_t len)
{
	uint32_t at = (a->next + 7) & ~7u;

	if (at < a->next || at > a->end || len > a->end - at)
		return 0;
	a->next = at + len;
	return at;
}

static uint32_t area_put(struct area *a, const void *data, uint32_t len)
{
	uint32_t at = area_alloc(a, len);

	if (at)
		memcpy(a->m->host + at, data, len);
	return at;
}

static unsigned int mb_mmap(uint64_t ram, struct mb_mmap_entry *map)
{
	unsigned int n = 0;
	uint64_t low = ram < MB_LOW_MEM_END ? ram : MB_LOW_MEM_END;

	map[n++] = (struct mb_mmap_entry){ 20, 0, low, MB_MEMORY_AVAILABLE };
	map[n++] = (struct mb_mmap_entry){ 20, MB_LOW_MEM_END,
		MB_HIGH_MEM_START - MB_LOW_MEM_END, MB_MEMORY_RESERVED };
	if (ram > MB_HIGH_MEM_START)
		map[n++] = (struct mb_mmap_entry){ 20, MB_HIGH_MEM_START,
			ram - MB_HIGH_MEM_START, MB_MEMORY_AVAILABLE };
	return n;
}

int mb_info_build(struct guest_mem *m, uint32_t start, uint32_t end,
		  const char *cmdline, const char *loader_name,
		  uint32_t *mbi_gpa, struct err *e)
{
	struct area a = { m, start, end };
	struct mb_mmap_entry map[3];
	struct mb_info info;
	uint64_t upper;
	uint32_t at;
	unsigned int n;

	if (start == 0 || !gmem_contains(m, start, end - start))
		return err_set(e, ERANGE,
			       "the boot information area [0x%x, 0x%x) lies outside guest RAM",
			       start, end);

	memset(&info, 0, sizeof(info));
	info.flags = MB_INFO_MEMORY | MB_INFO_MODS | MB_INFO_MEM_MAP |
		     MB_INFO_BOOT_LOADER_NAME;
	info.mem_lower = (m->size < MB_LOW_MEM_END ? m->size : MB_LOW_MEM_END) >> 10;
	upper = m->size > MB_HIGH_MEM_START ? (m->size - MB_HIGH_MEM_START) >> 10 : 0;
	info.mem_upper = upper > UINT32_MAX ? UINT32_MAX : upper;
	info.mods_count = 0;

	*mbi_gpa = area_alloc(&a, sizeof(info));
	n = mb_mmap(m->size, map);
	info.mmap_length = n * sizeof(map[0]);
	info.mmap_addr = area_put(&a, map, info.mmap_length);
	info.boot_loader_name = area_put(&a, loader_name, strlen(loader_name) + 1);
	if (cmdline) {
		at = area_put(&a, cmdline, strlen(cmdline) + 1);
		if (!at)
			return err_set(e, E2BIG,
				       "the command line (%zu bytes) does not fit in vmrun's boot area [0x%x, 0x%x)",
				       strlen(cmdline), start, end);
		info.cmdline = at;
		info.flags |= MB_INFO_CMDLINE;
	}
	if (!*mbi_gpa || !info.mmap_addr || !info.boot_loader_name)
		return err_set(e, ENOSPC, "the boot information does not fit in [0x%x, 0x%x)",
			       start, end);
	memcpy(m->host + *mbi_gpa, &info, sizeof(info));
	return 0;
}
