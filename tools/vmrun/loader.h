/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest loaders. Each copies an image (already read into host memory) into
 * guest RAM and says how the vCPU must start (struct boot_regs). They never
 * touch KVM, so the unit tests run them on a plain buffer.
 */
#ifndef VMRUN_LOADER_H
#define VMRUN_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "boot.h"
#include "err.h"
#include "mem.h"

struct image {
	uint8_t *data;
	size_t size;
};

/* Reads path whole; refuses files larger than max bytes. */
int image_read(struct image *img, const char *path, size_t max, struct err *e);
void image_free(struct image *img);

/*
 * Flat binary, as kvmtool defines it: loaded at 0x1000:0000 (GPA 0x10000) and
 * entered in real mode with CS=DS=ES=FS=GS=SS=0x1000, IP=0, SP=0x8000.
 */
#define FLAT_SEG		0x1000u
#define FLAT_LOAD_GPA		((uint32_t)FLAT_SEG << 4)
#define FLAT_IP			0x0000u
#define FLAT_SP			0x8000u

int load_flat(const struct image *img, struct guest_mem *m,
	      struct boot_regs *b, struct err *e);

/* Multiboot v1 (loader_multiboot.c); details in multiboot.h. */
#define VMRUN_LOADER_NAME	"vmrun"

int load_multiboot(const struct image *img, struct guest_mem *m,
		   const char *cmdline, struct boot_regs *b, struct err *e);

#endif /* VMRUN_LOADER_H */
