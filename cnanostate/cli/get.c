/* SPDX-License-Identifier: MIT */
/* get NAME: the current value of one state. */
#include "cli.h"

int cli_get(const struct cli *cli)
{
    if (cli->operand_count != 1)
        return cli_usage_error("get takes exactly one NAME");
    const char *name = cli->operands[0];

    nanostate_app *app;
    int status = cli_connect(cli, &app);
    if (status != CLI_EXIT_OK)
        return status;
    status = cli_flush(cli, app);
    if (status == CLI_EXIT_OK) {
        nanostate_value value;
        const char *sender = NULL;
        if (nanostate_app_get(app, name, &value, &sender) != 0) {
            cli_error("no state named '%s'", name);
            status = CLI_EXIT_NOT_FOUND;
        } else if (cli_print_value(cli, name, &value, sender) != 0) {
            status = CLI_EXIT_NOT_FOUND;
        }
    }
    nanostate_app_close(app);
    return status;
}
