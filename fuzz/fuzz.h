/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the fuzz targets share: a failed check, and a cursor that
 * splits the fuzz input into numbers and length-prefixed records.
 *
 * Every target is one file defining LLVMFuzzerTestOneInput(); libFuzzer
 * drives it (fuzz/run), fuzz/replay_main.c replays saved inputs through it
 * (tests/fuzz/test_fuzz_regressions.sh). A broken check prints what broke
 * and aborts, which both report as a crash.
 */
#ifndef NANOSTATE_FUZZ_H
#define NANOSTATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A bug that fuzzing found, that is reported but not fixed yet, can be
 * tolerated where its check is, in a KNOWN_BUG(...) condition built with
 * -DFUZZ_STRICT=0, so that fuzzing goes on past it while its input waits in
 * fuzz/regressions/<target>/todo-*. Every bug found so far is fixed, so the
 * default is strict: each KNOWN_BUG below marks a check that once failed. */
#ifndef FUZZ_STRICT
#define FUZZ_STRICT 1
#endif
#define KNOWN_BUG(cond) (!FUZZ_STRICT && (cond))

/* 1 if [p, p + len) lies inside [base, base + size). */
static inline int fuzz_inside(const void *p, size_t len, const void *base, size_t size)
{
    const uint8_t *a = (const uint8_t *)p, *b = (const uint8_t *)base;
    return a >= b && a <= b + size && len <= (size_t)(b + size - a);
}

/* Reads the fuzz input front to back; past the end everything reads as 0. */
typedef struct fuzz_input {
    const uint8_t *p;
    const uint8_t *end;
} fuzz_input;

static inline void fuzz_input_init(fuzz_input *in, const uint8_t *data, size_t size)
{
    in->p = data;
    in->end = data + size;
}

static inline size_t fuzz_left(const fuzz_input *in) { return (size_t)(in->end - in->p); }

static inline uint8_t fuzz_byte(fuzz_input *in) { return in->p < in->end ? *in->p++ : 0; }

/* n bytes (at most 8), big-endian. */
static inline uint64_t fuzz_uint(fuzz_input *in, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | fuzz_byte(in);
    return v;
}

/* The next record: a control byte, a 2-byte big-endian length, then that
 * many bytes (fewer when the input ends first). 0 at the end of the input. */
static inline int fuzz_record(fuzz_input *in, uint8_t *ctl, const uint8_t **data, size_t *len)
{
    if (fuzz_left(in) == 0)
        return 0;
    *ctl = fuzz_byte(in);
    size_t n = (size_t)fuzz_uint(in, 2);
    if (n > fuzz_left(in))
        n = fuzz_left(in);
    *data = in->p;
    *len = n;
    in->p += n;
    return 1;
}

/* A heap copy of exactly len bytes, so that AddressSanitizer sees a read
 * past a record's end (the record itself sits inside the larger input). */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t len)
{
    uint8_t *p = (uint8_t *)malloc(len ? len : 1);
    FUZZ_CHECK(p != NULL, "out of memory");
    if (len)
        memcpy(p, data, len);
    return p;
}

/* The clock of the library in the fuzz targets (fuzz/fake_clock.c): reset
 * at the start of every input, it moves only when advanced. */
void fuzz_clock_reset(void);
void fuzz_clock_advance(int64_t ms);

/* A NUL-terminated heap copy of a name (the caller frees it). */
static inline char *fuzz_cstring(const char *s, size_t len)
{
    char *p = (char *)malloc(len + 1);
    FUZZ_CHECK(p != NULL, "out of memory");
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

#endif /* NANOSTATE_FUZZ_H */
