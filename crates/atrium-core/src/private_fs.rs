//! Files that hold tenant data (exports, spool segments, checkpoints, dead letters) are
//! readable by the process's own user only: 0600 files in 0700 directories, whatever the
//! umask. In the image that user is the non-root uid that owns the volumes.

use std::{
    fs, io,
    io::Write,
    os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
    path::Path,
};

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents as 0700, and tightens `dir` itself when it
/// already existed. A directory owned by someone else (a volume mounted as root) can't
/// be tightened; that is logged, and the 0600 files inside stay private all the same.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    match fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE)) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            tracing::warn!(dir = %dir.display(), "cannot make the directory 0700: not its owner");
            Ok(())
        }
        other => other,
    }
}

/// Open options whose created files are 0600.
pub fn options() -> fs::OpenOptions {
    let mut o = fs::OpenOptions::new();
    o.mode(FILE_MODE);
    o
}

/// Creates or truncates `path` as a 0600 file.
pub fn create(path: &Path) -> io::Result<fs::File> {
    tightened(
        options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?,
    )
}

/// Opens `path` for appending, created 0600 if missing.
pub fn append(path: &Path) -> io::Result<fs::File> {
    tightened(options().create(true).append(true).open(path)?)
}

/// The mode only applies to files being created: one an older version left 0644 is
/// made 0600 before anything more is written to it.
fn tightened(file: fs::File) -> io::Result<fs::File> {
    file.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    Ok(file)
}

/// Writes `contents` to `path`, created 0600.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    create(path)?.write_all(contents.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_directories_are_private_whatever_the_umask() {
        let root = std::env::temp_dir().join(format!("atrium-private-{}", std::process::id()));
        let dir = root.join("a/b");
        create_dir_all(&dir).expect("dir");
        write(&dir.join("f"), "x").expect("file");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), DIR_MODE);
        assert_eq!(mode(&root.join("a")), DIR_MODE);
        assert_eq!(mode(&dir.join("f")), FILE_MODE);
        fs::set_permissions(dir.join("f"), fs::Permissions::from_mode(0o644)).expect("loosen");
        append(&dir.join("f")).expect("append");
        assert_eq!(
            mode(&dir.join("f")),
            FILE_MODE,
            "an existing file is tightened"
        );
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("loosen");
        create_dir_all(&dir).expect("again");
        assert_eq!(mode(&dir), DIR_MODE, "an existing directory is tightened");
        fs::remove_dir_all(&root).expect("cleanup");
    }
}
