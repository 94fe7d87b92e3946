/* SPDX-License-Identifier: MIT */
/*
 * garbage.h - an endless supply of frames that a hub must reject
 * (docs/PROTOCOL.md, section 5), made fast enough to send tens of thousands
 * a second: random bytes, arrays whose sender is not a str, SET frames cut
 * short, fields of the wrong type, and lengths far beyond the frame. Each
 * frame is invalid by construction, so the hub's rejected-frame counter must
 * grow by exactly the number that reached it.
 */
#ifndef NANOSTATE_TST_FAULTS_GARBAGE_H
#define NANOSTATE_TST_FAULTS_GARBAGE_H

#include <stddef.h>
#include <stdint.h>

#define GARBAGE_MAX 256 /* no frame is longer */

enum garbage_kind {
    GARBAGE_RANDOM,    /* random bytes that do not start an array */
    GARBAGE_SENDER,    /* an array whose first element is not a str, random after */
    GARBAGE_TRUNCATED, /* a valid SET frame cut short */
    GARBAGE_TYPES,     /* well-formed msgpack with a field of the wrong type */
    GARBAGE_LENGTHS,   /* a length far beyond the end of the frame */
    GARBAGE_KINDS
};

typedef struct garbage {
    uint32_t seed;
    uint64_t made[GARBAGE_KINDS];
} garbage;

/* Starts a sequence; the same seed gives the same frames. */
void garbage_init(garbage *g, uint32_t seed);
/* Writes the next frame (kinds in turn) into buf, which holds GARBAGE_MAX
 * bytes, and returns its size (0 is a valid answer: the empty frame). */
size_t garbage_next(garbage *g, unsigned char *buf);
/* "random bytes", ... for a report. */
const char *garbage_kind_name(int kind);

#endif
