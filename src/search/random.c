/* Random search (epsinas "Search", ZiCo Table 4 by traversal of a sample): N architectures drawn
 * uniformly WITH replacement (epsinas: np.random.choice over the space; here the space's seeded
 * sample, so the draws are not numpy's), the highest score wins. epsinas sets NaN scores to 0 before
 * the argmax (its scores are positive, so NaN loses); here NaN simply ranks below every number.
 * Budgets are met by rejection sampling, which keeps the draw uniform over the feasible set. */
#include <stdlib.h>
#include "search/search_impl.h"

zc_status zci_search_random(zci_search *s)
{
    int n = s->o->evals;
    unsigned char *archs = calloc((size_t)n, s->asz);
    double *sc = calloc((size_t)n, sizeof *sc);
    zc_status st = archs && sc ? ZC_OK : zc_fail(ZC_ENOMEM, "search: out of memory");
    for (int i = 0; i < n && st == ZC_OK; i++) st = zci_search_draw(s, archs + (size_t)i * s->asz);
    /* scored in chunks only where a stop flag must be polled: each score depends on the architecture
     * alone, so the chunks change nothing but where the search may stop */
    int chunk = s->o->stop ? 64 : n;
    for (int i0 = 0; i0 < n && st == ZC_OK && !zci_search_stopped(s); i0 += chunk) {
        int m = n - i0 < chunk ? n - i0 : chunk;
        st = zci_search_score(s, archs + (size_t)i0 * s->asz, m, sc + i0);
        for (int i = i0; i < i0 + m && st == ZC_OK; i++) zci_search_record(s, archs + (size_t)i * s->asz, sc[i]);
    }
    free(archs);
    free(sc);
    return st;
}
