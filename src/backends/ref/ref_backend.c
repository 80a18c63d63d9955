/* The reference backend: plain C, every op, kept simple; the oracle for faster backends. */
#include "zcnas/backend.h"
#include "ref.h"

typedef zc_status (*ref_fn)(zc_net *, zc_node *, int);

static const ref_fn forward_fns[ZC_OP_COUNT] = {
    [ZC_OP_CONV2D] = zc_ref_conv2d_forward, [ZC_OP_BATCHNORM] = zc_ref_batchnorm_forward,
    [ZC_OP_RELU] = zc_ref_relu_forward,     [ZC_OP_AVGPOOL] = zc_ref_avgpool_forward,
    [ZC_OP_GAP] = zc_ref_gap_forward,       [ZC_OP_LINEAR] = zc_ref_linear_forward,
    [ZC_OP_ADD] = zc_ref_add_forward,       [ZC_OP_ZERO] = zc_ref_zero_forward,
    [ZC_OP_SIGMOID] = zc_ref_sigmoid_forward, [ZC_OP_SCALE] = zc_ref_scale_forward,
};
static const ref_fn backward_fns[ZC_OP_COUNT] = {
    [ZC_OP_CONV2D] = zc_ref_conv2d_backward, [ZC_OP_BATCHNORM] = zc_ref_batchnorm_backward,
    [ZC_OP_RELU] = zc_ref_relu_backward,     [ZC_OP_AVGPOOL] = zc_ref_avgpool_backward,
    [ZC_OP_GAP] = zc_ref_gap_backward,       [ZC_OP_LINEAR] = zc_ref_linear_backward,
    [ZC_OP_ADD] = zc_ref_add_backward,       [ZC_OP_ZERO] = zc_ref_zero_backward,
    [ZC_OP_SIGMOID] = zc_ref_sigmoid_backward, [ZC_OP_SCALE] = zc_ref_scale_backward,
};

static zc_status ref_forward(zc_net *net, zc_node *node, int batch, zc_run_mode mode)
{
    (void)mode;
    ref_fn f = (node->op >= 0 && node->op < ZC_OP_COUNT) ? forward_fns[node->op] : NULL;
    if (!f) return zc_fail(ZC_EUNSUPPORTED, "ref backend: no forward for op %s", zc_op_name(node->op));
    return f(net, node, batch);
}

static zc_status ref_backward(zc_net *net, zc_node *node, int batch)
{
    ref_fn f = (node->op >= 0 && node->op < ZC_OP_COUNT) ? backward_fns[node->op] : NULL;
    if (!f) return zc_fail(ZC_EUNSUPPORTED, "ref backend: no backward for op %s", zc_op_name(node->op));
    return f(net, node, batch);
}

static const zc_backend ref_backend = {"ref", ref_forward, ref_backward, NULL, NULL, 0, NULL};

const zc_backend *zc_backend_ref(void) { return &ref_backend; }
