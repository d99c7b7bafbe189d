#!/usr/bin/env python3
"""PyTorch eager peer for bench/LoraBench: the same phi-2-shaped model with LoRA on every linear layer (q_proj, k_proj,
v_proj, dense, fc1, fc2; not lm_head, as PEFT's all-linear), written in plain torch with the math of our decoder
(parallel block, LayerNorm with bias, partial rotary embedding on the first head_dim*0.4 dims, gelu tanh, causal
softmax attention), reading the very weights LoraBench wrote (the safetensors in --dir), so the first losses must
agree. A step is the trainer's: sum cross-entropy / target count, backward, clip 1.0, AdamW over the adapters only,
zero_grad. --checkpoint 1 wraps each block in torch.utils.checkpoint (non-reentrant: with a frozen embedding the
reentrant variant would give the adapters no gradient). One process per mode; prints one JSON line with
LoraBench's keys."""
import argparse, glob, json, math, os, statistics, struct, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_bench_torch import reset_peak, status_mb  # noqa: E402  /proc RSS helpers of the checkpointing bench

DTYPES = {"F32": (torch.float32, 4), "BF16": (torch.bfloat16, 2), "F16": (torch.float16, 2)}


def read_safetensors(folder):
    """Every tensor of the folder's *.safetensors, read straight into torch memory (no second copy)."""
    weights = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.safetensors"))):
        with open(path, "rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(size))
            for name, entry in header.items():
                if name == "__metadata__":
                    continue
                dtype, _ = DTYPES[entry["dtype"]]
                begin, end = entry["data_offsets"]
                t = torch.empty(entry["shape"], dtype=dtype)
                f.seek(8 + size + begin)
                raw = (t.view(torch.int16) if dtype == torch.bfloat16 else t).numpy()  # numpy has no bfloat16
                f.readinto(memoryview(raw).cast("B"))
                assert t.numel() * t.element_size() == end - begin, name
                weights[name] = t
    return weights


class LoraLinear(nn.Module):
    """Frozen W, b plus scaling * B(A(x)); A kaiming-uniform (a = sqrt 5, PEFT's init), B zero."""

    def __init__(self, weight, bias, r, alpha):
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("bias", bias)
        self.lora_A = nn.Parameter(torch.empty(r, weight.shape[1]))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(weight.shape[0], r))
        self.scaling = alpha / r

    def forward(self, x):
        return F.linear(x, self.weight, self.bias) + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class PhiBlock(nn.Module):
    def __init__(self, w, prefix, cfg, r, alpha):
        super().__init__()
        self.heads, self.eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
        self.register_buffer("ln_w", w.pop(prefix + "input_layernorm.weight"))
        self.register_buffer("ln_b", w.pop(prefix + "input_layernorm.bias"))
        lin = lambda n: LoraLinear(w.pop(prefix + n + ".weight"), w.pop(prefix + n + ".bias"), r, alpha)  # noqa: E731
        self.q_proj, self.k_proj, self.v_proj = lin("self_attn.q_proj"), lin("self_attn.k_proj"), lin("self_attn.v_proj")
        self.dense, self.fc1, self.fc2 = lin("self_attn.dense"), lin("mlp.fc1"), lin("mlp.fc2")

    def forward(self, x, cos, sin):
        b, t, c = x.shape
        d = c // self.heads
        h = F.layer_norm(x, (c,), self.ln_w, self.ln_b, self.eps)
        q, k, v = (p(h).view(b, t, self.heads, d).transpose(1, 2) for p in (self.q_proj, self.k_proj, self.v_proj))
        rot = cos.shape[-1]
        q, k = (torch.cat((z[..., :rot] * cos + rotate_half(z[..., :rot]) * sin, z[..., rot:]), dim=-1) for z in (q, k))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))  # torch 1.13 has no public fused SDPA
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)
        return self.dense(y) + self.fc2(F.gelu(self.fc1(h), approximate="tanh")) + x


