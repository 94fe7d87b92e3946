/* SPDX-License-Identifier: MIT */
/*
 * table.h - states by name, in the order of their last change.
 *
 * One implementation serves the hub's table, an App's replica and an App's
 * outbox: an open-addressing hash index for lookups plus an intrusive list
 * ordered by `seq` (each change moves an entry to the tail), so "everything
 * changed since sequence N" is a walk from the tail.
 *
 * Memory matters (a hub may hold millions of states): an entry is one
 * allocation holding its name and, up to ENTRY_INLINE_VALUE bytes, its value;
 * a larger value lives on the heap and the inline space holds its address and
 * capacity instead.
 */
#ifndef NANOSTATE_TABLE_H
#define NANOSTATE_TABLE_H

#include "senders.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Values up to this size live in the entry's own allocation. */
#define ENTRY_INLINE_VALUE 24

typedef struct entry {
    struct entry *prev, *next; /* order of last change */
    uint64_t seq;              /* hub: sequence of the last change; outbox: aseq */
    sender *sender;            /* last writer, or NULL */
    int64_t changed_ms;        /* wall clock of the last change */
    uint32_t updates;          /* how many times it changed */
    uint32_t hash;
    uint32_t value_len;        /* packed msgpack */
    uint16_t name_len;
    uint8_t value_on_heap;
    uint8_t flags;             /* free for the table's owner */
    char data[];               /* name, NUL, inline value or heap_value */
} entry;

/* What the inline space holds while the value is on the heap. */
typedef struct heap_value {
    uint8_t *data;
    uint32_t cap;
} heap_value;

static inline const char *entry_name(const entry *e) { return e->data; }

static inline uint8_t *entry_inline(const entry *e)
{
    return (uint8_t *)(uintptr_t)(e->data + e->name_len + 1);
}

/* The packed value, e->value_len bytes. */
static inline const uint8_t *entry_value(const entry *e)
{
    if (!e->value_on_heap)
        return entry_inline(e);
    heap_value hv;
    memcpy(&hv, entry_inline(e), sizeof hv); /* the inline space is unaligned */
    return hv.data;
}

typedef struct table {
    entry **slots;             /* open addressing, linear probing; NULL = free */
    size_t nslots;             /* a power of two */
    size_t count;
    entry *head, *tail;
    uint64_t seed;
} table;

int table_init(table *t);
/* Frees every entry, dropping sender references from `s` when given. */
void table_free(table *t, senders *s);
entry *table_find(const table *t, const char *name, size_t len);
/* The entry of that name, created empty (at the tail) when missing; NULL when
 * out of memory. *created tells which. */
entry *table_upsert(table *t, const char *name, size_t len, int *created);
/* Moves the entry to the tail of the change order. */
void table_touch(table *t, entry *e);
/* Unlinks and frees the entry (sender reference dropped when s is given). */
void table_remove(table *t, entry *e, senders *s);
/* Replaces the value; -1 when out of memory (the old value is kept). */
int entry_set_value(entry *e, const void *packed, size_t len);
/* The same for a value given in two parts (a msgpack head and its body),
 * copied once. */
int entry_set_value_parts(entry *e, const void *head, size_t head_len, const void *body,
                          size_t body_len);
/* Points the entry at a new last writer, moving the reference. */
void entry_set_sender(entry *e, sender *x, senders *s);

#endif
