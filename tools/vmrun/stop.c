// SPDX-License-Identifier: GPL-2.0-only
/* struct vm_stop: the first reason to stop wins. */
#include <stdarg.h>
#include <stdio.h>

#include "stop.h"

void vm_stop_set(struct vm_stop *s, int status, const char *fmt, ...)
{
	va_list ap;

	if (s->stopped)
		return;
	s->stopped = true;
	s->status = status;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}
