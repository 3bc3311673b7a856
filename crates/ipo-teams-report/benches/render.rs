//! Rendering time and page size of a first-sync plan (every person a create) of 1k and 10k
//! Azure AD users in three groups, one per user type.
//!
//! ```sh
//! cargo bench -p ipo-teams-report --bench render
//! ```

#[path = "../tests/support/large.rs"]
mod large;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ipo_teams_report::{Options, render_plan};
use large::first_sync;

fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_plan");
    group.sample_size(10);
    for n in [1_000u32, 10_000] {
        let p = first_sync(n);
        let html = render_plan(&p, &Options::new());
        eprintln!(
            "render_plan/{n}: {} people, {} writes, {} bytes of HTML",
            p.people.len(),
            p.actions.len(),
            html.len()
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &p, |b, p| {
            b.iter(|| render_plan(black_box(p), &Options::new()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
