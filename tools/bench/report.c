// SPDX-License-Identifier: GPL-2.0-only
/*
 * Results: median, min and max of the repetitions, as one text line per
 * benchmark (what the testhost plan parses) or as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmbench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double median, min, max;
};

static struct stats stats(const double *ns, unsigned int reps)
{
	double s[MAX_REPS];
	struct stats st;

	memcpy(s, ns, reps * sizeof(*s));
	qsort(s, reps, sizeof(*s), cmp_double);
	st.min = s[0];
	st.max = s[reps - 1];
	st.median = reps % 2 ? s[reps / 2] : (s[reps / 2 - 1] + s[reps / 2]) / 2;
	return st;
}

void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

void report_text(const struct bench *b, const struct result *r,
		       unsigned int reps)
{
	struct stats st;
	unsigned int i;

	if (!r->ok) {
		printf("bench %s FAIL %s\n", b->name, r->err);
		return;
	}
	st = stats(r->ns, reps);
	printf("bench %-16s %9.0f %9.0f %9.0f %s ops=%u samples=", b->name,
	       st.median, st.min, st.max, b->unit, r->ops);
	for (i = 0; i < reps; i++)
		printf("%s%.0f", i ? "," : "", r->ns[i]);
	printf("\n");
}

void report_json(const struct bench *b, const struct result *r,
		       unsigned int reps, bool first)
{
	struct stats st;
	unsigned int i;

	printf("%s\n    {\"name\": \"%s\", \"unit\": \"%s\", ", first ? "" : ",",
	       b->name, b->unit);
	if (!r->ok) {
		printf("\"error\": ");
		json_string(r->err);
		printf("}");
		return;
	}
	st = stats(r->ns, reps);
	printf("\"ops\": %u, \"median\": %.1f, \"min\": %.1f, \"max\": %.1f, \"samples\": [",
	       r->ops, st.median, st.min, st.max);
	for (i = 0; i < reps; i++)
		printf("%s%.1f", i ? ", " : "", r->ns[i]);
	printf("]}");
}
