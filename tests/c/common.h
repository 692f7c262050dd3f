/* Shared by the C tests: checks that count failures, file reading, cJSON helpers. */
#ifndef HOSTAPI_TEST_COMMON_H
#define HOSTAPI_TEST_COMMON_H

#include <cjson/cJSON.h>
#include <hostapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNUSED __attribute__((unused))

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                         \
  do {                                                           \
    checks++;                                                    \
    if (!(cond)) {                                               \
      failures++;                                                \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                              \
      fprintf(stderr, " [%s]\n", hostapi_last_error_message());  \
    }                                                            \
  } while (0)

/* The closing line every test program prints (read by CI as "N passed, N failed"). */
UNUSED static int finish(const char *name) {
  printf("%s: %d passed, %d failed\n", name, checks - failures, failures);
  return failures ? 1 : 0;
}

UNUSED static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  buf[n] = 0;
  fclose(f);
  return buf;
}

UNUSED static cJSON *load_json(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *text = read_file(path);
  cJSON *doc = cJSON_Parse(text);
  free(text);
  if (!doc) {
    fprintf(stderr, "%s is not JSON\n", path);
    exit(2);
  }
  return doc;
}

UNUSED static const char *str(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The status of an error kind of the vectors ("Config" → HOSTAPI_CONFIG). */
UNUSED static int kind_status(const char *kind) {
  static const struct { const char *kind; int status; } kinds[] = {
      {"Config", HOSTAPI_CONFIG},       {"Authentication", HOSTAPI_AUTHENTICATION},
      {"VServerCredentials", HOSTAPI_VSERVER_CREDENTIALS}, {"RateLimited", HOSTAPI_RATE_LIMITED},
      {"Api", HOSTAPI_API},             {"Transport", HOSTAPI_TRANSPORT},
      {"Protocol", HOSTAPI_PROTOCOL},   {"Timeout", HOSTAPI_TIMEOUT},
  };
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i].kind, kind) == 0) return kinds[i].status;
  return -1;
}

/* Whether the JSON text `got` equals the JSON value `want` (objects compared without regard to key order). */
UNUSED static int json_equal(const char *got, const cJSON *want) {
  cJSON *g = cJSON_Parse(got);
  int same = g && cJSON_Compare(g, want, 1);
  cJSON_Delete(g);
  return same;
}

#endif
