// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmrun_loaders.c - vmrun's loaders on a plain buffer as guest RAM:
 * the multiboot header search, ELF and a.out-kludge loading, the
 * multiboot_info, the flat loader, the entry CPU state, reading images.
 */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "elf32.h"
#include "loader.h"
#include "multiboot.h"

#define MIB		(1024u * 1024u)
#define ASSERT_HAS(s, sub) \
	ck_assert_msg(strstr((s), (sub)) != NULL, "'%s' not in '%s'", (sub), (s))

static struct guest_mem ram;

static void ram_setup(void)
{
	ram.size = 4 * MIB;
	ram.host = calloc(1, ram.size);
	ck_assert_ptr_nonnull(ram.host);
}

static void ram_teardown(void)
{
	free(ram.host);
	ram.host = NULL;
}

static int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A basic multiboot header (magic, flags, checksum) at off. */
static void put_mb(uint8_t *img, size_t off, uint32_t flags, uint32_t fix)
{
	put32(img + off, MB_HEADER_MAGIC);
	put32(img + off + 4, flags);
	put32(img + off + 8, -(MB_HEADER_MAGIC + flags) + fix);
}

/* ---- multiboot header search ---- */

START_TEST(test_mb_header_found)
{
	static const size_t offs[] = { 0, 4, 0x80, 8192 - 12 };
	uint8_t img[9000];
	struct mb_header h;
	struct err e;
	size_t off, i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memset(img, 0, sizeof(img));
		put_mb(img, offs[i], MB_HF_MEMORY_INFO, 0);
		ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), 0);
		ck_assert_uint_eq(off, offs[i]);
		ck_assert_uint_eq(h.magic, MB_HEADER_MAGIC);
		ck_assert_uint_eq(h.flags, MB_HF_MEMORY_INFO);
	}
}
END_TEST

START_TEST(test_mb_header_bad_checksum)
{
	uint8_t img[4096] = { 0 };
	struct mb_header h;
	struct err e;
	size_t off;

	put_mb(img, 0x40, 0, 1);
	ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "offset 0x40 has a bad checksum");
	/* A valid header after a bad one is the header. */
	put_mb(img, 0x100, 0, 0);
	ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), 0);
	ck_assert_uint_eq(off, 0x100);
}
END_TEST

START_TEST(test_mb_header_beyond_8k)
{
	static const size_t offs[] = { 8192 - 8, 8192, 12000 };
	uint8_t img[16384];
	struct mb_header h;
	struct err e;
	char want[64];
	size_t off, i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		memset(img, 0, sizeof(img));
		put_mb(img, offs[i], 0, 0);
		ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), -ENOEXEC);
		snprintf(want, sizeof(want), "offset 0x%zx lies beyond the first 8192 bytes",
			 offs[i]);
		ASSERT_HAS(e.msg, want);
	}
}
END_TEST

START_TEST(test_mb_header_absent_or_unaligned)
{
	uint8_t img[4096] = { 0 };
	struct mb_header h;
	struct err e;
	size_t off;

	ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "no multiboot header");
	put_mb(img, 0x42, 0, 0);	/* not longword aligned */
	ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), -ENOEXEC);
	ck_assert_int_eq(mb_find_header(img, 8, &h, &off, &e), -ENOEXEC);	/* tiny file */
}
END_TEST

START_TEST(test_mb_header_aout_fields)
{
	uint8_t img[64] = { 0 };
	struct mb_header h;
	struct err e;
	size_t off;

	put_mb(img, 0, MB_HF_AOUT_KLUDGE, 0);
	put32(img + 12, 0x100000);
	put32(img + 28, 0x100020);
	ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), 0);
	ck_assert_uint_eq(h.header_addr, 0x100000);
	ck_assert_uint_eq(h.entry_addr, 0x100020);
	/* The address fields must be in the file. */
	put_mb(img, 40, MB_HF_AOUT_KLUDGE, 0);
	memset(img, 0, 12);
	ck_assert_int_eq(mb_find_header(img, sizeof(img), &h, &off, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "address fields (flag 16) run past the file end");
}
END_TEST

