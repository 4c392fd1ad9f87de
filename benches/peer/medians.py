#!/usr/bin/env python3
"""Prints the medians of the last `cargo bench --manifest-path benches/peer/Cargo.toml` run,
per ballot (the batch rows divided by 1,024), and the ratios peer / tabella.

    python3 benches/peer/medians.py [TARGET_DIR]     # default: $CARGO_TARGET_DIR or benches/peer/target
"""
import json
import os
import sys

target = (sys.argv[1] if len(sys.argv) > 1 else None) or os.environ.get("CARGO_TARGET_DIR") \
    or os.path.join(os.path.dirname(os.path.abspath(__file__)), "target")
ROWS = ["peer/encrypt", "tabella/encrypt", "peer/decode+verify", "tabella/decode+verify",
        "tabella/decode+verify_batch_1024", "tabella/decode+verify_batch_1024_signed"]
for k in ["k2", "k5", "k20"]:
    medians = {}
    for root, _, files in os.walk(os.path.join(target, "criterion", k)):
        if root.endswith(os.sep + "new") and "estimates.json" in files:
            with open(os.path.join(root, "estimates.json")) as f:
                median_ns = json.load(f)["median"]["point_estimate"]
            with open(os.path.join(root, "benchmark.json")) as f:
                name = json.load(f)["function_id"]
            per = 1024 if "batch_1024" in name else 1
            medians[name] = median_ns / 1e3 / per
    if not all(r in medians for r in ROWS):
        print(f"{k}: no complete run under {target}")
        continue
    peer_verify = medians["peer/decode+verify"]
    for row in ROWS:
        base = medians["peer/encrypt"] if row.endswith("encrypt") else peer_verify
        ratio = "" if row.startswith("peer/") else f"  peer / tabella {base / medians[row]:.2f}"
        print(f"{k:4} {row:42} {medians[row]:9.1f} µs per ballot{ratio}")
