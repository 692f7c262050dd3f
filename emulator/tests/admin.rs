//! Groups, users, shared folders and instances: shapes and referential rules.

mod common;

use common::{assert_error, Api, EMAIL};
use serde_json::{json, Value};

fn app(name: &str, folder: &str) -> Value {
    json!({"name": name, "project": "2ewlh1l5.vca", "solution": "Biblioteca", "folderShared": folder, "type": "app"})
}

fn data(name: &str, folder: &str) -> Value {
    json!({"name": name, "project": "2ewlh1l5.vcd", "solution": "Biblioteca", "folderShared": folder, "type": "data"})
}

#[tokio::test]
async fn demo_content_matches_the_documentation() {
    let api = Api::logged_in().await;
    assert_eq!(
        api.ok("GET", "group", json!({"name": "Administradores"})).await,
        json!({"Name":"Administradores","codigo":1,"puedeBorrarSitios":true,"puedeCrearSitios":true,"puedeEjecutarConDataClient":true})
    );
    assert_eq!(
        api.ok("GET", "user", json!({"username": "velneo"})).await,
        json!({"FullName":"","Name":"velneo","Email":"micorreo@velneo.com","bloqueado":false,"codigo":1,"debeCambiarPassword":false,"desactivado":false,"esSupervisor":true,"grupos":["Administradores"],"observaciones":"","passwordNuncaCaduca":true})
    );
    assert_eq!(
        api.ok("GET", "folders", json!({})).await,
        json!({"folders":[{"nombre":"/","path":"/"},{"nombre":"datos","path":format!("/home/{EMAIL}/Velneo/datos")}]})
    );
    assert_eq!(api.ok("GET", "instances", json!({"type": "app"})).await, json!({"AppInstances": []}));
    assert_eq!(api.ok("GET", "instances", json!({"type": "data"})).await, json!({"dataInstances": []}));
}

#[tokio::test]
async fn groups_create_modify_list_delete() {
    let api = Api::logged_in().await;
    let body = api.ok("PUT", "group", json!({"name": "Cajeros"})).await;
    assert!(body["message"].as_str().is_some_and(|m| m.contains("created")), "{body}");
    assert_eq!(
        api.ok("GET", "group", json!({"name": "Cajeros"})).await,
        json!({"Name":"Cajeros","codigo":2,"puedeBorrarSitios":false,"puedeCrearSitios":false,"puedeEjecutarConDataClient":false})
    );
    let body =
        api.ok("PUT", "group", json!({"name": "Cajeros", "manageSolutions": "yes", "addSolution": "Biblioteca"})).await;
    assert!(body["message"].as_str().is_some_and(|m| m.contains("modified")), "{body}");
    let g = api.ok("GET", "group", json!({"name": "Cajeros"})).await;
    assert_eq!((g["puedeCrearSitios"].clone(), g["puedeBorrarSitios"].clone()), (json!(true), json!(true)));
    let all = api.ok("GET", "groups", json!({})).await;
    let names: Vec<&str> = all.as_array().expect("bare array").iter().filter_map(|g| g["Name"].as_str()).collect();
    assert_eq!(names, ["Administradores", "Cajeros"]);
    assert_eq!(api.account_state().await["groups"][1]["soluciones"], json!(["Biblioteca"]));
    api.ok("DELETE", "group", json!({"name": "Cajeros"})).await;
    assert_error(&api.call("GET", "group", json!({"name": "Cajeros"})).await, 403, "does not exist");
    assert_error(&api.call("DELETE", "group", json!({"name": "Cajeros"})).await, 403, "does not exist");
    assert_error(&api.call("PUT", "group", json!({})).await, 403, "missing parameter name");
}

