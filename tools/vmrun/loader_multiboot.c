// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multiboot v1 loader (Multiboot Specification 0.6.96): finds and checks
 * the OS image header (3.1), loads the image as ELF or by the header's
 * address fields (flag 16), builds the boot information (3.3, in
 * multiboot_info.c) and asks for the machine state of 3.2: 32-bit protected
 * mode, paging off, flat CS (execute/read) and DS/ES/FS/GS/SS (read/write),
 * EAX = 0x2BADB002, EBX = the multiboot_info, IF = 0. A20 is always on under
 * KVM. Not in the specification: ESP = 0x8000 (free RAM below the boot area)
 * and GDTR = vmrun's flat GDT; the guest must set up its own, as 3.2 says.
 */
#include <errno.h>
#include <string.h>

#include "elf32.h"
#include "loader.h"
#include "multiboot.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int mb_valid_at(const uint8_t *img, size_t off)
{
	return rd32(img + off) == MB_HEADER_MAGIC &&
	       (uint32_t)(rd32(img + off) + rd32(img + off + 4) + rd32(img + off + 8)) == 0;
}

int mb_find_header(const uint8_t *img, size_t len, struct mb_header *h,
		   size_t *off, struct err *e)
{
	size_t end = len < MB_SEARCH_BYTES ? len : MB_SEARCH_BYTES;
	size_t o, bad = SIZE_MAX, need;

	for (o = 0; o + MB_HEADER_BASIC_SIZE <= end; o += MB_HEADER_ALIGN) {
		if (rd32(img + o) != MB_HEADER_MAGIC)
			continue;
		if (!mb_valid_at(img, o)) {
			if (bad == SIZE_MAX)
				bad = o;
			continue;
		}
		memset(h, 0, sizeof(*h));
		h->magic = MB_HEADER_MAGIC;
		h->flags = rd32(img + o + 4);
		h->checksum = rd32(img + o + 8);
		need = h->flags & MB_HF_AOUT_KLUDGE ? MB_HEADER_AOUT_SIZE
						     : MB_HEADER_BASIC_SIZE;
		if (o + need > end)
			return err_set(e, ENOEXEC,
				       "multiboot header at offset 0x%zx: its address fields (flag 16) run past %s",
				       o, end == len ? "the file end" : "the first 8192 bytes");
		memcpy(h, img + o, len - o < sizeof(*h) ? len - o : sizeof(*h));
		*off = o;
		return 0;
	}
	if (bad != SIZE_MAX)
		return err_set(e, ENOEXEC,
			       "multiboot header at offset 0x%zx has a bad checksum: magic + flags + checksum = 0x%x, not 0",
			       bad, (uint32_t)(rd32(img + bad) + rd32(img + bad + 4) +
					       rd32(img + bad + 8)));
	for (o = 0; o + MB_HEADER_BASIC_SIZE <= len; o += MB_HEADER_ALIGN)
		if (o + MB_HEADER_BASIC_SIZE > MB_SEARCH_BYTES && mb_valid_at(img, o))
			return err_set(e, ENOEXEC,
				       "multiboot header at offset 0x%zx lies beyond the first 8192 bytes, where the specification requires it",
				       o);
	return err_set(e, ENOEXEC, "no multiboot header (magic 0x%08x) in the first 8192 bytes",
		       MB_HEADER_MAGIC);
}

int mb_check_flags(const struct mb_header *h, struct err *e)
{
	uint32_t unknown = h->flags & MB_HF_REQUIRED & ~MB_HF_KNOWN;

	if (unknown)
		return err_set(e, ENOEXEC,
			       "multiboot header requires feature bits 0x%04x that vmrun does not know",
			       unknown);
	return 0;
}

