// SPDX-License-Identifier: GPL-2.0-only
/* struct err: the reason a setup step failed. */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int err_set(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}
