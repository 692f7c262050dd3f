//! `hostapi-xtask lint`: no file imports another that imports it back, directly or through others.
//!
//! The graph is read from the import statements: Rust `use crate::…` / `use super::…` / `use self::…` (a path
//! resolves to the deepest module file it names, so `use crate::wedos::store::now_f64` points at
//! `wedos/store/mod.rs`), Python relative imports of the `hostapi` package, and the Node package's `require('./…')`.
//! An import between a module and its own submodules (a file and the files of the folder it declares) is not an
//! edge: it is how one module is split into files. Every other cycle is reported with its files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The Rust crates' source folders (relative to the workspace root) and their root file.
const RUST_CRATES: &[(&str, &str)] = &[
    ("core/src", "lib.rs"),
    ("emulator/src", "lib.rs"),
    ("cli/src", "lib.rs"),
    ("bindings/python/src", "lib.rs"),
    ("bindings/node/src", "lib.rs"),
    ("bindings/c/src", "lib.rs"),
    ("xtask/src", "main.rs"),
    ("bench/src", "main.rs"),
];

type Graph = BTreeMap<PathBuf, BTreeSet<PathBuf>>;

/// The cycles of the workspace under `root`, each as its files.
pub fn cycles(root: &Path) -> Vec<Vec<PathBuf>> {
    let mut graph = Graph::new();
    for (dir, lib) in RUST_CRATES {
        rust_graph(&root.join(dir), lib, &mut graph);
    }
    python_graph(&root.join("python/hostapi"), &mut graph);
    node_graph(&root.join("node"), &mut graph);
    strongly_connected(&graph).into_iter().filter(|c| c.len() > 1).collect()
}

// ---- Rust ------------------------------------------------------------------------------------------------------

/// The module path of a source file (`["wedos", "store"]` for `wedos/store/mod.rs` or `wedos/store.rs`).
fn module_of(src: &Path, file: &Path, lib: &str) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && last != lib {
        parts.push(stem.to_owned());
    }
    parts
}

/// The file of module `path`, if it is one (`a/b.rs` or `a/b/mod.rs`; the crate root for the empty path).
fn file_of(src: &Path, path: &[String], lib: &str) -> Option<PathBuf> {
    if path.is_empty() {
        return Some(src.join(lib));
    }
    let joined: PathBuf = path.iter().collect();
    let flat = src.join(&joined).with_extension("rs");
    if flat.exists() {
        return Some(flat);
    }
    let nested = src.join(&joined).join("mod.rs");
    nested.exists().then_some(nested)
}

/// The `#[path = "…"]` modules a file declares: (module name, file).
fn path_modules(file: &Path, text: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("#[path = \"") {
            pending = rest.split('"').next().map(str::to_owned);
        } else if let (Some(p), Some(name)) = (&pending, t.strip_prefix("mod ").or_else(|| t.strip_prefix("pub mod "))) {
            let name = name.trim_end_matches(';').trim().to_owned();
            out.push((name, file.parent().unwrap_or(Path::new(".")).join(p)));
            pending = None;
        } else if !t.starts_with("#[") {
            pending = None;
        }
    }
    out
}

/// The paths a `use` tree names: `crate::{a::B, c::{D, E}}` → `crate::a::B`, `crate::c::D`, `crate::c::E`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else { return vec![tree.to_owned()] };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .collect()
}

/// The `use` statements of a Rust file (joined across lines), without their `pub`.
fn use_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(c) = &mut current {
            c.push_str(t);
            if t.ends_with(';') {
                out.push(current.take().unwrap_or_default());
            }
            continue;
        }
        let t = t.strip_prefix("pub(crate) ").or_else(|| t.strip_prefix("pub(super) ")).or_else(|| t.strip_prefix("pub ")).unwrap_or(t);
        if let Some(rest) = t.strip_prefix("use ") {
            if rest.ends_with(';') {
                out.push(rest.to_owned());
            } else {
                current = Some(rest.to_owned());
            }
        }
    }
    out.into_iter().map(|s| s.trim_end_matches(';').to_owned()).collect()
}

fn rust_graph(src: &Path, lib: &str, graph: &mut Graph) {
    let mut files = Vec::new();
    walk(src, "rs", &mut files);
    // Module paths of `#[path]` files, by their file.
    let mut declared: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let here = declared.get(f).cloned().unwrap_or_else(|| module_of(src, f, lib));
        for (name, target) in path_modules(f, &text) {
            let mut m = here.clone();
            m.push(name);
            declared.insert(target.canonicalize().unwrap_or(target), m);
        }
    }
    let module = |f: &Path| declared.get(f).cloned().unwrap_or_else(|| module_of(src, f, lib));
    let mut by_module: BTreeMap<Vec<String>, PathBuf> =
        files.iter().map(|f| (module(f), f.clone())).collect();
    by_module.entry(Vec::new()).or_insert_with(|| src.join(lib));
    for f in &files {
        if f.to_string_lossy().ends_with("_tests.rs") || f.ends_with("tests.rs") {
            continue; // tests may use anything
        }
        let here = module(f);
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for stmt in use_statements(&text) {
            for path in expand(&stmt) {
                let segs: Vec<&str> = path.split("::").map(str::trim).collect();
                let mut target: Vec<String> = match segs.first().copied() {
                    Some("crate") => Vec::new(),
                    Some("super") => here[..here.len().saturating_sub(1)].to_vec(),
                    Some("self") => here.clone(),
                    _ => continue,
                };
                for s in &segs[1..] {
                    match *s {
                        "super" => {
                            target.pop();
                        }
                        "self" | "*" => {}
                        name => {
                            let name = name.split(" as ").next().unwrap_or(name).trim().to_owned();
                            let mut deeper = target.clone();
                            deeper.push(name);
                            if by_module.contains_key(&deeper) || file_of(src, &deeper, lib).is_some() {
                                target = deeper;
                            } else {
                                break;
                            }
                        }
                    }
                }
                let Some(to) = by_module.get(&target).cloned().or_else(|| file_of(src, &target, lib)) else { continue };
                // A module and its own submodules: one module split into files, not an edge.
                let (a, b) = (&here, &target);
                if a.starts_with(b) || b.starts_with(a) {
                    continue;
                }
                if &to != f {
                    graph.entry(f.clone()).or_default().insert(to);
                }
            }
        }
    }
}

