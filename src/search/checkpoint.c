/* Checkpoints and the candidate log of ZiCo's evolutionary search. A checkpoint holds the whole state
 * (iteration, random stream, counters, population with scores bit for bit) and the fingerprint of
 * the options, and ends with the MD5 of everything before (format 3; format 2 without it is read too); it is
 * written to a temporary file and renamed, so a crash never leaves half of one. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "search/evolution_impl.h"
#include "zcnas/run.h"
#include "util/util.h"

#define CKPT_MAGIC "zcnas-evolution-checkpoint 3"      /* 3: ends with "md5 <hex of all before>" */
#define CKPT_MAGIC_V2 "zcnas-evolution-checkpoint 2"   /* read too (no checksum) */

zc_status zci_evo_write_checkpoint(zci_evo *st)
{
    const zc_evo_opts *o = st->o;
    long offset = 0;
    if (st->log) {
        if (fflush(st->log) != 0) return zc_fail(ZC_EIO, "%s: write failed: %s", o->log_path, strerror(errno));
        offset = ftell(st->log);
        if (offset < 0) return zc_fail(ZC_EIO, "%s: %s", o->log_path, strerror(errno));
    }
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);   /* the content first: its checksum ends the file */
    if (!f) return zc_fail(ZC_ENOMEM, "out of memory for the checkpoint");
    fprintf(f, "%s\nspace %s\nfingerprint %s\niteration %ld\n", CKPT_MAGIC, o->space->space->name,
            o->fingerprint ? o->fingerprint : "", st->iteration);
    fprintf(f, "rng %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", st->rng.s[0], st->rng.s[1],
            st->rng.s[2], st->rng.s[3]);
    fprintf(f, "counters %ld %ld %ld %ld %ld\nlog_offset %ld\n", st->scored, st->rej_layers, st->rej_params,
            st->rej_flops, st->rej_nan, offset);
    if (st->k) fprintf(f, "subscores %d\n", st->k);   /* AZ-NAS' variant: each member's sub-scores */
    fprintf(f, "population %d\n", st->n);
    zc_status rc = ZC_OK;
    for (int i = 0; i < st->n && rc == ZC_OK; i++) {
        rc = zc_space_format(o->space, st->archs + (size_t)i * st->asz, st->str, o->space->space->str_max);
        /* %a: the score comes back bit for bit */
        fprintf(f, "%a %.17g %.17g %d ", st->pop[i].score, st->pop[i].flops, st->pop[i].params, st->pop[i].layers);
        for (int j = 0; j < st->k; j++) fprintf(f, "%a ", st->raw[(size_t)i * st->k + j]);
        fprintf(f, "%s\n", st->str);
    }
    fprintf(f, "end\n");
    int bad = fclose(f) != 0;
    if (rc == ZC_OK && (bad || !text)) rc = zc_fail(ZC_ENOMEM, "out of memory for the checkpoint");
    FILE *out = rc == ZC_OK ? zci_whole_open(o->checkpoint_path, "w") : NULL;   /* renamed once complete */
    if (rc == ZC_OK && !out) rc = ZC_EIO;
    if (rc == ZC_OK) {
        char md5[33];
        zci_md5_hex(text, text_len, md5);
        fwrite(text, 1, text_len, out);
        fprintf(out, "md5 %s\n", md5);
        rc = zci_whole_close(out, o->checkpoint_path);
    }
    free(text);
    return rc;
}

static zc_status ckpt_bad(const char *path, const char *what)
{
    return zc_fail(ZC_EDATA, "%s: not a valid search checkpoint (%s)", path, what);
}

/* A line into buf without its newline; 0 at end of file or when it does not fit. */
static int get_line(char *buf, size_t cap, FILE *f)
{
    if (!fgets(buf, (int)cap, f)) return 0;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n') buf[--n] = '\0';
    else if (!feof(f)) return 0;
    return 1;
}

