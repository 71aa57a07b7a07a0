//! Harvesting against real servers on loopback: a second Kho as a `ckan` and a `dcat_rdf`
//! source, a paged DCAT catalogue and department APIs served by a small HTTP server here.
//! Jobs are started by the scheduler inside the server under test (no outside trigger).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Engine, TestApp, engines, spawn_app, spawn_app_with};
use crate::publishing::Browser;

/// What the test server answers for a path (with its query): status, media type, body.
type Routes = Arc<Mutex<HashMap<String, (u16, String, Vec<u8>)>>>;

/// Serves `routes` on a loopback port; a path answering status 0 never answers.
fn serve(routes: Routes) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let routes = routes.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                        break;
                    }
                    // The last request's User-Agent, for the tests to read.
                    if let Some(agent) =
                        header.strip_prefix("user-agent:").or_else(|| header.strip_prefix("User-Agent:"))
                    {
                        let seen = (200, String::new(), agent.trim().as_bytes().to_vec());
                        routes.lock().expect("routes").insert("user-agent".into(), seen);
                    }
                }
                let answer = routes.lock().expect("routes").get(&path).cloned();
                let (status, media, body) = answer.unwrap_or((404, "text/plain".into(), b"not found".to_vec()));
                if status == 0 {
                    std::thread::sleep(Duration::from_secs(60));
                    return;
                }
                let mut stream = stream;
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {media}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body));
            });
        }
    });
    base
}

fn route(routes: &Routes, path: &str, status: u16, media: &str, body: &str) {
    routes.lock().expect("routes").insert(path.to_string(), (status, media.to_string(), body.as_bytes().to_vec()));
}

/// The Kho under test: scheduler every second, loopback sources allowed.
fn harvester(engine: Engine) -> TestApp {
    spawn_app_with(engine, |config| {
        config.harvest.poll_seconds = 1;
        config.harvest.allow_private_addresses = true;
        config.harvest.requests_per_second = 1000.0;
    })
}

fn create_source(app: &TestApp, name: &str, url: &str, source_type: &str, config: Value) -> String {
    let created = app.sysadmin(
        "harvest_source_create",
        json!({"name": name, "title": format!("Nguồn {name}"), "url": url, "source_type": source_type,
               "frequency": "manual", "config": config.to_string(), "owner_org": "so-thu-hoach"}),
    );
    assert_eq!(created.result()["frequency"], "MANUAL");
    created.result()["id"].as_str().expect("id").to_string()
}

/// Creates a job for the source and waits until the scheduler has run it to its end.
fn run_job(app: &TestApp, source: &str) -> Value {
    let job = app.sysadmin("harvest_job_create", json!({"source_id": source}));
    let id = job.result()["id"].as_str().expect("job id").to_string();
    let started = Instant::now();
    loop {
        let shown = app.sysadmin("harvest_job_show", json!({"id": id}));
        if shown.result()["status"] == "Finished" {
            return shown.result().clone();
        }
        assert!(started.elapsed() < Duration::from_secs(90), "job never finished: {}", shown.text());
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn stats(job: &Value) -> (i64, i64, i64, i64, i64) {
    let s = &job["stats"];
    let n = |k: &str| s[k].as_i64().expect("count");
    (n("added"), n("updated"), n("not modified"), n("deleted"), n("errored"))
}

fn harvested(app: &TestApp, source: &str) -> Vec<Value> {
    let fq = format!("extras_harvest_source_id:\"{source}\"");
    let found = app.get("package_search", None, &[("fq", fq.as_str()), ("rows", "100"), ("sort", "name asc")]);
    found.result()["results"].as_array().expect("results").clone()
}

fn extra<'a>(dataset: &'a Value, key: &str) -> Option<&'a str> {
    dataset["extras"].as_array()?.iter().find(|e| e["key"] == key).and_then(|e| e["value"].as_str())
}

/// A dataset of the provincial schema, every field given.
fn provincial_dataset() -> Value {
    json!({
        "name": "co-so-y-te", "owner_org": "so-y-te", "type": "vn-dataset", "title": "Cơ sở y tế",
        "linh_vuc": "y-te", "tan_suat_cap_nhat": "hang-quy", "pham_vi_khong_gian": "52",
        "thoi_gian_bat_dau": "2025-01-01", "co_so_phap_ly": "Nghị định 194/2025/NĐ-CP",
        "muc_do_chia_se": "mo", "thoi_han_truc_tuyen": "vinh-vien", "dau_moi_lien_he": "Phòng Kế hoạch",
        "muc_tieu": "Công khai mạng lưới cơ sở y tế", "pham_vi": "Toàn tỉnh",
        "doi_tuong_muc_dich_khai_thac": "Người dân tra cứu", "nguon_thong_tin": "Sở Y tế", "phuong_thuc_chia_se": "api",
        "resources": [{"url": "https://so-y-te.example.vn/co-so.csv", "format": "CSV"}]
    })
}

