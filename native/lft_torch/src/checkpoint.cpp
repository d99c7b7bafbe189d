// Activation (gradient) checkpointing: run a .NET function without keeping its intermediate tensors, and run it
// again during backward to get them back. This is PyTorch's reentrant torch.utils.checkpoint, as a custom autograd
// Function whose forward and backward call back into .NET through a function pointer.
//
// Forward: the function runs under no-grad; only its inputs are saved, with the generator and autocast state, so the
// recompute draws the same dropout masks and casts the same way. Backward: the function runs again with grad on, on
// detached inputs, then a nested backward from its output with the incoming gradient accumulates every leaf's .grad
// (the parameters the function reads) and the detached inputs' gradients, which are returned. Gradients are the
// plain run's bit for bit: the same kernels see the same values in the same order.
#include "lft_common.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>
#include <algorithm>
#include <mutex>

// Runs the function on `inputs` (handles the callee owns and frees) and stores a new handle in *output. Returns 0,
// or non-zero with a message in `error` (the callee's exception never crosses this frame).
typedef int (*lft_checkpoint_run_fn)(void* state, lft_tensor* inputs, int n_inputs, lft_tensor* output,
                                     char* error, int error_capacity);
// Frees `state` (a GCHandle on the .NET side) once no graph node needs the function any more.
typedef void (*lft_checkpoint_release_fn)(void* state);

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Generator generator_of(const at::Device& device) {
  if (device.is_cpu()) return at::detail::getDefaultCPUGenerator();
  return at::globalContext().defaultGenerator(device);
}

at::Tensor get_state(at::Generator& gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_state(at::Generator& gen, const at::Tensor& state) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

// The generator states of the devices the inputs live on. Only those: forking the CPU generator for a CUDA block
// would disturb a CPU job drawing from it on another thread.
struct RngSnapshot {
  std::vector<std::pair<at::Generator, at::Tensor>> states;

  static RngSnapshot of(const std::vector<at::Device>& devices) {
    RngSnapshot snapshot;
    for (const auto& device : devices) {
      auto gen = generator_of(device);
      snapshot.states.emplace_back(gen, get_state(gen));
    }
    return snapshot;
  }

  void restore() {
    for (auto& [gen, state] : states) set_state(gen, state);
  }
};

// Autocast on the device type of the inputs: the recompute must cast exactly as the forward did, even when the
// caller turned autocast off before backward.
struct AutocastState {
  bool cuda = false;
  bool enabled = false;
  at::ScalarType dtype = at::kFloat;

  static AutocastState of(bool cuda) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    auto type = cuda ? at::kCUDA : at::kCPU;
    return {cuda, at::autocast::is_autocast_enabled(type), at::autocast::get_autocast_dtype(type)};
#else
    if (cuda) return {cuda, at::autocast::is_enabled(), at::autocast::get_autocast_gpu_dtype()};
    return {cuda, at::autocast::is_cpu_enabled(), at::autocast::get_autocast_cpu_dtype()};
#endif
  }

  void apply() const {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    auto type = cuda ? at::kCUDA : at::kCPU;
    at::autocast::set_autocast_enabled(type, enabled);
    at::autocast::set_autocast_dtype(type, dtype);
#else
    if (cuda) {
      at::autocast::set_enabled(enabled);
      at::autocast::set_autocast_gpu_dtype(dtype);
    } else {
      at::autocast::set_cpu_enabled(enabled);
      at::autocast::set_autocast_cpu_dtype(dtype);
    }
#endif
  }
};

// The .NET function plus what its recompute needs. Lives in the graph node (as a capsule) and releases the .NET
// handle when the node is destroyed, whether or not backward ever ran.
struct Callback : torch::CustomClassHolder {
  lft_checkpoint_run_fn run;
  lft_checkpoint_release_fn release;
  void* state;
  std::vector<at::Device> devices;
  RngSnapshot rng;
  AutocastState autocast;

  Callback(lft_checkpoint_run_fn run, lft_checkpoint_release_fn release, void* state)
      : run(run), release(release), state(state) {}
  ~Callback() override { release(state); }

