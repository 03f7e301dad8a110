//! The terminal's view of `atrium migrate`: a bar over the tenants that are behind.

use std::time::Duration;

use atrium_control::migrate::Progress;
use indicatif::{ProgressBar, ProgressStyle};

pub struct Bar(ProgressBar);

impl Default for Bar {
    fn default() -> Self {
        Self(ProgressBar::hidden())
    }
}

impl Progress for Bar {
    fn start(&self, behind: u64) {
        if behind == 0 {
            return;
        }
        let style = ProgressStyle::with_template(
            "{spinner} migrating tenants [{bar:40}] {pos}/{len} {msg} ({eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        self.0.set_style(style);
        self.0.set_length(behind);
        self.0
            .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.0.enable_steady_tick(Duration::from_millis(120));
    }

    fn tenant_done(&self, slug: &str, ok: bool) {
        self.0.inc(1);
        if !ok {
            self.0.set_message(format!("{slug} failed"));
        }
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
