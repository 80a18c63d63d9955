/* What determines a run's scores (zcnas/run.h), as "key=value" items: recorded at the top of every
 * output file and checkpoint, and compared on --resume, so that rows computed another way (other
 * proxies or options, seed, data, version) are never appended to a file, and the refusal can name
 * the difference. The data is identified by the content of the batches drawn (MD5), so a moved copy
 * of the same dataset matches and a different file of the same name does not. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "run_impl.h"
#include "util/util.h"
#include "zcnas/backend.h"
#include "zcnas/zcnas.h"

typedef struct fp_buf {
    char *s;
    size_t cap, n;
    int overflow;
} fp_buf;

/* One item; the value percent-escaped so that items split on spaces and embed in a JSON string. */
static void item(fp_buf *b, const char *key, const char *fmt, ...)
{
    char val[4200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof val, fmt, ap);
    va_end(ap);
    char esc[3 * sizeof val];
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
        if (*p <= ' ' || *p >= 127 || *p == '%' || *p == '"' || *p == '\\' || *p == '=') k += (size_t)sprintf(esc + k, "%%%02X", *p);
        else esc[k++] = (char)*p;
    }
    esc[k] = '\0';
    int w = snprintf(b->s + b->n, b->cap - b->n, "%s%s=%s", b->n ? " " : "", key, esc);
    if (w < 0 || (size_t)w >= b->cap - b->n) b->overflow = 1;
    else b->n += (size_t)w;
}

static int has_proxy(const zc_run_opts *o, const char *prefix)
{
    for (int p = 0; p < o->n_proxies; p++)
        if (!strncmp(o->proxies[p]->name, prefix, strlen(prefix))) return 1;
    return 0;
}

/* The shortest %g that reads back as the same float (1e-07, not 1.00000001e-07). */
static const char *shortest(float v, char buf[32])
{
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(buf, 32, "%.*g", digits, v);
        if (strtof(buf, NULL) == v) break;
    }
    return buf;
}

/* MD5 of a lane's batches (inputs, labels and targets), as 16 hex digits. */
static void lane_digest(const lane *l, char out[17])
{
    size_t n = (size_t)l->n_batches * 3 * 33 + 1, k = 0;
    char *all = malloc(n), hex[33];
    if (!all) { strcpy(out, "unknown"); return; }
    for (int b = 0; b < l->n_batches; b++) {
        const zc_batch *x = &l->batches[b];
        size_t px = (size_t)x->n * x->c * x->h * x->w;
        zci_md5_hex(x->x, x->x ? px * sizeof *x->x : 0, hex);
        memcpy(all + k, hex, 32), k += 32;
        zci_md5_hex(x->y, x->y ? (size_t)x->n * (size_t)(x->y_dim > 0 ? x->y_dim : 1) * sizeof *x->y : 0, hex);
        memcpy(all + k, hex, 32), k += 32;
        zci_md5_hex(x->t, x->t ? (size_t)x->n * (size_t)x->t_dim * sizeof *x->t : 0, hex);
        memcpy(all + k, hex, 32), k += 32;
    }
    zci_md5_hex(all, k, hex);
    free(all);
    memcpy(out, hex, 16);
    out[16] = '\0';
}