/* The checkpoint's text with its checksum verified (format 3) into *out, a stream the parser reads;
 * format 2 (no checksum) as it is. *text holds the buffer (free it after closing *out). */
static zc_status verified(FILE *f, const char *path, char **text, FILE **out)
{
    size_t n;
    char *buf = zci_read_stream(f, &n);
    if (!buf) return zc_fail(errno == ENOMEM ? ZC_ENOMEM : ZC_EIO, "%s: cannot read: %s", path, strerror(errno));
    *text = buf;
    size_t magic = strlen(CKPT_MAGIC);
    if (n > magic && !strncmp(buf, CKPT_MAGIC, magic) && buf[magic] == '\n') {
        /* the last line: "md5 " and 32 hex digits over everything before it */
        if (n < 37 || buf[n - 1] != '\n' || strncmp(buf + n - 37, "md5 ", 4))
            return ckpt_bad(path, "no checksum line (truncated?)");
        char want[33], have[33];
        memcpy(want, buf + n - 33, 32);
        want[32] = '\0';
        zci_md5_hex(buf, n - 37, have);
        if (strcmp(want, have)) return ckpt_bad(path, "checksum mismatch: the file was changed or damaged");
        n -= 37;
        buf[n] = '\0';
    }
    if (!(*out = fmemopen(buf, n ? n : 1, "r"))) return zc_fail(ZC_ENOMEM, "out of memory reading %s", path);
    return ZC_OK;
}

