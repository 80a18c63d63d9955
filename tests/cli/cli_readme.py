#!/usr/bin/env python3
"""The README matches the binary: its `zcnas --help` block is the real output (so the command and proxy
lists cannot drift), every option a README command line uses exists in that command's --help, and every
option or command the prose names exists. Fails on the first README edit or CLI change that breaks this.

usage: cli_readme.py --zcnas PATH --workdir DIR   (run from the repository root by CTest)
"""
import argparse, os, re, subprocess, sys

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += not ok


def helptext(zcnas, *args):
    p = subprocess.run([zcnas, *args, "--help"], capture_output=True, text=True)
    return p.stdout


def options(text):
    return set(re.findall(r"^  --([a-z0-9-]+)", text, re.M))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zcnas", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    readme = open("README.md").read()
    top = subprocess.run([a.zcnas, "--help"], capture_output=True, text=True).stdout

    # 1. The --help block is the real output.
    m = re.search(r"```text\n\$ build/zcnas --help\n(.*?)```", readme, re.S)
    check(m is not None, "README has a `$ build/zcnas --help` block")
    if m:
        check(m.group(1) == top, "README's --help block is exactly `zcnas --help` (run tools/readme_examples.py --update)")
    def section(title):
        m = re.search(r"^" + title + r"[^\n]*:\n(.*?)(?:\n\n|\Z)", top, re.S | re.M)
        return re.findall(r"^  ([a-z0-9_-]+) {2,}", m.group(1), re.M) if m else []
    commands, spaces, proxies = section("commands"), section("spaces"), section("proxies")
    check(len(commands) >= 7 and len(spaces) >= 4 and len(proxies) >= 14,
          f"--help lists {len(commands)} commands, {len(spaces)} spaces and {len(proxies)} proxies")

    # 2. Every option of a command line in a code block exists for that command.
    helps = {c: options(helptext(a.zcnas, c)) for c in commands}
    helps["search zennas"] = options(helptext(a.zcnas, "search", "--space", "zennas"))
    every = set().union(*helps.values())
    blocks = re.findall(r"```(?:sh|text)\n(.*?)```", readme, re.S)
    n_lines = 0
    for block in blocks:
        for line in block.replace("\\\n", " ").split("\n"):
            # a command line: optional prompt and VAR=value assignments, then (build/)zcnas COMMAND
            cm = re.match(r"\s*(?:\$\s+)?(?:[A-Z_]+=\S*\s+)*(?:build/)?zcnas ([a-z]+)(.*)", line)
            if not cm:
                continue
            cmd, rest = cm.group(1), cm.group(2)
            if cmd not in helps:
                check(False, f"README runs an unknown command: {line.strip()}")
                continue
            key = "search zennas" if cmd == "search" and "--space zennas" in rest else cmd
            used = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", rest)) - {"help"}
            missing = used - helps[key]
            n_lines += 1
            check(not missing, f"options of `zcnas {key}` exist: {sorted(used)}" + (f" (missing {sorted(missing)})" if missing else ""))
    check(n_lines >= 8, f"{n_lines} README command lines checked")

    # 3. Options and commands named in the prose exist.
    prose = re.sub(r"```.*?```|<!--.*?-->", "", readme, flags=re.S)
    # (spans that run the project's scripts, e.g. `scripts/test.sh --long`, or other tools, e.g.
    # `cmake --install build`, `pkg-config --static --libs zcnas`, name their own options)
    spans = [t for t in re.findall(r"`([^`]*)`", prose) if not re.match(r"(scripts|tools|bench)/|(cmake|pkg-config) ", t)]
    named = {o for t in spans for o in re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", t)} - {"help"}
    check(not named - every, f"the {len(named)} options the prose names exist" +
          (f" (missing {sorted(named - every)})" if named - every else ""))
    cmds = set(re.findall(r"`zcnas ([a-z]+)", prose))
    check(not cmds - set(commands), f"the commands the prose names exist: {sorted(cmds)}")
    intro = prose.split("## The two commands")[0]
    listed = set(re.findall(r"`([a-z0-9_]+)`|\*\*([a-z0-9_]+)\*\*", intro))
    listed = {x for pair in listed for x in pair if x} | ({"zico"} if "**ZiCo**" in intro else set()) | \
             ({"epsilon"} if "**epsilon" in intro else set())
    check(set(proxies) <= listed, "the introduction names every proxy of --help" +
          (f" (missing {sorted(set(proxies) - listed)})" if not set(proxies) <= listed else ""))
    print(f"cli_readme: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
