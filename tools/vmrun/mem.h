/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM as vmrun sees it: one host buffer backing guest-physical
 * addresses [0, size). Every access from a loader goes through gmem_ptr(),
 * which refuses ranges outside RAM (with overflow-safe arithmetic).
 */
#ifndef VMRUN_MEM_H
#define VMRUN_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *host;
	uint64_t size;
};

/* A half-open guest-physical range [start, end). */
struct gpa_range {
	uint64_t start, end;
};

static inline bool gmem_contains(const struct guest_mem *m, uint64_t gpa,
				 uint64_t len)
{
	return gpa <= m->size && len <= m->size - gpa;
}

/* The host address of [gpa, gpa + len), or NULL if it is not all RAM. */
static inline void *gmem_ptr(const struct guest_mem *m, uint64_t gpa,
			     uint64_t len)
{
	return gmem_contains(m, gpa, len) ? m->host + gpa : NULL;
}

static inline bool gpa_overlap(uint64_t start, uint64_t end,
			       const struct gpa_range *r)
{
	return r && start < r->end && r->start < end;
}

#endif /* VMRUN_MEM_H */
