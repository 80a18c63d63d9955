"""What the CLI tests share: the command line (--zcnas, --workdir), running zcnas, checks that count
failures, the one-line error contract, CSV rows, and where the repository and the data are."""
import argparse, csv, io, os, shutil, subprocess, sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Cli:
    def __init__(self, description=None):
        ap = argparse.ArgumentParser(description=description)
        ap.add_argument("--zcnas", required=True)
        ap.add_argument("--workdir", required=True)
        a = ap.parse_args()
        self.zcnas = os.path.abspath(a.zcnas)
        self.workdir = os.path.abspath(a.workdir)
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        self.data = os.environ.get("ZCNAS_DATA")   # the data root (scripts/test.sh sets it)
        if not self.data:
            sys.exit("set ZCNAS_DATA to the data directory (scripts/test.sh does)")
        self.failures = 0

    def path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def run(self, *args, env=None, cwd=None):
        p = subprocess.run([self.zcnas, *args], capture_output=True, text=True, env=env, cwd=cwd)
        return p.returncode, p.stdout, p.stderr

    def check(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            self.failures += 1
        return cond

    def expect_error(self, code, needles, *args, env=None):
        """Exit `code` with exactly one line on stderr, naming every needle."""
        if isinstance(needles, str):
            needles = [needles]
        rc, out, err = self.run(*args, env=env)
        lines = [l for l in err.strip().splitlines() if l]
        ok = rc == code and len(lines) == 1 and "zcnas:" in err and all(n in err for n in needles)
        return self.check(ok, f"exit {code} with one line naming {needles}: {' '.join(args)[:90]} -> rc {rc}, "
                              f"{err.strip()[:200]!r}")

    def finish(self, name):
        print(f"{name}: {self.failures} failed")
        sys.exit(1 if self.failures else 0)


def rows(text):
    """CSV rows, after the "# zcnas run: ..." fingerprint line that files written with --out start with."""
    return list(csv.DictReader(io.StringIO("".join(l for l in text.splitlines(True) if not l.startswith("#")))))
