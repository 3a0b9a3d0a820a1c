// SPDX-License-Identifier: GPL-2.0-only
/* The port dispatch table: a short sorted array, binary-searched. */
#include <errno.h>
#include <string.h>

#include "ioport.h"

void ioport_init(struct ioport_table *t)
{
	memset(t, 0, sizeof(*t));
}

static uint32_t dev_end(const struct ioport_dev *d)
{
	return (uint32_t)d->base + d->len;
}

int ioport_register(struct ioport_table *t, const struct ioport_dev *d,
		    struct err *e)
{
	unsigned int i;

	if (d->len == 0 || dev_end(d) > IOPORT_SPACE)
		return err_set(e, EINVAL, "%s: bad port range 0x%x+%u", d->name,
			       d->base, d->len);
	if (!(d->widths & IO_WIDTH(1)))
		return err_set(e, EINVAL, "%s: byte accesses must be handled", d->name);
	if (t->ndevs == IOPORT_MAX_DEVS)
		return err_set(e, ENOSPC, "%s: the port table is full", d->name);
	for (i = 0; i < t->ndevs; i++) {
		if (d->base < dev_end(&t->devs[i]) && t->devs[i].base < dev_end(d))
			return err_set(e, EEXIST,
				       "%s: ports 0x%x-0x%x overlap %s at 0x%x-0x%x",
				       d->name, d->base, dev_end(d) - 1,
				       t->devs[i].name, t->devs[i].base,
				       dev_end(&t->devs[i]) - 1);
		if (d->base < t->devs[i].base)
			break;
	}
	memmove(&t->devs[i + 1], &t->devs[i], (t->ndevs - i) * sizeof(*d));
	t->devs[i] = *d;
	t->ndevs++;
	return 0;
}

const struct ioport_dev *ioport_find(const struct ioport_table *t, uint16_t port)
{
	unsigned int lo = 0, hi = t->ndevs, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (port < t->devs[mid].base)
			hi = mid;
		else if (port >= dev_end(&t->devs[mid]))
			lo = mid + 1;
		else
			return &t->devs[mid];
	}
	return NULL;
}

static void count_unclaimed(struct ioport_table *t, uint16_t port, bool write)
{
	struct ioport_unclaimed *u;
	unsigned int i;

	for (i = 0; i < t->nunclaimed; i++)
		if (t->unclaimed[i].port == port)
			break;
	if (i == t->nunclaimed) {
		if (i == IOPORT_MAX_UNCLAIMED) {
			t->unclaimed_other++;
			return;
		}
		t->unclaimed[i].port = port;
		t->nunclaimed++;
	}
	u = &t->unclaimed[i];
	if (write)
		u->writes++;
	else
		u->reads++;
}

static const struct ioport_dev *whole(const struct ioport_table *t,
				      uint16_t port, unsigned int size)
{
	const struct ioport_dev *d = ioport_find(t, port);

	return d && (d->widths & IO_WIDTH(size)) ? d : NULL;
}

enum io_action ioport_in(struct ioport_table *t, uint16_t port,
			 unsigned int size, uint32_t *val)
{
	const struct ioport_dev *d = whole(t, port, size);
	enum io_action act = IO_CONTINUE;
	uint32_t byte;
	unsigned int i;

	if (d) {
		*val = 0;
		if (!d->in) {
			*val = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
			return IO_CONTINUE;
		}
		return d->in(d->opaque, port - d->base, size, val);
	}
	if (size == 1) {
		d = ioport_find(t, port);
		byte = 0xff;
		if (!d)
			count_unclaimed(t, port, false);
		else if (d->in)
			act = d->in(d->opaque, port - d->base, 1, &byte);
		*val = byte & 0xff;
		return act;
	}
	/* Split: byte i comes from port + i (16-bit port numbers wrap). */
	*val = 0;
	for (i = 0; i < size; i++) {
		if (ioport_in(t, (uint16_t)(port + i), 1, &byte) == IO_STOP)
			act = IO_STOP;
		*val |= byte << (8 * i);
	}
	return act;
}

enum io_action ioport_out(struct ioport_table *t, uint16_t port,
			  unsigned int size, uint32_t val)
{
	const struct ioport_dev *d = whole(t, port, size);
	enum io_action act = IO_CONTINUE;
	unsigned int i;

	if (size < 4)
		val &= (1u << (8 * size)) - 1;
	if (d)
		return d->out ? d->out(d->opaque, port - d->base, size, val) : IO_CONTINUE;
	if (size == 1) {
		d = ioport_find(t, port);
		if (!d)
			count_unclaimed(t, port, true);
		else if (d->out)
			act = d->out(d->opaque, port - d->base, 1, val & 0xff);
		return act;
	}
	for (i = 0; i < size; i++)
		if (ioport_out(t, (uint16_t)(port + i), 1, (val >> (8 * i)) & 0xff) == IO_STOP)
			act = IO_STOP;
	return act;
}

void ioport_print_unclaimed(const struct ioport_table *t, FILE *out)
{
	unsigned int i;

	if (!t->nunclaimed)
		return;
	fprintf(out, "vmrun: unclaimed I/O ports (reads as all ones, writes ignored):\n");
	for (i = 0; i < t->nunclaimed; i++)
		fprintf(out, "  port 0x%04x: %lu reads, %lu writes\n",
			t->unclaimed[i].port, t->unclaimed[i].reads,
			t->unclaimed[i].writes);
	if (t->unclaimed_other)
		fprintf(out, "  other ports: %lu accesses\n", t->unclaimed_other);
}
