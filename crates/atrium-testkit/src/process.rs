//! Processes the harness starts: stopped by their PID (a child handle or a pid file),
//! never by name, so nothing else on the machine is ever signalled.

use std::{
    os::unix::{fs::MetadataExt, process::CommandExt},
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};

pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `cmd` as the `postgres` OS user when we are root (initdb and postgres refuse root).
pub fn as_postgres(cmd: &Command) -> Command {
    if !is_root() {
        let mut same = Command::new(cmd.get_program());
        same.args(cmd.get_args());
        return same;
    }
    let mut wrapped = Command::new("runuser");
    wrapped
        .args(["-u", "postgres", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        // Our working directory may not be readable by postgres.
        .current_dir("/tmp");
    wrapped
}

/// Runs `cmd` to completion; its output becomes the error when it fails.
pub fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let output = cmd
        .output()
        .with_context(|| format!("{:?}", cmd.get_program()))?;
    if !output.status.success() {
        bail!(
            "{:?} failed: {}{}",
            cmd.get_program(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// As root, hands `path` to the `postgres` user.
pub fn chown_to_postgres(path: &Path) -> anyhow::Result<()> {
    if is_root() {
        run(Command::new("chown").arg("postgres:postgres").arg(path))?;
    }
    Ok(())
}

/// Whether `pid` runs; a zombie (exited, not yet reaped) counts as gone.
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        // The state follows the command name, which is in parentheses and may hold spaces.
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().next().map(|state| state != "Z")
        })
        .unwrap_or(false)
}

/// Whether `pid` runs `program`. A pid file can outlive its process (a crash, a
/// reboot), and by then the number may belong to anything.
pub fn runs(pid: u32, program: &str) -> bool {
    let arg0 = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let arg0 = arg0.split(|b| *b == 0).next().unwrap_or_default();
    alive(pid) && String::from_utf8_lossy(arg0).contains(program)
}

pub fn read_pid(file: &Path) -> Option<u32> {
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// Sends `signal` (TERM, KILL, ...) to `pid` and waits at most `patience` for it to exit.
pub fn stop_pid(pid: u32, signal: &str, patience: Duration) -> anyhow::Result<()> {
    if !alive(pid) {
        return Ok(());
    }
    // A failure here is the process having exited meanwhile; the wait below decides.
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + patience;
    while alive(pid) {
        if Instant::now() > deadline {
            bail!("process {pid} still runs {patience:?} after SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Stops the `program` named by a pid file (gently, then by force) and removes the
/// file. Nothing to do when the file is missing or names another program.
pub fn stop_pid_file(file: &Path, program: &str, signal: &str) -> anyhow::Result<()> {
    if let Some(pid) = read_pid(file).filter(|pid| runs(*pid, program)) {
        if stop_pid(pid, signal, Duration::from_secs(30)).is_err() {
            stop_pid(pid, "KILL", Duration::from_secs(10))?;
        }
    }
    match std::fs::remove_file(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// `cmd` without our stdio (a server must not hold the pipe of a script that captures
/// our output) and in a process group of its own: a Ctrl-C or a hangup aimed at the
/// tests or the script must not take it down; it is stopped by its PID.
pub fn detached(cmd: &mut Command) -> &mut Command {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
}

/// Runs the shell command `cleanup` once this process has exited, however it exits
/// (a Ctrl-C included).
pub fn watchdog(cleanup: &str) -> anyhow::Result<()> {
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; {cleanup}",
        std::process::id()
    );
    detached(Command::new("sh").arg("-c").arg(script))
        .spawn()
        .context("watchdog")?;
    Ok(())
}

/// `s` quoted for sh.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
