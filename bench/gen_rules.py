#!/usr/bin/env python3
"""Writes a directory of extra log rules for benchmarks: N rules shaped like the shipped ones
(selectors on the Flux controllers, named groups, alternations, level filters) whose patterns
name errors the benchmark logs never contain, so they cost time but find nothing.

Usage: gen_rules.py --count 180 --out bench/out/rules-x10
"""
import argparse
import os
import random

VERBS = ["reconcile", "fetch", "decrypt", "render", "validate", "sign", "verify", "publish",
         "mirror", "index", "patch", "prune", "migrate", "resolve", "admit", "schedule"]
NOUNS = ["widget", "tenant quota", "artifact cache", "policy bundle", "signing key",
         "registry mirror", "webhook receiver", "image digest", "license server",
         "feature gate", "storage class", "object lock", "shard lease", "payload manifest"]
REASONS = ["quota exceeded", "permission denied", "checksum mismatch", "certificate expired",
           "context deadline exceeded", "too many open files", "stream reset",
           "resource version too old", "unexpected EOF", "invalid signature"]
PODS = '"^(source|kustomize|helm|notification|image-reflector|image-automation)-controller-"'
SHAPES = [
    # a literal prefix, captures
    "{verb_cap} {noun} (?<ref>[\\w.-]+/[\\w.-]+): (?<err>{r1}|{r2})",
    # an alternation of phrases, then a reason
    "(?<what>failed to {verb} {noun} {n}|{noun} {n} is unavailable|cannot {verb} {noun} {n})"
    "(?:.*?)(?<err>{r1}|{r2}|{r3})",
    # top-level alternation
    "{noun} {n} (?:rejected|refused) the request|{verb} of {noun} {n} aborted",
    # JSON field text
    '"error":"(?<err>{noun} {n}: {r1}[^"]*)"',
    # counted
    "{noun} {n} retry budget exhausted after (?<count>[0-9]+) attempts",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    for fn in os.listdir(a.out):
        if fn.endswith(".yaml"):
            os.remove(os.path.join(a.out, fn))
    out = ["rules:"]
    for i in range(a.count):
        verb, noun = VERBS[i % len(VERBS)], NOUNS[(i // 3) % len(NOUNS)]
        r1, r2, r3 = rng.sample(REASONS, 3)
        pat = SHAPES[i % len(SHAPES)].format(
            verb=verb, verb_cap=verb.capitalize() + " failed for", noun=noun, n="x%03d" % i,
            r1=r1, r2=r2, r3=r3)
        level = "\n        level: error" if i % 4 == 0 else ""
        within = "\n        within: 1h" if i % 2 == 0 else ""
        by = ["object", "pod", "rule"][i % 3]
        out.append(f"""  - id: BENCH-EXTRA-{i:03d}
    title: Benchmark rule {i} ({noun} cannot {verb})
    severity: {["warning", "error"][i % 2]}
    category: {["apply", "source", "controller", "cache"][i % 4]}
    match:
      log:
        pod: {PODS}
        container: "^manager$"{level}
        pattern: '{pat.replace("'", "''")}'{within}
        by: {by}
    message: >-
      {{pod}} logged {{count}} lines about {noun} ({{log.error|default:-}}).
    fix:
      - "kubectl -n {{flux_namespace}} logs {{pod}} -c {{container}} | tail -50"
    why: >-
      Generated for benchmarks: shaped like a real log rule, matching nothing in the benchmark
      bundles.
""")
    with open(os.path.join(a.out, "bench-extra.yaml"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
