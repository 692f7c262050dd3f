/* NULL for every pointer argument of every function: an error status (never a crash), nothing written; the
 * _free and _stop functions ignore NULL; hostapi_status_name knows every status. */
#include "common.h"

#define BAD(call) CHECK((call) == HOSTAPI_INVALID_ARGUMENT, "%s", #call)

int main(void) {
  char *s = NULL;
  uint8_t hour = 0;
  const uint8_t body[] = "{}";
  hostapi_velneo_client *v = NULL;
  hostapi_wedos_client *w = NULL;
  hostapi_emulator *e = NULL;

  BAD(hostapi_velneo_client_new(NULL, &v));
  BAD(hostapi_velneo_client_new("{}", NULL));
  BAD(hostapi_wedos_client_new(NULL, &w));
  BAD(hostapi_wedos_client_new("{}", NULL));
  BAD(hostapi_velneo_client_new("not json", &v));
  BAD(hostapi_velneo_client_new("{\"email\": \"\xff\"}", &v));
  CHECK(v == NULL && w == NULL, "nothing written on failure");

  CHECK(hostapi_velneo_client_new("{\"email\":\"a@b.c\",\"api_key\":\"k\",\"base_url\":\"http://127.0.0.1:9\"}", &v) == HOSTAPI_OK, "client");
  CHECK(hostapi_wedos_client_new("{\"user\":\"u\",\"password\":\"p\",\"base_url\":\"http://127.0.0.1:9\"}", &w) == HOSTAPI_OK, "client");
  BAD(hostapi_velneo_call(NULL, "vserver.status", "{}", &s));
  BAD(hostapi_velneo_call(v, NULL, "{}", &s));
  BAD(hostapi_velneo_call(v, "vserver.status", NULL, &s));
  BAD(hostapi_velneo_call(v, "vserver.status", "{}", NULL));
  BAD(hostapi_wedos_call(NULL, "ping", "{}", &s));
  BAD(hostapi_wedos_call(w, NULL, "{}", &s));
  BAD(hostapi_wedos_call(w, "ping", NULL, &s));
  BAD(hostapi_wedos_call(w, "ping", "{}", NULL));
  CHECK(s == NULL, "nothing written on failure");

  BAD(hostapi_velneo_sign(NULL, 1, "k", &s));
  BAD(hostapi_velneo_sign("a", 1, NULL, &s));
  BAD(hostapi_velneo_sign("a", 1, "k", NULL));
  BAD(hostapi_velneo_build_request(NULL, "{}", "{}", &s));
  BAD(hostapi_velneo_build_request("vserver.status", NULL, "{}", &s));
  BAD(hostapi_velneo_build_request("vserver.status", "{}", NULL, &s));
  BAD(hostapi_velneo_build_request("vserver.status", "{}", "{}", NULL));
  BAD(hostapi_velneo_parse_response(NULL, 200, body, 2, &s));
  BAD(hostapi_velneo_parse_response("vserver.status", 200, NULL, 2, &s));
  BAD(hostapi_velneo_parse_response("vserver.status", 200, body, 2, NULL));
  BAD(hostapi_wedos_auth(NULL, "p", 1, &s));
  BAD(hostapi_wedos_auth("u", NULL, 1, &s));
  BAD(hostapi_wedos_auth("u", "p", 1, NULL));
  BAD(hostapi_wedos_prague_hour(1, NULL));
  BAD(hostapi_wedos_build_request(NULL, "{}", "{}", &s));
  BAD(hostapi_wedos_build_request("ping", NULL, "{}", &s));
  BAD(hostapi_wedos_build_request("ping", "{}", NULL, &s));
  BAD(hostapi_wedos_build_request("ping", "{}", "{}", NULL));
  BAD(hostapi_wedos_parse_response(NULL, "{}", 200, body, 2, &s));
  BAD(hostapi_wedos_parse_response("ping", NULL, 200, body, 2, &s));
  BAD(hostapi_wedos_parse_response("ping", "{}", 200, NULL, 2, &s));
  BAD(hostapi_wedos_parse_response("ping", "{}", 200, body, 2, NULL));
  BAD(hostapi_wedos_parse_notification(NULL, 2, &s));
  BAD(hostapi_wedos_parse_notification(body, 2, NULL));
  BAD(hostapi_emulator_start(NULL, &e));
  BAD(hostapi_emulator_start("{}", NULL));
  BAD(hostapi_emulator_url(NULL, HOSTAPI_EMULATOR_BASE, &s));
  BAD(hostapi_emulator_demo(NULL));
  BAD(hostapi_model_json(NULL));
  CHECK(s == NULL && e == NULL, "nothing written on failure");
  CHECK(hostapi_wedos_prague_hour(1768473000, &hour) == HOSTAPI_OK && hour == 11, "a valid call after the bad ones");
  CHECK(strlen(hostapi_last_error_message()) == 0, "no error after a success");
  BAD(hostapi_velneo_sign(NULL, 1, "k", &s));
  CHECK(strstr(hostapi_last_error_message(), "subject must not be NULL") != NULL, "the message names the argument");

  CHECK(hostapi_emulator_start("{}", &e) == HOSTAPI_OK, "emulator");
  BAD(hostapi_emulator_url(e, HOSTAPI_EMULATOR_BASE, NULL));
  BAD(hostapi_emulator_url(e, 42, &s));
  hostapi_emulator_stop(e);

  hostapi_velneo_client_free(NULL);
  hostapi_wedos_client_free(NULL);
  hostapi_emulator_stop(NULL);
  hostapi_string_free(NULL);
  hostapi_velneo_client_free(v);
  hostapi_wedos_client_free(w);

  const int statuses[] = {HOSTAPI_OK, HOSTAPI_CONFIG, HOSTAPI_AUTHENTICATION, HOSTAPI_VSERVER_CREDENTIALS, HOSTAPI_RATE_LIMITED,
                          HOSTAPI_API, HOSTAPI_TRANSPORT, HOSTAPI_PROTOCOL, HOSTAPI_TIMEOUT, HOSTAPI_INVALID_ARGUMENT, HOSTAPI_PANIC};
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    CHECK(strncmp(hostapi_status_name(statuses[i]), "HOSTAPI_", 8) == 0 && strcmp(hostapi_status_name(statuses[i]), "HOSTAPI_UNKNOWN") != 0,
          "status %d", statuses[i]);
  CHECK(strcmp(hostapi_status_name(77), "HOSTAPI_UNKNOWN") == 0, "unknown status");
  CHECK(HOSTAPI_CONFIG == 3 && HOSTAPI_TIMEOUT == 10 && HOSTAPI_INVALID_ARGUMENT == 100 && HOSTAPI_PANIC == 101, "fixed numbers");
  CHECK(strlen(hostapi_version()) > 0, "version");
  return finish("test_null");
}