zc_status zci_evo_read_checkpoint(zci_evo *st, FILE *file)
{
    const zc_evo_opts *o = st->o;
    const char *path = o->checkpoint_path;
    char *text = NULL;
    FILE *f = NULL;
    zc_status vs = verified(file, path, &text, &f);
    if (vs != ZC_OK) { free(text); return vs; }
    size_t cap = o->space->space->str_max + 4096;
    char *line = malloc(cap);
    void *arch = calloc(1, st->asz);
    zc_status rc = line && arch ? ZC_OK : zc_fail(ZC_ENOMEM, "out of memory");
    int n = 0;
    if (rc == ZC_OK && !get_line(line, cap, f)) rc = ckpt_bad(path, "bad first line");
    if (rc == ZC_OK && !strcmp(line, "zcnas-zennas-checkpoint 1"))
        rc = zc_fail(ZC_EDATA, "%s: written by zcnas before 0.2 (checkpoint format 1); finish it with that version, "
                                "or start a new search elsewhere", path);
    if (rc == ZC_OK && strcmp(line, CKPT_MAGIC) && strcmp(line, CKPT_MAGIC_V2)) rc = ckpt_bad(path, "bad first line");
    if (rc == ZC_OK && (!get_line(line, cap, f) || strncmp(line, "space ", 6))) rc = ckpt_bad(path, "no space");
    if (rc == ZC_OK && strcmp(line + 6, o->space->space->name))
        rc = zc_fail(ZC_EINVAL, "%s: a search of space %s, not %s", path, line + 6, o->space->space->name);
    if (rc == ZC_OK && (!get_line(line, cap, f) || strncmp(line, "fingerprint ", 12))) rc = ckpt_bad(path, "no fingerprint");
    const char *fp = o->fingerprint ? o->fingerprint : "";
    char diff[1024];
    if (rc == ZC_OK && zc_fingerprint_diff(line + 12, fp, diff, sizeof diff))
        rc = zc_fail(ZC_EINVAL, "%s: written by a search with other options or data (%s); resume with the same "
                                "options, or start a new search elsewhere", path, diff);
    if (rc == ZC_OK && (!get_line(line, cap, f) || sscanf(line, "iteration %ld", &st->iteration) != 1 || st->iteration < 0))
        rc = ckpt_bad(path, "iteration");
    if (rc == ZC_OK && (!get_line(line, cap, f) ||
                        sscanf(line, "rng %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &st->rng.s[0], &st->rng.s[1],
                               &st->rng.s[2], &st->rng.s[3]) != 4))
        rc = ckpt_bad(path, "rng");
    if (rc == ZC_OK && (!get_line(line, cap, f) ||
                        sscanf(line, "counters %ld %ld %ld %ld %ld", &st->scored, &st->rej_layers, &st->rej_params,
                               &st->rej_flops, &st->rej_nan) != 5))
        rc = ckpt_bad(path, "counters");
    if (rc == ZC_OK &&
        (!get_line(line, cap, f) || sscanf(line, "log_offset %ld", &st->log_offset) != 1 || st->log_offset < 0))
        rc = ckpt_bad(path, "log_offset");
    int k = -1;
    if (rc == ZC_OK && st->k &&
        (!get_line(line, cap, f) || sscanf(line, "subscores %d", &k) != 1 || k != st->k))
        rc = ckpt_bad(path, "subscores");
    if (rc == ZC_OK && (!get_line(line, cap, f) || sscanf(line, "population %d", &n) != 1 || n < 0 || n > 100000000))
        rc = ckpt_bad(path, "population");
    for (int i = 0; rc == ZC_OK && i < n; i++) {
        zci_evo_member m;
        char *end, *p;
        if (!get_line(line, cap, f)) { rc = ckpt_bad(path, "truncated population"); break; }
        m.score = strtod(line, &end);
        if (end == line || *end != ' ') { rc = ckpt_bad(path, "score"); break; }
        p = end + 1;
        m.flops = strtod(p, &end);
        if (end == p || *end != ' ') { rc = ckpt_bad(path, "flops"); break; }
        p = end + 1;
        m.params = strtod(p, &end);
        if (end == p || *end != ' ') { rc = ckpt_bad(path, "params"); break; }
        p = end + 1;
        m.layers = (int)strtol(p, &end, 10);
        if (end == p || *end != ' ') { rc = ckpt_bad(path, "layers"); break; }
        double raw[16];
        for (int j = 0; j < st->k && rc == ZC_OK; j++) {
            p = end + 1;
            raw[j] = strtod(p, &end);
            if (end == p || *end != ' ') rc = ckpt_bad(path, "sub-score");
        }
        if (rc != ZC_OK) break;
        if (zc_space_parse(o->space, end + 1, arch) != ZC_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", zc_last_error());
            rc = zc_fail(ZC_EDATA, "%s: population member %d: %s", path, i + 1, msg);
            break;
        }
        rc = zci_evo_push(st, &m, arch, raw);
    }
    if (rc == ZC_OK && (!get_line(line, cap, f) || strcmp(line, "end"))) rc = ckpt_bad(path, "no end line (truncated?)");
    free(line);
    free(arch);
    fclose(f);
    free(text);
    return rc;
}

zc_status zci_evo_open_log(zci_evo *st, int resumed)
{
    const char *path = st->o->log_path;
    if (!path) return ZC_OK;
    if (!resumed) {
        st->log = fopen(path, "w");
        if (!st->log) return zc_fail(ZC_EIO, "%s: cannot write: %s", path, strerror(errno));
        fprintf(st->log, "iteration,arch,flops,params,layers,score,status\n");
        return ZC_OK;
    }
    /* Rows written after the checkpoint are dropped: the resumed run writes them again. */
    struct stat sb;
    if (stat(path, &sb) != 0) return zc_fail(ZC_EIO, "%s: the candidate log of the checkpointed search is missing", path);
    if ((long)sb.st_size < st->log_offset)
        return zc_fail(ZC_EDATA, "%s: shorter (%ld bytes) than the checkpoint says (%ld)", path, (long)sb.st_size,
                       st->log_offset);
    if (truncate(path, (off_t)st->log_offset) != 0) return zc_fail(ZC_EIO, "%s: cannot cut: %s", path, strerror(errno));
    st->log = fopen(path, "a");
    if (!st->log) return zc_fail(ZC_EIO, "%s: cannot append: %s", path, strerror(errno));
    return ZC_OK;
}

