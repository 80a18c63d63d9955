/* Average pooling (k x k window, stride, zero padding, PyTorch's count_include_pad rule) and
 * global average pooling. */
#include "ref.h"

/* Number of elements averaged by the window at output (oy, ox). */
static int window_count(const zc_node *in, const zc_node *node, int oy, int ox)
{
    int y0 = oy * node->stride - node->pad, x0 = ox * node->stride - node->pad;
    int y1 = y0 + node->k, x1 = x0 + node->k;
    if (node->count_include_pad) {
        /* PyTorch clips the window to the padded extent before counting. */
        int yh = y1 < in->h + node->pad ? y1 : in->h + node->pad;
        int xh = x1 < in->w + node->pad ? x1 : in->w + node->pad;
        return (yh - y0) * (xh - x0);
    }
    int ya = y0 < 0 ? 0 : y0, xa = x0 < 0 ? 0 : x0;
    int yb = y1 > in->h ? in->h : y1, xb = x1 > in->w ? in->w : x1;
    return (yb - ya) * (xb - xa);
}

zc_status zc_ref_avgpool_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zc_ref_input(net, node, 0);
    for (int bc = 0; bc < batch * node->c; bc++) {
        const float *x = in->out + (size_t)bc * in->h * in->w;
        float *y = node->out + (size_t)bc * node->h * node->w;
        for (int oy = 0; oy < node->h; oy++)
            for (int ox = 0; ox < node->w; ox++) {
                int y0 = oy * node->stride - node->pad, x0 = ox * node->stride - node->pad;
                float s = 0.0f;
                for (int iy = y0; iy < y0 + node->k; iy++) {
                    if (iy < 0 || iy >= in->h) continue;
                    for (int ix = x0; ix < x0 + node->k; ix++)
                        if (ix >= 0 && ix < in->w) s += x[iy * in->w + ix];
                }
                y[oy * node->w + ox] = s / (float)window_count(in, node, oy, ox);
            }
    }
    return ZC_OK;
}

zc_status zc_ref_avgpool_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zc_ref_input(net, node, 0);
    for (int bc = 0; bc < batch * node->c; bc++) {
        float *dx = in->grad + (size_t)bc * in->h * in->w;
        const float *dy = node->grad + (size_t)bc * node->h * node->w;
        for (int oy = 0; oy < node->h; oy++)
            for (int ox = 0; ox < node->w; ox++) {
                int y0 = oy * node->stride - node->pad, x0 = ox * node->stride - node->pad;
                float g = dy[oy * node->w + ox] / (float)window_count(in, node, oy, ox);
                for (int iy = y0; iy < y0 + node->k; iy++) {
                    if (iy < 0 || iy >= in->h) continue;
                    for (int ix = x0; ix < x0 + node->k; ix++)
                        if (ix >= 0 && ix < in->w) dx[iy * in->w + ix] += g;
                }
            }
    }
    return ZC_OK;
}

zc_status zc_ref_gap_forward(zc_net *net, zc_node *node, int batch)
{
    const zc_node *in = zc_ref_input(net, node, 0);
    size_t hw = (size_t)in->h * in->w;
    for (int bc = 0; bc < batch * node->c; bc++) {
        const float *x = in->out + (size_t)bc * hw;
        double s = 0.0;
        for (size_t j = 0; j < hw; j++) s += x[j];
        node->out[bc] = (float)(s / (double)hw);
    }
    return ZC_OK;
}

zc_status zc_ref_gap_backward(zc_net *net, zc_node *node, int batch)
{
    zc_node *in = zc_ref_input(net, node, 0);
    size_t hw = (size_t)in->h * in->w;
    for (int bc = 0; bc < batch * node->c; bc++) {
        float g = node->grad[bc] / (float)hw;
        float *dx = in->grad + (size_t)bc * hw;
        for (size_t j = 0; j < hw; j++) dx[j] += g;
    }
    return ZC_OK;
}
