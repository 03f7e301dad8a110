//! What Atrium leaves on disk about a tenant is readable by its own user only.

use std::{os::unix::fs::PermissionsExt, path::Path, time::Duration};

use reqwest::StatusCode;
use serde_json::json;

use crate::TestApp;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

/// Finding: exports (emails, password hashes, all CRM data) and spool segments
/// (unmasked PII) were created 0644 in 0755 directories.
#[tokio::test]
async fn exports_and_spool_files_are_private() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let (s, b) = app
        .post(&t, "/events", json!({"events": [{"name": "pageview"}]}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");

    let spool = app.db.config.analytics.spool_dir.clone();
    let mut segments = Vec::new();
    for _ in 0..100 {
        segments = std::fs::read_dir(&spool)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        if !segments.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !segments.is_empty(),
        "nothing spooled in {}",
        spool.display()
    );
    assert_eq!(mode(&spool), 0o700, "{}", spool.display());
    for f in &segments {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }

    let deleted = app.control.delete("acme", "test").await.expect("delete");
    let export = deleted.export_path.expect("an export");
    let export = Path::new(&export);
    assert_eq!(mode(export), 0o600, "{}", export.display());
    assert_eq!(mode(export.parent().expect("dir")), 0o700);
}
