//! The house's plan, read from the code: which module imports which.
//!
//! Every path a source file names into the crate (`crate::…`, `super::…`,
//! `self::…`, or a child module declared beside it) is an arrow from that file
//! to the file that defines the module it reaches. Code under `#[cfg(test)]`
//! is left out: a test may reach anywhere. The tests fail on any circle of
//! files, and on any circle among the rooms of a folder (its files and
//! subfolders), which is what an import running back up a layer makes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file of the library, under the module path it defines.
struct Module {
    /// `src/`-relative path, such as `api/articles/mod.rs`.
    file: String,
    /// The module's path segments, such as `["api", "articles"]`.
    path: Vec<String>,
    /// The code with comments, strings and test-only items blanked out.
    code: String,
}

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn module_path(file: &str) -> Vec<String> {
    let without_ext = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = without_ext.split('/').map(str::to_owned).collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

/// The text with comments, string and character literals replaced by spaces,
/// so that a `crate::` inside them is not read as a path.
fn blank_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && is_boundary(&chars, i) {
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < chars.len() {
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_boundary(chars: &[char], at: usize) -> bool {
    at == 0 || !is_ident(chars[at - 1])
}

/// The code without the items marked `#[cfg(test)]`.
fn without_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its first `;` before any brace, or at the brace
        // that closes its first one.
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

fn modules() -> Vec<Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    files
        .into_iter()
        .filter_map(|file| {
            let relative = file
                .strip_prefix(&src)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            // The binary is a crate of its own over the library.
            if relative == "main.rs" {
                return None;
            }
            let text = std::fs::read_to_string(&file).ok()?;
            Some(Module {
                path: module_path(&relative),
                code: without_tests(&blank_literals(&text)),
                file: relative,
            })
        })
        .collect()
}

/// A path written in the code, as the crate's absolute path.
struct Written {
    path: Vec<String>,
    /// The name it is brought in under, when `as` renames it.
    alias: Option<String>,
    /// Where in the code its first word stands.
    at: usize,
}

/// Every path written from `start` on: `a::b::{c, d::{e as f}}` gives
/// `a::b::c` and `a::b::d::e` (as `f`).
fn paths_at(chars: &[char], start: usize) -> Vec<(Vec<String>, Option<String>)> {
    fn skip_space(chars: &[char], mut i: usize) -> usize {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        i
    }
    fn word(chars: &[char], mut i: usize) -> (String, usize) {
        let begin = i;
        while i < chars.len() && (is_ident(chars[i]) || chars[i] == '*') {
            i += 1;
        }
        (chars[begin..i].iter().collect(), i)
    }
    fn tree(
        chars: &[char],
        mut i: usize,
        prefix: Vec<String>,
        out: &mut Vec<(Vec<String>, Option<String>)>,
    ) -> usize {
        let mut path = prefix;
        loop {
            i = skip_space(chars, i);
            if chars.get(i) == Some(&'{') {
                i += 1;
                loop {
                    i = skip_space(chars, i);
                    if chars.get(i) == Some(&'}') {
                        return i + 1;
                    }
                    if i >= chars.len() {
                        return i;
                    }
                    i = tree(chars, i, path.clone(), out);
                    i = skip_space(chars, i);
                    if chars.get(i) == Some(&',') {
                        i += 1;
                    }
                }
            }
            let (segment, end) = word(chars, i);
            i = end;
            if !segment.is_empty() {
                path.push(segment);
            }
            let after = skip_space(chars, i);
            if chars.get(after) == Some(&':') && chars.get(after + 1) == Some(&':') {
                i = after + 2;
                continue;
            }
            let (next, end) = word(chars, after);
            let alias = if next == "as" {
                let (alias, end) = word(chars, skip_space(chars, end));
                i = end;
                Some(alias)
            } else {
                None
            };
            out.push((path, alias));
            return i;
        }
    }
    let mut out = Vec::new();
    tree(chars, start, Vec::new(), &mut out);
    out
}

/// The paths into the crate that `module` writes.
fn written(module: &Module, modules: &[Module]) -> Vec<Written> {
    let children: BTreeSet<&str> = modules
        .iter()
        .filter(|m| m.path.len() == module.path.len() + 1 && m.path.starts_with(&module.path))
        .filter_map(|m| m.path.last().map(String::as_str))
        .collect();
    let chars: Vec<char> = module.code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_boundary(&chars, i) || (i > 0 && chars[i - 1] == '$') || !is_ident(chars[i]) {
            i += 1;
            continue;
        }
        let begin = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        let first: String = chars[begin..i].iter().collect();
        let starts_path = chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':');
        // A path's first word, not one in the middle of a path.
        let in_middle = begin >= 2 && chars[begin - 1] == ':' && chars[begin - 2] == ':';
        // `pub(in crate::db)` says who may see an item, not what it uses.
        let before: String = chars[begin.saturating_sub(4)..begin].iter().collect();
        if !starts_path || in_middle || before == "(in " {
            continue;
        }
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => module.path.clone(),
            "super" => module.path[..module.path.len().saturating_sub(1)].to_vec(),
            child if children.contains(child) => {
                let mut base = module.path.clone();
                base.push(child.to_owned());
                base
            }
            _ => continue,
        };
        let mut rest = i + 2;
        while chars[rest..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
            base.pop();
            rest += 7;
        }
        for (path, alias) in paths_at(&chars, rest) {
            let mut full = base.clone();
            full.extend(path);
            found.push(Written {
                path: full,
                alias,
                at: begin,
            });
        }
    }
    found
}

