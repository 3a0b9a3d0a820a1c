// SPDX-License-Identifier: GPL-2.0-only
/* stdin/stdout as the UART's line. */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "term.h"

ssize_t term_read(void *ctx, uint8_t *buf, size_t len)
{
	struct term *t = ctx;
	struct pollfd p = { .fd = t->in_fd, .events = POLLIN };
	ssize_t n;

	if (t->in_fd < 0)
		return -1;
	if (poll(&p, 1, 0) <= 0)
		return 0;
	n = read(t->in_fd, buf, len);
	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

void term_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct term *t = ctx;
	struct pollfd p = { .fd = t->out_fd, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = write(t->out_fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= n;
		} else if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, -1);	/* someone made it non-blocking */
		} else if (!(n < 0 && errno == EINTR)) {
			return;
		}
	}
}
