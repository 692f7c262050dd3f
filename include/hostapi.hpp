// hostapi for C++17: move-only RAII handles over the C library (hostapi.h), failures as exceptions.
//
// Every failing call throws hostapi::Error, which carries the C status (status(), with its name) and the library's
// message (what(); never a secret). Handles own their C object and release it in their destructor; they can be
// moved, not copied. A moved-from handle is empty: calling it throws hostapi::Error(HOSTAPI_INVALID_ARGUMENT).
// Results are the library's JSON, as std::string. A client may be shared by threads (as in C).
#ifndef HOSTAPI_HPP
#define HOSTAPI_HPP

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "hostapi.h"

namespace hostapi {

/// A failure of the library: its status and message, and the details the C library keeps for the last error.
class Error : public std::runtime_error {
 public:
  Error(hostapi_status status, const std::string &message, std::uint16_t http_status = 0, std::int64_t api_code = 0,
        std::int64_t retry_after_ms = -1, bool may_have_applied = false)
      : std::runtime_error(message),
        status_(status),
        http_status_(http_status),
        api_code_(api_code),
        retry_after_ms_(retry_after_ms),
        may_have_applied_(may_have_applied) {}
  /// The C status (HOSTAPI_CONFIG, …; the numbers are fixed).
  hostapi_status status() const noexcept { return status_; }
  /// The status's name, e.g. "HOSTAPI_CONFIG".
  const char *status_name() const noexcept { return hostapi_status_name(static_cast<int>(status_)); }
  /// The HTTP status of the answer, or 0 (see hostapi_last_error_http_status).
  std::uint16_t http_status() const noexcept { return http_status_; }
  /// The API's own code (Velneo status_code, WEDOS code), or 0 (see hostapi_last_error_api_code).
  std::int64_t api_code() const noexcept { return api_code_; }
  /// Milliseconds to wait before trying again, or -1 (see hostapi_last_error_retry_after_ms).
  std::int64_t retry_after_ms() const noexcept { return retry_after_ms_; }
  /// Whether a failed write may have been applied on the server (see hostapi_last_error_may_have_applied).
  bool may_have_applied() const noexcept { return may_have_applied_; }