START_TEST(test_mb_flags)
{
	struct mb_header h = { .flags = MB_HF_PAGE_ALIGN | MB_HF_MEMORY_INFO |
				   MB_HF_VIDEO_MODE | MB_HF_AOUT_KLUDGE | (1u << 31) };
	struct err e;

	ck_assert_int_eq(mb_check_flags(&h, &e), 0);	/* optional bits pass */
	h.flags |= 1u << 5;
	ck_assert_int_eq(mb_check_flags(&h, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "feature bits 0x0020");
}
END_TEST

/* ---- ELF ---- */

struct seg {
	uint32_t paddr, vaddr, filesz, memsz;
	uint8_t fill;
};

/*
 * An ELF32 i386 executable in buf: headers at 0, a multiboot header at 0x80
 * (if mb), segment i's bytes at 0x1000 * (i + 1). Returns the file size.
 */
static size_t make_elf(uint8_t *buf, size_t cap, uint32_t entry,
		       const struct seg *segs, unsigned int n, int mb)
{
	Elf32_Ehdr eh = { 0 };
	Elf32_Phdr ph;
	size_t size = 0x1000;
	unsigned int i;

	memset(buf, 0, cap);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_386;
	eh.e_version = EV_CURRENT;
	eh.e_entry = entry;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = n;
	memcpy(buf, &eh, sizeof(eh));
	for (i = 0; i < n; i++) {
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_offset = 0x1000 * (i + 1);
		ph.p_vaddr = segs[i].vaddr;
		ph.p_paddr = segs[i].paddr;
		ph.p_filesz = segs[i].filesz;
		ph.p_memsz = segs[i].memsz;
		memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
		ck_assert_uint_le(ph.p_offset + segs[i].filesz, cap);
		memset(buf + ph.p_offset, segs[i].fill, segs[i].filesz);
		size = ph.p_offset + (segs[i].filesz > 0x1000 ? segs[i].filesz : 0x1000);
	}
	if (mb)
		put_mb(buf, 0x80, MB_HF_MEMORY_INFO, 0);
	return size;
}

static uint8_t elfbuf[64 * 1024];

START_TEST(test_elf_load_segments)
{
	const struct seg segs[] = {
		{ 0x100000, 0x100000, 0x800, 0x800, 0xaa },
		{ 0x101000, 0x101000, 0x100, 0x2000, 0xbb },	/* + bss */
	};
	size_t len = make_elf(elfbuf, sizeof(elfbuf), 0x100010, segs, 2, 0);
	struct elf_load el;
	struct err e;

	memset(ram.host + 0x101000, 0x55, 0x3000);	/* the bss must be zeroed */
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), 0);
	ck_assert_uint_eq(el.entry, 0x100010);
	ck_assert_uint_eq(el.nsegs, 2);
	ck_assert_uint_eq(el.lo, 0x100000);
	ck_assert_uint_eq(el.hi, 0x103000);
	ck_assert(all_bytes(ram.host + 0x100000, 0x800, 0xaa));
	ck_assert(all_bytes(ram.host + 0x100800, 0x800, 0));	/* untouched */
	ck_assert(all_bytes(ram.host + 0x101000, 0x100, 0xbb));
	ck_assert(all_bytes(ram.host + 0x101100, 0x1f00, 0));
	ck_assert(all_bytes(ram.host + 0x103000, 0x1000, 0x55));
}
END_TEST

START_TEST(test_elf_higher_half_entry)
{
	const struct seg segs[] = {
		{ 0x200000, 0xc0200000, 0x100, 0x100, 0x90 },
	};
	size_t len = make_elf(elfbuf, sizeof(elfbuf), 0xc0200040, segs, 1, 0);
	struct elf_load el;
	struct err e;

	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), 0);
	ck_assert_uint_eq(el.entry, 0x200040);	/* physical */
	ck_assert_uint_eq(ram.host[0x2000ff], 0x90);
}
END_TEST

