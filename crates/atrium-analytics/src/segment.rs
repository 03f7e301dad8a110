//! Spool layout, shared by the writer (the API) and the reader (the collector).
//!
//! `<seq>.open` is the one segment being written; on rotation the writer fsyncs it and
//! renames it `<seq>.ndjson` (closed, never written again). Sequence numbers only grow
//! and are never reused, so a name always means the same bytes: no inode or rotation
//! ambiguity of the kind file tailers suffer from. Only the collector deletes, and only
//! closed segments whose every line ClickHouse has acknowledged.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use atrium_core::private_fs;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub seq: u64,
    pub closed: bool,
    pub path: PathBuf,
    pub len: u64,
}

pub fn open_name(seq: u64) -> String {
    format!("{seq:016}.open")
}

pub fn closed_name(seq: u64) -> String {
    format!("{seq:016}.ndjson")
}

/// Segments in sequence order.
pub fn list(dir: &Path) -> io::Result<Vec<Segment>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let (stem, closed) = match (name.strip_suffix(".ndjson"), name.strip_suffix(".open")) {
            (Some(s), _) => (s, true),
            (_, Some(s)) => (s, false),
            _ => continue,
        };
        let Ok(seq) = stem.parse::<u64>() else {
            continue;
        };
        // A segment may vanish between listing and stat (the collector deleted it).
        let Ok(meta) = entry.metadata() else { continue };
        out.push(Segment {
            seq,
            closed,
            path: entry.path(),
            len: meta.len(),
        });
    }
    out.sort_by_key(|s| (s.seq, s.closed));
    // If both names exist for one seq (a crash mid-rename is impossible, but be safe),
    // the closed one wins.
    out.dedup_by(|later, earlier| {
        if later.seq == earlier.seq {
            *earlier = later.clone();
            true
        } else {
            false
        }
    });
    Ok(out)
}

/// Rows the collector gave up on, in the spool directory (the same volume), and the
/// one older file it rotates to when the first is full.
pub const DEAD_LETTER: &str = "dead-letter.ndjson";
pub const DEAD_LETTER_ROTATED: &str = "dead-letter.ndjson.1";

/// Total bytes in the spool, the dead letters included: they share its volume, so they
/// count against the same cap.
pub fn total_bytes(dir: &Path) -> io::Result<u64> {
    let dead: u64 = [DEAD_LETTER, DEAD_LETTER_ROTATED]
        .iter()
        .filter_map(|name| fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum();
    Ok(list(dir)?.iter().map(|s| s.len).sum::<u64>() + dead)
}

const HIGH_WATER: &str = "writer.seq";

/// Creates the next `<seq>.open`, locked for this writer. Its number is above every
/// segment that exists, every number handed out before (a high-water mark file, since
/// shipped segments are deleted) and the collector's checkpoint, so a number is never
/// reused even after the spool was emptied. `create_new` settles races between writers.
pub fn create_next(dir: &Path) -> io::Result<(u64, fs::File)> {
    let listed = list(dir)?.last().map_or(0, |s| s.seq);
    let high_water = fs::read_to_string(dir.join(HIGH_WATER))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let checkpoint = crate::checkpoint::Checkpoint::load(dir).map_or(0, |c| c.pos.seq);
    let mut seq = listed.max(high_water).max(checkpoint) + 1;
    loop {
        match private_fs::options()
            .create_new(true)
            .append(true)
            .open(dir.join(open_name(seq)))
        {
            Ok(file) => {
                file.lock()?;
                let tmp = dir.join(format!("{HIGH_WATER}.{seq}.tmp"));
                private_fs::write(&tmp, seq.to_string())?;
                fs::rename(&tmp, dir.join(HIGH_WATER))?;
                return Ok((seq, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => seq += 1,
            Err(e) => return Err(e),
        }
    }
}
