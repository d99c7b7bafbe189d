#!/usr/bin/env python3
"""PyTorch eager peer for bench/LlamaBench: the same Llama-1B-shaped model (TinyLlama-1.1B: RMSNorm, rotate-half RoPE,
grouped-query attention with k/v heads repeated, SiLU-gated MLP, untied lm_head), written in plain torch with the math
of our decoder and reading the very weights LlamaBench wrote (the safetensors in --dir), so the first losses agree.
Attention is the path our shim takes on libtorch 1.13 (native/lft_torch/src/nn_functional.cpp): the private
_scaled_dot_product_attention with an additive -inf causal mask (1.13 has no public F.scaled_dot_product_attention).
--mode train: full fine-tuning steps as the trainer takes them: sum cross-entropy / target count, backward, clip 1.0,
AdamW (lr 1e-4, decay 0.1 on matrices, none on norm gains; PyTorch's CPU default, the single-tensor loop, unless
--foreach 1), zero_grad(set_to_none). --mode infer: eval (forward + loss, no grad) and greedy KV-cache generation.
One process per mode; prints one JSON line with LlamaBench's keys."""
import argparse, json, os, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_bench_torch import reset_peak, status_mb  # noqa: E402  /proc RSS helpers
from lora_bench_torch import bench_ids, read_safetensors  # noqa: E402  LoraBench's ids and safetensors reader


def rms_norm(x, weight, eps):
    """lft_nn_rms_norm: normalised in float32, cast back, then scaled."""
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def repeat_kv(x, heads):
    """[B, Hkv, S, D] -> [B, H, S, D], as our Attention.RepeatKeyValueHeads (HF's repeat_kv)."""
    b, kv, s, d = x.shape
    return x if kv == heads else x[:, :, None].expand(b, kv, heads // kv, s, d).reshape(b, heads, s, d)


def attend(q, k, v, causal):
    """The shim's 1.13 path: an additive float mask (0 / -inf) built from the causal triangle, or none."""
    mask = None
    if causal:
        t, s = q.shape[-2], k.shape[-2]
        keep = torch.ones(t, s, dtype=torch.bool).tril()
        mask = torch.zeros(t, s, dtype=q.dtype).masked_fill(~keep, float("-inf"))
    return F._scaled_dot_product_attention(q, k, v, mask, 0.0, False, False)[0]


class Block(nn.Module):
    def __init__(self, w, prefix, cfg):
        super().__init__()
        take = lambda n: nn.Parameter(w.pop(prefix + n + ".weight"))  # noqa: E731
        self.heads, self.kv_heads, self.eps = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
        self.ln1, self.ln2 = take("input_layernorm"), take("post_attention_layernorm")
        self.q, self.k, self.v, self.o = (take("self_attn." + n) for n in ("q_proj", "k_proj", "v_proj", "o_proj"))
        self.gate, self.up, self.down = (take("mlp." + n) for n in ("gate_proj", "up_proj", "down_proj"))

    def forward(self, x, cos, sin, cache, index):
        b, t, c = x.shape
        d = c // self.heads
        h = rms_norm(x, self.ln1, self.eps)
        q = F.linear(h, self.q).view(b, t, self.heads, d).transpose(1, 2)        # [B, H, T, D]
        k = F.linear(h, self.k).view(b, t, self.kv_heads, d).transpose(1, 2)     # [B, Hkv, T, D]
        v = F.linear(h, self.v).view(b, t, self.kv_heads, d).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        past = 0
        if cache is not None:  # keys and values cached before the GQA repeat, as ours
            if cache[index] is not None:
                past = cache[index][0].shape[2]
                k, v = torch.cat((cache[index][0], k), 2), torch.cat((cache[index][1], v), 2)
            cache[index] = (k, v)
        assert past == 0 or t == 1, "the cache is fed one token at a time"
        y = attend(q, repeat_kv(k, self.heads), repeat_kv(v, self.heads), causal=past == 0 and t > 1)
        x = x + F.linear(y.transpose(1, 2).reshape(b, t, c), self.o)
        h = rms_norm(x, self.ln2, self.eps)
        return x + F.linear(F.silu(F.linear(h, self.gate)) * F.linear(h, self.up), self.down)


class Llama(nn.Module):
    def __init__(self, w, cfg):
        super().__init__()
        self.eps = cfg["rms_norm_eps"]
        self.embed = nn.Parameter(w.pop("model.embed_tokens.weight"))
        self.layers = nn.ModuleList(Block(w, f"model.layers.{i}.", cfg) for i in range(cfg["num_hidden_layers"]))
        self.norm = nn.Parameter(w.pop("model.norm.weight"))
        self.head = nn.Parameter(w.pop("lm_head.weight"))
        assert not w, f"unused weights: {list(w)[:5]}"
        # Our RotaryEmbedding: angle = position * float32(inv_freq) in float64, tables float32, cat(freqs, freqs).
        d = cfg["hidden_size"] // cfg["num_attention_heads"]
        inv = (1.0 / cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d)).float().double()
        angles = torch.outer(torch.arange(cfg["max_position_embeddings"], dtype=torch.float64), inv)
        self.register_buffer("cos", torch.cat((angles, angles), -1).cos().float())
        self.register_buffer("sin", torch.cat((angles, angles), -1).sin().float())

    def forward(self, ids, cache=None):
        past = cache[0][0].shape[2] if cache is not None and cache[0] is not None else 0
        cos, sin = self.cos[past:past + ids.shape[1]], self.sin[past:past + ids.shape[1]]
        x = F.embedding(ids, self.embed)
        for i, block in enumerate(self.layers):
            x = block(x, cos, sin, cache, i)
        return F.linear(rms_norm(x, self.norm, self.eps), self.head)


