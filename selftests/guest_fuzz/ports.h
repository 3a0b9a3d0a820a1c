/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest fuzzer's fixed ports and layout (selftests/guest_fuzz.c), shared
 * by its stubs (guest/guest_fuzz.S) and its generator: plain constants.
 * The random instructions lie in GF_SLOT-byte slots from GUEST_CODE_GPA; an
 * exception resumes at the next slot. The random OUT/IN ports avoid
 * GF_PORT_END..GF_PORT_EXC + 255.
 */
#ifndef MINIVIRT_GUEST_FUZZ_PORTS_H
#define MINIVIRT_GUEST_FUZZ_PORTS_H

#define GF_SLOT		32
#define GF_PORT_END	0x6ff	/* the sequence's final OUT */
#define GF_PORT_ABORT	0x6fe	/* #DF or #MC: the sequence ends */
#define GF_PORT_EXC	0x700	/* + vector: an exception or interrupt, EAX its error code */

#endif /* MINIVIRT_GUEST_FUZZ_PORTS_H */
