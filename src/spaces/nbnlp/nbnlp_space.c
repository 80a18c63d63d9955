/* NAS-Bench-NLP (Klyuchnikov et al. 2020) as a zcnas space: recurrent cells given as the benchmark's
 * recipes (JSON), each built into the benchmark's 3-layer language model. The space has no index (its
 * cells are generated, not enumerated); benchmark rows match by recipe. `--dataset` picks the corpus
 * (ptb, wikitext2) and with it the default vocabulary (`--vocab-size`). */
#include <stdio.h>
#include <string.h>
#include "spaces/nbnlp/nbnlp.h"

static zc_status nlp_open(zc_space_ctx *ctx)
{
    if (ctx->cfg.num_classes <= 0) ctx->cfg.num_classes = zc_nlp_datasets[ctx->dataset].vocab;
    return ZC_OK;
}

static zc_status nlp_parse(const zc_space_ctx *ctx, const char *s, void *arch)
{
    (void)ctx;
    return zc_nlp_parse(s, arch);
}

static zc_status nlp_format(const zc_space_ctx *ctx, const void *arch, char *buf, size_t size)
{
    (void)ctx;
    return zc_nlp_format(arch, buf, size);
}

static long long nlp_size(const zc_space_ctx *ctx) { (void)ctx; return 0; }

static void nlp_sample(const zc_space_ctx *ctx, zc_rng *rng, void *arch)
{
    (void)ctx;
    zc_nlp_random(rng, arch);
}

static zc_status nlp_mutate(const zc_space_ctx *ctx, const void *arch, int strength, zc_rng *rng, void *child)
{
    (void)ctx;
    zc_nlp_arch tmp;
    zc_status st = zc_nlp_mutate(arch, rng, child);
    for (int k = 1; k < strength && st == ZC_OK; k++) {
        tmp = *(const zc_nlp_arch *)child;
        st = zc_nlp_mutate(&tmp, rng, child);
    }
    return st;
}

static void dims_of(const zc_space_ctx *ctx, zc_nlp_dims *d)
{
    d->vocab = ctx->cfg.num_classes;
    d->emsize = ZC_NLP_EMSIZE;
    d->nhid = ZC_NLP_NHID;
    d->nlayers = ZC_NLP_NLAYERS;
    d->seq_len = ZC_NLP_SEQ_LEN;
}

/* num_classes 1 asks for epsinas' view of the model (the last layer's unit 0, no decoder); the
 * vocabulary is always the space's. */
static zc_net *nlp_build(const zc_space_ctx *ctx, const void *arch, const zc_build_opts *o)
{
    zc_nlp_dims d;
    dims_of(ctx, &d);
    return zc_nlp_build(arch, &d, o && o->num_classes == 1, o && o->shapes_only);
}

static void nlp_info(const zc_space_ctx *ctx, const void *arch, FILE *f)
{
    const zc_nlp_arch *a = arch;
    zc_nlp_dims d;
    dims_of(ctx, &d);
    int linears = 0, live = 0;
    uint32_t lv = zc_nlp_live(a);
    for (int k = 0; k < a->n_nodes; k++) { linears += a->node[k].op == ZC_NLP_LINEAR; live += (lv >> k) & 1; }
    fprintf(f, "cell: %d nodes (%d reach an output), %d linear, %d hidden state%s\n", a->n_nodes, live, linears, a->hidden,
            a->hidden == 1 ? "" : "s");
    int order[ZC_NLP_MAX_NODES];
    zc_nlp_topo_order(a, order);
    for (int o = 0; o < a->n_nodes; o++) {
        const zc_nlp_node *n = &a->node[order[o]];
        fprintf(f, "  %-16s = %s(", n->name, zc_nlp_op_name(n->op));
        for (int j = 0; j < n->n_in; j++) {
            int r = n->in[j];
            if (r == ZC_NLP_X) fprintf(f, "%sx", j ? ", " : "");
            else if (r < 0) fprintf(f, "%sh_prev_%d", j ? ", " : "", ZC_NLP_HPREV(0) - r);
            else fprintf(f, "%s%s", j ? ", " : "", a->node[r].name);
        }
        fprintf(f, ")%s\n", (lv >> order[o]) & 1 ? "" : "   (reaches no output)");
    }
    fprintf(f, "model: embedding %d x %d (tied decoder), %d layers of hidden %d (last %d), %d steps\n", d.vocab, d.emsize,
            d.nlayers, d.nhid, d.emsize, d.seq_len);
}

static uint64_t nlp_stream(const zc_space_ctx *ctx, const void *arch)
{
    char s[ZC_NLP_JSON_MAX];
    nlp_format(ctx, arch, s, sizeof s);
    return zc_space_hash(s);
}

const zc_space zc_space_nbnlp = {
    .name = "nbnlp",
    .aliases = "nas-bench-nlp,nasbenchnlp,nlp",
    .title = "NAS-Bench-NLP: recurrent cells (JSON recipes) in a 3-layer language model on PTB / WikiText-2",
    .arch_size = sizeof(zc_nlp_arch),
    .str_max = ZC_NLP_JSON_MAX,
    .bench_table = "nbnlp_wikitext2_logs.csv",
    .bench_rows = "arch=recipe_json",
    .dataset = "ptb",
    .datasets = ZC_NLP_DATASET_LIST,
    .num_classes = -1,
    .resolution = 1,
    .target = "final_test_loss",
    .target_minimised = 1,
    .reported_dataset = "ptb",
    .reported_note = "epsinas NAS-Bench-NLP/Graphics.ipynb: 14,322 cells trained on Penn Treebank, single run, against "
                     "final test loss (lower is better: a good proxy correlates negatively). The public logs here are "
                     "the 345 cells trained on WikiText-2, so the rows compare in kind, not in value.",
    .eps_weights = {1e-5f, 1e-3f},
    .open = nlp_open,
    .parse = nlp_parse,
    .format = nlp_format,
    .size = nlp_size,
    .sample = nlp_sample,
    .mutate = nlp_mutate,
    .build = nlp_build,
    .cost = zc_space_network_cost,   /* MACs of one sequence of 70 tokens, the parameters num_params counts */
    .info = nlp_info,
    .stream = nlp_stream,
    .load_batches = zc_nlp_load_batches,
    .data_source = zc_nlp_data_source,
};
