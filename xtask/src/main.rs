//! `hostapi-xtask`: writes each front end's typed surface from the core's operation model (`hostapi::ops`).
//!
//! * `hostapi-xtask generate` writes every generated file (what `make generate` runs);
//! * `hostapi-xtask lint` fails when a file imports another that imports it back (see `lint`);
//! * `hostapi-xtask check` writes nothing and fails, naming the files, when one differs from what `generate`
//!   would write — edited by hand, or stale after a change of the model (what `make test` runs).
//!
//! Paths are relative to the workspace root.

mod c;
mod docs;
mod lint;
mod node;
mod python;
mod python_records;
mod text;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every generated file: its path under the workspace root and its content.
fn outputs() -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("python/hostapi/velneo/_generated.py", python::module(hostapi::ops::Api::Velneo)),
        ("python/hostapi/wedos/_generated.py", python::module(hostapi::ops::Api::Wedos)),
        ("python/hostapi/velneo/records.py", python_records::module(hostapi::ops::Api::Velneo)),
        ("python/hostapi/wedos/records.py", python_records::module(hostapi::ops::Api::Wedos)),
        ("docs/operations.json", docs::model_json()),
        ("bindings/c/src/generated.rs", c::module()),
        ("docs/operations.md", docs::reference()),
        ("node/generated.cjs", node::module()),
        ("node/index.d.ts", node::dts()),
    ];
    out.sort_by_key(|(p, _)| *p);
    out
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn main() -> ExitCode {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let root = root();
    match mode.as_str() {
        "generate" => {
            for (path, content) in outputs() {
                let full = root.join(path);
                if std::fs::read_to_string(&full).ok().as_deref() == Some(content.as_str()) {
                    continue;
                }
                if let Some(dir) = full.parent() {
                    std::fs::create_dir_all(dir).expect("create the output directory");
                }
                std::fs::write(&full, content).unwrap_or_else(|e| panic!("cannot write {}: {e}", full.display()));
                println!("wrote {path}");
            }
            ExitCode::SUCCESS
        }
        "check" => {
            let stale: Vec<&str> = outputs()
                .into_iter()
                .filter(|(path, content)| std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content))
                .map(|(path, _)| path)
                .collect();
            if stale.is_empty() {
                println!("generated files: up to date");
                return ExitCode::SUCCESS;
            }
            eprintln!("These generated files differ from the operation model (core/src/ops/):");
            for path in stale {
                eprintln!("  {path}");
            }
            eprintln!(
                "Do not edit them by hand: change the model (or the generator in xtask/) and run `make generate`."
            );
            ExitCode::FAILURE
        }
        "lint" => {
            let found = lint::cycles(&root);
            if found.is_empty() {
                println!("imports: no file imports another that imports it back");
                return ExitCode::SUCCESS;
            }
            eprintln!("Import cycles (each file imports the next, and the last the first, directly or not):");
            for c in found {
                let names: Vec<String> =
                    c.iter().map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string()).collect();
                eprintln!("  {}", names.join(" <-> "));
            }
            ExitCode::FAILURE
        }
        _ => {
            eprintln!("usage: hostapi-xtask generate|check|lint");
            ExitCode::from(2)
        }
    }
}
