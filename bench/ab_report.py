"""Merges the JSON of xlb_bench_datapath runs of two builds (bench/ab.sh).

    ab_report.py LABEL JSON(0|1) OLD.json... -- NEW.json...

Every figure both builds have (scenario, backends, repeat; forwarding
methods by name) becomes one row: the median over the rounds of each
build's net median, and new / old.
"""
import json
import statistics
import sys


def figures(doc):
    out = {}
    for f in doc.get("figures", []):
        if "net_ns" in f:
            out[(f["scenario"], f.get("backends", 0), f["repeat"])] = f["net_ns"]["median"]
    for f in doc.get("forwarding", []):
        out[("forwarding: " + f["method"], 0, 1)] = f["net_ns"]["median"]
    return out


def merged(paths):
    by_key = {}
    for p in paths:
        with open(p) as fh:
            for k, v in figures(json.load(fh)).items():
                by_key.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in by_key.items()}


def rows(old, new):
    for key in new:
        if key in old and old[key] > 0:
            yield key, old[key], new[key], new[key] / old[key]


def main(argv):
    label, as_json = argv[1], argv[2] == "1"
    split = argv.index("--")
    old, new = merged(argv[3:split]), merged(argv[split + 1:])
    table = list(rows(old, new))
    if as_json:
        print(json.dumps({"benchmark": "datapath-ab", "old": label, "unit": "ns/packet net",
                          "figures": [{"scenario": k[0], "backends": k[1], "repeat": k[2],
                                       "old_ns": o, "new_ns": n, "new_over_old": round(r, 3)}
                                      for k, o, n, r in table]}, indent=2))
        return 0
    print(f"A/B: old = {label}, new = this build; net ns per packet, median of rounds\n")
    head = ("scenario", "backends", "repeat", "old", "new", "new/old")
    cells = [head] + [(k[0], str(k[1] or "-"), str(k[2]), f"{o:.0f}", f"{n:.0f}", f"{r:.2f}")
                      for k, o, n, r in table]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    for c in cells:
        print("  ".join(s.ljust(w) if i == 0 else s.rjust(w)
                        for i, (s, w) in enumerate(zip(c, widths))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
