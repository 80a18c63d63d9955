/* zcnas search — not implemented yet. */
#include "cli.h"

int cmd_search(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_USAGE, "search: not implemented yet");
}
