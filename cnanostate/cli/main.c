/* SPDX-License-Identifier: MIT */
/*
 * nanostate - set, get, delete, dump and watch Nanostate states from the
 * command line (what mosquitto_pub/mosquitto_sub are to MQTT).
 */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help_text[] =
    "NAME\n"
    "    nanostate - set, get, delete, dump and watch Nanostate states\n"
    "\n"
    "SYNOPSIS\n"
    "    nanostate [-c URL] [-i ID] [--json] [--timeout MS] set NAME VALUE [NAME VALUE]...\n"
    "    nanostate [options] set -l\n"
    "    nanostate [options] get NAME\n"
    "    nanostate [options] del NAME|PATTERN...\n"
    "    nanostate [options] dump [PATTERN]...\n"
    "    nanostate [options] watch [-n N] [PATTERN]...\n"
    "\n"
    "    Options may also follow the command; for set only before the first NAME,\n"
    "    so that values may start with '-'. \"--\" ends the options.\n"
    "\n"
    "DESCRIPTION\n"
    "    Processes share named states (\"robot/speed\" -> 0.7) through a hub; every\n"
    "    value is one msgpack object. nanostate connects to the hub as an App,\n"
    "    does one thing and exits.\n"
    "\n"
    "COMMANDS\n"
    "    set NAME VALUE [NAME VALUE]...\n"
    "        Sets each state to VALUE, a string (with --json: a JSON value), and\n"
    "        returns once the hub has accepted every update.\n"
    "    set -l, --stdin-line\n"
    "        Reads \"NAME VALUE\" lines from stdin and publishes each as it comes;\n"
    "        the value is the rest of the line after the first run of blanks\n"
    "        (with --json: JSON). Blank lines are skipped. Stays connected until\n"
    "        end of input (or SIGINT/SIGTERM), then waits until the hub has\n"
    "        accepted everything.\n"
    "    get NAME\n"
    "        Prints the value of a state: a str or bin as its bytes, anything\n"
    "        else as JSON, followed by a newline.\n"
    "    del NAME|PATTERN...\n"
    "        Removes the state NAME, or every state matching the glob PATTERN\n"
    "        (hub states starting with '$' excepted).\n"
    "    dump [PATTERN]...\n"
    "        Prints every state, or those matching any PATTERN, sorted by name,\n"
    "        one \"NAME VALUE\" line each (nothing, and exit 0, if none match).\n"
    "    watch [-n N] [PATTERN]...\n"
    "        Prints the matching states like dump, then every change as it comes\n"
    "        (a removal as \"NAME (removed)\") until SIGINT or SIGTERM.\n"
    "        -n, --count N   exit after N lines.\n"
    "\n"
    "    PATTERN is a shell glob (* ? [...]) matched against the whole name;\n"
    "    '*' also matches '/': 'robot/*' covers 'robot/arm/angle'. Quote it.\n"
    "\n"
    "OPTIONS\n"
    "    -c, --connect URL    hub to connect to (tcp://, ipc://, ws://); default\n"
    "                         $" NANOSTATE_URL_ENV ", else " NANOSTATE_DEFAULT_URL "\n"
    "    -i, --identity ID    name shown to others as sender; default\n"
    "                         nanostate-cli-<pid>\n"
    "        --json           values in and out as JSON; output one object per\n"
    "                         line: {\"name\":...,\"value\":...,\"sender\":...},\n"
    "                         for a removal {\"name\":...,\"removed\":true,\"sender\":...}\n"
    "        --timeout MS     how long to wait for the hub; default 2000\n"
    "    -h, --help           print this help and exit\n"
    "        --version        print the version and exit\n"
    "\n"
    "JSON\n"
    "    null, true/false, integers, reals, strings, arrays and objects map to\n"
    "    msgpack nil, bool, int, float64, str, array and map. bin is written as\n"
    "    {\"base64\":\"...\"}, ext as {\"ext\":TYPE,\"base64\":\"...\"}, and both forms\n"
    "    are read back. A uint above 2^63-1 is written as a string of digits,\n"
    "    NaN and infinities as null. Values nested deeper than 32 levels cannot\n"
    "    be shown.\n"
    "\n"
    "ENVIRONMENT\n"
    "    " NANOSTATE_URL_ENV "    hub URL when -c is not given\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success\n"
    "    1  no such state, nothing matched, or a value could not be shown\n"
    "    2  usage error or invalid input (bad option, name or JSON value)\n"
    "    3  no hub answered within the timeout\n"
    "\n"
    "EXAMPLES\n"
    "    nanostate set robot/name r2d2 robot/mode auto\n"
    "    nanostate --json set robot/speed 0.7 robot/pose '{\"x\":1,\"y\":2}'\n"
    "    nanostate get robot/speed\n"
    "    nanostate --json dump 'robot/*'\n"
    "    nanostate del 'robot/*'\n"
    "    nanostate watch -n 1 robot/mode\n"
    "    sensor | nanostate set -l\n"
    "    nanostate -c ipc:///tmp/hub.sock --timeout 500 dump\n";

