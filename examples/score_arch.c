/* Scores architecture strings of a zcnas search space with zero-cost proxies, through the installed
 * library (what `zcnas score --arch` does, in 60 lines of the public API).
 *
 *   cc score_arch.c $(pkg-config --cflags --libs zcnas) -o score_arch
 *   ./score_arch nb201 params,synflow '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'
 *
 * Prints "arch<TAB>proxy<TAB>score" lines. Proxies that read images (zico, nwot, ...) load the space's
 * dataset from $ZCNAS_DATA, as the zcnas command does. */
#include <stdio.h>
#include <string.h>
#include <zcnas/zcnas.h>

typedef struct {
    const zc_run *run;
    const zc_arch_list *list;
} printer;

/* Called once per architecture, in order. */
static int print_scores(void *ctx, int i, const double *scores, const double *seconds)
{
    const printer *p = ctx;
    const zc_run_opts *o = zc_run_options(p->run);
    char arch[4096];
    (void)seconds;
    if (zc_space_format(p->list->space, zc_arch_list_get(p->list, i), arch, sizeof arch) != ZC_OK) return 1;
    int k = 0;
    for (int j = 0; j < o->n_proxies; j++)
        for (int m = 0; m < zc_proxy_n_outputs(o->proxies[j]); m++)
            printf("%s\t%s\t%.9g\n", arch, zc_proxy_output(o->proxies[j], m), scores[k++]);
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "score_arch: %s: %s\n", what, zc_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s SPACE PROXY[,PROXY...] ARCH...\n", argv[0]);
        return 2;
    }
    const zc_space *space = zc_space_find(argv[1]);
    zc_space_ctx *ctx = NULL;
    if (!space || zc_space_open(space, NULL, &ctx) != ZC_OK) return fail(argv[1]);

    zc_run_opts o;
    zc_run_opts_default(&o);
    o.space = ctx;
    o.seed = 0;
    char names[1024];
    snprintf(names, sizeof names, "%s", argv[2]);
    for (char *name = strtok(names, ","); name && o.n_proxies < ZC_RUN_MAX_PROXIES; name = strtok(NULL, ","))
        if (!(o.proxies[o.n_proxies++] = zc_proxy_find(name))) return fail(name);

    zc_arch_list list;
    zc_arch_list_init(&list, ctx);
    for (int i = 3; i < argc; i++)
        if (zc_arch_list_add_string(&list, argv[i]) != ZC_OK) return fail(argv[i]);

    zc_run *run = NULL;
    if (zc_run_open(&o, &run) != ZC_OK) return fail("zc_run_open");
    printer p = {run, &list};
    int rc = zc_run_score(run, list.archs, list.n, NULL, print_scores, &p) == ZC_OK ? 0 : fail("zc_run_score");
    zc_run_close(run);
    zc_arch_list_free(&list);
    zc_space_close(ctx);
    return rc;
}