#[tokio::test]
async fn add_app_instance_needs_an_existing_app_instance_id() {
    let api = Api::logged_in().await;
    assert_error(
        &api.call("PUT", "group", json!({"name": "Web", "addAppInstance": "99"})).await,
        403,
        "does not exist",
    );
    // The failed call created nothing.
    assert_error(&api.call("GET", "group", json!({"name": "Web"})).await, 403, "does not exist");
    let id = api.ok("PUT", "instance", app("Biblio", "datos")).await["id_instancia"].clone();
    api.ok("PUT", "group", json!({"name": "Web", "addAppInstance": id})).await;
    assert_eq!(api.account_state().await["groups"][1]["instanciasApp"], json!([id]));
    // By name is not accepted (since 7.12 it is the id).
    assert_error(
        &api.call("PUT", "group", json!({"name": "Web", "addAppInstance": "Biblio"})).await,
        403,
        "does not exist",
    );
    // Deleting the instance removes the permission.
    api.ok("DELETE", "instance", json!({"name": "Biblio", "type": "app"})).await;
    assert_eq!(api.account_state().await["groups"][1]["instanciasApp"], json!([]));
}

#[tokio::test]
async fn deleting_a_group_used_by_a_folder_is_403_users_lose_membership() {
    let api = Api::logged_in().await;
    api.ok("PUT", "group", json!({"name": "Ventas"})).await;
    api.ok("PUT", "folder", json!({"name": "ventas", "path": "ventas", "group": "Ventas"})).await;
    api.ok("PUT", "user", json!({"username": "ana", "group": "Ventas"})).await;
    assert_error(&api.call("DELETE", "group", json!({"name": "Ventas"})).await, 403, "shared folder ventas");
    api.ok("DELETE", "folder", json!({"name": "ventas"})).await;
    api.ok("DELETE", "group", json!({"name": "Ventas"})).await;
    assert_eq!(api.ok("GET", "user", json!({"username": "ana"})).await["grupos"], json!([]));
}

#[tokio::test]
async fn users_create_modify_list_delete() {
    let api = Api::logged_in().await;
    api.ok("PUT", "group", json!({"name": "Cajeros"})).await;
    let body = api
        .ok(
            "PUT",
            "user",
            json!({"username": "acarmona", "useremail": "a@example.com", "password": "pw", "fullname": "Antonio Carmona",
                   "group": "Cajeros", "isSupervisor": "no", "accountDisabled": "no", "mustChangePassword": "yes",
                   "passwordNeverExpires": "no"}),
        )
        .await;
    assert!(body["message"].as_str().is_some_and(|m| m.contains("created")));
    assert_eq!(
        api.ok("GET", "user", json!({"username": "acarmona"})).await,
        json!({"FullName":"Antonio Carmona","Name":"acarmona","Email":"a@example.com","bloqueado":false,"codigo":2,
               "debeCambiarPassword":true,"desactivado":false,"esSupervisor":false,"grupos":["Cajeros"],
               "observaciones":"","passwordNuncaCaduca":false})
    );
    let list = api.ok("GET", "users", json!({"groupname": "Cajeros"})).await;
    assert_eq!(
        list,
        json!({"users":[{"FullName":"Antonio Carmona","Name":"acarmona","bloqueado":false,"codigo":2,
               "debeCambiarPassword":true,"desactivado":false,"esSupervisor":false,"passwordNuncaCaduca":false}]})
    );
    let all = api.ok("GET", "users", json!({"groupname": "-all"})).await;
    assert_eq!(all["users"].as_array().map(Vec::len), Some(2));
    // Modify: add a group, remove another.
    api.ok("PUT", "user", json!({"username": "acarmona", "group": "Administradores", "delGroup": "Cajeros"})).await;
    assert_eq!(api.ok("GET", "user", json!({"username": "acarmona"})).await["grupos"], json!(["Administradores"]));
    assert_eq!(api.ok("GET", "users", json!({"groupname": "Cajeros"})).await, json!({"users": []}));
    assert!(!api.state().await.to_string().contains("\"pw\""), "state must not show passwords");
    api.ok("DELETE", "user", json!({"username": "acarmona"})).await;
    assert_error(&api.call("GET", "user", json!({"username": "acarmona"})).await, 403, "does not exist");
    assert_error(&api.call("DELETE", "user", json!({"username": "acarmona"})).await, 403, "does not exist");
}

