// Backward passes, gradients and the per-thread grad mode.
#include "lft_common.h"
#include <c10/core/GradMode.h>

LFT_EXPORT int lft_autograd_backward(lft_tensor t, lft_tensor grad, bool retain_graph) {
  LFT_STATUS(t->backward(grad ? *grad : at::Tensor(), retain_graph, false))
}

// *out is nullptr when the tensor has no gradient yet; that is not an error.
LFT_EXPORT int lft_tensor_grad(lft_tensor t, lft_tensor* out) {
  LFT_STATUS(
    const auto& g = t->grad();
    *out = g.defined() ? lft::wrap(g) : nullptr)
}

LFT_EXPORT int lft_tensor_set_grad(lft_tensor t, lft_tensor grad) {
  LFT_STATUS(t->mutable_grad() = grad ? *grad : at::Tensor())
}

// Grad mode is thread-local in libtorch; the C# NoGrad scope saves and restores it on one thread.
LFT_EXPORT int lft_autograd_is_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }
LFT_EXPORT void lft_autograd_set_enabled(bool enabled) { c10::GradMode::set_enabled(enabled); }
