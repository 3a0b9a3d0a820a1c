// SPDX-License-Identifier: GPL-2.0
/*
 * mkimage: turn an uncompressed x86-64 vmlinux (ELF) into the flat image the
 * PVH stub boots, and tell the stub's link step where things are.
 *
 *   mkimage VMLINUX OUT.bin
 *
 * OUT.bin holds the PT_LOAD segments at their physical addresses relative to
 * the lowest one (what "objcopy -O binary" makes, read from the program
 * headers rather than the sections), with the trailing zeros cut off: they
 * are .bss/.brk/.init.scratch, which the multiboot loader zeroes anyway
 * (bss_end_addr), and leaving them out saves GRUB reading ~20 MB from the
 * emulated CD. Prints make-style variables on stdout:
 *
 *   KERNEL_BASE=0x1000000 PVH_ENTRY=0x1000850 KERNEL_LOAD_END=... KERNEL_BSS_END=...
 *
 * Exit status 2: the kernel has no PVH entry note (the caller falls back to
 * a plain boot); 1: any other error.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* include/xen/interface/elfnote.h: 32-bit physical PVH entry point. */
#define XEN_ELFNOTE_PHYS32_ENTRY	18

#define PAGE_SIZE	4096ULL
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((a) - 1))

struct image {
	const uint8_t *file;
	size_t file_size;
	const Elf64_Ehdr *ehdr;
	uint64_t base;		/* lowest PT_LOAD p_paddr */
	uint64_t file_end;	/* highest p_paddr + p_filesz */
	uint64_t mem_end;	/* highest p_paddr + p_memsz */
	uint64_t entry;		/* PVH entry, 0 if none */
};

static int fail(const char *what)
{
	fprintf(stderr, "mkimage: %s\n", what);
	return 1;
}

static int read_file(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (!f) {
		fprintf(stderr, "mkimage: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return fail("cannot size the input");
	}
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		return fail("cannot read the input");
	}
	fclose(f);
	img->file = buf;
	img->file_size = size;
	return 0;
}

static int in_file(const struct image *img, uint64_t off, uint64_t len)
{
	return off <= img->file_size && len <= img->file_size - off;
}

static const Elf64_Phdr *phdr(const struct image *img, int i)
{
	return (const Elf64_Phdr *)(img->file + img->ehdr->e_phoff +
				    (uint64_t)i * sizeof(Elf64_Phdr));
}

static int check_ehdr(struct image *img)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->file;

	if (!in_file(img, 0, sizeof(*eh)) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return fail("not an x86-64 ELF executable (vmlinux)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_file(img, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return fail("bad program header table");
	img->ehdr = eh;
	return 0;
}

/* Walk one PT_NOTE segment for Xen's PHYS32_ENTRY (ELF notes: gABI 5). */
static void find_pvh_entry(struct image *img, const Elf64_Phdr *ph)
{
	uint64_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;

	while (off + sizeof(Elf64_Nhdr) <= end) {
		const Elf64_Nhdr *n = (const Elf64_Nhdr *)(img->file + off);
		const char *name = (const char *)(n + 1);
		const uint8_t *desc = (const uint8_t *)name + ALIGN_UP(n->n_namesz, 4);

		if (n->n_namesz == 4 && !memcmp(name, "Xen", 4) &&
		    n->n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    (n->n_descsz == 4 || n->n_descsz == 8)) {
			uint32_t entry;

			/* A 32-bit address, stored as .long or a 64-bit _ASM_PTR. */
			memcpy(&entry, desc, sizeof(entry));
			img->entry = entry;
		}
		off += sizeof(*n) + ALIGN_UP(n->n_namesz, 4) +
		       ALIGN_UP(n->n_descsz, 4);
	}
}

static int scan_phdrs(struct image *img)
{
	int i;

	img->base = UINT64_MAX;
	for (i = 0; i < img->ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(img, i);

		if (!in_file(img, ph->p_offset, ph->p_filesz))
			return fail("segment outside the file");
		if (ph->p_type == PT_NOTE)
			find_pvh_entry(img, ph);
		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_paddr < img->base)
			img->base = ph->p_paddr;
		if (ph->p_paddr + ph->p_filesz > img->file_end)
			img->file_end = ph->p_paddr + ph->p_filesz;
		if (ph->p_paddr + ph->p_memsz > img->mem_end)
			img->mem_end = ph->p_paddr + ph->p_memsz;
	}
	if (img->base == UINT64_MAX)
		return fail("no PT_LOAD segment");
	/* Multiboot v1 is 32-bit: the whole kernel must sit below 4 GiB. */
	if (img->base < (1 << 20) || img->mem_end > UINT32_MAX)
		return fail("kernel not between 1 MiB and 4 GiB");
	return 0;
}

static int write_flat(const struct image *img, const char *path)
{
	uint64_t size = img->file_end - img->base;
	uint8_t *flat = calloc(size ? size : 1, 1);
	FILE *f;
	int i;

	if (!flat)
		return fail("out of memory");
	for (i = 0; i < img->ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(img, i);

		if (ph->p_type == PT_LOAD)
			memcpy(flat + (ph->p_paddr - img->base),
			       img->file + ph->p_offset, ph->p_filesz);
	}
	/* Trailing zeros are covered by bss_end_addr: do not make GRUB read them. */
	while (size && !flat[size - 1])
		size--;
	size = ALIGN_UP(size, PAGE_SIZE);

	f = fopen(path, "wb");
	if (!f || fwrite(flat, 1, size, f) != size || fclose(f)) {
		free(flat);
		return fail("cannot write the flat image");
	}
	free(flat);
	printf("KERNEL_BASE=%#llx PVH_ENTRY=%#llx KERNEL_LOAD_END=%#llx KERNEL_BSS_END=%#llx\n",
	       (unsigned long long)img->base, (unsigned long long)img->entry,
	       (unsigned long long)(img->base + size),
	       (unsigned long long)ALIGN_UP(img->mem_end, PAGE_SIZE));
	return 0;
}

int main(int argc, char **argv)
{
	struct image img = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: mkimage VMLINUX OUT.bin\n");
		return 1;
	}
	if (read_file(argv[1], &img) || check_ehdr(&img) || scan_phdrs(&img))
		return 1;
	if (!img.entry) {
		fprintf(stderr, "mkimage: %s has no XEN_ELFNOTE_PHYS32_ENTRY note\n",
			argv[1]);
		return 2;
	}
	if (img.entry < img.base || img.entry >= img.file_end)
		return fail("PVH entry outside the kernel image");
	return write_flat(&img, argv[2]);
}
