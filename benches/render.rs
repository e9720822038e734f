//! Rendering speed: 100 chain definitions (the devnet example under 100 names), parsed, validated and
//! rendered. Target: well under 100 ms for all 100 on a 2-core machine.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use opctl::config;
use opctl::render::{self, Input};

fn chains() -> Vec<(std::path::PathBuf, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
    let text = std::fs::read_to_string(&path).expect("example exists");
    (0..100)
        .map(|i| {
            (
                path.clone(),
                text.replace("name = \"devnet\"", &format!("name = \"devnet{i}\"")),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let chains = chains();
    let loaded: Vec<_> = chains
        .iter()
        .map(|(p, t)| config::load_str(p, t).expect("valid"))
        .collect();
    c.bench_function("render 100 chains", |b| {
        b.iter(|| {
            for chain in &loaded {
                black_box(render::render(&Input::from_chain(chain)).expect("renders"));
            }
        })
    });
    c.bench_function("load + validate + render 100 chains", |b| {
        b.iter(|| {
            for (p, t) in &chains {
                let chain = config::load_str(p, t).expect("valid");
                black_box(render::render(&Input::from_chain(&chain)).expect("renders"));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