static const char usage_hint[] =
    "usage: nanostate [options] set|get|del|dump|watch ... (try --help)\n";

enum long_only_option { OPTION_JSON = 256, OPTION_TIMEOUT, OPTION_VERSION };

/* Options before the command apply to all; those after it too, plus the
 * command's own (-l for set, -n for watch). ':': report errors ourselves.
 * '+': stop at the first operand: before the command, and for set, so that
 * "set x -5" keeps -5 as a value. Other commands take options anywhere
 * ("get NAME --json"); "--" ends them. */
static const char options_in_order[] = "+:c:i:hln:";
static const char options_anywhere[] = ":c:i:hln:";
static const struct option long_options[] = {
    {"connect", required_argument, NULL, 'c'},
    {"identity", required_argument, NULL, 'i'},
    {"json", no_argument, NULL, OPTION_JSON},
    {"timeout", required_argument, NULL, OPTION_TIMEOUT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPTION_VERSION},
    {"stdin-line", no_argument, NULL, 'l'},
    {"count", required_argument, NULL, 'n'},
    {NULL, 0, NULL, 0},
};

enum parse_result { PARSE_OK, PARSE_EXIT_OK, PARSE_EXIT_USAGE };

/* Parses a whole decimal number in [min, max]; 0 on success. */
static int parse_number(const char *text, long min, long max, long *out)
{
    char *end;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

static enum parse_result option_error(char **argv, int option)
{
    const char *given = argv[optind - 1];
    if (option == ':')
        cli_error("option '%s' needs an argument", given);
    else if (optopt && strncmp(given, "--", 2) != 0)
        cli_error("unknown option '-%c'", optopt);
    else
        cli_error("unknown option '%s'", given);
    fputs(usage_hint, stderr);
    return PARSE_EXIT_USAGE;
}

/* Options that take a number. */
static enum parse_result parse_number_option(int option, const char *argument, struct cli *cli)
{
    long value;
    if (option == OPTION_TIMEOUT) {
        if (parse_number(argument, 0, INT_MAX, &value) == 0) {
            cli->timeout_ms = (int)value;
            return PARSE_OK;
        }
        cli_usage_error("--timeout wants milliseconds (0 or more), not '%s'", argument);
        return PARSE_EXIT_USAGE;
    }
    if (parse_number(argument, 1, LONG_MAX, &value) == 0) {
        cli->count = value;
        return PARSE_OK;
    }
    cli_usage_error("-n wants a count (1 or more), not '%s'", argument);
    return PARSE_EXIT_USAGE;
}

static enum parse_result apply_option(int option, char **argv, struct cli *cli)
{
    switch (option) {
    case 'c': cli->url = optarg; return PARSE_OK;
    case 'i': cli->identity = optarg; return PARSE_OK;
    case OPTION_JSON: cli->json = 1; return PARSE_OK;
    case 'l': cli->stdin_lines = 1; return PARSE_OK;
    case OPTION_TIMEOUT:
    case 'n': return parse_number_option(option, optarg, cli);
    case 'h': fputs(help_text, stdout); return PARSE_EXIT_OK;
    case OPTION_VERSION:
        printf("nanostate %s (libnanostate %s)\n", NANOSTATE_VERSION_STRING, nanostate_version());
        return PARSE_EXIT_OK;
    default: return option_error(argv, option);
    }
}

/* Parses options from argv[1] on; *next gets the index of the first operand
 * (with options_anywhere, getopt moves the operands to the end). */
static enum parse_result parse_options(int argc, char **argv, const char *short_options,
                                       struct cli *cli, int *next)
{
    opterr = 0;
    optind = 0; /* glibc: start afresh, also for the second pass */
    int option;
    while ((option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        enum parse_result result = apply_option(option, argv, cli);
        if (result != PARSE_OK)
            return result;
    }
    *next = optind;
    return PARSE_OK;
}

struct command {
    const char *name;
    int (*run)(const struct cli *cli);
    const char *short_options;
    int takes_stdin_lines; /* -l */
    int takes_count;       /* -n */
};

static const struct command commands[] = {
    {"set", cli_set, options_in_order, 1, 0},     {"get", cli_get, options_anywhere, 0, 0},
    {"del", cli_del, options_anywhere, 0, 0},     {"dump", cli_dump, options_anywhere, 0, 0},
    {"watch", cli_watch, options_anywhere, 0, 1},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

/* -l and -n belong to one command each. */
static int check_command_options(const struct command *command, const struct cli *cli)
{
    if (cli->stdin_lines && !command->takes_stdin_lines)
        return cli_usage_error("-l only applies to set");
    if (cli->count && !command->takes_count)
        return cli_usage_error("-n only applies to watch");
    return CLI_EXIT_OK;
}

static void set_defaults(struct cli *cli, char *identity_buffer, size_t size)
{
    memset(cli, 0, sizeof *cli);
    cli->url = getenv(NANOSTATE_URL_ENV);
    if (!cli->url || !*cli->url)
        cli->url = NANOSTATE_DEFAULT_URL;
    snprintf(identity_buffer, size, "nanostate-cli-%ld", (long)getpid());
    cli->identity = identity_buffer;
    cli->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
}

/* Fills cli from the command line; *command gets the command to run.
 * Returns PARSE_OK or how to exit. */
static enum parse_result parse_command_line(int argc, char **argv, struct cli *cli,
                                            const struct command **command)
{
    int next;
    enum parse_result result = parse_options(argc, argv, options_in_order, cli, &next);
    if (result != PARSE_OK)
        return result;
    if (next >= argc) {
        cli_usage_error("no command given");
        return PARSE_EXIT_USAGE;
    }
    *command = find_command(argv[next]);
    if (!*command) {
        cli_usage_error("unknown command '%s'", argv[next]);
        return PARSE_EXIT_USAGE;
    }
    /* The command's own options; getopt sees the command as argv[0]. */
    char **command_argv = argv + next;
    int command_argc = argc - next;
    result = parse_options(command_argc, command_argv, (*command)->short_options, cli, &next);
    if (result != PARSE_OK)
        return result;
    cli->operands = command_argv + next;
    cli->operand_count = command_argc - next;
    if (check_command_options(*command, cli) != CLI_EXIT_OK)
        return PARSE_EXIT_USAGE;
    return PARSE_OK;
}

int main(int argc, char **argv)
{
    char identity[64];
    struct cli cli;
    set_defaults(&cli, identity, sizeof identity);
    const struct command *command = NULL;
    switch (parse_command_line(argc, argv, &cli, &command)) {
    case PARSE_EXIT_OK: return CLI_EXIT_OK;
    case PARSE_EXIT_USAGE: return CLI_EXIT_USAGE;
    case PARSE_OK: break;
    }
    int status = command->run(&cli);
    if (fflush(stdout) != 0) {
        cli_error("cannot write to stdout");
        status = status ? status : CLI_EXIT_NOT_FOUND;
    }
    return status;
}
