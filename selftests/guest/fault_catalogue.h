/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Addresses and counts shared by fault_catalogue.c and its guests
 * (guest/fault_catalogue.S). Plain constants: included by C and assembly.
 */
#ifndef MINIVIRT_GUEST_FAULT_CATALOGUE_H
#define MINIVIRT_GUEST_FAULT_CATALOGUE_H

#include "layout.h"

/* Page-table rewriting: a 4 KiB window remapped over four data pages. */
#define FC_WINDOW	0x1f000
#define FC_PAGES	GUEST_DATA_GPA
#define FC_ROUNDS	1000

/* A 2 MiB region whose page table the host puts where no memslot is. */
#define FC_WALK_GVA	0x200000
#define FC_POISON	0x5a5a5a5a

/* The NMI storm: the host's stop flag, the handler's count. */
#define FC_STOP		(GUEST_REPORT_GPA + 8)
#define FC_NMIS		(GUEST_REPORT_GPA + 16)

#endif /* MINIVIRT_GUEST_FAULT_CATALOGUE_H */
