/* SPDX-License-Identifier: MIT */
#include "table.h"

#include "hash.h"

#include <stdlib.h>
#include <string.h>

/* The index grows when it would be fuller than 4/5: linear probing stays a
 * few slots long while the index costs 8 B / (0.4..0.8) = 10..20 B per entry
 * (a chained hash map costs 16..24). */
#define MIN_SLOTS 64

int table_init(table *t)
{
    memset(t, 0, sizeof *t);
    t->nslots = MIN_SLOTS;
    t->slots = calloc(t->nslots, sizeof *t->slots);
    t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
    return t->slots ? 0 : -1;
}

static heap_value heap_of(const entry *e)
{
    heap_value hv;
    memcpy(&hv, entry_inline(e), sizeof hv);
    return hv;
}

static void free_entry(entry *e)
{
    if (e->value_on_heap)
        free(heap_of(e).data);
    free(e);
}

void table_free(table *t, senders *s)
{
    entry *e = t->head;
    while (e) {
        entry *next = e->next;
        if (s && e->sender)
            senders_unref(s, e->sender);
        free_entry(e);
        e = next;
    }
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* The slot holding that entry, or the free slot where it would go. */
static size_t probe(const table *t, const char *name, size_t len, uint32_t h)
{
    size_t mask = t->nslots - 1;
    size_t i = h & mask;
    for (entry *e; (e = t->slots[i]) != NULL; i = (i + 1) & mask)
        if (e->hash == h && e->name_len == len && memcmp(e->data, name, len) == 0)
            break;
    return i;
}

entry *table_find(const table *t, const char *name, size_t len)
{
    return t->slots[probe(t, name, len, hash_bytes(name, len, t->seed))];
}

static void place(entry **slots, size_t nslots, entry *e)
{
    size_t i = e->hash & (nslots - 1);
    while (slots[i])
        i = (i + 1) & (nslots - 1);
    slots[i] = e;
}

static void grow(table *t)
{
    size_t n = t->nslots * 2;
    entry **s = calloc(n, sizeof *s);
    if (!s)
        return; /* fuller, slower, still correct until truly full */
    for (entry *e = t->head; e; e = e->next)
        place(s, n, e);
    free(t->slots);
    t->slots = s;
    t->nslots = n;
}

static void link_tail(table *t, entry *e)
{
    e->next = NULL;
    e->prev = t->tail;
    if (t->tail)
        t->tail->next = e;
    else
        t->head = e;
    t->tail = e;
}

static void unlink_order(table *t, entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        t->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        t->tail = e->prev;
}

entry *table_upsert(table *t, const char *name, size_t len, int *created)
{
    uint32_t h = hash_bytes(name, len, t->seed);
    size_t i = probe(t, name, len, h);
    if (t->slots[i]) {
        *created = 0;
        return t->slots[i];
    }
    if ((t->count + 1) * 5 > t->nslots * 4) {
        grow(t);
        if (t->count + 1 >= t->nslots)
            return NULL; /* could not grow and one free slot must remain */
        i = probe(t, name, len, h);
    }
    entry *e = calloc(1, sizeof *e + len + 1 + ENTRY_INLINE_VALUE);
    if (!e)
        return NULL;
    memcpy(e->data, name, len);
    e->name_len = (uint16_t)len;
    e->hash = h;
    t->slots[i] = e;
    link_tail(t, e);
    t->count++;
    *created = 1;
    return e;
}

void table_touch(table *t, entry *e)
{
    if (t->tail == e)
        return;
    unlink_order(t, e);
    link_tail(t, e);
}

/* Empties slot i, moving later entries of the probe run back so that no
 * lookup stops early (backward-shift deletion: no tombstones to clean). */
static void vacate(table *t, size_t i)
{
    size_t mask = t->nslots - 1;
    for (size_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
        size_t home = t->slots[j]->hash & mask;
        /* The entry at j may move to i when its home is not in (i, j]. */
        int movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i] = NULL;
}

void table_remove(table *t, entry *e, senders *s)
{
    vacate(t, probe(t, e->data, e->name_len, e->hash));
    unlink_order(t, e);
    t->count--;
    if (s && e->sender)
        senders_unref(s, e->sender);
    free_entry(e);
}

int entry_set_value(entry *e, const void *packed, size_t len)
{
    return entry_set_value_parts(e, packed, len, NULL, 0);
}

int entry_set_value_parts(entry *e, const void *head, size_t head_len, const void *body,
                          size_t body_len)
{
    size_t len = head_len + body_len;
    uint8_t *inline_space = entry_inline(e);
    if (len <= ENTRY_INLINE_VALUE) {
        /* A value that shrank gives back its heap block. */
        if (e->value_on_heap) {
            free(heap_of(e).data);
            e->value_on_heap = 0;
        }
        if (head_len)
            memcpy(inline_space, head, head_len);
        if (body_len)
            memcpy(inline_space + head_len, body, body_len);
        e->value_len = (uint32_t)len;
        return 0;
    }
    heap_value hv = {NULL, 0};
    if (e->value_on_heap)
        hv = heap_of(e);
    if (len > hv.cap || len < hv.cap / 4) {
        uint8_t *v = realloc(hv.data, len);
        if (v) {
            hv.data = v;
            hv.cap = (uint32_t)len;
        } else if (len > hv.cap) {
            return -1; /* the old value is kept */
        }
    }
    if (head_len)
        memcpy(hv.data, head, head_len);
    if (body_len)
        memcpy(hv.data + head_len, body, body_len);
    memcpy(inline_space, &hv, sizeof hv);
    e->value_on_heap = 1;
    e->value_len = (uint32_t)len;
    return 0;
}

void entry_set_sender(entry *e, sender *x, senders *s)
{
    if (e->sender == x)
        return;
    if (x)
        sender_ref(x);
    if (e->sender)
        senders_unref(s, e->sender);
    e->sender = x;
}