START_TEST(test_elf_segment_past_ram_end)
{
	/* Ends exactly at the end of RAM: fine; one byte more: refused. */
	const struct seg ok[] = { { 4 * MIB - 0x100, 4 * MIB - 0x100, 0x100, 0x100, 1 } };
	const struct seg bss[] = {
		{ 0x300000, 0x300000, 0x10, 0x10, 2 },
		{ 0x3ff000, 0x3ff000, 0x10, 0x1001, 3 },
	};
	const struct seg wrap[] = { { 0xfffff000, 0xfffff000, 0x10, 0x2000, 4 } };
	struct elf_load el;
	struct err e;
	size_t len;

	len = make_elf(elfbuf, sizeof(elfbuf), 4 * MIB - 0x100, ok, 1, 0);
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), 0);

	memset(ram.host, 0, ram.size);
	len = make_elf(elfbuf, sizeof(elfbuf), 0x300000, bss, 2, 0);
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ERANGE);
	ASSERT_HAS(e.msg, "ELF segment 1 [0x3ff000, 0x400001) lies beyond the end of guest RAM (0x400000)");
	ck_assert(all_bytes(ram.host, ram.size, 0));	/* nothing loaded */

	len = make_elf(elfbuf, sizeof(elfbuf), 0xfffff000, wrap, 1, 0);
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ERANGE);
}
END_TEST

START_TEST(test_elf_avoid_range)
{
	const struct gpa_range boot = { BOOT_AREA_START, BOOT_AREA_END };
	const struct seg segs[] = { { 0xf000, 0xf000, 0x10, 0x2000, 1 } };
	size_t len = make_elf(elfbuf, sizeof(elfbuf), 0xf000, segs, 1, 0);
	struct elf_load el;
	struct err e;

	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, &boot, &el, &e), -ERANGE);
	ASSERT_HAS(e.msg, "overlaps vmrun's boot area [0x8000, 0x10000)");
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), 0);
}
END_TEST

START_TEST(test_elf_rejects)
{
	const struct seg segs[] = { { 0x100000, 0x100000, 0x10, 0x10, 1 } };
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	struct elf_load el;
	struct err e;
	size_t len;

	ck_assert_int_eq(elf32_load((const uint8_t *)"hello", 5, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "not an ELF file");

	len = make_elf(elfbuf, sizeof(elfbuf), 0x100000, segs, 1, 0);
	elfbuf[EI_CLASS] = ELFCLASS64;
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "not a 32-bit ELF file");

	len = make_elf(elfbuf, sizeof(elfbuf), 0x100000, segs, 1, 0);
	memcpy(&eh, elfbuf, sizeof(eh));
	eh.e_machine = EM_X86_64;
	memcpy(elfbuf, &eh, sizeof(eh));
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "not an i386 ELF file");

	len = make_elf(elfbuf, sizeof(elfbuf), 0x100000, segs, 1, 0);
	memcpy(&eh, elfbuf, sizeof(eh));
	eh.e_phnum = 4000;		/* headers past the file end */
	memcpy(elfbuf, &eh, sizeof(eh));
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "program headers lie beyond the file end");

	len = make_elf(elfbuf, sizeof(elfbuf), 0x100000, segs, 0, 0);
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "no loadable segment");

	len = make_elf(elfbuf, sizeof(elfbuf), 0x100000, segs, 1, 0);
	memcpy(&ph, elfbuf + sizeof(eh), sizeof(ph));
	ph.p_filesz = 0x20;		/* more than p_memsz */
	memcpy(elfbuf + sizeof(eh), &ph, sizeof(ph));
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "p_filesz 0x20 > p_memsz 0x10");

	ph.p_filesz = 0x10;
	ph.p_offset = len;		/* data past the file end */
	memcpy(elfbuf + sizeof(eh), &ph, sizeof(ph));
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "lies beyond the file end");

	len = make_elf(elfbuf, sizeof(elfbuf), 0x300000, segs, 1, 0);
	ck_assert_int_eq(elf32_load(elfbuf, len, &ram, NULL, &el, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "entry point 0x300000 is outside the loaded range");
}
END_TEST

