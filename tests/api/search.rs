//! `package_search` and the other index-backed reads, black-box over HTTP on both engines:
//! parameters and CKAN's semantics, paging and the harvester's gather, facets against a full
//! listing, read-your-writes, and private data from every account type.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use crate::helpers::{TestApp, callers, engines, spawn_app, spawn_app_with};

fn search(app: &TestApp, token: Option<&str>, query: &[(&str, &str)]) -> Value {
    app.get("package_search", token, query).result().clone()
}

fn names(result: &Value) -> Vec<String> {
    result["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

/// A small catalogue: two organisations, a group, datasets with tags, formats and extras.
fn catalogue(app: &TestApp) -> crate::helpers::Callers {
    let c = callers(app, "so-tai-chinh");
    app.organization("so-y-te", "Sở Y tế");
    app.sysadmin("group_create", json!({"name": "moi-truong", "title": "Môi trường"})).result();
    let datasets = [
        (
            "dan-so-2024",
            "Dân số theo đơn vị hành chính năm 2024",
            "so-tai-chinh",
            "CSV",
            vec!["dân số", "thống kê"],
            false,
        ),
        ("chat-luong-nuoc", "Chất lượng nước mặt", "so-y-te", "XLSX", vec!["nước", "môi trường"], false),
        ("nuoc-thai", "Nước thải công nghiệp và chất lượng", "so-y-te", "CSV", vec!["nước"], false),
        ("ban-do-hanh-chinh", "Bản đồ hành chính", "so-tai-chinh", "GeoJSON", vec!["bản đồ"], false),
        ("gia-ban-le", "Giá bán lẻ hàng hóa", "so-tai-chinh", "CSV", vec!["giá"], false),
        ("ban-hanh-van-ban", "Ban hành văn bản", "so-tai-chinh", "PDF", vec!["văn bản"], false),
        ("ngan-sach-mat", "Ngân sách chi tiết (mật)", "so-tai-chinh", "XLSX", vec!["ngân sách bí mật"], true),
    ];
    for (name, title, org, format, tags, private) in datasets {
        let tags: Vec<Value> = tags.iter().map(|t| json!({"name": t})).collect();
        app.sysadmin(
            "package_create",
            json!({"name": name, "title": title, "owner_org": org, "private": private, "tags": tags,
                   "notes": format!("Mô tả {title}"), "license_id": "cc-by",
                   "extras": [{"key": "linh_vuc", "value": if org == "so-y-te" { "y-te" } else { "tai-chinh" }}],
                   "groups": if name.contains("nuoc") { json!([{"name": "moi-truong"}]) } else { json!([]) },
                   "resources": [{"url": format!("https://data.gov.vn/{name}.{}", format.to_lowercase()), "format": format, "name": format!("Tệp {title}")}]}),
        )
        .result();
    }
    c
}

#[test]
fn package_search_answers_ckans_parameters() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = catalogue(&app);
        let all = search(&app, None, &[]);
        assert_eq!(all["count"], json!(6), "private datasets are not counted for anonymous");
        assert_eq!(all["sort"], json!("score desc, metadata_modified desc"));
        assert_eq!(all["facets"], json!({}));
        assert_eq!(names(&all).first().map(String::as_str), Some("ban-hanh-van-ban"), "newest first");
        let in_process =
            kho::actions::call_by_name(&app.services, kho::auth::Caller::anonymous(), "package_search", json!({}))
                .unwrap();
        assert_eq!(in_process, all, "the written-out JSON and the in-process value agree");
        let listed = &all["results"][0];
        let shown = app.get("package_show", None, &[("id", "ban-hanh-van-ban")]).result().clone();
        assert_eq!(listed, &shown, "results are package_show dicts");

        // Vietnamese: with or without diacritics, any case, NFD input.
        for q in ["Dân số", "dan so", "DÂN SỐ", "D\u{61}\u{302}n so\u{302}\u{301}"] {
            assert_eq!(names(&search(&app, None, &[("q", q)])).first().map(String::as_str), Some("dan-so-2024"), "{q}");
        }
        // Exact diacritics rank above folded matches.
        assert_eq!(names(&search(&app, None, &[("q", "bán")])).first().map(String::as_str), Some("gia-ban-le"));
        assert_eq!(
            names(&search(&app, None, &[("q", "ban hành")])).first().map(String::as_str),
            Some("ban-hanh-van-ban")
        );
        // Adjacent syllables score higher than scattered ones.
        let phrase = names(&search(&app, None, &[("q", "chất lượng nước")]));
        assert_eq!(phrase.first().map(String::as_str), Some("chat-luong-nuoc"), "{phrase:?}");

        // Fielded queries and filters.
        let count = |query: &[(&str, &str)]| search(&app, None, query)["count"].as_u64().unwrap();
        assert_eq!(count(&[("q", "tags:nước")]), 2);
        assert_eq!(count(&[("q", "tags:\"dân số\"")]), 1);
        assert_eq!(count(&[("fq", "organization:so-y-te")]), 2);
        assert_eq!(count(&[("fq", "res_format:CSV")]), 3);
        assert_eq!(count(&[("fq", "res_format:(CSV OR XLSX)")]), 4);
        assert_eq!(count(&[("fq", "organization:so-y-te OR organization:khac")]), 6, "CKAN's OR quirk: no filter");
        assert_eq!(count(&[("fq", "+(organization:so-y-te OR organization:khac)")]), 2);
        assert_eq!(count(&[("fq", "-organization:so-y-te")]), 4);
        assert_eq!(count(&[("fq", "groups:moi-truong")]), 2);
        assert_eq!(count(&[("fq", "linh_vuc:y-te")]), 2, "extras under their bare key");
        assert_eq!(count(&[("fq", "extras_linh_vuc:tai-chinh")]), 4);
        assert_eq!(count(&[("fq", "name:ban*")]), 2, "wildcards");
        assert_eq!(count(&[("fq", "license_id:cc-by"), ("fq_list", "res_format:CSV")]), 3);
        assert_eq!(
            app.post("package_search", None, json!({"fq_list": ["res_format:CSV", "organization:so-y-te"]})).result()["count"],
            json!(1)
        );
        assert_eq!(count(&[("fq", "metadata_modified:[2000-01-01T00:00:00Z TO NOW]")]), 6);
        assert_eq!(count(&[("fq", "metadata_modified:[NOW+1DAY TO *]")]), 0);
        assert_eq!(count(&[("fq", "linh_vuc:*")]), 6);
        assert_eq!(count(&[("q", "title:nước")]), 2);
        assert_eq!(count(&[("q", "*:*"), ("rows", "0")]), 6);

        // Sorting.
        let by_name = names(&search(&app, None, &[("sort", "name asc")]));
        let mut sorted = by_name.clone();
        sorted.sort();
        assert_eq!(by_name, sorted);
        let by_title = search(&app, None, &[("sort", "title_string asc"), ("fl", "title")]);
        let titles: Vec<&str> =
            by_title["results"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
        assert_eq!(
            titles,
            [
                "Ban hành văn bản",
                "Bản đồ hành chính",
                "Chất lượng nước mặt",
                "Dân số theo đơn vị hành chính năm 2024",
                "Giá bán lẻ hàng hóa",
                "Nước thải công nghiệp và chất lượng"
            ],
            "Vietnamese collation, not byte order"
        );
        let fl = search(&app, None, &[("fl", "name,private"), ("rows", "1")]);
        assert_eq!(fl["results"][0].as_object().unwrap().len(), 2);
        assert_eq!(fl["results"][0]["private"], json!("false"), "index values come back as strings, as in CKAN");

        // Facets equal what a listing counts.
        let faceted = search(
            &app,
            None,
            &[("facet.field", "[\"res_format\",\"organization\",\"tags\",\"linh_vuc\"]"), ("rows", "1000")],
        );
        let mut listed: HashMap<String, u64> = HashMap::new();
        for dataset in faceted["results"].as_array().unwrap() {
            for resource in dataset["resources"].as_array().unwrap() {
                *listed.entry(resource["format"].as_str().unwrap().to_string()).or_default() += 1;
            }
        }
        let facet: HashMap<String, u64> = faceted["facets"]["res_format"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        assert_eq!(facet, listed);
        assert_eq!(faceted["facets"]["organization"], json!({"so-tai-chinh": 4, "so-y-te": 2}));
        assert_eq!(faceted["facets"]["linh_vuc"], json!({"tai-chinh": 4, "y-te": 2}));
        let items = &faceted["search_facets"]["organization"]["items"];
        assert_eq!(
            items[0],
            json!({"count": 2, "display_name": "Sở Y tế", "name": "so-y-te"}),
            "display names, descending"
        );
        let limited = search(&app, None, &[("facet.field", "[\"res_format\"]"), ("facet.limit", "1")]);
        assert_eq!(limited["facets"]["res_format"], json!({"CSV": 3}));
        let mincount = search(&app, None, &[("facet.field", "[\"res_format\"]"), ("facet.mincount", "2")]);
        assert_eq!(mincount["facets"]["res_format"], json!({"CSV": 3}));
        assert_eq!(search(&app, None, &[("facet.field", "[\"khong_co\"]")])["facets"], json!({"khong_co": {}}));

        // Paging limits.
        assert_eq!(names(&search(&app, None, &[("start", "100")])), Vec::<String>::new());
        assert_eq!(search(&app, None, &[("rows", "5000")])["results"].as_array().unwrap().len(), 6);

        // Errors as CKAN reports them, never a 500.
        app.get("package_search", None, &[("foo", "bar")]).error(400, "Search Query Error");
        app.get("package_search", None, &[("sort", "metadata_modified")]).error(400, "Search Query Error");
        app.get("package_search", None, &[("sort", "khong_co asc")]).error(409, "Search Error");
        for bad in ["title:(", "metadata_modified:[2025 TO", "name:\"dan", "metadata_modified:[hom-qua TO *]"] {
            let error = app.get("package_search", None, &[("q", bad)]).error(409, "Search Error").clone();
            assert!(error["message"].as_str().unwrap().starts_with("Search error: "), "{bad}: {error}");
        }
        app.get("package_search", None, &[("fq", "{!lucene}name:x")]).error(409, "Search Error");
        app.get("package_search", None, &[("rows", "muoi")]).error(409, "Validation Error");
        app.get("package_search", None, &[("facet.field", "tags")]).error(409, "Validation Error");

        // Autocompletes.
        let auto = app.get("package_autocomplete", None, &[("q", "dan")]).result().clone();
        assert_eq!(auto[0]["name"], json!("dan-so-2024"));
        assert_eq!(auto[0]["match_field"], json!("name"));
        let auto = app.get("package_autocomplete", None, &[("q", "Chất")]).result().clone();
        assert_eq!(auto[0]["match_displayed"], json!("Chất lượng nước mặt (chat-luong-nuoc)"));
        let tags = app.get("tag_autocomplete", None, &[("q", "nuoc")]).result().clone();
        assert_eq!(tags, json!(["nước"]));
        let in_group = app.get("group_package_show", None, &[("id", "moi-truong")]).result().clone();
        assert_eq!(in_group.as_array().unwrap().len(), 2);
        drop(c);
    }
}

#[test]
fn paging_and_the_harvesters_gather_see_every_dataset_once() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-noi-vu", "Sở Nội vụ");
        for i in 0..37 {
            app.sysadmin("package_create", json!({"name": format!("du-lieu-{i:02}"), "title": format!("Dữ liệu số {i}"), "owner_org": "so-noi-vu"}))
                .result();
        }
        let middle = app.get("package_show", None, &[("id", "du-lieu-20")]).result()["metadata_modified"]
            .as_str()
            .unwrap()
            .to_string();
        for sort in ["id asc", "score desc, metadata_modified desc", "title_string asc", "metadata_modified desc"] {
            let mut seen = Vec::new();
            for start in (0..50).step_by(7) {
                let page = search(&app, None, &[("rows", "7"), ("start", &start.to_string()), ("sort", sort)]);
                assert_eq!(page["count"], json!(37));
                seen.extend(names(&page));
            }
            let unique: BTreeSet<&String> = seen.iter().collect();
            assert_eq!((seen.len(), unique.len()), (37, 37), "{sort}: no duplicates, no gaps");
        }
        // The harvester's incremental gather: fq on metadata_modified, id order, rows=1000.
        let fq = format!("metadata_modified:[{middle}Z TO *]");
        let page = search(&app, None, &[("rows", "1000"), ("start", "0"), ("sort", "id asc"), ("fq", &fq)]);
        assert_eq!(page["count"], json!(17), "datasets modified at or after du-lieu-20");
        let ids: Vec<&str> = page["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "sorted by id");
        let past = search(&app, None, &[("rows", "1000"), ("start", "1000"), ("sort", "id asc"), ("fq", &fq)]);
        assert_eq!(past["results"], json!([]));

        // A page ending past position 1,000 is cut from the query's complete order, kept for
        // the index generation: the same order as a first page, and a write is seen at once.
        let page = |token: Option<&str>, start: usize, sort: &str, extra: &[(&str, &str)]| {
            let mut query = vec![("rows", "1000"), ("sort", sort)];
            let start = start.to_string();
            query.push(("start", &start));
            query.extend_from_slice(extra);
            search(&app, token, &query)
        };
        for sort in ["id asc", "title_string desc", "metadata_modified asc", "score desc, metadata_modified desc"] {
            let first = names(&page(None, 0, sort, &[]));
            for start in [1, 20, 36, 37] {
                let kept = page(None, start, sort, &[]);
                assert_eq!(kept["count"], json!(37), "{sort}");
                assert_eq!(names(&kept), first[start..].to_vec(), "{sort} from {start}");
            }
        }
        app.sysadmin("package_create", json!({"name": "du-lieu-moi", "owner_org": "so-noi-vu"})).result();
        app.sysadmin("package_create", json!({"name": "du-lieu-kin", "owner_org": "so-noi-vu", "private": true}))
            .result();
        let after = page(None, 1, "metadata_modified asc", &[]);
        assert_eq!(after["count"], json!(38), "the write made a new order; the private dataset is not in it");
        assert_eq!(names(&after).last().map(String::as_str), Some("du-lieu-moi"));
        let everything = page(Some(&app.sysadmin_token), 1, "metadata_modified asc", &[("include_private", "true")]);
        assert_eq!(everything["count"], json!(39), "another caller's order is another entry");
        assert_eq!(names(&everything).last().map(String::as_str), Some("du-lieu-kin"));
        assert_eq!(page(None, 1, "metadata_modified asc", &[])["count"], json!(38));
        // Deep pages at once (past the deep-page limit, each computing its order) all finish.
        std::thread::scope(|scope| {
            for sort in ["id asc", "id desc", "name asc", "name desc", "title_string asc", "metadata_created desc"] {
                let page = &page;
                scope.spawn(move || assert_eq!(page(None, 20_000, sort, &[])["count"], json!(38), "{sort}"));
            }
        });
    }
}

#[test]
fn writes_are_searchable_when_they_return() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        let find = |q: &str| search(&app, None, &[("q", q)])["count"].as_u64().unwrap();
        app.post(
            "package_create",
            Some(&c.editor),
            json!({"name": "quy-hoach", "title": "Quy hoạch sử dụng đất", "owner_org": "so-tai-chinh"}),
        )
        .result();
        assert_eq!(find("quy hoạch"), 1);
        app.post("package_patch", Some(&c.editor), json!({"id": "quy-hoach", "title": "Kế hoạch sử dụng đất"}))
            .result();
        assert_eq!((find("title:\"quy hoạch\""), find("kế hoạch")), (0, 1));
        app.post(
            "resource_create",
            Some(&c.editor),
            json!({"package_id": "quy-hoach", "url": "https://a.vn/x.shp", "format": "SHP"}),
        )
        .result();
        assert_eq!(search(&app, None, &[("fq", "res_format:SHP")])["count"], json!(1));
        app.sysadmin("organization_patch", json!({"id": "so-tai-chinh", "title": "Sở Tài chính tỉnh Gia Lai"}))
            .result();
        let found = search(&app, None, &[("q", "kế hoạch")]);
        assert_eq!(
            found["results"][0]["organization"]["title"],
            json!("Sở Tài chính tỉnh Gia Lai"),
            "org changes re-index its datasets"
        );
        app.sysadmin("group_create", json!({"name": "dat-dai", "title": "Đất đai"})).result();
        app.sysadmin(
            "member_create",
            json!({"id": "dat-dai", "object": "quy-hoach", "object_type": "package", "capacity": "public"}),
        )
        .result();
        assert_eq!(search(&app, None, &[("fq", "groups:dat-dai")])["count"], json!(1));
        app.sysadmin("member_delete", json!({"id": "dat-dai", "object": "quy-hoach", "object_type": "package"}))
            .result();
        assert_eq!(search(&app, None, &[("fq", "groups:dat-dai")])["count"], json!(0));
        app.post("package_delete", Some(&c.editor), json!({"id": "quy-hoach"})).result();
        assert_eq!(find("kế hoạch"), 0);
        let deleted = search(&app, Some(&c.sysadmin), &[("q", "kế hoạch"), ("include_deleted", "true")]);
        assert_eq!(deleted["count"], json!(1), "sysadmins may ask for deleted datasets");
        let not_for_editors = search(&app, Some(&c.editor), &[("q", "kế hoạch"), ("include_deleted", "true")]);
        assert_eq!(not_for_editors["count"], json!(0));
        app.sysadmin("dataset_purge", json!({"id": "quy-hoach"})).result();
        assert_eq!(
            search(&app, Some(&c.sysadmin), &[("q", "kế hoạch"), ("include_deleted", "true")])["count"],
            json!(0)
        );
    }
}

