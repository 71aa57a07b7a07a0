//! Kho → DCAT → Kho round trips in every syntax, hydra paging, a foreign DCAT-AP 2 page and
//! syntax errors.

use serde_json::{Value, json};

use super::*;
use crate::dcat::{Format, Page, Site, catalogue};
use crate::search::CatalogueDates;

const SITE: &str = "https://kho.example";
const ID_1: &str = "7d0c5f3e-0000-4000-8000-000000000001";
const ID_2: &str = "7d0c5f3e-0000-4000-8000-000000000002";

fn register() -> Vec<Value> {
    crate::licenses::load(None).unwrap()
}

/// A page as Kho's feed writes it.
fn kho_page(format: Format, dicts: &[Value], (number, per_page, total): (usize, usize, usize)) -> Vec<u8> {
    let vocabularies = Vocabularies::built_in().unwrap();
    let licences = register();
    let site = Site {
        url: SITE,
        title: "Cổng dữ liệu mở",
        description: "",
        locale: "vi",
        vocabularies: &vocabularies,
        licences: &licences,
        default_licence: Some("cc-by"),
    };
    let dates = CatalogueDates::default();
    let path = format!("{SITE}/catalog.{}", format.extension());
    let page = Page { number, per_page, total, path: &path, kept: &[], dates: &dates };
    let documents: Vec<String> = dicts.iter().map(Value::to_string).collect();
    catalogue::write_page(format, &site, &page, &documents).unwrap()
}

fn read(body: &[u8], format: RdfFormat, url: &str) -> RdfPage {
    read_page(body, format, url, &Vocabularies::built_in().unwrap(), &register()).unwrap()
}

fn kho_datasets() -> Vec<Value> {
    let full = json!({
        "id": ID_1, "name": "dan-so-2025", "title": "Dân số 2025", "notes": "Số liệu dân số theo xã, **2025**.",
        "version": "2.1", "url": "https://nguon.example.vn/dan-so",
        "metadata_created": "2025-07-01T02:00:00.512345", "metadata_modified": "2025-07-02T03:00:00",
        "license_id": "cc-by", "maintainer": "Phòng Thống kê", "maintainer_email": "thongke@gialai.gov.vn",
        "tags": [{"name": "dân số"}, {"name": "thống kê"}], "groups": [{"name": "xa-hoi-lao-dong-dan-so"}],
        "organization": {"id": "org-1", "title": "Sở Tài chính Gia Lai"},
        "linh_vuc": "xa-hoi-lao-dong-dan-so", "tan_suat_cap_nhat": "hang-quy",
        "muc_do_chia_se": "chia-se-co-quan-nha-nuoc", "co_so_phap_ly": "https://vbpl.vn/nghi-dinh-47-2020",
        "thoi_gian_bat_dau": "2020-01-01", "thoi_gian_ket_thuc": "2025-12-31", "thoi_han_truc_tuyen": "5-nam",
        "pham_vi_khong_gian": "52, 23456",
        "resources": [
            {"id": "r1", "name": "Bảng dân số", "description": "CSV theo xã", "format": "CSV", "size": 2048,
             "url": "https://kho.example/dataset/x/resource/r1/download/dan-so.csv",
             "created": "2025-07-01T02:00:00", "last_modified": "2025-07-02T03:00:00"},
            {"id": "r2", "name": "API dân số", "url": "https://api.example.vn/dan-so", "format": "API"},
            {"id": "r3", "name": "Bản đồ", "url": "https://kho.example/files/map.geojson", "format": "GeoJSON",
             "uri": "https://other.example/dist/map"}
        ]
    });
    let minimal = json!({
        "id": ID_2, "name": "khong-ghi-chu", "title": "Không ghi chú", "license_id": "vn-state-open-data",
        "uri": "https://nguon.example.vn/dataset/khong-ghi-chu", "linh_vuc": "tai-chinh-ngan-sach",
        "resources": [{"id": "r4", "name": "Chưa có tệp"}]
    });
    vec![full, minimal]
}

fn extra<'d>(dataset: &'d Map<String, Value>, key: &str) -> Option<&'d str> {
    dataset["extras"].as_array()?.iter().find(|e| e["key"] == key).and_then(|e| e["value"].as_str())
}

