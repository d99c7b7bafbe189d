#!/usr/bin/env python3
"""PyTorch eager reference for bench/DpoBench: the same DPO step on the GPT-2-124M shape (the model of
train_bench_torch.py), 4 pairs x seq 256 with a 128-token prompt shared by both answers, a frozen deep copy as the
reference (no_grad, eval), one concatenated policy forward+backward, sigmoid loss beta 0.1, clip 1.0, AdamW.
Prints one JSON line with the same keys as DpoBench."""
import argparse, copy, json, os, statistics
import torch
import torch.nn.functional as F
from train_bench_torch import Gpt2, timed


def answer_logps(logits, labels):
    """Summed log-prob of the labelled (answer) tokens per row; -100 labels add nothing."""
    nll = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100, reduction="none")
    return -nll.view(labels.shape[0], -1).sum(-1)


def peak_rss_mb():
    """VmHWM, which clear_refs resets (ru_maxrss does not)."""
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024


def main():
    p = argparse.ArgumentParser()
    for name, default in (("pairs", 4), ("seq", 256), ("steps", 3), ("warmup", 1), ("layers", 12), ("threads", os.cpu_count())):
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    policy = Gpt2(layers=a.layers)
    reference = copy.deepcopy(policy).eval().requires_grad_(False)
    params = sum(x.numel() for x in policy.parameters())
    decay = [x for x in policy.parameters() if x.dim() >= 2]
    plain = [x for x in policy.parameters() if x.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": plain, "weight_decay": 0.0}], lr=1e-6)
    half = a.seq // 2
    prompt = torch.randint(0, 50257, (a.pairs, half))
    ids = torch.cat([torch.cat([prompt, torch.randint(0, 50257, (a.pairs, a.seq - half))], 1) for _ in range(2)])  # chosen rows, then rejected
    labels = ids.clone()
    labels[:, :half] = -100
    beta = 0.1

    def step():
        with torch.no_grad():
            ref = answer_logps(reference(ids), labels)
        logps = answer_logps(policy(ids), labels)
        h = (logps[:a.pairs] - logps[a.pairs:]) - (ref[:a.pairs] - ref[a.pairs:])
        loss = -F.logsigmoid(beta * h).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    setup_rss = peak_rss_mb()
    with open("/proc/self/clear_refs", "w") as f:  # from here on, the peak of the steps alone
        f.write("5")
    times = [timed(step) for _ in range(a.warmup + a.steps)][a.warmup:]
    median = statistics.median(times)
    print(json.dumps({
        "impl": f"pytorch eager {torch.__version__}", "threads": torch.get_num_threads(), "parameters": params,
        "pairs": a.pairs, "seq": a.seq, "step_seconds_median": median, "step_seconds": times,
        "tokens_per_second": 2 * a.pairs * a.seq / median,
        "setup_peak_rss_mb": setup_rss, "peak_rss_mb": peak_rss_mb(),
    }))


if __name__ == "__main__":
    main()
