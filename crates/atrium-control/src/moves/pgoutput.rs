//! The messages of PostgreSQL's logical replication protocol (`pgoutput`, version 1)
//! that a move applies: which transaction, which table, which row changed.
//! <https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html>

use anyhow::{bail, Context};

/// One decoded message. Types, origins and truncates are skipped (`Other`): the move's
/// publication publishes no truncate, and columns are typed from the target's catalog.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Begin {
        xid: u32,
    },
    Commit {
        end_lsn: u64,
    },
    Relation(Relation),
    Insert {
        rel: u32,
        new: Tuple,
    },
    /// `key` is the old key, sent when the update changed it.
    Update {
        rel: u32,
        key: Option<Tuple>,
        new: Tuple,
    },
    Delete {
        rel: u32,
        key: Tuple,
    },
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub id: u32,
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// Part of the replica identity (the primary key).
    pub key: bool,
}

/// A row's values in text form, one per column of its relation.
pub type Tuple = Vec<Value>;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// A TOASTed value the change left as it was: not sent.
    Unchanged,
    Text(String),
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> anyhow::Result<&[u8]> {
        if self.0.len() < n {
            bail!("pgoutput message ends early");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> anyhow::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> anyhow::Result<u16> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into()?))
    }
    fn u32(&mut self) -> anyhow::Result<u32> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into()?))
    }
    fn u64(&mut self) -> anyhow::Result<u64> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into()?))
    }
    fn string(&mut self) -> anyhow::Result<String> {
        let end = self
            .0
            .iter()
            .position(|b| *b == 0)
            .context("pgoutput string without its end")?;
        let s = std::str::from_utf8(&self.0[..end])?.to_owned();
        self.0 = &self.0[end + 1..];
        Ok(s)
    }
    fn tuple(&mut self) -> anyhow::Result<Tuple> {
        let n = self.u16()?;
        (0..n)
            .map(|_| match self.u8()? {
                b'n' => Ok(Value::Null),
                b'u' => Ok(Value::Unchanged),
                b't' => {
                    let len = self.u32()? as usize;
                    Ok(Value::Text(
                        std::str::from_utf8(self.take(len)?)?.to_owned(),
                    ))
                }
                kind => bail!("pgoutput column of unknown kind {kind}"),
            })
            .collect()
    }
}

pub fn decode(data: &[u8]) -> anyhow::Result<Message> {
    let mut r = Reader(data);
    Ok(match r.u8()? {
        b'B' => {
            let _final_lsn = r.u64()?;
            let _commit_time = r.u64()?;
            Message::Begin { xid: r.u32()? }
        }
        b'C' => {
            let _flags = r.u8()?;
            let _commit_lsn = r.u64()?;
            Message::Commit { end_lsn: r.u64()? }
        }
        b'R' => {
            let id = r.u32()?;
            let schema = r.string()?;
            let name = r.string()?;
            let _identity = r.u8()?;
            let n = r.u16()?;
            let columns = (0..n)
                .map(|_| {
                    let flags = r.u8()?;
                    let name = r.string()?;
                    let _type = r.u32()?;
                    let _modifier = r.u32()?;
                    Ok(Column {
                        name,
                        key: flags & 1 == 1,
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            Message::Relation(Relation {
                id,
                schema,
                name,
                columns,
            })
        }
        b'I' => {
            let rel = r.u32()?;
            expect(r.u8()?, b'N')?;
            Message::Insert {
                rel,
                new: r.tuple()?,
            }
        }
        b'U' => {
            let rel = r.u32()?;
            let mut key = None;
            let mut kind = r.u8()?;
            if kind == b'K' || kind == b'O' {
                key = Some(r.tuple()?);
                kind = r.u8()?;
            }
            expect(kind, b'N')?;
            Message::Update {
                rel,
                key,
                new: r.tuple()?,
            }
        }
        b'D' => {
            let rel = r.u32()?;
            let kind = r.u8()?;
            if kind != b'K' && kind != b'O' {
                bail!("pgoutput delete without its key");
            }
            Message::Delete {
                rel,
                key: r.tuple()?,
            }
        }
        _ => Message::Other,
    })
}

fn expect(got: u8, want: u8) -> anyhow::Result<()> {
    if got != want {
        bail!(
            "pgoutput: expected '{}', got '{}'",
            want as char,
            got as char
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(values: &[Option<&str>]) -> Vec<u8> {
        let mut b = (values.len() as u16).to_be_bytes().to_vec();
        for v in values {
            match v {
                None => b.push(b'n'),
                Some(t) => {
                    b.push(b't');
                    b.extend((t.len() as u32).to_be_bytes());
                    b.extend(t.as_bytes());
                }
            }
        }
        b
    }

    #[test]
    fn reads_the_messages_a_move_applies() {
        let mut begin = vec![b'B'];
        begin.extend(7u64.to_be_bytes());
        begin.extend(0u64.to_be_bytes());
        begin.extend(42u32.to_be_bytes());
        assert_eq!(decode(&begin).expect("decodes"), Message::Begin { xid: 42 });

        let mut rel = vec![b'R'];
        rel.extend(16384u32.to_be_bytes());
        rel.extend(b"pool_01\0customers\0d");
        rel.extend(2u16.to_be_bytes());
        for (flags, name) in [(1u8, "tenant_id"), (0, "name")] {
            rel.push(flags);
            rel.extend(name.as_bytes());
            rel.push(0);
            rel.extend(25u32.to_be_bytes());
            rel.extend((-1i32).to_be_bytes());
        }
        let Message::Relation(r) = decode(&rel).expect("decodes") else {
            panic!("not a relation")
        };
        assert_eq!(
            (r.schema.as_str(), r.name.as_str()),
            ("pool_01", "customers")
        );
        assert!(r.columns[0].key && !r.columns[1].key);

        let mut insert = vec![b'I'];
        insert.extend(16384u32.to_be_bytes());
        insert.push(b'N');
        insert.extend(tuple(&[Some("x"), None]));
        assert_eq!(
            decode(&insert).expect("decodes"),
            Message::Insert {
                rel: 16384,
                new: vec![Value::Text("x".into()), Value::Null]
            }
        );

        let mut delete = vec![b'D'];
        delete.extend(16384u32.to_be_bytes());
        delete.push(b'K');
        delete.extend(tuple(&[Some("x"), None]));
        assert!(matches!(
            decode(&delete).expect("decodes"),
            Message::Delete { .. }
        ));

        // Cut short: an error, never a guess.
        assert!(decode(&insert[..insert.len() - 1]).is_err());
    }
}
