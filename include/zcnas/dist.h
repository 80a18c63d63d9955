/* One zcnas job over several processes: MPI ranks started by mpirun or srun (build with -DZCNAS_MPI=ON;
 * without it every process is a job of its own and these calls say so).
 *
 * Every rank runs the same command line. Rank 0 runs the command; where it scores (zc_run_score) it
 * hands architectures to the other ranks through zc_dist_remote() beside its own threads, one at a
 * time as they free up (dynamic load balancing: networks differ in cost by 30x), and writes every
 * output itself. The other ranks stop where the command opens its run and serve it (zc_dist_serve):
 * they open the same run (checked: its fingerprint must equal rank 0's, so a node with other data or
 * another zcnas version is refused by name), score what they are sent with their threads and send
 * the scores back. The results do not depend on the rank count. */
#ifndef ZCNAS_DIST_H
#define ZCNAS_DIST_H
#include "zcnas/run.h"

/* 1 when this build has MPI. */
int zc_dist_built(void);
/* Joins the job when the process was started by an MPI launcher (its environment says so); otherwise,
 * or without MPI, the process is a job of one. Call first thing in main. */
zc_status zc_dist_init(int *argc, char ***argv);
int zc_dist_rank(void);
int zc_dist_size(void);
/* The ranks of this job on this machine (threads default to the cores shared among them). */
int zc_dist_local_size(void);
/* Rank 0 of a job of several: the remote that sends architectures to the other ranks (set it as
 * zc_run_opts.remote). NULL otherwise. */
const zc_remote *zc_dist_remote(void);
/* Ranks > 0: serves rank 0's scoring for runs opened with `run` (each job's seed is rank 0's), with
 * run->threads threads, until rank 0 ends the job. ZC_OK when it ended normally; a run that cannot
 * be opened here is reported to rank 0, which fails the job naming this rank. */
zc_status zc_dist_serve(const zc_run_opts *run);
/* Ends the job for this process and returns its exit code: rank 0 tells the others to stop and waits
 * for them; a rank > 0 that failed before serving (code != 0) sends rank 0 its message first. */
int zc_dist_finish(int code, const char *error);

#endif
