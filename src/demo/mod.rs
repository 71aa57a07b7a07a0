//! The demo catalogue: a provincial portal's departments, themes, accounts and datasets, built
//! through actions (never by writing tables). The portal is loaded only into an empty store;
//! `--datasets N` adds N more generated datasets for benchmarks.

mod datasets;
pub mod files;

use std::io::Write;
use std::time::Instant;

use serde_json::{Value, json};

use crate::actions::{self, Services};
use crate::auth::Caller;
use crate::store::{packages, users};

/// Datasets in the demo portal.
pub const DEMO_DATASETS: usize = 330;

/// The password of every demo account. Demo data only: change it before real use.
pub const DEMO_PASSWORD: &str = "kho-demo-2025";

/// Departments of a 2025 province (after the March 2025 merger of departments: the Sở Khoa học
/// và Công nghệ now runs the portal). `(name, title, description)`.
/// The demo's harvest sources: (name, title, URL, source type), of the operator's department.
const HARVEST_SOURCES: &[(&str, &str, &str, &str)] = &[
    ("cong-du-lieu-quoc-gia", "Cổng dữ liệu quốc gia", "https://data.gov.vn", "ckan"),
    (
        "danh-muc-dcat-so-tai-chinh",
        "Danh mục DCAT của Sở Tài chính",
        "https://stc.gialai.gov.vn/catalog.ttl",
        "dcat_rdf",
    ),
];

const DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "so-khoa-hoc-va-cong-nghe",
        "Sở Khoa học và Công nghệ",
        "Cơ quan vận hành cổng dữ liệu mở; khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số của tỉnh Gia Lai.",
    ),
    ("so-y-te", "Sở Y tế", "Quản lý nhà nước về y tế, khám chữa bệnh, y tế dự phòng và dược phẩm."),
    (
        "so-giao-duc-va-dao-tao",
        "Sở Giáo dục và Đào tạo",
        "Quản lý nhà nước về giáo dục mầm non, phổ thông và giáo dục thường xuyên.",
    ),
    (
        "so-nong-nghiep-va-moi-truong",
        "Sở Nông nghiệp và Môi trường",
        "Nông nghiệp, lâm nghiệp, thủy sản, đất đai, tài nguyên nước và môi trường.",
    ),
    ("thong-ke-tinh", "Thống kê tỉnh Gia Lai", "Số liệu thống kê kinh tế – xã hội, dân số và lao động của tỉnh."),
    ("so-tai-chinh", "Sở Tài chính", "Ngân sách nhà nước, giá, đầu tư công và kế hoạch phát triển kinh tế – xã hội."),
    ("so-xay-dung", "Sở Xây dựng", "Quy hoạch, xây dựng, nhà ở, giao thông vận tải và hạ tầng kỹ thuật."),
    ("so-noi-vu", "Sở Nội vụ", "Tổ chức bộ máy, công chức, viên chức, lao động, việc làm và người có công."),
    ("so-tu-phap", "Sở Tư pháp", "Văn bản quy phạm pháp luật, hộ tịch, lý lịch tư pháp và trợ giúp pháp lý."),
    ("so-cong-thuong", "Sở Công Thương", "Công nghiệp, thương mại, năng lượng và xuất nhập khẩu."),
    (
        "so-van-hoa-the-thao-va-du-lich",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Di sản văn hóa, thể dục thể thao, du lịch và thông tin cơ sở.",
    ),
];

/// The national themes (lĩnh vực), each later mapped to an EU data theme for DCAT-AP.
const THEMES: &[(&str, &str)] = &[
    ("nong-nghiep", "Nông nghiệp"),
    ("kinh-te-thuong-mai-dau-tu", "Kinh tế – Thương mại – Đầu tư"),
    ("giao-duc", "Giáo dục"),
    ("nang-luong", "Năng lượng"),
    ("moi-truong-tai-nguyen", "Môi trường – Tài nguyên"),
    ("co-quan-nha-nuoc-hanh-chinh", "Cơ quan nhà nước – Hành chính"),
    ("y-te", "Y tế"),
    ("tu-phap", "Tư pháp"),
    ("dia-phuong-quy-hoach", "Địa phương – Quy hoạch"),
    ("xa-hoi-lao-dong-dan-so", "Xã hội – Lao động – Dân số"),
    ("khoa-hoc-cong-nghe", "Khoa học – Công nghệ"),
    ("giao-thong-ha-tang", "Giao thông – Hạ tầng"),
    ("tai-chinh-ngan-sach", "Tài chính – Ngân sách"),
    ("van-hoa-du-lich", "Văn hóa – Du lịch"),
];

