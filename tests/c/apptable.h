/* SPDX-License-Identifier: MIT */
/* apptable.h - an App's whole table as a sorted list, to compare tables. */
#ifndef NANOSTATE_APPTABLE_H
#define NANOSTATE_APPTABLE_H

#include <nanostate/nanostate.h>

#include <stddef.h>

typedef struct apptable_row {
    char *name;
    unsigned char *value;
    size_t size;
} apptable_row;

typedef struct apptable {
    apptable_row *rows;
    size_t count;
} apptable;

/* Copies the app's current table, sorted by name. */
apptable apptable_collect(nanostate_app *app);
void apptable_free(apptable *t);
/* 1 if both hold the same names with the same values. When they differ and
 * why is not NULL, a short explanation is written there. */
int apptable_equal(const apptable *a, const apptable *b, char *why, size_t why_len);
/* The row of that name, or NULL. */
const apptable_row *apptable_find(const apptable *t, const char *name);

#endif