/* ---- multiboot_info ---- */

static struct mb_info read_info(uint32_t gpa)
{
	struct mb_info info;

	memcpy(&info, ram.host + gpa, sizeof(info));
	return info;
}

START_TEST(test_mb_info_fields)
{
	struct mb_mmap_entry map[3];
	struct mb_info info;
	struct err e;
	uint32_t mbi;

	ck_assert_int_eq(mb_info_build(&ram, 0x8040, 0x10000, "root=/dev/vda quiet",
				       "vmrun", &mbi, &e), 0);
	ck_assert_uint_ge(mbi, 0x8040);
	ck_assert_uint_eq(mbi % 8, 0);
	info = read_info(mbi);
	ck_assert_uint_eq(info.flags, MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
			  MB_INFO_MEM_MAP | MB_INFO_BOOT_LOADER_NAME);
	ck_assert_uint_eq(info.mem_lower, 640);
	ck_assert_uint_eq(info.mem_upper, 3 * 1024);	/* 4 MiB - 1 MiB, in KiB */
	ck_assert_uint_eq(info.mods_count, 0);
	ck_assert_str_eq((char *)ram.host + info.cmdline, "root=/dev/vda quiet");
	ck_assert_str_eq((char *)ram.host + info.boot_loader_name, "vmrun");

	ck_assert_uint_eq(info.mmap_length, 3 * sizeof(map[0]));
	memcpy(map, ram.host + info.mmap_addr, sizeof(map));
	ck_assert_uint_eq(map[0].size, 20);
	ck_assert_uint_eq(map[0].addr, 0);
	ck_assert_uint_eq(map[0].len, 0xa0000);
	ck_assert_uint_eq(map[0].type, MB_MEMORY_AVAILABLE);
	ck_assert_uint_eq(map[1].addr, 0xa0000);
	ck_assert_uint_eq(map[1].len, 0x60000);
	ck_assert_uint_eq(map[1].type, MB_MEMORY_RESERVED);
	ck_assert_uint_eq(map[2].addr, 0x100000);
	ck_assert_uint_eq(map[2].len, 3 * MIB);
	ck_assert_uint_eq(map[2].type, MB_MEMORY_AVAILABLE);

	/* Everything stays inside the window. */
	ck_assert_uint_lt(info.cmdline + strlen("root=/dev/vda quiet"), 0x10000);
	ck_assert_uint_ge(info.mmap_addr, 0x8040);
}
END_TEST

START_TEST(test_mb_info_sizes)
{
	struct guest_mem big = { NULL, 3072ull * MIB };
	struct mb_info info;
	struct err e;
	uint32_t mbi;

	/* No command line: no flag, no pointer. 2 MiB of RAM: mem_upper 1 MiB. */
	ram.size = 2 * MIB;
	ck_assert_int_eq(mb_info_build(&ram, 0x8040, 0x10000, NULL, "vmrun", &mbi, &e), 0);
	info = read_info(mbi);
	ck_assert_uint_eq(info.flags & MB_INFO_CMDLINE, 0);
	ck_assert_uint_eq(info.cmdline, 0);
	ck_assert_uint_eq(info.mem_upper, 1024);

	/* The largest --mem: the boot area is all the buffer must hold. */
	big.host = ram.host;
	ck_assert_int_eq(mb_info_build(&big, 0x8040, 0x10000, "x", "vmrun", &mbi, &e), 0);
	info = read_info(mbi);
	ck_assert_uint_eq(info.mem_upper, 3071u * 1024);
	ram.size = 4 * MIB;
}
END_TEST

