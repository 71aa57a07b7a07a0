//! Deterministic Vietnamese datasets for the demo portal and for benchmarks: titles and
//! descriptions with diacritics (some in NFD and old-style tone placement, as real input
//! arrives), tags, 1–4 resources of mixed formats, some private, spread over several quarters,
//! with 2025 administrative-unit codes as spatial coverage.

#![expect(clippy::indexing_slicing, reason = "every index is taken modulo its table's length")]

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

/// `(department, theme group, subjects)`: what each department publishes.
pub const CATALOGUE: &[(&str, &str, &[&str])] = &[
    (
        "so-khoa-hoc-va-cong-nghe",
        "khoa-hoc-cong-nghe",
        &[
            "Tổ chức khoa học và công nghệ",
            "Đề tài nghiên cứu cấp tỉnh",
            "Doanh nghiệp khoa học và công nghệ",
            "Điểm truy cập Internet công cộng",
            "Hạ tầng trạm phát sóng di động",
        ],
    ),
    (
        "so-y-te",
        "y-te",
        &[
            "Cơ sở khám chữa bệnh",
            "Trạm y tế xã, phường",
            "Nhà thuốc đạt chuẩn GPP",
            "Tỷ lệ tiêm chủng mở rộng",
            "Ca mắc sốt xuất huyết",
        ],
    ),
    (
        "so-giao-duc-va-dao-tao",
        "giao-duc",
        &[
            "Trường mầm non",
            "Trường trung học phổ thông",
            "Số học sinh phổ thông",
            "Kết quả thi tốt nghiệp THPT",
            "Giáo viên đạt chuẩn",
        ],
    ),
    (
        "so-nong-nghiep-va-moi-truong",
        "moi-truong-tai-nguyen",
        &[
            "Chất lượng nước mặt",
            "Quan trắc không khí",
            "Diện tích rừng",
            "Hợp tác xã nông nghiệp",
            "Sản lượng cà phê",
            "Bảng giá đất",
        ],
    ),
    (
        "thong-ke-tinh",
        "xa-hoi-lao-dong-dan-so",
        &[
            "Dân số trung bình",
            "Lực lượng lao động",
            "Tổng sản phẩm trên địa bàn (GRDP)",
            "Chỉ số giá tiêu dùng",
            "Thu nhập bình quân đầu người",
        ],
    ),
    (
        "so-tai-chinh",
        "tai-chinh-ngan-sach",
        &[
            "Dự toán ngân sách địa phương",
            "Quyết toán ngân sách",
            "Dự án đầu tư công",
            "Doanh nghiệp đăng ký thành lập mới",
            "Giá hàng hóa, dịch vụ",
        ],
    ),
    (
        "so-xay-dung",
        "giao-thong-ha-tang",
        &["Công trình giao thông", "Tuyến xe buýt", "Giấy phép xây dựng", "Nhà ở xã hội", "Điểm đỗ xe công cộng"],
    ),
    (
        "so-noi-vu",
        "co-quan-nha-nuoc-hanh-chinh",
        &[
            "Đơn vị hành chính cấp xã",
            "Biên chế công chức",
            "Người có công với cách mạng",
            "Lao động được giải quyết việc làm",
            "Thủ tục hành chính",
        ],
    ),
    (
        "so-tu-phap",
        "tu-phap",
        &[
            "Tổ chức hành nghề công chứng",
            "Văn bản quy phạm pháp luật",
            "Đăng ký hộ tịch",
            "Trợ giúp pháp lý",
            "Tổ chức đấu giá tài sản",
        ],
    ),
    (
        "so-cong-thuong",
        "kinh-te-thuong-mai-dau-tu",
        &[
            "Chợ truyền thống",
            "Cửa hàng xăng dầu",
            "Cụm công nghiệp",
            "Kim ngạch xuất khẩu",
            "Sản lượng điện thương phẩm",
        ],
    ),
    (
        "so-van-hoa-the-thao-va-du-lich",
        "van-hoa-du-lich",
        &[
            "Di tích lịch sử – văn hóa",
            "Cơ sở lưu trú du lịch",
            "Lượt khách du lịch",
            "Lễ hội truyền thống",
            "Thiết chế văn hóa thể thao",
        ],
    ),
];

