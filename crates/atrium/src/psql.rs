//! `atrium tenant psql SLUG [-- PSQL_ARGS]`: runs psql as a console role made for this
//! session (atrium-control `sql_console`), and drops the role when psql exits.

use std::process::ExitCode;

use atrium_control::Control;

pub async fn run(
    control: &Control,
    slug: &str,
    actor: &str,
    minutes: i32,
    args: &[String],
) -> anyhow::Result<ExitCode> {
    let console = control.open_sql_console(slug, actor, minutes).await?;
    eprintln!(
        "psql as {} (acts as tenant {slug} only; dropped when psql exits, expires in {} min)",
        console.role, console.minutes
    );
    // Ctrl-C at the psql prompt reaches this process too (one process group): ignoring
    // it here keeps this process alive to drop the role once psql is done.
    let ignore_interrupts = tokio::spawn(async { while tokio::signal::ctrl_c().await.is_ok() {} });
    let status = tokio::process::Command::new("psql")
        .args(args)
        .envs(console.libpq_env())
        .status()
        .await;
    ignore_interrupts.abort();
    let closed = control.close_sql_console(&console).await;
    let status = match status {
        Ok(s) => s,
        Err(e) => anyhow::bail!("could not run psql (apt-get install postgresql-client-15): {e}"),
    };
    closed?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