#[tokio::test]
async fn user_rules() {
    let api = Api::logged_in().await;
    assert_error(
        &api.call("PUT", "user", json!({"username": "x", "group": "Nadie"})).await,
        403,
        "group Nadie does not exist",
    );
    assert_error(&api.call("GET", "user", json!({"username": "x"})).await, 403, "does not exist");
    assert_error(
        &api.call("PUT", "user", json!({"username": "x", "delGroup": "Administradores"})).await,
        403,
        "only accepted when modifying",
    );
    api.ok("PUT", "user", json!({"username": "x"})).await;
    assert_error(
        &api.call("PUT", "user", json!({"username": "x", "delGroup": "Administradores"})).await,
        403,
        "not in group",
    );
    assert_error(&api.call("PUT", "user", json!({"username": "x", "isSupervisor": "si"})).await, 403, "isSupervisor");
    assert_error(&api.call("GET", "users", json!({"groupname": "Nadie"})).await, 403, "group Nadie does not exist");
    assert_error(&api.call("GET", "users", json!({})).await, 403, "missing parameter groupname");
    assert_error(&api.call("PUT", "user", json!({"fullname": "X"})).await, 403, "missing parameter username");
}

#[tokio::test]
async fn folders_create_modify_delete() {
    let api = Api::logged_in().await;
    let body =
        api.ok("PUT", "folder", json!({"name": "testapi", "path": "datos/test/1", "group": "Administradores"})).await;
    assert!(body["message"].as_str().is_some_and(|m| m.contains("created")));
    assert_eq!(
        api.ok("GET", "folder", json!({"name": "testapi"})).await,
        json!({"nombre": "testapi", "path": format!("/home/{EMAIL}/Velneo/datos/test/1")})
    );
    let all = api.ok("GET", "folders", json!({})).await;
    assert_eq!(all["folders"][2], json!({"nombre": "testapi", "path": format!("/home/{EMAIL}/Velneo/datos/test/1")}));
    // Modify: path may be omitted or repeated; a different path is refused.
    api.ok("PUT", "group", json!({"name": "Web"})).await;
    api.ok("PUT", "folder", json!({"name": "testapi", "group": "Web"})).await;
    api.ok("PUT", "folder", json!({"name": "testapi", "path": "datos/test/1", "group": "Web"})).await;
    assert_error(
        &api.call("PUT", "folder", json!({"name": "testapi", "path": "otro", "group": "Web"})).await,
        403,
        "cannot be moved",
    );
    assert_eq!(api.account_state().await["folders"][2]["grupo"], "Web");
    api.ok("DELETE", "folder", json!({"name": "testapi"})).await;
    assert_error(&api.call("GET", "folder", json!({"name": "testapi"})).await, 403, "does not exist");
    assert_error(&api.call("DELETE", "folder", json!({"name": "testapi"})).await, 403, "does not exist");
}

#[tokio::test]
async fn folder_rules() {
    let api = Api::logged_in().await;
    // group is required and must exist.
    assert_error(&api.call("PUT", "folder", json!({"name": "f", "path": "f"})).await, 403, "missing parameter group");
    assert_error(
        &api.call("PUT", "folder", json!({"name": "f", "path": "f", "group": "Nadie"})).await,
        403,
        "group Nadie does not exist",
    );
    // path is required on creation, relative, with / separators and no . or ..
    assert_error(
        &api.call("PUT", "folder", json!({"name": "f", "group": "Administradores"})).await,
        403,
        "missing parameter path",
    );
    for bad in ["/abs", "a/../b", "a\\b", "a//b", "a/", ".", ".."] {
        let r = api.call("PUT", "folder", json!({"name": "f", "path": bad, "group": "Administradores"})).await;
        assert_error(&r, 403, "invalid path");
    }
    assert_error(
        &api.call("PUT", "folder", json!({"name": "a/b", "path": "x", "group": "Administradores"})).await,
        403,
        "must not contain /",
    );
    assert_error(
        &api.call("PUT", "folder", json!({"name": "/", "path": "x", "group": "Administradores"})).await,
        403,
        "root folder",
    );
    assert_error(&api.call("DELETE", "folder", json!({"name": "/"})).await, 403, "root folder");
    assert_eq!(api.ok("GET", "folder", json!({"name": "/"})).await, json!({"nombre": "/", "path": "/"}));
}

