/* zcnas reproduce — not implemented yet. */
#include "cli.h"

int cmd_reproduce(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_USAGE, "reproduce: not implemented yet");
}
