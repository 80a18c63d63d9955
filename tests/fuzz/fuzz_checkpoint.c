/* Fuzzes the evolutionary search's checkpoint reader (src/search/checkpoint.c, zci_evo_read_checkpoint, as
 * zc_evo_search --resume calls it). The first byte picks the space (bit 1: zennas or nb201), ZiCo's search
 * or AZ-NAS' aggregate variant with sub-scores (bit 2), and whether the harness appends the correct
 * "md5 <hex>" line itself (bit 0), so that half of the inputs get past the checksum; the rest is the file.
 * Asserts: a failure leaves an error message; a checkpoint that reads writes back (zci_evo_write_checkpoint)
 * to one that reads to the same state (iteration, random stream, counters, members bit for bit, their
 * architectures), and its aggregate scores recompute. */
#include <math.h>
#include "fuzz_common.h"
#include "search/evolution_impl.h"
#include "util/util.h"
#include "zcnas/proxy.h"
#include "zcnas/space.h"

static zc_space_ctx *spaces[2];
static zc_evo_opts opts[2][2];   /* [space][aggregate] */
static char path[512], path2[512];

static void setup(void)
{
    unsetenv(ZC_DATA_ENV);
    ZCF_SETUP(zc_space_open(zc_space_find("zennas"), NULL, &spaces[0]) == ZC_OK, "zennas");
    ZCF_SETUP(zc_space_open(zc_space_find("nb201"), NULL, &spaces[1]) == ZC_OK, "nb201");
    const zc_aggregate *az = zc_aggregate_find("az_nas");
    ZCF_SETUP(az, "aggregate az_nas");
    zcf_path(path, sizeof path, "search.ckpt");
    zcf_path(path2, sizeof path2, "again.ckpt");
    for (int s = 0; s < 2; s++)
        for (int a = 0; a < 2; a++) {
            zc_evo_opts *o = &opts[s][a];
            zc_evo_opts_default(o);
            o->space = spaces[s];
            o->aggregate = a ? az : NULL;
            o->checkpoint_path = path;
            o->resume = 1;
            o->fingerprint = a ? "version=0.3.0 space=x proxy=az_nas seed=0" : "version=0.3.0 space=x proxy=zico seed=0";
        }
}

static void init_state(zci_evo *st, const zc_evo_opts *o)
{
    memset(st, 0, sizeof *st);
    st->o = o;
    st->asz = o->space->space->arch_size;
    st->k = o->aggregate ? zc_aggregate_n_columns(o->aggregate) : 0;
    st->str = malloc(o->space->space->str_max);
    ZCF_SETUP(st->str, "allocation");
}

static void free_state(zci_evo *st)
{
    free(st->pop);
    free(st->archs);
    free(st->raw);
    free(st->str);
}

static zc_status read_checkpoint(zci_evo *st, const char *file)
{
    FILE *f = fopen(file, "r");
    ZCF_SETUP(f, file);
    zc_clear_error();
    zc_status st_ = zci_evo_read_checkpoint(st, f);
    fclose(f);
    return st_;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b)); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!spaces[0]) setup();
    if (size < 1) return 0;
    const zc_evo_opts *o = &opts[(data[0] >> 1) & 1][(data[0] >> 2) & 1];
    size_t n = size - 1;
    char *text = malloc(n + 38);
    ZCF_SETUP(text, "allocation");
    memcpy(text, data + 1, n);
    if (data[0] & 1) {
        char md5[33];
        zci_md5_hex(text, n, md5);
        n += (size_t)sprintf(text + n, "md5 %s\n", md5);
    }
    zcf_write(path, text, n);
    free(text);

    zci_evo st;
    init_state(&st, o);
    zc_status rc = read_checkpoint(&st, path);
    ZCF_CHECK_FAILED_WITH_MESSAGE(rc, "zci_evo_read_checkpoint");
    if (rc == ZC_OK) {
        zc_evo_opts o2 = *o;
        o2.checkpoint_path = path2;
        st.o = &o2;
        zc_clear_error();
        rc = zci_evo_write_checkpoint(&st);
        ZCF_CHECK(rc == ZC_OK, "a checkpoint that reads does not write: %s", zc_last_error());
        zci_evo st2;
        init_state(&st2, &o2);
        rc = read_checkpoint(&st2, path2);
        ZCF_CHECK(rc == ZC_OK, "a checkpoint written from one that reads does not read: %s", zc_last_error());
        ZCF_CHECK(st2.iteration == st.iteration && !memcmp(&st2.rng, &st.rng, sizeof st.rng) && st2.scored == st.scored &&
                      st2.rej_layers == st.rej_layers && st2.rej_params == st.rej_params &&
                      st2.rej_flops == st.rej_flops && st2.rej_nan == st.rej_nan && st2.n == st.n,
                  "written back: another state (iteration %ld/%ld, members %d/%d)", st.iteration, st2.iteration, st.n,
                  st2.n);
        const zc_space_ctx *sp = o->space;
        char *other = malloc(sp->space->str_max);
        ZCF_SETUP(other, "allocation");
        for (int i = 0; i < st.n; i++) {
            const zci_evo_member *a = &st.pop[i], *b = &st2.pop[i];
            ZCF_CHECK(same(a->score, b->score) && same(a->flops, b->flops) && same(a->params, b->params) &&
                          a->layers == b->layers,
                      "member %d written back: %a %.17g %.17g %d, read %a %.17g %.17g %d", i, a->score, a->flops,
                      a->params, a->layers, b->score, b->flops, b->params, b->layers);
            for (int j = 0; j < st.k; j++)
                ZCF_CHECK(same(st.raw[(size_t)i * st.k + j], st2.raw[(size_t)i * st.k + j]), "member %d sub-score %d", i,
                          j);
            zc_space_format(sp, st.archs + (size_t)i * st.asz, st.str, sp->space->str_max);
            zc_space_format(sp, st2.archs + (size_t)i * st.asz, other, sp->space->str_max);
            ZCF_CHECK(!strcmp(st.str, other), "member %d written back as %s, read as %s", i, st.str, other);
        }
        free(other);
        free_state(&st2);
        zc_clear_error();
        rc = zci_evo_rescore(&st);
        ZCF_CHECK_FAILED_WITH_MESSAGE(rc, "zci_evo_rescore");
    }
    free_state(&st);
    return 0;
}
