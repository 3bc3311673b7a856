//! The whole job on a built-in demo tenant, with no set-up and no credentials: both emulators
//! start in-process on 127.0.0.1, and the real HTTP clients drive them end to end.
//!
//! ```sh
//! cargo run --example demo
//! ```

mod ldap;
mod tenant;

use std::error::Error;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_client::{GraphClient, GraphConfig};
use graph_emulator::{GraphEmulator, GraphEmulatorConfig};
use ipo_client::{IpoClient, IpoConfig};
use ipo_emulator::{EmulatorConfig, IpoEmulator};
use ipo_model::{AssignmentCategory, AzureAdUser, ObjectId, TeamsPhoneNumber, UserType};
use sync_engine::teams::TeamsApplyOptions;
use sync_engine::{
    MemoryStateStore, RunOptions, Style, SyncConfig, SyncEngine, render_plan, render_report,
};

const TENANT: &str = "0c000000-0000-4000-8000-0000000000aa";
const CLIENT_ID: &str = "0d000000-0000-4000-8000-0000000000bb";
// Demo-only credentials for the in-process emulators; a real run reads them from the environment.
const CLIENT_SECRET: &str = "demo-client-secret-not-real";
const IPO_USER: &str = "ipo-teams-sync";
const IPO_PASSWORD: &str = "demo-ipo-password-not-real";

/// The Teams voice routing policy the example's Teams rules name.
const VOICE_ROUTING_POLICY: &str = "IPO-DirectRouting";

