//! The change feed that keeps every node's index current: no committed change is ever skipped
//! (even one that commits after a later one), and a write that returned on one node is found
//! by a search on another.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::helpers::{Engine, TestApp, engines, spawn_app};

fn count(app: &TestApp, token: Option<&str>, query: &[(&str, &str)]) -> u64 {
    app.get("package_search", token, query).result()["count"].as_u64().expect("count")
}

/// The ids and `metadata_modified` of every dataset the index holds.
fn indexed_ids(app: &TestApp) -> BTreeSet<(String, String)> {
    let mut ids = BTreeSet::new();
    let mut start = 0;
    loop {
        let start_text = start.to_string();
        let page = app.get(
            "package_search",
            Some(&app.sysadmin_token),
            &[
                ("rows", "1000"),
                ("start", &start_text),
                ("include_private", "true"),
                ("fl", "id,metadata_modified"),
                ("sort", "id asc"),
            ],
        );
        let results = page.result()["results"].as_array().expect("results").clone();
        if results.is_empty() {
            return ids;
        }
        start += results.len();
        ids.extend(results.iter().map(|r| {
            let text = |key: &str| r[key].as_str().expect("text").to_string();
            (text("id"), text("metadata_modified"))
        }));
    }
}

/// The ids and `metadata_modified` (as CKAN writes it) of every active dataset in the store.
fn stored_ids(database_url: &str) -> BTreeSet<(String, String)> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        modified: String,
    }
    let mut conn = diesel::PgConnection::establish(database_url).expect("connect");
    let rows: Vec<Id> = diesel::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT id, to_char(metadata_modified, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS modified
             FROM packages WHERE state = 'active' AND package_type = 'dataset'",
        ),
        &mut conn,
    )
    .expect("ids");
    rows.into_iter().map(|r| (r.id, r.modified)).collect()
}

fn create(app: &TestApp, name: &str, title: &str) -> String {
    let created = app.sysadmin("package_create", json!({"name": name, "title": title, "owner_org": "so-noi-vu"}));
    created.result()["id"].as_str().expect("id").to_string()
}

/// Two Kho nodes on one new PostgreSQL database holding the organisation `so-noi-vu`, or
/// `None` without PostgreSQL. Bound in this order, the second node is dropped first (the first
/// drops the database).
fn two_nodes() -> Option<(TestApp, TestApp)> {
    if !engines().contains(&Engine::Postgres) {
        return None;
    }
    let first = spawn_app(Engine::Postgres);
    first.organization("so-noi-vu", "Sở Nội vụ");
    let second = first.spawn_node();
    Some((first, second))
}

/// The bug this feed was rebuilt for: a transaction takes a lower change number, a later one
/// commits first and is indexed, and the indexer must not move past the lower number for good.
#[test]
fn a_change_committed_after_a_later_change_is_still_indexed() {
    if !engines().contains(&Engine::Postgres) {
        return;
    }
    let app = spawn_app(Engine::Postgres);
    app.organization("so-noi-vu", "Sở Nội vụ");
    let slow_id = create(&app, "can-bo", "Cán bộ công chức");
    create(&app, "bien-che", "Biên chế");

    // A slow writer: it logs its change (taking the lower number) and has not committed yet.
    let mut slow = diesel::PgConnection::establish(&app.database_url()).expect("connect");
    slow.batch_execute(&format!(
        "BEGIN; UPDATE packages SET title = 'Ngựa vằn chậm trễ', dict_cache = NULL WHERE id = '{slow_id}';
         INSERT INTO changes (entity, entity_id, action, changed_at) VALUES ('dataset', '{slow_id}', 'update', now())"
    ))
    .expect("slow transaction");

    // A later change commits first, and a search finds it at once (it must not wait for the
    // slow writer).
    app.sysadmin("package_patch", json!({"id": "bien-che", "title": "Biên chế sự nghiệp"})).result();
    assert_eq!(count(&app, None, &[("q", "sự nghiệp")]), 1);

    slow.batch_execute("COMMIT").expect("commit");
    assert_eq!(count(&app, None, &[("q", "ngựa vằn")]), 1, "the change that committed late was skipped");
}

