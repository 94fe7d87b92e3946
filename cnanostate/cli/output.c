/* SPDX-License-Identifier: MIT */
#include "cli.h"
#include "json_value.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_USAGE_HINT "usage: nanostate [options] set|get|del|dump|watch ... (try --help)"

static void vreport(const char *format, va_list args)
{
    fputs("nanostate: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

void cli_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(format, args);
    va_end(args);
}

int cli_usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vreport(format, args);
    va_end(args);
    fputs(CLI_USAGE_HINT "\n", stderr);
    return CLI_EXIT_USAGE;
}

/* Writes a JSON value as one compact line. */
static int print_json_line(json_t *json)
{
    char *text = json ? json_value_dumps(json) : NULL;
    if (!text) {
        cli_error("out of memory");
        return -1;
    }
    puts(text);
    free(text);
    return 0;
}

/* The value as JSON, or NULL after reporting why it cannot be. */
static json_t *value_to_json(const char *name, const nanostate_value *value)
{
    json_value_error err;
    json_t *json = json_value_from_packed(value->packed, value->size, &err);
    if (!json)
        cli_error("%s: %s", name, err.text);
    return json;
}

static int print_state_object(const char *name, const nanostate_value *value, const char *sender)
{
    json_t *value_json = value_to_json(name, value);
    if (!value_json)
        return -1;
    json_t *line =
        json_pack("{s:s, s:o, s:s?}", "name", name, "value", value_json, "sender", sender);
    int rc = print_json_line(line);
    json_decref(line);
    return rc;
}

/* The default form of a value: str and bin as their bytes, anything else
 * as JSON text. */
struct value_text {
    const void *bytes;
    size_t len;
    char *owned; /* the JSON text, freed by value_text_free() */
};

static int value_text_make(const char *name, const nanostate_value *value, struct value_text *out)
{
    int type = nanostate_value_type(value);
    out->owned = NULL;
    if ((type == NANOSTATE_TYPE_STR || type == NANOSTATE_TYPE_BIN) &&
        nanostate_value_get_bytes(value, &out->bytes, &out->len) == 0)
        return 0;
    json_t *json = value_to_json(name, value);
    if (!json)
        return -1;
    out->owned = json_value_dumps(json);
    json_decref(json);
    if (!out->owned) {
        cli_error("out of memory");
        return -1;
    }
    out->bytes = out->owned;
    out->len = strlen(out->owned);
    return 0;
}

static void value_text_free(struct value_text *text) { free(text->owned); }

/* Prints the value's default form as one line, after "NAME " if with_name. */
static int print_value_line(int with_name, const char *name, const nanostate_value *value)
{
    struct value_text text;
    if (value_text_make(name, value, &text) != 0)
        return -1;
    if (with_name)
        printf("%s ", name);
    fwrite(text.bytes, 1, text.len, stdout);
    putchar('\n');
    value_text_free(&text);
    return 0;
}

int cli_print_value(const struct cli *cli, const char *name, const nanostate_value *value,
                    const char *sender)
{
    if (cli->json)
        return print_state_object(name, value, sender);
    return print_value_line(0, name, value);
}

int cli_print_state(const struct cli *cli, const char *name, const nanostate_value *value,
                    const char *sender)
{
    if (cli->json)
        return print_state_object(name, value, sender);
    return print_value_line(1, name, value);
}

int cli_print_removal(const struct cli *cli, const char *name, const char *sender)
{
    if (!cli->json) {
        printf("%s (removed)\n", name);
        return 0;
    }
    json_t *line = json_pack("{s:s, s:b, s:s?}", "name", name, "removed", 1, "sender", sender);
    int rc = print_json_line(line);
    json_decref(line);
    return rc;
}
