// SPDX-License-Identifier: GPL-2.0-only
/* The fuzzer's PRNG and the values and pointers it draws. See fuzz.h. */
#include <string.h>

#include "fuzz.h"

void fz_seed(uint64_t *s, uint64_t seed)
{
	/* splitmix64: neighbouring seeds give unrelated streams. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	*s = z ? z : 1;	/* xorshift's state must not be 0 */
}

uint64_t fz_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint64_t fz_below(struct fz *f, uint64_t n)
{
	return n ? fz_next(&f->rng) % n : 0;
}

bool fz_chance(struct fz *f, unsigned int percent)
{
	return fz_below(f, 100) < percent;
}

void fz_bytes(struct fz *f, void *p, size_t n)
{
	uint8_t *b = p;
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			r = fz_next(&f->rng);
		b[i] = r;
		r >>= 8;
	}
}

uint64_t fz_hostile_u64(struct fz *f)
{
	static const uint64_t v[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffULL, 0x800000000000ULL, 0xffff800000000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~0ULL - 1,
		0xfffffffffffff000ULL, 0xfee00000, 0xfec00000, 0xc0000000,
	};

	return v[fz_below(f, sizeof(v) / sizeof(v[0]))];
}

uint64_t fz_value(struct fz *f)
{
	switch (fz_below(f, 4)) {
	case 0: return fz_below(f, 16);
	case 1: return fz_hostile_u64(f);
	case 2: return fz_next(&f->rng) >> fz_below(f, 64);
	default: return fz_next(&f->rng);
	}
}

/*
 * Hostile pointers: NULL and near it, the kernel's direct map and text, a
 * non-canonical address, a PROT_NONE page, a read-only page (for what the
 * kernel writes back), an argument whose tail runs into the guard page
 * after the scratch area, and a misaligned one.
 */
void *fz_ptr(struct fz *f, size_t size)
{
	if (size > FZ_SCRATCH)
		size = FZ_SCRATCH;
	if (fz_chance(f, 92))
		return f->scratch;
	switch (fz_below(f, 8)) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)(1 + fz_below(f, 4096));
	case 2: return (void *)0xffff888000000000ULL;
	case 3: return (void *)0xffffffff81000000ULL;
	case 4: return (void *)0x8000000000000000ULL;
	case 5: return f->scratch + FZ_SCRATCH;	/* the guard page */
	case 6: return f->ro_page;
	default:
		if (fz_chance(f, 50))
			return f->scratch + 1 + fz_below(f, 7);
		return f->scratch + FZ_SCRATCH - size + 1 + fz_below(f, size ? size : 1);
	}
}

void *fz_ptr_exact(struct fz *f, size_t size)
{
	uint8_t *p = fz_ptr(f, size);

	if (p > f->scratch && p <= f->scratch + FZ_SCRATCH)
		return f->scratch + FZ_SCRATCH;	/* the guard page */
	return p;
}

void fz_mutate(struct fz *f, void *p, size_t size)
{
	uint8_t *b = p;
	unsigned int i, n = 1 + fz_below(f, 4);

	if (!size)
		return;
	for (i = 0; i < n; i++) {
		size_t at = fz_below(f, size);

		switch (fz_below(f, 4)) {
		case 0:
			b[at] ^= 1 << fz_below(f, 8);
			break;
		case 1:
			b[at] = fz_chance(f, 50) ? 0xff : 0;
			break;
		case 2:
			if (size >= 8) {
				uint64_t v = fz_hostile_u64(f);

				at = fz_below(f, size / 8) * 8;
				memcpy(b + at, &v, 8);
			}
			break;
		default:
			b[at] = fz_next(&f->rng);
		}
	}
}
