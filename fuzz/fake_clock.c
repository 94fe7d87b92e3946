/* SPDX-License-Identifier: MIT */
/*
 * fake_clock.c - cnanostate/lib/clock.h for the fuzz targets, linked
 * instead of clock.c: time moves only when the harness says so
 * (fuzz_clock_advance), and the "random" epochs and sessions repeat from
 * input to input. An input then does the same thing every time it runs,
 * and the timers (heartbeats, retries, lost connections, expiry) are
 * reached in microseconds instead of seconds.
 */
#include "clock.h"
#include "fuzz.h"

static int64_t now_ms;
static uint64_t random_state;

void fuzz_clock_reset(void)
{
    now_ms = 1000000; /* not 0: several timers use 0 for "none" */
    random_state = 0;
}

void fuzz_clock_advance(int64_t ms) { now_ms += ms; }

int64_t clock_now_ms(void) { return now_ms; }

int64_t clock_wall_ms(void) { return 1700000000000 + now_ms; }

uint64_t clock_random64(void)
{
    /* splitmix64 */
    uint64_t z = (random_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z ? z : 1;
}
