/* SPDX-License-Identifier: MIT */
/*
 * senders.h - who wrote what: interned (identity, session) records.
 *
 * Every table entry points at the record of its last writer, so an identity
 * is stored once however many states it owns. On the hub a record is also
 * where the in-order check of that App's frames lives (`expected`).
 */
#ifndef NANOSTATE_SENDERS_H
#define NANOSTATE_SENDERS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sender {
    struct sender *hnext;
    uint64_t session;      /* 0 for original Apps and the hub itself */
    uint64_t expected;     /* hub: next aseq accepted in order; 0: any */
    int64_t last_seen_ms;  /* hub: monotonic time of its last frame */
    uint32_t refs;         /* table entries written by it */
    uint32_t hash;
    uint32_t identity_len;
    uint8_t nacked;        /* hub: an ACK for the current loss was sent */
    char identity[];       /* NUL-terminated */
} sender;

typedef struct senders {
    sender **buckets;
    size_t nbuckets;
    size_t count;
    uint64_t seed;
} senders;

int senders_init(senders *s);
void senders_free(senders *s);
/* Finds or creates the record; NULL when out of memory. */
sender *senders_get(senders *s, const char *identity, size_t len, uint64_t session);
/* Finds the record of a session (any identity), or NULL. */
sender *senders_find_session(const senders *s, uint64_t session);
static inline void sender_ref(sender *x) { x->refs++; }
/* Drops a reference; records of original Apps (session 0) go with the last. */
void senders_unref(senders *s, sender *x);
/* Frees session records that own nothing and were idle for idle_ms. */
void senders_expire(senders *s, int64_t now_ms, int64_t idle_ms);

#endif
