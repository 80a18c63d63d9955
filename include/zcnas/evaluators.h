/* Evaluators: ways of running a network other than the backends' float32 forward/backward, for
 * proxies whose networks are special (src/evaluators/). They read the graph and the parameter values
 * through the accessors of net.h and keep their own buffers. */
#ifndef ZCNAS_EVALUATORS_H
#define ZCNAS_EVALUATORS_H
#include "zcnas/net.h"

/* 1 when every parameter tensor holds one repeated constant (epsilon's initialisation). */
int zc_net_params_constant(zc_net *net);
/* Exact forward pass of such a network (uniform.c): identical channels are carried once, repeated
 * subexpressions and exactly-zero maps are not recomputed. y receives the output, plain NCHW
 * (batch x dim); the same values as zc_net_forward up to float summation order. ZC_EUNSUPPORTED
 * when the parameters are not constant. */
zc_status zc_eval_uniform(zc_net *net, const float *x, int batch, float *y);
/* synflow (zero-cost-nas) of an initialised network (synflow.c), in float64 on |parameters| with
 * BN as the identity and an all-ones input of batch 1; the net itself is not modified. */
zc_status zc_synflow_net(zc_net *net, double *score);

#endif