#[tokio::test]
async fn app_instances() {
    let api = Api::logged_in().await;
    let body = api.ok("PUT", "instance", app("Biblio", "datos")).await;
    let id = body["id_instancia"].as_str().expect("string id").to_string();
    assert!(body["message"].is_string());
    assert_eq!(
        api.ok("GET", "instance", json!({"name": "Biblio", "type": "app"})).await,
        json!({"nombre": "Biblio", "proyecto": "2ewlh1l5.vca", "solucion": "Biblioteca"})
    );
    assert_eq!(
        api.ok("GET", "instances", json!({"type": "app"})).await,
        json!({"AppInstances": [{"nombre": "Biblio", "proyecto": "2ewlh1l5.vca", "solucion": "Biblioteca"}]})
    );
    // App instances are only added: the same name again is refused, byId on PUT is refused.
    assert_error(&api.call("PUT", "instance", app("Biblio", "datos")).await, 403, "already exists");
    let mut by_id = app(&id, "datos");
    by_id["byId"] = json!(true);
    assert_error(&api.call("PUT", "instance", by_id).await, 403, "byId");
    // A second app instance gets another id.
    let id2 = api.ok("PUT", "instance", app("Otra", "datos")).await["id_instancia"].clone();
    assert_ne!(json!(id), id2);
    api.ok("DELETE", "instance", json!({"name": id, "byId": true, "type": "app"})).await;
    assert_error(&api.call("GET", "instance", json!({"name": "Biblio", "type": "app"})).await, 403, "does not exist");
    assert_error(
        &api.call("DELETE", "instance", json!({"name": "Biblio", "type": "app"})).await,
        403,
        "does not exist",
    );
}

#[tokio::test]
async fn data_instances_create_or_modify() {
    let api = Api::logged_in().await;
    let body = api.ok("PUT", "instance", data("Biblio_dBiblio", "datos/Biblioteca")).await;
    let id = body["id_instancia"].clone();
    assert_eq!(
        api.ok("GET", "instance", json!({"name": "Biblio_dBiblio", "type": "data"})).await,
        json!({"nombre": "Biblio_dBiblio", "proyecto": "2ewlh1l5.vcd", "ruta": "datos/Biblioteca", "solucion": "Biblioteca"})
    );
    // The same name again modifies (same id).
    let mut changed = data("Biblio_dBiblio", "datos/Otra");
    changed["solution"] = json!("Biblioteca2");
    let body = api.ok("PUT", "instance", changed).await;
    assert_eq!(body["id_instancia"], id);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("modified")));
    // byId: name holds the id.
    let mut by_id = data(id.as_str().expect("id"), "datos/Tercera");
    by_id["byId"] = json!(1);
    api.ok("PUT", "instance", by_id).await;
    let got = api.ok("GET", "instance", json!({"name": id, "byId": true, "type": "data"})).await;
    assert_eq!(got["ruta"], "datos/Tercera");
    let mut unknown_id = data("999", "datos");
    unknown_id["byId"] = json!(true);
    assert_error(&api.call("PUT", "instance", unknown_id).await, 403, "does not exist");
    let list = api.ok("GET", "instances", json!({"type": "data"})).await;
    assert_eq!(list["dataInstances"].as_array().map(Vec::len), Some(1));
    api.ok("DELETE", "instance", json!({"name": "Biblio_dBiblio", "type": "data"})).await;
    assert_eq!(api.ok("GET", "instances", json!({"type": "data"})).await, json!({"dataInstances": []}));
}

