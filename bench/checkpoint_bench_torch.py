#!/usr/bin/env python3
"""PyTorch eager peer for bench/CheckpointBench: the GPT-2-124M-shaped step of bench/train_bench_torch.py (AdamW with
decay on matrices only, clip 1.0, dropout 0), CPU, batch 4 x seq 256 by default, each block wrapped in
torch.utils.checkpoint (reentrant, the 1.13 default, RNG preserved) with --checkpoint 1. One process per mode, as
peak RSS is per process. Prints one JSON line with the keys of CheckpointBench."""
import argparse, json, os, resource, statistics, sys, time
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_bench_torch import Gpt2  # noqa: E402  the same model as the fine-tuning bench


class CheckpointedGpt2(Gpt2):
    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = checkpoint(block, x)
        return self.ln_f(x) @ self.wte.weight.t()


def status_mb(field):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field)) / 1024


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main():
    p = argparse.ArgumentParser()
    for name, default in (("batch", 4), ("seq", 256), ("steps", 3), ("warmup", 1), ("layers", 12),
                          ("threads", os.cpu_count()), ("checkpoint", 0)):
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = (CheckpointedGpt2 if a.checkpoint else Gpt2)(layers=a.layers)
    model.train()
    decay = [x for x in model.parameters() if x.dim() >= 2]
    plain = [x for x in model.parameters() if x.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": plain, "weight_decay": 0.0}], lr=1e-4)
    ids = torch.randint(0, 50257, (a.batch, a.seq))

    def forward_backward():
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="sum")
        loss = loss / (a.batch * (a.seq - 1))
        loss.backward()
        return loss.item()

    def optimizer_step():
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    setup_rss = status_mb("VmRSS:")
    times, pass_peaks, peak, loss = [], [], 0.0, 0.0
    for i in range(a.warmup + a.steps):
        before, reset = status_mb("VmRSS:"), reset_peak()
        start = time.perf_counter()
        loss = forward_backward()
        if reset and i >= a.warmup:
            pass_peaks.append(status_mb("VmHWM:") - before)
        optimizer_step()
        if i < a.warmup:
            continue
        times.append(time.perf_counter() - start)
        peak = max(peak, status_mb("VmHWM:"))
    print(json.dumps({
        "impl": f"pytorch eager {torch.__version__}", "checkpoint": bool(a.checkpoint), "threads": torch.get_num_threads(),
        "parameters": sum(x.numel() for x in model.parameters()), "batch": a.batch, "seq": a.seq, "layers": a.layers,
        "step_seconds_median": statistics.median(times), "step_seconds": times, "final_loss": loss,
        "setup_rss_mb": setup_rss, "peak_rss_mb": peak,
        "pass_peak_over_start_mb": statistics.median(pass_peaks) if pass_peaks else None,
    }))


if __name__ == "__main__":
    main()
