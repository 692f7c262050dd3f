/* A legacy-style tool that keeps libcurl for HTTP and uses only hostapi's sans-I/O functions: hostapi builds the
 * exact WEDOS request (auth for the Prague hour included) and parses the answer; libcurl sends it.
 *
 * Build (make demo-c does it):  cc curl_wedos.c $(pkg-config --cflags --libs hostapi libcjson libcurl)
 * It talks to the embedded emulator here; point base_url at https://api.wedos.com/wapi/json for the real one. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <hostapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct buffer {
  char *data;
  size_t len;
};

static size_t collect(char *ptr, size_t size, size_t n, void *userdata) {
  struct buffer *b = userdata;
  char *grown = realloc(b->data, b->len + size * n + 1);
  if (!grown) return 0;
  b->data = grown;
  memcpy(b->data + b->len, ptr, size * n);
  b->len += size * n;
  b->data[b->len] = 0;
  return size * n;
}

/* Sends one WEDOS command with libcurl; prints its typed result. Returns 0 on success. */
static int command(const char *base_url, const char *user, const char *password, const char *op, const char *args) {
  char options[1024], *request_json = NULL, *result = NULL;
  snprintf(options, sizeof options, "{\"user\":\"%s\",\"password\":\"%s\",\"unix\":%lld,\"base_url\":\"%s\"}", user, password,
           (long long)time(NULL), base_url);
  hostapi_status st = hostapi_wedos_build_request(op, args, options, &request_json);
  if (st != HOSTAPI_OK) {
    fprintf(stderr, "%s: %s\n", hostapi_status_name(st), hostapi_last_error_message());
    return 1;
  }
  cJSON *req = cJSON_Parse(request_json);
  struct curl_slist *headers = NULL;
  cJSON *h;
  cJSON_ArrayForEach(h, cJSON_GetObjectItem(req, "headers")) {
    char line[512];
    snprintf(line, sizeof line, "%s: %s", cJSON_GetArrayItem(h, 0)->valuestring, cJSON_GetArrayItem(h, 1)->valuestring);
    headers = curl_slist_append(headers, line);
  }
  struct buffer body = {0};
  long http_status = 0;
  CURL *curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, cJSON_GetObjectItem(req, "url")->valuestring);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, cJSON_GetObjectItem(req, "body")->valuestring);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  int failed = 0;
  if (rc != CURLE_OK) {
    fprintf(stderr, "libcurl: %s\n", curl_easy_strerror(rc));
    failed = 1;
  } else {
    st = hostapi_wedos_parse_response(op, args, (uint16_t)http_status, (const uint8_t *)(body.data ? body.data : ""), body.len, &result);
    if (st == HOSTAPI_OK) {
      printf("%s via libcurl: %s\n", op, result);
    } else {
      printf("%s via libcurl failed: %s: %s\n", op, hostapi_status_name(st), hostapi_last_error_message());
      failed = st != HOSTAPI_API;  // an API error is an answer too
    }
  }
  hostapi_string_free(result);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  free(body.data);
  cJSON_Delete(req);
  hostapi_string_free(request_json);
  return failed;
}

int main(void) {
  hostapi_emulator *emu = NULL;
  char *wedos_url = NULL, *demo = NULL;
  if (hostapi_emulator_start("{}", &emu) != HOSTAPI_OK || hostapi_emulator_url(emu, HOSTAPI_EMULATOR_WEDOS, &wedos_url) != HOSTAPI_OK ||
      hostapi_emulator_demo(&demo) != HOSTAPI_OK) {
    fprintf(stderr, "emulator: %s\n", hostapi_last_error_message());
    return 1;
  }
  cJSON *d = cJSON_Parse(demo);
  const char *user = cJSON_GetObjectItem(d, "wedos_user")->valuestring, *password = cJSON_GetObjectItem(d, "wedos_password")->valuestring;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int failed = command(wedos_url, user, password, "ping", "{}");
  failed |= command(wedos_url, user, password, "dns.rows", "{\"domain\":\"example.cz\"}");
  failed |= command(wedos_url, user, password, "dns.delete_row", "{\"domain\":\"example.cz\",\"row_id\":999999}");
  curl_global_cleanup();
  cJSON_Delete(d);
  hostapi_string_free(demo);
  hostapi_string_free(wedos_url);
  hostapi_emulator_stop(emu);
  return failed;
}
