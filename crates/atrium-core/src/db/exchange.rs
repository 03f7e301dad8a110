//! One exchange with the server: `BEGIN` and the tenant's settings when the transaction
//! starts, its statements, and its end when it ends, all under one `Sync`; and what the
//! server's answers (or their absence) mean for the transaction.

use deadpool_postgres::ClientWrapper;
use smallvec::SmallVec;
use tokio_postgres::{
    pipeline::{self, Step},
    types::ToSql,
    Row,
};

use super::{TenantScope, STATEMENTS_PER_CONNECTION};
use crate::failover;

/// What a statement is run for.
pub(super) enum Work<'a> {
    Query(&'a [&'a (dyn ToSql + Sync)]),
    Execute(&'a [&'a (dyn ToSql + Sync)]),
    /// Raw SQL, alone in its exchange.
    Batch,
}

/// One statement of an exchange: its text (tagged with the tenant's schema) and its work.
pub(super) struct Statement<'a> {
    pub sql: String,
    pub work: Work<'a>,
}

impl Work<'_> {
    /// The bound values of a prepared statement; None for raw SQL, which is never prepared.
    fn params(&self) -> Option<&[&(dyn ToSql + Sync)]> {
        match self {
            Work::Query(p) | Work::Execute(p) => Some(p),
            Work::Batch => None,
        }
    }
}

pub(super) enum Done {
    Rows(Vec<Row>),
    Count(u64),
    Nothing,
}

impl Done {
    /// The rows of a query (`Work::Query` answers nothing else).
    pub fn into_rows(self) -> Vec<Row> {
        match self {
            Done::Rows(rows) => rows,
            _ => unreachable!("a query answers rows"),
        }
    }
}

/// Most exchanges carry one statement; a list carries two.
pub(super) type Several<T> = SmallVec<[T; 2]>;

/// What one exchange with the server came to.
#[derive(Default)]
pub(super) struct Answers {
    /// `BEGIN` and the scope's settings, when they went out and were answered.
    pub enter: Option<Result<(), tokio_postgres::Error>>,
    /// The answers of the statements that ran, in order. A failure is the last: the
    /// server skips the rest.
    pub statements: Several<Result<Done, tokio_postgres::Error>>,
    /// The answer to the end of the transaction: `COMMIT`'s, or for an implicit
    /// transaction an error at its `Sync` (it failed to commit). None when it was not
    /// answered, or, for an implicit transaction, when it committed.
    pub commit: Option<Result<(), tokio_postgres::Error>>,
    /// The connection failed before the server's last answer.
    pub lost: Option<tokio_postgres::Error>,
    /// Whether the end of the transaction went out (a `COMMIT`, or the `Sync` of an
    /// implicit transaction).
    ends: bool,
    /// Whether the server answered that the transaction is over (committed or rolled
    /// back), so the connection is clean. After a failed statement the server skips the
    /// rest up to the `Sync`, an explicit `COMMIT` included: then it is still open.
    pub closed: bool,
}

impl Answers {
    pub fn errors(&self) -> impl Iterator<Item = &tokio_postgres::Error> {
        let enter = self.enter.as_ref().and_then(|r| r.as_ref().err());
        let statements = self.statements.iter().filter_map(|r| r.as_ref().err());
        let commit = self.commit.as_ref().and_then(|r| r.as_ref().err());
        enter.into_iter().chain(statements).chain(commit)
    }

    /// Whether the transaction may have committed though no answer says so: the end of
    /// the transaction went out and either the connection broke with no word from the
    /// server on a failure (a failure it reported before the end means nothing was
    /// committed), or the session ended while it committed (a FATAL error as the end's
    /// answer: a shutdown during a commit that waits for a standby comes after the local
    /// commit).
    pub fn outcome_unknown(&self) -> bool {
        self.ends
            && match &self.commit {
                Some(Err(e)) => ends_session(e),
                Some(Ok(())) => false,
                None => self.lost.is_some() && self.errors().next().is_none(),
            }
    }

    pub fn connection_broke(&self) -> bool {
        self.lost.is_some() || self.errors().any(failover::is_connection_error)
    }
}

/// Whether the server ended the session with this error (FATAL, PANIC), or the connection
/// failed with no report from the server at all.
pub(crate) fn ends_session(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().is_none() || failover::is_fatal(e)
}

