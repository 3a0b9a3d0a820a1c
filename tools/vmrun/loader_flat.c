// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flat binary loader: the whole file at 0x1000:0000 (GPA 0x10000),
 * entered in 16-bit real mode at 0x1000:0000 with every segment register
 * 0x1000 and SP 0x8000 (SS:SP = linear 0x18000), as kvmtool does. An image
 * larger than 32 KiB reaches the initial stack and must set up its own.
 */
#include <errno.h>
#include <string.h>

#include "loader.h"

int load_flat(const struct image *img, struct guest_mem *m,
	      struct boot_regs *b, struct err *e)
{
	void *dst = gmem_ptr(m, FLAT_LOAD_GPA, img->size);

	if (img->size == 0)
		return err_set(e, EINVAL, "flat image is empty");
	if (!dst)
		return err_set(e, ERANGE,
			       "flat image of %zu bytes at 0x%x does not fit in %llu MiB of guest RAM",
			       img->size, FLAT_LOAD_GPA,
			       (unsigned long long)(m->size >> 20));
	memcpy(dst, img->data, img->size);

	memset(b, 0, sizeof(*b));
	b->mode = BOOT_REAL16;
	b->seg = FLAT_SEG;
	b->ip = FLAT_IP;
	b->sp = FLAT_SP;
	return 0;
}
