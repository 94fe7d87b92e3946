/* SPDX-License-Identifier: MIT */
/*
 * base64.h - standard base64 (RFC 4648, "+/" alphabet) for the JSON mapping
 * of msgpack bin and ext payloads.
 */
#ifndef NANOSTATE_CLI_BASE64_H
#define NANOSTATE_CLI_BASE64_H

#include <stddef.h>

/* Encodes len bytes as padded base64. Returns a NUL-terminated string the
 * caller frees, or NULL when out of memory. */
char *base64_encode(const void *data, size_t len);

/* Decodes base64 text of text_len bytes; the trailing '=' padding may be
 * left out. On success returns 0 and *out (caller frees, never NULL) holds
 * *out_len bytes. Returns -1 when the text is not base64 or memory runs out. */
int base64_decode(const char *text, size_t text_len, unsigned char **out, size_t *out_len);

#endif /* NANOSTATE_CLI_BASE64_H */