/// The remote Kho's catalogue: three public datasets, a provincial one, and a private one.
fn remote_catalogue() -> TestApp {
    let remote = spawn_app(Engine::Sqlite);
    remote.organization("so-y-te", "Sở Y tế");
    for (name, title) in
        [("benh-vien", "Danh sách bệnh viện"), ("tram-y-te", "Trạm y tế xã"), ("nha-thuoc", "Nhà thuốc")]
    {
        remote
            .sysadmin(
                "package_create",
                json!({"name": name, "title": title, "notes": format!("Mô tả {title}"), "owner_org": "so-y-te",
                       "license_id": "cc-by", "tags": [{"name": "y tế"}],
                       "resources": [{"url": format!("https://so-y-te.example.vn/{name}.csv"), "name": "Tệp CSV", "format": "CSV"}]}),
            )
            .result();
    }
    remote
        .sysadmin(
            "package_create",
            json!({"name": "ho-so-mat", "title": "Hồ sơ mật", "owner_org": "so-y-te", "private": true}),
        )
        .result();
    remote.sysadmin("package_create", provincial_dataset()).result();
    remote
}

#[test]
fn a_kho_is_harvested_through_ckan_and_dcat_without_losing_local_data() {
    let remote = remote_catalogue();
    for engine in engines() {
        let app = harvester(engine);
        app.organization("so-thu-hoach", "Sở Thông tin");
        let ckan = create_source(&app, "kho-ckan", &remote.base, "ckan", json!({"default_tags": ["thu-hoach"]}));
        let dcat = create_source(&app, "kho-dcat", &format!("{}/catalog.ttl", remote.base), "dcat_rdf", json!({}));
        // Sources are datasets of type harvest, out of searches unless asked for.
        let all = app.get("package_search", None, &[]).result()["count"].as_u64();
        assert_eq!(all, Some(0), "{engine:?}");
        let sources = app.get("package_search", None, &[("fq", "dataset_type:harvest")]);
        assert_eq!(sources.result()["count"], 2);

        // First run: the three public datasets, never the private one.
        let first = run_job(&app, &ckan);
        assert_eq!(stats(&first), (4, 0, 0, 0, 0), "{engine:?} {first}");
        let local = harvested(&app, &ckan);
        assert_eq!(local.len(), 4);
        // A provincial dataset stays one, with every field of its schema.
        let provincial = local.iter().find(|d| d["title"] == "Cơ sở y tế").expect("provincial");
        assert_eq!(provincial["type"], "vn-dataset");
        assert_eq!(provincial["linh_vuc"], "y-te");
        assert_eq!(provincial["muc_tieu"], "Công khai mạng lưới cơ sở y tế");
        let hospital = local.iter().find(|d| d["title"] == "Danh sách bệnh viện").expect("hospital list").clone();
        assert_eq!(extra(&hospital, "harvest_source_id"), Some(ckan.as_str()));
        assert_eq!(extra(&hospital, "harvest_source_title"), Some("Nguồn kho-ckan"));
        assert!(hospital["tags"].as_array().expect("tags").iter().any(|t| t["name"] == "thu-hoach"));
        assert_eq!(hospital["organization"]["name"], "so-thu-hoach");
        let secret = app.get("package_search", Some(&app.sysadmin_token), &[("q", "mật"), ("include_private", "true")]);
        assert_eq!(secret.result()["count"], 0, "a private remote dataset was harvested");
        let object = app.get("harvest_object_show", None, &[("dataset_id", hospital["name"].as_str().expect("name"))]);
        assert_eq!(object.result()["id"].as_str(), extra(&hospital, "harvest_object_id"));
        assert_eq!(object.result()["current"], true);
        let shown = app.sysadmin("harvest_source_show", json!({"id": "kho-ckan"}));
        assert_eq!(shown.result()["status"]["total_datasets"], 4);
        assert_eq!(shown.result()["status"]["last_job"]["id"], first["id"]);

        // Nothing changed: nothing is written.
        let activity_before = app.get("package_activity_list", None, &[("id", hospital["id"].as_str().expect("id"))]);
        let second = run_job(&app, &ckan);
        assert_eq!(stats(&second), (0, 0, 4, 0, 0), "{engine:?} {second}");
        let again = app.get("package_show", None, &[("id", hospital["id"].as_str().expect("id"))]);
        assert_eq!(again.result()["metadata_modified"], hospital["metadata_modified"]);
        let activity_after = app.get("package_activity_list", None, &[("id", hospital["id"].as_str().expect("id"))]);
        assert_eq!(activity_before.result(), activity_after.result());

        // An edit at the source: updated, resource ids kept.
        remote.sysadmin("package_patch", json!({"id": "benh-vien", "title": "Danh sách bệnh viện 2026"})).result();
        let third = run_job(&app, &ckan);
        assert_eq!(stats(&third), (0, 1, 3, 0, 0), "{engine:?} {third}");
        let edited = app.get("package_show", None, &[("id", hospital["id"].as_str().expect("id"))]);
        assert_eq!(edited.result()["title"], "Danh sách bệnh viện 2026");
        assert_eq!(edited.result()["resources"][0]["id"], hospital["resources"][0]["id"]);

        // A deletion at the source, then its reappearance as the same dataset.
        remote.sysadmin("package_delete", json!({"id": "nha-thuoc"})).result();
        let fourth = run_job(&app, &ckan);
        assert_eq!(stats(&fourth).3, 1, "{engine:?} {fourth}");
        assert_eq!(harvested(&app, &ckan).len(), 3);
        remote.sysadmin("package_patch", json!({"id": "nha-thuoc", "state": "active"})).result();
        let fifth = run_job(&app, &ckan);
        assert_eq!(stats(&fifth).0, 1, "{engine:?} {fifth}");
        let back = harvested(&app, &ckan);
        assert_eq!(back.len(), 4);
        let pharmacy = back.iter().find(|d| d["title"] == "Nhà thuốc").expect("pharmacy back");
        assert_eq!(pharmacy["name"], "nha-thuoc", "the same dataset comes back, not a -1 copy");

        // The same catalogue over DCAT: a second source's datasets do not overwrite the first's.
        let over_dcat = run_job(&app, &dcat);
        assert_eq!(stats(&over_dcat), (4, 0, 0, 0, 0), "{engine:?} {over_dcat}");
        let from_dcat = harvested(&app, &dcat);
        let copy = from_dcat.iter().find(|d| d["title"] == "Danh sách bệnh viện 2026").expect("dcat copy");
        assert_ne!(copy["id"], hospital["id"]);
        assert_eq!(copy["notes"], "Mô tả Danh sách bệnh viện");
        assert_eq!(copy["license_id"], "cc-by");
        assert_eq!(copy["resources"][0]["url"], "https://so-y-te.example.vn/benh-vien.csv");
        assert_eq!(copy["resources"][0]["format"], "CSV");
        assert!(copy["tags"].as_array().expect("tags").iter().any(|t| t["name"] == "y tế"));
        assert_eq!(harvested(&app, &ckan).len(), 4);
        // Over DCAT the provincial fields the feed carries come back (as extras of a plain
        // dataset: the feed does not carry every required field of the provincial schema), are
        // searchable, and go out again in this catalogue's own DCAT.
        let copy = from_dcat.iter().find(|d| d["title"] == "Cơ sở y tế").expect("provincial over DCAT");
        assert_eq!(copy["type"], "dataset");
        assert_eq!(extra(copy, "linh_vuc"), Some("y-te"));
        assert_eq!(extra(copy, "tan_suat_cap_nhat"), Some("hang-quy"));
        assert_eq!(extra(copy, "pham_vi_khong_gian"), Some("52"));
        let by_theme = app.get("package_search", None, &[("fq", "linh_vuc:y-te"), ("rows", "0")]);
        assert_eq!(by_theme.result()["count"], 2, "the ckan and the DCAT copy");
        let rdf = app.send(|c| c.get(format!("{}/dataset/{}.ttl", app.base, copy["id"].as_str().expect("id")))).text();
        assert!(rdf.contains("data-theme/HEAL") && rdf.contains("frequency/QUARTERLY"), "{rdf}");
        let unchanged = run_job(&app, &dcat);
        assert_eq!(stats(&unchanged), (0, 0, 4, 0, 0), "{engine:?} {unchanged}");
        remote.sysadmin("package_delete", json!({"id": "tram-y-te"})).result();
        let after_delete = run_job(&app, &dcat);
        assert_eq!(stats(&after_delete).3, 1, "{engine:?} {after_delete}");
        let deleted_copy = from_dcat.iter().find(|d| d["title"] == "Trạm y tế xã").expect("dcat copy").clone();
        let gone =
            app.get("package_show", Some(&app.sysadmin_token), &[("id", deleted_copy["id"].as_str().expect("id"))]);
        assert_eq!(gone.result()["state"], "deleted");
        // Over DCAT too: the record comes back as the same dataset, and an edit keeps resource ids.
        remote.sysadmin("package_patch", json!({"id": "tram-y-te", "state": "active", "notes": "Mô tả mới"})).result();
        let back = run_job(&app, &dcat);
        assert_eq!(stats(&back).0, 1, "{engine:?} {back}");
        let revived = app.get("package_show", None, &[("id", deleted_copy["id"].as_str().expect("id"))]);
        assert_eq!(revived.result()["state"], "active");
        assert_eq!(revived.result()["notes"], "Mô tả mới");
        assert_eq!(revived.result()["resources"][0]["id"], deleted_copy["resources"][0]["id"]);
        remote.sysadmin("package_patch", json!({"id": "tram-y-te", "notes": "Mô tả Trạm y tế xã"})).result();
        let edited = run_job(&app, &dcat);
        assert_eq!(stats(&edited), (0, 1, 3, 0, 0), "{engine:?} {edited}");
        let after_edit = app.get("package_show", None, &[("id", deleted_copy["id"].as_str().expect("id"))]);
        assert_eq!(after_edit.result()["resources"][0]["id"], deleted_copy["resources"][0]["id"]);
        remote.sysadmin("package_patch", json!({"id": "benh-vien", "title": "Danh sách bệnh viện"})).result();

        // History and clearing: the job history goes, the links stay; a cleared source's
        // datasets are purged, and harvesting again gives the same names (no -1 copies).
        let objects = app.sysadmin("harvest_object_list", json!({"source_id": ckan}));
        assert_eq!(objects.result().as_array().map(Vec::len), Some(4));
        app.sysadmin("harvest_source_job_history_clear", json!({"id": ckan, "keep_current": true})).result();
        let jobs = app.sysadmin("harvest_job_list", json!({"source_id": ckan}));
        assert_eq!(jobs.result().as_array().map(Vec::len), Some(1));
        let still = app.get("harvest_object_show", None, &[("dataset_id", hospital["id"].as_str().expect("id"))]);
        assert_eq!(still.result()["current"], true);
        assert_eq!(app.sysadmin("harvest_source_reindex", json!({"id": ckan})).result(), &json!(true));
        app.sysadmin("harvest_source_clear", json!({"id": ckan})).result();
        assert!(harvested(&app, &ckan).is_empty());
        app.get("package_show", Some(&app.sysadmin_token), &[("id", hospital["id"].as_str().expect("id"))])
            .error(404, "Not Found Error");
        let shown = app.sysadmin("harvest_source_show", json!({"id": ckan}));
        assert_eq!(shown.result()["status"]["job_count"], 0);
        let again = run_job(&app, &ckan);
        assert_eq!(stats(&again).0, 4, "{engine:?} {again}");
        let names: Vec<String> =
            harvested(&app, &ckan).iter().filter_map(|d| d["name"].as_str().map(str::to_string)).collect();
        assert!(names.contains(&"benh-vien".to_string()), "{names:?}");
        assert!(names.iter().all(|n| !n.ends_with("-1")), "{names:?}");
        // Deleting the source with clear leaves nothing of it.
        app.sysadmin("harvest_source_delete", json!({"id": ckan, "clear": true})).result();
        assert!(harvested(&app, &ckan).is_empty());
        app.get("harvest_source_show", None, &[("id", ckan.as_str())]).error(404, "Not Found Error");
    }
}

