// The thread-local last-error slot. A std::string owns its buffer, so nothing leaks: the message
// is replaced by the next error and freed when the thread exits.
#include "lft_common.h"

namespace {
thread_local std::string t_last_error;
}

void lft::set_error(const char* message) { t_last_error = message ? message : "(no message)"; }

// Valid until the next failing call on this thread. The caller copies it immediately.
LFT_EXPORT const char* lft_last_error() { return t_last_error.c_str(); }

LFT_EXPORT void lft_clear_error() { t_last_error.clear(); }

// The C# side refuses to run against a shim built from another revision of this ABI (2 added lft_checkpoint).
LFT_EXPORT int lft_abi_version() { return 2; }

LFT_EXPORT void lft_torch_version(int* major, int* minor) {
  *major = TORCH_VERSION_MAJOR;
  *minor = TORCH_VERSION_MINOR;
}