fn call(services: &Services, caller: &Caller, action: &str, params: Value) -> anyhow::Result<Value> {
    actions::call_by_name(services, caller.clone(), action, params)
        .map_err(|error| anyhow::anyhow!("demo {action}: {}", error.to_error_object()))
}

/// Loads the demo portal into an empty store (with `extra_datasets` datasets instead of the
/// default 330 when given); on a store that has users, only adds `extra_datasets` datasets.
pub fn load(services: &Services, extra_datasets: Option<usize>) -> anyhow::Result<()> {
    let existing_users = services.store.read(users::count)?;
    if existing_users == 0 {
        return load_catalogue(services, extra_datasets.unwrap_or(DEMO_DATASETS));
    }
    match extra_datasets {
        Some(count) => load_datasets(services, count),
        None => {
            tracing::info!(users = existing_users, "store is not empty: demo catalogue not loaded");
            Ok(())
        }
    }
}

/// Loads the demo portal (users, organisations, groups) and `datasets` datasets, whatever the
/// store already holds (it must not hold the demo yet).
pub fn load_catalogue(services: &Services, datasets: usize) -> anyhow::Result<()> {
    load_portal(services)?;
    load_datasets(services, datasets)?;
    load_uploads(services, datasets)?;
    load_access_requests(services)
}

/// Access requests between departments: the Department of Finance asked the Department of
/// Health for shared datasets; one request is approved and its connection account issued, one
/// awaits the department.
fn load_access_requests(services: &Services) -> anyhow::Result<()> {
    let user = |name: &str| -> anyhow::Result<Option<Caller>> {
        Ok(services.store.read(|tx| users::find(tx, name))?.map(Caller::as_user))
    };
    let (Some(requester), Some(department), Some(admin)) =
        (user("so-tai-chinh-bien-tap")?, user("so-y-te-bien-tap")?, user("admin")?)
    else {
        return Ok(());
    };
    let search = json!({"fq": "organization:so-y-te", "include_private": true, "rows": 1000, "fl": "name,private"});
    let found = call(services, &admin, "package_search", search)?;
    let shared: Vec<String> = found
        .get("results")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|d| {
                    matches!(d.get("private"), Some(Value::Bool(true))) || d.get("private") == Some(&json!("true"))
                })
                .filter_map(|d| d.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let (Some(first), Some(second)) = (shared.first(), shared.get(1)) else { return Ok(()) };
    let issued = call(
        services,
        &requester,
        "access_request_create",
        json!({"package_ids": [first], "purpose": "Đối chiếu số liệu chi ngân sách cho y tế cơ sở năm 2026.",
               "legal_basis": "Nghị định 47/2020/NĐ-CP về quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước"}),
    )?;
    call(services, &department, "access_request_approve", json!({"id": issued.get("id")}))?;
    call(services, &admin, "access_request_issue", json!({"id": issued.get("id")}))?;
    call(
        services,
        &requester,
        "access_request_create",
        json!({"package_ids": [second], "purpose": "Lập kế hoạch đầu tư trạm y tế xã giai đoạn 2026–2030.",
               "legal_basis": "Kế hoạch đầu tư công trung hạn của tỉnh"}),
    )?;
    Ok(())
}