#[test]
fn private_datasets_never_leak_through_search() {
    for engine in engines() {
        let app = spawn_app_with(engine, |config| config.auth.allow_dataset_collaborators = true);
        let c = catalogue(&app);
        let (_, collaborator) = app.user("cong-tac-vien");
        app.sysadmin(
            "package_collaborator_create",
            json!({"id": "ngan-sach-mat", "user_id": "cong-tac-vien", "capacity": "member"}),
        )
        .result();
        app.sysadmin(
            "package_create",
            json!({"name": "ban-nhap", "title": "Bản nháp ngân sách", "owner_org": "so-tai-chinh", "state": "draft"}),
        )
        .result();
        let facets = "[\"tags\",\"res_format\",\"organization\"]";
        let sees_private = |token: Option<&str>| {
            let result =
                search(&app, token, &[("include_private", "true"), ("q", "ngân sách"), ("facet.field", facets)]);
            let in_facets = result["facets"]["tags"].get("ngân sách bí mật").is_some();
            let counted = result["count"].as_u64().unwrap() > 0;
            let auto =
                !app.get("package_autocomplete", token, &[("q", "ngan")]).result().as_array().unwrap().is_empty();
            let tags = !app.get("tag_autocomplete", token, &[("q", "bí mật")]).result().as_array().unwrap().is_empty();
            (counted, in_facets, auto, tags)
        };
        assert_eq!(sees_private(None), (false, false, false, false), "anonymous");
        assert_eq!(sees_private(Some(&c.user)), (false, false, false, false), "a user outside the organisation");
        for (who, token) in [
            ("member", &c.member),
            ("editor", &c.editor),
            ("admin", &c.admin),
            ("sysadmin", &c.sysadmin),
            ("collaborator", &collaborator),
        ] {
            assert_eq!(sees_private(Some(token)), (true, true, true, true), "{who}");
        }
        // Without include_private nobody sees private datasets in search (as in CKAN).
        for token in [&c.member, &c.sysadmin] {
            assert_eq!(search(&app, Some(token), &[("q", "ngân sách bí mật")])["count"], json!(0));
        }
        // Drafts: only with include_drafts, and only for those who may read them.
        let drafts = |token: Option<&str>| {
            search(&app, token, &[("q", "bản nháp"), ("include_drafts", "true"), ("include_private", "true")])["count"]
                .clone()
        };
        assert_eq!(
            (drafts(None), drafts(Some(&c.user)), drafts(Some(&c.member)), drafts(Some(&c.editor))),
            (json!(0), json!(0), json!(1), json!(1))
        );
        assert_eq!(search(&app, Some(&c.editor), &[("q", "bản nháp")])["count"], json!(0));
    }
}
