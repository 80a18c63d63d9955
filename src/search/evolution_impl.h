/* The state of ZiCo's evolutionary search, shared with its checkpoint and log code (internal). */
#ifndef ZC_EVOLUTION_IMPL_H
#define ZC_EVOLUTION_IMPL_H
#include <stdio.h>
#include "zcnas/search.h"

#define ZCI_EVO_STREAM 0xFFFFFFFFFFFFFF00ull   /* candidates use streams 0.. (their iteration) */

typedef struct zci_evo_member {
    double score, flops, params;
    int layers;
} zci_evo_member;

typedef struct zci_evo {
    const zc_evo_opts *o;
    size_t asz;
    void *initial, *child;   /* architectures */
    char *str;               /* scratch: a formatted architecture */
    zc_rng rng;
    long iteration;
    long scored, rej_layers, rej_params, rej_flops, rej_nan;
    zci_evo_member *pop;     /* n members ... */
    unsigned char *archs;    /* ... and their architectures */
    double *raw;             /* ... and (aggregate) their k sub-scores each */
    int n, cap, k;           /* k: sub-scores per member (0: ZiCo's search) */
    long rejected_in_row;    /* (aggregate) rejections since the last scored candidate */
    /* the batch mode (opts.batch > 1): B children, those to score, their strings, streams, values,
     * members and log rows */
    unsigned char *batch_archs, *batch_scored;
    char *batch_strs;
    uint64_t *batch_streams;
    double *batch_values;
    zci_evo_member *batch_members;
    zc_evo_candidate *batch_cands;
    FILE *log;
    long log_offset;         /* of the checkpoint being loaded */
} zci_evo;

/* Appends a member (raw: its k sub-scores, or NULL when k is 0). */
zc_status zci_evo_push(zci_evo *st, const zci_evo_member *m, const void *arch, const double *raw);
/* (aggregate) Every member's score from the sub-scores of all of them. */
zc_status zci_evo_rescore(zci_evo *st);
/* checkpoint.c: the exact state, written atomically; read back with the fingerprint checked. */
zc_status zci_evo_write_checkpoint(zci_evo *st);
zc_status zci_evo_read_checkpoint(zci_evo *st, FILE *f);
/* The candidate log: opened fresh, or cut back to the checkpoint on resume. */
zc_status zci_evo_open_log(zci_evo *st, int resumed);
zc_status zci_evo_log(zci_evo *st, const zc_evo_candidate *c);
zc_status zci_evo_close_log(zci_evo *st);

#endif
