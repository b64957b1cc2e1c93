//! The `folio` command line: serve, migrate, tokens, import, export, purge, openapi.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::api::articles::ArticleStatus;
use crate::assets::{archive, AssetStore};
use crate::auth::{self, Scope};
use crate::config::Config;
use crate::db::audit;
use crate::db::tokens::{self, TokenState};
use crate::db::{self, changes, commit, dump, trash, Database};
use crate::readiness::Readiness;
use crate::{demo, import, startup};

#[derive(Debug, Parser)]
#[command(
    name = "folio",
    version,
    about = "A headless content API over SQLite or PostgreSQL"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (applies pending migrations first).
    Serve {
        /// Load the demo articles when the database has none.
        #[arg(long)]
        demo: bool,
        /// Address to listen on; overrides FOLIO_BIND.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import plain-text, Markdown (front matter) or JSON files and directories,
    /// or restore a `folio export` file into an empty database.
    Import {
        /// Files or directories (walked for .txt, .md, .markdown, .json, .ndjson, .jsonl).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Status for articles whose file gives none (new articles default to draft).
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Section for articles whose file names none.
        #[arg(long)]
        section: Option<String>,
        /// Check everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// With an export: the folder of its asset files (by default the one
        /// beside it, `site.ndjson` → `site-assets`, when there is one).
        #[arg(long)]
        assets: Option<PathBuf>,
    },
    /// Write everything (content, revisions, trash, audit log, tokens without their
    /// secrets) as NDJSON; `folio import FILE` restores it into an empty database.
    Export {
        /// Where to write; standard output without it.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Where to copy the asset files (named by asset id); by default a folder
        /// beside the output (`site.ndjson` → `site-assets`). Without either, the
        /// export names files that stay in the asset store.
        #[arg(long)]
        assets: Option<PathBuf>,
    },
    /// Remove for good the articles deleted longer ago than a lifetime (revisions
    /// included); trim the change log to FOLIO_CHANGES_RETENTION (sync) and
    /// FOLIO_AUDIT_RETENTION (audit), and settled webhook messages.
    Purge {
        /// How long deleted articles stay restorable, such as `30d`.
        #[arg(long, value_parser = humantime::parse_duration)]
        older_than: std::time::Duration,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; the last line printed is the token alone.
    Create {
        /// A unique name to recognise the token by in lists, logs and the audit log.
        #[arg(long)]
        name: String,
        /// What it may do: read (drafts included), write (and change content) or admin (and manage tokens).
        #[arg(long, value_enum)]
        scope: Scope,
        /// Lifetime, such as `30d` or `12h`; the token never expires without it.
        #[arg(long, value_parser = humantime::parse_duration)]
        expires_in: Option<std::time::Duration>,
    },
    /// List tokens (never their secrets).
    List {
        /// Print a JSON array (the API's token objects) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by name; it stops working at once.
    Revoke {
        /// The name the token was created with.
        name: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    Draft,
    Published,
    Archived,
}

impl From<StatusArg> for ArticleStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Draft => ArticleStatus::Draft,
            StatusArg::Published => ArticleStatus::Published,
            StatusArg::Archived => ArticleStatus::Archived,
        }
    }
}

fn open(config: &Config) -> Result<Database, String> {
    let db = Database::connect_for_batch(&config.database_url, config.pool_size)?;
    prepare(&db)?;
    Ok(db)
}

/// Migrations, what articles' bodies are worked out into and the search index
/// for rows written before them, planner statistics.
fn prepare(db: &Database) -> Result<(), String> {
    let applied = db.migrate()?;
    if applied > 0 {
        log::info!(
            "applied {applied} migration(s) to the {} database",
            db.backend.name()
        );
    }
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let derived = db::articles::rederive(&mut conn)
        .map_err(|e| format!("cannot work out articles' blocks: {e}"))?;
    if derived > 0 {
        log::info!("worked out the blocks and HTML of {derived} article(s)");
    }
    let indexed = commit::index_missing(&mut conn)
        .map_err(|e| format!("cannot build the search index: {e}"))?;
    if indexed > 0 {
        log::info!("added {indexed} article(s) to the search index");
    }
    adopt_audit_entries(&mut conn)?;
    db::refresh_statistics(&mut conn, db::Statistics::Routine).map_err(|e| e.to_string())?;
    Ok(())
}