/// Sends `BEGIN` and the scope's settings (`enter`), the statements and `COMMIT`
/// (`commit`) under one `Sync`: one answer. A transaction that is one exchange (`enter`
/// and `commit`) needs neither `BEGIN` nor `COMMIT`: the statements of one `Sync` are one
/// implicit transaction. A statement this connection has not prepared for this tenant
/// yet costs two more round trips: it can only be prepared inside the tenant's
/// transaction. Behind a transaction-mode pooler the statements are unnamed (see
/// [`learn`]): the same round trips, and the server parses each statement every time.
pub(super) async fn exchange(
    client: &ClientWrapper,
    enter: Option<&TenantScope>,
    statements: &[Statement<'_>],
    commit: bool,
) -> Answers {
    let mut answers = Answers::default();
    let kept: Several<_> = statements
        .iter()
        .map(|s| s.work.params().and_then(|_| client.kept_statement(&s.sql)))
        .collect();
    let all_kept = kept.iter().all(Option::is_some);
    let implicit = enter.is_some() && commit && all_kept;
    let enter_sql = enter.map(TenantScope::enter_sql);
    let fixed = async {
        let begin = match enter.is_some() && !implicit {
            true => Some(fixed(client, "BEGIN").await?),
            false => None,
        };
        let setup = match enter_sql {
            Some(sql) => Some(fixed(client, sql).await?),
            None => None,
        };
        let end = match commit && !implicit {
            true => Some(fixed(client, "COMMIT").await?),
            false => None,
        };
        Ok::<_, tokio_postgres::Error>((begin, setup, end))
    };
    let (begin, setup, end) = match fixed.await {
        Ok(s) => s,
        Err(e) => {
            answers.lost = Some(e);
            return answers;
        }
    };
    let enter_params = enter.map(TenantScope::enter_params).unwrap_or_default();
    let mut entering: SmallVec<[Step; 6]> = SmallVec::new();
    if let Some(begin) = &begin {
        entering.push(Step {
            statement: begin,
            text: "BEGIN",
            params: &[],
        });
    }
    if let (Some(setup), Some(text)) = (&setup, enter_sql) {
        entering.push(Step {
            statement: setup,
            text,
            params: &enter_params,
        });
    }
    let prepared: Several<tokio_postgres::Statement> = if all_kept {
        kept.into_iter().flatten().collect()
    } else {
        // Into the tenant first, so the statements are prepared under its search_path.
        if !entering.is_empty() {
            let run = client.pipeline(&entering).await;
            if split(run, entering.len(), &mut answers).is_none() {
                return answers;
            }
            entering.clear();
        }
        if let [Statement {
            sql,
            work: Work::Batch,
        }] = statements
        {
            let done = client.batch_execute(sql).await.map(|()| Done::Nothing);
            answers.statements.push(done);
            return answers;
        }
        let mut prepared = Several::new();
        for (statement, kept) in statements.iter().zip(kept) {
            match kept {
                Some(stmt) => prepared.push(stmt),
                None => match learn(client, &statement.sql).await {
                    Ok(stmt) => {
                        client.keep_statement(&statement.sql, &stmt, STATEMENTS_PER_CONNECTION);
                        prepared.push(stmt);
                    }
                    Err(e) => {
                        answers.statements.push(Err(e));
                        return answers;
                    }
                },
            }
        }
        prepared
    };
    let first = entering.len();
    let mut steps = entering;
    for (statement, stmt) in statements.iter().zip(&prepared) {
        steps.push(Step {
            statement: stmt,
            text: &statement.sql,
            params: statement.work.params().unwrap_or_default(),
        });
    }
    if let Some(end) = &end {
        steps.push(Step {
            statement: end,
            text: "COMMIT",
            params: &[],
        });
    }
    answers.ends = commit;
    // An implicit transaction is over at the Sync's answer, whatever failed in it.
    answers.closed = implicit;
    let run = client.pipeline(&steps).await;
    let Some(mut rest) = split(run, first, &mut answers) else {
        return answers;
    };
    for statement in statements {
        let Some(answer) = rest.next() else { break };
        let failed = answer.is_err();
        answers
            .statements
            .push(answer.map(|a| match statement.work {
                Work::Execute(_) => Done::Count(a.rows_affected),
                _ => Done::Rows(a.rows),
            }));
        if failed {
            break;
        }
    }
    // After the statements' answers: COMMIT's; or an error the server reported at the
    // Sync (a failed commit of an implicit transaction, or a statement timeout or cancel
    // that struck between the last statement and the Sync). Inside an explicit
    // transaction that leaves it aborted and open: a failure, never the end.
    match (commit, rest.next()) {
        (true, tail) => answers.commit = tail.map(|r| r.map(|_| ())),
        (false, Some(Err(e))) => answers.statements.push(Err(e)),
        (false, _) => {}
    }
    answers.closed = implicit || answers.commit.is_some();
    answers
}

/// A statement every transaction uses (`BEGIN`, the scope's settings, `COMMIT`), made
/// once per connection.
async fn fixed(
    client: &ClientWrapper,
    sql: &str,
) -> Result<tokio_postgres::Statement, tokio_postgres::Error> {
    if !client.unnamed_statements() {
        return client.prepare_cached(sql).await;
    }
    if let Some(kept) = client.kept_statement(sql) {
        return Ok(kept);
    }
    let stmt = client.describe(sql).await?;
    client.keep_statement(sql, &stmt, STATEMENTS_PER_CONNECTION);
    Ok(stmt)
}

/// What a connection keeps of a statement it has not run yet: the statement prepared on
/// the server, or behind a transaction-mode pooler only its types (the pipeline parses
/// its text again each time, so nothing outlives the transaction on the server).
async fn learn(
    client: &ClientWrapper,
    sql: &str,
) -> Result<tokio_postgres::Statement, tokio_postgres::Error> {
    match client.unnamed_statements() {
        true => client.describe(sql).await,
        false => client.prepare(sql).await,
    }
}

/// Records the answers to the first `entering` statements of a pipeline (`BEGIN` and the
/// scope's settings) and hands back the rest, or None if they failed or the connection
/// did.
fn split(
    run: Result<pipeline::Answers, tokio_postgres::Error>,
    entering: usize,
    answers: &mut Answers,
) -> Option<std::vec::IntoIter<Result<pipeline::Answer, tokio_postgres::Error>>> {
    let mut run = match run {
        Ok(all) => all.into_iter(),
        Err(e) => {
            answers.lost = Some(e);
            return None;
        }
    };
    if entering > 0 {
        for _ in 0..entering {
            if let Some(Err(e)) = run.next() {
                answers.enter = Some(Err(e));
                return None;
            }
        }
        answers.enter = Some(Ok(()));
    }
    Some(run)
}
