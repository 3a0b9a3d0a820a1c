// SPDX-License-Identifier: GPL-2.0-only
/*
 * ELF32 (i386) executables: the program headers, as the System V ABI (and
 * its Intel386 supplement) define them. Only PT_LOAD matters to a loader.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "elf32.h"

int elf_is_elf(const uint8_t *img, size_t len)
{
	return len >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0;
}

static int elf32_header(const uint8_t *img, size_t len, Elf32_Ehdr *eh,
			struct err *e)
{
	if (!elf_is_elf(img, len) || len < sizeof(*eh))
		return err_set(e, ENOEXEC, "not an ELF file");
	memcpy(eh, img, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS32)
		return err_set(e, ENOEXEC, "not a 32-bit ELF file (ELF class %u)",
			       eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_386)
		return err_set(e, ENOEXEC, "not an i386 ELF file (machine %u)",
			       eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return err_set(e, ENOEXEC, "not an ELF executable (type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf32_Phdr))
		return err_set(e, ENOEXEC, "bad ELF program header size %u",
			       eh->e_phentsize);
	if (eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > len - eh->e_phoff)
		return err_set(e, ENOEXEC, "ELF program headers lie beyond the file end");
	return 0;
}

static void elf32_phdr(const uint8_t *img, const Elf32_Ehdr *eh, unsigned int i,
		       Elf32_Phdr *ph)
{
	memcpy(ph, img + eh->e_phoff + (size_t)i * sizeof(*ph), sizeof(*ph));
}

static int elf32_check_seg(const Elf32_Phdr *ph, unsigned int i, size_t len,
			   const struct guest_mem *m,
			   const struct gpa_range *avoid, struct err *e)
{
	uint64_t end = (uint64_t)ph->p_paddr + ph->p_memsz;

	if (ph->p_filesz > ph->p_memsz)
		return err_set(e, ENOEXEC, "ELF segment %u: p_filesz 0x%x > p_memsz 0x%x",
			       i, ph->p_filesz, ph->p_memsz);
	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return err_set(e, ENOEXEC, "ELF segment %u lies beyond the file end", i);
	if (!gmem_contains(m, ph->p_paddr, ph->p_memsz))
		return err_set(e, ERANGE,
			       "ELF segment %u [0x%x, 0x%llx) lies beyond the end of guest RAM (0x%llx): try a larger --mem",
			       i, ph->p_paddr, (unsigned long long)end,
			       (unsigned long long)m->size);
	if (gpa_overlap(ph->p_paddr, end, avoid))
		return err_set(e, ERANGE,
			       "ELF segment %u [0x%x, 0x%llx) overlaps vmrun's boot area [0x%llx, 0x%llx)",
			       i, ph->p_paddr, (unsigned long long)end,
			       (unsigned long long)avoid->start,
			       (unsigned long long)avoid->end);
	return 0;
}

int elf32_load(const uint8_t *img, size_t len, struct guest_mem *m,
	       const struct gpa_range *avoid, struct elf_load *out,
	       struct err *e)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	unsigned int i;
	int ret;

	ret = elf32_header(img, len, &eh, e);
	if (ret)
		return ret;

	memset(out, 0, sizeof(*out));
	out->entry = eh.e_entry;
	out->lo = UINT64_MAX;
	for (i = 0; i < eh.e_phnum; i++) {
		elf32_phdr(img, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		ret = elf32_check_seg(&ph, i, len, m, avoid, e);
		if (ret)
			return ret;
		/* A virtual entry point (higher-half kernels) moves with its segment. */
		if (eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz)
			out->entry = eh.e_entry - ph.p_vaddr + ph.p_paddr;
		if (ph.p_paddr < out->lo)
			out->lo = ph.p_paddr;
		if ((uint64_t)ph.p_paddr + ph.p_memsz > out->hi)
			out->hi = (uint64_t)ph.p_paddr + ph.p_memsz;
		out->nsegs++;
	}
	if (!out->nsegs)
		return err_set(e, ENOEXEC, "ELF file has no loadable segment");
	if (out->entry < out->lo || out->entry >= out->hi)
		return err_set(e, ENOEXEC, "ELF entry point 0x%x is outside the loaded range [0x%llx, 0x%llx)",
			       out->entry, (unsigned long long)out->lo,
			       (unsigned long long)out->hi);

	for (i = 0; i < eh.e_phnum; i++) {
		elf32_phdr(img, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		memcpy(m->host + ph.p_paddr, img + ph.p_offset, ph.p_filesz);
		memset(m->host + ph.p_paddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	return 0;
}
