//! What the one binary refuses, and what the deployment files hand to it.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `atrium <args>` with `env`, kills it after `within`; its exit status (None if it
/// was still running) and stderr.
fn run(args: &[&str], env: &[(&str, &str)], within: Duration) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atrium"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn atrium");
    let deadline = Instant::now() + within;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code();
        }
        if Instant::now() > deadline {
            child.kill().expect("kill");
            child.wait().expect("reap");
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().expect("stderr");
    (status, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Finding: `scripts/up` exported the superuser URL to the api and the control plane,
/// and the Pod's control container kept it for its whole life.
#[test]
fn superuser_url_reaches_no_long_running_process() {
    let superuser = (
        "ATRIUM_SUPERUSER_URL",
        "postgres://postgres:pw@127.0.0.1:1/postgres",
    );
    for process in ["api", "control", "collector"] {
        let (status, stderr) = run(&[process], &[superuser], Duration::from_secs(10));
        assert!(
            status.is_some_and(|c| c != 0),
            "atrium {process} started with the superuser URL: {status:?} {stderr}"
        );
        assert!(stderr.contains("atrium bootstrap"), "{stderr}");
        assert!(
            !stderr.contains("postgres:pw"),
            "the secret was printed: {stderr}"
        );
    }

    // The dev stack hands it to `atrium bootstrap` alone.
    let up = std::fs::read_to_string(repo().join("scripts/up")).expect("scripts/up");
    let up = up.replace("\\\n", " ");
    for line in up.lines().filter(|l| l.contains("ATRIUM_SUPERUSER_URL")) {
        assert!(
            !line.trim_start().starts_with("export") && line.contains("bootstrap"),
            "scripts/up passes the superuser URL beyond bootstrap: {line}"
        );
    }
    // In the Pod, only a run-once pod reads it; on Kubernetes, only the bootstrap Job.
    let pod = std::fs::read_to_string(repo().join("deploy/podman/atrium.yaml")).expect("pod");
    for doc in pod.split("\n---\n").filter(|d| d.contains("superuser-url")) {
        assert!(
            doc.contains("restartPolicy: Never"),
            "a long-running Pod reads superuser-url:\n{doc}"
        );
        assert!(!doc.contains("atrium control") && !doc.contains("args: [\"api\"]"));
    }
    for file in walk(&repo().join("deploy/k8s")) {
        let text = std::fs::read_to_string(&file).expect("manifest");
        for doc in text.split("\n---\n") {
            if doc.contains("key: superuser-url") {
                assert!(
                    doc.contains("kind: Job"),
                    "{} reads superuser-url",
                    file.display()
                );
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            files.push(p);
        }
    }
    files
}

/// Backup and restore commands given bad input answer with one line and a non-zero exit
/// before touching anything (no database is reachable here: nothing got that far).
#[test]
fn backup_and_restore_commands_refuse_bad_input_in_one_line() {
    let cases: &[(&[&str], i32, &str)] = &[
        (&["backup", "list"], 1, "backups are not configured"),
        (
            &["backup", "run", "--type", "weekly"],
            2,
            "invalid value 'weekly'",
        ),
        (
            &["tenant", "restore", "acme", "--at", "yesterday"],
            2,
            "invalid value 'yesterday'",
        ),
        (&["tenant", "restore", "acme", "--as", "copy"], 2, "--at"),
        (&["tenant", "restore", "acme"], 2, "--file"),
        (
            &[
                "tenant",
                "restore",
                "acme",
                "--at",
                "2026-01-01T00:00:00Z",
                "--file",
                "x.sql",
            ],
            2,
            "cannot be used with",
        ),
    ];
    for (args, code, says) in cases {
        let (status, stderr) = run(args, &[], Duration::from_secs(20));
        assert_eq!(status, Some(*code), "atrium {args:?}: {stderr}");
        assert!(stderr.contains(says), "atrium {args:?}: {stderr}");
    }
    let (status, stderr) = run(&["backup", "list"], &[], Duration::from_secs(20));
    assert_eq!(status, Some(1));
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}
