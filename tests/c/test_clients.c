/* Every operation of the model against the emulator through the blocking clients; errors; sharing a client
 * between threads; and that every operation of the model was run. */
#include <pthread.h>
#include <unistd.h>

#include "common.h"

static char *ran[128];
static int nran = 0;

/* Runs `op` with `args`; returns the result JSON (free it) or NULL, checking the expected status. */
static char *run(const void *client, int velneo, const char *op, const char *args, hostapi_status expected) {
  char *out = NULL;
  hostapi_status st = velneo ? hostapi_velneo_call(client, op, args, &out) : hostapi_wedos_call(client, op, args, &out);
  CHECK(st == expected, "%s %s: %s, expected %s", op, args, hostapi_status_name(st), hostapi_status_name(expected));
  if (st == HOSTAPI_OK) {
    CHECK(out != NULL, "%s: output", op);
    if (nran < 128) ran[nran++] = strdup(op);
  } else {
    CHECK(out == NULL, "%s: nothing written on failure", op);
  }
  return out;
}

static void ok(const void *client, int velneo, const char *op, const char *args) {
  hostapi_string_free(run(client, velneo, op, args, HOSTAPI_OK));
}

/* The value of `key` in the JSON object `json` as a string (numbers printed); free it. */
static char *field(const char *json, const char *key) {
  cJSON *doc = cJSON_Parse(json);
  cJSON *v = cJSON_GetObjectItem(doc, key);
  char *out = cJSON_IsString(v) ? strdup(v->valuestring) : (v ? cJSON_PrintUnformatted(v) : NULL);
  cJSON_Delete(doc);
  return out;
}

static void *status_calls(void *client) {
  for (int i = 0; i < 20; i++) {
    char *out = NULL;
    if (hostapi_velneo_call(client, "vserver.status", "{}", &out) != HOSTAPI_OK) return (void *)1;
    hostapi_string_free(out);
  }
  return NULL;
}

