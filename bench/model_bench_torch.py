#!/usr/bin/env python3
"""PyTorch-eager peer of bench/ModelBench: same GPT-2-124M shapes, same loops, same medians.

Eval: one forward of [eval_batch, eval_seq] random ids under no_grad. Generation: a 32-token random prompt,
greedy, N new tokens, with a KV cache (feed the newest token) and without (re-feed the whole sequence).
Attention is the eager math (matmul, causal mask, softmax), as Debian's torch 1.13 has no public SDPA.
Prints one JSON line like ModelBench. Usage: python3 bench/model_bench_torch.py [--threads 2] [--repeats 3] ...
"""
import argparse, json, math, statistics, time
import torch
import torch.nn.functional as F


class Gpt2:
    def __init__(self, vocab, ctx, embd, layers, heads):
        g = torch.Generator().manual_seed(1)
        def normal(*shape): return torch.randn(*shape, generator=g) * 0.02
        self.heads, self.embd = heads, embd
        self.wte, self.wpe = normal(vocab, embd), normal(ctx, embd)
        self.blocks = [dict(ln1=(torch.ones(embd), torch.zeros(embd)), attn=(normal(embd, 3 * embd), torch.zeros(3 * embd)),
                            proj=(normal(embd, embd), torch.zeros(embd)), ln2=(torch.ones(embd), torch.zeros(embd)),
                            fc=(normal(embd, 4 * embd), torch.zeros(4 * embd)), fc_proj=(normal(4 * embd, embd), torch.zeros(embd)))
                       for _ in range(layers)]
        self.lnf = (torch.ones(embd), torch.zeros(embd))

    def forward(self, ids, cache=None):
        b, t = ids.shape
        past = cache[0][0].shape[2] if cache and cache[0] else 0
        x = self.wte[ids] + self.wpe[past:past + t]
        for i, blk in enumerate(self.blocks):
            h = F.layer_norm(x, (self.embd,), *blk["ln1"])
            q, k, v = torch.addmm(blk["attn"][1], h.view(-1, self.embd), blk["attn"][0]).view(b, t, 3 * self.embd).split(self.embd, 2)
            q, k, v = [z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v)]
            if cache is not None:
                if cache[i]:
                    k, v = torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2)
                cache[i] = (k, v)
            att = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
            if t > 1:
                mask = torch.ones(t, past + t, dtype=torch.bool).tril(past)
                att = att.masked_fill(~mask, float("-inf"))
            y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, self.embd)
            x = x + torch.addmm(blk["proj"][1], y.view(-1, self.embd), blk["proj"][0]).view(b, t, -1)
            h = F.layer_norm(x, (self.embd,), *blk["ln2"])
            h = F.gelu(torch.addmm(blk["fc"][1], h.view(-1, self.embd), blk["fc"][0]), approximate="tanh")
            x = x + torch.addmm(blk["fc_proj"][1], h, blk["fc_proj"][0]).view(b, t, -1)
        return F.linear(F.layer_norm(x, (self.embd,), *self.lnf), self.wte)


def main():
    p = argparse.ArgumentParser()
    for name, default in [("threads", torch.get_num_threads()), ("repeats", 3), ("eval-batch", 1), ("eval-seq", 256),
                          ("prompt", 32), ("new-tokens", 32), ("layers", 12), ("embd", 768), ("heads", 12)]:
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = Gpt2(50257, 1024, a.embd, a.layers, a.heads)
    gen = torch.Generator().manual_seed(0)
    eval_ids = torch.randint(0, 50257, (a.eval_batch, a.eval_seq), generator=gen)
    prompt = torch.randint(0, 50257, (1, a.prompt), generator=gen)

    @torch.no_grad()
    def eval_once():
        start = time.perf_counter()
        model.forward(eval_ids)
        return eval_ids.numel() / (time.perf_counter() - start)

    @torch.no_grad()
    def generate_once(use_cache):
        start = time.perf_counter()
        ids, cache = prompt, ([None] * a.layers if use_cache else None)
        feed = ids
        for _ in range(a.new_tokens):
            logits = model.forward(feed, cache)
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            ids = torch.cat([ids, nxt], 1)
            feed = nxt if use_cache else ids
        return a.new_tokens / (time.perf_counter() - start)

    eval_once(); generate_once(True)  # warm-up
    print(json.dumps({
        "impl": "torch", "threads": torch.get_num_threads(), "torch": torch.__version__,
        "eval_tok_s": statistics.median(eval_once() for _ in range(a.repeats + 2)),
        "gen_cache_tok_s": statistics.median(generate_once(True) for _ in range(a.repeats)),
        "gen_nocache_tok_s": statistics.median(generate_once(False) for _ in range(a.repeats)),
    }))


if __name__ == "__main__":
    main()
