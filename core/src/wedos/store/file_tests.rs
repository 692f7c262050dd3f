//! The file store against what the outside world can put in its place.

use std::os::unix::fs::PermissionsExt;
use std::time::Instant;

use serde_json::json;

use super::*;
use crate::wedos::governor::Outcome;

const URL: &str = "http://127.0.0.1:1/wapi/json";

fn policy() -> Policy {
    Policy {
        user: "u".into(),
        hourly_limit: 1000,
        domain_check_limit: 100,
        window: 3600.0,
        max_invalid: 10,
        max_auth_failures: 3,
    }
}

fn open(dir: &Path) -> Result<FileStore> {
    FileStore::open(dir, "u", URL, "t")
}

fn ask(now: f64) -> Ask<'static> {
    Ask { label: "t", command: "ping", expires_at: now + 45.0, pid: 7 }
}

async fn reserve(s: &FileStore, now: f64) -> Result<Admission> {
    s.reserve("t", &policy(), &ask(now), now).await
}

async fn invalid(s: &FileStore, now: f64) {
    let Admission::Granted(g) = reserve(s, now).await.unwrap() else { panic!("not granted") };
    let settled = Settlement {
        outcome: Outcome::Invalid { code: Some(2314), clock_cause: false },
        command: "dns-row-add",
        message: "",
        clock: None,
    };
    s.settle("t", &policy(), g.ticket, &settled, now).await.unwrap();
}

#[tokio::test]
async fn two_stores_of_one_account_share_it_and_reads_use_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path()).unwrap();
    let b = open(dir.path()).unwrap();
    invalid(&a, 10.0).await;
    invalid(&b, 11.0).await;
    assert_eq!(a.status("t", &policy(), 12.0).await.unwrap().invalid.len(), 2);
    let meta = std::fs::metadata(a.path()).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // The file has a fixed size, whatever happens.
    for i in 0..2000 {
        let now = 20.0 + 4.0 * f64::from(i); // under the hourly budget
        invalid(&a, now).await;
        a.reset("t", &policy(), Reset::Guard, now).await.unwrap();
    }
    assert!(std::fs::metadata(a.path()).unwrap().len() <= 2 * SLOT);
}

#[tokio::test]
async fn a_fifo_in_place_of_the_state_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    let path = s.path().to_owned();
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let start = Instant::now();
    let e = reserve(&s, 1.0).await.unwrap_err();
    assert!(start.elapsed().as_secs_f64() < 1.0);
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("a FIFO") && e.message().contains(path.to_str().unwrap()), "{e}");
}

#[tokio::test]
async fn symlinks_and_directories_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::write(&elsewhere, b"").unwrap();
    std::os::unix::fs::symlink(&elsewhere, s.path()).unwrap();
    let e = reserve(&s, 1.0).await.unwrap_err();
    assert!(e.message().contains("symbolic link"), "{e}");
    std::fs::remove_file(s.path()).unwrap();
    std::fs::create_dir(s.path()).unwrap();
    let e = reserve(&s, 1.0).await.unwrap_err();
    assert!(e.message().contains("a directory"), "{e}");
}

#[test]
fn a_directory_others_may_write_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let e = open(dir.path()).err().expect("refused");
    assert!(e.message().contains("writable by other users (mode 0777)"), "{e}");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
    assert!(open(dir.path()).is_err(), "group-writable");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    open(dir.path()).unwrap();
}

#[tokio::test]
async fn files_of_another_user_are_refused() {
    // SAFETY: no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return; // only root can give a file away
    }
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    std::fs::write(s.path(), b"").unwrap();
    std::os::unix::fs::chown(s.path(), Some(65534), Some(65534)).unwrap();
    let e = reserve(&s, 1.0).await.unwrap_err();
    assert!(e.message().contains("belongs to another user (uid 65534"), "{e}");
    std::os::unix::fs::chown(dir.path(), Some(65534), None).unwrap();
    assert!(open(dir.path()).is_err());
}

#[tokio::test]
async fn a_damaged_file_keeps_the_guard_until_reset() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    let now = crate::wedos::store::now_f64();
    for i in 0..3 {
        invalid(&s, now + f64::from(i)).await;
    }
    // Truncated to half of a header, then to garbage: never "start afresh".
    for damage in [&b"HAG2\x01\x00"[..], &b"{\"not\": \"ours\"}"[..]] {
        std::fs::write(s.path(), damage).unwrap();
        let other = open(dir.path()).unwrap();
        let e = reserve(&other, now + 10.0).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.message().contains("cannot be read") && e.message().contains("guard reset"), "{e}");
        assert!(e.retry_after().unwrap().as_secs() > 3000);
        let st = other.status("t", &policy(), now + 10.0).await.unwrap();
        assert!(st.damaged.is_some());
        // Also the store that had it cached: it reads the file again.
        assert!(reserve(&s, now + 10.0).await.is_err());
    }
    let other = open(dir.path()).unwrap();
    other.reset("t", &policy(), Reset::Guard, now + 11.0).await.unwrap();
    assert!(matches!(reserve(&other, now + 12.0).await.unwrap(), Admission::Granted(_)));
}

#[tokio::test]
async fn a_torn_write_leaves_the_state_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    invalid(&s, 1.0).await;
    invalid(&s, 2.0).await;
    // Tear the newest slot: its checksum no longer matches.
    let file = std::fs::OpenOptions::new().read(true).write(true).open(s.path()).unwrap();
    let mut headers = [[0u8; HEADER]; 2];
    for (slot, h) in headers.iter_mut().enumerate() {
        read_at(&file, h, slot as u64 * SLOT).unwrap();
    }
    let generation = |h: &[u8; HEADER]| u64::from_le_bytes(h[4..12].try_into().unwrap());
    let newest = if generation(&headers[0]) > generation(&headers[1]) { 0 } else { 1 };
    write_all_at(&file, b"garbage!", newest * SLOT + HEADER as u64 + 3).unwrap();
    let other = open(dir.path()).unwrap();
    let st = other.status("t", &policy(), 3.0).await.unwrap();
    assert!(st.damaged.is_none());
    assert_eq!(st.invalid.len(), 1, "the state before the torn write");
}

