/* The C figures of `make bench`: one measurement per process, printed as one JSON line {calls, secs, cpu}.
 *
 *   c_worker hostapi|curl VELNEO_BASE_URL SECS      sequential vserver.status calls on one thread
 *
 * The baseline is what a careful C programmer writes with libcurl: one easy handle (keep-alive), log in once,
 * sign each request anew (OpenSSL SHA-1 over session + timestamp + API key), URL-encode the form, parse the JSON
 * answer with cJSON. The hostapi side parses its result with cJSON too. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "hostapi.h"

#define EMAIL "ejemplo@gmail.com"
#define API_KEY "NyraFY6GMz8lu1fameMdrH0V"
#define WARMUP 200

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

typedef int (*call_fn)(void *ctx);

static void measure(call_fn call, void *ctx, double secs) {
  for (int i = 0; i < WARMUP; i++)
    if (!call(ctx)) { fprintf(stderr, "warm-up call failed\n"); exit(1); }
  long n = 0;
  double c0 = cpu(), t0 = now(), end = t0 + secs;
  do {
    for (int i = 0; i < 50; i++)
      if (!call(ctx)) { fprintf(stderr, "call failed\n"); exit(1); }
    n += 50;
  } while (now() < end);
  printf("{\"calls\": %ld, \"secs\": %f, \"cpu\": %f}\n", n, now() - t0, cpu() - c0);
}

/* ---- hostapi ---- */

static int hostapi_status_call(void *ctx) {
  char *out = NULL;
  if (hostapi_velneo_call(ctx, "vserver.status", "{}", &out) != HOSTAPI_OK) {
    fprintf(stderr, "%s\n", hostapi_last_error_message());
    return 0;
  }
  cJSON *doc = cJSON_Parse(out);
  int ok = doc && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "status"));
  cJSON_Delete(doc);
  hostapi_string_free(out);
  return ok;
}

/* ---- libcurl ---- */

struct buffer { char *data; size_t len, cap; };

static size_t collect(char *p, size_t size, size_t n, void *userdata) {
  struct buffer *b = userdata;
  size_t add = size * n;
  if (b->len + add + 1 > b->cap) {
    b->cap = (b->len + add + 1) * 2;
    b->data = realloc(b->data, b->cap);
  }
  memcpy(b->data + b->len, p, add);
  b->len += add;
  b->data[b->len] = 0;
  return add;
}

struct curl_ctx { CURL *h; struct buffer body; char url[512]; char session[128]; };

static void sha1_hex(const char *s, char out[41]) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1((const unsigned char *)s, strlen(s), d);
  for (int i = 0; i < SHA_DIGEST_LENGTH; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

/* POSTs method=VERB&params=JSON to url; returns the parsed answer (NULL on failure). */
static cJSON *post(struct curl_ctx *c, const char *url, const char *verb, const char *params) {
  char *escaped = curl_easy_escape(c->h, params, 0);
  char form[1024];
  snprintf(form, sizeof form, "method=%s&params=%s", verb, escaped);
  curl_free(escaped);
  c->body.len = 0;
  curl_easy_setopt(c->h, CURLOPT_URL, url);
  curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, form);
  long status = 0;
  if (curl_easy_perform(c->h) != CURLE_OK) return NULL;
  curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return NULL;
  return cJSON_Parse(c->body.data);
}

static int curl_status_call(void *ctx) {
  struct curl_ctx *c = ctx;
  long ts = (long)time(NULL);
  char subject[256], signed_hex[41], params[512];
  snprintf(subject, sizeof subject, "%s%ld%s", c->session, ts, API_KEY);
  sha1_hex(subject, signed_hex);
  snprintf(params, sizeof params, "{\"session\":\"%s\",\"timestamp\":%ld,\"signed\":\"%s\"}", c->session, ts, signed_hex);
  cJSON *doc = post(c, c->url, "GET", params);
  int ok = doc && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "status"));
  cJSON_Delete(doc);
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: c_worker hostapi|curl BASE_URL SECS\n"); return 2; }
  const char *base = argv[2];
  double secs = atof(argv[3]);
  if (strcmp(argv[1], "hostapi") == 0) {
    char options[512];
    snprintf(options, sizeof options, "{\"email\":\"%s\",\"api_key\":\"%s\",\"base_url\":\"%s\"}", EMAIL, API_KEY, base);
    hostapi_velneo_client *client = NULL;
    if (hostapi_velneo_client_new(options, &client) != HOSTAPI_OK) {
      fprintf(stderr, "%s\n", hostapi_last_error_message());
      return 1;
    }
    measure(hostapi_status_call, client, secs);
    hostapi_velneo_client_free(client);
    return 0;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct curl_ctx c = {0};
  c.h = curl_easy_init();
  struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
  curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &c.body);
  curl_easy_setopt(c.h, CURLOPT_NOPROXY, "*");
  char login_url[512], subject[256], signed_hex[41], params[512];
  snprintf(login_url, sizeof login_url, "%s/session", base);
  snprintf(c.url, sizeof c.url, "%s/vserver", base);
  long ts = (long)time(NULL);
  snprintf(subject, sizeof subject, "%s%ld%s", EMAIL, ts, API_KEY);
  sha1_hex(subject, signed_hex);
  snprintf(params, sizeof params, "{\"email\":\"%s\",\"timestamp\":%ld,\"signed\":\"%s\"}", EMAIL, ts, signed_hex);
  cJSON *login = post(&c, login_url, "POST", params);
  cJSON *session = login ? cJSON_GetObjectItemCaseSensitive(login, "session") : NULL;
  if (!cJSON_IsString(session)) { fprintf(stderr, "login failed\n"); return 1; }
  snprintf(c.session, sizeof c.session, "%s", session->valuestring);
  cJSON_Delete(login);
  measure(curl_status_call, &c, secs);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c.h);
  free(c.body.data);
  return 0;
}