/// The `[sync]` section of the annotated example configuration, with the Teams half of its
/// Teams rules opted into Microsoft Graph (the file keeps `provisioning = "script"`: writing
/// to a tenant is opt-in): the Direct Routing number from the extension, carried as Teams
/// stores extensions, and the voice routing policy. `adopt`: the demo tenant's numbers
/// were assigned by hand, without their extension; the sync may take them over.
fn demo_config() -> Result<SyncConfig, Box<dyn Error>> {
    let file: toml::Table = toml::from_str(include_str!("../sync.example.toml"))?;
    let sync = file
        .get("sync")
        .ok_or("the example configuration has no [sync]")?;
    let text = toml::to_string(sync)?;
    let mut config = SyncConfig::from_toml(&text)?;
    let number: usertype_rules::TeamsNumberRule =
        toml::from_str::<toml::Table>(r#"n = { template = "+441632768{extension}" }"#)?
            .remove("n")
            .ok_or("no number rule")?
            .try_into()?;
    for rule in config
        .rules
        .iter_mut()
        .filter(|r| r.teams.provisions_anything())
    {
        rule.teams.provisioning = usertype_rules::TeamsProvisioning::Graph;
        rule.teams.number = Some(number.clone());
        rule.teams.adopt = true;
    }
    Ok(config)
}

fn heading(style: Style, text: &str) {
    if style.color {
        println!("\n\x1b[1;36m== {text}\x1b[0m");
    } else {
        println!("\n== {text}");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let style = Style {
        color: std::io::stdout().is_terminal(),
    };
    let config = demo_config()?;

    // --- the tenant: groups, people, Teams numbers -------------------------------------
    let graph = GraphEmulator::start(
        GraphEmulatorConfig::default()
            .tenant(TENANT)
            .credentials(CLIENT_ID, CLIENT_SECRET),
    )
    .await?;
    graph.add_group(tenant::IPO_GROUP, "IP Office users")?;
    graph.add_group(tenant::TEAMS_IPO_GROUP, "Teams + IP Office users")?;
    graph.add_group(tenant::TEAMS_ONLY_GROUP, "Teams only users")?;
    graph.add_group(tenant::SALES_GROUP, "Sales (Teams)")?;
    graph.nest_group(tenant::TEAMS_ONLY_GROUP, tenant::SALES_GROUP)?;
    graph.add_teams_policy("OnlineVoiceRoutingPolicy", VOICE_ROUTING_POLICY);
    let people = tenant::people();
    for p in &people {
        add_person(&graph, &p.user)?;
        for g in &p.groups {
            graph.add_member(*g, &p.user.id)?;
        }
    }

    // --- the IP Office: a Server Edition with some manual configuration ---------------
    let snap = tenant::ipo();
    let mut seed = ipo_emulator::Seed::new();
    for u in snap.users {
        seed = seed.user(u);
    }
    for e in snap.extensions {
        seed = seed.extension(e);
    }
    for h in snap.hunt_groups {
        seed = seed.hunt_group(h);
    }
    for l in snap.licenses {
        seed = seed.license(l);
    }
    let (mode, platform) = (snap.system.licensing_mode, snap.system.platform.clone());
    let ipo = IpoEmulator::start(
        EmulatorConfig::new(IPO_USER, IPO_PASSWORD)
            .licensing_mode(snap.system.licensing_mode)
            .platform(snap.system.platform)
            .seed(seed),
    )
    .await?;

    // --- the real clients, over HTTP on 127.0.0.1 ----------------------------------------
    let graph_client = Arc::new(GraphClient::new(
        GraphConfig::new(TENANT, CLIENT_ID, graph_client::Secret::new(CLIENT_SECRET))
            .with_bases(graph.login_base().parse()?, graph.graph_base().parse()?),
    )?);
    let workdir = std::env::temp_dir().join(format!("ipo-teams-demo-{}", std::process::id()));
    std::fs::create_dir_all(&workdir)?;
    let mut ipo_cfg = IpoConfig::new(
        ipo.base_url(),
        IPO_USER,
        ipo_client::Secret::new(IPO_PASSWORD),
    );
    ipo_cfg.directory_csv = Some(workdir.join("ipo-directory.csv"));
    // IP Office's answer does not settle these: the settings state them.
    ipo_cfg.licensing_mode = Some(mode);
    ipo_cfg.platform = Some(platform);
    let ipo_client = Arc::new(IpoClient::new(ipo_cfg)?);
    let engine = SyncEngine::new(
        config.clone(),
        graph_client.clone(),
        ipo_client.clone(),
        Arc::new(MemoryStateStore::new()),
    )
    // The Teams half through the same Graph client: numbers and voice routing policies.
    .with_teams(
        graph_client.clone(),
        TeamsApplyOptions::waiting(Duration::from_secs(60)),
    );

    println!(
        "ipo-teams demo: Microsoft Graph emulator at {}, IP Office emulator at {}",
        graph.graph_base(),
        ipo.base_url()
    );
    println!(
        "{} people in {} groups (one nested); IP Office has {} users, {} hunt group",
        people.len(),
        4,
        ipo.users().len(),
        ipo.hunt_groups().len()
    );

    // IP Office's system directory, imported over LDAP from the sync's directory service.
    let directory = ldap::Directory::start().await?;

    // 1. Classification.
    heading(
        style,
        "1. Who is which user type (classification, before any sync)",
    );
    let dry = engine.run(&RunOptions::dry_run()).await?;
    print_classification(&dry.classification);

    // 2. Dry run.
    heading(style, "2. Dry run: the plan (nothing written)");
    print!("{}", render_plan(&dry.plan, style));

    // 3. Apply.
    heading(style, "3. Apply");
    let applied = engine.run(&RunOptions::apply()).await?;
    if let Some(r) = &applied.report {
        print!("{}", render_report(r, style));
        let html = std::env::temp_dir().join("ipo-teams-demo-report.html");
        let page = ipo_teams_report::render_apply(&applied.plan, r, &Default::default());
        std::fs::write(&html, page)?;
        println!("HTML report (open it in a browser): {}", html.display());
    }
    println!(
        "IP Office now has {} users; system directory file: {}",
        ipo.users().len(),
        workdir.join("ipo-directory.csv").display()
    );
    let records = directory
        .publish(&workdir.join("ipo-directory.csv"))
        .await?;
    println!(
        "IP Office imported {} system directory records over LDAP from {} (no manual import):",
        records.len(),
        directory.url()
    );
    for r in &records {
        println!("  {:<32} {}", r.name, r.number);
    }

    // 4. Plan again: nothing to do.
    heading(style, "4. Plan again (should be empty)");
    let again = engine.run(&RunOptions::dry_run()).await?;
    if again.plan.is_empty() {
        println!("nothing to write: IP Office and Teams are in sync");
    } else {
        print!("{}", render_plan(&again.plan, style));
    }

    // 5. Life goes on in the tenant.
    heading(style, "5. Changes in Azure AD");
    let leaver = person_named(&people, "Max Cooper")?;
    graph.remove_member(tenant::TEAMS_ONLY_GROUP, &leaver)?;
    println!("- Max Cooper leaves the Teams only group");
    let mover = person_named(&people, "Ella Morgan")?;
    graph.set_teams_numbers(
        &mover,
        vec![TeamsPhoneNumber::new(
            "+441632768699",
            AssignmentCategory::Primary,
        )],
    )?;
    graph.set_business_phone(&mover, "+441632768699 x699")?;
    println!("- Ella Morgan's Teams number changes to +44 1632 768699 x699");
    let newcomer = tenant::newcomer();
    add_person(&graph, &newcomer)?;
    graph.add_member(tenant::TEAMS_IPO_GROUP, &newcomer.id)?;
    println!("- Aria Jones joins the Teams + IP Office group");

    // 6. Incremental sync.
    heading(style, "6. Incremental sync (Graph delta)");
    let graph_before = graph_client.stats().requests;
    let inc = engine.run(&RunOptions::apply().incremental()).await?;
    println!(
        "read {} directory changes incrementally: {} ({} Graph requests)",
        if inc.incremental { "only the" } else { "all" },
        inc.incremental,
        graph_client.stats().requests - graph_before
    );
    print!("{}", render_plan(&inc.plan, style));
    if let Some(r) = &inc.report {
        print!("{}", render_report(r, style));
    }

    let before = records.len();
    let records = directory
        .publish(&workdir.join("ipo-directory.csv"))
        .await?;
    println!(
        "IP Office's next directory resync: {} records (was {before}); Max Cooper is {}",
        records.len(),
        if records.iter().any(|r| r.name.contains("Max Cooper")) {
            "still there"
        } else {
            "gone"
        }
    );
    directory.stop().await;

    ipo_client.close().await;
    let _ = std::fs::remove_dir_all(&workdir);
    println!(
        "\ndone in {:.1} s: {} Graph requests, {} IP Office requests",
        started.elapsed().as_secs_f64(),
        graph_client.stats().requests,
        ipo_client.stats().requests
    );
    Ok(())
}

fn add_person(
    graph: &graph_emulator::GraphEmulatorHandle,
    user: &AzureAdUser,
) -> Result<(), Box<dyn Error>> {
    graph.add_user(user.clone())?;
    if let Some(t) = &user.teams {
        graph.set_teams_numbers(&user.id, t.telephone_numbers.clone())?;
    }
    Ok(())
}

fn person_named(people: &[tenant::Person], name: &str) -> Result<ObjectId, Box<dyn Error>> {
    people
        .iter()
        .find(|p| p.user.display_name.as_deref() == Some(name))
        .map(|p| p.user.id.clone())
        .ok_or_else(|| format!("no demo person {name}").into())
}

/// The classification the sync itself acted on: same rules, licence policy and sources.
fn print_classification(result: &usertype_rules::Classification) {
    let summary = result.summary();
    for t in UserType::ALL {
        let now = summary.per_type.get(&t).copied().unwrap_or(0);
        let pending = summary.pending_per_target.get(&t).copied().unwrap_or(0);
        println!(
            "  {:<22} {now:>3} now, {pending:>3} the sync makes one",
            t.to_string()
        );
    }
    println!(
        "  {:<22} {:>3}",
        "blocked by a problem",
        summary.blocked_per_target.values().sum::<usize>() + summary.blocked_without_target
    );
    // What the sync fixes itself is in the plan below; here, what an administrator must act
    // on, and warnings.
    let shown = |v: &usertype_rules::Verdict| -> Vec<String> {
        v.problems
            .iter()
            .filter(|p| !p.sync_can_fix())
            .map(ToString::to_string)
            .collect()
    };
    let with_problems: Vec<_> = result
        .verdicts
        .iter()
        .filter(|v| !shown(v).is_empty())
        .collect();
    // Columns as wide as their longest value: a long address never pushes a line out.
    let label_width = with_problems
        .iter()
        .map(|v| v.person.label.chars().count())
        .max()
        .unwrap_or(0);
    let kind_of = |v: &usertype_rules::Verdict| {
        v.user_type
            .or(v.target)
            .map(|t| t.to_string())
            .unwrap_or_else(|| "no user type".into())
    };
    let kind_width = with_problems
        .iter()
        .map(|v| kind_of(v).chars().count())
        .max()
        .unwrap_or(0);
    for v in with_problems {
        let kind = kind_of(v);
        for p in shown(v) {
            println!("  {:<label_width$} {kind:<kind_width$} {p}", v.person.label);
        }
    }
}
