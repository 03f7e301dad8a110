//! `atrium`: one binary for every Atrium process and operator command.

#![forbid(unsafe_code)]

mod cli;
mod progress;
mod psql;

fn main() -> std::process::ExitCode {
    cli::main()
}
