/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UART's other end: stdin and stdout, without changing their file
 * status flags (stdin is polled, never set O_NONBLOCK, so the shell that
 * started vmrun finds its terminal as it left it). No raw mode in v0: a
 * terminal delivers whole lines.
 */
#ifndef VMRUN_TERM_H
#define VMRUN_TERM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct term {
	int in_fd, out_fd;
};

/* Bytes ready on in_fd now (0: none), or -1 at end of input or on error. */
ssize_t term_read(void *ctx, uint8_t *buf, size_t len);
/* All of buf to out_fd; output nobody reads any more (EPIPE) is dropped. */
void term_write(void *ctx, const uint8_t *buf, size_t len);

#endif /* VMRUN_TERM_H */
