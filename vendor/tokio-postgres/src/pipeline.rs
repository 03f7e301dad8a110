//! Atrium's addition to tokio-postgres 0.7.18 (see `vendor/README.md`): several prepared
//! statements sent with a single `Sync`, statements kept per connection by key, and
//! unnamed statements for connections behind a transaction-mode pooler.
//!
//! Upstream sends a `Sync` after every statement. The server answers each `Sync` with
//! `ReadyForQuery` and a flush, so a pipeline of N statements still costs N answers, N
//! wake-ups of the client and, outside `BEGIN`, N transactions. Here the statements share
//! one `Sync`: one answer, and one implicit transaction when not inside `BEGIN` (it
//! commits at the `Sync`, or rolls back if any statement failed; after a failure the
//! server skips the remaining statements).

use crate::client::InnerClient;
use crate::codec::FrontendMessage;
use crate::connection::RequestMessages;
use crate::query::{encode_bind, extract_row_affected};
use crate::types::{ToSql, Type};
use crate::{Error, Row, Statement};
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;

/// One statement of a pipeline, with its parameters.
pub struct Step<'a> {
    /// The prepared statement to run. An unnamed one (from `Client::describe`) is parsed
    /// again from `text` first: the server keeps only the last unnamed statement.
    pub statement: &'a Statement,
    /// The statement's text.
    pub text: &'a str,
    /// Its parameters, in order.
    pub params: &'a [&'a (dyn ToSql + Sync)],
}

/// What one statement of a pipeline answered.
#[derive(Default)]
pub struct Answer {
    /// The rows it returned, if any.
    pub rows: Vec<Row>,
    /// The count of its command tag (rows inserted, updated, ...).
    pub rows_affected: u64,
}

/// The answers of a pipeline: one per statement that ran, in order. The first error is
/// the last entry, and the statements after it did not run. They reached the `Sync`
/// unless that error was FATAL (the server then ended the session). An error after the
/// last statement's answer came at the `Sync`: outside `BEGIN`, the implicit transaction
/// failed to commit (or, if FATAL, the session ended while it committed: outcome unknown).
/// A pipeline that could not be sent answers its first statement with the error.
pub type Answers = Vec<Result<Answer, Error>>;

pub(crate) async fn pipeline(client: &InnerClient, steps: &[Step<'_>]) -> Result<Answers, Error> {
    let buf = client.with_buf(|buf| {
        for step in steps {
            if step.statement.name().is_empty() {
                let types = step.statement.params().iter().map(Type::oid);
                frontend::parse("", step.text, types, buf).map_err(Error::encode)?;
            }
            encode_bind(step.statement, step.params.iter().copied(), "", buf)?;
            frontend::execute("", 0, buf).map_err(Error::encode)?;
        }
        frontend::sync(buf);
        Ok(buf.split().freeze())
    })?;
    // Not sent at all: the connection was closed already. Told as the first statement's
    // failure, since that is what it is (nothing ran), and not as a loss of unknown outcome.
    let mut responses = match client.send(RequestMessages::Single(FrontendMessage::Raw(buf))) {
        Ok(responses) => responses,
        Err(e) => return Ok(vec![Err(e)]),
    };
    let mut answers = Answers::with_capacity(steps.len());
    let mut current = Answer::default();
    loop {
        match responses.next().await {
            Ok(Message::ParseComplete | Message::BindComplete) => {}
            Ok(Message::DataRow(body)) => {
                let step = steps.get(answers.len()).ok_or_else(Error::unexpected_message)?;
                current.rows.push(Row::new(step.statement.clone(), body)?);
            }
            Ok(Message::CommandComplete(body)) => {
                current.rows_affected = extract_row_affected(&body)?;
                answers.push(Ok(std::mem::take(&mut current)));
            }
            Ok(Message::EmptyQueryResponse) => answers.push(Ok(std::mem::take(&mut current))),
            Ok(Message::ReadyForQuery(_)) => return Ok(answers),
            Ok(_) => return Err(Error::unexpected_message()),
            // The server reported it: the rest is skipped until the Sync, which still
            // answers.
            Err(e) if e.as_db_error().is_some() => answers.push(Err(e)),
            // A FATAL error ends the session with no answer to the Sync; it said what
            // failed, and nothing after it ran.
            Err(_) if answers.last().is_some_and(Result::is_err) => return Ok(answers),
            Err(e) => return Err(e),
        }
    }
}
