/* SPDX-License-Identifier: MIT */
/* dump [PATTERN]...: every (matching) state, sorted by name. */
#include "cli.h"

int cli_dump(const struct cli *cli)
{
    nanostate_app *app;
    int status = cli_connect(cli, &app);
    if (status != CLI_EXIT_OK)
        return status;
    status = cli_flush(cli, app);
    struct cli_state_list list = {0};
    if (status == CLI_EXIT_OK &&
        cli_state_list_collect(app, cli->operands, cli->operand_count, &list) != 0)
        status = CLI_EXIT_NOT_FOUND;
    nanostate_app_close(app);

    for (size_t i = 0; i < list.count; i++) {
        const struct cli_state *state = &list.states[i];
        nanostate_value value = {state->packed, state->size};
        if (cli_print_state(cli, state->name, &value, state->sender) != 0)
            status = CLI_EXIT_NOT_FOUND; /* the others are still worth printing */
    }
    cli_state_list_free(&list);
    return status;
}
