// Tensor lifetime, creation, data transfer and metadata.
#include "lft_common.h"
#include <cstring>

using lft::dims;
using lft::options;

LFT_EXPORT void lft_tensor_free(lft_tensor t) { delete t; }

LFT_EXPORT lft_tensor lft_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype,
                                           int dev_type, int dev_index, bool requires_grad) {
  LFT_TENSOR([&] {
    auto host = at::from_blob(const_cast<void*>(data), dims(shape, ndim), at::TensorOptions().dtype(lft::dtype(dtype)));
    auto dev = lft::device(dev_type, dev_index);
    // from_blob does not own the memory: always copy before .NET may move or free it.
    auto owned = dev.is_cpu() ? host.clone() : host.to(dev, /*non_blocking=*/false, /*copy=*/true);
    return owned.requires_grad_(requires_grad);
  }())
}

LFT_EXPORT int lft_tensor_copy_to_host(lft_tensor t, void* destination, int64_t byte_count) {
  LFT_STATUS(
    auto host = t->detach().to(at::kCPU).contiguous();
    TORCH_CHECK(static_cast<int64_t>(host.nbytes()) == byte_count, "destination holds ", byte_count,
                " bytes but the tensor has ", host.nbytes());
    std::memcpy(destination, host.data_ptr(), byte_count))
}

LFT_EXPORT lft_tensor lft_tensor_empty(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index, bool rg) {
  LFT_TENSOR(at::empty(dims(shape, ndim), options(dtype, dev_type, dev_index)).requires_grad_(rg))
}
LFT_EXPORT lft_tensor lft_tensor_zeros(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index, bool rg) {
  LFT_TENSOR(at::zeros(dims(shape, ndim), options(dtype, dev_type, dev_index)).requires_grad_(rg))
}
LFT_EXPORT lft_tensor lft_tensor_ones(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index, bool rg) {
  LFT_TENSOR(at::ones(dims(shape, ndim), options(dtype, dev_type, dev_index)).requires_grad_(rg))
}
LFT_EXPORT lft_tensor lft_tensor_full(const int64_t* shape, int ndim, double value, int dtype, int dev_type,
                                      int dev_index, bool rg) {
  LFT_TENSOR(at::full(dims(shape, ndim), value, options(dtype, dev_type, dev_index)).requires_grad_(rg))
}
LFT_EXPORT lft_tensor lft_tensor_arange(double start, double end, double step, int dtype, int dev_type, int dev_index) {
  LFT_TENSOR(at::arange(start, end, step, options(dtype, dev_type, dev_index)))
}
LFT_EXPORT lft_tensor lft_tensor_randn(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index, bool rg) {
  LFT_TENSOR(at::randn(dims(shape, ndim), options(dtype, dev_type, dev_index)).requires_grad_(rg))
}
LFT_EXPORT lft_tensor lft_tensor_rand(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_index, bool rg) {
  LFT_TENSOR(at::rand(dims(shape, ndim), options(dtype, dev_type, dev_index)).requires_grad_(rg))
}
LFT_EXPORT lft_tensor lft_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype,
                                         int dev_type, int dev_index) {
  LFT_TENSOR(at::randint(low, high, dims(shape, ndim), options(dtype, dev_type, dev_index)))
}
LFT_EXPORT lft_tensor lft_tensor_zeros_like(lft_tensor t) { LFT_TENSOR(at::zeros_like(*t)) }
LFT_EXPORT lft_tensor lft_tensor_ones_like(lft_tensor t) { LFT_TENSOR(at::ones_like(*t)) }

LFT_EXPORT int lft_tensor_ndim(lft_tensor t) {
  try { return static_cast<int>(t->dim()); } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_shape(lft_tensor t, int64_t* out, int capacity) {
  LFT_STATUS(
    TORCH_CHECK(capacity >= t->dim(), "shape buffer too small");
    for (int64_t i = 0; i < t->dim(); i++) out[i] = t->size(i))
}
LFT_EXPORT int lft_tensor_dtype(lft_tensor t) {
  try { return static_cast<int>(t->scalar_type()); } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_device(lft_tensor t, int* type, int* index) {
  LFT_STATUS(
    auto d = t->device();
    *type = d.is_cuda() ? 1 : 0;
    *index = d.has_index() ? d.index() : 0)
}
LFT_EXPORT int64_t lft_tensor_numel(lft_tensor t) {
  try { return t->numel(); } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_is_contiguous(lft_tensor t) {
  try { return t->is_contiguous() ? 1 : 0; } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_requires_grad(lft_tensor t) {
  try { return t->requires_grad() ? 1 : 0; } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_set_requires_grad(lft_tensor t, bool value) { LFT_STATUS(t->requires_grad_(value)) }
LFT_EXPORT int lft_tensor_is_leaf(lft_tensor t) {
  try { return t->is_leaf() ? 1 : 0; } LFT_CATCH(-1)
}

LFT_EXPORT int lft_tensor_item_double(lft_tensor t, double* out) { LFT_STATUS(*out = t->item<double>()) }
LFT_EXPORT int lft_tensor_item_int64(lft_tensor t, int64_t* out) { LFT_STATUS(*out = t->item<int64_t>()) }

LFT_EXPORT lft_tensor lft_tensor_to(lft_tensor t, int dtype, int dev_type, int dev_index, bool non_blocking, bool copy) {
  LFT_TENSOR(t->to(lft::device(dev_type, dev_index), lft::dtype(dtype), non_blocking, copy))
}
LFT_EXPORT lft_tensor lft_tensor_clone(lft_tensor t) { LFT_TENSOR(t->clone()) }
LFT_EXPORT lft_tensor lft_tensor_detach(lft_tensor t) { LFT_TENSOR(t->detach()) }
LFT_EXPORT lft_tensor lft_tensor_contiguous(lft_tensor t) { LFT_TENSOR(t->contiguous()) }
// A second handle to the same tensor (shared storage and autograd identity).
LFT_EXPORT lft_tensor lft_tensor_alias(lft_tensor t) { LFT_TENSOR(*t) }

LFT_EXPORT int lft_tensor_equal(lft_tensor a, lft_tensor b) {
  try { return at::equal(*a, *b) ? 1 : 0; } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_allclose(lft_tensor a, lft_tensor b, double rtol, double atol) {
  try { return at::allclose(*a, *b, rtol, atol) ? 1 : 0; } LFT_CATCH(-1)
}
