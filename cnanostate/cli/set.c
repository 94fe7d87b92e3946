/* SPDX-License-Identifier: MIT */
/* set NAME VALUE...: publishes states given as arguments.
 * set -l: publishes "NAME VALUE" lines from stdin as they come. */
#include "cli.h"
#include "json_value.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Packs the value of name given as text: a str, or parsed JSON with --json.
 * On error reports it (after where, e.g. "stdin:3", if not NULL) and
 * returns -1. */
static int encode_value(const struct cli *cli, const char *where, const char *name,
                        const char *text, size_t len, msgpack_sbuffer *out)
{
    if (!cli->json) {
        msgpack_packer packer;
        msgpack_packer_init(&packer, out, msgpack_sbuffer_write);
        if (msgpack_pack_str_with_body(&packer, text, len) == 0)
            return 0;
        cli_error("out of memory");
        return -1;
    }
    json_value_error err;
    if (json_value_parse(text, len, out, &err) == 0)
        return 0;
    if (where)
        cli_error("%s: %s: invalid JSON value: %s", where, name, err.text);
    else
        cli_error("%s: invalid JSON value: %s", name, err.text);
    return -1;
}

/* --- set NAME VALUE [NAME VALUE]... ------------------------------------ */

static void free_values(msgpack_sbuffer *values, int count)
{
    for (int i = 0; i < count; i++)
        msgpack_sbuffer_destroy(&values[i]);
    free(values);
}

/* Packs every value before anything is sent: one bad value sends nothing. */
static msgpack_sbuffer *encode_arguments(const struct cli *cli, int pair_count)
{
    msgpack_sbuffer *values = calloc((size_t)pair_count, sizeof *values);
    if (!values) {
        cli_error("out of memory");
        return NULL;
    }
    for (int i = 0; i < pair_count; i++) {
        const char *name = cli->operands[2 * i], *text = cli->operands[2 * i + 1];
        msgpack_sbuffer_init(&values[i]);
        if (encode_value(cli, NULL, name, text, strlen(text), &values[i]) != 0) {
            free_values(values, i + 1);
            return NULL;
        }
    }
    return values;
}

static int set_arguments(const struct cli *cli)
{
    if (cli->operand_count == 0 || cli->operand_count % 2 != 0)
        return cli_usage_error("set takes NAME VALUE pairs");
    int pair_count = cli->operand_count / 2;
    msgpack_sbuffer *values = encode_arguments(cli, pair_count);
    if (!values)
        return CLI_EXIT_USAGE;

    nanostate_app *app = NULL;
    int status = cli_connect(cli, &app);
    for (int i = 0; i < pair_count && status == CLI_EXIT_OK; i++) {
        const char *name = cli->operands[2 * i];
        int err = nanostate_app_set_packed(app, name, values[i].data, values[i].size);
        if (err != 0)
            status = cli_update_error(NULL, name, err);
    }
    if (status == CLI_EXIT_OK)
        status = cli_flush(cli, app);
    nanostate_app_close(app);
    free_values(values, pair_count);
    return status;
}

/* --- set -l ------------------------------------------------------------ */

/* Reads stdin without ever blocking the App: lines are cut from buf. */
struct line_publisher {
    const struct cli *cli;
    nanostate_app *app;
    char *buf;
    size_t len, capacity;
    unsigned long line_number;
    int at_eof;
    int status; /* the worst outcome of a line so far */
};

/* Publishes one line "NAME VALUE" (NUL-terminated, no newline); the value
 * is the rest of the line after the first run of blanks. Blank lines are
 * skipped, and so are blanks before the name (indented here-documents). */