#[tokio::test]
async fn a_held_lock_is_waited_for_a_bounded_time_and_names_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path()).unwrap();
    s.lock_wait = Duration::from_millis(300);
    invalid(&s, 1.0).await;
    let holder = std::fs::File::open(s.path()).unwrap();
    holder.lock_exclusive().unwrap();
    let start = Instant::now();
    let e = reserve(&s, 2.0).await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.message().contains(&format!("process {}", std::process::id())), "{e}");
    FileExt::unlock(&holder).unwrap();
    assert!(reserve(&s, 3.0).await.is_ok());
}

#[tokio::test]
async fn the_state_of_an_older_hostapi_is_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    let key = account_key("u", URL);
    let legacy = dir.path().join(format!("wedos-{key}.json"));
    let now = crate::wedos::store::now_f64();
    let old = json!({
        "version": 1, "user": "u", "base_url": URL,
        "requests": [now - 10.0, now - 5.0],
        "invalid": [{"at": now - 5.0, "code": 2314, "command": "dns-row-add"}],
        "auth_failures": 1,
        "spool": [{"ID": "7", "code": 1000, "result": "OK", "svTRID": "sv-7", "command": "ping-async"}],
        "handed": ["3"],
    });
    std::fs::write(&legacy, serde_json::to_vec(&old).unwrap()).unwrap();
    std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = open(dir.path()).unwrap();
    let st = s.status("t", &policy(), now).await.unwrap();
    assert_eq!(st.invalid.len(), 1);
    assert_eq!(st.requests_in_window, 2);
    assert_eq!(st.spooled_notifications, 1);
    assert!(!legacy.exists() && legacy.with_extension("json.migrated").exists());
    let n = s.spool_take("t", crate::wedos::spool::Want::Any, "h", now).await.unwrap().unwrap();
    assert_eq!(n["svTRID"], "sv-7");
}

#[tokio::test]
async fn a_planted_spool_in_a_private_directory_of_another_mode_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    invalid(&s, 1.0).await;
    s.spool_push("t", &json!({"ID": "1", "code": 1000, "result": "OK"}), 1.0).await.unwrap();
    let spool = dir.path().join(format!("wedos-{}.spool.json", account_key("u", URL)));
    std::fs::set_permissions(&spool, std::fs::Permissions::from_mode(0o666)).unwrap();
    let other = open(dir.path()).unwrap();
    let e = other.spool_take("t", crate::wedos::spool::Want::Any, "h", 2.0).await.unwrap_err();
    assert!(e.message().contains("writable by other users"), "{e}");
}

#[tokio::test]
async fn an_emptied_guard_file_is_damaged_not_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    let now = crate::wedos::store::now_f64();
    invalid(&s, now).await;
    std::fs::write(s.path(), b"").unwrap();
    let e = reserve(&open(dir.path()).unwrap(), now + 1.0).await.unwrap_err();
    assert!(e.message().contains("cannot be read"), "{e}");
}

#[tokio::test]
async fn a_poll_lock_of_an_older_hostapi_under_a_permissive_umask_is_made_private() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path()).unwrap();
    let lock = dir.path().join(format!("wedos-{}.poll.lock", account_key("u", URL)));
    std::fs::write(&lock, b"").unwrap();
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o664)).unwrap();
    let held = s.lock_queue("t", tokio::time::Instant::now() + Duration::from_secs(1)).await.unwrap();
    drop(held);
    assert_eq!(std::fs::metadata(&lock).unwrap().permissions().mode() & 0o777, 0o600);
}

#[tokio::test]
async fn a_store_whose_files_were_removed_does_not_write_back_its_old_spool() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path()).unwrap();
    let n = |id: u32| json!({"ID": id.to_string(), "code": 1000, "result": "OK", "svTRID": format!("sv-{id}")});
    a.spool_push("t", &n(1), 1.0).await.unwrap();
    // Everything removed (as Emulator.reset() or a person does), then another client starts over.
    for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
        std::fs::remove_file(e.path()).unwrap();
    }
    let b = open(dir.path()).unwrap();
    for id in 2..=6 {
        b.spool_push("t", &n(id), 2.0).await.unwrap();
    }
    assert_eq!(a.spool_take("t", crate::wedos::spool::Want::Any, "a", 3.0).await.unwrap(), Some(n(2)));
    assert_eq!(b.spool_len("t", 3.0).await.unwrap(), 4);
}

#[tokio::test]
async fn a_large_state_of_an_older_hostapi_is_imported_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let key = account_key("u", URL);
    let legacy = dir.path().join(format!("wedos-{key}.json"));
    let now = crate::wedos::store::now_f64();
    let invalid: Vec<_> =
        (0..5000).map(|i| json!({"at": now - 10.0 + f64::from(i) / 1000.0, "code": 2314, "command": "x"})).collect();
    let old = json!({"version": 1, "invalid": invalid, "requests": [now - 7200.0, now - 1.0], "domain_checks": [now - 2.0]});
    std::fs::write(&legacy, serde_json::to_vec(&old).unwrap()).unwrap();
    std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = open(dir.path()).unwrap();
    let st = s.status("t", &policy(), now).await.unwrap();
    assert_eq!(st.invalid.len(), crate::wedos::governor::INVALID_KEPT);
    assert_eq!((st.requests_in_window, st.domain_checks_in_window), (1, 1), "the hour's only");
}
