// The neural-network operations a decoder-only transformer needs, forward and backward.
#include "lft_common.h"
#include <cmath>
#include <limits>

using lft::dims;
using lft::optional;

LFT_EXPORT lft_tensor lft_nn_embedding(lft_tensor weight, lft_tensor indices, int64_t padding_idx) {
  LFT_TENSOR(at::embedding(*weight, *indices, padding_idx))
}
LFT_EXPORT lft_tensor lft_nn_linear(lft_tensor x, lft_tensor weight, lft_tensor bias) {
  LFT_TENSOR(at::linear(*x, *weight, optional(bias)))
}
LFT_EXPORT lft_tensor lft_nn_layer_norm(lft_tensor x, const int64_t* normalized_shape, int ndim, lft_tensor weight,
                                        lft_tensor bias, double eps) {
  LFT_TENSOR(at::layer_norm(*x, dims(normalized_shape, ndim), optional(weight), optional(bias), eps))
}

// Composed rather than at::rms_norm (absent in 1.13). Normalises in float32 and casts back before
// the weight, as Llama-family reference code does, so bf16 inputs keep their precision (float64 stays float64).
LFT_EXPORT lft_tensor lft_nn_rms_norm(lft_tensor x, lft_tensor weight, double eps) {
  LFT_TENSOR([&] {
    auto xf = x->scalar_type() == at::kDouble ? *x : x->to(at::kFloat);
    auto normed = (xf * at::rsqrt(xf.pow(2).mean({-1}, true) + eps)).to(x->scalar_type());
    return weight ? normed * *weight : normed;
  }())
}

LFT_EXPORT lft_tensor lft_nn_softmax(lft_tensor x, int64_t dim) { LFT_TENSOR(at::softmax(*x, dim)) }
LFT_EXPORT lft_tensor lft_nn_log_softmax(lft_tensor x, int64_t dim) { LFT_TENSOR(at::log_softmax(*x, dim)) }
LFT_EXPORT lft_tensor lft_nn_gelu(lft_tensor x, bool tanh_approximation) {
  LFT_TENSOR(at::gelu(*x, tanh_approximation ? "tanh" : "none"))
}
LFT_EXPORT lft_tensor lft_nn_silu(lft_tensor x) { LFT_TENSOR(at::silu(*x)) }
LFT_EXPORT lft_tensor lft_nn_relu(lft_tensor x) { LFT_TENSOR(at::relu(*x)) }
LFT_EXPORT lft_tensor lft_nn_dropout(lft_tensor x, double p, bool training) { LFT_TENSOR(at::dropout(*x, p, training)) }

// reduction: 0 = none, 1 = mean, 2 = sum (at::Reduction).
LFT_EXPORT lft_tensor lft_nn_cross_entropy(lft_tensor logits, lft_tensor target, int64_t ignore_index, int reduction,
                                           double label_smoothing) {
  LFT_TENSOR(at::cross_entropy_loss(*logits, *target, c10::nullopt, reduction, ignore_index, label_smoothing))
}

namespace {

#if TORCH_VERSION_MAJOR < 2
// libtorch 1.13 has only the private _scaled_dot_product_attention, whose is_causal and boolean-mask
// handling predate 2.0's semantics. Build one additive float mask ourselves (True = may attend) so both
// versions mean the same thing.
at::Tensor additive_mask(const at::Tensor& q, const at::Tensor& k, const c10::optional<at::Tensor>& mask, bool causal) {
  auto l = q.size(-2), s = k.size(-2);
  auto opts = q.options().requires_grad(false);
  c10::optional<at::Tensor> keep;
  if (causal) keep = at::ones({l, s}, opts.dtype(at::kBool)).tril();
  if (mask.has_value() && mask->scalar_type() != at::kBool) {
    auto m = *mask;
    if (keep.has_value()) m = m.masked_fill(keep->logical_not(), -std::numeric_limits<double>::infinity());
    return m.to(q.scalar_type());
  }
  if (mask.has_value()) keep = keep.has_value() ? at::logical_and(*keep, *mask) : *mask;
  return at::zeros(keep->sizes(), opts.dtype(q.scalar_type()))
      .masked_fill(keep->logical_not(), -std::numeric_limits<double>::infinity());
}
#endif

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const c10::optional<at::Tensor>& mask,
                     double dropout, bool causal, double scale) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  auto s = std::isnan(scale) ? c10::nullopt : c10::optional<double>(scale);
  return at::scaled_dot_product_attention(q, k, v, mask, dropout, causal && !mask.has_value(), s)
      .contiguous();  // keeps later views cheap
#else
  auto q_scaled = std::isnan(scale) ? q : q * (scale * std::sqrt(static_cast<double>(q.size(-1))));
  c10::optional<at::Tensor> m;
  if (causal || mask.has_value()) m = additive_mask(q, k, mask, causal);
  return std::get<0>(at::_scaled_dot_product_attention(q_scaled, k, v, m, dropout, false, false));
#endif
}

}  // namespace

// q, k, v: [batch, heads, seq, head_dim]. mask: bool (True = may attend) or additive float, broadcastable
// to [batch, heads, q_len, k_len]; nullptr for none. scale: NaN for 1/sqrt(head_dim).
LFT_EXPORT lft_tensor lft_nn_scaled_dot_product_attention(lft_tensor q, lft_tensor k, lft_tensor v, lft_tensor mask,
                                                          double dropout, bool causal, double scale) {
  LFT_TENSOR([&] {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    // 2.x refuses is_causal together with a mask: fold the causal part into the mask.
    if (causal && mask) {
      auto keep = at::ones({q->size(-2), k->size(-2)}, q->options().dtype(at::kBool)).tril();
      auto merged = mask->scalar_type() == at::kBool
                        ? at::logical_and(*mask, keep)
                        : mask->masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
      return attention(*q, *k, *v, merged, dropout, false, scale);
    }
#endif
    return attention(*q, *k, *v, optional(mask), dropout, causal, scale);
  }())
}
