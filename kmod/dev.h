/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_DEV_H
#define MINIVIRT_DEV_H

/* /dev/minivirt, the system fd. */
int mv_dev_register(void);
void mv_dev_unregister(void);

#endif /* MINIVIRT_DEV_H */
