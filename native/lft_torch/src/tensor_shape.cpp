// Views, reshapes, joins, splits and indexing.
#include "lft_common.h"

using lft::dims;

LFT_EXPORT lft_tensor lft_tensor_view(lft_tensor a, const int64_t* shape, int ndim) { LFT_TENSOR(a->view(dims(shape, ndim))) }
LFT_EXPORT lft_tensor lft_tensor_reshape(lft_tensor a, const int64_t* shape, int ndim) {
  LFT_TENSOR(a->reshape(dims(shape, ndim)))
}
LFT_EXPORT lft_tensor lft_tensor_expand(lft_tensor a, const int64_t* shape, int ndim) {
  LFT_TENSOR(a->expand(dims(shape, ndim)))
}
LFT_EXPORT lft_tensor lft_tensor_repeat(lft_tensor a, const int64_t* repeats, int ndim) {
  LFT_TENSOR(a->repeat(dims(repeats, ndim)))
}
LFT_EXPORT lft_tensor lft_tensor_permute(lft_tensor a, const int64_t* order, int ndim) {
  LFT_TENSOR(a->permute(dims(order, ndim)))
}
LFT_EXPORT lft_tensor lft_tensor_transpose(lft_tensor a, int64_t d0, int64_t d1) { LFT_TENSOR(a->transpose(d0, d1)) }
LFT_EXPORT lft_tensor lft_tensor_unsqueeze(lft_tensor a, int64_t dim) { LFT_TENSOR(a->unsqueeze(dim)) }
LFT_EXPORT lft_tensor lft_tensor_squeeze(lft_tensor a, int64_t dim) { LFT_TENSOR(a->squeeze(dim)) }
LFT_EXPORT lft_tensor lft_tensor_flatten(lft_tensor a, int64_t start, int64_t end) { LFT_TENSOR(a->flatten(start, end)) }
LFT_EXPORT lft_tensor lft_tensor_narrow(lft_tensor a, int64_t dim, int64_t start, int64_t length) {
  LFT_TENSOR(a->narrow(dim, start, length))
}
LFT_EXPORT lft_tensor lft_tensor_slice(lft_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  LFT_TENSOR(a->slice(dim, start, end, step))
}
LFT_EXPORT lft_tensor lft_tensor_select(lft_tensor a, int64_t dim, int64_t index) { LFT_TENSOR(a->select(dim, index)) }
LFT_EXPORT lft_tensor lft_tensor_index_select(lft_tensor a, int64_t dim, lft_tensor index) {
  LFT_TENSOR(a->index_select(dim, *index))
}
LFT_EXPORT lft_tensor lft_tensor_gather(lft_tensor a, int64_t dim, lft_tensor index) { LFT_TENSOR(a->gather(dim, *index)) }
LFT_EXPORT lft_tensor lft_tensor_scatter(lft_tensor a, int64_t dim, lft_tensor index, lft_tensor src) {
  LFT_TENSOR(a->scatter(dim, *index, *src))
}

LFT_EXPORT lft_tensor lft_tensor_cat(const lft_tensor* parts, int count, int64_t dim) {
  LFT_TENSOR(at::cat(lft::list(parts, count), dim))
}
LFT_EXPORT lft_tensor lft_tensor_stack(const lft_tensor* parts, int count, int64_t dim) {
  LFT_TENSOR(at::stack(lft::list(parts, count), dim))
}

namespace {
// Hands a variable number of results back: fills `out` and returns how many, or -1.
int write_parts(const std::vector<at::Tensor>& parts, lft_tensor* out, int capacity) {
  TORCH_CHECK(static_cast<int>(parts.size()) <= capacity, "result has ", parts.size(),
              " parts but the caller made room for ", capacity);
  for (size_t i = 0; i < parts.size(); i++) out[i] = lft::wrap(parts[i]);
  return static_cast<int>(parts.size());
}
}  // namespace

LFT_EXPORT int lft_tensor_split(lft_tensor a, int64_t split_size, int64_t dim, lft_tensor* out, int capacity) {
  try { return write_parts(a->split(split_size, dim), out, capacity); } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_split_sizes(lft_tensor a, const int64_t* sizes, int count, int64_t dim, lft_tensor* out,
                                      int capacity) {
  try { return write_parts(a->split_with_sizes(dims(sizes, count), dim), out, capacity); } LFT_CATCH(-1)
}
LFT_EXPORT int lft_tensor_chunk(lft_tensor a, int64_t chunks, int64_t dim, lft_tensor* out, int capacity) {
  try { return write_parts(a->chunk(chunks, dim), out, capacity); } LFT_CATCH(-1)
}