  at::Tensor invoke(at::TensorList inputs) const {
    std::vector<lft_tensor> handles;
    handles.reserve(inputs.size());
    for (const auto& t : inputs) handles.push_back(lft::wrap(t));
    lft_tensor output = nullptr;
    char error[2048] = {0};
    if (run(state, handles.data(), static_cast<int>(handles.size()), &output, error, sizeof error) != 0 || !output)
      throw std::runtime_error(error[0] ? error : "the checkpointed function failed without a message");
    at::Tensor result = std::move(*output);
    delete output;
    return result;
  }
};

// Sets the forward's generator and autocast state for the recompute, and puts the current ones back afterwards, so
// the recompute leaves the random stream where the plain run would have left it.
struct RecomputeGuard {
  RngSnapshot current;
  AutocastState autocast_now;

  explicit RecomputeGuard(Callback& cb)
      : current(RngSnapshot::of(cb.devices)), autocast_now(AutocastState::of(cb.autocast.cuda)) {
    cb.rng.restore();
    cb.autocast.apply();
  }
  ~RecomputeGuard() {
    try {
      current.restore();
      autocast_now.apply();
    } catch (...) {
    }
  }
};

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction> {
  // Non-tensor first argument, then the inputs (passed to the function) and the parameters (not passed: the
  // function reads them itself; listed so the output requires grad whenever one of them does).
  static at::Tensor forward(AutogradContext* ctx, c10::intrusive_ptr<Callback> cb, at::TensorList inputs,
                            at::TensorList parameters) {
    ctx->saved_data["callback"] = c10::IValue::make_capsule(cb);
    ctx->saved_data["parameters"] = static_cast<int64_t>(parameters.size());
    ctx->save_for_backward(inputs.vec());
    return cb->invoke(inputs);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!c10::GradMode::is_enabled(), "gradient checkpointing does not support create_graph (double backward)");
    auto cb = c10::static_intrusive_pointer_cast<Callback>(ctx->saved_data["callback"].toCapsule());
    auto saved = ctx->get_saved_variables();
    std::vector<at::Tensor> detached;
    for (const auto& input : saved) detached.push_back(input.detach().requires_grad_(input.requires_grad()));
    at::Tensor output;
    {
      RecomputeGuard guard(*cb);
      at::AutoGradMode grad_on(true);
      output = cb->invoke(detached);
    }
    if (output.requires_grad()) torch::autograd::backward({output}, {grad_outputs[0]});
    // One slot per forward argument: the callback, each input, each parameter (already accumulated in .grad).
    variable_list grads(1 + detached.size() + ctx->saved_data["parameters"].toInt());
    for (size_t i = 0; i < detached.size(); i++)
      if (detached[i].requires_grad()) grads[1 + i] = detached[i].grad();
    return grads;
  }
};

std::vector<at::Device> devices_of(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Device> devices;
  for (const auto& t : tensors)
    if (t.defined() && std::find(devices.begin(), devices.end(), t.device()) == devices.end())
      devices.push_back(t.device());
  return devices;
}

}  // namespace

// Returns fn(inputs) and records one node that recomputes it during backward. Takes ownership of `state`: release
// is called exactly once, also when this call fails. Without grad mode, or when no input or parameter requires grad,
// it simply runs the function.
LFT_EXPORT lft_tensor lft_checkpoint(lft_checkpoint_run_fn run, lft_checkpoint_release_fn release, void* state,
                                     const lft_tensor* inputs, int n_inputs, const lft_tensor* parameters,
                                     int n_parameters) {
  c10::intrusive_ptr<Callback> cb;
  try {
    cb = c10::make_intrusive<Callback>(run, release, state);
  } catch (...) {
    release(state);
    lft::set_error("out of memory creating a checkpoint node");
    return nullptr;
  }
  LFT_TENSOR([&] {
    auto in = lft::list(inputs, n_inputs);
    auto params = lft::list(parameters, n_parameters);
    auto needs_grad = [](const at::Tensor& t) { return t.defined() && t.requires_grad(); };
    bool record = c10::GradMode::is_enabled() &&
                  (std::any_of(in.begin(), in.end(), needs_grad) || std::any_of(params.begin(), params.end(), needs_grad));
    if (!record) return cb->invoke(in);
    cb->devices = devices_of(in);
    cb->rng = RngSnapshot::of(cb->devices);
    cb->autocast = AutocastState::of(!cb->devices.empty() && cb->devices[0].is_cuda());
    return CheckpointFunction::apply(cb, at::TensorList(in), at::TensorList(params));
  }())
}
