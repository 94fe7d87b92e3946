/* SPDX-License-Identifier: MIT */
#include "base64.h"

#include <stdint.h>
#include <stdlib.h>

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
    const unsigned char *in = data;
    char *text = malloc((len + 2) / 3 * 4 + 1);
    if (!text)
        return NULL;
    char *out = text;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t triple = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = base64_alphabet[triple >> 18 & 63];
        *out++ = base64_alphabet[triple >> 12 & 63];
        *out++ = base64_alphabet[triple >> 6 & 63];
        *out++ = base64_alphabet[triple & 63];
    }
    if (i < len) {
        uint32_t triple = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
        *out++ = base64_alphabet[triple >> 18 & 63];
        *out++ = base64_alphabet[triple >> 12 & 63];
        *out++ = i + 1 < len ? base64_alphabet[triple >> 6 & 63] : '=';
        *out++ = '=';
    }
    *out = '\0';
    return text;
}

/* 0..63 for a base64 digit, -1 otherwise. */
static int base64_digit(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Length of the text without its padding, or -1 if the padding is malformed. */
static long base64_unpadded_length(const char *text, size_t len)
{
    size_t padding = 0;
    while (padding < len && padding < 2 && text[len - 1 - padding] == '=')
        padding++;
    if (padding > 0 && len % 4 != 0)
        return -1;
    size_t digits = len - padding;
    if (digits % 4 == 1)
        return -1; /* one digit holds only 6 bits: never a whole byte */
    return (long)digits;
}

int base64_decode(const char *text, size_t text_len, unsigned char **out, size_t *out_len)
{
    long digits = base64_unpadded_length(text, text_len);
    if (digits < 0)
        return -1;
    unsigned char *bytes = malloc((size_t)digits * 3 / 4 + 1);
    if (!bytes)
        return -1;
    size_t n = 0;
    uint32_t bits = 0;
    int bit_count = 0;
    for (long i = 0; i < digits; i++) {
        int digit = base64_digit(text[i]);
        if (digit < 0) {
            free(bytes);
            return -1;
        }
        bits = bits << 6 | (uint32_t)digit;
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            bytes[n++] = (unsigned char)(bits >> bit_count & 0xff);
        }
    }
    *out = bytes;
    *out_len = n;
    return 0;
}
