/* Every file of tests/vectors/ through the sans-I/O functions of the C library. Usage: test_vectors VECTORS_DIR */
#include "common.h"

static const char *header(cJSON *req, const char *name) {
  cJSON *h;
  cJSON_ArrayForEach(h, cJSON_GetObjectItem(req, "headers")) {
    if (strcasecmp(cJSON_GetArrayItem(h, 0)->valuestring, name) == 0) return cJSON_GetArrayItem(h, 1)->valuestring;
  }
  return NULL;
}

static void check_error(const char *name, hostapi_status st, const cJSON *expected) {
  const char *kind = str(expected, "kind");
  CHECK((int)st == kind_status(kind), "%s: status %s, expected %s", name, hostapi_status_name(st), kind);
  const char *contains = str(expected, "message_contains");
  if (contains) CHECK(strstr(hostapi_last_error_message(), contains) != NULL, "%s: message", name);
}

static void check_request(const char *name, const char *got, const cJSON *expect, const char *field, const char *field_value) {
  cJSON *req = cJSON_Parse(got);
  CHECK(req != NULL, "%s: request JSON", name);
  if (!req) return;
  CHECK(strcmp(str(req, "method"), str(expect, "method")) == 0, "%s: method", name);
  CHECK(strcmp(str(req, "url"), str(expect, "url")) == 0, "%s: url", name);
  CHECK(strcmp(str(req, "body"), str(expect, "body")) == 0, "%s: body %s", name, str(req, "body"));
  const char *ct = header(req, "Content-Type");
  CHECK(ct && strcmp(ct, str(expect, "content_type")) == 0, "%s: content type", name);
  (void)field;
  (void)field_value;
  cJSON_Delete(req);
}

static void velneo(const char *dir) {
  cJSON *doc = load_json(dir, "velneo/signing.json"), *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    char *hex = NULL;
    hostapi_status st = hostapi_velneo_sign(str(c, "subject"), (int64_t)cJSON_GetObjectItem(c, "timestamp")->valuedouble,
                                            str(c, "api_key"), &hex);
    CHECK(st == HOSTAPI_OK && strcmp(hex, str(c, "signed")) == 0, "%s", str(c, "name"));
    hostapi_string_free(hex);
  }
  cJSON_Delete(doc);

  doc = load_json(dir, "velneo/requests.json");
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = str(c, "name");
    cJSON *opts = cJSON_CreateObject();
    cJSON_AddStringToObject(opts, "api_key", str(doc, "api_key"));
    cJSON_AddStringToObject(opts, "base_url", str(doc, "base_url"));
    cJSON_AddNumberToObject(opts, "timestamp", cJSON_GetObjectItem(c, "timestamp")->valuedouble);
    cJSON *auth = cJSON_GetObjectItem(c, "auth");
    if (str(auth, "email")) cJSON_AddStringToObject(opts, "auth_email", str(auth, "email"));
    if (str(auth, "session")) cJSON_AddStringToObject(opts, "session", str(auth, "session"));
    char *args = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "args"));
    char *options = cJSON_PrintUnformatted(opts);
    char *out = NULL;
    hostapi_status st = hostapi_velneo_build_request(str(c, "operation"), args, options, &out);
    cJSON *expect = cJSON_GetObjectItem(c, "expect");
    if (cJSON_GetObjectItem(expect, "error")) {
      check_error(name, st, cJSON_GetObjectItem(expect, "error"));
      CHECK(out == NULL, "%s: nothing written on failure", name);
    } else {
      CHECK(st == HOSTAPI_OK, "%s: %s", name, hostapi_status_name(st));
      if (st == HOSTAPI_OK) check_request(name, out, expect, NULL, NULL);
    }
    hostapi_string_free(out);
    free(args);
    free(options);
    cJSON_Delete(opts);
  }
  cJSON_Delete(doc);

  doc = load_json(dir, "velneo/responses.json");
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = str(c, "name"), *body = str(c, "body");
    char *out = NULL;
    hostapi_status st = hostapi_velneo_parse_response(str(c, "operation"), (uint16_t)cJSON_GetObjectItem(c, "http_status")->valueint,
                                                      (const uint8_t *)body, strlen(body), &out);
    cJSON *expect = cJSON_GetObjectItem(c, "expect");
    if (cJSON_GetObjectItem(expect, "error")) {
      check_error(name, st, cJSON_GetObjectItem(expect, "error"));
    } else {
      CHECK(st == HOSTAPI_OK && json_equal(out, cJSON_GetObjectItem(expect, "ok")), "%s: %s", name, out ? out : "-");
    }
    hostapi_string_free(out);
  }
  cJSON_Delete(doc);
}

