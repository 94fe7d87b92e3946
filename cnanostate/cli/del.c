/* SPDX-License-Identifier: MIT */
/* del NAME|PATTERN...: removes one state, or every state a glob matches. */
#include "cli.h"

/* Removes every state matching pattern. States the hub reserves ('$...')
 * cannot be removed by Apps, so a glob never picks them. */
static int remove_matching(nanostate_app *app, char *pattern)
{
    struct cli_state_list list;
    if (cli_state_list_collect(app, &pattern, 1, &list) != 0)
        return CLI_EXIT_NOT_FOUND;
    int status = CLI_EXIT_OK;
    size_t removed = 0;
    for (size_t i = 0; i < list.count && status == CLI_EXIT_OK; i++) {
        const char *name = list.states[i].name;
        if (name[0] == '$')
            continue;
        int err = nanostate_app_remove(app, name);
        if (err != 0)
            status = cli_update_error(NULL, name, err);
        else
            removed++;
    }
    cli_state_list_free(&list);
    if (status == CLI_EXIT_OK && removed == 0) {
        cli_error("no state matches '%s'", pattern);
        status = CLI_EXIT_NOT_FOUND;
    }
    return status;
}

static int remove_one(nanostate_app *app, const char *name)
{
    nanostate_value value;
    if (nanostate_app_get(app, name, &value, NULL) != 0) {
        cli_error("no state named '%s'", name);
        return CLI_EXIT_NOT_FOUND;
    }
    int err = nanostate_app_remove(app, name);
    return err == 0 ? CLI_EXIT_OK : cli_update_error(NULL, name, err);
}

/* The worse of two outcomes: usage errors beat "not found". */
static int worse(int a, int b) { return a > b ? a : b; }

int cli_del(const struct cli *cli)
{
    if (cli->operand_count < 1)
        return cli_usage_error("del needs a NAME or PATTERN");

    nanostate_app *app;
    int status = cli_connect(cli, &app);
    if (status != CLI_EXIT_OK)
        return status;
    status = cli_flush(cli, app);
    if (status == CLI_EXIT_OK) {
        for (int i = 0; i < cli->operand_count; i++) {
            char *target = cli->operands[i];
            int outcome =
                cli_is_pattern(target) ? remove_matching(app, target) : remove_one(app, target);
            status = worse(status, outcome);
        }
        status = worse(status, cli_flush(cli, app));
    }
    nanostate_app_close(app);
    return status;
}
