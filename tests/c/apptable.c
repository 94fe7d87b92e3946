/* SPDX-License-Identifier: MIT */
#include "apptable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_row(void *user, const nanostate_update *u)
{
    apptable *t = user;
    apptable_row *rows = realloc(t->rows, (t->count + 1) * sizeof *rows);
    if (!rows)
        abort();
    t->rows = rows;
    apptable_row *r = &t->rows[t->count++];
    r->name = strndup(u->name, u->name_len);
    r->size = u->value.size;
    r->value = malloc(r->size ? r->size : 1);
    if (!r->name || !r->value)
        abort();
    memcpy(r->value, u->value.packed, r->size);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const apptable_row *)a)->name, ((const apptable_row *)b)->name);
}

apptable apptable_collect(nanostate_app *app)
{
    apptable t = {NULL, 0};
    nanostate_app_foreach(app, add_row, &t);
    if (t.count)
        qsort(t.rows, t.count, sizeof *t.rows, by_name);
    return t;
}

void apptable_free(apptable *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->rows[i].name);
        free(t->rows[i].value);
    }
    free(t->rows);
    t->rows = NULL;
    t->count = 0;
}

int apptable_equal(const apptable *a, const apptable *b, char *why, size_t why_len)
{
    size_t i = 0, j = 0;
    while (i < a->count || j < b->count) {
        int c = i == a->count ? 1 : j == b->count ? -1 : strcmp(a->rows[i].name, b->rows[j].name);
        if (c != 0) {
            if (why)
                snprintf(why, why_len, "'%s' only on the %s side (%zu vs %zu states)",
                         c < 0 ? a->rows[i].name : b->rows[j].name, c < 0 ? "first" : "second",
                         a->count, b->count);
            return 0;
        }
        if (a->rows[i].size != b->rows[j].size ||
            memcmp(a->rows[i].value, b->rows[j].value, a->rows[i].size) != 0) {
            if (why)
                snprintf(why, why_len, "'%s' has different values", a->rows[i].name);
            return 0;
        }
        i++;
        j++;
    }
    return 1;
}

const apptable_row *apptable_find(const apptable *t, const char *name)
{
    apptable_row key = {(char *)name, NULL, 0};
    return t->count ? bsearch(&key, t->rows, t->count, sizeof *t->rows, by_name) : NULL;
}