/// A page of a DCAT catalogue in Turtle with `datasets` (id, title) and a Hydra next link.
fn dcat_page(base: &str, datasets: &[(&str, &str)], next: Option<&str>) -> String {
    let mut page = String::from(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n",
    );
    page.push_str(&format!("<{base}/catalog> a dcat:Catalog .\n"));
    for (id, title) in datasets {
        page.push_str(&format!("<{base}/ds/{id}> a dcat:Dataset ; dct:identifier \"{id}\" "));
        if !title.is_empty() {
            page.push_str(&format!("; dct:title \"{title}\"@vi ; dct:description \"Về {title}\"@vi "));
        }
        page.push_str(&format!(
            "; dcat:distribution <{base}/ds/{id}/csv> .\n<{base}/ds/{id}/csv> a dcat:Distribution ; dcat:accessURL <{base}/files/{id}.csv> .\n"
        ));
    }
    if let Some(next) = next {
        page.push_str(&format!("<{base}/page> a hydra:PartialCollectionView ; hydra:next <{base}{next}> .\n"));
    }
    page
}

#[test]
fn a_paged_dcat_catalogue_never_loses_datasets_to_a_broken_page_or_a_cycle() {
    let routes: Routes = Arc::default();
    let base = serve(routes.clone());
    let turtle = "text/turtle";
    route(
        &routes,
        "/p1.ttl",
        200,
        turtle,
        &dcat_page(&base, &[("a1", "Dân số"), ("a2", "Đất đai"), ("a3", "")], Some("/p2.ttl")),
    );
    route(
        &routes,
        "/p2.ttl",
        200,
        turtle,
        &dcat_page(&base, &[("b1", "Giáo dục"), ("b2", "Giao thông")], Some("/p3.ttl")),
    );
    route(&routes, "/p3.ttl", 200, turtle, &dcat_page(&base, &[("c1", "Môi trường")], None));
    for engine in engines() {
        let app = harvester(engine);
        app.organization("so-thu-hoach", "Sở Thông tin");
        let source = create_source(&app, "catalogue", &format!("{base}/p1.ttl"), "dcat_rdf", json!({}));
        let first = run_job(&app, &source);
        assert_eq!(stats(&first), (5, 0, 0, 0, 1), "{engine:?} {first}");
        let report = app.sysadmin("harvest_job_report", json!({"id": first["id"]}));
        let errors: Vec<&Value> = report.result()["object_errors"].as_object().expect("errors").values().collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["guid"], format!("{base}/ds/a3"));
        assert!(
            errors[0]["errors"][0]["message"].as_str().expect("message").contains("title"),
            "{report:?}",
            report = report.text()
        );

        // Page 2 fails midway: the job ends with the error and nothing is deleted.
        route(&routes, "/p2.ttl", 500, "text/plain", "boom");
        let broken = run_job(&app, &source);
        assert_eq!(stats(&broken).3, 0, "{engine:?} {broken}");
        let report = app.sysadmin("harvest_job_report", json!({"id": broken["id"]}));
        assert!(report.result()["gather_errors"][0]["message"].as_str().expect("message").contains("500"));
        assert_eq!(harvested(&app, &source).len(), 5);

        // A cycle between later pages (3 → 2): stopped with an error, nothing deleted.
        route(
            &routes,
            "/p2.ttl",
            200,
            turtle,
            &dcat_page(&base, &[("b1", "Giáo dục"), ("b2", "Giao thông")], Some("/p3.ttl")),
        );
        route(&routes, "/p3.ttl", 200, turtle, &dcat_page(&base, &[("c1", "Môi trường")], Some("/p2.ttl")));
        let cycle = run_job(&app, &source);
        let report = app.sysadmin("harvest_job_report", json!({"id": cycle["id"]}));
        assert!(report.result()["gather_errors"][0]["message"].as_str().expect("message").contains("cycle"));
        assert_eq!(stats(&cycle).3, 0);
        assert_eq!(harvested(&app, &source).len(), 5);

        // Invalid RDF: a gather error with its line and column.
        route(
            &routes,
            "/p3.ttl",
            200,
            turtle,
            "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> dcat:x \"unclosed .\n",
        );
        let invalid = run_job(&app, &source);
        let report = app.sysadmin("harvest_job_report", json!({"id": invalid["id"]}));
        let error = &report.result()["gather_errors"][0];
        assert!(error["message"].as_str().expect("message").contains("line 2"), "{error}");
        assert_eq!(error["line"], 2, "{error}");
        assert!(error["column"].as_u64().is_some(), "{error}");

        // The catalogue shrinks, completely read: the missing datasets are deleted.
        route(&routes, "/p3.ttl", 200, turtle, &dcat_page(&base, &[], None));
        route(&routes, "/p2.ttl", 200, turtle, &dcat_page(&base, &[("b1", "Giáo dục")], Some("/p3.ttl")));
        let shrunk = run_job(&app, &source);
        assert_eq!(stats(&shrunk).3, 2, "{engine:?} {shrunk}");
        route(
            &routes,
            "/p2.ttl",
            200,
            turtle,
            &dcat_page(&base, &[("b1", "Giáo dục"), ("b2", "Giao thông")], Some("/p3.ttl")),
        );
        route(&routes, "/p3.ttl", 200, turtle, &dcat_page(&base, &[("c1", "Môi trường")], None));
    }
}

