/* hostapi from C: the tenant walk-through against the embedded emulator, through the blocking clients.
 *
 * Build (make demo-c does it):  cc demo.c $(pkg-config --cflags --libs hostapi libcjson)
 * Against the real services, make the clients from your own settings: {"email": …, "api_key": …} (or
 * {"from_env": true} to read VELNEO_EMAIL and VELNEO_API_KEY) and {"user": …, "password": …}. */
#include <cjson/cJSON.h>
#include <hostapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs one operation; prints and exits on failure. The result is JSON, freed with hostapi_string_free. */
static char *velneo(hostapi_velneo_client *c, const char *op, const char *args) {
  char *out = NULL;
  hostapi_status st = hostapi_velneo_call(c, op, args, &out);
  if (st != HOSTAPI_OK) {
    fprintf(stderr, "%s failed: %s: %s\n", op, hostapi_status_name(st), hostapi_last_error_message());
    exit(1);
  }
  return out;
}

static char *wedos(hostapi_wedos_client *c, const char *op, const char *args) {
  char *out = NULL;
  hostapi_status st = hostapi_wedos_call(c, op, args, &out);
  if (st != HOSTAPI_OK) {
    fprintf(stderr, "%s failed: %s: %s\n", op, hostapi_status_name(st), hostapi_last_error_message());
    exit(1);
  }
  return out;
}

static void show(const char *what, char *json) {
  printf("%s: %s\n", what, json);
  hostapi_string_free(json);
}

int main(void) {
  hostapi_emulator *emu = NULL;
  char *velneo_url = NULL, *wedos_url = NULL, *demo = NULL, options[1024];
  if (hostapi_emulator_start("{}", &emu) != HOSTAPI_OK) {
    fprintf(stderr, "emulator: %s\n", hostapi_last_error_message());
    return 1;
  }
  hostapi_emulator_url(emu, HOSTAPI_EMULATOR_VELNEO, &velneo_url);
  hostapi_emulator_url(emu, HOSTAPI_EMULATOR_WEDOS, &wedos_url);
  hostapi_emulator_demo(&demo);
  cJSON *d = cJSON_Parse(demo);
  printf("hostapi %s for C; emulator Velneo API at %s\n", hostapi_version(), velneo_url);

  printf("== Velneo Cloud API ==\n");
  snprintf(options, sizeof options, "{\"email\":\"%s\",\"api_key\":\"%s\",\"base_url\":\"%s\",\"timeout\":10}",
           cJSON_GetObjectItem(d, "velneo_email")->valuestring, cJSON_GetObjectItem(d, "velneo_api_key")->valuestring, velneo_url);
  hostapi_velneo_client *v = NULL;
  if (hostapi_velneo_client_new(options, &v) != HOSTAPI_OK) {
    fprintf(stderr, "client: %s\n", hostapi_last_error_message());
    return 1;
  }
  show("vServer", velneo(v, "vserver.status", "{}"));
  hostapi_string_free(velneo(v, "vserver.credentials", "{\"username\":\"velneo\",\"password\":\"velneo\"}"));
  hostapi_string_free(velneo(v, "groups.put", "{\"name\":\"Clientes\",\"manage_solutions\":false}"));
  hostapi_string_free(velneo(v, "users.put", "{\"username\":\"acme\",\"password\":\"Acme-2026!\",\"full_name\":\"ACME S.L.\",\"group\":\"Clientes\"}"));
  hostapi_string_free(velneo(v, "folders.put", "{\"name\":\"clientes\",\"group\":\"Clientes\",\"path\":\"clientes/acme\"}"));
  show("data instance", velneo(v, "data_instances.put",
                               "{\"name\":\"crm-datos\",\"project\":\"crm_dat\",\"solution\":\"crm\",\"folder_shared\":\"clientes/acme\"}"));
  show("app instance", velneo(v, "app_instances.put", "{\"name\":\"crm\",\"project\":\"crm_app\",\"solution\":\"crm\",\"folder_shared\":\"clientes\"}"));
  show("acme", velneo(v, "users.get", "{\"username\":\"acme\"}"));
  show("groups", velneo(v, "groups.list", "{}"));
  char *backup = velneo(v, "vserver.backup", "{}");
  char args[1024];
  snprintf(args, sizeof args, "{\"backup\":%s,\"path\":\"/tmp/hostapi-c-demo-backup.zip\"}", backup);
  show("backup bytes", velneo(v, "vserver.download_backup", args));
  remove("/tmp/hostapi-c-demo-backup.zip");
  hostapi_string_free(backup);
  hostapi_string_free(velneo(v, "vserver.stop", "{}"));
  show("after stop", velneo(v, "vserver.wait_for_state", "{\"state\":\"stopped\",\"interval\":0.1,\"timeout\":10}"));
  hostapi_string_free(velneo(v, "vserver.start", "{}"));
  char *out = NULL;
  hostapi_status st = hostapi_velneo_call(v, "groups.get", "{\"name\":\"No such group\"}", &out);
  printf("as expected, %s: %s\n", hostapi_status_name(st), hostapi_last_error_message());
  hostapi_string_free(velneo(v, "app_instances.delete", "{\"name\":\"crm\"}"));
  hostapi_string_free(velneo(v, "data_instances.delete", "{\"name\":\"crm-datos\"}"));
  hostapi_string_free(velneo(v, "folders.delete", "{\"name\":\"clientes\"}"));
  hostapi_string_free(velneo(v, "users.delete", "{\"username\":\"acme\"}"));
  hostapi_string_free(velneo(v, "groups.delete", "{\"name\":\"Clientes\"}"));
  hostapi_string_free(velneo(v, "session.logout", "{}"));
  hostapi_velneo_client_free(v);

  printf("== WEDOS WAPI ==\n");
  snprintf(options, sizeof options, "{\"user\":\"%s\",\"password\":\"%s\",\"base_url\":\"%s\",\"poll_interval\":0.2}",
           cJSON_GetObjectItem(d, "wedos_user")->valuestring, cJSON_GetObjectItem(d, "wedos_password")->valuestring, wedos_url);
  hostapi_wedos_client *w = NULL;
  if (hostapi_wedos_client_new(options, &w) != HOSTAPI_OK) {
    fprintf(stderr, "client: %s\n", hostapi_last_error_message());
    return 1;
  }
  show("ping", wedos(w, "ping", "{}"));
  show("credit", wedos(w, "credit_info", "{}"));
  hostapi_string_free(wedos(w, "dns.add_row", "{\"domain\":\"example.cz\",\"name\":\"api\",\"rdtype\":\"A\",\"rdata\":\"192.0.2.10\",\"ttl\":600}"));
  hostapi_string_free(wedos(w, "dns.commit", "{\"domain\":\"example.cz\"}"));
  show("rows", wedos(w, "dns.rows", "{\"domain\":\"example.cz\"}"));
  show("ping-async, awaited", wedos(w, "ping_async", "{\"wait\":10}"));
  hostapi_wedos_client_free(w);

  cJSON_Delete(d);
  hostapi_string_free(demo);
  hostapi_string_free(velneo_url);
  hostapi_string_free(wedos_url);
  hostapi_emulator_stop(emu);
  return 0;
}
