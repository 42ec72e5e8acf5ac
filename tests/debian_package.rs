//! The Debian package, built from the binary these tests run (gzip, not xz:
//! seconds, not a minute) by `scripts/build-deb` and installed by
//! `scripts/check-deb` into a throwaway root, where its binary, man page,
//! completions, conffile and documentation are checked.

mod common;

use std::path::Path;
use std::process::Command;

fn run(script: &str, args: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts").join(script);
    let out = Command::new(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{script} {args:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn field(deb: &str, name: &str) -> String {
    let out = Command::new("dpkg-deb")
        .args(["--field", deb, name])
        .output()
        .expect("run dpkg-deb");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The newest glibc symbol version the binary asks for (`GLIBC_2.34`), read
/// with objdump: a second, independent reading of what dpkg-shlibdeps found.
fn newest_glibc_symbol(binary: &str) -> (u32, u32) {
    let out = Command::new("objdump")
        .args(["-T", binary])
        .output()
        .expect("run objdump");
    let text = String::from_utf8_lossy(&out.stdout);
    regex::Regex::new(r"GLIBC_(\d+)\.(\d+)")
        .unwrap()
        .captures_iter(&text)
        .map(|c| (c[1].parse().unwrap(), c[2].parse().unwrap()))
        .max()
        .expect("the binary uses glibc symbols")
}

#[test]
fn the_package_installs_into_a_throwaway_root_and_works_from_there() {
    let dir = common::temp_dir();
    let out = dir.path().to_str().unwrap();
    let built = run("build-deb", &["--fast", "--bin", common::BIN, "--out", out]);
    let deb = built.lines().last().expect("build-deb prints the package's path");
    assert!(deb.ends_with(".deb") && Path::new(deb).is_file(), "{built}");

    // What the host must have: the C library (and the unwinder every Rust
    // program links), never SQLite, which is built in.
    let depends = field(deb, "Depends");
    let (major, minor) = newest_glibc_symbol(common::BIN);
    assert!(
        depends.contains(&format!("libc6 (>= {major}.{minor})")),
        "Depends: {depends}"
    );
    assert!(!depends.contains("sqlite"), "Depends: {depends}");
    let version = Command::new(common::BIN)
        .arg("--version")
        .output()
        .unwrap()
        .stdout;
    let version = String::from_utf8_lossy(&version);
    assert_eq!(
        format!("warroom {}", field(deb, "Version").trim_end_matches("-1")),
        version.trim()
    );

    let checked = run("check-deb", &[deb]);
    for line in [
        "/usr/bin/warroom",
        "/usr/share/man/man1/warroom.1.gz",
        "/usr/share/bash-completion/completions/warroom",
        "/usr/share/zsh/vendor-completions/_warroom",
        "/usr/share/fish/vendor_completions.d/warroom.fish",
        "/etc/warroom/config.toml",
        "/usr/share/doc/warroom/README.md.gz",
        "/usr/share/doc/warroom/runbooks/sop.md",
        "/usr/share/doc/warroom/runbooks/security.md",
        "bash: warroom decl<Tab> → declare",
        "ok: ",
    ] {
        assert!(checked.contains(line), "check-deb said no {line:?}:\n{checked}");
    }
}