class Phi(nn.Module):
    def __init__(self, w, cfg, r, alpha, use_checkpoint):
        super().__init__()
        self.use_checkpoint, self.eps = use_checkpoint, cfg["layer_norm_eps"]
        self.register_buffer("embed", w.pop("model.embed_tokens.weight"))
        self.layers = nn.ModuleList(PhiBlock(w, f"model.layers.{i}.", cfg, r, alpha) for i in range(cfg["num_hidden_layers"]))
        self.register_buffer("ln_w", w.pop("model.final_layernorm.weight"))
        self.register_buffer("ln_b", w.pop("model.final_layernorm.bias"))
        self.register_buffer("head_w", w.pop("lm_head.weight"))
        self.register_buffer("head_b", w.pop("lm_head.bias"))
        assert not w, f"unused weights: {list(w)[:5]}"
        head_dim = cfg["hidden_size"] // cfg["num_attention_heads"]
        rot = int(head_dim * cfg["partial_rotary_factor"])
        inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, rot, 2, dtype=torch.int64).float() / rot))
        freqs = torch.outer(torch.arange(cfg["max_position_embeddings"]).float(), inv_freq)
        self.register_buffer("cos", torch.cat((freqs, freqs), dim=-1).cos())
        self.register_buffer("sin", torch.cat((freqs, freqs), dim=-1).sin())

    def forward(self, ids):
        x = F.embedding(ids, self.embed)
        cos, sin = self.cos[: ids.shape[1]], self.sin[: ids.shape[1]]
        for block in self.layers:
            x = checkpoint(block, x, cos, sin, use_reentrant=False) if self.use_checkpoint else block(x, cos, sin)
        return F.linear(F.layer_norm(x, (x.shape[-1],), self.ln_w, self.ln_b, self.eps), self.head_w, self.head_b)


def bench_ids(count, vocab):
    """The token ids of LoraBench's BenchIds: a 31-bit LCG, id = state mod vocab."""
    ids, state = [], 1
    for _ in range(count):
        state = (1103515245 * state + 12345) % 2147483648
        ids.append(state % vocab)
    return ids


def main():
    p = argparse.ArgumentParser()
    for name, default in (("batch", 4), ("seq", 256), ("steps", 2), ("warmup", 1), ("layers", 32), ("r", 16),
                          ("threads", os.cpu_count()), ("checkpoint", 0)):
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--dir", default=None)
    a = p.parse_args()
    folder = a.dir or f"/tmp/lft-lorabench/phi-{a.layers}l"
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    start = time.perf_counter()
    model = Phi(read_safetensors(folder), cfg, a.r, 2 * a.r, bool(a.checkpoint))
    load_seconds = time.perf_counter() - start
    model.train()
    adapters = list(model.parameters())
    opt = torch.optim.AdamW([{"params": adapters, "weight_decay": 0.0}], lr=2e-4)
    ids = torch.tensor(bench_ids(a.batch * a.seq, cfg["vocab_size"])).view(a.batch, a.seq)
    targets = a.batch * (a.seq - 1)

    def forward_backward():
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="sum") / targets
        loss.backward()
        return loss.item()

    setup_rss = status_mb("VmRSS:")
    times, pass_peaks, losses, peak = [], [], [], 0.0
    for i in range(a.warmup + a.steps):
        before, reset = status_mb("VmRSS:"), reset_peak()
        start = time.perf_counter()
        loss = forward_backward()
        if reset and i >= a.warmup:
            pass_peaks.append(status_mb("VmHWM:") - before)
        torch.nn.utils.clip_grad_norm_(adapters, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        seconds = time.perf_counter() - start
        losses.append(loss)
        print(f"pytorch step {i}: {seconds:.1f} s, loss {loss:.6f}, peak RSS {status_mb('VmHWM:'):.0f} MB", file=sys.stderr)
        if i < a.warmup:
            continue
        times.append(seconds)
        peak = max(peak, status_mb("VmHWM:"))
    median = statistics.median(times)
    print(json.dumps({
        "impl": f"pytorch eager {torch.__version__}", "checkpoint": bool(a.checkpoint), "threads": torch.get_num_threads(),
        "layers": a.layers, "batch": a.batch, "seq": a.seq, "r": a.r,
        "base_parameters": sum(b.numel() for n, b in model.named_buffers() if n not in ("cos", "sin")),
        "trainable_parameters": sum(x.numel() for x in adapters), "adapters": len(adapters) // 2,
        "load_seconds": load_seconds, "step_seconds_median": median, "step_seconds": times,
        "tokens_per_second": a.batch * a.seq / median, "losses": losses,
        "setup_rss_mb": setup_rss, "peak_rss_mb": peak,
        "pass_peak_over_start_mb": statistics.median(pass_peaks) if pass_peaks else None,
    }))


if __name__ == "__main__":
    main()
