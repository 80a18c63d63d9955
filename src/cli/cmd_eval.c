/* zcnas eval — not implemented yet. */
#include "cli.h"

int cmd_eval(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_USAGE, "eval: not implemented yet");
}