#[test]
fn department_apis_are_harvested_by_their_mapping() {
    let routes: Routes = Arc::default();
    let base = serve(routes.clone());
    let page1 = json!({"data": [
        {"ma": 1, "ten": "Trường THPT Chu Văn An", "mo_ta": "Trường công lập", "tu_khoa": "giáo dục, THPT", "tep": "https://so-gd.example.vn/1.csv"},
        {"ma": 2, "ten": "Trường THCS Lê Lợi", "tep": "https://so-gd.example.vn/2.csv"}
    ], "links": {"next": "/truong?page=2"}});
    let page2 =
        json!({"data": [{"ma": 3, "ten": "Trường Tiểu học Kim Đồng"}, {"ma": 4, "mo_ta": "thiếu tên"}], "links": {}});
    route(&routes, "/truong", 200, "application/json", &page1.to_string());
    route(&routes, "/truong?page=2", 200, "application/json", &page2.to_string());
    route(
        &routes,
        "/benh-vien.csv",
        200,
        "text/csv",
        "ma,ten,dia_chi\nBV1,Bệnh viện Đa khoa tỉnh,Pleiku\nBV2,Bệnh viện Nhi,Quy Nhơn\n",
    );
    let json_mapping = json!({"id": "ma", "records": "data", "fields": {"title": "ten", "notes": "mo_ta", "tags": "tu_khoa"},
        "resources": [{"url": "tep", "format": "CSV"}], "paging": {"type": "next", "path": "links.next"}});
    let csv_mapping = json!({"format": "csv", "id": "ma", "fields": {"title": "ten", "notes": "dia_chi"}, "constants": {"license_id": "cc-by"}});
    for engine in engines() {
        let app = harvester(engine);
        app.organization("so-thu-hoach", "Sở Thông tin");
        let schools = create_source(&app, "truong-hoc", &format!("{base}/truong"), "api", json_mapping.clone());
        let job = run_job(&app, &schools);
        assert_eq!(stats(&job), (3, 0, 0, 0, 1), "{engine:?} {job}");
        let local = harvested(&app, &schools);
        let first = local.iter().find(|d| d["title"] == "Trường THPT Chu Văn An").expect("school");
        assert_eq!(first["notes"], "Trường công lập");
        assert_eq!(first["resources"][0]["url"], "https://so-gd.example.vn/1.csv");
        let mut tags: Vec<&str> =
            first["tags"].as_array().expect("tags").iter().filter_map(|t| t["name"].as_str()).collect();
        tags.sort();
        assert_eq!(tags, ["THPT", "giáo dục"]);
        assert_eq!(stats(&run_job(&app, &schools)), (0, 0, 3, 0, 1));
        let agent =
            routes.lock().expect("routes").get("user-agent").map(|(_, _, a)| String::from_utf8_lossy(a).to_string());
        assert!(agent.as_deref().is_some_and(|a| a.starts_with("Kho/") && a.contains("harvester")), "{agent:?}");

        let hospitals = create_source(&app, "benh-vien", &format!("{base}/benh-vien.csv"), "api", csv_mapping.clone());
        assert_eq!(stats(&run_job(&app, &hospitals)), (2, 0, 0, 0, 0), "{engine:?}");
        let local = harvested(&app, &hospitals);
        assert!(
            local
                .iter()
                .any(|d| d["title"] == "Bệnh viện Nhi" && d["notes"] == "Quy Nhơn" && d["license_id"] == "cc-by")
        );
    }
}

