/* SPDX-License-Identifier: MIT */
#ifndef NANOSTATE_HASH_H
#define NANOSTATE_HASH_H
#include <stddef.h>
#include <stdint.h>
/* FNV-1a, 64-bit, folded to 32 bits; seed makes collisions differ per run. */
static inline uint32_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = (const unsigned char *)data;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}
#endif
