// The same work as bench/TorchBench, made directly against ATen: every call below is the call that
// native/lft_torch makes for the corresponding C# method (named in the comments), in the same order, so
// the only difference between the two timings is the binding (P/Invoke, handles, DisposeScope, C# glue).
// Prints one JSON object on stdout. Usage: block_bench [--threads N] [--steps N] [--warmup N]
//   [--matmul-reps N] [--only matmul|block] [--dim 768] [--heads 12] [--seq 256] [--batch 4]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace {

// The shape, set from the command line; GPT-2 small by default.
int64_t D = 768, Heads = 12, Batch = 4, Seq = 256;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool openblas_loaded() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::transform(line.begin(), line.end(), line.begin(), ::tolower);
    if (line.find("openblas") != std::string::npos) return true;
  }
  return false;
}

// Tensor.MatMul → lft_tensor_matmul → at::matmul.
double matmul_gflops(int64_t n, int reps) {
  auto a = at::randn({n, n}), b = at::randn({n, n});
  at::matmul(a, b);
  std::vector<double> seconds;
  for (int i = 0; i < reps; i++) {
    double t0 = now_ms();
    at::matmul(a, b);
    seconds.push_back((now_ms() - t0) / 1000);
  }
  return 2.0 * n * n * n / median(seconds) / 1e9;
}

// Functional.ScaledDotProductAttention(q, k, v, causal: true) → lft_nn_scaled_dot_product_attention,
// as native/lft_torch/src/nn_functional.cpp does it (no mask given, scale left at its default).
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  return at::scaled_dot_product_attention(q, k, v, c10::nullopt, 0.0, true, c10::nullopt).contiguous();
#else
  auto l = q.size(-2), s = k.size(-2);
  auto opts = q.options().requires_grad(false);
  auto keep = at::ones({l, s}, opts.dtype(at::kBool)).tril();
  auto mask = at::zeros(keep.sizes(), opts.dtype(q.scalar_type()))
                  .masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
  return std::get<0>(at::_scaled_dot_product_attention(q, k, v, mask, 0.0, false, false));
#endif
}

struct Block {
  at::Tensor ln1_w, ln1_b, attn_w, attn_b, proj_w, proj_b, ln2_w, ln2_b, fc_w, fc_b, mlp_w, mlp_b;

  int64_t Hidden = 4 * D, HeadDim = D / Heads;

  static at::Tensor param(const at::Tensor& t) { return t.detach().requires_grad_(true); }

  Block() {
    ln1_w = param(at::ones({D})), ln1_b = param(at::zeros({D}));
    attn_w = param(at::randn({D, 3 * D}) * 0.02), attn_b = param(at::zeros({3 * D}));
    proj_w = param(at::randn({D, D}) * 0.02), proj_b = param(at::zeros({D}));
    ln2_w = param(at::ones({D})), ln2_b = param(at::zeros({D}));
    fc_w = param(at::randn({D, Hidden}) * 0.02), fc_b = param(at::zeros({Hidden}));
    mlp_w = param(at::randn({Hidden, D}) * 0.02), mlp_b = param(at::zeros({D}));
  }
  std::vector<at::Tensor> decayed() const { return {attn_w, proj_w, fc_w, mlp_w}; }
  std::vector<at::Tensor> not_decayed() const { return {ln1_w, ln1_b, attn_b, proj_b, ln2_w, ln2_b, fc_b, mlp_b}; }

  at::Tensor heads(const at::Tensor& part, int64_t b, int64_t t) const {
    return part.view({b, t, Heads, HeadDim}).transpose(1, 2);
  }

  // Mirrors TorchBench's Block.Forward line by line.
  at::Tensor forward(const at::Tensor& x) const {
    int64_t b = x.size(0), t = x.size(1);
    auto h = at::layer_norm(x, {D}, ln1_w, ln1_b, 1e-5);
    auto qkv = at::addmm(attn_b, h.view({b * t, D}), attn_w, 1.0, 1.0).view({b, t, 3 * D});
    auto parts = qkv.split(D, 2);
    auto q = heads(parts[0], b, t), k = heads(parts[1], b, t), v = heads(parts[2], b, t);
    auto y = causal_attention(q, k, v);
    y = y.transpose(1, 2).contiguous().view({b * t, D});
    auto x1 = at::add(x, at::addmm(proj_b, y, proj_w, 1.0, 1.0).view({b, t, D}), 1.0);
    auto h2 = at::layer_norm(x1, {D}, ln2_w, ln2_b, 1e-5).view({b * t, D});
    auto g = at::gelu(at::addmm(fc_b, h2, fc_w, 1.0, 1.0), "tanh");
    return at::add(x1, at::addmm(mlp_b, g, mlp_w, 1.0, 1.0).view({b, t, D}), 1.0);
  }
};

