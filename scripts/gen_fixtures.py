"""Regenerates every reference fixture in test/fixtures/ from real PyTorch.

Run by hand with Debian's PyTorch 1.13 (apt-get install python3-torch):
    /usr/bin/python3 scripts/gen_fixtures.py          # all
    /usr/bin/python3 scripts/gen_fixtures.py ops rng  # some
Each scripts/fixtures/<name>.py runs as its own process and writes test/fixtures/<name>*.json; the JSON is
committed so the tests never need Python.
"""
import os
import subprocess
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def main() -> int:
    wanted = sys.argv[1:]
    names = sorted(f[:-3] for f in os.listdir(HERE) if f.endswith(".py") and not f.startswith("_"))
    failed = []
    for name in names:
        if wanted and name not in wanted:
            continue
        print(f"== {name}", flush=True)
        # run from the fixtures folder's parent so no script shadows a standard-library module
        r = subprocess.run([sys.executable, os.path.join(HERE, f"{name}.py")], cwd=os.path.dirname(HERE))
        if r.returncode != 0:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
