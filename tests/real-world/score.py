#!/usr/bin/env python3
"""Scores fluxdiag on the real-world corpus: right category and right root object, per category.

Usage: score.py FLUXDIAG [--cases DIR] [--floor FILE] [--json FILE] [--case ID]...

Every tests/real-world/cases/<id>/ holds a case.yaml (source, summary, evidence, expect) and a
bundle/ directory. Each bundle is analyzed with `FLUXDIAG analyze --format json --fail-on none`.
A case's category is right when the first root cause has the expected category, its root is
right when the first root cause's object is expect.root or one of expect.also_ok. A case of
category `none` is right in both columns when no finding is a warning or worse.

Exit status: 0 every number at or above its floor, 1 a number below its floor, 2 a corpus
error (malformed case.yaml, expected root object not in the bundle, unreadable bundle) or bad usage.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:  # Debian: python3-yaml
    sys.exit("score.py: PyYAML is missing (Debian package python3-yaml)")

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
CATEGORIES = ["apiserver", "network", "controller", "source", "backlog", "cache", "apply",
              "config", "none"]
SEVERE = {"critical", "error", "warning"}
CASE_KEYS = {"source", "also", "summary", "evidence", "expect"}
EXPECT_KEYS = {"category", "root", "also_ok"}
REF_RE = re.compile(r"^[A-Z][A-Za-z0-9]*/[a-z0-9.:-]+(/[A-Za-z0-9.:_-]+)?$")
URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CorpusError(Exception):
    """A located problem with the corpus: PATH: what is wrong."""


def parse_ref(text):
    """'Kind/ns/name' or 'Kind/name' -> (kind, namespace, name); namespace '' when cluster-scoped."""
    parts = text.split("/")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else (parts[0], "", parts[1])


def fmt_ref(kind, ns, name):
    return f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"


def load_case(case_dir):
    """Reads and checks <case_dir>/case.yaml. Returns a dict; raises CorpusError naming the file."""
    path = os.path.join(case_dir, "case.yaml")
    rel = os.path.relpath(path, SRC)
    if not os.path.isfile(path):
        raise CorpusError(f"{rel}: missing (every case directory needs a case.yaml)")
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise CorpusError(f"{rel}{where}: not valid YAML: {e.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise CorpusError(f"{rel}: not valid YAML: {e}") from None

    def bad(msg):
        return CorpusError(f"{rel}: {msg}")

    if not isinstance(doc, dict):
        raise bad("the file must be a mapping with source, summary, evidence and expect")
    unknown = sorted(set(map(str, doc)) - CASE_KEYS)
    if unknown:
        raise bad(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(CASE_KEYS))})")
    for key in ("source", "summary", "evidence", "expect"):
        if key not in doc or doc[key] in (None, ""):
            raise bad(f"'{key}' is missing or empty")
    if not isinstance(doc["source"], str) or not URL_RE.match(doc["source"].strip()):
        raise bad(f"'source' must be one URL, got {doc['source']!r}")
    also = doc.get("also") or []
    if not isinstance(also, list) or not all(isinstance(u, str) and URL_RE.match(u) for u in also):
        raise bad("'also' must be a list of URLs")
    if not isinstance(doc["summary"], str) or "\n" in doc["summary"].strip():
        raise bad("'summary' must be one line of text")
    if not isinstance(doc["evidence"], str):
        raise bad("'evidence' must be text (a block scalar: evidence: |)")
    exp = doc["expect"]
    if not isinstance(exp, dict):
        raise bad("'expect' must be a mapping with category and root")
    unknown = sorted(set(map(str, exp)) - EXPECT_KEYS)
    if unknown:
        raise bad(f"unknown key 'expect.{unknown[0]}' (allowed: {', '.join(sorted(EXPECT_KEYS))})")
    cat, root = exp.get("category"), exp.get("root")
    if cat not in CATEGORIES:
        raise bad(f"expect.category is {cat!r}, must be one of {', '.join(CATEGORIES)}")
    if not isinstance(root, str) or not root:
        raise bad("expect.root is missing (Kind/namespace/name, Kind/name, or none)")
    if (cat == "none") != (root == "none"):
        raise bad("expect.root is 'none' exactly when expect.category is 'none'")
    also_ok = exp.get("also_ok") or []
    if not isinstance(also_ok, list):
        raise bad("expect.also_ok must be a list of Kind/namespace/name")
    if cat == "none" and also_ok:
        raise bad("expect.also_ok makes no sense for category none")
    refs = [] if root == "none" else [root] + also_ok
    for ref in refs:
        if not isinstance(ref, str) or not REF_RE.match(ref):
            raise bad(f"object reference {ref!r} is not Kind/namespace/name or Kind/name")
    case_id = os.path.basename(case_dir)
    if not case_id.startswith(cat + "-"):
        raise bad(f"case id '{case_id}' must start with its category '{cat}-'")
    bundle = os.path.join(case_dir, "bundle")
    if not os.path.isdir(bundle):
        raise CorpusError(f"{os.path.relpath(bundle, SRC)}: missing (the case's bundle directory)")
    return {"id": case_id, "path": rel, "bundle": bundle, "source": doc["source"].strip(),
            "category": cat, "root": root, "refs": [parse_ref(r) for r in refs]}


def bundle_objects(bundle):
    """Set of (kind, namespace, name) of every object in the bundle's YAML/JSON files."""
    found = set()

    def add(obj):
        if not isinstance(obj, dict):
            return
        items = obj.get("items")
        if isinstance(items, list):
            for it in items:
                add(it)
            return
        meta = obj.get("metadata")
        if isinstance(obj.get("kind"), str) and isinstance(meta, dict) and meta.get("name"):
            found.add((obj["kind"], str(meta.get("namespace") or ""), str(meta["name"])))

    for dirpath, _, files in os.walk(bundle):
        for name in files:
            if not name.endswith((".yaml", ".yml", ".json")):
                continue
            path = os.path.join(dirpath, name)
            try:
                with open(path, encoding="utf-8") as f:
                    if name.endswith(".json"):
                        docs = [json.load(f)]
                    else:
                        docs = list(yaml.load_all(f, Loader=Loader))
            except (ValueError, yaml.YAMLError, UnicodeDecodeError) as e:
                raise CorpusError(f"{os.path.relpath(path, SRC)}: unreadable: {e}") from None
            for d in docs:
                if isinstance(d, list):
                    for x in d:
                        add(x)
                else:
                    add(d)
    return found