// The arithmetic of native/lft_torch/src/optim_adamw.cpp (its CPU foreach path), kept identical.
struct AdamW {
  std::vector<at::Tensor> params;
  std::vector<int> group_of;
  std::vector<double> lr, weight_decay;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::vector<at::Tensor> exp_avg, exp_avg_sq, step_tensors;
  int64_t step_count = 0;

  AdamW(const std::vector<std::vector<at::Tensor>>& groups, std::vector<double> lrs, std::vector<double> wds)
      : lr(std::move(lrs)), weight_decay(std::move(wds)) {
    at::NoGradGuard no_grad;
    for (size_t g = 0; g < groups.size(); g++)
      for (const auto& p : groups[g]) {
        params.push_back(p);
        group_of.push_back(static_cast<int>(g));
        exp_avg.push_back(at::zeros_like(p, at::MemoryFormat::Preserve));
        exp_avg_sq.push_back(at::zeros_like(p, at::MemoryFormat::Preserve));
        step_tensors.push_back(at::zeros({}, p.options().dtype(at::kFloat)));
      }
  }

  void step() {
    at::NoGradGuard no_grad;
    step_count += 1;
    for (size_t g = 0; g < lr.size(); g++) {
      std::vector<at::Tensor> ps, grads, m, v, steps;
      for (size_t i = 0; i < params.size(); i++) {
        if (group_of[i] != static_cast<int>(g) || !params[i].grad().defined()) continue;
        ps.push_back(params[i]);
        grads.push_back(params[i].grad());
        m.push_back(exp_avg[i]);
        v.push_back(exp_avg_sq[i]);
        steps.push_back(step_tensors[i]);
      }
      if (ps.empty()) continue;
      double l = lr[g], wd = weight_decay[g];
      if (wd != 0) at::_foreach_mul_(ps, 1.0 - l * wd);
      at::_foreach_mul_(m, beta1);
      at::_foreach_add_(m, grads, 1.0 - beta1);
      at::_foreach_mul_(v, beta2);
      at::_foreach_addcmul_(v, grads, grads, 1.0 - beta2);
      double bias1 = 1.0 - std::pow(beta1, static_cast<double>(step_count));
      double bias2 = 1.0 - std::pow(beta2, static_cast<double>(step_count));
      auto denom = at::_foreach_sqrt(v);
      at::_foreach_div_(denom, std::sqrt(bias2));
      at::_foreach_add_(denom, eps);
      at::_foreach_addcdiv_(ps, m, denom, -l / bias1);
    }
  }

  // AdamW.ZeroGrad() (setToNone = true) → lft_adamw_zero_grad.
  void zero_grad() {
    for (auto& p : params)
      if (p.grad().defined()) p.mutable_grad() = at::Tensor();
  }
};

double gflop_per_step() {
  const double d = D, tokens = Batch * Seq;
  double forward = 2 * tokens * d * (12 * d) + 4.0 * Batch * Seq * Seq * d;
  return 3 * forward / 1e9;
}

double first_loss = std::nan("");
double cpu_ms_per_step = 0;  // process CPU time (all threads) per timed step

double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}  // of the first (warm-up) step; TorchBench reports the same figure

std::vector<double> time_block(int steps, int warmup) {
  Block block;
  AdamW opt({block.decayed(), block.not_decayed()}, {3e-4, 3e-4}, {0.1, 0.0});
  auto x = at::randn({Batch, Seq, D});
  std::vector<double> times;
  double cpu0 = 0;
  for (int i = 0; i < warmup + steps; i++) {
    if (i == warmup) cpu0 = cpu_ms();
    double t0 = now_ms();
    {
      auto y = block.forward(x);
      auto loss = at::mul(y, y).mean();  // y.Mul(y).Mean()
      loss.backward(at::Tensor(), false, false);
      if (i == 0) first_loss = loss.item<double>();
      opt.step();
      opt.zero_grad();
    }  // what the C# DisposeScope frees, C++ frees here
    if (i >= warmup) times.push_back(now_ms() - t0);
  }
  cpu_ms_per_step = (cpu_ms() - cpu0) / steps;
  return times;
}

}  // namespace