static void wedos(const char *dir) {
  cJSON *doc = load_json(dir, "wedos/auth.json"), *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    int64_t unix_secs = (int64_t)cJSON_GetObjectItem(c, "unix")->valuedouble;
    uint8_t hour = 99;
    char hh[4], *a = NULL;
    CHECK(hostapi_wedos_prague_hour(unix_secs, &hour) == HOSTAPI_OK, "%s", str(c, "name"));
    snprintf(hh, sizeof hh, "%02u", hour);
    CHECK(strcmp(hh, str(c, "hour")) == 0, "%s: hour %s", str(c, "name"), hh);
    CHECK(hostapi_wedos_auth(str(c, "user"), str(c, "password"), unix_secs, &a) == HOSTAPI_OK && strcmp(a, str(c, "auth")) == 0,
          "%s: auth", str(c, "name"));
    hostapi_string_free(a);
  }
  cJSON_Delete(doc);

  doc = load_json(dir, "wedos/requests.json");
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = str(c, "name");
    cJSON *opts = cJSON_CreateObject(), *o = cJSON_GetObjectItem(c, "options");
    cJSON_AddStringToObject(opts, "user", str(doc, "user"));
    cJSON_AddStringToObject(opts, "password", str(doc, "password"));
    cJSON_AddStringToObject(opts, "base_url", str(doc, "base_url"));
    cJSON_AddNumberToObject(opts, "unix", cJSON_GetObjectItem(c, "unix")->valuedouble);
    if (str(o, "cltrid")) cJSON_AddStringToObject(opts, "cltrid", str(o, "cltrid"));
    if (cJSON_IsTrue(cJSON_GetObjectItem(o, "test"))) cJSON_AddTrueToObject(opts, "test");
    char *args = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "args"));
    char *options = cJSON_PrintUnformatted(opts);
    char *out = NULL;
    hostapi_status st = hostapi_wedos_build_request(str(c, "operation"), args, options, &out);
    cJSON *expect = cJSON_GetObjectItem(c, "expect");
    if (cJSON_GetObjectItem(expect, "error")) {
      check_error(name, st, cJSON_GetObjectItem(expect, "error"));
    } else {
      CHECK(st == HOSTAPI_OK, "%s: %s", name, hostapi_status_name(st));
      if (st == HOSTAPI_OK) check_request(name, out, expect, NULL, NULL);
    }
    hostapi_string_free(out);
    free(args);
    free(options);
    cJSON_Delete(opts);
  }
  cJSON_Delete(doc);

  doc = load_json(dir, "wedos/responses.json");
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = str(c, "name"), *body = str(c, "body");
    char *args = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "args"));
    char *out = NULL;
    hostapi_status st = hostapi_wedos_parse_response(str(c, "operation"), args, (uint16_t)cJSON_GetObjectItem(c, "http_status")->valueint,
                                                     (const uint8_t *)body, strlen(body), &out);
    cJSON *expect = cJSON_GetObjectItem(c, "expect");
    if (cJSON_GetObjectItem(expect, "error")) {
      check_error(name, st, cJSON_GetObjectItem(expect, "error"));
    } else {
      CHECK(st == HOSTAPI_OK && json_equal(out, cJSON_GetObjectItem(expect, "ok")), "%s: %s", name, out ? out : "-");
    }
    hostapi_string_free(out);
    free(args);
  }
  cJSON_Delete(doc);

  doc = load_json(dir, "wedos/notifications.json");
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = str(c, "name"), *body = str(c, "body");
    char *out = NULL;
    hostapi_status st = hostapi_wedos_parse_notification((const uint8_t *)body, strlen(body), &out);
    cJSON *expect = cJSON_GetObjectItem(c, "expect");
    if (cJSON_GetObjectItem(expect, "error")) {
      check_error(name, st, cJSON_GetObjectItem(expect, "error"));
    } else {
      CHECK(st == HOSTAPI_OK && json_equal(out, cJSON_GetObjectItem(expect, "ok")), "%s: %s", name, out ? out : "-");
    }
    hostapi_string_free(out);
  }
  cJSON_Delete(doc);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  velneo(argv[1]);
  wedos(argv[1]);
  return finish("test_vectors");
}
