#!/usr/bin/env python3
"""Checks a fluxdiag JSON report of a benchmark bundle: every planted failure must be found (and
be a root cause where planted as one), and no generated benchmark rule may fire.

Usage: check_report.py REPORT.json   (exit 0 and "OK", or exit 1 and "FAIL: ...")
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_bundle import PLANTED  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        rep = json.load(f)
    by_id = {f["id"]: f for f in rep["findings"]}
    roots = set(rep["root_causes"])
    problems = []
    for rule, kind, ns, name, root in PLANTED:
        hits = [f for f in rep["findings"]
                if f["rule"] == rule and f["object"].get("kind") == kind
                and f["object"].get("namespace", "") == ns and f["object"].get("name") == name]
        if not hits:
            problems.append("%s on %s %s/%s not found" % (rule, kind, ns, name))
        elif root and not any(f["id"] in roots for f in hits):
            problems.append("%s on %s %s/%s is not a root cause" % (rule, kind, ns, name))
    extra = sorted({f["rule"] for f in by_id.values() if f["rule"].startswith("BENCH-")})
    if extra:
        problems.append("benchmark rules fired: " + ", ".join(extra))
    if problems:
        print("FAIL: " + "; ".join(problems))
        return 1
    print("OK (%d planted failures found)" % len(PLANTED))
    return 0


if __name__ == "__main__":
    sys.exit(main())