/// Adds uploaded files (with their previews) to the first public demo datasets.
fn load_uploads(services: &Services, datasets: usize) -> anyhow::Result<()> {
    let admin = services
        .store
        .read(|tx| users::find(tx, "admin"))?
        .ok_or_else(|| anyhow::anyhow!("the demo sysadmin `admin` is missing"))?;
    let caller = Caller::as_user(admin);
    let uploads: [(&str, &str, Vec<u8>); 6] = [
        ("Dân số theo xã (CSV, UTF-8)", "dan-so-theo-xa.csv", files::csv_utf8_bom()),
        ("Dân số theo xã (CSV, UTF-16)", "dan-so-theo-xa-utf16.csv", files::csv_utf16()),
        ("Dân số theo xã (CSV, windows-1258)", "dan-so-theo-xa-1258.csv", files::csv_windows_1258()),
        ("Dân số theo xã (Excel)", "dan-so-theo-xa.xlsx", files::XLSX.to_vec()),
        ("Dân số theo xã (OpenDocument)", "dan-so-theo-xa.ods", files::ODS.to_vec()),
        ("Dân số theo xã (JSON)", "dan-so-theo-xa.json", files::json_records()),
    ];
    let mut sequence = datasets::Sequence::new(2025);
    // The first public datasets, generated again lazily (the zip stops after the uploads).
    let public = (0..datasets)
        .map(|index| datasets::dataset(index, &mut sequence))
        .filter(|dataset| dataset.get("private") != Some(&Value::Bool(true)))
        .filter_map(|dataset| dataset.get("name").and_then(Value::as_str).map(str::to_string));
    for ((title, filename, bytes), dataset) in uploads.into_iter().zip(public) {
        let format = filename.rsplit('.').next().unwrap_or_default().to_ascii_uppercase();
        let fields = json!({"package_id": dataset, "name": title, "format": format,
            "description": "Số liệu dân số và diện tích các xã, phường sau sắp xếp năm 2025."});
        let upload = actions::Upload {
            field: "upload".into(),
            filename: filename.into(),
            content_type: None,
            bytes: std::sync::Arc::new(bytes),
        };
        let params = actions::Params(fields.as_object().cloned().unwrap_or_default(), vec![upload]);
        let action = actions::find("resource_create").ok_or_else(|| anyhow::anyhow!("no resource_create"))?;
        actions::call(services, caller.clone(), action, &params)
            .map_err(|error| anyhow::anyhow!("demo upload: {}", error.to_error_object()))?;
    }
    Ok(())
}

/// Creates `count` generated datasets as the demo sysadmin, showing progress and rate.
fn load_datasets(services: &Services, count: usize) -> anyhow::Result<()> {
    let admin = services.store.read(|tx| users::find(tx, "admin"))?.ok_or_else(|| {
        anyhow::anyhow!("the demo sysadmin `admin` is missing: load the demo into an empty store first")
    })?;
    let caller = Caller::as_user(admin);
    let everything = packages::Visibility { all: true, ..Default::default() };
    let filter = packages::Filter { include_private: true, include_drafts: true, ..Default::default() };
    let first = services.store.read(|tx| packages::count(tx, &filter, &everything))? as usize;
    let mut sequence = datasets::Sequence::new(2025);
    for skipped in 0..first {
        datasets::dataset(skipped, &mut sequence);
    }
    let started = Instant::now();
    let mut last_report = Instant::now();
    for done in 0..count {
        call(services, &caller, "package_create", datasets::dataset(first + done, &mut sequence))?;
        if last_report.elapsed().as_millis() >= 500 || done + 1 == count {
            last_report = Instant::now();
            let rate = (done + 1) as f64 / started.elapsed().as_secs_f64().max(1e-9);
            let width = 30;
            let filled = (done + 1) * width / count.max(1);
            eprint!(
                "\rdatasets [{}{}] {}/{} {:.0}/s   ",
                "#".repeat(filled),
                " ".repeat(width - filled),
                done + 1,
                count,
                rate
            );
            let _ = std::io::stderr().flush();
        }
    }
    if count > 0 {
        eprintln!();
        tracing::info!(datasets = count, seconds = started.elapsed().as_secs_f64(), "demo datasets loaded");
    }
    Ok(())
}

