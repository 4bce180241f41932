#!/usr/bin/env python3
"""Machine formats against their schemas, for every sample bundle.

Usage: check_formats.py FLUXDIAG SRC_DIR
Validates --format json against docs/schemas/fluxdiag-report-v1.schema.json, --format sarif
against the SARIF 2.1.0 constraints in sarif-2.1.0-subset.schema.json, and --format junit as
XML with one test case per rule; then checks that the three agree with each other.
"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema

fluxdiag, src = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(fmt, bundle):
    p = subprocess.run([fluxdiag, "analyze", "--format", fmt, bundle],
                       capture_output=True, timeout=120)
    check(p.returncode in (0, 1), f"{bundle} --format {fmt}: exit {p.returncode}: {p.stderr[:300]!r}")
    return p.stdout


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


report_schema = load(os.path.join(src, "docs/schemas/fluxdiag-report-v1.schema.json"))
sarif_schema = load(os.path.join(src, "tests/formats/sarif-2.1.0-subset.schema.json"))
jsonschema.Draft202012Validator.check_schema(report_schema)
jsonschema.Draft202012Validator.check_schema(sarif_schema)
rv = jsonschema.Draft202012Validator(report_schema)
sv = jsonschema.Draft202012Validator(sarif_schema, format_checker=jsonschema.FormatChecker())

nrules = len(json.loads(subprocess.run([fluxdiag, "rules", "list", "--format", "json"],
                                       capture_output=True, check=True).stdout))
bundles = sorted(os.path.join(src, "sample-bundles", d)
                 for d in os.listdir(os.path.join(src, "sample-bundles")))
extra = os.path.join(src, "..", "shared", "external-bundles")
if os.path.isdir(extra):
    bundles += sorted(os.path.join(extra, f) for f in os.listdir(extra) if f.endswith(".tar.gz"))

for b in bundles:
    name = os.path.basename(b)
    raw = run("json", b)
    try:
        rep = json.loads(raw.decode("utf-8"))  # strict: the report must be valid UTF-8
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        check(False, f"{name}: json report does not parse: {e}")
        continue
    errs = sorted(rv.iter_errors(rep), key=str)
    check(not errs, f"{name}: json report violates the schema: {errs[:1]}")
    ids = {f["id"] for f in rep["findings"]}
    check(all(c in ids for f in rep["findings"] for c in f["caused_by"]),
          f"{name}: caused_by names an unknown finding")
    check(all(r in ids for r in rep["root_causes"]), f"{name}: root_causes names an unknown finding")
    check(all(not f["caused_by"] for f in rep["findings"] if f["id"] in rep["root_causes"]),
          f"{name}: a root cause is caused by something")

    sarif = json.loads(run("sarif", b).decode("utf-8"))
    errs = sorted(sv.iter_errors(sarif), key=str)
    check(not errs, f"{name}: sarif violates SARIF 2.1.0: {errs[:1]}")
    results = sarif["runs"][0].get("results", [])
    rules = sarif["runs"][0]["tool"]["driver"].get("rules", [])
    check(len(results) == len(rep["findings"]), f"{name}: sarif has {len(results)} results, "
          f"json {len(rep['findings'])} findings")
    check(all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results),
          f"{name}: a sarif ruleIndex points at the wrong rule")

    junit = run("junit", b)
    try:
        root = ET.fromstring(junit)
    except ET.ParseError as e:
        check(False, f"{name}: junit is not XML: {e}")
        continue
    cases = [c for c in root.findall(".//testcase") if c.get("classname") != "fluxdiag.coverage"]
    fails = [c for c in cases if c.find("failure") is not None]
    check(len(cases) == nrules, f"{name}: junit has {len(cases)} test cases for {nrules} rules")
    fired = {f["rule"] for f in rep["findings"]}
    check(len(fails) == len(fired), f"{name}: junit has {len(fails)} failures, {len(fired)} rules fired")
    # one test case per cause: failed when found, skipped when it cannot be told
    cov = {c["category"]: c["verdict"] for c in rep["coverage"]["causes"]}
    ccases = {c.get("name"): c for c in root.findall(".//testcase[@classname='fluxdiag.coverage']")}
    check(set(ccases) == set(cov), f"{name}: junit coverage cases {sorted(ccases)}")
    check(all((ccases[k].find("failure") is not None) == (v == "found") and
              (ccases[k].find("skipped") is not None) == (v == "unknown") for k, v in cov.items() if k in ccases),
          f"{name}: junit coverage cases do not match the json verdicts")
    found = sum(1 for v in cov.values() if v == "found")
    check(int(root.get("failures")) == len(fired) + found, f"{name}: junit failures attribute is wrong")
    check(int(root.get("skipped")) == rep["coverage"]["unknown"], f"{name}: junit skipped attribute is wrong")
    check(sarif["runs"][0]["properties"]["coverage"] == rep["coverage"], f"{name}: sarif coverage differs from json")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