// ---- Python ----------------------------------------------------------------------------------------------------

fn python_graph(pkg: &Path, graph: &mut Graph) {
    let mut files = Vec::new();
    walk(pkg, "py", &mut files);
    for f in &files {
        let dir = f.parent().unwrap_or(pkg);
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for line in text.lines() {
            let t = line.trim();
            let Some(rest) = t.strip_prefix("from .") else { continue };
            let (module, names) = rest.split_once(" import ").unwrap_or((rest, ""));
            let mut base = dir.to_path_buf();
            let mut module = module;
            while let Some(m) = module.strip_prefix('.') {
                base.pop();
                module = m;
            }
            let targets: Vec<PathBuf> = if module.is_empty() {
                // `from . import x`: the submodule x, else the package's __init__.
                names
                    .split(',')
                    .map(|n| n.split(" as ").next().unwrap_or("").trim().trim_matches(|c| c == '(' || c == ')'))
                    .filter(|n| !n.is_empty())
                    .map(|n| {
                        let sub = base.join(format!("{n}.py"));
                        let pkg = base.join(n).join("__init__.py");
                        if sub.exists() {
                            sub
                        } else if pkg.exists() {
                            pkg
                        } else {
                            base.join("__init__.py")
                        }
                    })
                    .collect()
            } else {
                let p: PathBuf = module.split('.').collect();
                let flat = base.join(&p).with_extension("py");
                vec![if flat.exists() { flat } else { base.join(p).join("__init__.py") }]
            };
            for to in targets {
                // A package's __init__ and its own modules: one package, not an edge.
                let (fd, td) = (f.parent().unwrap_or(pkg), to.parent().unwrap_or(pkg));
                let init = |p: &Path| p.file_name().is_some_and(|n| n == "__init__.py");
                if (init(f) && td.starts_with(fd)) || (init(&to) && fd.starts_with(td)) {
                    continue;
                }
                if to.exists() && &to != f {
                    graph.entry(f.clone()).or_default().insert(to);
                }
            }
        }
    }
}

// ---- Node ------------------------------------------------------------------------------------------------------

fn node_graph(pkg: &Path, graph: &mut Graph) {
    for name in ["index.cjs", "index.mjs", "internal.cjs", "generated.cjs"] {
        let f = pkg.join(name);
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for part in text.split("require(").skip(1).chain(text.split(" from ").skip(1)) {
            let quoted = part.trim_start().trim_start_matches(['\'', '"']);
            if !quoted.starts_with("./") {
                continue;
            }
            let target = quoted.split(['\'', '"']).next().unwrap_or("");
            let to = pkg.join(target.trim_start_matches("./"));
            if to.exists() && to != f {
                graph.entry(f.clone()).or_default().insert(to);
            }
        }
    }
}

// ---- the graph -------------------------------------------------------------------------------------------------

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p.canonicalize().unwrap_or(p));
        }
    }
}

/// Tarjan's strongly connected components.
fn strongly_connected(graph: &Graph) -> Vec<Vec<PathBuf>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g PathBuf, usize>,
        low: BTreeMap<&'g PathBuf, usize>,
        stack: Vec<&'g PathBuf>,
        on_stack: BTreeSet<&'g PathBuf>,
        next: usize,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g PathBuf) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: Vec<&PathBuf> = graph.keys().collect();
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_trees_expand() {
        assert_eq!(expand("crate::{a::B, c::{D, E}}"), ["crate::a::B", "crate::c::D", "crate::c::E"]);
        assert_eq!(expand("super::x"), ["super::x"]);
    }

    #[test]
    fn a_cycle_is_found() {
        let mut g = Graph::new();
        let (a, b, c) = (PathBuf::from("a"), PathBuf::from("b"), PathBuf::from("c"));
        g.entry(a.clone()).or_default().insert(b.clone());
        g.entry(b.clone()).or_default().insert(c.clone());
        g.entry(c.clone()).or_default().insert(a.clone());
        let found: Vec<_> = strongly_connected(&g).into_iter().filter(|c| c.len() > 1).collect();
        assert_eq!(found, [vec![a, b, c]]);
    }
}