/// Creates the demo accounts, departments and themes.
fn load_portal(services: &Services) -> anyhow::Result<()> {
    let site = Caller::system();
    call(
        services,
        &site,
        "user_create",
        json!({
            "name": "admin", "email": "admin@kho.example.vn", "password": DEMO_PASSWORD,
            "fullname": "Quản trị cổng dữ liệu", "sysadmin": true,
        }),
    )?;
    for (name, title, description) in DEPARTMENTS {
        call(
            services,
            &site,
            "organization_create",
            json!({"name": name, "title": title, "description": description}),
        )?;
        let editor = format!("{name}-bien-tap");
        call(
            services,
            &site,
            "user_create",
            json!({
                "name": editor, "email": format!("{editor}@kho.example.vn"), "password": DEMO_PASSWORD,
                "fullname": format!("Cán bộ dữ liệu – {title}"),
            }),
        )?;
        call(services, &site, "organization_member_create", json!({"id": name, "username": editor, "role": "editor"}))?;
    }
    for (name, title) in THEMES {
        call(services, &site, "group_create", json!({"name": name, "title": title}))?;
    }
    // A planned maintenance, announced the required 7 working days ahead (10, to be safe).
    let start_day =
        services.calendar.add_working_days(crate::workflows::Calendar::local(crate::store::now()).date(), 10);
    call(
        services,
        &site,
        "maintenance_notice_create",
        json!({"title": "Nâng cấp máy chủ cơ sở dữ liệu", "reason": "Nâng cấp phần mềm cơ sở dữ liệu và sao lưu toàn bộ dữ liệu.",
               "services": ["API", "Tải tệp dữ liệu", "Cổng thông tin"],
               "starts_at": format!("{start_day}T22:00"), "ends_at": format!("{}T02:00", start_day + chrono::Duration::days(1))}),
    )?;
    // Data requests from a citizen: one answered by its department, one still open.
    call(
        services,
        &site,
        "user_create",
        json!({"name": "nguoi-dan", "email": "nguoi-dan@kho.example.vn", "password": DEMO_PASSWORD, "fullname": "Nguyễn Văn Dân"}),
    )?;
    let citizen = Caller::as_user(
        services.store.read(|tx| users::find(tx, "nguoi-dan"))?.ok_or_else(|| anyhow::anyhow!("the demo citizen"))?,
    );
    let answered = call(
        services,
        &citizen,
        "datarequest_create",
        json!({"title": "Danh sách nhà thuốc đạt chuẩn GPP", "description": "Tên, địa chỉ, số giấy chứng nhận, giờ mở cửa của các nhà thuốc trong tỉnh.", "organization_id": "so-y-te"}),
    )?;
    let department = "so-y-te-bien-tap";
    if let Some(editor) = services.store.read(|tx| users::find(tx, department))? {
        call(
            services,
            &Caller::as_user(editor),
            "datarequest_comment",
            json!({"datarequest_id": answered.get("id"), "comment": "Sở đang tổng hợp, dự kiến công bố trong quý này."}),
        )?;
    }
    call(
        services,
        &citizen,
        "datarequest_create",
        json!({"title": "Lịch thu gom rác theo phường, xã", "description": "Giờ và tuyến thu gom rác sinh hoạt.", "organization_id": "so-nong-nghiep-va-moi-truong"}),
    )?;
    // Harvest sources (manual: the demo never reaches outside on its own).
    for (name, title, url, source_type) in HARVEST_SOURCES {
        call(
            services,
            &site,
            "harvest_source_create",
            json!({"name": name, "title": title, "url": url, "source_type": source_type,
                   "frequency": "MANUAL", "owner_org": "so-khoa-hoc-va-cong-nghe"}),
        )?;
    }
    tracing::info!(
        organizations = DEPARTMENTS.len(),
        groups = THEMES.len(),
        sysadmin = "admin",
        password = DEMO_PASSWORD,
        "demo catalogue loaded (demo accounts share this password: change it before real use)"
    );
    Ok(())
}
