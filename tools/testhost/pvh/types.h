/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-width types for the freestanding stub (no libc headers). */
#ifndef PVH_TYPES_H
#define PVH_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c)	_Static_assert(!(c), #c)
#define NULL		((void *)0)

#endif /* PVH_TYPES_H */
