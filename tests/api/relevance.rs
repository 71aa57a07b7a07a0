//! Vietnamese relevance over the demo catalogue: the queries of `tests/relevance/queries.tsv`
//! through `package_search` over HTTP, scored by mean reciprocal rank (MRR) and recall@3.
//! CI fails when MRR drops below `MIN_MRR` (the figure reached, rounded down).

use unicode_normalization::UnicodeNormalization;

use crate::helpers::{Engine, spawn_app};

const MIN_MRR: f64 = 0.95;
const MIN_RECALL_AT_3: f64 = 0.90;

struct Case {
    query: String,
    relevant: Vec<String>,
}

fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/relevance/queries.tsv");
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

#[test]
fn vietnamese_queries_find_the_expected_datasets() {
    let cases = cases();
    assert!(cases.len() >= 40, "the relevance set has {} queries", cases.len());
    // Relevance depends on the index, not the store: one engine is enough.
    let app = spawn_app(Engine::Sqlite);
    kho::demo::load_catalogue(&app.services, 330).unwrap();
    let (mut reciprocal_ranks, mut recalls, mut misses) = (0.0, 0.0, Vec::new());
    for case in &cases {
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
    let mrr = reciprocal_ranks / cases.len() as f64;
    let recall = recalls / cases.len() as f64;
    eprintln!("relevance: {} queries, MRR {mrr:.3}, recall@3 {recall:.3}", cases.len());
    for miss in &misses {
        eprintln!("  {miss}");
    }
    assert!(mrr >= MIN_MRR, "MRR {mrr:.3} fell below {MIN_MRR}");
    assert!(recall >= MIN_RECALL_AT_3, "recall@3 {recall:.3} fell below {MIN_RECALL_AT_3}");
}