def loss_of(logits, ids, reduction):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction=reduction)


def train(model, ids, a):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    plain = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": plain, "weight_decay": 0.0}],
                            lr=1e-4, foreach=bool(a.foreach))
    targets = ids.numel() - ids.shape[0]
    setup_rss = status_mb("VmRSS:")
    times, cpu_times, pass_peaks, opt_peaks, losses, peak = [], [], [], [], [], 0.0
    for i in range(a.warmup + a.steps):
        before, reset = status_mb("VmRSS:"), reset_peak()
        start, cpu_start = time.perf_counter(), time.process_time()
        loss = loss_of(model(ids), ids, "sum") / targets
        loss.backward()
        loss = loss.item()
        pass_peak = status_mb("VmHWM:")
        reset_peak()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        step_peak = max(pass_peak, status_mb("VmHWM:"))
        losses.append(loss)
        print(f"pytorch step {i}: {seconds:.2f} s, loss {loss:.6f}, peak RSS {step_peak:.0f} MB", file=sys.stderr)
        if i < a.warmup:
            continue
        times.append(seconds)
        cpu_times.append(cpu_seconds)
        if reset:
            pass_peaks.append(pass_peak - before)
            opt_peaks.append(status_mb("VmHWM:") - before)
        peak = max(peak, step_peak if reset else status_mb("VmHWM:"))
    median = statistics.median(times)
    return {"batch": a.batch, "seq": a.seq, "foreach": bool(a.foreach), "step_seconds_median": median, "step_seconds": times,
            "tokens_per_second": ids.numel() / median,
            "tokens_per_second_best": ids.numel() / min(times), "cpu_seconds_per_step": statistics.median(cpu_times), "losses": losses, "setup_rss_mb": setup_rss, "peak_rss_mb": peak,
            "pass_peak_over_start_mb": statistics.median(pass_peaks) if pass_peaks else None,
            "optimizer_peak_over_start_mb": statistics.median(opt_peaks) if opt_peaks else None}


@torch.no_grad()
def infer(model, ids, a, vocab):
    model.eval()
    prompt = torch.tensor(bench_ids(a.prompt, vocab)).view(1, -1)
    result, cpu = {}, {"eval": [], "gen": []}

    def eval_once():
        start, cpu_start = time.perf_counter(), time.process_time()
        result["eval_loss"] = loss_of(model(ids), ids, "mean").item()
        cpu["eval"].append(time.process_time() - cpu_start)
        return ids.numel() / (time.perf_counter() - start)

    def generate_once():
        start, cpu_start = time.perf_counter(), time.process_time()
        cache, feed, out = [None] * len(model.layers), prompt, []
        for _ in range(a.new_tokens):
            nxt = model(feed, cache)[0, -1].argmax().item()
            out.append(nxt)
            feed = torch.tensor([[nxt]])
        result["generated_ids"] = out
        cpu["gen"].append(time.process_time() - cpu_start)
        return a.new_tokens / (time.perf_counter() - start)

    setup_rss, reset = status_mb("VmRSS:"), reset_peak()
    eval_once(), generate_once()  # warm-up
    cpu["eval"], cpu["gen"] = [], []  # not the warm-up's
    evals = [eval_once() for _ in range(a.repeats)]
    gens = [generate_once() for _ in range(a.repeats)]
    ev, gen = statistics.median(evals), statistics.median(gens)
    print(f"pytorch eval {ev:.1f} tok/s (loss {result['eval_loss']:.6f}), generation {gen:.2f} tok/s", file=sys.stderr)
    return {"batch": a.batch, "seq": a.seq, "eval_tok_s": ev, "eval_tok_s_best": max(evals), "eval_cpu_seconds": statistics.median(cpu["eval"]),
            "eval_loss": result["eval_loss"], "prompt": a.prompt,
            "new_tokens": a.new_tokens, "gen_cache_tok_s": gen, "gen_cache_tok_s_best": max(gens), "gen_cpu_seconds": statistics.median(cpu["gen"]),
            "generated_ids": result["generated_ids"],
            "setup_rss_mb": setup_rss, "peak_rss_mb": status_mb("VmHWM:"), "peak_reset": reset}


def main():
    p = argparse.ArgumentParser()
    for name, default in (("layers", 22), ("batch", 1), ("seq", 256), ("steps", 2), ("warmup", 1), ("repeats", 3),
                          ("prompt", 32), ("new-tokens", 32), ("threads", os.cpu_count()), ("foreach", 0)):
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--mode", choices=("train", "infer"), default="train")
    p.add_argument("--dir", default=None)
    a = p.parse_args()
    folder = a.dir or f"/tmp/lft-llamabench/llama-{a.layers}l"
    torch.set_num_threads(a.threads)
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    start = time.perf_counter()
    model = Llama(read_safetensors(folder), cfg)
    load_seconds = time.perf_counter() - start
    ids = torch.tensor(bench_ids(a.batch * a.seq, cfg["vocab_size"])).view(a.batch, a.seq)
    report = {"impl": f"pytorch eager {torch.__version__}", "mode": a.mode, "threads": torch.get_num_threads(),
              "layers": cfg["num_hidden_layers"], "parameters": sum(x.numel() for x in model.parameters()),
              "load_seconds": load_seconds}
    report.update(train(model, ids, a) if a.mode == "train" else infer(model, ids, a, cfg["vocab_size"]))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
