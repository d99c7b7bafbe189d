// AdamW with decoupled weight decay and per-group learning rates: libtorch's fused kernel over a whole group on CUDA
// with libtorch >= 2.0, its foreach kernels over bounded slices of the group otherwise.
// The arithmetic matches PyTorch's multi-tensor AdamW so that runs can be compared bit for bit.
#include "lft_common.h"
#include <cmath>

namespace {

struct AdamW {
  std::vector<at::Tensor> params;
  std::vector<int> group_of;
  std::vector<double> lr, weight_decay;
  double beta1, beta2, eps;
  std::vector<at::Tensor> exp_avg, exp_avg_sq, step_tensors;
  int64_t step = 0;
};

struct GroupSlice {
  std::vector<at::Tensor> params, grads, exp_avg, exp_avg_sq, steps;
};

GroupSlice gather_group(AdamW& opt, int group) {
  GroupSlice s;
  for (size_t i = 0; i < opt.params.size(); i++) {
    if (opt.group_of[i] != group || !opt.params[i].grad().defined()) continue;
    s.params.push_back(opt.params[i]);
    s.grads.push_back(opt.params[i].grad());
    s.exp_avg.push_back(opt.exp_avg[i]);
    s.exp_avg_sq.push_back(opt.exp_avg_sq[i]);
    s.steps.push_back(opt.step_tensors[i]);
  }
  return s;
}

#if TORCH_VERSION_MAJOR >= 2
bool all_cuda(const std::vector<at::Tensor>& ts) {
  for (const auto& t : ts)
    if (!t.is_cuda()) return false;
  return true;
}
#endif

void foreach_step_slice(const AdamW& opt, GroupSlice& s, double lr, double wd) {
  if (wd != 0) at::_foreach_mul_(s.params, 1.0 - lr * wd);
  at::_foreach_mul_(s.exp_avg, opt.beta1);
  at::_foreach_add_(s.exp_avg, s.grads, 1.0 - opt.beta1);
  at::_foreach_mul_(s.exp_avg_sq, opt.beta2);
  at::_foreach_addcmul_(s.exp_avg_sq, s.grads, s.grads, 1.0 - opt.beta2);
  double bias1 = 1.0 - std::pow(opt.beta1, static_cast<double>(opt.step));
  double bias2 = 1.0 - std::pow(opt.beta2, static_cast<double>(opt.step));
  auto denom = at::_foreach_sqrt(s.exp_avg_sq);
  at::_foreach_div_(denom, std::sqrt(bias2));
  at::_foreach_add_(denom, opt.eps);
  at::_foreach_addcdiv_(s.params, s.exp_avg, denom, -lr / bias1);
}

// The CPU step runs in slices of at most this many elements: the denominator is a temporary as large as what is
// stepped at once, so stepping a whole group would briefly hold a fourth copy of the weights (20 instead of 16 bytes
// per parameter at the peak, measured on a 1B Llama). Every operation is elementwise, so slicing changes no result.
constexpr int64_t kStepSliceElements = int64_t{16} << 20;

GroupSlice slice_of(const GroupSlice& s, size_t begin, size_t end) {
  auto part = [&](const std::vector<at::Tensor>& v) { return std::vector<at::Tensor>(v.begin() + begin, v.begin() + end); };
  return {part(s.params), part(s.grads), part(s.exp_avg), part(s.exp_avg_sq), part(s.steps)};
}

void foreach_step(const AdamW& opt, GroupSlice& s, double lr, double wd) {
  for (size_t begin = 0; begin < s.params.size();) {
    size_t end = begin + 1;
    int64_t elements = s.params[begin].numel();
    while (end < s.params.size() && elements + s.params[end].numel() <= kStepSliceElements) elements += s.params[end++].numel();
    auto slice = slice_of(s, begin, end);
    foreach_step_slice(opt, slice, lr, wd);
    begin = end;
  }
}

void step_group(AdamW& opt, int group) {
  auto s = gather_group(opt, group);
  if (s.params.empty()) return;
  double lr = opt.lr[group], wd = opt.weight_decay[group];
#if TORCH_VERSION_MAJOR >= 2
  if (all_cuda(s.params)) {
    at::_foreach_add_(s.steps, 1.0);
    at::_fused_adamw_(s.params, s.grads, s.exp_avg, s.exp_avg_sq, {}, s.steps, lr, opt.beta1, opt.beta2, wd, opt.eps,
                      false, false, c10::nullopt, c10::nullopt);
    return;
  }
#endif
  foreach_step(opt, s, lr, wd);
}

}  // namespace

