use crate::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Structured logs to stderr; `RUST_LOG` overrides the default level (`info`).
/// Per-request lines are logged at `debug` so that busy servers stay quiet.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
