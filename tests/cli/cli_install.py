"""The installed library: `cmake --install` of the build under test into a scratch prefix, then
examples/score_arch.c built against it with pkg-config (shared, and static with --static's libraries),
and its scores equal `zcnas score`'s for the same architectures. Also: the shared library exports only
the public zc_* symbols, the headers compile on their own, the .pc file works from any prefix."""
import os, shutil, subprocess, sys
from helpers import Cli, REPO, rows

cli = Cli(__doc__)
build = os.path.dirname(cli.zcnas)
prefix = cli.path("prefix")
cc = shutil.which("cc") or shutil.which("gcc")
if not cc or not shutil.which("pkg-config"):
    print("skip: needs a C compiler and pkg-config (scripts/install-deps.sh installs pkgconf)")
    sys.exit(77)
# A sanitizer build's library needs the sanitizer runtime in the program too.
cache = open(os.path.join(build, "CMakeCache.txt")).read()
san = ["-fsanitize=address,undefined"] if "ZCNAS_SANITIZE:BOOL=ON" in cache else []

p = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, text=True)
cli.check(p.returncode == 0, f"cmake --install --prefix {prefix}: rc {p.returncode} {p.stderr.strip()[:200]}")
libdir = next((d for d in ("lib", os.path.join("lib", "x86_64-linux-gnu")) if
               os.path.exists(os.path.join(prefix, d, "pkgconfig", "zcnas.pc"))), None)
cli.check(libdir is not None, "zcnas.pc installed under <prefix>/lib*/pkgconfig")
if libdir is None:
    cli.finish("cli_install")
lib = os.path.join(prefix, libdir)
for f in ("libzcnas.a", "libzcnas.so"):
    cli.check(os.path.exists(os.path.join(lib, f)), f"{f} installed")
cli.check(os.path.exists(os.path.join(prefix, "include", "zcnas", "zcnas.h")), "include/zcnas/zcnas.h installed")
cli.check(os.access(os.path.join(prefix, "bin", "zcnas"), os.X_OK), "bin/zcnas installed")

env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(lib, "pkgconfig"))


def pkg(*args):
    p = subprocess.run(["pkg-config", *args, "zcnas"], capture_output=True, text=True, env=env)
    cli.check(p.returncode == 0, f"pkg-config {' '.join(args)} zcnas: {p.stdout.strip()} {p.stderr.strip()}")
    return p.stdout.split()


cflags, libs, static_libs = pkg("--cflags"), pkg("--libs"), pkg("--static", "--libs")
mv = subprocess.run(["pkg-config", "--modversion", "zcnas"], capture_output=True, text=True, env=env).stdout.strip()
rc, out, _ = cli.run("--version")
cli.check(mv and mv in out, f"pkg-config --modversion ({mv}) is the zcnas version ({out.strip()})")

# Exports: only the public interface.
nm = subprocess.run(["nm", "-D", "--defined-only", os.path.join(lib, "libzcnas.so")], capture_output=True, text=True)
syms = [l.split()[-1] for l in nm.stdout.splitlines() if len(l.split()) == 3]
cli.check(syms and all(s.startswith("zc_") for s in syms),
          f"libzcnas.so exports {len(syms)} symbols, all zc_* (others: {[s for s in syms if not s.startswith('zc_')][:5]})")

# Every public header compiles alone (it includes what it uses).
for h in sorted(os.listdir(os.path.join(prefix, "include", "zcnas"))):
    src = cli.path(f"h_{h}.c")
    with open(src, "w") as f:
        f.write(f"#include <zcnas/{h}>\nint main(void) {{ return 0; }}\n")
    p = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-c", src, "-o", src + ".o", *cflags],
                       capture_output=True, text=True)
    if not cli.check(p.returncode == 0, f"<zcnas/{h}> compiles on its own with -std=c11 -Wall -Wextra -Werror"):
        print(p.stderr[:600])

example = os.path.join(REPO, "examples", "score_arch.c")
shared_bin, static_bin = cli.path("score_arch"), cli.path("score_arch_static")
p = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", *san, example, "-o", shared_bin, *cflags, *libs],
                   capture_output=True, text=True)
cli.check(p.returncode == 0, f"examples/score_arch.c builds with pkg-config --cflags --libs zcnas {p.stderr[:400]}")
# Static: libzcnas.a, then what pkg-config --static lists (the system libraries stay shared).
others = [a for a in static_libs if a != "-lzcnas"]
p = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", *san, example, "-o", static_bin, *cflags,
                    os.path.join(lib, "libzcnas.a"), *others], capture_output=True, text=True)
cli.check(p.returncode == 0, f"... and statically with pkg-config --static --libs {p.stderr[:400]}")

archs = ["|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
         "|none~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|"]
proxies = "params,synflow,grad_norm,az_nas"
expect = {}
with open(cli.path("archs.txt"), "w") as f:
    f.write("\n".join(archs) + "\n")
rc, out, err = cli.run("score", "--proxy", proxies, "--arch-file", cli.path("archs.txt"), "--threads", "1")
cli.check(rc == 0, f"zcnas score {proxies}: rc {rc} {err.strip()[:200]}")
for r in rows(out):
    for k, v in r.items():
        if k not in ("index", "arch") and not k.endswith("_seconds"):
            expect[(r["arch"], k)] = float(v)
for b in (shared_bin, static_bin):
    if not os.path.exists(b):
        continue
    p = subprocess.run([b, "nb201", proxies, *archs], capture_output=True, text=True,
                       env=dict(os.environ, LD_LIBRARY_PATH=lib))
    got = {}
    for line in p.stdout.splitlines():
        a, name, v = line.split("\t")
        got[(a, name)] = float(v)
    # zcnas score adds az_nas' flops column itself; the example prints what it was asked for.
    wanted = {k: v for k, v in expect.items() if k[1] != "flops"}
    same = p.returncode == 0 and set(got) == set(wanted) and all(
        abs(got[k] - v) <= 1e-8 * max(1.0, abs(v)) for k, v in wanted.items())
    cli.check(same, f"{os.path.basename(b)} {proxies}: {len(got)} scores equal zcnas score's "
                    f"(rc {p.returncode} {p.stderr.strip()[:200]})")
    ldd = subprocess.run(["ldd", b], capture_output=True, text=True, env=dict(os.environ, LD_LIBRARY_PATH=lib)).stdout
    cli.check(("libzcnas.so" in ldd) == (b == shared_bin),
              f"{os.path.basename(b)} {'uses' if b == shared_bin else 'does not need'} libzcnas.so")

cli.finish("cli_install")
