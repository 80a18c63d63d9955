/* Scoring setup shared by `score` and `demo`: proxy list, data, batches and the parallel run. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

const char *cli_proxy_list_help(void)
{
    static char buf[512];
    if (!buf[0]) {
        int o = snprintf(buf, sizeof buf, "comma-separated proxies, or all:");
        for (const zc_proxy *const *p = zc_proxy_all(); *p && o < (int)sizeof buf; p++)
            o += snprintf(buf + o, sizeof buf - (size_t)o, "%s %s", p == zc_proxy_all() ? "" : ",", (*p)->name);
    }
    return buf;
}

int cli_scoring_parse(cli_opt *opts, int n, cli_scoring *s)
{
    memset(s, 0, sizeof *s);
    zc_proxy_opts_default(&s->popts);
    int rc;
    /* proxies */
    const char *list = cli_str(opts, n, "proxy");
    if (!strcmp(list, "all")) {
        for (const zc_proxy *const *p = zc_proxy_all(); *p && s->n_proxies < 16; p++) s->proxies[s->n_proxies++] = *p;
    } else {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", list);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            const zc_proxy *p = zc_proxy_find(tok);
            if (!p) return cli_error(CLI_USAGE, "--proxy: unknown proxy '%s' (see zcnas --help)", tok);
            for (int i = 0; i < s->n_proxies; i++)
                if (s->proxies[i] == p) return cli_error(CLI_USAGE, "--proxy: '%s' listed twice", tok);
            if (s->n_proxies == 16) return cli_error(CLI_USAGE, "--proxy: too many proxies");
            s->proxies[s->n_proxies++] = p;
        }
        if (!s->n_proxies) return cli_error(CLI_USAGE, "--proxy: no proxy given");
    }
    if (zc_dataset_kind_parse(cli_str(opts, n, "dataset"), &s->dataset) != ZC_OK) return cli_fail_status(ZC_EINVAL);
    s->data_opt = cli_str(opts, n, "data");
    long v;
    if ((rc = cli_int(opts, n, "batch-size", 1, 100000, &v))) return rc;
    s->batch_size = (int)v;
    if ((rc = cli_int(opts, n, "batches", 1, 1000, &v))) return rc;
    s->n_batches = (int)v;
    if ((rc = cli_int(opts, n, "eps-batch-size", 2, 100000, &v))) return rc;
    s->eps_batch_size = (int)v;
    if ((rc = cli_int(opts, n, "base-batch-size", 1, 100000, &v))) return rc;
    s->base_batch_size = (int)v;
    if ((rc = cli_int(opts, n, "nwot-batch-size", 2, 100000, &v))) return rc;
    s->nwot_batch_size = (int)v;
    if ((rc = cli_int(opts, n, "seed", 0, 0x7fffffffL, &v))) return rc;
    s->seed = (uint64_t)v;
    if ((rc = cli_int(opts, n, "threads", 0, 1024, &v))) return rc;
    s->threads = (int)v;
    const char *w = cli_str(opts, n, "eps-weights");
    char *end;
    double lo = strtod(w, &end), hi = 0;
    if (*end == ',') hi = strtod(end + 1, &end);
    if (*end || !(lo > 0) || !(hi > 0) || lo == hi || lo > 3e38 || hi > 3e38)
        return cli_error(CLI_USAGE, "--eps-weights: expected two different positive numbers LOW,HIGH, got '%s'", w);
    s->popts.eps_w_low = (float)lo;
    s->popts.eps_w_high = (float)hi;
    const char *std = cli_str(opts, n, "zico-std");
    if (!strcmp(std, "abs")) s->popts.zico_paper_std = 1;
    else if (strcmp(std, "signed")) return cli_error(CLI_USAGE, "--zico-std: expected signed or abs, got '%s'", std);
    const char *sampler = cli_str(opts, n, "sampler");
    if (!strcmp(sampler, "sequential")) s->sampler = ZC_SAMPLER_SEQUENTIAL;
    else if (strcmp(sampler, "random")) return cli_error(CLI_USAGE, "--sampler: expected random or sequential, got '%s'", sampler);
    s->augment = cli_flag(opts, n, "augment");
    s->quiet = cli_flag(opts, n, "quiet");
    if ((rc = cli_double(opts, n, "progress-every", &s->progress_every))) return rc;
    if (!(s->progress_every > 0))
        return cli_error(CLI_USAGE, "--progress-every: must be a positive number of seconds");
    s->popts.eps_exact_full = cli_flag(opts, n, "exact-full");
    if (cli_str(opts, n, "backend")) {
        s->popts.backend = zc_backend_get(cli_str(opts, n, "backend"));
        if (!s->popts.backend) return cli_error(CLI_USAGE, "--backend: %s", zc_last_error());
    }
    return CLI_OK;
}

static int needs_images(const cli_scoring *s)
{
    for (int i = 0; i < s->n_proxies; i++)
        if (s->proxies[i]->needs_batches != ZC_DATA_NONE) return 1;
    return 0;
}

int cli_scoring_load(cli_scoring *s, zc_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    if (s->loaded || !needs_images(s)) return CLI_OK;
    char dir[4096];
    int rc = cli_dataset_path(s->data_opt, s->dataset, dir, sizeof dir);
    if (rc) return rc;
    if (zc_dataset_load(ds, s->dataset, dir) != ZC_OK) return cli_error(CLI_RUNTIME, "%s", zc_last_error());
    s->loaded = ds;
    return CLI_OK;
}