START_TEST(test_mb_info_cmdline_too_long)
{
	size_t n = 0x8000;
	char *cmdline = malloc(n + 1);
	struct err e;
	uint32_t mbi;

	memset(cmdline, 'a', n);
	cmdline[n] = '\0';
	ck_assert_int_eq(mb_info_build(&ram, 0x8040, 0x10000, cmdline, "vmrun", &mbi, &e),
			 -E2BIG);
	ASSERT_HAS(e.msg, "the command line (32768 bytes) does not fit");
	/* The longest that fits. */
	cmdline[0x8000 - 0x40 - 0x80 - 0x48 - 8 - 1] = '\0';
	ck_assert_int_eq(mb_info_build(&ram, 0x8040, 0x10000, cmdline, "vmrun", &mbi, &e), 0);
	free(cmdline);
}
END_TEST

/* ---- load_multiboot ---- */

START_TEST(test_load_multiboot_elf)
{
	const struct seg segs[] = { { 0x100000, 0x100000, 0x200, 0x200, 0xcc } };
	size_t len = make_elf(elfbuf, sizeof(elfbuf), 0x100080, segs, 1, 1);
	struct image img = { elfbuf, len };
	struct boot_regs b;
	struct mb_info info;
	uint64_t gdt[3];
	struct err e;

	ck_assert_int_eq(load_multiboot(&img, &ram, "console=ttyS0", &b, &e), 0);
	ck_assert_int_eq(b.mode, BOOT_FLAT32);
	ck_assert_uint_eq(b.ip, 0x100080);
	ck_assert_uint_eq(b.eax, 0x2badb002);
	ck_assert_uint_eq(b.gdt_base, BOOT_GDT_GPA);
	ck_assert_uint_ge(b.ebx, BOOT_AREA_START);
	ck_assert_uint_lt(b.ebx, BOOT_AREA_END);
	info = read_info(b.ebx);
	ck_assert_str_eq((char *)ram.host + info.cmdline, "console=ttyS0");
	memcpy(gdt, ram.host + BOOT_GDT_GPA, sizeof(gdt));
	ck_assert_uint_eq(gdt[0], 0);
	ck_assert_uint_eq(gdt[1], 0x00cf9b000000ffffull);
	ck_assert_uint_eq(gdt[2], 0x00cf93000000ffffull);
	ck_assert(all_bytes(ram.host + 0x100000, 0x80, 0xcc));
}
END_TEST

START_TEST(test_load_multiboot_errors)
{
	const struct seg low[] = { { 0x9000, 0x9000, 0x200, 0x200, 1 } };
	struct image img = { elfbuf, 0 };
	struct boot_regs b;
	struct err e;

	/* A header, but neither ELF nor address fields. */
	memset(elfbuf, 0, 4096);
	put_mb(elfbuf, 0, 0, 0);
	img.size = 4096;
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "no address fields (flag 16)");

	/* An ELF without a header. */
	img.size = make_elf(elfbuf, sizeof(elfbuf), 0x100000, low, 1, 0);
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "no multiboot header");

	/* An ELF over vmrun's boot area. */
	img.size = make_elf(elfbuf, sizeof(elfbuf), 0x9000, low, 1, 1);
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ERANGE);
	ASSERT_HAS(e.msg, "overlaps vmrun's boot area");
}
END_TEST

/* An a.out-kludge image: header at file offset 0x40, loaded at 1 MiB. */
static size_t make_aout(uint8_t *buf, uint32_t load_end, uint32_t bss_end,
			uint32_t entry)
{
	memset(buf, 0x77, 0x1000);
	put_mb(buf, 0x40, MB_HF_AOUT_KLUDGE, 0);
	put32(buf + 0x40 + 12, 0x100040);	/* header_addr */
	put32(buf + 0x40 + 16, 0x100000);	/* load_addr */
	put32(buf + 0x40 + 20, load_end);
	put32(buf + 0x40 + 24, bss_end);
	put32(buf + 0x40 + 28, entry);
	return 0x1000;
}

