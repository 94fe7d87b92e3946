/* SPDX-License-Identifier: MIT */
#include "senders.h"

#include "hash.h"

#include <stdlib.h>
#include <string.h>

int senders_init(senders *s)
{
    memset(s, 0, sizeof *s);
    s->nbuckets = 64;
    s->buckets = calloc(s->nbuckets, sizeof *s->buckets);
    s->seed = (uint64_t)(uintptr_t)s;
    return s->buckets ? 0 : -1;
}

void senders_free(senders *s)
{
    for (size_t i = 0; i < s->nbuckets; i++) {
        sender *x = s->buckets[i];
        while (x) {
            sender *next = x->hnext;
            free(x);
            x = next;
        }
    }
    free(s->buckets);
    memset(s, 0, sizeof *s);
}

static uint32_t sender_hash(const senders *s, const char *id, size_t len, uint64_t session)
{
    return hash_bytes(id, len, s->seed ^ session * 0x9e3779b97f4a7c15ull);
}

static void grow(senders *s)
{
    size_t n = s->nbuckets * 2;
    sender **b = calloc(n, sizeof *b);
    if (!b)
        return; /* keep the longer chains */
    for (size_t i = 0; i < s->nbuckets; i++) {
        sender *x = s->buckets[i];
        while (x) {
            sender *next = x->hnext;
            x->hnext = b[x->hash & (n - 1)];
            b[x->hash & (n - 1)] = x;
            x = next;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
}

sender *senders_get(senders *s, const char *identity, size_t len, uint64_t session)
{
    uint32_t h = sender_hash(s, identity, len, session);
    for (sender *x = s->buckets[h & (s->nbuckets - 1)]; x; x = x->hnext)
        if (x->hash == h && x->session == session && x->identity_len == len &&
            memcmp(x->identity, identity, len) == 0)
            return x;
    sender *x = calloc(1, sizeof *x + len + 1);
    if (!x)
        return NULL;
    memcpy(x->identity, identity, len);
    x->identity_len = (uint32_t)len;
    x->session = session;
    x->hash = h;
    if (s->count >= s->nbuckets)
        grow(s);
    x->hnext = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = x;
    s->count++;
    return x;
}

sender *senders_find_session(const senders *s, uint64_t session)
{
    /* Sessions are few (one per App), and this runs once per SYNC/PING. */
    for (size_t i = 0; i < s->nbuckets; i++)
        for (sender *x = s->buckets[i]; x; x = x->hnext)
            if (x->session == session)
                return x;
    return NULL;
}

static void unlink_free(senders *s, sender *x)
{
    sender **pp = &s->buckets[x->hash & (s->nbuckets - 1)];
    while (*pp != x)
        pp = &(*pp)->hnext;
    *pp = x->hnext;
    s->count--;
    free(x);
}

void senders_unref(senders *s, sender *x)
{
    if (x->refs > 0)
        x->refs--;
    if (x->refs == 0 && x->session == 0)
        unlink_free(s, x);
}

void senders_expire(senders *s, int64_t now_ms, int64_t idle_ms)
{
    for (size_t i = 0; i < s->nbuckets; i++) {
        sender *x = s->buckets[i];
        while (x) {
            sender *next = x->hnext;
            if (x->refs == 0 && now_ms - x->last_seen_ms > idle_ms)
                unlink_free(s, x);
            x = next;
        }
    }
}
