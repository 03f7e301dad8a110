//! Free TCP ports on 127.0.0.1, for servers started by the tests and by scripts/.

use std::net::TcpListener;

/// `n` distinct ports that were free a moment ago: all are held at once while they are
/// picked, so the kernel cannot hand out the same one twice.
pub fn free_ports(n: usize) -> anyhow::Result<Vec<u16>> {
    let held = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(held
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<Result<_, _>>()?)
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(free_ports(1)?[0])
}
