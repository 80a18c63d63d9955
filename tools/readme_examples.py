#!/usr/bin/env python3
"""Regenerates the example outputs in README.md from real runs.

A README block preceded by a comment `<!-- readme-example ... -->` holds `$ COMMAND` lines; this tool
runs each command (bash, in a scratch directory where `build/` points at the repository's build and
`scripts/` at its scripts) and writes what it prints (stdout and stderr, without the progress lines)
under it. `setup CMD` in the comment runs CMD first, unprinted. ZCNAS_DATA is set as the scripts set
it (an existing value wins, else ../shared/data beside the checkout).

usage: tools/readme_examples.py [--update]     (without --update: print the new README to stdout)
"""
import os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = re.compile(r"^<!-- readme-example(?::\s*(.*?))?\s*-->\s*$")
PROGRESS = re.compile(r"^zcnas: \d+/\d+ ")


def run(cmd, cwd, env):
    cmd = re.sub(r"(^|\s)scripts/", r"\1" + ROOT + "/scripts/", cmd)
    p = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return [l for l in p.stdout.splitlines() if not PROGRESS.match(l)]


def main():
    update = "--update" in sys.argv[1:]
    env = dict(os.environ)
    shared = os.path.join(ROOT, "..", "shared", "data")
    if not env.get("ZCNAS_DATA") and os.path.isdir(shared):
        env["ZCNAS_DATA"] = os.path.abspath(shared)
    lines = open(os.path.join(ROOT, "README.md")).read().split("\n")
    out, i = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        os.symlink(os.path.join(ROOT, "build"), os.path.join(scratch, "build"))
        while i < len(lines):
            m = MARK.match(lines[i])
            out.append(lines[i])
            i += 1
            if not m:
                continue
            note = m.group(1) or ""
            if note.startswith("setup "):
                run(note[len("setup "):], scratch, env)
            assert lines[i].startswith("```"), f"README line {i + 1}: a code block must follow the marker"
            out.append(lines[i])
            i += 1
            while not lines[i].startswith("```"):
                if lines[i].startswith("$ "):
                    print(f"readme_examples: {lines[i]}", file=sys.stderr)
                    out.append(lines[i])
                    out.extend(run(lines[i][2:], scratch, env))
                i += 1
    text = "\n".join(out)
    if update:
        open(os.path.join(ROOT, "README.md"), "w").write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