START_TEST(test_load_multiboot_aout)
{
	struct image img = { elfbuf, 0 };
	struct boot_regs b;
	struct err e;

	memset(ram.host + 0x100000, 0x55, 0x4000);
	img.size = make_aout(elfbuf, 0x100800, 0x102000, 0x100080);
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), 0);
	ck_assert_uint_eq(b.ip, 0x100080);
	ck_assert_uint_eq(ram.host[0x100040], 0x02);	/* the header's magic */
	ck_assert(all_bytes(ram.host + 0x100080, 0x780, 0x77));
	ck_assert(all_bytes(ram.host + 0x100800, 0x1800, 0));	/* bss */
	ck_assert(all_bytes(ram.host + 0x102000, 0x2000, 0x55));

	/* load_end_addr 0: to the end of the file; bss_end_addr 0: no bss. */
	img.size = make_aout(elfbuf, 0, 0, 0x100080);
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), 0);
	ck_assert(all_bytes(ram.host + 0x100080, 0xf80, 0x77));
}
END_TEST

START_TEST(test_load_multiboot_aout_errors)
{
	struct image img = { elfbuf, 0 };
	struct boot_regs b;
	struct err e;

	img.size = make_aout(elfbuf, 0x100800, 0x100400, 0x100080);
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "bss_end_addr 0x100400 is below load_end_addr");

	img.size = make_aout(elfbuf, 0x102000, 0, 0x100080);	/* file is 4 KiB */
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "run past the file end");

	img.size = make_aout(elfbuf, 0x100800, 0x500000, 0x100080);
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ERANGE);
	ASSERT_HAS(e.msg, "lies beyond the end of guest RAM");

	img.size = make_aout(elfbuf, 0x100800, 0, 0x100900);
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "entry_addr 0x100900 is outside the loaded text");

	img.size = make_aout(elfbuf, 0x100800, 0, 0x100080);
	put32(elfbuf + 0x40 + 12, 0x100080);	/* header_addr - load_addr > offset */
	put32(elfbuf + 0x40 + 8, -(MB_HEADER_MAGIC + MB_HF_AOUT_KLUDGE));
	ck_assert_int_eq(load_multiboot(&img, &ram, NULL, &b, &e), -ENOEXEC);
	ASSERT_HAS(e.msg, "do not match the header's file offset 0x40");
}
END_TEST

/* ---- flat ---- */

START_TEST(test_load_flat)
{
	uint8_t code[300];
	struct image img = { code, sizeof(code) };
	struct boot_regs b;
	struct err e;

	memset(code, 0xf4, sizeof(code));
	ck_assert_int_eq(load_flat(&img, &ram, &b, &e), 0);
	ck_assert(all_bytes(ram.host + 0x10000, sizeof(code), 0xf4));
	ck_assert_uint_eq(ram.host[0xffff], 0);
	ck_assert_uint_eq(ram.host[0x10000 + sizeof(code)], 0);
	ck_assert_int_eq(b.mode, BOOT_REAL16);
	ck_assert_uint_eq(b.seg, 0x1000);
	ck_assert_uint_eq(b.ip, 0);
	ck_assert_uint_eq(b.sp, 0x8000);
}
END_TEST

START_TEST(test_load_flat_errors)
{
	struct image img = { elfbuf, 0 };
	struct boot_regs b;
	struct err e;

	ck_assert_int_eq(load_flat(&img, &ram, &b, &e), -EINVAL);
	ASSERT_HAS(e.msg, "empty");
	ram.size = 0x10000 + sizeof(elfbuf) - 1;	/* one byte short */
	img.size = sizeof(elfbuf);
	ck_assert_int_eq(load_flat(&img, &ram, &b, &e), -ERANGE);
	ASSERT_HAS(e.msg, "does not fit");
	ram.size++;
	ck_assert_int_eq(load_flat(&img, &ram, &b, &e), 0);
	ram.size = 4 * MIB;
}
END_TEST

