/* zcnas search's shared state between its two files (cmd_search.c, cmd_search_evo.c). */
#ifndef ZC_CLI_CMD_SEARCH_H
#define ZC_CLI_CMD_SEARCH_H
#include "cli.h"

typedef struct search_cli {
    cli_opt *opts;
    int n;
    zc_space_ctx *ctx;
    zc_dataset_kind kind;
    cli_scoring s;
} search_cli;

/* The fitness as the user named it: the one proxy, or the aggregate ranking several sub-scores. */
#define FITNESS_NAME(sc) ((sc)->s.aggregate ? (sc)->s.aggregate->name : (sc)->s.run.proxies[0]->name)

/* ZiCo's evolutionary search with --out, --resume, checkpoints and signals. */
int cmd_search_evolution(search_cli *sc);

#endif