zc_status zci_evo_log(zci_evo *st, const zc_evo_candidate *c)
{
    if (!st->log) return ZC_OK;
    fprintf(st->log, "%ld,\"%s\",%.17g,%.17g,%d,", c->iteration, c->arch, c->flops, c->params, c->layers);
    if (isnan(c->score)) fprintf(st->log, "nan");
    else fprintf(st->log, "%.17g", c->score);
    fprintf(st->log, ",%s\n", zc_evo_status_name(c->status));
    if (ferror(st->log)) return zc_fail(ZC_EIO, "%s: write failed", st->o->log_path);
    return ZC_OK;
}

zc_status zci_evo_close_log(zci_evo *st)
{
    if (!st->log) return ZC_OK;
    int bad = fclose(st->log) != 0;
    st->log = NULL;
    return bad ? zc_fail(ZC_EIO, "%s: write failed", st->o->log_path) : ZC_OK;
}

zc_status zc_evo_write_summary(const char *path, const zc_evo_opts *o, const zc_evo_result *res, const char *proxy,
                               const char *settings)
{
    FILE *f = zci_whole_open(path, "w");
    if (!f) return ZC_EIO;
    fprintf(f, "{\"space\":");
    zci_json_string(f, o->space->space->name);
    fprintf(f, ",\"proxy\":");
    zci_json_string(f, proxy);
    fprintf(f, ",\"best\":");
    if (res->best) zci_json_string(f, res->best);
    else fprintf(f, "null");
    fprintf(f, ",\"score\":");
    zci_json_number(f, res->best_score, "%.17g");
    fprintf(f, ",\"flops\":");
    zci_json_number(f, res->best ? res->best_flops : NAN, "%.17g");
    fprintf(f, ",\"params\":");
    zci_json_number(f, res->best ? res->best_params : NAN, "%.0f");
    fprintf(f, ",\"layers\":");
    if (res->best && res->best_layers >= 0) fprintf(f, "%d", res->best_layers);
    else fprintf(f, "null");
    fprintf(f, ",\"iterations\":%ld,\"resumed_from\":%ld,\"interrupted\":%s,\"final_members\":%d,\"scored\":%ld,"
               "\"rejected\":{\"layers\":%ld,\"params\":%ld,\"flops\":%ld,\"nan\":%ld},\"seconds\":%.3f,",
            res->iterations, res->resumed_from, res->interrupted ? "true" : "false", res->members, res->scored,
            res->rej_layers, res->rej_params, res->rej_flops, res->rej_nan, res->seconds);
    fprintf(f, "\"settings\":{\"seed\":%llu,\"iterations\":%ld,\"population_size\":%d,\"budget_flops\":",
            (unsigned long long)o->seed, o->iterations, o->population);
    zci_json_number(f, o->budget_flops > 0 ? o->budget_flops : NAN, "%.17g");
    fprintf(f, ",\"budget_params\":");
    zci_json_number(f, o->budget_params > 0 ? o->budget_params : NAN, "%.17g");
    fprintf(f, ",\"max_layers\":");
    if (o->max_layers > 0) fprintf(f, "%d", o->max_layers);
    else fprintf(f, "null");
    fprintf(f, ",\"num_classes\":%d,\"resolution\":%d,\"budget_resolution\":%d", o->space->cfg.num_classes,
            o->space->cfg.resolution, o->space->cfg.cost_resolution);
    if (settings && *settings) fprintf(f, ",%s", settings);
    fprintf(f, "}}\n");
    return zci_whole_close(f, path);
}

zc_status zc_evo_write_best(const char *path, const char *arch)
{
    FILE *f = zci_whole_open(path, "w");
    if (!f) return ZC_EIO;
    fprintf(f, "%s\n", arch);
    return zci_whole_close(f, path);
}