 private:
  hostapi_status status_;
  std::uint16_t http_status_;
  std::int64_t api_code_;
  std::int64_t retry_after_ms_;
  bool may_have_applied_;
};

namespace detail {

inline void check(hostapi_status status) {
  if (status != HOSTAPI_OK) {
    throw Error(status, hostapi_last_error_message(), hostapi_last_error_http_status(), hostapi_last_error_api_code(),
                hostapi_last_error_retry_after_ms(), hostapi_last_error_may_have_applied());
  }
}

struct StringFree {
  void operator()(char *p) const noexcept { hostapi_string_free(p); }
};

/// Takes ownership of a string the library returned.
inline std::string take(char *p) {
  std::unique_ptr<char, StringFree> owned(p);
  return std::string(p ? p : "");
}

template <class T, void (*Free)(T *)>
struct Deleter {
  void operator()(T *p) const noexcept { Free(p); }
};

template <class T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

}  // namespace detail

/// A Velneo Cloud API client (see hostapi_velneo_client_new and hostapi_velneo_call).
class VelneoClient {
 public:
  /// `options_json`: the client settings, e.g. {"email": …, "api_key": …, "base_url": …}.
  explicit VelneoClient(const std::string &options_json) {
    hostapi_velneo_client *c = nullptr;
    detail::check(hostapi_velneo_client_new(options_json.c_str(), &c));
    handle_.reset(c);
  }
  /// Runs `operation` (e.g. "groups.put") with its JSON arguments; returns the result as JSON.
  std::string call(const std::string &operation, const std::string &args_json = "{}") const {
    char *out = nullptr;
    detail::check(hostapi_velneo_call(handle_.get(), operation.c_str(), args_json.c_str(), &out));
    return detail::take(out);
  }
  /// The C handle (owned by this object).
  const hostapi_velneo_client *get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<hostapi_velneo_client, hostapi_velneo_client_free> handle_;
};

/// A WEDOS WAPI client (see hostapi_wedos_client_new and hostapi_wedos_call).
class WedosClient {
 public:
  /// `options_json`: the client settings, e.g. {"user": …, "password": …, "base_url": …}.
  explicit WedosClient(const std::string &options_json) {
    hostapi_wedos_client *c = nullptr;
    detail::check(hostapi_wedos_client_new(options_json.c_str(), &c));
    handle_.reset(c);
  }
  /// Runs `operation` (e.g. "dns.add_row") with its JSON arguments; returns the result as JSON.
  std::string call(const std::string &operation, const std::string &args_json = "{}") const {
    char *out = nullptr;
    detail::check(hostapi_wedos_call(handle_.get(), operation.c_str(), args_json.c_str(), &out));
    return detail::take(out);
  }
  /// Lets the account's clients send again after the guard stopped them (see hostapi_wedos_reset_auth_guard).
  void reset_auth_guard() const { detail::check(hostapi_wedos_reset_auth_guard(handle_.get())); }
  /// The C handle (owned by this object).
  const hostapi_wedos_client *get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<hostapi_wedos_client, hostapi_wedos_client_free> handle_;
};

/// The emulator of both APIs, running until this object is destroyed.
class Emulator {
 public:
  explicit Emulator(const std::string &options_json = "{}") {
    hostapi_emulator *e = nullptr;
    detail::check(hostapi_emulator_start(options_json.c_str(), &e));
    handle_.reset(e);
  }
  /// HOSTAPI_EMULATOR_BASE, HOSTAPI_EMULATOR_VELNEO or HOSTAPI_EMULATOR_WEDOS.
  std::string url(int which) const {
    char *out = nullptr;
    detail::check(hostapi_emulator_url(handle_.get(), which, &out));
    return detail::take(out);
  }
  /// The DNS server's "HOST:PORT" (started with "dns_port"), or "" without one.
  std::string dns() const {
    char *out = nullptr;
    detail::check(hostapi_emulator_dns(handle_.get(), &out));
    return out ? detail::take(out) : std::string();
  }
  /// Calls a control endpoint (see hostapi_emulator_control): e.g. control("POST", "faults", R"({"path": …})").
  std::string control(const std::string &method, const std::string &path, const std::string &body_json = "") const {
    char *out = nullptr;
    detail::check(hostapi_emulator_control(handle_.get(), method.c_str(), path.c_str(),
                                           body_json.empty() ? nullptr : body_json.c_str(), &out));
    return detail::take(out);
  }
  /// Forgets every change: the configured accounts as at start.
  void reset() const { control("POST", "reset"); }
  /// Makes the next requests of a path misbehave (the fault as JSON: {"path", "status", "times", …}).
  std::string add_fault(const std::string &fault_json) const { return control("POST", "faults", fault_json); }
  /// The emulator's state as JSON (counters, zones, queues, requests per path).
  std::string state() const { return control("GET", "state"); }
  /// The demo accounts as JSON.
  static std::string demo() {
    char *out = nullptr;
    detail::check(hostapi_emulator_demo(&out));
    return detail::take(out);
  }

 private:
  detail::Handle<hostapi_emulator, hostapi_emulator_stop> handle_;
};

/// Velneo's request signature (see hostapi_velneo_sign).
inline std::string velneo_sign(const std::string &subject, std::int64_t timestamp, const std::string &api_key) {
  char *out = nullptr;
  detail::check(hostapi_velneo_sign(subject.c_str(), timestamp, api_key.c_str(), &out));
  return detail::take(out);
}

/// `text` as a JSON string literal, quotes included (see hostapi_json_quote).
inline std::string json_quote(const std::string &text) {
  char *out = nullptr;
  detail::check(hostapi_json_quote(text.c_str(), &out));
  return detail::take(out);
}

/// WEDOS `auth` at `unix_secs` (see hostapi_wedos_auth).
inline std::string wedos_auth(const std::string &user, const std::string &password, std::int64_t unix_secs) {
  char *out = nullptr;
  detail::check(hostapi_wedos_auth(user.c_str(), password.c_str(), unix_secs, &out));
  return detail::take(out);
}

/// The hour (0–23) in Europe/Prague at `unix_secs`.
inline int wedos_prague_hour(std::int64_t unix_secs) {
  std::uint8_t hour = 0;
  detail::check(hostapi_wedos_prague_hour(unix_secs, &hour));
  return hour;
}

}  // namespace hostapi

#endif  // HOSTAPI_HPP