int main(void) {
  hostapi_emulator *emu = NULL;
  CHECK(hostapi_emulator_start("{}", &emu) == HOSTAPI_OK, "emulator");
  char *velneo_url = NULL, *wedos_url = NULL, *demo = NULL;
  hostapi_emulator_url(emu, HOSTAPI_EMULATOR_VELNEO, &velneo_url);
  hostapi_emulator_url(emu, HOSTAPI_EMULATOR_WEDOS, &wedos_url);
  hostapi_emulator_demo(&demo);
  cJSON *d = cJSON_Parse(demo);
  char opts[1024];

  /* ---- Velneo ---- */
  snprintf(opts, sizeof opts, "{\"email\":\"%s\",\"api_key\":\"%s\",\"base_url\":\"%s\",\"timeout\":10}",
           str(d, "velneo_email"), str(d, "velneo_api_key"), velneo_url);
  hostapi_velneo_client *v = NULL;
  CHECK(hostapi_velneo_client_new(opts, &v) == HOSTAPI_OK, "velneo client");
  ok(v, 1, "session.login", "{}");
  ok(v, 1, "vserver.status", "{}");
  ok(v, 1, "vserver.stop", "{}");
  ok(v, 1, "vserver.wait_for_state", "{\"state\":\"stopped\",\"interval\":0.01,\"timeout\":5}");
  ok(v, 1, "vserver.start", "{}");
  ok(v, 1, "vserver.credentials", "{\"username\":\"velneo\",\"password\":\"velneo\"}");
  char *backup = run(v, 1, "vserver.backup", "{}", HOSTAPI_OK);
  char dl[2048];
  snprintf(dl, sizeof dl, "{\"backup\":%s,\"path\":\"/tmp/hostapi-c-test-%d.zip\"}", backup, (int)getpid());
  char *bytes = run(v, 1, "vserver.download_backup", dl, HOSTAPI_OK);
  CHECK(bytes && atol(bytes) > 0, "backup bytes %s", bytes ? bytes : "-");
  snprintf(dl, sizeof dl, "/tmp/hostapi-c-test-%d.zip", (int)getpid());
  unlink(dl);
  hostapi_string_free(bytes);
  hostapi_string_free(backup);
  ok(v, 1, "groups.put", "{\"name\":\"Clientes\",\"manage_solutions\":false}");
  ok(v, 1, "groups.get", "{\"name\":\"Clientes\"}");
  ok(v, 1, "groups.list", "{}");
  ok(v, 1, "folders.put", "{\"name\":\"clientes\",\"group\":\"Clientes\",\"path\":\"clientes\"}");
  ok(v, 1, "folders.get", "{\"name\":\"clientes\"}");
  ok(v, 1, "folders.list", "{}");
  char *data = run(v, 1, "data_instances.put",
                   "{\"name\":\"Acme_datos\",\"project\":\"2ewlh1l5.vcd\",\"solution\":\"Biblioteca\",\"folder_shared\":\"clientes/acme\"}",
                   HOSTAPI_OK);
  char *data_id = field(data, "id");
  char args[1024];
  snprintf(args, sizeof args, "{\"id\":\"%s\"}", data_id);
  ok(v, 1, "data_instances.get", args);
  ok(v, 1, "data_instances.list", "{}");
  snprintf(args, sizeof args,
           "{\"name\":\"Acme\",\"project\":\"2ewlh1l5.vca\",\"solution\":\"Biblioteca\",\"folder_shared\":\"clientes/acme\","
           "\"inheritance\":{\"2ewlh1l5.vcd\":\"%s\"}}", data_id);
  char *app = run(v, 1, "app_instances.put", args, HOSTAPI_OK);
  char *app_id = field(app, "id");
  ok(v, 1, "app_instances.get", "{\"name\":\"Acme\"}");
  ok(v, 1, "app_instances.list", "{}");
  ok(v, 1, "users.put", "{\"username\":\"acme\",\"password\":\"s3cret-Pa55\",\"group\":\"Clientes\"}");
  char *user = run(v, 1, "users.get", "{\"username\":\"acme\"}", HOSTAPI_OK);
  CHECK(user && strstr(user, "\"Clientes\"") != NULL, "acme's groups: %s", user ? user : "-");
  hostapi_string_free(user);
  ok(v, 1, "users.list", "{\"group\":\"Clientes\"}");
  ok(v, 1, "users.delete", "{\"username\":\"acme\"}");
  snprintf(args, sizeof args, "{\"id\":\"%s\"}", app_id);
  ok(v, 1, "app_instances.delete", args);
  ok(v, 1, "data_instances.delete", "{\"name\":\"Acme_datos\"}");
  ok(v, 1, "folders.delete", "{\"name\":\"clientes\"}");
  ok(v, 1, "groups.delete", "{\"name\":\"Clientes\"}");
  free(data_id);
  free(app_id);
  hostapi_string_free(data);
  hostapi_string_free(app);

  /* Errors: the kind's status and a message that names the operation. */
  hostapi_string_free(run(v, 1, "groups.get", "{\"name\":\"NoSuchGroup\"}", HOSTAPI_API));
  CHECK(strncmp(hostapi_last_error_message(), "velneo groups.get: ", 19) == 0, "message %s", hostapi_last_error_message());
  hostapi_string_free(run(v, 1, "groups.put", "{\"name\":\"G\",\"manage_solutions\":\"yes\"}", HOSTAPI_CONFIG));
  hostapi_string_free(run(v, 1, "vserver.wait_for_state", "{\"state\":\"runing\"}", HOSTAPI_CONFIG));
  hostapi_string_free(run(v, 1, "no.such", "{}", HOSTAPI_CONFIG));
  hostapi_string_free(run(v, 1, "groups.list", "not json", HOSTAPI_INVALID_ARGUMENT));

  /* One client shared by 8 threads. */
  pthread_t threads[8];
  for (int i = 0; i < 8; i++) pthread_create(&threads[i], NULL, status_calls, v);
  int thread_failures = 0;
  for (int i = 0; i < 8; i++) {
    void *r = NULL;
    pthread_join(threads[i], &r);
    thread_failures += r != NULL;
  }
  CHECK(thread_failures == 0, "%d threads failed", thread_failures);
  ok(v, 1, "session.logout", "{}");
  hostapi_velneo_client_free(v);

  hostapi_velneo_client *bad = NULL;
  CHECK(hostapi_velneo_client_new("{\"email\":\"a@b.c\"}", &bad) == HOSTAPI_CONFIG && bad == NULL, "no api key");
  CHECK(strstr(hostapi_last_error_message(), "VELNEO_API_KEY") != NULL, "message names the variable");
  CHECK(hostapi_velneo_client_new("{\"email\":\"a@b.c\",\"api_key\":\"k\",\"colour\":1}", &bad) == HOSTAPI_CONFIG, "unknown");
  snprintf(opts, sizeof opts, "{\"email\":\"%s\",\"api_key\":\"wrong-key-SECRET\",\"base_url\":\"%s\"}", str(d, "velneo_email"), velneo_url);
  CHECK(hostapi_velneo_client_new(opts, &bad) == HOSTAPI_OK, "client with a wrong key");
  hostapi_string_free(run(bad, 1, "vserver.status", "{}", HOSTAPI_AUTHENTICATION));
  CHECK(strstr(hostapi_last_error_message(), "wrong-key-SECRET") == NULL, "no secret in the message");
  hostapi_velneo_client_free(bad);

  /* ---- WEDOS ---- */
  snprintf(opts, sizeof opts, "{\"user\":\"%s\",\"password\":\"%s\",\"base_url\":\"%s\",\"poll_interval\":0.05}",
           str(d, "wedos_user"), str(d, "wedos_password"), wedos_url);
  hostapi_wedos_client *w = NULL;
  CHECK(hostapi_wedos_client_new(opts, &w) == HOSTAPI_OK, "wedos client");
  ok(w, 0, "ping", "{}");
  ok(w, 0, "credit_info", "{}");
  ok(w, 0, "call", "{\"command\":\"domain-info\",\"data\":{\"name\":\"example.cz\"},\"cltrid\":\"c-1\"}");
  ok(w, 0, "domains.list", "{}");
  ok(w, 0, "domains.info", "{\"name\":\"example.cz\"}");
  ok(w, 0, "domains.check", "{\"name\":\"example.cz\"}");
  ok(w, 0, "dns.domains", "{}");
  ok(w, 0, "dns.domain_info", "{\"domain\":\"example.cz\"}");
  ok(w, 0, "domains.transfer_check", "{\"name\":\"example.cz\"}");
  ok(w, 0, "domains.renew", "{\"name\":\"example.cz\",\"period\":1}");
  char *created = run(w, 0, "domains.create", "{\"name\":\"nova-domena.cz\",\"owner_c\":\"OWNER-1\",\"wait\":10}", HOSTAPI_OK);
  CHECK(created && strstr(created, "domain-create") != NULL, "domain-create's notification: %s", created ? created : "-");
  hostapi_string_free(created);
  char *txt = run(w, 0, "dns.set_txt", "{\"fqdn\":\"_acme-challenge.example.cz\",\"value\":\"c-token\"}", HOSTAPI_OK);
  char *txt_id = field(txt, "id");
  snprintf(args, sizeof args, "{\"domain\":\"example.cz\",\"row_id\":%s}", txt_id ? txt_id : "0");
  ok(w, 0, "dns.row_detail", args);
  char *cleared = run(w, 0, "dns.clear_txt", "{\"fqdn\":\"_acme-challenge.example.cz\",\"value\":\"c-token\"}", HOSTAPI_OK);
  CHECK(cleared && strcmp(cleared, "1") == 0, "one row cleared: %s", cleared ? cleared : "-");
  free(txt_id);
  hostapi_string_free(txt);
  hostapi_string_free(cleared);
  /* dns.add_row answers the new row with its id; a value with quotes and backslashes goes in through
   * hostapi_json_quote, and the id comes out through hostapi_json_get_int. */
  char *quoted = NULL;
  CHECK(hostapi_json_quote("v\"1\\", &quoted) == HOSTAPI_OK && strcmp(quoted, "\"v\\\"1\\\\\"") == 0, "quoted: %s", quoted);
  snprintf(args, sizeof args, "{\"domain\":\"example.cz\",\"name\":\"_q\",\"rdtype\":\"TXT\",\"rdata\":%s}", quoted);
  char *added = run(w, 0, "dns.add_row", args, HOSTAPI_OK);
  int64_t added_id = 0;
  char *added_rdata = NULL;
  CHECK(added && hostapi_json_get_int(added, "/id", &added_id) == HOSTAPI_OK && added_id > 0, "the new row's id: %s", added);
  CHECK(hostapi_json_get_string(added, "/rdata", &added_rdata) == HOSTAPI_OK && strcmp(added_rdata, "v\"1\\") == 0,
        "the row's data as sent: %s", added_rdata ? added_rdata : "-");
  int64_t missing = 0;
  CHECK(hostapi_json_get_int(added, "/nope", &missing) == HOSTAPI_INVALID_ARGUMENT && strstr(hostapi_last_error_message(), "/nope"),
        "an absent field is an error naming it: %s", hostapi_last_error_message());
  hostapi_string_free(added_rdata);
  hostapi_string_free(added);
  hostapi_string_free(quoted);
  CHECK(hostapi_wedos_reset_auth_guard(w) == HOSTAPI_OK, "reset_auth_guard");
  CHECK(hostapi_wedos_reset_auth_guard(NULL) == HOSTAPI_INVALID_ARGUMENT, "reset_auth_guard(NULL)");
  ok(w, 0, "dns.add_row", "{\"domain\":\"example.cz\",\"name\":\"_c\",\"rdtype\":\"TXT\",\"rdata\":\"v1\",\"ttl\":300}");
  char *rows = run(w, 0, "dns.rows", "{\"domain\":\"example.cz\"}", HOSTAPI_OK);
  cJSON *r, *list = cJSON_Parse(rows);
  long row_id = -1;
  cJSON_ArrayForEach(r, list) if (strcmp(str(r, "name"), "_c") == 0) row_id = (long)cJSON_GetObjectItem(r, "id")->valuedouble;
  cJSON_Delete(list);
  hostapi_string_free(rows);
  CHECK(row_id > 0, "the new row is listed");
  snprintf(args, sizeof args, "{\"domain\":\"example.cz\",\"row_id\":%ld,\"ttl\":600,\"rdata\":\"v2\"}", row_id);
  ok(w, 0, "dns.update_row", args);
  ok(w, 0, "dns.commit", "{\"domain\":\"example.cz\"}");
  snprintf(args, sizeof args, "{\"domain\":\"example.cz\",\"row_id\":%ld}", row_id);
  ok(w, 0, "dns.delete_row", args);
  ok(w, 0, "dns.commit", "{\"domain\":\"example.cz\"}");
  char *pending = run(w, 0, "ping_async", "{}", HOSTAPI_OK);
  char *note = run(w, 0, "ping_async", "{\"wait\":10}", HOSTAPI_OK);
  CHECK(note && strstr(note, "ping-async") != NULL, "the notification: %s", note ? note : "-");
  char *kept = run(w, 0, "notifications.kept", "{}", HOSTAPI_OK);
  CHECK(kept && strcmp(kept, "1") == 0, "one notification kept: %s", kept ? kept : "-");
  char *polled = run(w, 0, "notifications.poll", "{}", HOSTAPI_OK);
  char *svtrid = field(pending, "svtrid"), *polled_svtrid = field(polled, "svtrid"), *id = field(polled, "id");
  CHECK(svtrid && polled_svtrid && strcmp(svtrid, polled_svtrid) == 0, "the kept notification comes first");
  snprintf(args, sizeof args, "{\"id\":\"%s\"}", id ? id : "");
  ok(w, 0, "notifications.ack", args);
  char *next = run(w, 0, "notifications.next", "{}", HOSTAPI_OK);
  CHECK(next && strcmp(next, "null") == 0, "the queue is empty: %s", next ? next : "-");
  hostapi_string_free(run(w, 0, "dns.delete_row", "{\"domain\":\"example.cz\",\"row_id\":999999}", HOSTAPI_API));
  hostapi_string_free(run(w, 0, "dns.add_row", "{\"domain\":\"example.cz\",\"name\":\"x\",\"rdtype\":\"A\",\"rdata\":\"1.2.3.4\",\"ttl\":5}",
                          HOSTAPI_CONFIG));
  free(svtrid);
  free(polled_svtrid);
  free(id);
  hostapi_string_free(pending);
  hostapi_string_free(note);
  hostapi_string_free(kept);
  hostapi_string_free(polled);
  hostapi_string_free(next);
  hostapi_wedos_client_free(w);

  /* Every operation of the model ran at least once. */
  char *model = NULL;
  CHECK(hostapi_model_json(&model) == HOSTAPI_OK, "model");
  cJSON *m = cJSON_Parse(model);
  const char *apis[] = {"velneo", "wedos"};
  for (int a = 0; a < 2; a++) {
    cJSON *op;
    cJSON_ArrayForEach(op, cJSON_GetObjectItem(cJSON_GetObjectItem(m, apis[a]), "operations")) {
      const char *name = str(op, "name");
      int seen = 0;
      for (int i = 0; i < nran; i++) seen |= strcmp(ran[i], name) == 0;
      CHECK(seen, "%s %s was not run", apis[a], name);
    }
  }
  cJSON_Delete(m);
  hostapi_string_free(model);
  for (int i = 0; i < nran; i++) free(ran[i]);

  hostapi_string_free(velneo_url);
  hostapi_string_free(wedos_url);
  /* The emulator's DNS server: NULL without dns_port; with it, dns.set_txt waits until it serves the value. */
  char *no_dns = (char *)1;
  CHECK(hostapi_emulator_dns(emu, &no_dns) == HOSTAPI_OK && no_dns == NULL, "no DNS without dns_port");
  hostapi_emulator *dns_emu = NULL;
  CHECK(hostapi_emulator_start("{\"dns_port\":0}", &dns_emu) == HOSTAPI_OK, "emulator with DNS");
  char *dns = NULL, *dns_wedos_url = NULL;
  CHECK(hostapi_emulator_dns(dns_emu, &dns) == HOSTAPI_OK && dns && strncmp(dns, "127.0.0.1:", 10) == 0, "dns %s",
        dns ? dns : "-");
  hostapi_emulator_url(dns_emu, HOSTAPI_EMULATOR_WEDOS, &dns_wedos_url);
  snprintf(opts, sizeof opts, "{\"user\":\"%s\",\"password\":\"%s\",\"base_url\":\"%s\",\"state_dir\":\":memory:\"}",
           str(d, "wedos_user"), str(d, "wedos_password"), dns_wedos_url);
  hostapi_wedos_client *dw = NULL;
  CHECK(hostapi_wedos_client_new(opts, &dw) == HOSTAPI_OK, "wedos client of the DNS emulator");
  snprintf(args, sizeof args,
           "{\"fqdn\":\"_acme-challenge.example.cz\",\"value\":\"c-waited\",\"wait\":30,\"nameservers\":[\"%s\"]}", dns);
  ok(dw, 0, "dns.set_txt", args);
  hostapi_string_free(run(dw, 0, "dns.set_txt",
                          "{\"fqdn\":\"_acme-challenge.example.cz\",\"value\":\"c-other\",\"wait\":1,\"nameservers\":[\"127.0.0.1:9\"]}",
                          HOSTAPI_TIMEOUT));
  CHECK(strstr(hostapi_last_error_message(), "127.0.0.1:9") != NULL, "the silent server named: %s", hostapi_last_error_message());
  hostapi_wedos_client_free(dw);
  hostapi_string_free(dns);
  hostapi_string_free(dns_wedos_url);
  hostapi_emulator_stop(dns_emu);
  cJSON_Delete(d);
  hostapi_string_free(demo);
  hostapi_emulator_stop(emu);
  return finish("test_clients");
}
