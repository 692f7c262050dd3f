// The C++ wrapper: RAII handles, exceptions, moves.
#include <hostapi.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <utility>

static int failures = 0, checks = 0;
#define CHECK(cond)                                                     \
  do {                                                                  \
    checks++;                                                           \
    if (!(cond)) {                                                      \
      failures++;                                                       \
      std::cerr << "FAIL " << __FILE__ << ":" << __LINE__ << ": " #cond "\n"; \
    }                                                                   \
  } while (0)

int main() {
  hostapi::Emulator emu;
  std::string demo = hostapi::Emulator::demo();
  CHECK(demo.find("velneo_api_key") != std::string::npos);
  std::string options = std::string("{\"email\":\"ejemplo@gmail.com\",\"api_key\":") +
                        demo.substr(demo.find("\"velneo_api_key\":") + 17, demo.find(",\"wedos_user\"") - demo.find("\"velneo_api_key\":") - 17) +
                        ",\"base_url\":\"" + emu.url(HOSTAPI_EMULATOR_VELNEO) + "\"}";
  {
    hostapi::VelneoClient client(options);
    std::string status = client.call("vserver.status");
    CHECK(status.find("running") != std::string::npos);
    hostapi::VelneoClient moved = std::move(client);
    CHECK(moved.call("groups.list").find("Administradores") != std::string::npos);
    try {
      client.call("vserver.status");  // moved-from: empty
      CHECK(false);
    } catch (const hostapi::Error &e) {
      CHECK(e.status() == HOSTAPI_INVALID_ARGUMENT);
    }
    try {
      moved.call("groups.get", "{\"name\":\"Nope\"}");
      CHECK(false);
    } catch (const hostapi::Error &e) {
      CHECK(e.status() == HOSTAPI_API);
      CHECK(std::strcmp(e.status_name(), "HOSTAPI_API") == 0);
      CHECK(std::string(e.what()).rfind("velneo groups.get: ", 0) == 0);
      CHECK(e.http_status() == 403);
      CHECK(e.api_code() == 403);
      CHECK(!e.may_have_applied());
    }
    CHECK(hostapi::json_quote("pa\"ss\\") == "\"pa\\\"ss\\\\\"");
    moved.call("session.logout");
    // The emulator's control endpoints: a fault, then a reset.
    emu.add_fault("{\"path\":\"/v1/groups\",\"status\":503,\"times\":5}");
    try {
      moved.call("groups.list");
      CHECK(false);
    } catch (const hostapi::Error &e) {
      CHECK(e.status() == HOSTAPI_TRANSPORT);
      CHECK(e.http_status() == 503);
    }
    emu.reset();
    CHECK(emu.state().find("requests") != std::string::npos);
  }
  try {
    hostapi::WedosClient bad("{\"user\":\"u\"}");
    CHECK(false);
  } catch (const hostapi::Error &e) {
    CHECK(e.status() == HOSTAPI_CONFIG);
    CHECK(std::string(e.what()).find("WEDOS_PASSWORD") != std::string::npos);
  }
  CHECK(hostapi::velneo_sign("ejemplo@gmail.com", 1700000000, "NyraFY6GMz8lu1fameMdrH0V") == "581a09afef2a78dae3053d55a869f158086b4adb");
  CHECK(hostapi::wedos_prague_hour(1768473000) == 11);
  CHECK(hostapi::wedos_auth("tester", "123456", 1768473000) == "ac28237e80e68efa3bfd07f42dca3d41c5986e01");
  std::printf("test_wrapper: %d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}
