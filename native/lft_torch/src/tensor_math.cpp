// Element-wise arithmetic, comparisons, reductions, matrix products and sampling helpers.
#include "lft_common.h"

using lft::dims;

#define LFT_BINARY(name, expr) \
  LFT_EXPORT lft_tensor lft_tensor_##name(lft_tensor a, lft_tensor b) { LFT_TENSOR(expr) }
#define LFT_SCALAR(name, expr) \
  LFT_EXPORT lft_tensor lft_tensor_##name(lft_tensor a, double s) { LFT_TENSOR(expr) }
#define LFT_UNARY(name, expr) \
  LFT_EXPORT lft_tensor lft_tensor_##name(lft_tensor a) { LFT_TENSOR(expr) }

LFT_EXPORT lft_tensor lft_tensor_add(lft_tensor a, lft_tensor b, double alpha) { LFT_TENSOR(at::add(*a, *b, alpha)) }
LFT_EXPORT lft_tensor lft_tensor_sub(lft_tensor a, lft_tensor b, double alpha) { LFT_TENSOR(at::sub(*a, *b, alpha)) }
LFT_BINARY(mul, at::mul(*a, *b))
LFT_BINARY(div, at::div(*a, *b))
LFT_BINARY(pow, at::pow(*a, *b))
LFT_BINARY(maximum, at::maximum(*a, *b))
LFT_BINARY(minimum, at::minimum(*a, *b))
LFT_BINARY(eq, at::eq(*a, *b))
LFT_BINARY(ne, at::ne(*a, *b))
LFT_BINARY(lt, at::lt(*a, *b))
LFT_BINARY(le, at::le(*a, *b))
LFT_BINARY(gt, at::gt(*a, *b))
LFT_BINARY(ge, at::ge(*a, *b))
LFT_BINARY(logical_and, at::logical_and(*a, *b))
LFT_BINARY(logical_or, at::logical_or(*a, *b))
LFT_BINARY(matmul, at::matmul(*a, *b))
LFT_BINARY(mm, at::mm(*a, *b))
LFT_BINARY(bmm, at::bmm(*a, *b))

LFT_SCALAR(add_scalar, at::add(*a, s))
LFT_SCALAR(mul_scalar, at::mul(*a, s))
LFT_SCALAR(div_scalar, at::div(*a, s))
LFT_SCALAR(pow_scalar, at::pow(*a, s))
LFT_SCALAR(rsub_scalar, at::rsub(*a, s))
LFT_SCALAR(eq_scalar, at::eq(*a, s))
LFT_SCALAR(ne_scalar, at::ne(*a, s))
LFT_SCALAR(lt_scalar, at::lt(*a, s))
LFT_SCALAR(le_scalar, at::le(*a, s))
LFT_SCALAR(gt_scalar, at::gt(*a, s))
LFT_SCALAR(ge_scalar, at::ge(*a, s))

LFT_UNARY(neg, at::neg(*a))
LFT_UNARY(exp, at::exp(*a))
LFT_UNARY(log, at::log(*a))
LFT_UNARY(sqrt, at::sqrt(*a))
LFT_UNARY(rsqrt, at::rsqrt(*a))
LFT_UNARY(abs, at::abs(*a))
LFT_UNARY(tanh, at::tanh(*a))
LFT_UNARY(sigmoid, at::sigmoid(*a))
LFT_UNARY(sin, at::sin(*a))
LFT_UNARY(cos, at::cos(*a))
LFT_UNARY(floor, at::floor(*a))
LFT_UNARY(logical_not, at::logical_not(*a))
LFT_UNARY(isfinite, at::isfinite(*a))

LFT_EXPORT lft_tensor lft_tensor_clamp(lft_tensor a, double min, double max, bool has_min, bool has_max) {
  LFT_TENSOR(at::clamp(*a, has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                       has_max ? c10::optional<at::Scalar>(max) : c10::nullopt))
}

// In place. The handle stays the same tensor; these return a status.
LFT_EXPORT int lft_tensor_add_(lft_tensor a, lft_tensor b, double alpha) { LFT_STATUS(a->add_(*b, alpha)) }
LFT_EXPORT int lft_tensor_add_scalar_(lft_tensor a, double s) { LFT_STATUS(a->add_(s)) }
LFT_EXPORT int lft_tensor_mul_(lft_tensor a, lft_tensor b) { LFT_STATUS(a->mul_(*b)) }
LFT_EXPORT int lft_tensor_mul_scalar_(lft_tensor a, double s) { LFT_STATUS(a->mul_(s)) }
LFT_EXPORT int lft_tensor_div_scalar_(lft_tensor a, double s) { LFT_STATUS(a->div_(s)) }
LFT_EXPORT int lft_tensor_copy_(lft_tensor dst, lft_tensor src) { LFT_STATUS(dst->copy_(*src)) }
LFT_EXPORT int lft_tensor_zero_(lft_tensor a) { LFT_STATUS(a->zero_()) }
LFT_EXPORT int lft_tensor_fill_(lft_tensor a, double s) { LFT_STATUS(a->fill_(s)) }
LFT_EXPORT int lft_tensor_masked_fill_(lft_tensor a, lft_tensor mask, double s) { LFT_STATUS(a->masked_fill_(*mask, s)) }
LFT_EXPORT int lft_tensor_normal_(lft_tensor a, double mean, double std) { LFT_STATUS(a->normal_(mean, std)) }
LFT_EXPORT int lft_tensor_uniform_(lft_tensor a, double from, double to) { LFT_STATUS(a->uniform_(from, to)) }