/* ---- CPU state at entry ---- */

START_TEST(test_boot_sregs_real)
{
	struct boot_regs b = { .mode = BOOT_REAL16, .seg = 0x1000, .ip = 0, .sp = 0x8000 };
	struct kvm_sregs s;
	struct kvm_regs r;

	memset(&s, 0xa5, sizeof(s));
	s.apic_base = 0xfee00900;
	boot_to_sregs(&b, &s);
	ck_assert_uint_eq(s.cs.selector, 0x1000);
	ck_assert_uint_eq(s.cs.base, 0x10000);
	ck_assert_uint_eq(s.cs.limit, 0xffff);
	ck_assert_uint_eq(s.cs.type, 0xb);
	ck_assert_uint_eq(s.cs.db, 0);
	ck_assert_uint_eq(s.ss.selector, 0x1000);
	ck_assert_uint_eq(s.ss.base, 0x10000);
	ck_assert_uint_eq(s.ds.type, 0x3);
	ck_assert_uint_eq(s.gs.base, 0x10000);
	ck_assert_uint_eq(s.cr0 & X86_CR0_PE, 0);
	ck_assert_uint_eq(s.efer, 0);
	ck_assert_uint_eq(s.idt.limit, 0x3ff);
	ck_assert_uint_eq(s.tr.type, 3);
	ck_assert_uint_eq(s.apic_base, 0xfee00900);	/* kept */
	ck_assert_uint_eq(s.interrupt_bitmap[0], 0);
	boot_to_regs(&b, &r);
	ck_assert_uint_eq(r.rip, 0);
	ck_assert_uint_eq(r.rsp, 0x8000);
	ck_assert_uint_eq(r.rflags, 0x2);
}
END_TEST

START_TEST(test_boot_sregs_flat32)
{
	struct boot_regs b = { .mode = BOOT_FLAT32, .ip = 0x100000, .sp = 0x8000,
			       .eax = 0x2badb002, .ebx = 0x8040, .gdt_base = 0x8000 };
	struct kvm_segment *data[] = { NULL, NULL, NULL, NULL, NULL };
	struct kvm_sregs s;
	struct kvm_regs r;
	unsigned int i;

	memset(&s, 0xa5, sizeof(s));
	boot_to_sregs(&b, &s);
	data[0] = &s.ds, data[1] = &s.es, data[2] = &s.fs, data[3] = &s.gs, data[4] = &s.ss;
	ck_assert_uint_eq(s.cs.selector, BOOT_SEL_CODE32);
	ck_assert_uint_eq(s.cs.base, 0);
	ck_assert_uint_eq(s.cs.limit, 0xffffffff);
	ck_assert_uint_eq(s.cs.type, 0xb);	/* execute/read */
	ck_assert_uint_eq(s.cs.db, 1);
	ck_assert_uint_eq(s.cs.g, 1);
	ck_assert_uint_eq(s.cs.l, 0);
	ck_assert_uint_eq(s.cs.present, 1);
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(data[i]->selector, BOOT_SEL_DATA32);
		ck_assert_uint_eq(data[i]->type, 0x3);	/* read/write */
		ck_assert_uint_eq(data[i]->limit, 0xffffffff);
		ck_assert_uint_eq(data[i]->db, 1);
		ck_assert_uint_eq(data[i]->unusable, 0);
	}
	ck_assert_uint_eq(s.cr0, X86_CR0_PE | X86_CR0_ET);	/* PG=0 */
	ck_assert_uint_eq(s.cr4, 0);
	ck_assert_uint_eq(s.efer, 0);
	ck_assert_uint_eq(s.gdt.base, 0x8000);
	ck_assert_uint_eq(s.gdt.limit, 23);
	ck_assert_uint_eq(s.tr.type, 0xb);
	ck_assert_uint_eq(s.ldt.unusable, 1);
	boot_to_regs(&b, &r);
	ck_assert_uint_eq(r.rip, 0x100000);
	ck_assert_uint_eq(r.rax, 0x2badb002);
	ck_assert_uint_eq(r.rbx, 0x8040);
	ck_assert_uint_eq(r.rflags & (1u << 9), 0);	/* IF=0 */
}
END_TEST