zc_status zc_run_fingerprint(const zc_run *r, char *buf, size_t cap)
{
    if (!r || !buf || cap < 2) return zc_fail(ZC_EINVAL, "zc_run_fingerprint: no run or buffer");
    const zc_run_opts *o = &r->o;
    const zc_space_ctx *sp = o->space;
    const zc_proxy_opts *po = &o->proxy_opts;
    fp_buf b = {buf, cap, 0, 0};
    buf[0] = '\0';
    item(&b, "zcnas", "%s", ZCNAS_VERSION);
    item(&b, "space", "%s", sp->space->name);
    if (sp->space->tasks) item(&b, "task", "%s", sp->cfg.task ? sp->cfg.task : "default");
    if (sp->space->datasets) item(&b, "space_dataset", "%s", sp->cfg.dataset ? sp->cfg.dataset : "default");
    item(&b, "classes", "%d", sp->cfg.num_classes);
    item(&b, "resolution", "%d", sp->cfg.resolution);
    if (sp->cfg.cost_resolution > 0) item(&b, "cost_resolution", "%d", sp->cfg.cost_resolution);
    char names[ZC_RUN_MAX_PROXIES * 40] = "";
    for (int p = 0; p < o->n_proxies; p++) {
        if (p) strncat(names, ",", sizeof names - strlen(names) - 1);
        strncat(names, o->proxies[p]->name, sizeof names - strlen(names) - 1);
    }
    item(&b, "proxies", "%s", names);
    item(&b, "seed", "%llu", (unsigned long long)o->seed);
    item(&b, "backend", "%s", zc_backend_name(po->backend));
    item(&b, "backend_threads", "%d", o->backend_threads > 0 ? o->backend_threads : 1);
    /* the options of the proxies in the run (others do not change its scores) */
    if (has_proxy(o, "zico")) item(&b, "zico_std", "%s", po->zico_paper_std ? "abs" : "signed");
    if (has_proxy(o, "epsilon")) {
        float lo, hi;
        zc_epsilon_weights(sp->space, po, &lo, &hi);
        char l[32], h[32];
        item(&b, "epsilon_weights", "%s,%s", shortest(lo, l), shortest(hi, h));
        item(&b, "epsilon_network", "%s", po->eps_exact_full ? "full" : "exact");
    }
    if (has_proxy(o, "swap") || has_proxy(o, "reg_swap")) item(&b, "swap_repeats", "%d", po->swap_repeats > 0 ? po->swap_repeats : 32);
    if (has_proxy(o, "reg_swap"))
        item(&b, "reg_swap", "%.17g,%.17g", po->reg_swap_mu > 0 ? po->reg_swap_mu : 1000,
             po->reg_swap_sigma > 0 ? po->reg_swap_sigma : 5e5);
    if (has_proxy(o, "meco")) item(&b, "meco_input", "%s", po->meco_random_input ? "random" : "real");
    if (has_proxy(o, "vkdnw")) item(&b, "vkdnw_constants", "%s", po->vkdnw_exact_constants ? "exact" : "official");
    if (has_proxy(o, "grad_norm")) item(&b, "grad_norm", "%s", po->grad_norm_zico ? "zico" : "zero-cost");
    if (po->weights_dir) item(&b, "weights", "%s", po->weights_dir);
    if (po->arch_weights) item(&b, "arch_weights", "1");
    /* the data: each lane's size and the content of its batches */
    for (int k = 0; k < r->n_lanes; k++) {
        char key[64], digest[17];
        lane_digest(&r->lanes[k], digest);
        snprintf(key, sizeof key, "data_%s", r->lanes[k].name);
        item(&b, key, "%dx%d,md5:%s", r->lanes[k].n_batches, r->lanes[k].batch_size, digest);
    }
    if (b.overflow) return zc_fail(ZC_EINVAL, "run fingerprint: more than %zu bytes", cap);
    return ZC_OK;
}

/* The value of key in fp into val ("" when absent); 1 when present. */
static int value_of(const char *fp, const char *key, size_t klen, char *val, size_t cap)
{
    for (const char *p = fp; *p;) {
        size_t len = strcspn(p, " ");
        const char *eq = memchr(p, '=', len);
        if ((eq ? (size_t)(eq - p) : len) == klen && !memcmp(p, key, klen)) {   /* an item may be a bare word */
            size_t v = eq ? len - klen - 1 : 0;
            if (v >= cap) v = cap - 1;
            memcpy(val, eq ? eq + 1 : "", v);
            val[v] = '\0';
            return 1;
        }
        p += len;
        while (*p == ' ') p++;
    }
    val[0] = '\0';
    return 0;
}

/* Names the first item whose value differs (items of now first, then those only in old). */
static int diff_pass(const char *a, const char *b, int a_is_old, char *msg, size_t cap)
{
    char va[4200], vb[4200];
    for (const char *p = a; *p;) {
        size_t len = strcspn(p, " ");
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(klen < 255 ? klen : 255), p);
        snprintf(va, sizeof va, "%.*s", eq ? (int)(len - klen - 1) : 0, eq ? eq + 1 : "");
        int in_b = value_of(b, p, klen, vb, sizeof vb);
        if (!in_b || strcmp(va, vb)) {
            const char *other = in_b ? vb : "(none)";
            const char *old = a_is_old ? va : other, *now = a_is_old ? other : va;
            snprintf(msg, cap, "%s=%s, now %s=%s", key, old, key, now);
            return 1;
        }
        p += len;
        while (*p == ' ') p++;
    }
    return 0;
}

int zc_fingerprint_diff(const char *old, const char *now, char *msg, size_t cap)
{
    if (cap) msg[0] = '\0';
    if (diff_pass(now, old, 0, msg, cap)) return 1;
    return diff_pass(old, now, 1, msg, cap);
}