/// The spans of `pub use …;` statements: they hand names on, and the files
/// that use those names are tied to where the names are defined.
fn re_export_spans(code: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 3 < chars.len() {
        if chars[i..].starts_with(&['p', 'u', 'b']) && is_boundary(&chars, i) {
            let mut j = i + 3;
            if chars.get(j) == Some(&'(') {
                while j < chars.len() && chars[j] != ')' {
                    j += 1;
                }
                j += 1;
            }
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if chars[j..].starts_with(&['u', 's', 'e', ' ']) {
                let mut end = j;
                while end < chars.len() && chars[end] != ';' {
                    end += 1;
                }
                spans.push((i, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    spans
}

/// Whether `code` defines an item called `name`.
fn defines(code: &str, name: &str) -> bool {
    [
        "fn",
        "struct",
        "enum",
        "const",
        "static",
        "type",
        "trait",
        "mod",
        "union",
        "macro_rules!",
    ]
    .iter()
    .any(|kind| {
        code.match_indices(&format!("{kind} {name}"))
            .any(|(at, found)| {
                let after = code[at + found.len()..].chars().next();
                !after.is_some_and(is_ident)
            })
    })
}

/// What each module hands on with `pub use`: names and whole modules (`*`).
struct ReExports {
    names: BTreeMap<(String, String), Vec<String>>,
    globs: BTreeMap<String, Vec<Vec<String>>>,
}

fn re_exports(modules: &[Module]) -> ReExports {
    let mut names = BTreeMap::new();
    let mut globs: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for module in modules {
        let spans = re_export_spans(&module.code);
        for written in written(module, modules) {
            if !spans.iter().any(|(s, e)| (*s..*e).contains(&written.at)) {
                continue;
            }
            match written.path.last().map(String::as_str) {
                Some("*") => {
                    let mut target = written.path.clone();
                    target.pop();
                    globs.entry(module.file.clone()).or_default().push(target);
                }
                Some(last) => {
                    let name = written.alias.clone().unwrap_or_else(|| last.to_owned());
                    names.insert((module.file.clone(), name), written.path.clone());
                }
                None => {}
            }
        }
    }
    ReExports { names, globs }
}

/// The arrows of the house: file → the files it names, with the names.
fn arrows(modules: &[Module]) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let by_path: BTreeMap<Vec<String>, &Module> =
        modules.iter().map(|m| (m.path.clone(), m)).collect();
    let handed_on = re_exports(modules);
    // The file that defines what `full` names, following `pub use`.
    let resolve = |full: &[String]| -> Option<(String, String)> {
        let mut full = full.to_vec();
        for _ in 0..8 {
            let (module, name) = (1..=full.len()).rev().find_map(|len| {
                by_path
                    .get(&full[..len])
                    .map(|m| (*m, full.get(len).cloned().unwrap_or_default()))
            })?;
            if let Some(target) = handed_on.names.get(&(module.file.clone(), name.clone())) {
                let mut next = target.clone();
                next.extend(full.iter().skip(module.path.len() + 1).cloned());
                full = next;
                continue;
            }
            if !name.is_empty() && !defines(&module.code, &name) {
                if let Some(glob) = handed_on.globs.get(&module.file).and_then(|g| g.first()) {
                    let mut next = glob.clone();
                    next.extend(full.iter().skip(module.path.len()).cloned());
                    full = next;
                    continue;
                }
            }
            return Some((module.file.clone(), name));
        }
        None
    };
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for module in modules {
        let spans = re_export_spans(&module.code);
        for written in written(module, modules) {
            if spans.iter().any(|(s, e)| (*s..*e).contains(&written.at)) {
                continue;
            }
            let Some((target, name)) = resolve(&written.path) else {
                continue;
            };
            if target != module.file && target != "lib.rs" {
                graph
                    .entry(module.file.clone())
                    .or_default()
                    .entry(target)
                    .or_default()
                    .insert(name);
            }
        }
    }
    graph
}

/// The strongly connected parts of a graph with more than one node.
fn circles(
    nodes: &BTreeSet<String>,
    edges: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Vec<String>> {
    struct Search<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            if let Some(targets) = self.edges.get(node) {
                for target in targets {
                    let target = target.as_str();
                    if !self.index.contains_key(target) {
                        self.visit(target);
                        let low = self.low[node].min(self.low[target]);
                        self.low.insert(node, low);
                    } else if self.on_stack.contains(target) {
                        let low = self.low[node].min(self.index[target]);
                        self.low.insert(node, low);
                    }
                }
            }
            if self.low[node] == self.index[node] {
                let mut part = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    part.push(top.to_owned());
                    if top == node {
                        break;
                    }
                }
                if part.len() > 1 {
                    part.sort();
                    self.found.push(part);
                }
            }
        }
    }
    let mut search = Search {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in nodes {
        if !search.index.contains_key(node.as_str()) {
            search.visit(node);
        }
    }
    search.found
}

/// The room of `file` among the children of `folder` ("" for `src/`): the
/// file itself or the subfolder that holds it; None when outside `folder`.
fn room_in(folder: &str, file: &str) -> Option<String> {
    let rest = if folder.is_empty() {
        file
    } else {
        file.strip_prefix(folder)?.strip_prefix('/')?
    };
    Some(match rest.split_once('/') {
        Some((sub, _)) => format!("{sub}/"),
        None => rest.to_owned(),
    })
}

fn describe(
    part: &[String],
    rooms_of: impl Fn(&str) -> Option<String>,
    graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
) -> String {
    let members: BTreeSet<&str> = part.iter().map(String::as_str).collect();
    let mut lines = vec![format!("circle of {}: {}", part.len(), part.join(", "))];
    for (from, targets) in graph {
        for (to, names) in targets {
            let (Some(a), Some(b)) = (rooms_of(from), rooms_of(to)) else {
                continue;
            };
            if a != b && members.contains(a.as_str()) && members.contains(b.as_str()) {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                lines.push(format!("  {from} -> {to}: {}", names.join(", ")));
            }
        }
    }
    lines.join("\n")
}

#[test]
fn no_circle_of_files() {
    let modules = modules();
    let graph = arrows(&modules);
    let nodes: BTreeSet<String> = modules.iter().map(|m| m.file.clone()).collect();
    let edges: BTreeMap<String, BTreeSet<String>> = graph
        .iter()
        .map(|(from, targets)| (from.clone(), targets.keys().cloned().collect()))
        .collect();
    let found = circles(&nodes, &edges);
    let report: Vec<String> = found
        .iter()
        .map(|part| describe(part, |f| Some(f.to_owned()), &graph))
        .collect();
    assert!(
        found.is_empty(),
        "files that import each other:\n{}",
        report.join("\n")
    );
}

#[test]
fn no_import_runs_back_up_a_layer() {
    let modules = modules();
    let graph = arrows(&modules);
    let mut folders: BTreeSet<String> = BTreeSet::from([String::new()]);
    for module in &modules {
        let mut parts: Vec<&str> = module.file.split('/').collect();
        parts.pop();
        for len in 1..=parts.len() {
            folders.insert(parts[..len].join("/"));
        }
    }
    let mut report = Vec::new();
    for folder in &folders {
        let rooms_of = |file: &str| room_in(folder, file);
        let mut nodes = BTreeSet::new();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for module in &modules {
            if let Some(room) = rooms_of(&module.file) {
                nodes.insert(room);
            }
        }
        for (from, targets) in &graph {
            for to in targets.keys() {
                if let (Some(a), Some(b)) = (rooms_of(from), rooms_of(to)) {
                    if a != b {
                        edges.entry(a).or_default().insert(b);
                    }
                }
            }
        }
        for part in circles(&nodes, &edges) {
            report.push(format!(
                "in src/{folder}: {}",
                describe(&part, |f| rooms_of(f), &graph)
            ));
        }
    }
    assert!(
        report.is_empty(),
        "rooms that import each other:\n{}",
        report.join("\n")
    );
}

/// The tables only the commit layer writes to: the change log (which the audit
/// log is read from) and the articles' revisions; the old audit table too.
const COMMITTED_TABLES: [&str; 3] = ["changes", "article_revisions", "audit_log"];

/// The commit layer's file.
const COMMIT_LAYER: &str = "db/commit.rs";

#[test]
fn only_the_commit_layer_writes_the_log_and_the_index_and_counts_versions() {
    let mut offenders = Vec::new();
    for module in modules() {
        if module.file == COMMIT_LAYER {
            continue;
        }
        let code: String = module.code.split_whitespace().collect::<Vec<_>>().join(" ");
        // A table may be imported under another name (`changes as change_log`).
        let mut names: Vec<String> = COMMITTED_TABLES.iter().map(|t| (*t).to_owned()).collect();
        for table in COMMITTED_TABLES {
            for (at, found) in code.match_indices(&format!("{table} as ")) {
                let alias: String = code[at + found.len()..]
                    .chars()
                    .take_while(|c| is_ident(*c))
                    .collect();
                names.push(alias);
            }
        }
        for name in &names {
            for written in [
                format!("insert_into({name}::table"),
                format!("insert_into(schema::{name}::table"),
            ] {
                if code.contains(&written) {
                    offenders.push(format!("src/{}: {written}", module.file));
                }
            }
        }
        for bump in ["version + 1", "version+1", "version += 1"] {
            if code.contains(bump) {
                offenders.push(format!("src/{}: {bump}", module.file));
            }
        }
        // The search index is written through the dialect's `index` and
        // `unindex_sql`; only their definitions may name them elsewhere.
        for write in [".index(conn", "unindex_sql()"] {
            if code.contains(write) && !module.file.starts_with("db/dialect/") {
                offenders.push(format!("src/{}: {write}", module.file));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "writes of the log, the search index or versions outside {COMMIT_LAYER}: {offenders:?}"
    );
}
