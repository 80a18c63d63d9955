/* The reference backend: plain C, every op, kept simple; the oracle for faster backends. */
#include "backends/backend_impl.h"
#include "ref.h"

typedef zc_status (*ref_fn)(zc_net *, zc_node *, int);

static const ref_fn forward_fns[ZC_OP_COUNT] = {
    [ZC_OP_CONV2D] = zci_ref_conv2d_forward, [ZC_OP_BATCHNORM] = zci_ref_batchnorm_forward,
    [ZC_OP_RELU] = zci_ref_relu_forward,     [ZC_OP_AVGPOOL] = zci_ref_avgpool_forward,
    [ZC_OP_GAP] = zci_ref_gap_forward,       [ZC_OP_LINEAR] = zci_ref_linear_forward,
    [ZC_OP_ADD] = zci_ref_add_forward,       [ZC_OP_ZERO] = zci_ref_zero_forward,
    [ZC_OP_SIGMOID] = zci_ref_sigmoid_forward, [ZC_OP_SCALE] = zci_ref_scale_forward,
    [ZC_OP_MAXPOOL] = zci_ref_maxpool_forward, [ZC_OP_CONCAT] = zci_ref_concat_forward,
    [ZC_OP_TRUNCATE] = zci_ref_truncate_forward, [ZC_OP_DECONV2D] = zci_ref_deconv2d_forward,
    [ZC_OP_LEAKY_RELU] = zci_ref_leaky_relu_forward, [ZC_OP_TANH] = zci_ref_tanh_forward,
    [ZC_OP_SHIFT] = zci_ref_shift_forward,   [ZC_OP_UNTILE] = zci_ref_untile_forward,
    [ZC_OP_EMBEDDING] = zci_rnn_embedding_forward, [ZC_OP_MUL] = zci_rnn_mul_forward,
    [ZC_OP_BLEND] = zci_rnn_blend_forward,   [ZC_OP_STEP] = zci_rnn_step_forward,
    [ZC_OP_STACK] = zci_rnn_stack_forward,   [ZC_OP_STATE] = zci_rnn_state_forward,
};
static const ref_fn backward_fns[ZC_OP_COUNT] = {
    [ZC_OP_CONV2D] = zci_ref_conv2d_backward, [ZC_OP_BATCHNORM] = zci_ref_batchnorm_backward,
    [ZC_OP_RELU] = zci_ref_relu_backward,     [ZC_OP_AVGPOOL] = zci_ref_avgpool_backward,
    [ZC_OP_GAP] = zci_ref_gap_backward,       [ZC_OP_LINEAR] = zci_ref_linear_backward,
    [ZC_OP_ADD] = zci_ref_add_backward,       [ZC_OP_ZERO] = zci_ref_zero_backward,
    [ZC_OP_SIGMOID] = zci_ref_sigmoid_backward, [ZC_OP_SCALE] = zci_ref_scale_backward,
    [ZC_OP_MAXPOOL] = zci_ref_maxpool_backward, [ZC_OP_CONCAT] = zci_ref_concat_backward,
    [ZC_OP_TRUNCATE] = zci_ref_truncate_backward, [ZC_OP_DECONV2D] = zci_ref_deconv2d_backward,
    [ZC_OP_LEAKY_RELU] = zci_ref_leaky_relu_backward, [ZC_OP_TANH] = zci_ref_tanh_backward,
    [ZC_OP_SHIFT] = zci_ref_shift_backward,   [ZC_OP_UNTILE] = zci_ref_untile_backward,
    [ZC_OP_EMBEDDING] = zci_ref_embedding_backward, [ZC_OP_MUL] = zci_ref_mul_backward,
    [ZC_OP_BLEND] = zci_ref_blend_backward,   [ZC_OP_STEP] = zci_ref_step_backward,
    [ZC_OP_STACK] = zci_ref_stack_backward,   [ZC_OP_STATE] = zci_rnn_state_backward,
};

static zc_status ref_forward(void *ctx, zc_net *net, zc_node *node, int batch, zc_run_mode mode)
{
    (void)ctx;
    (void)mode;
    ref_fn f = (node->op >= 0 && node->op < ZC_OP_COUNT) ? forward_fns[node->op] : NULL;
    if (!f) return zc_fail(ZC_EUNSUPPORTED, "ref backend: no forward for op %s", zc_op_name(node->op));
    return f(net, node, batch);
}

static zc_status ref_backward(void *ctx, zc_net *net, zc_node *node, int batch)
{
    (void)ctx;
    ref_fn f = (node->op >= 0 && node->op < ZC_OP_COUNT) ? backward_fns[node->op] : NULL;
    if (!f) return zc_fail(ZC_EUNSUPPORTED, "ref backend: no backward for op %s", zc_op_name(node->op));
    return f(net, node, batch);
}

static const zc_backend ref_backend = {
    .name = "ref",
    .forward = ref_forward,
    .backward = ref_backward,
    .alloc = zci_host_alloc,
    .release = zci_host_release,
    .read = zci_host_read,
    .write = zci_host_write,
    .host_memory = 1,
};

const zc_backend *zci_backend_ref(void) { return &ref_backend; }