int cli_scoring_run(const cli_scoring *s, const cli_archs *archs,
                    int (*on_result)(void *ctx, int i, const double *scores, const double *seconds),
                    void *ctx)
{
    int need_batches = 0, need_eps = 0, need_base = 0, need_nwot = 0;
    for (int i = 0; i < s->n_proxies; i++) {
        need_batches |= s->proxies[i]->needs_batches == ZC_DATA_ZICO;
        need_eps |= s->proxies[i]->needs_batches == ZC_DATA_EPS;
        need_base |= s->proxies[i]->needs_batches == ZC_DATA_BASE;
        need_nwot |= s->proxies[i]->needs_batches == ZC_DATA_NWOT;
    }
    zc_dataset ds;
    cli_scoring sl = *s;
    zc_batch *batches = NULL, eps_batch, base_batch, nwot_batch;
    memset(&eps_batch, 0, sizeof eps_batch);
    memset(&base_batch, 0, sizeof base_batch);
    memset(&nwot_batch, 0, sizeof nwot_batch);
    int rc = CLI_OK;
    zc_status st;
    if ((rc = cli_scoring_load(&sl, &ds))) return rc;
    const zc_dataset *data = sl.loaded;
    /* A batch that cannot be drawn names the option that sets it. */
    if (need_batches) {
        zc_batch_opts bo = {s->batch_size, s->n_batches, s->sampler, s->seed * 2, s->augment};
        batches = calloc((size_t)s->n_batches, sizeof *batches);
        if (!batches) rc = cli_error(CLI_RUNTIME, "out of memory");
        else if ((st = zc_batches_make(data, &bo, batches)) != ZC_OK)
            rc = cli_error(cli_status_code(st), "--batch-size: %s", zc_last_error());
    }
    if (rc == CLI_OK && need_eps) {
        /* epsilon's fixed batch: never augmented, its own seed. */
        zc_batch_opts bo = {s->eps_batch_size, 1, s->sampler, s->seed * 2 + 1, 0};
        if ((st = zc_batches_make(data, &bo, &eps_batch)) != ZC_OK)
            rc = cli_error(cli_status_code(st), "--eps-batch-size: %s", zc_last_error());
    }
    if (rc == CLI_OK && need_base) {
        /* One training batch, as the zero-cost-nas harness draws it; seeded apart from ZiCo's. */
        zc_batch_opts bo = {s->base_batch_size, 1, s->sampler, s->seed * 2 + (1ull << 40), 0};
        if ((st = zc_batches_make(data, &bo, &base_batch)) != ZC_OK)
            rc = cli_error(cli_status_code(st), "--base-batch-size: %s", zc_last_error());
    }
    if (rc == CLI_OK && need_nwot) {
        zc_batch_opts bo = {s->nwot_batch_size, 1, s->sampler, s->seed * 2 + (2ull << 40), 0};
        if ((st = zc_batches_make(data, &bo, &nwot_batch)) != ZC_OK)
            rc = cli_error(cli_status_code(st), "--nwot-batch-size: %s", zc_last_error());
    }
    uint64_t *streams = malloc((size_t)(archs->n ? archs->n : 1) * sizeof *streams);
    if (rc == CLI_OK && !streams) rc = cli_error(CLI_RUNTIME, "out of memory");
    if (rc == CLI_OK) {
        for (int i = 0; i < archs->n; i++) streams[i] = cli_nb201_stream(&archs->archs[i], archs->index[i]);
        const char *seeded = NULL;
        for (int p = 0; p < s->n_proxies && !seeded; p++)
            if (!s->proxies[p]->init_free && !s->popts.weights_dir) seeded = s->proxies[p]->name;
        if (seeded && !archs->map && archs->n > 0)
            fprintf(stderr, "zcnas: note: no NB201 benchmark table (--bench FILE or $%s/benchmarks/nb201_accuracy.csv), "
                            "so the index column is empty and each network's initialisation is seeded by its arch "
                            "code instead of its benchmark index: %s differs from runs with the table\n",
                    ZC_DATA_ENV, seeded);
        cli_nb201_set_resolution(zc_dataset_resolution(s->dataset));
        zc_score_job job = {
            .build = cli_nb201_builder,
            .archs = archs->archs,
            .arch_size = sizeof(zc_nb201_arch),
            .streams = streams,
            .n_archs = archs->n,
            .proxies = s->proxies,
            .n_proxies = s->n_proxies,
            .opts = s->popts,
            .batches = batches,
            .n_batches = s->n_batches,
            .eps_batch = need_eps ? &eps_batch : NULL,
            .base_batch = need_base ? &base_batch : NULL,
            .nwot_batch = need_nwot ? &nwot_batch : NULL,
            .num_classes = zc_dataset_classes(s->dataset),
            .seed = s->seed,
            .threads = s->threads,
            .on_result = on_result,
            .ctx = ctx,
        };
        if ((st = zc_score_run(&job)) != ZC_OK) rc = cli_error(CLI_RUNTIME, "%s", zc_last_error());
    }
    free(streams);
    for (int i = 0; batches && i < s->n_batches; i++) zc_batch_free(&batches[i]);
    free(batches);
    zc_batch_free(&eps_batch);
    zc_batch_free(&base_batch);
    zc_batch_free(&nwot_batch);
    zc_dataset_free(&ds);
    return rc;
}
