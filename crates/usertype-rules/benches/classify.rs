//! Classify 100,000 Azure AD users against 3,000 IP Office users.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ipo_model::{
    AssignedPlan, AzureAdUser, CapabilityStatus, IpoSnapshot, IpoUser, License, LicensingMode,
    Platform, Profile, SystemInfo,
};
use usertype_rules::{ClassifyInput, DefaultLicensePolicy, classify, skus};

fn object_id(i: usize) -> ipo_model::ObjectId {
    format!("00000000-0000-4000-8000-{i:012x}")
        .parse()
        .unwrap_or_else(|e| panic!("bench id: {e}"))
}

/// A tenant where one in ten users has Teams voice, 2,000 of them matched on IP Office by
/// extension, and 1,000 IP Office users stand alone.
fn tenant() -> (Vec<AzureAdUser>, IpoSnapshot) {
    let mut directory = Vec::with_capacity(100_000);
    for i in 0..100_000 {
        let mut u = AzureAdUser::new(object_id(i));
        u.user_principal_name = Some(format!("user{i}@contoso.com"));
        u.mail = u.user_principal_name.clone();
        u.display_name = Some(format!("User {i}"));
        u.account_enabled = Some(true);
        if i % 10 == 0 {
            u.business_phones = vec![format!("+4416327{:05} x{}", i / 10, 10_000 + i / 10)];
            u.assigned_plans = vec![AssignedPlan::new(
                skus::MCOEV_PLAN,
                CapabilityStatus::Enabled,
            )];
        }
        directory.push(u);
    }
    let system = SystemInfo::new("ipo", "12.1", LicensingMode::Plds, Platform::ServerEdition);
    let mut ipo = IpoSnapshot::new(system);
    ipo.licenses.push(License::new("Power User", 3000, 500));
    for j in 0..3_000 {
        let mut u = IpoUser::new(
            format!("ipo{j}")
                .parse()
                .unwrap_or_else(|e| panic!("bench name: {e}")),
            LicensingMode::Plds,
        );
        u.extension = Some(
            format!("{}", 10_000 + j * 5)
                .parse()
                .unwrap_or_else(|e| panic!("bench ext: {e}")),
        );
        u.profile = Profile::PowerUser;
        u.teams_client = Some(j < 2_000);
        ipo.users.push(u);
    }
    (directory, ipo)
}

fn bench(c: &mut Criterion) {
    let (directory, ipo) = tenant();
    let policy = DefaultLicensePolicy::default();
    c.bench_function("classify 100k azure ad x 3k ip office", |b| {
        b.iter(|| {
            let input = ClassifyInput::new(black_box(&directory), black_box(&ipo));
            black_box(classify(&input, &policy).verdicts.len())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
