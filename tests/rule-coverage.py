#!/usr/bin/env python3
"""Every shipped rule has a positive golden case (it must fire) and a negative one (it must not).

Usage: rule-coverage.py FLUXDIAG SRC_DIR
Reads the rule ids from `fluxdiag rules list --format json` and the golden files in
tests/golden/ (and the test cases beside examples' rules are not counted). A rule is covered
positively when a golden file names it in `root_causes` or `findings`, negatively when one lists
it in `absent`.
"""
import json
import os
import re
import subprocess
import sys

fluxdiag, src = sys.argv[1], sys.argv[2]
env = dict(os.environ, FLUXDIAG_RULES_DIR=os.path.join(src, "rules"))
rules = [r["id"] for r in json.loads(subprocess.run(
    [fluxdiag, "rules", "list", "--format", "json"], capture_output=True, check=True,
    env=env).stdout)]
pos, neg = set(), set()
gdir = os.path.join(src, "tests", "golden")
for name in sorted(os.listdir(gdir)):
    if not name.endswith(".yaml"):
        continue
    text = open(os.path.join(gdir, name), encoding="utf-8").read()
    pos.update(re.findall(r"rule:\s*([A-Z][A-Z0-9-]+)", text))
    # absent: [A, B] or a block list after "absent:"
    for m in re.finditer(r"^absent:\s*\[([^\]]*)\]", text, re.M | re.S):
        neg.update(x.strip() for x in m.group(1).replace("\n", " ").split(",") if x.strip())
    for m in re.finditer(r"^absent:\s*\n((?:\s*-\s*\S+\s*\n?)+)", text, re.M):
        neg.update(re.findall(r"-\s*([A-Z][A-Z0-9-]+)", m.group(1)))
failed = 0
for r in rules:
    missing = [w for w, s in (("positive", pos), ("negative", neg)) if r not in s]
    if missing:
        failed += 1
        print(f"FAIL: {r} has no {' and no '.join(missing)} golden case")
print(f"{len(rules) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
