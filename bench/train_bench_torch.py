#!/usr/bin/env python3
"""PyTorch eager reference for bench/TrainBench: the same GPT-2-124M-shaped training step (batch 8 x seq 256,
AdamW with decay on matrices only, clip 1.0, dropout 0) on CPU. Debian's python3-torch is libtorch 1.13.1, the
library our binding uses, so the difference measured is the binding + model code, not the kernels.
Prints one JSON line with the same keys as TrainBench."""
import argparse, json, math, os, resource, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.heads)  # torch 1.13 has no fused SDPA
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        x = x + self.c_proj((att @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self, vocab=50257, positions=1024, d=768, layers=12, heads=12):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(positions, d)
        self.h = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()  # tied lm_head


def matmul_gflops(n=2048, repeats=5):
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = min(timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n ** 3 / best / 1e9


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    for name, default in (("batch", 8), ("seq", 256), ("steps", 5), ("warmup", 1), ("layers", 12), ("threads", os.cpu_count())):
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    gflops = matmul_gflops()
    model = Gpt2(layers=a.layers)
    params = sum(x.numel() for x in model.parameters())
    decay = [x for x in model.parameters() if x.dim() >= 2]
    plain = [x for x in model.parameters() if x.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": plain, "weight_decay": 0.0}], lr=1e-4)
    ids = torch.randint(0, 50257, (a.batch, a.seq))

    def step():
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="sum")
        (loss / (a.batch * (a.seq - 1))).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    times = [timed(step) for _ in range(a.warmup + a.steps)][a.warmup:]
    median = statistics.median(times)
    tps = a.batch * a.seq / median
    print(json.dumps({
        "impl": f"pytorch eager {torch.__version__}", "threads": torch.get_num_threads(), "parameters": params,
        "batch": a.batch, "seq": a.seq, "step_seconds_median": median, "step_seconds": times, "tokens_per_second": tps,
        "matmul_gflops": gflops, "mfu": 6 * params * tps / (gflops * 1e9),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