int mb_load_aout(const uint8_t *img, size_t len, const struct mb_header *h,
		 size_t hdr_off, struct guest_mem *m,
		 const struct gpa_range *avoid, uint32_t *entry, struct err *e)
{
	uint64_t load_off, load_end, bss_end, copy;

	if (h->header_addr < h->load_addr ||
	    h->header_addr - h->load_addr > hdr_off)
		return err_set(e, ENOEXEC,
			       "multiboot address fields: header_addr 0x%x and load_addr 0x%x do not match the header's file offset 0x%zx",
			       h->header_addr, h->load_addr, hdr_off);
	load_off = hdr_off - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr
				    : h->load_addr + (len - load_off);
	if (load_end < h->load_addr || load_end - h->load_addr > len - load_off)
		return err_set(e, ENOEXEC,
			       "multiboot load_end_addr 0x%x: the text and data would run past the file end",
			       h->load_end_addr);
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (bss_end < load_end)
		return err_set(e, ENOEXEC,
			       "multiboot bss_end_addr 0x%x is below load_end_addr 0x%llx",
			       h->bss_end_addr, (unsigned long long)load_end);
	if (!gmem_contains(m, h->load_addr, bss_end - h->load_addr))
		return err_set(e, ERANGE,
			       "multiboot image [0x%x, 0x%llx) lies beyond the end of guest RAM (0x%llx): try a larger --mem",
			       h->load_addr, (unsigned long long)bss_end,
			       (unsigned long long)m->size);
	if (gpa_overlap(h->load_addr, bss_end, avoid))
		return err_set(e, ERANGE,
			       "multiboot image [0x%x, 0x%llx) overlaps vmrun's boot area [0x%llx, 0x%llx)",
			       h->load_addr, (unsigned long long)bss_end,
			       (unsigned long long)avoid->start,
			       (unsigned long long)avoid->end);
	if (h->entry_addr < h->load_addr || h->entry_addr >= load_end)
		return err_set(e, ENOEXEC,
			       "multiboot entry_addr 0x%x is outside the loaded text [0x%x, 0x%llx)",
			       h->entry_addr, h->load_addr, (unsigned long long)load_end);

	copy = load_end - h->load_addr;
	memcpy(m->host + h->load_addr, img + load_off, copy);
	memset(m->host + load_end, 0, bss_end - load_end);
	*entry = h->entry_addr;
	return 0;
}

int load_multiboot(const struct image *img, struct guest_mem *m,
		   const char *cmdline, struct boot_regs *b, struct err *e)
{
	const struct gpa_range boot_area = { BOOT_AREA_START, BOOT_AREA_END };
	struct elf_load el;
	struct mb_header h;
	uint32_t entry, mbi;
	size_t off;
	int ret;

	ret = mb_find_header(img->data, img->size, &h, &off, e);
	if (ret)
		return ret;
	ret = mb_check_flags(&h, e);
	if (ret)
		return ret;
	if (h.flags & MB_HF_AOUT_KLUDGE) {
		ret = mb_load_aout(img->data, img->size, &h, off, m, &boot_area,
				   &entry, e);
	} else if (elf_is_elf(img->data, img->size)) {
		ret = elf32_load(img->data, img->size, m, &boot_area, &el, e);
		entry = el.entry;
	} else {
		ret = err_set(e, ENOEXEC,
			      "not an ELF file, and the multiboot header has no address fields (flag 16)");
	}
	if (ret)
		return ret;

	ret = boot_write_gdt(m, BOOT_GDT_GPA, e);
	if (ret)
		return ret;
	ret = mb_info_build(m, BOOT_GDT_GPA + BOOT_GDT_SIZE, BOOT_AREA_END,
			    cmdline, VMRUN_LOADER_NAME, &mbi, e);
	if (ret)
		return ret;

	memset(b, 0, sizeof(*b));
	b->mode = BOOT_FLAT32;
	b->ip = entry;
	b->sp = BOOT_AREA_START;
	b->eax = MB_BOOTLOADER_MAGIC;
	b->ebx = mbi;
	b->gdt_base = BOOT_GDT_GPA;
	return 0;
}