/// Prepares the database in the background, retrying with backoff (1 s doubling
/// to 30 s) while it is unreachable, then marks the server ready.
fn prepare_when_reachable(db: Database, config: Config, with_demo: bool, readiness: Readiness) {
    std::thread::spawn(move || {
        let mut delay = Duration::from_secs(1);
        loop {
            match prepare(&db) {
                Ok(()) => break,
                Err(e) => {
                    log::warn!(
                        "the {} database is not ready ({}); retrying in {} s",
                        db.backend.name(),
                        db::one_line(&e),
                        delay.as_secs()
                    );
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
            }
        }
        if with_demo {
            match demo::load(&db, &config) {
                Ok(Some(summary)) => {
                    log::info!("demo content: {}", summary.line(false));
                    for failure in &summary.failures {
                        log::warn!("demo content: {failure}");
                    }
                }
                Ok(None) => {
                    log::info!("the database already has articles; demo content not loaded")
                }
                Err(e) => log::error!("demo content not loaded: {e}"),
            }
        }
        readiness.set_ready();
        log::info!("the {} database is ready", db.backend.name());
    });
}

/// The one file given, if it is a `folio export`.
fn export_file(paths: &[PathBuf]) -> Option<PathBuf> {
    use std::io::BufRead;
    let [path] = paths else { return None };
    let file = std::fs::File::open(path).ok()?;
    let mut first = String::new();
    std::io::BufReader::new(file).read_line(&mut first).ok()?;
    dump::is_export(&first).then(|| path.clone())
}

fn progress_bar(what: &str) -> ProgressBar {
    let progress = ProgressBar::new(0);
    progress.set_style(
        ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    progress.set_message(what.to_owned());
    progress
}

/// Runs a parsed command; errors are reported on stderr with a non-zero exit.
pub fn run(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> Result<ExitCode, String> {
    if let Command::Openapi = cli.command {
        print!("{}", startup::spec_json()?);
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::from_env()?;
    match cli.command {
        Command::Openapi => unreachable!("handled above"),
        Command::Migrate => migrate(&config),
        Command::Serve { demo, bind } => serve(config, demo, bind),
        Command::Token { command } => token(&config, command),
        Command::Export { output, assets } => export(&config, output, assets),
        Command::Purge { older_than } => purge(&config, older_than),
        Command::Import {
            paths,
            status,
            section,
            dry_run,
            assets,
        } => {
            let db = open(&config)?;
            match export_file(&paths) {
                Some(export) => restore(&config, &db, &export, assets),
                None => {
                    let options = import::Options {
                        status: status.map(Into::into),
                        section,
                        dry_run,
                        timezone: config.timezone,
                        limits: config.limits.clone(),
                    };
                    import_documents(&db, &paths, &options)
                }
            }
        }
    }
}

/// `folio migrate`: applies pending migrations, then brings up to date what is
/// worked out from the rows (as a server does when it starts).
fn migrate(config: &Config) -> Result<ExitCode, String> {
    let db = Database::connect_for_batch(&config.database_url, 1)?;
    let applied = db.migrate()?;
    println!(
        "{applied} migration(s) applied to the {} database",
        db.backend.name()
    );
    prepare(&db)?;
    Ok(ExitCode::SUCCESS)
}

/// `folio serve`: listens at once, and prepares the database when it is reachable.
fn serve(config: Config, with_demo: bool, bind: Option<String>) -> Result<ExitCode, String> {
    // Listen at once: /health answers and /ready says 503 while the
    // database is still out of reach.
    let db = Database::connect_later(&config.database_url, config.pool_size, config.sqlite_memory)?
        .with_replicas(
            &config.read_database_urls,
            config.pool_size,
            config.read_max_lag,
        )?;
    let readiness = Readiness::starting();
    let bind = bind.unwrap_or(config.bind.clone());
    let listener = TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let mut settings = config.server_settings();
    settings.site.listening_at(address);
    if with_demo && settings.site.url.is_none() {
        settings.site.url = Some(demo::SITE_URL.to_owned());
        log::info!(
            "demo: FOLIO_SITE_URL is not set; permalinks, feeds and sitemaps use {}",
            demo::SITE_URL
        );
    }
    let backend = db.backend.name();
    prepare_when_reachable(db.clone(), config, with_demo, readiness.clone());
    actix_web::rt::System::new().block_on(async move {
        let server =
            startup::serve(listener, db, settings, readiness).map_err(|e| e.to_string())?;
        log::info!("Folio listening on http://{address} ({backend} database)");
        server.await.map_err(|e| format!("server error: {e}"))
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `folio token`: creates, lists and revokes tokens.
fn token(config: &Config, command: TokenCommand) -> Result<ExitCode, String> {
    let db = open(config)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    match command {
        TokenCommand::Create {
            name,
            scope,
            expires_in,
        } => {
            let name = auth::token_name(&name).map_err(|e| e.to_string())?;
            let expires_at = expires_in
                .map(|d| auth::expiry_after(d).map_err(|e| e.to_string()))
                .transpose()?;
            let (token, hash) = auth::generate_token();
            db::write_tx(&mut conn, |conn| {
                tokens::create(
                    conn,
                    (&name, scope.as_str(), &hash),
                    expires_at,
                    TOKEN_ACTOR,
                )
            })
            .map_err(|e| e.to_string())?;
            let until = expires_at.map_or_else(
                || "no expiry".to_owned(),
                |t| format!("expires {}", t.and_utc().to_rfc3339()),
            );
            eprintln!(
                "Created token {name:?} with scope {} ({until}). It is shown only once:",
                scope.as_str()
            );
            println!("{token}");
        }
        TokenCommand::List { json } => {
            let rows = tokens::list(&mut conn).map_err(|e| e.to_string())?;
            if json {
                let listed = rows
                    .into_iter()
                    .map(crate::api::tokens::Token::try_from)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string())?;
                let text = serde_json::to_string_pretty(&listed).map_err(|e| e.to_string())?;
                println!("{text}");
            } else {
                print_token_table(rows);
            }
        }
        TokenCommand::Revoke { name } => {
            let revoked = db::write_tx(&mut conn, |conn| tokens::revoke(conn, &name, TOKEN_ACTOR))
                .map_err(|e| e.to_string())?;
            if !revoked {
                return Err(format!("no active token named {name:?}"));
            }
            println!("revoked {name:?}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `folio export`: every row as JSON lines, and the asset files beside them.
fn export(
    config: &Config,
    output: Option<PathBuf>,
    assets: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let db = open(config)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let progress = progress_bar("exporting");
    let mut out: Box<dyn std::io::Write> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let rows = dump::export(
        &mut conn,
        &mut out,
        &|total| progress.set_length(total),
        &|n| progress.inc(n),
    )
    .map_err(|e| e.to_string())?;
    out.flush()
        .map_err(|e| format!("cannot write the export: {e}"))?;
    progress.finish_and_clear();
    eprintln!("exported {rows} row(s)");
    let files = db::assets::files(&mut conn).map_err(|e| e.to_string())?;
    let dir = assets.or_else(|| output.as_deref().map(archive::beside));
    if let (Some(dir), false) = (dir, files.is_empty()) {
        let store = AssetStore::open(&config.assets.store)?;
        let copied = archive::export_files(&store, &files, &dir)?;
        eprintln!("copied {copied} asset file(s) to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `folio purge`: empties the trash and trims the logs.
fn purge(config: &Config, older_than: std::time::Duration) -> Result<ExitCode, String> {
    let db = open(config)?;
    let cutoff = ago(older_than, "--older-than")?;
    let changes_cutoff = ago(config.changes_retention, "FOLIO_CHANGES_RETENTION")?;
    let audit_cutoff = config
        .audit_retention
        .map(|kept| ago(kept, "FOLIO_AUDIT_RETENTION"))
        .transpose()?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let (purged, trimmed, deliveries) = db::write_tx(&mut conn, |conn| {
        let purged = trash::purge(conn, cutoff, "folio purge")?;
        let trimmed = changes::trim(conn, changes_cutoff, audit_cutoff)?;
        let deliveries = db::webhooks::trim(conn, changes_cutoff)?;
        Ok((purged, trimmed, deliveries))
    })
    .map_err(|e| e.to_string())?;
    println!(
        "purged {purged} article(s) deleted before {}; trimmed {trimmed} change(s) and {deliveries} settled webhook message(s) made before {}",
        cutoff.and_utc().to_rfc3339(),
        changes_cutoff.and_utc().to_rfc3339()
    );
    Ok(ExitCode::SUCCESS)
}

/// `folio import` of an export: restores its asset files, then its rows.
fn restore(
    config: &Config,
    db: &Database,
    export: &Path,
    assets: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let open_export = || {
        std::fs::File::open(export)
            .map(std::io::BufReader::new)
            .map_err(|e| format!("cannot read {}: {e}", export.display()))
    };
    // The files first: rows never name a file the store lacks, and a
    // failed restore leaves only files a retry finds in place.
    let files = dump::asset_files(&mut open_export()?).map_err(|e| e.to_string())?;
    if !files.is_empty() {
        let dir = assets.unwrap_or_else(|| archive::beside(export));
        let store = AssetStore::open(&config.assets.store)?;
        let restored = archive::restore_files(&store, &files, &dir)?;
        println!("restored {restored} asset file(s) from {}", dir.display());
    }
    let progress = progress_bar("restoring");
    progress.set_length(std::io::BufRead::lines(open_export()?).count() as u64);
    let file = open_export()?;
    let rows = dump::restore(&mut conn, &mut { file }, &|n| progress.inc(n))
        .map_err(|e| format!("{}: {e}", export.display()))?;
    adopt_audit_entries(&mut conn)?;
    db::refresh_statistics(&mut conn, db::Statistics::AfterBulkWrite).map_err(|e| e.to_string())?;
    progress.finish_and_clear();
    println!("restored {rows} row(s) from {}", export.display());
    Ok(ExitCode::SUCCESS)
}

/// `folio import` of documents: articles from text, Markdown and JSON files.
fn import_documents(
    db: &Database,
    paths: &[PathBuf],
    options: &import::Options,
) -> Result<ExitCode, String> {
    let summary = import::import_paths(db, paths, options);
    if !options.dry_run && summary.created + summary.updated > 0 {
        let mut conn = db.get().map_err(|e| e.to_string())?;
        db::refresh_statistics(&mut conn, db::Statistics::AfterBulkWrite)
            .map_err(|e| e.to_string())?;
    }
    for failure in &summary.failures {
        eprintln!("{failure}");
    }
    println!("{}", summary.line(options.dry_run));
    if !summary.failures.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// How the audit log names token changes made with `folio token`.
const TOKEN_ACTOR: &str = "folio token";

/// Tokens as a table with a header, one a line, tab-separated.
fn print_token_table(rows: Vec<tokens::TokenRow>) {
    println!("NAME\tSCOPE\tCREATED\tSTATE");
    for row in rows {
        let state = match row.state(db::now()) {
            TokenState::Revoked(at) => {
                format!("revoked {}", at.and_utc().to_rfc3339())
            }
            TokenState::Expired(at) => {
                format!("expired {}", at.and_utc().to_rfc3339())
            }
            TokenState::Active => match row.expires_at {
                Some(at) => format!("active until {}", at.and_utc().to_rfc3339()),
                None => "active".into(),
            },
        };
        println!(
            "{}\t{}\t{}\t{}",
            row.name,
            row.scope,
            row.created_at.and_utc().to_rfc3339(),
            state
        );
    }
}

/// The instant `span` before now, or why there is none.
fn ago(span: std::time::Duration, name: &str) -> Result<chrono::NaiveDateTime, String> {
    chrono::TimeDelta::from_std(span)
        .ok()
        .and_then(|d| db::now().checked_sub_signed(d))
        .ok_or_else(|| format!("{name} {span:?} is too long"))
}

/// Moves audit entries kept the old way (a database from before the audit log was
/// read from the change log, or an older export just restored) into the change log.
fn adopt_audit_entries(conn: &mut db::AnyConnection) -> Result<(), String> {
    if !audit::has_kept_entries(conn).map_err(|e| e.to_string())? {
        return Ok(());
    }
    let moved = db::write_tx(conn, audit::adopt_kept_entries).map_err(|e| e.to_string())?;
    log::info!("moved {moved} audit log entries into the change log");
    Ok(())
}
