//! Every command line of the `sh` blocks of the README's section on the command runs as written, in order, against an emulator started here
//! (the README's `export` lines are replaced by the same variables pointing at this emulator). A trailing
//! `# exit N` comment is the exit code the line must end with; every other line must succeed.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn sh_lines(readme: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for raw in readme.lines() {
        let t = raw.trim_end();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(t);
        let line = std::mem::take(&mut pending);
        let line = line.trim().to_owned();
        if !line.is_empty() && !line.starts_with('#') {
            lines.push(line);
        }
    }
    lines
}

#[test]
fn readme_command_lines_run_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let start = readme.find("\n## The `hostapi` command").expect("the README has a section on the command");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map(|i| i + 3).unwrap_or(section.len())];
    let lines = sh_lines(section);
    assert!(lines.len() > 40, "the README's examples were found: {lines:?}");
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut ran = 0;
    for line in &lines {
        if line.starts_with("export ") {
            assert!(line.contains("127.0.0.1:8640") || line.contains("VELNEO_API_KEY="), "{line}");
            continue;
        }
        let (cmd, expected) = match line.split_once("# exit ") {
            Some((cmd, code)) => (cmd.trim(), code.trim().parse::<i32>().expect("an exit code")),
            None => (line.as_str(), 0),
        };
        let out = Command::new("bash")
            .args(["-c", cmd])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("VELNEO_BASE_URL", emu.emu.velneo_url())
            .env("VELNEO_EMAIL", hostapi_emulator::DEMO_VELNEO_EMAIL)
            .env("VELNEO_API_KEY", hostapi_emulator::DEMO_VELNEO_API_KEY)
            .env("WEDOS_BASE_URL", emu.emu.wedos_url())
            .env("WEDOS_USER", hostapi_emulator::DEMO_WEDOS_USER)
            .env("WEDOS_PASSWORD", hostapi_emulator::DEMO_WEDOS_PASSWORD)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(expected),
            "README line: {cmd}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran > 40);
    // The files the examples write.
    for f in ["vserver-backup.zip", "users.json", "rows.json", "hostapi.bash"] {
        assert!(dir.path().join(f).metadata().map(|m| m.len() > 0).unwrap_or(false), "{f} was written");
    }
}
