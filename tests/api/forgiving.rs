//! Forgiving search beyond the relevance sets: former units found by the dataset's
//! administrative-unit code, typo corrections that never outrank what was typed, Lucene queries
//! left alone, and the portal's "Did you mean" and expansion notes, which never show a word only
//! private datasets hold.

use serde_json::{Value, json};

use crate::helpers::{TestApp, engines, spawn_app};
use crate::publishing::Browser;

fn names(app: &TestApp, token: Option<&str>, q: &str) -> Vec<String> {
    let found = app.get("package_search", token, &[("q", q), ("fl", "name"), ("include_private", "true")]);
    found.result()["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

fn dataset(app: &TestApp, name: &str, title: &str, extra: Value) {
    let mut dict = json!({"name": name, "title": title, "owner_org": "so-du-lich"});
    if let (Some(dict), Some(extra)) = (dict.as_object_mut(), extra.as_object()) {
        dict.extend(extra.clone());
    }
    app.sysadmin("package_create", dict).result();
}

/// The portal's search page for `q`, as an anonymous visitor (`None`) or a signed-in one.
fn portal(app: &TestApp, browser: Option<&Browser>, q: &str) -> String {
    let path = format!("/dataset?q={}", urlencoding(q));
    match browser {
        Some(browser) => browser.get(&path).body,
        None => reqwest::blocking::get(format!("{}{path}", app.base)).unwrap().text().unwrap(),
    }
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The text of a `data-testid` paragraph, tags removed.
fn said(page: &str, testid: &str) -> Option<String> {
    let start = page.find(&format!("data-testid=\"{testid}\""))?;
    let end = start + page[start..].find("</p>")?;
    let inner = &page[start..end];
    let mut text = String::new();
    let mut in_tag = true;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.replace("&#x201C;", "“").replace("&#x201D;", "”").replace("&quot;", "\""))
}

#[test]
fn former_provinces_and_districts_find_datasets_by_their_administrative_unit_code() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-du-lich", "Sở Du lịch");
        // Neither title names a province: only the code says where each is.
        dataset(
            &app,
            "diem-du-lich-cong-dong",
            "Điểm du lịch cộng đồng",
            json!({"extras": [{"key": "spatial_code", "value": "51"}]}),
        );
        dataset(
            &app,
            "diem-du-lich-sinh-thai",
            "Điểm du lịch sinh thái",
            json!({"extras": [{"key": "spatial_code", "value": "52"}]}),
        );
        dataset(&app, "le-hoi-kon-tum", "Lễ hội Kon Tum", json!({}));
        // Kon Tum is in Quảng Ngãi (51) since 2025; Quy Nhơn (a former city) in Gia Lai (52).
        let kon_tum = names(&app, None, "Kon Tum");
        assert_eq!(kon_tum.first().map(String::as_str), Some("le-hoi-kon-tum"), "{engine:?}: literal first");
        assert!(kon_tum.contains(&"diem-du-lich-cong-dong".to_string()), "{engine:?}: {kon_tum:?}");
        assert!(!kon_tum.contains(&"diem-du-lich-sinh-thai".to_string()), "{engine:?}: {kon_tum:?}");
        let quy_nhon = names(&app, None, "du lịch Quy Nhơn");
        assert_eq!(quy_nhon.first().map(String::as_str), Some("diem-du-lich-sinh-thai"), "{engine:?}: {quy_nhon:?}");
        // A fielded (Lucene) query keeps CKAN's semantics: no expansion.
        assert_eq!(names(&app, None, "title:\"Kon Tum\""), ["le-hoi-kon-tum"], "{engine:?}");
        assert!(names(&app, None, "title:Pleiku").is_empty(), "{engine:?}");
    }
}

#[test]
fn a_typo_finds_the_word_it_misses_but_never_outranks_a_word_as_typed() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-du-lich", "Sở Du lịch");
        dataset(&app, "bang-gia-dat", "Bảng giá đất", json!({}));
        dataset(&app, "gia-dau-tu", "Giá đấu thầu vật tư", json!({}));
        dataset(&app, "benh-vien", "Danh sách bệnh viện", json!({}));
        assert_eq!(names(&app, None, "gia dta"), ["bang-gia-dat"], "{engine:?}: one swapped pair");
        assert_eq!(names(&app, None, "benh vein"), ["benh-vien"], "{engine:?}");
        assert_eq!(names(&app, None, "bệnh viên"), ["benh-vien"], "{engine:?}: a wrong tone mark");
        // `dau` is a word of the index: searched as typed, never "corrected" to `dat`.
        let dau = names(&app, None, "gia dau");
        assert_eq!(dau, ["gia-dau-tu"], "{engine:?}");
        // Lucene queries are not corrected.
        assert!(names(&app, None, "title:vein").is_empty(), "{engine:?}");
    }
}

#[test]
fn the_portal_suggests_and_explains_without_showing_private_words() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-du-lich", "Sở Du lịch");
        app.user("bien-tap");
        app.add_member("organization_member_create", "so-du-lich", "bien-tap", "editor");
        dataset(&app, "cho-truyen-thong", "Chợ truyền thống", json!({}));
        dataset(&app, "tru-luong-quang", "Trữ lượng quặng titan", json!({"private": true}));

        dataset(&app, "thong-tin-du-lich", "Thông tin du lịch", json!({}));
        // Keystrokes typed with the input method off, decoded then their tone corrected.
        let page = portal(&app, None, "truyeen thoongs");
        assert!(page.contains("cho-truyen-thong"), "{engine:?}: found");
        let note = said(&page, "expansions").expect("the decoding is named");
        assert!(note.contains("truyền") && note.contains("truyeen"), "{engine:?}: {note}");
        // Two words the index holds, never together: nothing found, and a suggestion that finds.
        let page = portal(&app, None, "truyền thông");
        assert!(said(&page, "result-count").is_some_and(|t| t.contains(" 0 ")), "{engine:?}");
        let suggestion = said(&page, "suggestion").expect("a suggestion");
        assert!(suggestion.contains("truyền thống"), "{engine:?}: {suggestion}");
        let raw = &page[page.find("data-testid=\"suggestion\"").unwrap()..];
        assert!(raw[..raw.find("</p>").unwrap()].contains("<a href=\"/dataset?q="), "{engine:?}: a link to search it");
        // A typo among found words: the correction is named beside the results.
        let page = portal(&app, None, "cho truyen thongg");
        let note = said(&page, "expansions").expect("the expansion is named");
        assert!(note.contains("thống") && note.contains("thongg"), "{engine:?}: {note}");

        // A word only a private dataset holds: anonymous visitors get no hint of it.
        for q in ["quangg titan", "quặng titann", "titann"] {
            let page = portal(&app, None, q);
            assert!(!page.contains("tru-luong-quang"), "{engine:?}: {q}");
            assert!(said(&page, "suggestion").is_none() && said(&page, "expansions").is_none(), "{engine:?}: {q}");
        }
        assert!(!portal(&app, None, "quangg titan").contains("quặng"), "{engine:?}: the spelling is not shown");
        // Its department's editor sees it, with the correction.
        let editor = Browser::sign_in(&app, "bien-tap");
        let page = portal(&app, Some(&editor), "quangg titan");
        assert!(page.contains("tru-luong-quang"), "{engine:?}: the editor finds the private dataset");
        let note = said(&page, "expansions").expect("named for the editor");
        assert!(note.contains("quặng"), "{engine:?}: {note}");
    }
}
