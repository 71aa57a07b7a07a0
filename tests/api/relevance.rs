//! Vietnamese relevance over the demo catalogue, through `package_search` over HTTP, scored by
//! mean reciprocal rank (MRR) and recall@3: `tests/relevance/queries.tsv` (words as written,
//! with or without diacritics) and `tests/relevance/forgiving.tsv` (spelling variants,
//! abbreviations, one-word place names, former provinces and districts, Telex and VNI
//! keystrokes, wrong tone marks, one-letter typos). CI fails when a set's MRR or
//! recall@3 drops below its floor (the figures reached, rounded down).

use unicode_normalization::UnicodeNormalization;

use crate::helpers::{Engine, TestApp, spawn_app};

/// `(file, least queries, MRR floor, recall@3 floor)`.
/// Floors are the figures reached, rounded down (printed with four decimals).
const SETS: [(&str, usize, f64, f64); 2] = [("queries.tsv", 40, 0.95, 0.90), ("forgiving.tsv", 60, 0.96, 0.83)];

struct Case {
    query: String,
    relevant: Vec<String>,
}

fn cases(file: &str) -> Vec<Case> {
    let path = format!("{}/tests/relevance/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (query, relevant) = line.split_once('\t').expect("query<TAB>relevant");
            let query = match query.strip_prefix("nfd:") {
                Some(text) => text.nfd().collect(),
                None => query.to_string(),
            };
            Case { query, relevant: relevant.split(',').map(str::to_string).collect() }
        })
        .collect()
}

/// `(MRR, recall@3, misses)` of a set.
fn measure(app: &TestApp, cases: &[Case]) -> (f64, f64, Vec<String>) {
    let (mut reciprocal_ranks, mut recalls, mut misses) = (0.0, 0.0, Vec::new());
    for case in cases {
        let reply = app.get("package_search", None, &[("q", &case.query), ("rows", "10"), ("fl", "name")]);
        let names: Vec<String> = reply.result()["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
        let is_relevant = |name: &str| case.relevant.iter().any(|prefix| name.starts_with(prefix.as_str()));
        let first = names.iter().position(|n| is_relevant(n));
        reciprocal_ranks += first.map_or(0.0, |rank| 1.0 / (rank + 1) as f64);
        let total_relevant = reply.result()["count"].as_u64().unwrap_or(0).clamp(1, 3) as f64;
        let in_top3 = names.iter().take(3).filter(|n| is_relevant(n)).count() as f64;
        recalls += (in_top3 / total_relevant).min(1.0);
        if first != Some(0) {
            misses.push(format!(
                "{:?}: first relevant at {:?}, top 3 {:?}",
                case.query,
                first.map(|r| r + 1),
                &names[..names.len().min(3)]
            ));
        }
    }
    (reciprocal_ranks / cases.len() as f64, recalls / cases.len() as f64, misses)
}

#[test]
fn vietnamese_queries_find_the_expected_datasets() {
    // Relevance depends on the index, not the store: one engine is enough.
    let app = spawn_app(Engine::Sqlite);
    kho::demo::load_catalogue(&app.services, 330).unwrap();
    let mut failures = Vec::new();
    for (file, least, min_mrr, min_recall) in SETS {
        let cases = cases(file);
        assert!(cases.len() >= least, "{file} has {} queries", cases.len());
        let (mrr, recall, misses) = measure(&app, &cases);
        eprintln!("relevance {file}: {} queries, MRR {mrr:.4}, recall@3 {recall:.4}", cases.len());
        for miss in &misses {
            eprintln!("  {miss}");
        }
        if mrr < min_mrr || recall < min_recall {
            failures.push(format!("{file}: MRR {mrr:.3} (floor {min_mrr}), recall@3 {recall:.3} (floor {min_recall})"));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
