/* The fault matrix (tests/vectors/faults.json) against the C library: each misbehaving answer of the emulator's
 * fault injection gives the expected status (or HOSTAPI_OK), HTTP status, retry-after, may-have-applied flag,
 * number of requests reaching the server and a bound on the time taken — as in Rust, Python, Node and the
 * command. Usage: test_faults VECTORS_DIR */
#include <time.h>

#include "common.h"

static double now_secs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Requests the emulator received on `path` so far. */
static long requests(hostapi_emulator *emu, const char *path) {
  char *state = NULL;
  if (hostapi_emulator_control(emu, "GET", "state", NULL, &state) != HOSTAPI_OK) return -1;
  cJSON *doc = cJSON_Parse(state);
  hostapi_string_free(state);
  const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "requests"), path);
  long count = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
  cJSON_Delete(doc);
  return count;
}

static void run_case(const cJSON *defaults, const cJSON *c) {
  const char *name = str(c, "name");
  const char *api = str(c, "api");
  const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
  const char *path = str(expect, "path");
  hostapi_emulator *emu = NULL;
  CHECK(hostapi_emulator_start("{}", &emu) == HOSTAPI_OK, "%s: emulator", name);
  if (!emu) return;
  char *url = NULL, *base = NULL, *demo = NULL;
  int velneo = strcmp(api, "velneo") == 0;
  hostapi_emulator_url(emu, velneo ? HOSTAPI_EMULATOR_VELNEO : HOSTAPI_EMULATOR_WEDOS, &url);
  hostapi_emulator_url(emu, HOSTAPI_EMULATOR_BASE, &base);
  hostapi_emulator_demo(&demo);
  cJSON *d = cJSON_Parse(demo);

  /* The settings: the defaults, the case's own, the demo account. */
  cJSON *options = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(defaults, "settings"), 1);
  const cJSON *own = cJSON_GetObjectItemCaseSensitive(c, "settings");
  for (const cJSON *s = own ? own->child : NULL; s; s = s->next) {
    cJSON_DeleteItemFromObjectCaseSensitive(options, s->string);
    cJSON_AddItemToObject(options, s->string, cJSON_Duplicate(s, 1));
  }
  cJSON_AddStringToObject(options, "base_url", url);
  if (velneo) {
    cJSON_AddStringToObject(options, "email", str(d, "velneo_email"));
    cJSON_AddStringToObject(options, "api_key", str(d, "velneo_api_key"));
  } else {
    cJSON_AddStringToObject(options, "user", str(d, "wedos_user"));
    cJSON_AddStringToObject(options, "password", str(d, "wedos_password"));
    cJSON_AddStringToObject(options, "state_dir", ":memory:");
  }
  char *options_text = cJSON_PrintUnformatted(options);
  char *args = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "args"));
  char *fault = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "fault"));
  const char *operation = str(c, "operation");

  hostapi_velneo_client *v = NULL;
  hostapi_wedos_client *w = NULL;
  char *out = NULL;
  if (velneo) {
    CHECK(hostapi_velneo_client_new(options_text, &v) == HOSTAPI_OK, "%s: client", name);
    CHECK(hostapi_velneo_call(v, "session.login", "{}", &out) == HOSTAPI_OK, "%s: login", name);
    hostapi_string_free(out);
    out = NULL;
  } else {
    CHECK(hostapi_wedos_client_new(options_text, &w) == HOSTAPI_OK, "%s: client", name);
  }
  char *armed = NULL;
  CHECK(hostapi_emulator_control(emu, "POST", "faults", fault, &armed) == HOSTAPI_OK, "%s: fault", name);
  hostapi_string_free(armed);
  long before = requests(emu, path);
  double started = now_secs();
  int status = velneo ? hostapi_velneo_call(v, operation, args, &out) : hostapi_wedos_call(w, operation, args, &out);
  double took = now_secs() - started;
  /* The error's details, read before any other call of this thread replaces them. */
  char message[2048];
  snprintf(message, sizeof message, "%s", hostapi_last_error_message());
  unsigned http_status = hostapi_last_error_http_status();
  long long retry_after_ms = (long long)hostapi_last_error_retry_after_ms();
  bool may_have_applied = hostapi_last_error_may_have_applied();
  long sent = requests(emu, path) - before;

  const char *kind = str(expect, "kind");
  if (!kind) {
    CHECK(status == HOSTAPI_OK, "%s: failed with %s: %s", name, hostapi_status_name(status), message);
  } else {
    CHECK(status == kind_status(kind), "%s: %s instead of %s: %s", name, hostapi_status_name(status), kind, message);
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(expect, "http_status");
    if (cJSON_IsNumber(hs)) CHECK(http_status == (unsigned)hs->valuedouble, "%s: http status %u", name, http_status);
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(expect, "retry_after");
    if (cJSON_IsNumber(ra))
      CHECK(retry_after_ms == (long long)(ra->valuedouble * 1000), "%s: retry after %lld ms", name, retry_after_ms);
    bool want_may = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(expect, "may_have_applied"));
    CHECK(may_have_applied == want_may, "%s: may_have_applied %d", name, may_have_applied);
    if (status == HOSTAPI_TRANSPORT || status == HOSTAPI_TIMEOUT) {
      const char *host = base + strlen("http://");
      CHECK(strstr(message, host) && strstr(message, "attempt"), "%s: message %s", name, message);
    }
  }
  const cJSON *want = cJSON_GetObjectItemCaseSensitive(expect, "requests");
  CHECK(sent == (long)want->valuedouble, "%s: %ld requests reached %s", name, sent, path);
  const cJSON *bound = cJSON_GetObjectItemCaseSensitive(expect, "max_secs");
  CHECK(took < bound->valuedouble, "%s: took %.2f s", name, took);

  hostapi_string_free(out);
  hostapi_velneo_client_free(v);
  hostapi_wedos_client_free(w);
  cJSON_free(options_text);
  cJSON_free(args);
  cJSON_free(fault);
  cJSON_Delete(options);
  cJSON_Delete(d);
  hostapi_string_free(demo);
  hostapi_string_free(base);
  hostapi_string_free(url);
  hostapi_emulator_stop(emu);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  cJSON *doc = load_json(argv[1], "faults.json");
  const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(doc, "defaults");
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "cases")) run_case(defaults, c);
  cJSON_Delete(doc);
  return finish("test_faults");
}
