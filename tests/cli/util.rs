//! Shared helpers: every test gets a fresh temporary directory holding its data dir.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// `COMMAND --reporter CHN --flow export --product PRODUCT` then `rest`: the arguments most
/// monitor tests start from (China's exports are the seed event).
pub fn china_export_args<'a>(command: &'a str, product: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let head = [
        command,
        "--reporter",
        "CHN",
        "--flow",
        "export",
        "--product",
        product,
    ];
    [&head[..], rest].concat()
}

/// A fresh working directory with its own warehouse.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// Runs `chokepoint ARGS` (the caller passes `--format json`), asserts success and
    /// parses stdout as one JSON document.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.stdout_of(args)).expect("one JSON document")
    }

    /// Runs `chokepoint ARGS`, asserts success and returns stdout.
    pub fn stdout_of(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("chokepoint runs");
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// A new empty sandbox.
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The sandbox folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The warehouse folder used by [`Sandbox::cmd`].
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `chokepoint` run inside the sandbox with `--data-dir` pointing at it.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// [`Sandbox::cmd`] as a plain `std::process::Command`, for tests that drive the
    /// child's pipes themselves.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("chokepoint"));
        cmd.current_dir(self.dir.path())
            .env("CHOKEPOINT_DATA_DIR", self.data_dir())
            .env_remove("RUST_LOG");
        cmd
    }

    /// Writes a file into the sandbox and returns its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write fixture");
        p
    }
}

/// The repository root (for scenarios/ and data/).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
