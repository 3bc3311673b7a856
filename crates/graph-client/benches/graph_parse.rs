//! Parsing users pages: 100 pages of 999 realistic users (licences, plans, extension
//! attributes), as a large tenant's full read would bring.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const PAGES: usize = 100;
const PER_PAGE: usize = 999;

fn page(p: usize) -> Vec<u8> {
    let users: Vec<serde_json::Value> = (0..PER_PAGE)
        .map(|i| {
            let n = p * PER_PAGE + i;
            serde_json::json!({
                "@odata.type": "#microsoft.graph.user",
                "id": format!("{:08x}-44d7-43e1-9a83-{:012x}", n, n),
                "userPrincipalName": format!("user{n}@contoso.com"),
                "displayName": format!("User Number {n}"),
                "givenName": "User", "surname": format!("Number {n}"),
                "mail": format!("user{n}@contoso.com"), "mailNickname": format!("user{n}"),
                "businessPhones": [format!("+441632{:06} x{}", n % 1_000_000, 400 + n % 500)],
                "mobilePhone": null, "accountEnabled": true, "employeeId": format!("E{n}"),
                "department": "Sales", "officeLocation": "London", "usageLocation": "GB",
                "onPremisesExtensionAttributes": {
                    "extensionAttribute1": null, "extensionAttribute2": null, "extensionAttribute3": null,
                    "extensionAttribute4": null, "extensionAttribute5": null, "extensionAttribute6": null,
                    "extensionAttribute7": format!("{}", 400 + n % 500), "extensionAttribute8": null,
                    "extensionAttribute9": null, "extensionAttribute10": null, "extensionAttribute11": null,
                    "extensionAttribute12": null, "extensionAttribute13": null, "extensionAttribute14": null,
                    "extensionAttribute15": null
                },
                "assignedLicenses": [
                    {"disabledPlans": [], "skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df"},
                    {"disabledPlans": ["efb87545-963c-4e0d-99df-69c6916d9eb0"], "skuId": "e43b5b99-8dfb-405f-9987-dc307f34bcbd"}
                ],
                "assignedPlans": [
                    {"assignedDateTime": "2022-03-01T10:00:00Z", "capabilityStatus": "Enabled", "service": "MicrosoftCommunicationsOnline", "servicePlanId": "4828c8ec-dc2e-4779-b502-87ac9ce28ab7"},
                    {"assignedDateTime": "2022-03-01T10:00:00Z", "capabilityStatus": "Enabled", "service": "exchange", "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0"},
                    {"assignedDateTime": "2022-03-01T10:00:00Z", "capabilityStatus": "Deleted", "service": "SharePoint", "servicePlanId": "5dbe027f-2339-4123-9542-606e4d348a72"}
                ]
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
        "@odata.nextLink": format!("https://graph.microsoft.com/v1.0/users?$skiptoken=page{}", p + 1),
        "value": users
    }))
    .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let pages: Vec<Vec<u8>> = (0..PAGES).map(page).collect();
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("graph_parse");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements((PAGES * PER_PAGE) as u64));
    g.bench_function(
        format!("100 pages x 999 users ({} MB)", bytes / 1_000_000),
        |b| {
            b.iter(|| {
                let mut n = 0;
                for p in &pages {
                    n += graph_client::test_support::parse_users_page(black_box(p))
                        .map_or(0, |p| p.items.len());
                }
                assert_eq!(n, PAGES * PER_PAGE);
                n
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