// Reductions. ndim == 0 means "all dimensions".
LFT_EXPORT lft_tensor lft_tensor_sum(lft_tensor a, const int64_t* d, int ndim, bool keepdim) {
  LFT_TENSOR(ndim == 0 ? a->sum() : a->sum(dims(d, ndim), keepdim))
}
LFT_EXPORT lft_tensor lft_tensor_mean(lft_tensor a, const int64_t* d, int ndim, bool keepdim) {
  LFT_TENSOR(ndim == 0 ? a->mean() : a->mean(dims(d, ndim), keepdim))
}
LFT_EXPORT lft_tensor lft_tensor_amax(lft_tensor a, const int64_t* d, int ndim, bool keepdim) {
  LFT_TENSOR(ndim == 0 ? a->max() : at::amax(*a, dims(d, ndim), keepdim))
}
LFT_EXPORT lft_tensor lft_tensor_amin(lft_tensor a, const int64_t* d, int ndim, bool keepdim) {
  LFT_TENSOR(ndim == 0 ? a->min() : at::amin(*a, dims(d, ndim), keepdim))
}
LFT_EXPORT lft_tensor lft_tensor_var(lft_tensor a, const int64_t* d, int ndim, bool unbiased, bool keepdim) {
  LFT_TENSOR(at::var(*a, dims(d, ndim), unbiased, keepdim))
}
LFT_EXPORT lft_tensor lft_tensor_norm(lft_tensor a, double p) { LFT_TENSOR(at::norm(*a, p)) }
LFT_EXPORT lft_tensor lft_tensor_logsumexp(lft_tensor a, const int64_t* d, int ndim, bool keepdim) {
  LFT_TENSOR(at::logsumexp(*a, dims(d, ndim), keepdim))
}
LFT_EXPORT lft_tensor lft_tensor_cumsum(lft_tensor a, int64_t dim) { LFT_TENSOR(at::cumsum(*a, dim)) }
LFT_EXPORT lft_tensor lft_tensor_argmax(lft_tensor a, int64_t dim, bool has_dim, bool keepdim) {
  LFT_TENSOR(at::argmax(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim))
}
LFT_EXPORT lft_tensor lft_tensor_any(lft_tensor a) { LFT_TENSOR(at::any(*a)) }
LFT_EXPORT lft_tensor lft_tensor_all(lft_tensor a) { LFT_TENSOR(at::all(*a)) }

LFT_EXPORT int lft_tensor_topk(lft_tensor a, int64_t k, int64_t dim, bool largest, bool sorted, lft_tensor* values,
                               lft_tensor* indices) {
  LFT_STATUS(
    auto r = at::topk(*a, k, dim, largest, sorted);
    *values = lft::wrap(std::get<0>(r));
    *indices = lft::wrap(std::get<1>(r)))
}
LFT_EXPORT int lft_tensor_sort(lft_tensor a, int64_t dim, bool descending, lft_tensor* values, lft_tensor* indices) {
  LFT_STATUS(
    auto r = at::sort(*a, dim, descending);
    *values = lft::wrap(std::get<0>(r));
    *indices = lft::wrap(std::get<1>(r)))
}
LFT_EXPORT int lft_tensor_max_dim(lft_tensor a, int64_t dim, bool keepdim, lft_tensor* values, lft_tensor* indices) {
  LFT_STATUS(
    auto r = at::max(*a, dim, keepdim);
    *values = lft::wrap(std::get<0>(r));
    *indices = lft::wrap(std::get<1>(r)))
}
LFT_EXPORT lft_tensor lft_tensor_multinomial(lft_tensor probs, int64_t samples, bool replacement) {
  LFT_TENSOR(at::multinomial(*probs, samples, replacement))
}

LFT_EXPORT lft_tensor lft_tensor_addmm(lft_tensor bias, lft_tensor a, lft_tensor b, double beta, double alpha) {
  LFT_TENSOR(at::addmm(*bias, *a, *b, beta, alpha))
}
LFT_EXPORT lft_tensor lft_tensor_where(lft_tensor cond, lft_tensor a, lft_tensor b) { LFT_TENSOR(at::where(*cond, *a, *b)) }
LFT_EXPORT lft_tensor lft_tensor_masked_fill(lft_tensor a, lft_tensor mask, double value) {
  LFT_TENSOR(a->masked_fill(*mask, value))
}
LFT_EXPORT lft_tensor lft_tensor_tril(lft_tensor a, int64_t diagonal) { LFT_TENSOR(at::tril(*a, diagonal)) }
LFT_EXPORT lft_tensor lft_tensor_triu(lft_tensor a, int64_t diagonal) { LFT_TENSOR(at::triu(*a, diagonal)) }
