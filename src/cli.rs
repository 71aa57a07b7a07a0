//! The command line: `kho serve`, `kho migrate`, `kho user add`, `kho token create`, `kho demo load`,
//! `kho search rebuild`, `kho harvest sources|run|jobs`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

use crate::actions::{self, Services};
use crate::auth::Caller;
use crate::config::{Config, ConfigLayer};
use crate::error::ActionError;
use crate::store::Store;
use crate::{app, demo, telemetry};

#[derive(Debug, Parser)]
#[command(name = "kho", version, about = "Kho: open-data catalogue server speaking the CKAN Action API")]
struct Cli {
    /// Folder for the SQLite store, uploads and the search index (also KHO_DATA_DIR; default ./data).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (also KHO_CONFIG; default ./kho.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (applies pending migrations first).
    Serve {
        /// Address to listen on (also KHO_BIND; default 127.0.0.1:5000).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// Load the demo catalogue first when the store is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The demo catalogue.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// The search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// The provincial reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Harvest sources and jobs.
    Harvest {
        #[command(subcommand)]
        command: HarvestCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// The quarterly update compliance report: each department's datasets due in the quarter
    /// and whether they were updated on time (CSV: one line per dataset; JSON: the whole report).
    Updates {
        /// The quarter, e.g. 2026Q3.
        #[arg(long)]
        quarter: String,
        /// `csv` (the default), `xlsx` (written to standard output) or `json`.
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
enum HarvestCommand {
    /// List the harvest sources.
    Sources,
    /// Run a job of SOURCE (name or id) now, in this process, with progress.
    Run { source: String },
    /// List the jobs of SOURCE, newest first.
    Jobs { source: String },
}

#[derive(Debug, Subcommand)]
enum SearchCommand {
    /// Rebuild the search index from the store (stop the server on this data directory
    /// first; a running server keeps its index current by itself).
    Rebuild,
    /// Compare the index with the store (ids, state, metadata_modified, privacy labels); print
    /// each difference and exit with status 1 when there is any.
    Verify {
        /// Re-index the datasets that differ (through the change log, so every node repairs
        /// its own index), then verify again.
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user account.
    Add {
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        fullname: Option<String>,
        /// Make the user a sysadmin.
        #[arg(long)]
        sysadmin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for USER and print it alone on stdout.
    Create {
        user: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Fill an empty store with the demo catalogue (330 datasets), or with `--datasets N`
    /// generated datasets; on a store that has the demo, add N more.
    Load {
        #[arg(long, value_name = "N")]
        datasets: Option<usize>,
    },
}

/// Reads the configuration layers: defaults < file < environment < flags.
fn load_config(cli: &Cli, bind: Option<String>) -> anyhow::Result<Config> {
    let env = |name: &str| std::env::var(name).ok();
    let file = cli.config.clone().or_else(|| env("KHO_CONFIG").map(PathBuf::from)).or_else(|| {
        let default = Path::new("kho.toml");
        default.exists().then(|| default.to_path_buf())
    });
    let mut config = Config::default();
    if let Some(path) = file {
        config = config.merged(ConfigLayer::from_file(&path)?);
    }
    config = config.merged(ConfigLayer::from_env(env)?);
    let flags = ConfigLayer { data_dir: cli.data_dir.clone(), bind, ..Default::default() };
    Ok(config.merged(flags))
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn action_failure(error: ActionError) -> anyhow::Error {
    anyhow::anyhow!("{}", error.to_error_object())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let bind = match &cli.command {
        Command::Serve { bind, .. } => bind.clone(),
        _ => None,
    };
    let config = load_config(&cli, bind)?;
    telemetry::init(&config.log_format);
    match cli.command {
        Command::Serve { demo: with_demo, .. } => serve(config, with_demo),
        Command::Migrate => {
            let store = Store::connect(&config.effective_database_url(), 1, config.sqlite_synchronous()?)?;
            let applied = store.migrate()?;
            println!("migrations applied: {applied}");
            Ok(())
        }
        Command::User { command: UserCommand::Add { name, email, password, fullname, sysadmin } } => {
            let services = crate::app::services(config)?;
            let params =
                json!({"name": name, "email": email, "password": password, "fullname": fullname, "sysadmin": sysadmin});
            let user =
                actions::call_by_name(&services, Caller::system(), "user_create", params).map_err(action_failure)?;
            println!("{}", user.get("id").and_then(Value::as_str).unwrap_or_default());
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { user, name } } => {
            let services = crate::app::services(config)?;
            let result = actions::call_by_name(
                &services,
                Caller::system(),
                "api_token_create",
                json!({"user": user, "name": name}),
            )
            .map_err(action_failure)?;
            println!("{}", result.get("token").and_then(Value::as_str).unwrap_or_default());
            Ok(())
        }
        Command::Search { command: SearchCommand::Rebuild } => {
            let services = crate::app::services(config)?;
            let (count, took) = crate::feed::rebuild(&services, true)?;
            println!(
                "indexed {count} datasets in {:.1} s ({:.0}/s)",
                took.as_secs_f64(),
                count as f64 / took.as_secs_f64().max(1e-9)
            );
            Ok(())
        }
        Command::Search { command: SearchCommand::Verify { repair } } => {
            let services = crate::app::services(config)?;
            verify_index(&services, repair)
        }
        Command::Report { command: ReportCommand::Updates { quarter, format } } => {
            let services = crate::app::services(config)?;
            let report = actions::call_by_name(
                &services,
                Caller::system(),
                "update_compliance_report",
                json!({"quarter": quarter}),
            )
            .map_err(action_failure)?;
            let table = || crate::actions::compliance_report::report_table(&report);
            match format.as_str() {
                "json" => println!("{}", serde_json::to_string_pretty(&report)?),
                "csv" => print!("{}", crate::tabular::csv(&table())?),
                "xlsx" => std::io::stdout().write_all(&crate::tabular::xlsx(&quarter, &table())?)?,
                other => anyhow::bail!("--format must be csv, xlsx or json, not {other:?}"),
            }
            Ok(())
        }
        Command::Harvest { command } => {
            let services = crate::app::services(config)?;
            match command {
                HarvestCommand::Sources => crate::harvest::command::list(&services),
                HarvestCommand::Run { source } => crate::harvest::command::run_now(&services, &source),
                HarvestCommand::Jobs { source } => crate::harvest::command::jobs(&services, &source),
            }
        }
        Command::Demo { command: DemoCommand::Load { datasets } } => {
            let services = crate::app::services(config)?;
            demo::load(&services, datasets)?;
            Ok(())
        }
    }
}

/// `kho search verify [--repair]`: prints the differences that persist (a running server may
/// be a moment behind the store, so what differs is checked again after a short wait).
fn verify_index(services: &Services, repair: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut differences = crate::feed::verify(services)?;
    if !differences.is_empty() {
        std::thread::sleep(std::time::Duration::from_secs(2));
        services.search.reader.reload()?;
        let again = crate::feed::verify(services)?;
        differences.retain(|d| again.contains(d));
    }
    for difference in &differences {
        println!("{difference}");
    }
    eprintln!("{} difference(s), verified in {:.1} s", differences.len(), started.elapsed().as_secs_f64());
    if differences.is_empty() {
        return Ok(());
    }
    if !repair {
        anyhow::bail!("the search index differs from the store ({} difference(s))", differences.len());
    }
    let mut ids: Vec<String> = differences.iter().map(|d| d.id().to_string()).collect();
    ids.dedup();
    crate::feed::request_reindex(services, &ids)?;
    eprintln!("asked every node to re-index {} dataset(s); verifying again", ids.len());
    if let Ok(mut indexer) = crate::feed::Indexer::start(services) {
        // No server holds this data directory's index: apply the change log here.
        indexer.catch_up(services)?;
    } else {
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    verify_index(services, false)
}

fn serve(config: Config, with_demo: bool) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let application = app::build(config)?;
        if with_demo {
            let services = application.services.clone();
            actix_web::web::block(move || demo::load(&services, None)).await??;
        }
        let store_kind = format!("{:?}", application.services.store.backend()).to_lowercase();
        tracing::info!(url = %format!("http://{}", application.address), store = %store_kind, "kho is listening");
        application.server.await?;
        Ok(())
    })
}
