/* SPDX-License-Identifier: MIT */
#ifndef NANOSTATE_CLOCK_H
#define NANOSTATE_CLOCK_H
#include <stdint.h>
/* Monotonic milliseconds, for timers: the coarse clock, exact to a tick (1-4 ms). */
int64_t clock_now_ms(void);
/* Wall clock, ms since 1970, for "last changed" shown to people. */
int64_t clock_wall_ms(void);
/* 64 random bits from the kernel (never 0): epochs and session ids. */
uint64_t clock_random64(void);
#endif