// The same step as a library, so TorchBench --paired can alternate a binding step and a C++ step in one
// process (one libtorch, one thread pool), seconds apart: on a shared machine that pairing is what makes the
// ratio trustworthy. One call per step crosses P/Invoke, which is nothing beside a step.
struct PairedPeer {
  Block block;
  AdamW opt{{block.decayed(), block.not_decayed()}, {3e-4, 3e-4}, {0.1, 0.0}};
  at::Tensor x = at::randn({Batch, Seq, D});
};

extern "C" __attribute__((visibility("default"))) void* block_bench_new(int64_t batch, int64_t seq, int64_t dim,
                                                                        int64_t heads, uint64_t seed) {
  Batch = batch, Seq = seq, D = dim, Heads = heads;
  at::manual_seed(seed);
  return new PairedPeer();
}

// One forward + backward + AdamW step + zero_grad; returns the loss.
extern "C" __attribute__((visibility("default"))) double block_bench_step(void* peer) {
  auto& p = *static_cast<PairedPeer*>(peer);
  auto y = p.block.forward(p.x);
  auto loss = at::mul(y, y).mean();
  loss.backward(at::Tensor(), false, false);
  p.opt.step();
  p.opt.zero_grad();
  return loss.item<double>();
}

extern "C" __attribute__((visibility("default"))) void block_bench_free(void* peer) {
  delete static_cast<PairedPeer*>(peer);
}

#ifndef BLOCK_BENCH_LIBRARY
int main(int argc, char** argv) {
  int threads = static_cast<int>(std::thread::hardware_concurrency()), steps = 10, warmup = 3, reps = 10;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--threads") threads = std::stoi(v);
    else if (a == "--steps") steps = std::stoi(v);
    else if (a == "--warmup") warmup = std::stoi(v);
    else if (a == "--matmul-reps") reps = std::stoi(v);
    else if (a == "--only") only = v;
    else if (a == "--dim") D = std::stol(v);
    else if (a == "--heads") Heads = std::stol(v);
    else if (a == "--seq") Seq = std::stol(v);
    else if (a == "--batch") Batch = std::stol(v);
    else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
  }
  at::set_num_threads(threads);
  at::manual_seed(1234);

  std::string json = "{\"impl\":\"cpp\",\"threads\":" + std::to_string(at::get_num_threads()) + ",\"torch\":\"" +
                     std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "\"";
  char buf[256];
  if (only.empty() || only == "matmul") {
    for (int64_t n : {1024, 2048}) {
      std::snprintf(buf, sizeof buf, ",\"matmul_%ld_gflops\":%.4f", static_cast<long>(n), matmul_gflops(n, reps));
      json += buf;
    }
    json += std::string(",\"openblas_loaded\":") + (openblas_loaded() ? "true" : "false");
  }
  if (only.empty() || only == "block") {
    at::manual_seed(1234);  // as TorchBench does before its block
    auto times = time_block(steps, std::max(warmup, 1));
    std::snprintf(buf, sizeof buf, ",\"shape\":[%ld,%ld,%ld,%ld]", (long)Batch, (long)Seq, (long)D, (long)Heads);
    json += buf;
    json += ",\"block_step_ms\":[";
    for (size_t i = 0; i < times.size(); i++) {
      std::snprintf(buf, sizeof buf, "%s%.4f", i ? "," : "", times[i]);
      json += buf;
    }
    double med = median(times);
    std::snprintf(buf, sizeof buf, "],\"block_step_ms_median\":%.4f,\"block_gflop_per_step\":%.6f,\"block_gflops\":%.4f,\"first_loss\":%.9g,\"cpu_ms_per_step\":%.4f",
                  med, gflop_per_step(), gflop_per_step() / (med / 1000), first_loss, cpu_ms_per_step);
    json += buf;
  }
  json += "}";
  std::puts(json.c_str());
  return 0;
}
#endif
