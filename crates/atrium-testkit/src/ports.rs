//! Free TCP ports on 127.0.0.1, for servers started by the tests and by scripts/.
//!
//! Picked below the kernel's ephemeral range (32768–60999 on Linux), never with
//! `bind(0)`: a port from that range is also every outgoing connection's source port,
//! so a server the tests stop and start again (ClickHouse down for 30 s) could find its
//! port taken by one of the thousands of client connections made meanwhile.

use std::{collections::BTreeSet, net::TcpListener, ops::Range, sync::Mutex};

use rand::Rng;

/// Clear of the kernel's ephemeral range and of the fixed ports the scripts' Pods publish
/// (the end-to-end Pod's 25432 and 28xxx).
const RANGE: Range<u16> = 20_000..25_000;

/// Every port this process has handed out: two tests picking at once never share one,
/// even before the first has bound it.
static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// `n` distinct ports that were free a moment ago, none handed out before by this
/// process. The search starts at a random place so that concurrent processes rarely meet.
pub fn free_ports(n: usize) -> anyhow::Result<Vec<u16>> {
    let mut handed = HANDED_OUT.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    let size = RANGE.end - RANGE.start;
    let start = rand::thread_rng().gen_range(0..size);
    let picked: Vec<u16> = (0..size)
        .map(|i| RANGE.start + (start + i) % size)
        .filter(|p| !handed.contains(p) && TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .take(n)
        .collect();
    if picked.len() < n {
        anyhow::bail!("fewer than {n} free ports in {RANGE:?}");
    }
    handed.extend(&picked);
    Ok(picked)
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(free_ports(1)?[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_outside_the_ephemeral_range_and_never_repeat() {
        let a = free_ports(50).expect("ports");
        let b = free_ports(50).expect("ports");
        let all: BTreeSet<u16> = a.iter().chain(&b).copied().collect();
        assert_eq!(all.len(), 100);
        assert!(all.iter().all(|p| RANGE.contains(p)));
    }
}
