/* SPDX-License-Identifier: MIT */
/*
 * capp - a plain C App for the Qt tests: sets states with libnanostate's typed
 * setters, or reads states back and prints their type and packed bytes, so
 * that a C process and a Qt App exchange values of every type.
 */
#include <nanostate/nanostate.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 5000

static void usage(FILE *to)
{
    fputs("usage: capp [-i ID] URL set NAME KIND VALUE [NAME KIND VALUE]...\n"
          "       capp [-i ID] URL get NAME...\n"
          "\n"
          "set: sets each state with the typed setter for KIND, then waits until the\n"
          "     hub accepted them. KIND: nil (VALUE ignored), bool (0/1), int, uint,\n"
          "     double, str (UTF-8 text), bin (hex), packed (one msgpack object, hex).\n"
          "get: waits for the hub's table, then prints one line per NAME:\n"
          "     NAME<TAB>TYPE<TAB>PACKED-HEX<TAB>TEXT, or NAME<TAB>(none).\n"
          "     TEXT: nil, 0/1, the number (%.17g for floats), the string, the bin\n"
          "     as hex, or - for arrays, maps and ext.\n"
          "\n"
          "Exit status: 0 ok, 1 a state was missing, 2 usage error or a setter\n"
          "refused, 3 the hub did not answer within 5 s.\n",
          to);
}

/* Decodes hex into a malloc'd buffer; NULL on bad input. */
static unsigned char *from_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2)
        return NULL;
    unsigned char *out = malloc(n / 2 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (unsigned char)byte;
    }
    *len = n / 2;
    return out;
}

static void print_hex(const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        printf("%02x", p[i]);
}

static int parse_number(const char *text, int is_signed, int64_t *i, uint64_t *u)
{
    char *end;
    errno = 0;
    if (is_signed)
        *i = strtoll(text, &end, 10);
    else
        *u = strtoull(text, &end, 10);
    return errno || end == text || *end ? -1 : 0;
}

static int set_one(nanostate_app *app, const char *name, const char *kind, const char *value)
{
    int64_t i = 0;
    uint64_t u = 0;
    if (strcmp(kind, "nil") == 0)
        return nanostate_app_set_nil(app, name);
    if (strcmp(kind, "bool") == 0)
        return nanostate_app_set_bool(app, name, strcmp(value, "0") != 0);
    if (strcmp(kind, "int") == 0)
        return parse_number(value, 1, &i, &u) ? NANOSTATE_EINVAL
                                              : nanostate_app_set_int(app, name, i);
    if (strcmp(kind, "uint") == 0)
        return parse_number(value, 0, &i, &u) ? NANOSTATE_EINVAL
                                              : nanostate_app_set_uint(app, name, u);
    if (strcmp(kind, "double") == 0)
        return nanostate_app_set_double(app, name, strtod(value, NULL));
    if (strcmp(kind, "str") == 0)
        return nanostate_app_set_str(app, name, value);
    if (strcmp(kind, "bin") == 0 || strcmp(kind, "packed") == 0) {
        size_t len;
        unsigned char *bytes = from_hex(value, &len);
        if (!bytes)
            return NANOSTATE_EINVAL;
        int rc = kind[0] == 'b' ? nanostate_app_set_bytes(app, name, bytes, len)
                                : nanostate_app_set_packed(app, name, bytes, len);
        free(bytes);
        return rc;
    }
    return NANOSTATE_EINVAL;
}

static void print_text(const nanostate_value *v)
{
    int b;
    int64_t i;
    uint64_t u;
    double d;
    const void *p;
    const char *s;
    size_t len;
    switch (nanostate_value_type(v)) {
    case NANOSTATE_TYPE_NIL:
        printf("nil");
        break;
    case NANOSTATE_TYPE_BOOL:
        if (nanostate_value_get_bool(v, &b) == 0)
            printf("%d", b);
        break;
    case NANOSTATE_TYPE_INT:
        if (nanostate_value_get_int(v, &i) == 0)
            printf("%" PRId64, i);
        break;
    case NANOSTATE_TYPE_UINT:
        if (nanostate_value_get_uint(v, &u) == 0)
            printf("%" PRIu64, u);
        break;
    case NANOSTATE_TYPE_FLOAT:
        if (nanostate_value_get_double(v, &d) == 0)
            printf("%.17g", d);
        break;
    case NANOSTATE_TYPE_STR:
        if (nanostate_value_get_str(v, &s, &len) == 0)
            fwrite(s, 1, len, stdout);
        break;
    case NANOSTATE_TYPE_BIN:
        if (nanostate_value_get_bytes(v, &p, &len) == 0)
            print_hex(p, len);
        break;
    default:
        printf("-");
        break;
    }
}

int main(int argc, char **argv)
{
    const char *identity = "capp";
    int arg = 1;
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "-i") == 0) {
        identity = argv[2];
        arg = 3;
    }
    if (argc - arg < 3) {
        usage(stderr);
        return 2;
    }
    const char *url = argv[arg];
    const char *command = argv[arg + 1];
    char **rest = argv + arg + 2;
    int nrest = argc - arg - 2;
    int is_set = strcmp(command, "set") == 0;
    if ((!is_set && strcmp(command, "get") != 0) || (is_set && nrest % 3 != 0)) {
        usage(stderr);
        return 2;
    }

    nanostate_app *app;
    int rc = nanostate_app_open(&app, identity, url);
    if (rc != 0) {
        fprintf(stderr, "capp: cannot open %s: %s\n", url, nanostate_strerror(rc));
        return 2;
    }
    int status = 0;
    if (is_set) {
        for (int i = 0; i < nrest && status == 0; i += 3) {
            rc = set_one(app, rest[i], rest[i + 1], rest[i + 2]);
            if (rc != 0) {
                fprintf(stderr, "capp: cannot set %s (%s %s): %s\n", rest[i], rest[i + 1],
                        rest[i + 2], nanostate_strerror(rc));
                status = 2;
            }
        }
        if (status == 0 && nanostate_app_flush(app, TIMEOUT_MS) != 0) {
            fprintf(stderr, "capp: the hub did not accept the updates in time\n");
            status = 3;
        }
    } else if (nanostate_app_flush(app, TIMEOUT_MS) != 0) {
        fprintf(stderr, "capp: no snapshot from the hub in time\n");
        status = 3;
    } else {
        for (int i = 0; i < nrest; i++) {
            nanostate_value v;
            if (nanostate_app_get(app, rest[i], &v, NULL) != 0) {
                printf("%s\t(none)\n", rest[i]);
                status = 1;
                continue;
            }
            printf("%s\t%s\t", rest[i], nanostate_type_name(nanostate_value_type(&v)));
            print_hex(v.packed, v.size);
            putchar('\t');
            print_text(&v);
            putchar('\n');
        }
    }
    fflush(stdout);
    nanostate_app_close(app);
    return status;
}