typedef AdamW* lft_adamw;

// group_of[i] names the group of params[i]; lr and weight_decay hold one value per group.
LFT_EXPORT lft_adamw lft_adamw_new(const lft_tensor* params, const int* group_of, int count, const double* lr,
                                   const double* weight_decay, int group_count, double beta1, double beta2, double eps) {
  try {
    auto opt = std::make_unique<AdamW>();
    opt->params = lft::list(params, count);
    opt->group_of.assign(group_of, group_of + count);
    for (int g : opt->group_of) TORCH_CHECK(g >= 0 && g < group_count, "parameter group ", g, " does not exist");
    opt->lr.assign(lr, lr + group_count);
    opt->weight_decay.assign(weight_decay, weight_decay + group_count);
    opt->beta1 = beta1, opt->beta2 = beta2, opt->eps = eps;
    at::NoGradGuard no_grad;
    for (const auto& p : opt->params) {
      TORCH_CHECK(p.is_leaf() && p.requires_grad(), "AdamW parameters must be leaf tensors that require grad");
      opt->exp_avg.push_back(at::zeros_like(p, at::MemoryFormat::Preserve));
      opt->exp_avg_sq.push_back(at::zeros_like(p, at::MemoryFormat::Preserve));
      opt->step_tensors.push_back(at::zeros({}, p.options().dtype(at::kFloat)));
    }
    return opt.release();
  }
  LFT_CATCH(nullptr)
}

LFT_EXPORT void lft_adamw_free(lft_adamw opt) { delete opt; }

LFT_EXPORT int lft_adamw_step(lft_adamw opt) {
  LFT_STATUS(
    at::NoGradGuard no_grad;
    opt->step += 1;
    for (size_t g = 0; g < opt->lr.size(); g++) step_group(*opt, static_cast<int>(g)))
}

LFT_EXPORT int lft_adamw_zero_grad(lft_adamw opt, bool set_to_none) {
  LFT_STATUS(
    for (auto& p : opt->params) {
      if (!p.grad().defined()) continue;
      if (set_to_none) p.mutable_grad() = at::Tensor();
      else p.mutable_grad().zero_();
    })
}

LFT_EXPORT int lft_adamw_set_lr(lft_adamw opt, int group, double lr) {
  LFT_STATUS(
    TORCH_CHECK(group >= 0 && group < static_cast<int>(opt->lr.size()), "parameter group ", group, " does not exist");
    opt->lr[group] = lr)
}

LFT_EXPORT int64_t lft_adamw_get_step(lft_adamw opt) { return opt->step; }

LFT_EXPORT int lft_adamw_set_step(lft_adamw opt, int64_t step) {
  LFT_STATUS(
    at::NoGradGuard no_grad;
    opt->step = step;
    for (auto& s : opt->step_tensors) s.fill_(static_cast<double>(step)))
}

// which: 0 = exp_avg, 1 = exp_avg_sq. The handle shares storage, so copy_ into it restores saved state.
LFT_EXPORT lft_tensor lft_adamw_state(lft_adamw opt, int index, int which) {
  LFT_TENSOR([&] {
    TORCH_CHECK(index >= 0 && index < static_cast<int>(opt->params.size()), "parameter ", index, " does not exist");
    TORCH_CHECK(which == 0 || which == 1, "state kind must be 0 (exp_avg) or 1 (exp_avg_sq)");
    return which == 0 ? opt->exp_avg[index] : opt->exp_avg_sq[index];
  }())
}

// Scales all gradients so their global L2 norm is at most max_norm; reports the norm before clipping.
// Reading the norm back is the one host sync of a training step, and logging needs it anyway.
LFT_EXPORT int lft_clip_grad_norm(const lft_tensor* params, int count, double max_norm, double* total_norm) {
  LFT_STATUS(
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int i = 0; i < count; i++)
      if (params[i]->grad().defined()) grads.push_back(params[i]->grad());
    if (grads.empty()) { *total_norm = 0; return 0; }
    auto total = at::norm(at::stack(at::_foreach_norm(grads, 2)), 2);
    auto coef = at::clamp_max(max_norm / (total + 1e-6), 1.0);
    for (auto& g : grads) g.mul_(coef.to(g.device(), g.scalar_type()));
    *total_norm = total.item<double>())
}