#[test]
fn sources_are_checked_and_private_addresses_refused_by_default() {
    for engine in engines() {
        let app = spawn_app_with(engine, |config| config.harvest.poll_seconds = 1);
        app.organization("so-thu-hoach", "Sở Thông tin");
        let source = |extra: Value| {
            let mut fields = json!({"name": "nguon", "title": "Nguồn", "url": "http://127.0.0.1:9/api", "source_type": "ckan", "owner_org": "so-thu-hoach"});
            fields.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
            fields
        };
        let bad_frequency = app.sysadmin("harvest_source_create", source(json!({"frequency": "hourly"})));
        assert_eq!(bad_frequency.error(409, "Validation Error")["frequency"][0], "Frequency HOURLY not recognised");
        let bad_type = app.sysadmin("harvest_source_create", source(json!({"source_type": "sparql"})));
        assert!(
            bad_type.error(409, "Validation Error")["source_type"][0]
                .as_str()
                .expect("message")
                .contains("Unknown harvester type")
        );
        let bad_config =
            app.sysadmin("harvest_source_create", source(json!({"config": "{\"remote_orgs\": \"maybe\"}"})));
        assert!(
            bad_config.error(409, "Validation Error")["config"][0]
                .as_str()
                .expect("message")
                .starts_with("Error parsing the configuration options")
        );
        let no_group =
            app.sysadmin("harvest_source_create", source(json!({"config": "{\"default_groups\": [\"khong-co\"]}"})));
        assert!(
            no_group.error(409, "Validation Error")["config"][0]
                .as_str()
                .expect("message")
                .contains("Default group khong-co not found")
        );
        let file = app.sysadmin("harvest_source_create", source(json!({"url": "file:///etc/passwd"})));
        file.error(409, "Validation Error");
        let created = app.sysadmin("harvest_source_create", source(json!({"frequency": "daily"})));
        assert_eq!(created.result()["frequency"], "DAILY");
        let twice =
            app.sysadmin("harvest_source_create", source(json!({"name": "nguon-2", "url": "http://127.0.0.1:9/api/"})));
        assert!(
            twice.error(409, "Validation Error")["url"][0]
                .as_str()
                .expect("message")
                .contains("There already is a Harvest Source")
        );
        // Another organisation's editor may not touch it; a member may not create jobs.
        app.organization("so-khac", "Sở Khác");
        let (_, outsider) = app.user("bien-tap-khac");
        app.add_member("organization_member_create", "so-khac", "bien-tap-khac", "editor");
        app.post("harvest_job_create", Some(&outsider), json!({"source_id": "nguon"}))
            .error(403, "Authorization Error");
        app.post("harvest_source_patch", Some(&outsider), json!({"id": "nguon", "url": "http://x.example"}))
            .error(403, "Authorization Error");
        // The DAILY source's first job starts by itself and fails on the loopback address.
        let started = Instant::now();
        let job = loop {
            let jobs = app.sysadmin("harvest_job_list", json!({"source_id": "nguon", "status": "Finished"}));
            if let Some(job) = jobs.result().as_array().and_then(|j| j.first()).cloned() {
                break job;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the scheduler never ran the due job");
            std::thread::sleep(Duration::from_millis(200));
        };
        let report = app.sysadmin("harvest_job_report", json!({"id": job["id"]}));
        assert!(
            report.result()["gather_errors"][0]["message"].as_str().expect("message").contains("private or loopback")
        );
        // A source's API key is for its editors only: never in package_show, activity or a reader's view.
        let keyed = json!({"name": "nguon-khoa", "url": "https://api.so.example.vn", "source_type": "ckan",
            "owner_org": "so-thu-hoach", "config": "{\"api_key\": \"bi-mat-123\"}"});
        app.sysadmin("harvest_source_create", keyed).result();
        let public_view = app.get("harvest_source_show", None, &[("id", "nguon-khoa")]);
        assert!(
            !public_view.text().contains("bi-mat-123")
                && public_view.result()["config"].as_str().expect("config").contains("***")
        );
        assert!(!app.get("package_show", None, &[("id", "nguon-khoa")]).text().contains("bi-mat-123"));
        assert!(!app.get("package_activity_list", None, &[("id", "nguon-khoa")]).text().contains("bi-mat-123"));
        let own_view = app.sysadmin("harvest_source_show", json!({"id": "nguon-khoa"}));
        assert!(own_view.result()["config"].as_str().expect("config").contains("bi-mat-123"));
        app.sysadmin("harvest_source_patch", json!({"id": "nguon-khoa", "frequency": "weekly"})).result();
        let kept = app.sysadmin("harvest_source_show", json!({"id": "nguon-khoa"}));
        assert_eq!(kept.result()["frequency"], "WEEKLY");
        assert!(kept.result()["config"].as_str().expect("config").contains("bi-mat-123"), "a patch keeps the config");
        app.sysadmin("harvest_source_delete", json!({"id": "nguon-khoa"})).result();
        // A private source is its organisation's: out of anonymous lists, shows and the catalogue.
        app.sysadmin("harvest_source_patch", json!({"id": "nguon", "private": true})).result();
        let listed = app.get("harvest_source_list", None, &[]);
        assert_eq!(listed.result(), &json!([]), "{engine:?}");
        app.get("harvest_source_show", None, &[("id", "nguon")]).error(403, "Authorization Error");
        app.get("harvest_job_list", None, &[("source_id", "nguon")]).error(403, "Authorization Error");
        let catalogue = app.send(|c| c.get(format!("{}/catalog.ttl", app.base))).text();
        assert!(!catalogue.contains("127.0.0.1:9"), "a source in the DCAT feed");
        let everything = app.get("package_search", Some(&app.sysadmin_token), &[("include_private", "true")]);
        assert_eq!(everything.result()["count"], 0, "a source in a search");
        let info = app.get("harvesters_info_show", None, &[]);
        assert_eq!(info.result().as_array().map(Vec::len), Some(3));
    }
}

#[test]
fn a_job_that_stops_progressing_ends_with_an_error_and_abort_works() {
    let routes: Routes = Arc::default();
    let base = serve(routes.clone());
    route(&routes, "/hang", 0, "", "");
    for engine in engines() {
        let app = spawn_app_with(engine, |config| {
            config.harvest.poll_seconds = 1;
            config.harvest.allow_private_addresses = true;
            config.harvest.idle_timeout_seconds = 2;
            config.harvest.timeout_seconds = 30;
        });
        app.organization("so-thu-hoach", "Sở Thông tin");
        let source = create_source(&app, "treo", &format!("{base}/hang"), "dcat_rdf", json!({}));
        let job = run_job(&app, &source);
        let report = app.sysadmin("harvest_job_report", json!({"id": job["id"]}));
        assert!(
            report.result()["gather_errors"][0]["message"].as_str().expect("message").contains("no progress"),
            "{}",
            report.text()
        );
        let next = app.sysadmin("harvest_job_create", json!({"source_id": source}));
        // One unfinished job per source: the first hangs, so a second is refused.
        let second = app.sysadmin("harvest_job_create", json!({"source_id": source}));
        assert_eq!(
            second.error(409, "Validation Error")["source_id"][0],
            "There already is an unrun job for this source"
        );
        let aborted = app.sysadmin("harvest_job_abort", json!({"id": next.result()["id"]}));
        assert_eq!(aborted.result()["status"], "Finished");
    }
}

#[test]
fn two_nodes_never_run_one_source_at_once() {
    if !engines().contains(&Engine::Postgres) {
        return;
    }
    let remote = remote_catalogue();
    let app = harvester(Engine::Postgres);
    let second = app.spawn_node();
    app.organization("so-thu-hoach", "Sở Thông tin");
    let created = app.sysadmin(
        "harvest_source_create",
        json!({"name": "lien-tuc", "url": remote.base, "source_type": "ckan", "frequency": "ALWAYS", "owner_org": "so-thu-hoach"}),
    );
    let source = created.result()["id"].as_str().expect("id").to_string();
    let started = Instant::now();
    let jobs = loop {
        let jobs = app.sysadmin("harvest_job_list", json!({"source_id": source, "status": "Finished", "limit": 100}));
        let jobs = jobs.result().as_array().expect("jobs").clone();
        if jobs.len() >= 4 {
            break jobs;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "ALWAYS jobs did not keep running: {jobs:?}");
        std::thread::sleep(Duration::from_millis(300));
    };
    let mut spans: Vec<(String, String)> = jobs
        .iter()
        .map(|j| {
            (j["gather_started"].as_str().expect("start").to_string(), j["finished"].as_str().expect("end").to_string())
        })
        .collect();
    spans.sort();
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "two jobs of one source overlapped: {pair:?}");
    }
    assert_eq!(harvested(&app, &source).len(), 4);
    drop(second);
}