static void publish_line(struct line_publisher *publisher, char *line, size_t len)
{
    publisher->line_number++;
    size_t name_start = strspn(line, " \t");
    if (name_start == len)
        return;
    char *name = line + name_start;
    size_t name_len = strcspn(name, " \t");
    if (name_start + name_len == len) {
        cli_error("stdin:%lu: expected NAME VALUE", publisher->line_number);
        publisher->status = CLI_EXIT_USAGE;
        return;
    }
    char *value = name + name_len + strspn(name + name_len, " \t");
    size_t value_len = len - (size_t)(value - line);
    name[name_len] = '\0';

    char where[32];
    snprintf(where, sizeof where, "stdin:%lu", publisher->line_number);
    msgpack_sbuffer packed;
    msgpack_sbuffer_init(&packed);
    if (encode_value(publisher->cli, where, name, value, value_len, &packed) != 0) {
        publisher->status = CLI_EXIT_USAGE;
    } else {
        int err = nanostate_app_set_packed(publisher->app, name, packed.data, packed.size);
        if (err != 0)
            publisher->status = cli_update_error(where, name, err);
    }
    msgpack_sbuffer_destroy(&packed);
}

/* Publishes every complete line in the buffer and keeps the rest. */
static void publish_complete_lines(struct line_publisher *publisher)
{
    size_t start = 0;
    char *newline;
    while ((newline = memchr(publisher->buf + start, '\n', publisher->len - start))) {
        *newline = '\0';
        publish_line(publisher, publisher->buf + start, (size_t)(newline - publisher->buf) - start);
        start = (size_t)(newline - publisher->buf) + 1;
    }
    memmove(publisher->buf, publisher->buf + start, publisher->len - start);
    publisher->len -= start;
}

static int make_room(struct line_publisher *publisher, size_t wanted)
{
    if (publisher->capacity - publisher->len >= wanted)
        return 0;
    size_t capacity = publisher->capacity ? publisher->capacity : 4096;
    while (capacity - publisher->len < wanted)
        capacity *= 2;
    char *buf = realloc(publisher->buf, capacity);
    if (!buf)
        return -1;
    publisher->buf = buf;
    publisher->capacity = capacity;
    return 0;
}

/* One read(): poll() said stdin is ready, so this does not block. */
static void read_stdin(struct line_publisher *publisher)
{
    /* +1 keeps room for the NUL publish_line() puts after a last line. */
    if (make_room(publisher, 65536 + 1) != 0) {
        cli_error("out of memory");
        publisher->status = CLI_EXIT_USAGE;
        publisher->at_eof = 1;
        return;
    }
    ssize_t got = read(STDIN_FILENO, publisher->buf + publisher->len, 65536);
    if (got > 0) {
        publisher->len += (size_t)got;
        publish_complete_lines(publisher);
    } else if (got == 0) {
        publisher->at_eof = 1;
    } else if (errno != EINTR && errno != EAGAIN) {
        cli_error("reading stdin: %s", strerror(errno));
        publisher->status = CLI_EXIT_USAGE;
        publisher->at_eof = 1;
    }
}

static int set_stdin_lines(const struct cli *cli)
{
    if (cli->operand_count != 0)
        return cli_usage_error("set -l reads NAME VALUE lines from stdin and takes no arguments");
    sigset_t wait_mask;
    cli_catch_stop_signals(&wait_mask);
    struct line_publisher publisher = {.cli = cli};
    int status = cli_connect(cli, &publisher.app);
    if (status != CLI_EXIT_OK)
        return status;

    while (!publisher.at_eof && !cli_stop_requested()) {
        struct pollfd fds[2] = {{.fd = -1}, {.fd = STDIN_FILENO, .events = POLLIN}};
        if (cli_poll(publisher.app, fds, 2, -1, &wait_mask) != 0)
            break;
        if (fds[1].revents)
            read_stdin(&publisher);
        nanostate_app_dispatch(publisher.app);
    }
    if (publisher.len > 0) { /* a last line without newline */
        publisher.buf[publisher.len] = '\0';
        publish_line(&publisher, publisher.buf, publisher.len);
    }
    status = cli_flush_polling(cli, publisher.app, &wait_mask);
    nanostate_app_close(publisher.app);
    free(publisher.buf);
    return status != CLI_EXIT_OK ? status : publisher.status;
}

int cli_set(const struct cli *cli)
{
    return cli->stdin_lines ? set_stdin_lines(cli) : set_arguments(cli);
}
