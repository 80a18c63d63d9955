"""ctest python_package: builds the Python package (python/setup.py) against the build under test
(ZCNAS_BUILD=<build dir>, no network, no build isolation) into the work folder, then runs pytest over
tests/python with it first on the path. Exit 77 (skipped) when Debian's python3-pytest, python3-dev or
setuptools are missing."""
import argparse, os, shutil, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--zcnas", required=True)
ap.add_argument("--workdir", required=True)
a = ap.parse_args()
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = os.path.dirname(os.path.abspath(a.zcnas))
shutil.rmtree(a.workdir, ignore_errors=True)
os.makedirs(a.workdir)
try:
    import pytest, setuptools, sysconfig  # noqa: F401
    if not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")):
        raise ImportError("Python.h (python3-dev)")
except ImportError as e:
    print(f"skip: {e} is missing (scripts/install-deps.sh installs python3-pytest python3-dev python3-setuptools)")
    sys.exit(77)
cache = open(os.path.join(build, "CMakeCache.txt")).read()
env = dict(os.environ, ZCNAS_BUILD=build, ZCNAS_CLI=os.path.abspath(a.zcnas))
if "ZCNAS_SANITIZE:BOOL=ON" in cache:
    # the extension carries ASan/UBSan: their runtimes go first into the interpreter
    libs = [subprocess.run(["gcc", f"-print-file-name={l}"], capture_output=True, text=True).stdout.strip()
            for l in ("libasan.so", "libubsan.so")]
    env["LD_PRELOAD"] = " ".join(libs)
    env["ASAN_OPTIONS"] = "detect_leaks=0"   # the interpreter's own allocations live to exit
p = subprocess.run([sys.executable, "setup.py", "-q", "build", "--build-lib", a.workdir, "--build-temp",
                    os.path.join(a.workdir, "tmp")], cwd=os.path.join(repo, "python"), env=dict(env, LD_PRELOAD=""),
                   capture_output=True, text=True)
if p.returncode:
    sys.exit(f"building the package failed:\n{p.stdout}\n{p.stderr}")
env["PYTHONPATH"] = a.workdir
sys.exit(subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", os.path.join(repo, "tests", "python")],
                        env=env, cwd=a.workdir).returncode)
