/* SPDX-License-Identifier: MIT */
#include "table.h"

#include "hash.h"

#include <stdlib.h>
#include <string.h>

/* Values up to this size live in the entry's own allocation. */
#define INLINE_VALUE 24

int table_init(table *t)
{
    memset(t, 0, sizeof *t);
    t->nbuckets = 64;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
    return t->buckets ? 0 : -1;
}

static void free_entry(entry *e)
{
    if (e->value_on_heap)
        free(e->value);
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
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

entry *table_find(const table *t, const char *name, size_t len)
{
    uint32_t h = hash_bytes(name, len, t->seed);
    for (entry *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->name_len == len && memcmp(e->data, name, len) == 0)
            return e;
    return NULL;
}

static void grow(table *t)
{
    size_t n = t->nbuckets * 2;
    entry **b = calloc(n, sizeof *b);
    if (!b)
        return; /* longer chains, still correct */
    for (entry *e = t->head; e; e = e->next) {
        e->hnext = b[e->hash & (n - 1)];
        b[e->hash & (n - 1)] = e;
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
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
    entry *e = table_find(t, name, len);
    if (e) {
        *created = 0;
        return e;
    }
    e = calloc(1, sizeof *e + len + 1 + INLINE_VALUE);
    if (!e)
        return NULL;
    memcpy(e->data, name, len);
    e->name_len = (uint16_t)len;
    e->hash = hash_bytes(name, len, t->seed);
    e->value = (uint8_t *)e->data + len + 1;
    e->value_cap = INLINE_VALUE;
    if (t->count >= t->nbuckets)
        grow(t);
    e->hnext = t->buckets[e->hash & (t->nbuckets - 1)];
    t->buckets[e->hash & (t->nbuckets - 1)] = e;
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

void table_remove(table *t, entry *e, senders *s)
{
    entry **pp = &t->buckets[e->hash & (t->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    unlink_order(t, e);
    t->count--;
    if (s && e->sender)
        senders_unref(s, e->sender);
    free_entry(e);
}

int entry_set_value(entry *e, const void *packed, size_t len)
{
    /* A value that shrank gives back what it no longer needs. */
    if (e->value_on_heap && len <= INLINE_VALUE) {
        free(e->value);
        e->value = (uint8_t *)e->data + e->name_len + 1;
        e->value_cap = INLINE_VALUE;
        e->value_on_heap = 0;
    } else if (e->value_on_heap && len < e->value_cap / 4) {
        uint8_t *v = realloc(e->value, len);
        if (v) {
            e->value = v;
            e->value_cap = (uint32_t)len;
        }
    }
    if (len > e->value_cap) {
        uint8_t *v = e->value_on_heap ? realloc(e->value, len) : malloc(len);
        if (!v)
            return -1;
        e->value = v;
        e->value_cap = (uint32_t)len;
        e->value_on_heap = 1;
    }
    if (len)
        memcpy(e->value, packed, len);
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