START_TEST(test_boot_gdt_outside_ram)
{
	struct err e;

	ck_assert_int_eq(boot_write_gdt(&ram, 4 * MIB - 8, &e), -ERANGE);
	ck_assert_int_eq(boot_write_gdt(&ram, 0x8000, &e), 0);
}
END_TEST

/* ---- image files ---- */

START_TEST(test_image_read)
{
	char path[] = "/tmp/test_vmrun_XXXXXX";
	struct image img;
	struct err e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "guest", 5), 5);
	close(fd);
	ck_assert_int_eq(image_read(&img, path, 100, &e), 0);
	ck_assert_uint_eq(img.size, 5);
	ck_assert_mem_eq(img.data, "guest", 5);
	image_free(&img);
	ck_assert_ptr_null(img.data);

	ck_assert_int_eq(image_read(&img, path, 4, &e), -EFBIG);
	ASSERT_HAS(e.msg, "do not fit in 4 bytes of guest RAM");
	unlink(path);
	ck_assert_int_eq(image_read(&img, path, 100, &e), -ENOENT);
	ASSERT_HAS(e.msg, "No such file");
	ck_assert_int_eq(image_read(&img, "/tmp", 100, &e), -EINVAL);
	ASSERT_HAS(e.msg, "not a regular file");
}
END_TEST

Suite *vmrun_loader_suite(void);
Suite *vmrun_loader_suite(void)
{
	Suite *s = suite_create("vmrun loaders");
	TCase *tc = tcase_create("multiboot header");

	tcase_add_checked_fixture(tc, ram_setup, ram_teardown);
	tcase_add_test(tc, test_mb_header_found);
	tcase_add_test(tc, test_mb_header_bad_checksum);
	tcase_add_test(tc, test_mb_header_beyond_8k);
	tcase_add_test(tc, test_mb_header_absent_or_unaligned);
	tcase_add_test(tc, test_mb_header_aout_fields);
	tcase_add_test(tc, test_mb_flags);
	suite_add_tcase(s, tc);

	tc = tcase_create("elf");
	tcase_add_checked_fixture(tc, ram_setup, ram_teardown);
	tcase_add_test(tc, test_elf_load_segments);
	tcase_add_test(tc, test_elf_higher_half_entry);
	tcase_add_test(tc, test_elf_segment_past_ram_end);
	tcase_add_test(tc, test_elf_avoid_range);
	tcase_add_test(tc, test_elf_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("multiboot");
	tcase_add_checked_fixture(tc, ram_setup, ram_teardown);
	tcase_add_test(tc, test_mb_info_fields);
	tcase_add_test(tc, test_mb_info_sizes);
	tcase_add_test(tc, test_mb_info_cmdline_too_long);
	tcase_add_test(tc, test_load_multiboot_elf);
	tcase_add_test(tc, test_load_multiboot_errors);
	tcase_add_test(tc, test_load_multiboot_aout);
	tcase_add_test(tc, test_load_multiboot_aout_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("flat and entry state");
	tcase_add_checked_fixture(tc, ram_setup, ram_teardown);
	tcase_add_test(tc, test_load_flat);
	tcase_add_test(tc, test_load_flat_errors);
	tcase_add_test(tc, test_boot_sregs_real);
	tcase_add_test(tc, test_boot_sregs_flat32);
	tcase_add_test(tc, test_boot_gdt_outside_ram);
	tcase_add_test(tc, test_image_read);
	suite_add_tcase(s, tc);
	return s;
}
