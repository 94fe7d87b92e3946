/* SPDX-License-Identifier: MIT */
#ifndef NANOSTATE_UTF8_H
#define NANOSTATE_UTF8_H
#include <stddef.h>
/* 1 if the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t len);
/* A name or an identity: well-formed UTF-8 without U+0000, since C Apps
 * read them NUL-terminated and would see another name. */
int text_valid(const char *s, size_t len);
#endif