#[test]
fn kho_harvest_runs_a_job_from_the_command_line() {
    let remote = remote_catalogue();
    let dir = tempfile::tempdir().expect("dir");
    {
        let config = kho::config::Config { data_dir: dir.path().to_path_buf(), ..kho::config::Config::default() };
        let services = kho::app::services(config).expect("services");
        let system = kho::auth::Caller::system;
        kho::actions::call_by_name(&services, system(), "organization_create", json!({"name": "so-thu-hoach"}))
            .expect("organization");
        let source = json!({"name": "kho-xa", "url": remote.base, "source_type": "ckan", "owner_org": "so-thu-hoach"});
        kho::actions::call_by_name(&services, system(), "harvest_source_create", source).expect("source");
    }
    let kho = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kho"))
            .args(["--data-dir", dir.path().to_str().expect("path")])
            .args(args)
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .env("KHO_HARVEST_ALLOW_PRIVATE_ADDRESSES", "true")
            .output()
            .expect("run kho")
    };
    let run = kho(&["harvest", "run", "kho-xa"]);
    let printed = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(printed.contains("Finished") && printed.contains("4 added"), "{printed}");
    let jobs = String::from_utf8_lossy(&kho(&["harvest", "jobs", "kho-xa"]).stdout).to_string();
    assert_eq!(jobs.lines().count(), 2, "{jobs}");
    let sources = String::from_utf8_lossy(&kho(&["harvest", "sources"]).stdout).to_string();
    assert!(sources.lines().any(|l| l.starts_with("kho-xa") && l.contains("ckan") && l.contains(" 4 ")), "{sources}");
    let missing = kho(&["harvest", "run", "khong-co"]);
    assert!(!missing.status.success());
}