#[tokio::test]
async fn instance_type_is_required() {
    let api = Api::logged_in().await;
    let mut v = app("X", "datos");
    v.as_object_mut().expect("object").remove("type");
    assert_error(&api.call("PUT", "instance", v.clone()).await, 403, "missing parameter type");
    v["type"] = json!("web");
    assert_error(&api.call("PUT", "instance", v).await, 403, "invalid type");
    assert_error(&api.call("GET", "instances", json!({})).await, 403, "missing parameter type");
    assert_error(&api.call("GET", "instance", json!({"name": "X", "type": "APP"})).await, 403, "invalid type");
}

#[tokio::test]
async fn instance_required_parameters() {
    let api = Api::logged_in().await;
    for missing in ["name", "project", "solution", "folderShared"] {
        let mut v = data("X", "datos");
        v.as_object_mut().expect("object").remove(missing);
        assert_error(&api.call("PUT", "instance", v).await, 403, &format!("missing parameter {missing}"));
    }
}

#[tokio::test]
async fn instance_folder_must_exist_and_subdirectories_are_created() {
    let api = Api::logged_in().await;
    assert_error(
        &api.call("PUT", "instance", data("D", "clientes")).await,
        403,
        "shared folder clientes does not exist",
    );
    assert_error(
        &api.call("PUT", "instance", data("D", "clientes/uno")).await,
        403,
        "shared folder clientes does not exist",
    );
    assert_error(&api.call("PUT", "instance", data("D", "/")).await, 403, "folderShared");
    assert_error(&api.call("PUT", "instance", data("D", "datos/../x")).await, 403, "invalid directory");
    assert_error(&api.call("PUT", "instance", data("D", "datos//x")).await, 403, "invalid directory");
    assert_eq!(api.account_state().await["directories"], json!([]));
    api.ok("PUT", "instance", data("D", "datos/cliente1/2024")).await;
    assert_eq!(api.ok("GET", "instance", json!({"name": "D", "type": "data"})).await["ruta"], "datos/cliente1/2024");
    api.ok("PUT", "instance", app("A", "datos/cliente1")).await;
    assert_eq!(api.account_state().await["directories"], json!(["datos/cliente1", "datos/cliente1/2024"]));
    // A folder an instance uses cannot be deleted.
    assert_error(&api.call("DELETE", "folder", json!({"name": "datos"})).await, 403, "instance");
    api.ok("DELETE", "instance", json!({"name": "D", "type": "data"})).await;
    api.ok("DELETE", "instance", json!({"name": "A", "type": "app"})).await;
    api.ok("DELETE", "folder", json!({"name": "datos"})).await;
    assert_eq!(api.account_state().await["directories"], json!([]));
}

#[tokio::test]
async fn inheritance_format() {
    let api = Api::logged_in().await;
    for good in ["6u65o9bq.vcd=7", "6u65o9bq.vcd=7,2ewlh1l5.vcd=12"] {
        let mut v = data("D", "datos");
        v["inheritance"] = json!(good);
        api.ok("PUT", "instance", v).await;
    }
    assert_eq!(api.account_state().await["instances"]["data"][0]["herencia"], "6u65o9bq.vcd=7,2ewlh1l5.vcd=12");
    for bad in ["", "6u65o9bq.vcd", "6u65o9bq.vcd=", "=7", "a=7,", "a=x", "a=7;b=8", "a b=7", "a=7,,b=8"] {
        let mut v = app("A", "datos");
        v["inheritance"] = json!(bad);
        assert_error(&api.call("PUT", "instance", v).await, 403, "inheritance");
    }
}
