/* The proxy table: one row per proxy (each defined in its own file, src/proxies/<name>.c), and the
 * two counters, which are the space's own (zc_space_cost). */
#include <stdio.h>
#include <string.h>
#include "proxies/proxy_impl.h"

void zc_proxy_opts_default(zc_proxy_opts *o)
{
    memset(o, 0, sizeof *o);   /* epsilon's weights 0, 0: the space's (zc_epsilon_weights) */
}

static zc_status score_params(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    (void)o;
    zc_cost c;
    zc_status st = zc_space_cost(in->space, in->arch, &c);
    if (st == ZC_OK) *score = c.params;
    return st;
}

static zc_status score_flops(const zc_proxy_input *in, const zc_proxy_opts *o, double *score)
{
    (void)o;
    zc_cost c;
    zc_status st = zc_space_cost(in->space, in->arch, &c);
    if (st == ZC_OK) *score = c.flops;
    return st;
}

#define NO_INPUT {ZC_INPUT_NONE, NULL, 0, 0, 0, 0}
static const zc_proxy zc_proxy_params = {
    .name = "params",
    .help = "number of trainable parameters (as the space's benchmark counts them)",
    .data = NO_INPUT,
    .init = ZC_INIT_NONE,
    .score = score_params,
    .is_count = 1,
};
static const zc_proxy zc_proxy_flops = {
    .name = "flops",
    .help = "multiply-accumulates per image (as the space's benchmark counts them)",
    .data = NO_INPUT,
    .init = ZC_INIT_NONE,
    .score = score_flops,
    .is_count = 1,
};

extern const zc_proxy zc_proxy_zico, zc_proxy_epsilon, zc_proxy_grad_norm, zc_proxy_snip, zc_proxy_grasp,
    zc_proxy_fisher, zc_proxy_synflow, zc_proxy_jacob_cov, zc_proxy_nwot, zc_proxy_zen, zc_proxy_l2_norm,
    zc_proxy_plain, zc_proxy_az_nas, zc_proxy_meco, zc_proxy_meco_opt, zc_proxy_swap, zc_proxy_reg_swap,
    zc_proxy_te_nas, zc_proxy_vkdnw;

static const zc_proxy *const all_proxies[] = {
    &zc_proxy_zico, &zc_proxy_epsilon, &zc_proxy_params, &zc_proxy_flops, &zc_proxy_grad_norm,
    &zc_proxy_snip, &zc_proxy_grasp, &zc_proxy_fisher, &zc_proxy_synflow, &zc_proxy_jacob_cov,
    &zc_proxy_nwot, &zc_proxy_zen, &zc_proxy_l2_norm, &zc_proxy_plain, &zc_proxy_az_nas, &zc_proxy_meco,
    &zc_proxy_meco_opt, &zc_proxy_swap, &zc_proxy_reg_swap, &zc_proxy_te_nas, &zc_proxy_vkdnw, NULL};

const zc_proxy *const *zc_proxy_all(void) { return all_proxies; }

int zc_proxy_n_outputs(const zc_proxy *p)
{
    int n = 0;
    if (!p->outputs) return 1;
    while (p->outputs[n]) n++;
    return n;
}

const char *zc_proxy_output(const zc_proxy *p, int k)
{
    return p->outputs ? p->outputs[k] : p->name;
}

const zc_proxy *zc_proxy_find(const char *name)
{
    for (int i = 0; name && all_proxies[i]; i++)
        if (strcmp(all_proxies[i]->name, name) == 0) return all_proxies[i];
    char list[512];
    int o = 0;
    for (int i = 0; all_proxies[i] && o < (int)sizeof list; i++)
        o += snprintf(list + o, sizeof list - (size_t)o, "%s%s", i ? ", " : "", all_proxies[i]->name);
    zc_fail(ZC_EINVAL, "unknown proxy '%s' (expected one of %s)", name ? name : "", list);
    return NULL;
}

int zc_proxy_uses_stream(const zc_proxy *p)
{
    return p->init == ZC_INIT_DEFAULT || p->init == ZC_INIT_GAUSSIAN || p->init == ZC_INIT_KAIMING;
}
