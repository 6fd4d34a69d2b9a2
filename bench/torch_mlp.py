#!/usr/bin/python3
"""Peer benchmark: training throughput of the same MLP in PyTorch (CPU).

Trains an MLP (784-256-128-10 by default, ReLU, Adam lr 1e-3, softmax cross-entropy) on random
data in mini-batches and prints one JSON line with the median samples/s of several timed runs.
--threads N sets torch's thread count; --threads 0 keeps torch's default (which is not always all
cores: Debian's torch 1.13 defaults to one thread on a 2-core VM; the JSON line reports it). Run with
OPENBLAS_NUM_THREADS=1 for a one-thread figure (torch.set_num_threads alone does not limit Debian's
OpenBLAS). If torch is not importable, prints {"skipped": reason} and exits 0.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", default="256,128")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=200, help="steps per timed run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means no peer
        print(json.dumps({"peer": "pytorch", "skipped": f"torch is not importable: {e}"}))
        return 0
    torch.manual_seed(1)
    default_threads = torch.get_num_threads()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    widths = [784] + [int(w) for w in args.hidden.split(",")] + [10]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = args.batch * args.steps
    x = torch.rand(n, 784)
    y = torch.randint(0, 10, (n,))

    def run(steps):
        for s in range(steps):
            xb = x[s * args.batch:(s + 1) * args.batch]
            yb = y[s * args.batch:(s + 1) * args.batch]
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()

    run(10)  # warm-up
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        run(args.steps)
        rates.append(n / (time.perf_counter() - t0))
    print(json.dumps({
        "peer": "pytorch",
        "torch_version": torch.__version__,
        "architecture": "-".join(map(str, widths)) + " relu",
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "torch_default_threads": default_threads,
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", ""),
        "samples_per_second": statistics.median(rates),
        "runs": rates,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
