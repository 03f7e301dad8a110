//! `atrium`: one binary for every Atrium process and operator command.

#![forbid(unsafe_code)]

mod cli;
mod progress;

// glibc's malloc was a sixth of the API's CPU per request (docs/performance.md), and
// musl's, in the static image, is slower still.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
