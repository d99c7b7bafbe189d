// Shared plumbing for every export: error capture, handle wrapping, dtype/device decoding.
// Rule: no C++ exception may cross into .NET. Every export wraps its body in LFT_TRY/LFT_CATCH,
// stores the message in a thread-local string, and returns a sentinel (nullptr or -1).
#pragma once
#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/version.h>
#include <cstdint>
#include <string>
#include <vector>

#define LFT_EXPORT extern "C" __attribute__((visibility("default")))

typedef at::Tensor* lft_tensor;

namespace lft {

void set_error(const char* message);

inline lft_tensor wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

inline at::ScalarType dtype(int code) {
  TORCH_CHECK(code >= 0 && code < static_cast<int>(at::ScalarType::NumOptions), "unknown dtype code ", code);
  return static_cast<at::ScalarType>(code);
}

inline at::Device device(int type, int index) {
  TORCH_CHECK(type == 0 || type == 1, "unknown device type ", type, " (0 = cpu, 1 = cuda)");
  return type == 0 ? at::Device(at::kCPU) : at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
}

inline at::TensorOptions options(int dtype_code, int dev_type, int dev_index) {
  return at::TensorOptions().dtype(dtype(dtype_code)).device(device(dev_type, dev_index));
}

inline at::IntArrayRef dims(const int64_t* values, int count) { return at::IntArrayRef(values, static_cast<size_t>(count)); }

inline std::vector<at::Tensor> list(const lft_tensor* handles, int count) {
  std::vector<at::Tensor> out;
  out.reserve(count);
  for (int i = 0; i < count; i++) out.push_back(*handles[i]);
  return out;
}

inline c10::optional<at::Tensor> optional(lft_tensor handle) {
  return handle ? c10::optional<at::Tensor>(*handle) : c10::nullopt;
}

}  // namespace lft

#define LFT_CATCH(sentinel)                                          \
  catch (const c10::Error& e) {                                      \
    lft::set_error(e.what_without_backtrace());                      \
    return sentinel;                                                 \
  }                                                                  \
  catch (const std::exception& e) {                                  \
    lft::set_error(e.what());                                        \
    return sentinel;                                                 \
  }                                                                  \
  catch (...) {                                                      \
    lft::set_error("unknown C++ exception in libtorch");             \
    return sentinel;                                                 \
  }

// Returns a new tensor handle, or nullptr with the error recorded.
#define LFT_TENSOR(expr) \
  try {                  \
    return lft::wrap(expr); \
  }                      \
  LFT_CATCH(nullptr)

// Runs statements; returns 0, or -1 with the error recorded.
#define LFT_STATUS(...) \
  try {                 \
    __VA_ARGS__;        \
    return 0;           \
  }                     \
  LFT_CATCH(-1)
