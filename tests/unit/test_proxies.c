/* ZiCo and epsilon on their raw inputs: the hand-computed vectors of spec 1.3 and 2.1, and edge cases. */
#include <math.h>
#include "check.h"
#include "zcnas/zcnas.h"

static void test_zico_vectors(void)
{
    /* One layer, N = 2, K = 3: G = [[1, -1, 0.5], [3, 1, 0.5]] -> std [1, 1, 0], mean|g| [2, 1, 0.5];
     * element 3 dropped; S = 3; contribution ln 3. */
    const float g[6] = {1, -1, 0.5f, 3, 1, 0.5f};
    double term;
    int used;
    zc_zico_layer(g, 2, 3, 0, &term, &used);
    CHECK(used == 1);
    CHECK_NEAR(term, log(3.0), 1e-7);
    /* Paper variant: std of |g| = [1, 0, 0] keeps only element 1: ln 2. */
    zc_zico_layer(g, 2, 3, 1, &term, &used);
    CHECK(used == 1);
    CHECK_NEAR(term, log(2.0), 1e-7);
    /* A layer whose gradients are identical across batches (or zero) is dropped. */
    const float same[4] = {0.25f, 0, 0.25f, 0};
    zc_zico_layer(same, 2, 2, 0, &term, &used);
    CHECK(used == 0 && term == 0.0);
    /* N = 3: one element, values 1, 2, 3: mean|g| 2, population std sqrt(2/3). */
    const float three[3] = {1, 2, 3};
    zc_zico_layer(three, 3, 1, 0, &term, &used);
    CHECK_NEAR(term, log(2.0 / sqrt(2.0 / 3.0)), 1e-6);
}

static void test_epsilon_vectors(void)
{
    /* y_low = [1,2,3,4], y_high = [4,3,2,1] -> P = [[NaN,1/3,2/3,1],[1,2/3,1/3,NaN]]; valid pairs give
     * mae 1/3; mean of the 6 non-NaN entries 2/3; score 0.5. */
    const float lo[4] = {1, 2, 3, 4}, hi[4] = {4, 3, 2, 1};
    CHECK_NEAR(zc_epsilon_from_outputs(lo, hi, 4), 0.5, 1e-7);
    /* Identical rows: score 0. Constant output: NaN. */
    CHECK_NEAR(zc_epsilon_from_outputs(lo, lo, 4), 0.0, 0.0);
    const float flat[4] = {2, 2, 2, 2};
    CHECK(isnan(zc_epsilon_from_outputs(flat, hi, 4)));
    /* Affine rescaling does not change the normalised rows. */
    const float scaled[4] = {-7, -5, -3, -1};
    CHECK_NEAR(zc_epsilon_from_outputs(lo, scaled, 4), 0.0, 1e-7);
    /* NaN entries are ignored by the min/max and dropped from the means. */
    const float withnan[5] = {1, 2, NAN, 3, 4}, hi5[5] = {4, 3, 0, 2, 1};
    /* rows [NaN, 1/3, NaN, 2/3, 1] and [1, 3/4, NaN, 1/2, 1/4]: mae 4/9 over 3 pairs, mean 4.5/7. */
    CHECK_NEAR(zc_epsilon_from_outputs(withnan, hi5, 5), (4.0 / 9.0) / (4.5 / 7.0), 1e-6);
}

static void test_cross_entropy(void)
{
    const float logits[6] = {1, 2, 3, 0, 0, 0};
    const int labels[2] = {2, 1};
    double loss;
    float d[6];
    CHECK(zc_cross_entropy(logits, labels, 2, 3, &loss, d) == ZC_OK);
    double l0 = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3.0, l1 = log(3.0);
    CHECK_NEAR(loss, (l0 + l1) / 2, 1e-9);
    double s = 0;
    for (int i = 0; i < 6; i++) s += d[i];
    CHECK_NEAR(s, 0.0, 1e-7);   /* softmax minus one-hot sums to zero per row */
    const int bad[2] = {3, 0};
    CHECK(zc_cross_entropy(logits, bad, 2, 3, &loss, d) == ZC_EINVAL);
}

int main(void)
{
    test_zico_vectors();
    test_epsilon_vectors();
    test_cross_entropy();
    return check_report("test_proxies");
}
