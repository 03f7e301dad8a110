//! Where the collector is: a segment and a byte offset in it, everything before which
//! ClickHouse has acknowledged. Written atomically (temp file, fsync, rename, fsync dir)
//! only after an acknowledgement, so a crash replays at most the batch in flight, and
//! ClickHouse's dedup on event_id makes that replay invisible.

use std::{
    fs::{self, File},
    io::{self, Write},
    path::{Path, PathBuf},
};

use atrium_core::private_fs;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub seq: u64,
    pub offset: u64,
}

pub struct Checkpoint {
    path: PathBuf,
    pub pos: Position,
}

impl Checkpoint {
    pub fn load(dir: &Path) -> io::Result<Self> {
        let path = dir.join("collector.checkpoint");
        let pos = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(io::Error::other)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Position { seq: 0, offset: 0 },
            Err(e) => return Err(e),
        };
        Ok(Self { path, pos })
    }

    pub fn save(&mut self, pos: Position) -> io::Result<()> {
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = private_fs::create(&tmp)?;
            f.write_all(&serde_json::to_vec(&pos).map_err(io::Error::other)?)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            File::open(dir)?.sync_all()?;
        }
        self.pos = pos;
        Ok(())
    }
}
