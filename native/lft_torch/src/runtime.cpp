// Process-wide settings: seeds, RNG state (for exact resume), threads, CUDA devices and memory.
#include "lft_common.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <mutex>
#ifdef LFT_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace {
at::Generator generator_for(int dev_type, int dev_index) {
  if (dev_type == 0) return at::detail::getDefaultCPUGenerator();
  return at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(dev_index)));
}
}  // namespace

LFT_EXPORT int lft_manual_seed(uint64_t seed) { LFT_STATUS(at::manual_seed(seed)) }

// The state is a uint8 tensor; save its bytes in a checkpoint and hand them back to resume exactly.
LFT_EXPORT lft_tensor lft_rng_get_state(int dev_type, int dev_index) {
  LFT_TENSOR([&] {
    auto gen = generator_for(dev_type, dev_index);
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
  }())
}
LFT_EXPORT int lft_rng_set_state(int dev_type, int dev_index, lft_tensor state) {
  LFT_STATUS(
    auto gen = generator_for(dev_type, dev_index);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state))
}

LFT_EXPORT void lft_set_num_threads(int n) { at::set_num_threads(n); }
LFT_EXPORT int lft_get_num_threads() { return at::get_num_threads(); }

LFT_EXPORT int lft_cuda_is_available() {
  try { return at::globalContext().hasCUDA() ? 1 : 0; } LFT_CATCH(0)
}
LFT_EXPORT int lft_cuda_device_count() {
  try { return at::globalContext().hasCUDA() ? static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()) : 0; }
  LFT_CATCH(0)
}

// 1 when this shim was built with the CUDA helpers below; without them they report "unsupported".
LFT_EXPORT int lft_cuda_helpers_built() {
#ifdef LFT_WITH_CUDA
  return 1;
#else
  return 0;
#endif
}

LFT_EXPORT int lft_cuda_synchronize(int dev_index) {
#ifdef LFT_WITH_CUDA
  LFT_STATUS(
    TORCH_CHECK(cudaSetDevice(dev_index) == cudaSuccess, "cudaSetDevice failed");
    TORCH_CHECK(cudaDeviceSynchronize() == cudaSuccess, "cudaDeviceSynchronize failed"))
#else
  lft::set_error("this lft_torch build has no CUDA helpers: rebuild it against a CUDA libtorch");
  return -1;
#endif
}

LFT_EXPORT int lft_cuda_empty_cache() {
#ifdef LFT_WITH_CUDA
  LFT_STATUS(c10::cuda::CUDACachingAllocator::emptyCache())
#else
  lft::set_error("this lft_torch build has no CUDA helpers: rebuild it against a CUDA libtorch");
  return -1;
#endif
}

// Bytes currently allocated, the peak since the last reset, and bytes reserved by the caching allocator.
LFT_EXPORT int lft_cuda_memory_stats(int dev_index, int64_t* allocated, int64_t* peak, int64_t* reserved) {
#ifdef LFT_WITH_CUDA
  LFT_STATUS(
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(dev_index);
    auto all = static_cast<size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE);
    *allocated = stats.allocated_bytes[all].current;
    *peak = stats.allocated_bytes[all].peak;
    *reserved = stats.reserved_bytes[all].current)
#else
  lft::set_error("this lft_torch build has no CUDA helpers: rebuild it against a CUDA libtorch");
  return -1;
#endif
}

LFT_EXPORT int lft_cuda_device_memory(int dev_index, int64_t* free_bytes, int64_t* total_bytes) {
#ifdef LFT_WITH_CUDA
  LFT_STATUS(
    size_t f = 0, t = 0;
    TORCH_CHECK(cudaSetDevice(dev_index) == cudaSuccess, "cudaSetDevice failed");
    TORCH_CHECK(cudaMemGetInfo(&f, &t) == cudaSuccess, "cudaMemGetInfo failed");
    *free_bytes = static_cast<int64_t>(f);
    *total_bytes = static_cast<int64_t>(t))
#else
  lft::set_error("this lft_torch build has no CUDA helpers: rebuild it against a CUDA libtorch");
  return -1;
#endif
}

// Autocast (mixed precision) for a device type; dtype is the lower-precision type (bf16 or fp16).
LFT_EXPORT int lft_autocast_set(int dev_type, bool enabled, int dtype_code) {
  LFT_STATUS(
    auto dt = lft::dtype(dtype_code);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    auto type = dev_type == 1 ? at::kCUDA : at::kCPU;
    at::autocast::set_autocast_enabled(type, enabled);
    at::autocast::set_autocast_dtype(type, dt);
#else
    if (dev_type == 1) {
      at::autocast::set_enabled(enabled);
      at::autocast::set_autocast_gpu_dtype(dt);
    } else {
      at::autocast::set_cpu_enabled(enabled);
      at::autocast::set_autocast_cpu_dtype(dt);
    }
#endif
    if (!enabled) at::autocast::clear_cache())
}

LFT_EXPORT const char* lft_build_config() {
  static thread_local std::string config;
  try { config = at::show_config(); } catch (...) { config = "(unavailable)"; }
  return config.c_str();
}