fn check_round_trip(format: Format, reading: RdfFormat) {
    let body = kho_page(format, &kho_datasets(), (1, 100, 2));
    let page = read(&body, reading, &format!("{SITE}/catalog.{}", format.extension()));
    assert_eq!((page.next.as_deref(), page.total), (None, Some(2)), "{format:?}");
    assert_eq!(page.records.len(), 2, "{format:?}");
    let full = page.records[0].as_ref().unwrap();
    assert_eq!(full.guid, format!("{SITE}/dataset/{ID_1}"));
    let d = &full.dataset;
    let expected = json!({
        "title": "Dân số 2025", "notes": "Số liệu dân số theo xã, **2025**.",
        "tags": [{"name": "dân số"}, {"name": "thống kê"}], "url": "https://nguon.example.vn/dan-so",
        "version": "2.1", "license_id": "cc-by", "maintainer": "Phòng Thống kê",
        "maintainer_email": "thongke@gialai.gov.vn", "linh_vuc": "xa-hoi-lao-dong-dan-so",
        "tan_suat_cap_nhat": "hang-quy", "muc_do_chia_se": "chia-se-co-quan-nha-nuoc",
        "co_so_phap_ly": "https://vbpl.vn/nghi-dinh-47-2020", "pham_vi_khong_gian": "52,23456",
        "thoi_gian_bat_dau": "2020-01-01", "thoi_gian_ket_thuc": "2025-12-31", "thoi_han_truc_tuyen": "5-nam",
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(d.get(key), Some(value), "{format:?} {key}");
    }
    assert!(d.get("name").is_none() && d.get("owner_org").is_none());
    for (key, value) in [
        ("uri", full.guid.as_str()),
        ("identifier", ID_1),
        ("issued", "2025-07-01T02:00:00.512345"),
        ("modified", "2025-07-02T03:00:00"),
        ("publisher_name", "Sở Tài chính Gia Lai"),
        ("publisher_uri", "https://kho.example/organization/org-1"),
        ("theme", r#"["http://publications.europa.eu/resource/authority/data-theme/SOCI"]"#),
    ] {
        assert_eq!(extra(d, key), Some(value), "{format:?} {key}");
    }
    let resources = d["resources"].as_array().unwrap();
    assert_eq!(
        resources[0],
        json!({"name": "Bảng dân số", "description": "CSV theo xã",
            "url": "https://kho.example/dataset/x/resource/r1/download/dan-so.csv", "format": "CSV",
            "mimetype": "text/csv", "size": 2048, "uri": format!("{SITE}/dataset/{ID_1}/resource/r1"),
            "created": "2025-07-01T02:00:00", "last_modified": "2025-07-02T03:00:00"}),
        "{format:?}"
    );
    assert_eq!(
        (resources[1]["format"].as_str(), resources[1]["url"].as_str()),
        (Some("API"), Some("https://api.example.vn/dan-so"))
    );
    assert_eq!(
        (resources[2]["format"].as_str(), resources[2]["uri"].as_str()),
        (Some("GEOJSON"), Some("https://other.example/dist/map"))
    );

    let minimal = page.records[1].as_ref().unwrap();
    assert_eq!(minimal.guid, "https://nguon.example.vn/dataset/khong-ghi-chu");
    let d = &minimal.dataset;
    assert_eq!((d["title"].as_str(), d["notes"].as_str()), (Some("Không ghi chú"), Some("")), "{format:?}");
    assert!(d.get("url").is_none(), "the writer's default landing page is not a source URL");
    assert_eq!(d["license_id"], "vn-state-open-data", "matched by the register title");
    assert_eq!(d["muc_do_chia_se"], "mo", "the writer's default access right");
    assert_eq!(d["linh_vuc"], "kinh-te-thuong-mai-dau-tu", "ECON's first key");
    assert!(d.get("pham_vi_khong_gian").is_none() && d.get("maintainer").is_none());
    assert_eq!(extra(d, "identifier"), Some(ID_2));
    let resource = &d["resources"][0];
    assert_eq!(resource["url"], "", "the access URL was the distribution itself");
    assert_eq!(resource["uri"], format!("{SITE}/dataset/{ID_2}/resource/r4"));
    assert!(resource.get("format").is_none());
}

#[test]
fn kho_feeds_come_back_as_the_dicts_that_made_them() {
    check_round_trip(Format::Turtle, RdfFormat::Turtle);
    check_round_trip(Format::RdfXml, RdfFormat::RdfXml);
    check_round_trip(Format::JsonLd, RdfFormat::JsonLd);
    check_round_trip(Format::NTriples, RdfFormat::NTriples);
}

#[test]
fn hydra_paging_in_both_styles() {
    let body = kho_page(Format::Turtle, &kho_datasets(), (1, 1, 2));
    let page = read(&body, RdfFormat::Turtle, &format!("{SITE}/catalog.ttl?page=1"));
    assert_eq!(page.next.as_deref(), Some("https://kho.example/catalog.ttl?page=2"));
    assert_eq!((page.total, page.records.len()), (Some(2), 2));
    let literal = br#"@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
        <https://x.example/catalog?page=1> a hydra:PagedCollection ;
            hydra:totalItems "250"^^<http://www.w3.org/2001/XMLSchema#integer> ;
            hydra:nextPage "https://x.example/catalog?page=2" ."#;
    let page = read(literal, RdfFormat::Turtle, "https://x.example/catalog?page=1");
    assert_eq!((page.next.as_deref(), page.total), (Some("https://x.example/catalog?page=2"), Some(250)));
    let iri = br#"@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
        <?page=2> a hydra:PartialCollectionView ; hydra:next <?page=3> ; hydra:totalItems 30 ."#;
    let page = read(iri, RdfFormat::Turtle, "https://y.example/dcat/catalog.ttl?page=2");
    assert_eq!((page.next.as_deref(), page.total), (Some("https://y.example/dcat/catalog.ttl?page=3"), Some(30)));
    let last = br#"<https://z.example/c?page=9> <http://www.w3.org/ns/hydra/core#next> "?page=9" ."#;
    assert_eq!(read(last, RdfFormat::NTriples, "https://z.example/c?page=9").next, None, "a link to itself ends");
    assert!(read(b"", RdfFormat::Turtle, "https://z.example/c").records.is_empty());
}

const FOREIGN: &str = r#"
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .

<https://data.example.eu/catalogue> a dcat:Catalog ;
    dcat:dataset _:air, <https://data.example.eu/set/untitled> .

_:air a dcat:Dataset ;
    dct:identifier "AIR-2021" ;
    dct:title "Luftqualität"@de, "Air quality"@en ;
    dct:description "Hourly measurements"@en ;
    dcat:keyword "air"@en, "Luft"@de, "PM2.5 (fine)"@en ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
    dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/DAILY> ;
    dct:temporal [ a dct:PeriodOfTime ; schema:startDate "2021-01-01T00:00:00Z"^^xsd:dateTime ] ;
    dct:license <http://www.opendefinition.org/licenses/odc-odbl/> ;
    dcat:landingPage <https://data.example.eu/dataset/air> ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Air desk" ; vcard:hasEmail "mailto:air@data.example.eu" ] ;
    owl:versionInfo "1.0" ;
    dcat:distribution [ a dcat:Distribution ;
        dct:title "Measurements"@en ;
        dcat:accessURL <https://data.example.eu/air.csv> ;
        dct:format "csv" ;
        dcat:mediaType "text/csv" ;
        dcat:byteSize "1024"^^xsd:decimal ] .

<https://data.example.eu/set/untitled> a dcat:Dataset ; dct:description "No title here" .
"#;

#[test]
fn a_foreign_dcat_ap_2_page() {
    let page = read(FOREIGN.as_bytes(), RdfFormat::Turtle, "https://data.example.eu/catalogue.ttl");
    assert_eq!(page.records.len(), 2);
    let record = page.records[0].as_ref().unwrap();
    assert_eq!(record.guid, "AIR-2021");
    let d = &record.dataset;
    assert_eq!((d["title"].as_str(), d["notes"].as_str()), (Some("Air quality"), Some("Hourly measurements")));
    assert_eq!(d["tags"], json!([{"name": "air"}, {"name": "PM2.5 fine"}]));
    assert_eq!(d["linh_vuc"], "moi-truong-tai-nguyen");
    assert!(d.get("tan_suat_cap_nhat").is_none());
    assert_eq!(extra(d, "frequency"), Some("http://publications.europa.eu/resource/authority/frequency/DAILY"));
    assert_eq!(d["thoi_gian_bat_dau"], "2021-01-01");
    assert_eq!(extra(d, "temporal_start"), Some("2021-01-01T00:00:00Z"));
    assert_eq!(d["license_id"], "odc-odbl");
    assert!(d.get("url").is_none(), "the catalogue's own dataset page");
    assert_eq!(
        (d["maintainer"].as_str(), d["maintainer_email"].as_str()),
        (Some("Air desk"), Some("air@data.example.eu"))
    );
    assert_eq!(d["version"], "1.0");
    assert!(extra(d, "uri").is_none());
    assert_eq!(
        d["resources"],
        json!([{"name": "Measurements", "url": "https://data.example.eu/air.csv", "format": "CSV",
            "mimetype": "text/csv", "size": 1024}])
    );
    let error = page.records[1].as_ref().unwrap_err();
    assert_eq!(error.guid.as_deref(), Some("https://data.example.eu/set/untitled"));
    assert_eq!(error.message, "The dataset has no dct:title");
    let anonymous = b"_:x <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .
        _:x <http://purl.org/dc/terms/title> \"T\" .";
    let page = read(anonymous, RdfFormat::NTriples, "https://data.example.eu/c.nt");
    let error = page.records[0].as_ref().unwrap_err();
    assert_eq!(
        (error.guid.as_deref(), error.message.as_str()),
        (None, "The dataset has neither an IRI nor a dct:identifier")
    );
}

#[test]
fn syntax_errors_have_a_line_and_a_column() {
    let vocabularies = Vocabularies::built_in().unwrap();
    let read = |body: &str, format| read_page(body.as_bytes(), format, "https://e.example/c", &vocabularies, &[]);
    let turtle = "@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title \"x\" ;\n  dct:title .\n";
    let error = read(turtle, RdfFormat::Turtle).unwrap_err();
    assert_eq!((error.line, error.column), (Some(3), Some(13)), "{error}");
    let xml = "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n  <rdf:Description></rdf:RDF>\n";
    let error = read(xml, RdfFormat::RdfXml).unwrap_err();
    assert_eq!(error.line, Some(3), "{error}");
    assert!(error.column.is_some());
    let error = read("{\"@id\": \"https://e.example/x\",\n  \"a\": }", RdfFormat::JsonLd).unwrap_err();
    assert_eq!(error.line, Some(2), "{error}");
    let remote = r#"{"@context": "https://e.example/context.jsonld", "@id": "https://e.example/x", "title": "T"}"#;
    let error = read(remote, RdfFormat::JsonLd).unwrap_err();
    assert!(error.message.contains("remote @context") && error.line.is_none(), "{error}");
    let error = read("<https://e.example/a> <https://e.example/b> .\n", RdfFormat::NTriples).unwrap_err();
    assert_eq!(error.line, Some(1), "{error}");
}

#[test]
fn formats_by_media_type_extension_then_content() {
    let url = "https://e.example/catalog";
    assert_eq!(format_of(Some("application/rdf+xml; charset=utf-8"), url, b""), RdfFormat::RdfXml);
    assert_eq!(format_of(Some("text/n3"), url, b""), RdfFormat::Turtle);
    assert_eq!(format_of(Some("application/json"), url, b""), RdfFormat::JsonLd);
    assert_eq!(format_of(Some("text/plain"), url, b"<a> <b> <c> ."), RdfFormat::NTriples);
    assert_eq!(format_of(Some("text/plain"), url, b"@prefix a: <b> ."), RdfFormat::Turtle);
    assert_eq!(format_of(Some("text/plain"), "https://e.example/c.ttl?x=1", b""), RdfFormat::Turtle);
    assert_eq!(format_of(Some("application/octet-stream"), "https://e.example/c.jsonld", b""), RdfFormat::JsonLd);
    assert_eq!(format_of(None, "https://e.example/c.rdf", b""), RdfFormat::RdfXml);
    assert_eq!(format_of(None, url, b"\xEF\xBB\xBF  <?xml version='1.0'?>"), RdfFormat::RdfXml);
    assert_eq!(format_of(None, url, b"<rdf:RDF xmlns:rdf='x'>"), RdfFormat::RdfXml);
    assert_eq!(format_of(None, url, b"<https://a> <https://b> <https://c> ."), RdfFormat::Turtle);
    assert_eq!(format_of(None, url, b"\n {\"@graph\": []}"), RdfFormat::JsonLd);
    assert_eq!(format_of(None, url, b"PREFIX dcat: <x>"), RdfFormat::Turtle);
}
