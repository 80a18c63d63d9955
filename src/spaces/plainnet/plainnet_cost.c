/* The PlainNet counter (ZenNAS PlainNet/basic_blocks.py get_FLOPs / get_model_size, MasterNet
 * get_num_layers), reproduced operation by operation:
 *   ConvKX  FLOPs C_in*C_out*k^2*res^2 // s^2 // groups, params C_in*C_out*k^2 // groups
 *   ConvDW  FLOPs C*k^2*res^2 // s^2, params C*k^2
 *   BN      FLOPs res^2*C (at its input resolution), params C;  RELU: 0
 *   SE(C)   FLOPs C*s + s*C + C + C*res^2, params C*s + 2s + s*C + 2C, s = max(1, round(C/4))
 *   ResBlock(Proj) projection: FLOPs C_in*C_out*(r/s)^2 + (r/s)^2*C_out with r the block's OUTPUT
 *           resolution (the stride applied twice; Python float), params C_in*C_out + C_out
 *   Linear  FLOPs in*out, params in*out + 1 (the bias counts as one parameter)
 * res is the layer's input resolution, and every strided layer maps it to res // s. FLOPs are
 * accumulated in double in the official order (integers inside a ResBlock, floats above). */
#include <math.h>
#include "spaces/plainnet/plainnet.h"

typedef struct counter {
    double flops;     /* current super-block's float accumulator */
    int64_t params;
} counter;

static int64_t conv_flops(int64_t cin, int64_t cout, int64_t k, int64_t res, int64_t s, int64_t groups)
{
    return cin * cout * k * k * res * res / (s * s) / groups;
}

static int se_channels(int c) { int s = (int)rint(c * 0.25); return s < 1 ? 1 : s; }

/* ConvKX(1x1, cin->m) BN RELU ConvDW(m, k, s) BN RELU [SE(m)] ConvKX(1x1, m->cout) BN: the inner
 * blocks of one unit. Returns their integer FLOPs sum (the per-op values are also added one by one
 * to c->flops when `separate`, as the no_reslink block list does) and updates *res. */
static int64_t unit_inner(counter *c, int cin, int m, int cout, int k, int s, int use_se, int *res, int separate)
{
    int64_t ops[12];
    int n = 0;
    int64_t r = *res;
    ops[n++] = conv_flops(cin, m, 1, r, 1, 1);           /* ConvKX 1x1 */
    ops[n++] = r * r * m;                                /* BN */
    ops[n++] = 0;                                        /* RELU */
    ops[n++] = (int64_t)m * k * k * r * r / ((int64_t)s * s);   /* ConvDW */
    r /= s;
    ops[n++] = r * r * m;                                /* BN */
    ops[n++] = 0;                                        /* RELU */
    if (use_se) {
        int64_t se = se_channels(m);
        ops[n++] = m * se + se * m + m + m * r * r;
        c->params += m * se + 2 * se + se * m + 2 * (int64_t)m;
    }
    ops[n++] = conv_flops(m, cout, 1, r, 1, 1);          /* ConvKX 1x1 */
    ops[n++] = r * r * cout;                             /* BN */
    c->params += (int64_t)cin * m + m + (int64_t)m * k * k + m + (int64_t)m * cout + cout;
    *res = (int)r;
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        sum += ops[i];
        if (separate) c->flops += (double)ops[i];
    }
    return sum;
}

/* One residual unit: ResBlockProj (always_proj) or ResBlock (projection if stride > 1 or
 * C_in != C_out), or the bare inner ops with no_reslink; the trailing RELU counts 0. */
static void unit(counter *c, int cin, int m, int cout, int k, int s, int use_se, int *res, int no_reslink,
                 int always_proj)
{
    if (no_reslink) {
        unit_inner(c, cin, m, cout, k, s, use_se, res, 1);
        c->flops += 0.0;   /* RELU */
        return;
    }
    int64_t inner = unit_inner(c, cin, m, cout, k, s, use_se, res, 0);
    /* ResBlock's own stride: 1024 // (output resolution of 1024). */
    int rs = 1024 / (1024 / s);
    double block = (double)inner;
    if (always_proj || rs > 1 || cin != cout) {
        double q = (double)*res / (double)rs;
        double q2 = q * q;
        block += (double)((int64_t)cin * cout) * q2 + q2 * (double)cout;
        c->params += (int64_t)cin * cout + cout;
    }
    c->flops += block;
    c->flops += 0.0;   /* RELU */
}

zc_status zc_plainnet_cost(const zc_plainnet *s, const zc_plainnet_config *cfg, double *flops,
                           int64_t *params, int *layers)
{
    zc_status st = zc_plainnet_validate(s);
    if (st != ZC_OK) return st;
    if (cfg->num_classes < 1 || cfg->resolution < 1 || cfg->resolution > 4096)
        return zc_fail(ZC_EINVAL, "plainnet: invalid configuration (classes %d, resolution %d)", cfg->num_classes,
                       cfg->resolution);
    double total = 0.0;
    int64_t total_params = 0;
    int res = cfg->resolution;
    for (int i = 0; i < s->n; i++) {
        const zc_plainnet_block *b = &s->blocks[i];
        counter c = {0.0, 0};
        if (b->kind == ZC_PLAINNET_CONV) {
            int cin = b->c_in;
            for (int l = 0; l < b->layers; l++) {
                int st_ = l == 0 ? b->stride : 1;
                c.flops += (double)conv_flops(cin, b->c_out, b->k, res, st_, 1);
                res /= st_;
                c.flops += (double)((int64_t)res * res * b->c_out);   /* BN */
                c.flops += 0.0;                                        /* RELU */
                c.params += (int64_t)cin * b->c_out * b->k * b->k + b->c_out;
                cin = b->c_out;
            }
        } else {
            int m1 = zc_plainnet_smart_round((double)b->bottleneck * b->e, 8);
            int m2 = zc_plainnet_smart_round((double)b->c_out * b->e, 8);
            int cin = b->c_in;
            for (int l = 0; l < b->layers; l++) {
                unit(&c, cin, m1, b->bottleneck, b->k, l == 0 ? b->stride : 1, cfg->use_se, &res, cfg->no_reslink,
                     l == 0);
                unit(&c, b->bottleneck, m2, b->c_out, b->k, 1, cfg->use_se, &res, cfg->no_reslink, 0);
                cin = b->c_out;
            }
        }
        total += c.flops;
        total_params += c.params;
    }
    int64_t last = s->blocks[s->n - 1].c_out;
    total += (double)(last * cfg->num_classes);
    total_params += last * cfg->num_classes + 1;
    if (flops) *flops = total;
    if (params) *params = total_params;
    if (layers) *layers = zc_plainnet_layers(s);
    return ZC_OK;
}