/// Several writers on each of two nodes on one PostgreSQL, creating and patching at once:
/// afterwards both nodes' indexes hold exactly the store's datasets.
#[test]
fn two_nodes_with_concurrent_writers_index_every_committed_change() {
    let Some((first, second)) = two_nodes() else { return };
    // Writers are slow to commit once they have their change number (a busy disk, a slow
    // network): this widens the window in which a later change commits first.
    let mut admin = diesel::PgConnection::establish(&first.database_url()).expect("connect");
    admin
        .batch_execute(
            "CREATE FUNCTION slow_writer() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN PERFORM pg_sleep(random() * 0.02); RETURN NULL; END $$;
             CREATE TRIGGER slow_writer AFTER INSERT ON changes FOR EACH ROW EXECUTE FUNCTION slow_writer();",
        )
        .expect("slow writers");
    let writers_per_node = 8;
    let creates_per_writer = 150;
    let failures = AtomicUsize::new(0);
    let writing = AtomicUsize::new(2 * writers_per_node);
    std::thread::scope(|scope| {
        // Searches keep both indexers reading the log all the time (each search that finds
        // its node behind wakes the indexer), as read-your-writes traffic does.
        for node in [&first, &second] {
            let writing = &writing;
            scope.spawn(move || {
                while writing.load(Ordering::Relaxed) > 0 {
                    node.get("package_search", None, &[("rows", "0")]).result();
                }
            });
        }
        for (node_index, node) in [&first, &second].into_iter().enumerate() {
            for writer in 0..writers_per_node {
                let (failures, writing) = (&failures, &writing);
                scope.spawn(move || {
                    for n in 0..creates_per_writer {
                        let name = format!("dl-{node_index}-{writer}-{n}");
                        let created = node.sysadmin(
                            "package_create",
                            json!({"name": name, "title": format!("Dữ liệu {n}"), "owner_org": "so-noi-vu"}),
                        );
                        if created.status != 200 {
                            failures.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        if n % 3 == 0 {
                            let patched =
                                node.sysadmin("package_patch", json!({"id": name, "notes": format!("Sửa lần {n}")}));
                            if patched.status != 200 {
                                failures.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    writing.fetch_sub(1, Ordering::Relaxed);
                });
            }
        }
    });
    assert_eq!(failures.load(Ordering::Relaxed), 0, "every write succeeded");
    let stored = stored_ids(&first.database_url());
    assert_eq!(stored.len(), 2 * writers_per_node * creates_per_writer);
    for node in [&first, &second] {
        // Read-your-writes waits at most 10 s per search; on a loaded machine (the whole suite
        // on two cores) catching up 3,600 writes may take longer, so the check allows a minute
        // for the index to hold every committed change. A skipped change never arrives.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let (missing, extra) = loop {
            let indexed = indexed_ids(node);
            let missing: Vec<_> = stored.difference(&indexed).cloned().collect();
            let extra: Vec<_> = indexed.difference(&stored).cloned().collect();
            if (missing.is_empty() && extra.is_empty()) || std::time::Instant::now() > deadline {
                break (missing, extra);
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        };
        assert!(
            missing.is_empty() && extra.is_empty(),
            "index differs from the store: missing {missing:?}, extra {extra:?}"
        );
        let report = kho::feed::verify(&node.services).expect("verify");
        assert!(report.is_empty(), "kho search verify found differences: {report:?}");
    }
}

/// A write that returned on one node is found by the next search on the other, every time.
#[test]
fn a_write_on_one_node_is_found_by_a_search_on_another() {
    let Some((first, second)) = two_nodes() else { return };
    for n in 0..40 {
        let (writer, reader) = if n % 2 == 0 { (&first, &second) } else { (&second, &first) };
        let name = format!("lan-{n}");
        writer
            .sysadmin(
                "package_create",
                json!({"name": name, "title": format!("Lần ghi {n}"), "owner_org": "so-noi-vu"}),
            )
            .result();
        let found = reader.get("package_search", None, &[("fq", &format!("name:{name}"))]);
        assert_eq!(found.result()["count"], json!(1), "write {n} not yet searchable on the other node");
        writer.sysadmin("package_patch", json!({"id": name, "private": false, "notes": "đã sửa"})).result();
        let patched = reader.get("package_search", None, &[("fq", &format!("name:{name}")), ("q", "đã sửa")]);
        assert_eq!(patched.result()["count"], json!(1), "patch {n} not yet searchable on the other node");
    }
    let total: Value = second.get("package_search", None, &[("rows", "0")]).result()["count"].clone();
    assert_eq!(total, json!(40));
}