/// Provinces (2025 codes, Decision 19/2025/QĐ-TTg) a provincial dataset may also cover.
const AREAS: &[(&str, &str)] = &[
    ("52", "tỉnh Gia Lai"),
    ("48", "thành phố Đà Nẵng"),
    ("51", "tỉnh Quảng Ngãi"),
    ("56", "tỉnh Khánh Hòa"),
    ("66", "tỉnh Đắk Lắk"),
];

const YEARS: [i32; 4] = [2022, 2023, 2024, 2025];

const FORMATS: &[(&str, &str)] =
    &[("CSV", "csv"), ("XLSX", "xlsx"), ("PDF", "pdf"), ("JSON", "json"), ("GeoJSON", "geojson")];

const FREQUENCIES: &[&str] = &["hằng quý", "hằng năm", "hằng tháng", "6 tháng một lần"];

/// A small deterministic generator (SplitMix64), so the demo is the same on every machine.
pub struct Sequence(u64);

impl Sequence {
    pub fn new(seed: u64) -> Sequence {
        Sequence(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Rewrites a text the way some real input arrives: old-style tone placement (`hoà`, `thuỷ`).
fn old_style_tones(text: &str) -> String {
    text.replace("hòa", "hoà").replace("Hòa", "Hoà").replace("thủy", "thuỷ").replace("ủy", "uỷ").replace("òa", "oà")
}

/// Returns the `package_create` parameters of the `index`-th generated dataset.
pub fn dataset(index: usize, sequence: &mut Sequence) -> Value {
    let (org, theme, subjects) = CATALOGUE[index % CATALOGUE.len()];
    let round = index / CATALOGUE.len();
    let subject = subjects[round % subjects.len()];
    let year = YEARS[(round / subjects.len()) % YEARS.len()];
    let (area_code, area_name) = if index.is_multiple_of(9) { AREAS[1 + index % (AREAS.len() - 1)] } else { AREAS[0] };
    let batch = round / (subjects.len() * YEARS.len());
    let suffix = if batch == 0 { String::new() } else { format!(" (đợt {})", batch + 1) };
    let mut title = format!("{subject} {area_name} năm {year}{suffix}");
    let mut notes = format!(
        "Số liệu về {} trên địa bàn {area_name} năm {year}, do cơ quan chuyên môn cập nhật {} theo danh mục dữ liệu mở của tỉnh. Dữ liệu phục vụ người dân, doanh nghiệp và cơ quan nhà nước khai thác, sử dụng.",
        subject.to_lowercase(),
        FREQUENCIES[index % FREQUENCIES.len()]
    );
    if index % 11 == 3 {
        title = old_style_tones(&title);
        notes = old_style_tones(&notes);
    }
    if index % 13 == 5 {
        // Decomposed (NFD) text, as pasted from some office software.
        title = title.nfd().collect();
        notes = notes.nfd().collect();
    }
    let name = format!("{}-{}", crate::model::slug(&format!("{subject} {year}")), index);
    let resource_count = 1 + sequence.below(4);
    let resources: Vec<Value> = (0..resource_count)
        .map(|r| {
            let (format, extension) = FORMATS[(index + r) % FORMATS.len()];
            json!({
                "name": format!("{subject} – tệp {}", r + 1),
                "url": format!("https://dulieu.gialai.gov.vn/files/{name}/{}.{extension}", r + 1),
                "format": format,
                "description": format!("Bảng số liệu {} năm {year}", subject.to_lowercase()),
            })
        })
        .collect();
    let quarter_days = sequence.below(4 * 91) as i64;
    let modified = chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .map(|t| t + chrono::Duration::days(quarter_days) + chrono::Duration::seconds(sequence.below(36_000) as i64))
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string());
    let mut dataset = json!({
        "name": name,
        "title": title,
        "notes": notes,
        "owner_org": org,
        "private": index % 7 == 6,
        "license_id": if index % 5 == 4 { "cc-by" } else { "vn-state-open-data" },
        "maintainer": "Bộ phận dữ liệu",
        "maintainer_email": format!("du-lieu@{org}.gialai.gov.vn"),
        "tags": [{"name": subject.split_whitespace().take(2).collect::<Vec<_>>().join(" ").to_lowercase()}, {"name": format!("năm {year}")}, {"name": "dữ liệu mở"}],
        "groups": [{"name": theme}],
        "extras": [
            {"key": "spatial_code", "value": area_code},
            {"key": "frequency", "value": FREQUENCIES[index % FREQUENCIES.len()]},
            {"key": "temporal_start", "value": format!("{year}-01-01")},
            {"key": "temporal_end", "value": format!("{year}-12-31")},
        ],
        "resources": resources,
        "metadata_modified": modified,
    });
    // Every third dataset uses the provincial schema, with the fields the regulations require.
    if index.is_multiple_of(3) {
        let private = index % 7 == 6;
        let frequency = ["hang-thang", "hang-quy", "6-thang", "hang-nam"][index % 4];
        let fields = json!({
            "type": "vn-dataset",
            "linh_vuc": theme,
            "tan_suat_cap_nhat": frequency,
            "pham_vi_khong_gian": area_code,
            "thoi_gian_bat_dau": format!("{year}-01-01"),
            "thoi_gian_ket_thuc": format!("{year}-12-31"),
            "co_so_phap_ly": "Luật Dữ liệu 60/2024/QH15; Nghị định 194/2025/NĐ-CP",
            "muc_do_chia_se": if private { "chia-se-co-quan-nha-nuoc" } else { "mo" },
            // Some were published in 2024 to stay online one year: past their retention now.
            "thoi_han_truc_tuyen": if index % 9 == 3 { "1-nam" } else { "vinh-vien" },
            "dau_moi_lien_he": format!("Bộ phận dữ liệu, du-lieu@{org}.gialai.gov.vn"),
            "muc_tieu": format!("Công khai số liệu {} phục vụ người dân và doanh nghiệp", subject.to_lowercase()),
            "pham_vi": format!("Toàn {area_name}"),
            "du_lieu_chu": subject,
            "doi_tuong_muc_dich_khai_thac": "Người dân, doanh nghiệp tra cứu; cơ quan nhà nước lập kế hoạch",
            "nguon_thong_tin": "Báo cáo định kỳ của các đơn vị trực thuộc",
            "phuong_thuc_chia_se": if index.is_multiple_of(2) { "tai-ve" } else { "api" },
        });
        if let (Some(target), Some(extra)) = (dataset.as_object_mut(), fields.as_object()) {
            target.extend(extra.clone());
            if index % 9 == 3 {
                let published = format!("2024-{:02}-15T08:00:00", 1 + index % 12);
                target.insert("metadata_created".into(), Value::String(published));
            }
        }
    }
    dataset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_datasets_are_deterministic_and_unique() {
        let mut first = Sequence::new(7);
        let mut second = Sequence::new(7);
        assert_eq!(dataset(42, &mut first), dataset(42, &mut second));
        let mut sequence = Sequence::new(1);
        let names: std::collections::HashSet<String> =
            (0..2000).map(|i| dataset(i, &mut sequence)["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(names.len(), 2000);
    }

    #[test]
    fn some_text_arrives_decomposed_or_with_old_tones() {
        let mut sequence = Sequence::new(1);
        let titles: Vec<String> =
            (0..300).map(|i| dataset(i, &mut sequence)["title"].as_str().unwrap().to_string()).collect();
        assert!(titles.iter().any(|t| t.nfc().collect::<String>() != *t), "some NFD titles");
        assert!(crate::model::slug("Chất lượng nước mặt 2024") == "chat-luong-nuoc-mat-2024");
    }
}