def check_case(case):
    """Raises CorpusError when an expected root object is not in the case's bundle."""
    objs = bundle_objects(case["bundle"])
    for ref in case["refs"]:
        if ref not in objs:
            raise CorpusError(f"{case['path']}: expected root {fmt_ref(*ref)} is not an object "
                              f"in {os.path.relpath(case['bundle'], SRC)}")


def analyze(fluxdiag, case):
    """Runs fluxdiag on the case's bundle; returns the parsed JSON report."""
    proc = subprocess.run([fluxdiag, "analyze", "--format", "json", "--fail-on", "none",
                           case["bundle"]], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        raise CorpusError(f"{case['path']}: fluxdiag analyze exited {proc.returncode}: "
                          f"{err[-1] if err else '(no message)'}")
    try:
        return json.loads(proc.stdout)
    except ValueError as e:
        raise CorpusError(f"{case['path']}: fluxdiag printed no valid JSON: {e}") from None


def describe(finding):
    if finding is None:
        return {"category": "none", "root": "none", "rule": None, "severity": None}
    obj = finding.get("object") or {}
    root = fmt_ref(obj.get("kind", "?"), obj.get("namespace", ""), obj.get("name", "?")) \
        if obj else "(no object)"
    return {"category": finding["category"], "root": root, "rule": finding["rule"],
            "severity": finding["severity"]}


def score(case, report):
    """Compares one report with its case. Returns a result dict."""
    by_id = {f["id"]: f for f in report["findings"]}
    roots = [by_id[i] for i in report["root_causes"] if i in by_id]
    if case["category"] == "none":
        severe = [f for f in roots + report["findings"] if f["severity"] in SEVERE]
        got = describe(severe[0] if severe else None)
        cat_ok = root_ok = not severe
    else:
        first = roots[0] if roots else None
        got = describe(first)
        cat_ok = first is not None and first["category"] == case["category"]
        obj = (first or {}).get("object") or {}
        key = (obj.get("kind"), obj.get("namespace") or "", obj.get("name"))
        root_ok = first is not None and key in case["refs"]
    return {"case": case["id"], "expected": {"category": case["category"], "root": case["root"]},
            "got": got, "category_right": cat_ok, "root_right": root_ok}


def pct(n, d):
    return 100.0 * n / d if d else 0.0


def table(results):
    rows = {}
    for cat in CATEGORIES + ["overall"]:
        rs = [r for r in results if cat == "overall" or r["expected"]["category"] == cat]
        if not rs:
            continue
        c = sum(r["category_right"] for r in rs)
        o = sum(r["root_right"] for r in rs)
        rows[cat] = {"cases": len(rs), "category_right": c, "root_right": o,
                     "category_pct": round(pct(c, len(rs)), 1), "root_pct": round(pct(o, len(rs)), 1)}
    return rows


def load_floor(path):
    rel = os.path.relpath(path, SRC)
    try:
        with open(path, encoding="utf-8") as f:
            floor = json.load(f)
    except (OSError, ValueError) as e:
        raise CorpusError(f"{rel}: {e}") from None
    if not isinstance(floor, dict):
        raise CorpusError(f"{rel}: must be an object of category -> {{category, root}}")
    for cat, v in floor.items():
        if cat.startswith("_"):
            continue
        if cat not in CATEGORIES + ["overall"]:
            raise CorpusError(f"{rel}: unknown category '{cat}'")
        if not isinstance(v, dict) or set(v) - {"category", "root"} or \
                not all(isinstance(x, (int, float)) and 0 <= x <= 100 for x in v.values()):
            raise CorpusError(f"{rel}: '{cat}' must be {{\"category\": PCT, \"root\": PCT}}")
    return floor


def main():
    ap = argparse.ArgumentParser(description="Score fluxdiag on the real-world corpus.")
    ap.add_argument("fluxdiag")
    ap.add_argument("--cases", default=os.path.join(HERE, "cases"))
    ap.add_argument("--floor", default=os.path.join(HERE, "floor.json"))
    ap.add_argument("--json", metavar="FILE", help="also write the table and misses as JSON")
    ap.add_argument("--case", action="append", default=[], help="score only this case id")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    args = ap.parse_args()
    # the rules of this source tree, not an installed rule pack
    os.environ.setdefault("FLUXDIAG_RULES_DIR", os.path.join(SRC, "rules"))

    errors, cases, sources = [], [], {}
    try:
        names = sorted(os.listdir(args.cases))
    except OSError as e:
        sys.exit(f"score.py: cannot read the cases directory: {e}")
    if args.case:
        missing = sorted(set(args.case) - set(names))
        if missing:
            sys.exit(f"score.py: no case named {missing[0]} in {args.cases}")
        names = [n for n in names if n in args.case]
    for name in names:
        d = os.path.join(args.cases, name)
        if not os.path.isdir(d):
            continue
        try:
            case = load_case(d)
            check_case(case)
        except CorpusError as e:
            errors.append(str(e))
            continue
        # one case per report: a comment anchor or a trailing slash is the same report
        key = case["source"].split("#")[0].rstrip("/").lower()
        if key in sources:
            errors.append(f"{case['path']}: source {case['source']} is already the source of "
                          f"case {sources[key]} (one case per report)")
        sources[key] = case["id"]
        cases.append(case)
    try:
        floor = load_floor(args.floor)
    except CorpusError as e:
        errors.append(str(e))
        floor = {}
    if not cases and not errors:
        errors.append(f"{os.path.relpath(args.cases, SRC)}: no cases")

    results = []
    if not errors:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futs = {pool.submit(analyze, args.fluxdiag, c): c for c in cases}
            for fut in concurrent.futures.as_completed(futs):
                try:
                    results.append(score(futs[fut], fut.result()))
                except (CorpusError, subprocess.TimeoutExpired) as e:
                    errors.append(str(e))
    if errors:
        for e in sorted(errors):
            print(f"corpus error: {e}", file=sys.stderr)
        return 2
    results.sort(key=lambda r: r["case"])

    rows = table(results)
    below = []
    print(f"{'category':<12}{'cases':>6}  {'category right':>15}  {'root right':>15}  floor")
    for cat, r in rows.items():
        fl = floor.get(cat, {})
        marks = []
        for col in ("category", "root"):
            if r[f"{col}_pct"] < fl.get(col, 0):
                below.append(f"{cat} {col} right {r[f'{col}_pct']:.1f}% < floor {fl[col]:.1f}%")
                marks.append(f"{col} BELOW")
        fstr = f"{fl.get('category', 0):.0f}/{fl.get('root', 0):.0f}" if fl else "-"
        print(f"{cat:<12}{r['cases']:>6}  {r['category_right']:>4}  {r['category_pct']:>6.1f}%   "
              f"{r['root_right']:>4}  {r['root_pct']:>6.1f}%   {fstr}"
              + (f"  {', '.join(marks)}" if marks else ""))
    misses = [r for r in results if not (r["category_right"] and r["root_right"])]
    print(f"\nmisses ({len(misses)}):")
    for m in misses:
        g = m["got"]
        got = f"{g['category']} {g['root']} ({g['rule']}, {g['severity']})" if g["rule"] \
            else "no root cause"
        print(f"  {m['case']}: expected {m['expected']['category']} {m['expected']['root']}; got {got}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"table": rows, "floor": floor, "below_floor": below, "misses": misses,
                       "cases": results}, f, indent=2)
            f.write("\n")
    if below:
        print("\nbelow the floor in " + os.path.relpath(args.floor, SRC) + ":")
        for b in below:
            print(f"  {b}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