#[test]
fn the_source_page_shows_jobs_counts_and_errors_to_the_organisations_editors_only() {
    let routes: Routes = Arc::default();
    let base = serve(routes.clone());
    route(
        &routes,
        "/catalog.ttl",
        200,
        "text/turtle",
        &dcat_page(&base, &[("d1", "Dân số"), ("d2", "Đất đai"), ("d3", "")], None),
    );
    for engine in engines() {
        let app = harvester(engine);
        app.organization("so-thu-hoach", "Sở Thông tin");
        app.organization("so-khac", "Sở Khác");
        app.user("bien-tap");
        app.user("bien-tap-khac");
        app.add_member("organization_member_create", "so-thu-hoach", "bien-tap", "editor");
        app.add_member("organization_member_create", "so-khac", "bien-tap-khac", "editor");
        let source = create_source(&app, "danh-muc", &format!("{base}/catalog.ttl"), "dcat_rdf", json!({}));
        let editor = Browser::sign_in(&app, "bien-tap");
        let listed = editor.get("/harvest");
        assert_eq!(listed.status, 200);
        assert!(listed.body.contains("Nguồn danh-muc") && listed.body.contains("Chưa thu thập"), "{engine:?}");
        assert!(editor.get("/harvest/danh-muc").body.contains("data-testid=\"no-jobs\""));
        let started = editor.post("/harvest/danh-muc/run", &[]);
        assert_eq!((started.status, started.location.as_str()), (303, "/harvest/danh-muc"));
        let waited = Instant::now();
        while app
            .sysadmin("harvest_job_list", json!({"source_id": source, "status": "Finished"}))
            .result()
            .as_array()
            .is_none_or(Vec::is_empty)
        {
            assert!(waited.elapsed() < Duration::from_secs(60), "the job never ended");
            std::thread::sleep(Duration::from_millis(200));
        }
        let page = editor.get("/harvest/danh-muc").body;
        assert!(page.contains("data-testid=\"harvest-jobs\"") && page.contains("Đã xong"), "{page}");
        assert!(page.contains("<td>2</td>") && page.contains("<td>1</td>"), "added 2, errored 1: {page}");
        assert!(
            page.contains(&format!("{base}/ds/d3")) && page.contains("dct:title"),
            "the failed record and why: {page}"
        );
        let english = editor.get("/en/harvest/danh-muc").body;
        assert!(english.contains("Records that could not be imported"));
        // Another department's editor sees neither the source nor its jobs; anonymous signs in first.
        let outsider = Browser::sign_in(&app, "bien-tap-khac");
        assert!(outsider.get("/harvest").body.contains("data-testid=\"no-sources\""));
        assert_eq!(outsider.get("/harvest/danh-muc").status, 403);
        assert_eq!(outsider.post("/harvest/danh-muc/run", &[]).status, 403);
        let anonymous =
            reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let redirected = anonymous.get(format!("{}/harvest/danh-muc", app.base)).send().expect("get");
        assert_eq!(redirected.status().as_u16(), 303);
    }
}
