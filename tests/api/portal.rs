//! The public portal over HTTP on both engines: pages at CKAN's addresses in both languages,
//! content negotiation, security headers, previews kept from the upload, privacy for every
//! kind of caller, and escaping of hostile fields on every page.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, callers, engines, spawn_app};

/// GETs a page (as `token`'s owner when given) with a browser's `Accept`.
fn page(app: &TestApp, path: &str, token: Option<&str>) -> Reply {
    let url = format!("{}{path}", app.base);
    app.send(|client| {
        let request =
            client.get(url).header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        match token {
            Some(token) => request.header("Authorization", token),
            None => request,
        }
    })
}

fn ok_page(app: &TestApp, path: &str) -> String {
    let reply = page(app, path, None);
    assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    reply.text()
}

/// Uploads a file as a new resource of `dataset`.
fn upload(app: &TestApp, dataset: &str, name: &str, file_name: &str, bytes: Vec<u8>) -> Value {
    let form = reqwest::blocking::multipart::Form::new()
        .text("package_id", dataset.to_string())
        .text("name", name.to_string())
        .part("upload", reqwest::blocking::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
    let token = app.sysadmin_token.clone();
    app.send(|client| client.post(app.action_url("resource_create")).header("Authorization", token).multipart(form))
        .result()
        .clone()
}

/// A small catalogue: an organisation, a theme and one public dataset with a CSV upload.
fn catalogue(app: &TestApp) -> (String, String) {
    app.organization("so-y-te", "Sở Y tế");
    app.sysadmin("group_create", json!({"name": "y-te", "title": "Y tế", "description": "Dữ liệu **y tế**"})).result();
    let dataset = app
        .sysadmin(
            "package_create",
            json!({"name": "dan-so-2025", "title": "Dân số tỉnh Gia Lai 2025", "owner_org": "so-y-te",
                   "notes": "Số liệu **dân số** theo xã.", "license_id": "cc-by",
                   "tags": [{"name": "dân số"}], "groups": [{"name": "y-te"}]}),
        )
        .result()
        .clone();
    let csv = "Xã;Dân số\r\nPleiku;112345\r\nAn Khê;65300\r\n";
    let resource =
        upload(app, "dan-so-2025", "Dân số theo xã", "dan-so.csv", kho::demo::files::encode_windows_1258(csv));
    (dataset["id"].as_str().unwrap().to_string(), resource["id"].as_str().unwrap().to_string())
}

#[test]
fn pages_answer_at_ckan_addresses_in_both_languages() {
    for engine in engines() {
        let app = spawn_app(engine);
        let (_, resource) = catalogue(&app);
        let resource_page = format!("/dataset/dan-so-2025/resource/{resource}");
        let pages = [
            "/",
            "/dataset",
            "/dataset?q=dan+so",
            "/dataset/dan-so-2025",
            resource_page.as_str(),
            "/dataset/activity/dan-so-2025",
            "/organization",
            "/organization/so-y-te",
            "/group",
            "/group/y-te",
            "/about",
        ];
        for path in pages {
            for (prefix, lang) in [("", "vi"), ("/en", "en")] {
                let address = format!("{prefix}{path}");
                let reply = page(&app, &address, None);
                assert_eq!(reply.status, 200, "{address} ({engine:?}): {}", reply.text());
                let html = reply.text();
                assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{address}: html lang");
                assert!(html.contains("class=\"skip-link\" href=\"#main\""), "{address}: skip link");
                assert!(reply.header("content-type").unwrap().starts_with("text/html"), "{address}");
                let csp = reply.header("content-security-policy").unwrap_or_default();
                assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{address}: {csp}");
                assert_eq!(reply.header("x-content-type-options").as_deref(), Some("nosniff"));
                assert!(reply.header("referrer-policy").is_some());
                // The language switch keeps the path and the query.
                let other = if lang == "vi" { format!("/en{path}") } else { path.to_string() };
                let other = other.replace('&', "&#38;");
                assert!(
                    html.contains(&format!("data-testid=\"lang-switch\" href=\"{other}\"")),
                    "{address}: switch to {other}"
                );
            }
        }
        // HEAD answers as GET, without a body (link checkers use it).
        let head = app.send(|c| c.head(format!("{}/dataset/dan-so-2025", app.base)));
        assert_eq!(head.status, 200);
        assert!(head.text().is_empty());
        let home = ok_page(&app, "/");
        assert!(home.contains("Dân số tỉnh Gia Lai 2025") && home.contains("Sở Y tế") && home.contains("Y tế"));
        let english = ok_page(&app, "/en/dataset/dan-so-2025");
        assert!(english.contains("Cite this dataset") && english.contains("<h1 lang=\"vi\">Dân số tỉnh Gia Lai 2025"));
        // Missing and unknown addresses are the 404 page, in the page's language.
        let missing = page(&app, "/dataset/khong-co-that", None);
        assert_eq!(missing.status, 404);
        assert!(missing.text().contains("Không tìm thấy trang"));
        assert!(page(&app, "/en/organization/khong-co", None).text().contains("Page not found"));
        assert_eq!(
            page(&app, &format!("/dataset/y-te/resource/{resource}"), None).status,
            404,
            "resource of another dataset"
        );
        drop(app);
    }
}

#[test]
fn the_dataset_page_keeps_rdf_for_rdf_clients_and_describes_itself() {
    let app = spawn_app(engines()[0]);
    catalogue(&app);
    let turtle = app.send(|c| c.get(format!("{}/dataset/dan-so-2025", app.base)).header("Accept", "text/turtle"));
    assert_eq!(turtle.status, 200);
    assert!(turtle.header("content-type").unwrap().starts_with("text/turtle"));
    assert!(turtle.text().contains("dcat:Dataset"));
    assert!(page(&app, "/dataset/dan-so-2025.ttl", None).text().contains("dcat:Dataset"));
    let html = ok_page(&app, "/dataset/dan-so-2025");
    for alternate in [
        "type=\"text/turtle\" href=\"/dataset/dan-so-2025.ttl\"",
        "type=\"application/ld+json\" href=\"/dataset/dan-so-2025.jsonld\"",
    ] {
        assert!(html.contains(alternate), "{alternate}");
    }
    // schema.org JSON-LD parses and names the dataset, its publisher and its download.
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(data["@type"], json!("Dataset"));
    assert_eq!(data["name"], json!("Dân số tỉnh Gia Lai 2025"));
    assert_eq!(data["publisher"]["name"], json!("Sở Y tế"));
    assert_eq!(data["distribution"][0]["encodingFormat"], json!("CSV"));
    // Markdown rendered, licence terms, a citation with the page's address, the API link.
    assert!(html.contains("Số liệu <strong>dân số</strong> theo xã."));
    assert!(html.contains("ghi nguồn"));
    assert!(html.contains("Sở Y tế (20") && html.contains(&format!("{}/dataset/dan-so-2025. Truy cập ngày", app.base)));
    assert!(html.contains("/api/3/action/package_show?id=dan-so-2025"));
}

#[test]
fn previews_are_built_at_upload_and_replaced_with_the_file() {
    let app = spawn_app(engines()[0]);
    let (_, resource) = catalogue(&app);
    let path = format!("/dataset/dan-so-2025/resource/{resource}");
    let html = ok_page(&app, &path);
    // windows-1258 with combining tone marks arrives as NFC text in an accessible table.
    assert!(html.contains("<caption id=\"preview-caption\">"), "{html}");
    assert!(html.contains("<th scope=\"col\">Dân số</th>") && html.contains("<td>An Khê</td>"), "{html}");
    assert!(html.contains("windows-1258"));
    // A zip bomb named .xlsx gets no preview, and the page still answers.
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    bomb.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    std::io::Write::write_all(&mut bomb, &vec![b' '; 30 * 1024 * 1024]).unwrap();
    let bomb = bomb.finish().unwrap().into_inner();
    let bombed = upload(&app, "dan-so-2025", "Bom", "bom.xlsx", bomb);
    let bomb_page = ok_page(&app, &format!("/dataset/dan-so-2025/resource/{}", bombed["id"].as_str().unwrap()));
    assert!(!bomb_page.contains("data-testid=\"preview\"") && bomb_page.contains("Không có bản xem trước"));
    // A new file replaces the preview.
    let form = reqwest::blocking::multipart::Form::new().text("id", resource.clone()).part(
        "upload",
        reqwest::blocking::multipart::Part::bytes(br#"[{"ma": "52", "ten": "Gia Lai"}]"#.to_vec())
            .file_name("tinh.json"),
    );
    let token = app.sysadmin_token.clone();
    app.send(|c| c.post(app.action_url("resource_patch")).header("Authorization", token).multipart(form)).result();
    let html = ok_page(&app, &path);
    assert!(
        html.contains("<th scope=\"col\">ten</th>") && html.contains("<td>Gia Lai</td>") && !html.contains("An Khê")
    );
    // A resource that is only a link has no preview.
    let linked = app
        .sysadmin(
            "resource_create",
            json!({"package_id": "dan-so-2025", "url": "https://example.vn/x.csv", "format": "CSV"}),
        )
        .result()
        .clone();
    let html = ok_page(&app, &format!("/dataset/dan-so-2025/resource/{}", linked["id"].as_str().unwrap()));
    assert!(!html.contains("data-testid=\"preview\"") && html.contains("href=\"https://example.vn/x.csv\""));
}

#[test]
fn search_pages_keep_their_state_in_the_address() {
    let app = spawn_app(engines()[0]);
    catalogue(&app);
    app.organization("so-tai-chinh", "Sở Tài chính");
    for index in 0..25 {
        app.sysadmin(
            "package_create",
            json!({"name": format!("ngan-sach-{index}"), "title": format!("Ngân sách xã {index}"), "owner_org": "so-tai-chinh"}),
        )
        .result();
    }
    let count = |html: &str| -> u64 {
        let start = html.find("data-count=\"").unwrap() + 12;
        html[start..start + html[start..].find('"').unwrap()].parse().unwrap()
    };
    // A provincial dataset: its schema's facets show the schema's labels in the page's language.
    app.sysadmin(
        "package_create",
        json!({
            "name": "co-so-y-te", "owner_org": "so-y-te", "type": "vn-dataset", "title": "Cơ sở y tế",
            "linh_vuc": "y-te", "tan_suat_cap_nhat": "hang-quy", "pham_vi_khong_gian": "52",
            "thoi_gian_bat_dau": "2025-01-01", "co_so_phap_ly": "Nghị định 194/2025/NĐ-CP",
            "muc_do_chia_se": "mo", "thoi_han_truc_tuyen": "vinh-vien", "dau_moi_lien_he": "Phòng Kế hoạch",
            "muc_tieu": "Công khai mạng lưới cơ sở y tế", "pham_vi": "Toàn tỉnh",
            "doi_tuong_muc_dich_khai_thac": "Người dân tra cứu", "nguon_thong_tin": "Sở Y tế", "phuong_thuc_chia_se": "api",
        }),
    )
    .result();
    let all = ok_page(&app, "/dataset");
    assert_eq!(count(&all), 27);
    for (facet, href, label) in [
        ("linh_vuc", "/dataset?linh_vuc=y-te", "Y tế"),
        ("tan_suat_cap_nhat", "/dataset?tan_suat_cap_nhat=hang-quy", "Hằng quý"),
        ("pham_vi_khong_gian", "/dataset?pham_vi_khong_gian=52", "Gia Lai"),
    ] {
        let section = &all[all.find(&format!("data-facet=\"{facet}\"")).unwrap()..];
        let item = &section[section.find(&format!("href=\"{href}\"")).unwrap()..];
        assert!(item[..item.find("</li>").unwrap()].contains(label), "{facet}: {label}");
    }
    assert!(ok_page(&app, "/en/dataset").contains(">Health</a>"));
    let provincial = ok_page(&app, "/dataset?linh_vuc=y-te&pham_vi_khong_gian=52");
    assert_eq!(count(&provincial), 1);
    assert!(provincial.contains("Cơ sở y tế"));
    let provincial_page = ok_page(&app, "/dataset/co-so-y-te");
    assert!(provincial_page.contains("<dt>Lĩnh vực</dt><dd>Y tế</dd>"), "the schema's label and the choice's label");
    assert!(ok_page(&app, "/en/dataset/co-so-y-te").contains("<dt>Theme</dt><dd>Health</dd>"));
    assert!(all.contains("data-facet=\"organization\"") && all.contains("href=\"/dataset?organization=so-y-te\""));
    assert!(all.contains("href=\"/dataset?page=2\""), "20 a page");
    // Without diacritics, exact first; a facet narrows and its chip removes it.
    let found = ok_page(&app, "/dataset?q=dan+so");
    assert_eq!(count(&found), 2, "dân số, and dân + sở in the other's fields");
    let population = found.find("Dân số tỉnh Gia Lai 2025").unwrap();
    assert!(population < found.find("Cơ sở y tế").unwrap(), "the phrase first");
    let narrowed = ok_page(&app, "/dataset?organization=so-tai-chinh&sort=title_string+asc");
    assert_eq!(count(&narrowed), 25);
    assert!(narrowed.contains("data-testid=\"chips\"") && narrowed.contains("href=\"/dataset?sort=title_string+asc\""));
    let first = narrowed.find("Ngân sách xã 0").unwrap();
    assert!(first < narrowed.find("Ngân sách xã 1<").unwrap_or(usize::MAX), "name order");
    // The equivalent API call answers the same count.
    let start = narrowed.find("href=\"/api/3/action/package_search?").unwrap() + 6;
    let api = narrowed[start..start + narrowed[start..].find('"').unwrap()].replace("&#38;", "&");
    let answer = app.send(|c| c.get(format!("{}{api}", app.base)));
    assert_eq!(answer.result()["count"], json!(25), "{api}");
    // A broken query is a notice, not an error page, here and on an organisation's page.
    for path in ["/dataset?q=title:(", "/organization/so-tai-chinh?q=title:("] {
        let broken = page(&app, path, None);
        assert_eq!(broken.status, 200, "{path}");
        assert!(broken.text().contains("role=\"alert\""), "{path}");
    }
    // A new search from a results page keeps the filters and the sort, not the old text.
    let form = &narrowed[narrowed.find("<form class=\"search-form\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains("name=\"organization\" value=\"so-tai-chinh\"") && form.contains("name=\"sort\""));
    let with_text = ok_page(&app, "/dataset?q=ngan+sach&organization=so-tai-chinh");
    let form = &with_text[with_text.find("<form class=\"search-form\"").unwrap()..];
    assert!(!form[..form.find("</form>").unwrap()].contains("type=\"hidden\" name=\"q\""));
    // Pages beyond the last are not found.
    assert_eq!(page(&app, "/dataset?page=3", None).status, 404);
    assert_eq!(page(&app, "/dataset?page=2", None).status, 200);
    // Organisation and theme pages search within themselves.
    let within = ok_page(&app, "/organization/so-tai-chinh?q=ngan+sach+xa+3");
    assert!(within.contains("Ngân sách xã 3") && !within.contains("Dân số tỉnh Gia Lai"));
    assert!(ok_page(&app, "/group/y-te").contains("Dân số tỉnh Gia Lai 2025"));
}

#[test]
fn private_and_draft_datasets_never_reach_a_caller_who_may_not_see_them() {
    for engine in engines() {
        let app = spawn_app(engine);
        catalogue(&app);
        let c = callers(&app, "so-tai-chinh");
        let secret = app
            .sysadmin(
                "package_create",
                json!({"name": "bi-mat", "title": "BIMAT ngân sách", "owner_org": "so-tai-chinh", "private": true,
                       "groups": [{"name": "y-te"}], "resources": [{"url": "https://example.vn/bimat.csv", "name": "BIMAT tệp"}]}),
            )
            .result()
            .clone();
        let resource = secret["resources"][0]["id"].as_str().unwrap().to_string();
        app.sysadmin(
            "package_create",
            json!({"name": "nhap", "title": "BANNHAP dự thảo", "owner_org": "so-tai-chinh", "state": "draft"}),
        )
        .result();
        let anonymous = None;
        let viewers = [
            (anonymous, false),
            (Some(c.user.as_str()), false),
            (Some(c.member.as_str()), true),
            (Some(c.editor.as_str()), true),
            (Some(c.admin.as_str()), true),
            (Some(c.sysadmin.as_str()), true),
        ];
        for (token, may_see) in viewers {
            // Lists of organisations and themes count only what the caller may see.
            let organizations = page(&app, "/organization", token).text();
            let tile = &organizations[organizations.find("href=\"/organization/so-tai-chinh\"").unwrap()..];
            let count = if may_see { "1 tập dữ liệu" } else { "0 tập dữ liệu" };
            assert!(tile[..tile.find("</li>").unwrap()].contains(count), "{count} as {token:?}");
            for path in [
                "/",
                "/dataset",
                "/dataset?q=bimat",
                "/organization/so-tai-chinh",
                "/group/y-te",
                "/en/dataset?q=ngan+sach",
            ] {
                let html = page(&app, path, token).text();
                assert_eq!(html.contains("BIMAT"), may_see, "{path} as {token:?} ({engine:?})");
                assert!(!html.contains("BANNHAP"), "drafts are never listed: {path}");
            }
            for path in [
                "/dataset/bi-mat".to_string(),
                format!("/dataset/bi-mat/resource/{resource}"),
                "/dataset/activity/bi-mat".into(),
            ] {
                let reply = page(&app, &path, token);
                assert_eq!(reply.status == 200, may_see, "{path} as {token:?}: {}", reply.status);
                assert_eq!(reply.text().contains("BIMAT"), may_see, "{path}");
            }
        }
        // Counts on the home page and the theme page leave the private dataset out for the public.
        let home = page(&app, "/", None).text();
        assert!(home.contains("<strong>1</strong> tập dữ liệu"), "one public dataset");
        drop(app);
    }
}

#[test]
fn hostile_fields_are_escaped_on_every_page() {
    let app = spawn_app(engines()[0]);
    let attack = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    app.sysadmin("organization_create", json!({"name": "doc-hai", "title": attack, "description": format!("{attack} [x](javascript:alert(3))"), "image_url": "https://evil.example/i.png"}))
        .result();
    app.sysadmin("group_create", json!({"name": "nhom-doc", "title": attack, "description": attack})).result();
    let dataset = app
        .sysadmin(
            "package_create",
            json!({"name": "doc-hai", "title": attack, "notes": format!("{attack}\n\n<a href=\"javascript:alert(4)\">x</a> [y](javascript:alert(5))"),
                   "owner_org": "doc-hai", "groups": [{"name": "nhom-doc"}], "author": attack, "version": attack,
                   "url": "javascript:alert(6)", "extras": [{"key": attack, "value": attack}],
                   "resources": [{"url": "javascript:alert(7)", "name": attack, "description": attack, "format": attack}]}),
        )
        .result()
        .clone();
    let resource = dataset["resources"][0]["id"].as_str().unwrap().to_string();
    let pages = [
        "/".to_string(),
        "/dataset".into(),
        format!("/dataset?q={}", urlencode(attack)),
        format!("/dataset?tags={}&organization={}", urlencode(attack), urlencode(attack)),
        "/dataset/doc-hai".into(),
        format!("/dataset/doc-hai/resource/{resource}"),
        "/dataset/activity/doc-hai".into(),
        "/organization".into(),
        "/organization/doc-hai".into(),
        format!("/organization/doc-hai?q={}", urlencode(attack)),
        "/group".into(),
        "/group/nhom-doc".into(),
        "/about".into(),
        format!("/en/dataset/doc-hai?x={}", urlencode(attack)),
    ];
    for path in pages {
        let reply = page(&app, &path, None);
        assert!(reply.status == 200, "{path}: {}", reply.status);
        let html = reply.text();
        for bad in ["<script>alert", "<img src=x", "href=\"javascript:", "evil.example"] {
            assert!(!html.contains(bad), "{path}: {bad} reached the page");
        }
        assert!(!html.contains("\"'>"), "{path}: an attribute was broken out of");
    }
    let escaped = ok_page(&app, "/dataset/doc-hai");
    assert!(
        escaped.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#62;"),
        "the title is shown, escaped"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
