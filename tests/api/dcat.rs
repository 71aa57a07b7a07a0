//! DCAT endpoints over HTTP on both engines, every format read back with a real RDF parser
//! (oxttl, oxrdfxml, oxjsonld): one catalogue per page, each public dataset exactly once when
//! the pages are followed to the end, private datasets never, media types, errors.

use std::collections::BTreeMap;

use oxrdf::{NamedNode, Term, Triple};
use serde_json::json;

use crate::helpers::{callers, engines, spawn_app_with};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";
const DCT: &str = "http://purl.org/dc/terms/";

fn parse(media_type: &str, body: &[u8]) -> Vec<Triple> {
    match media_type {
        "text/turtle" | "text/n3" => {
            oxttl::TurtleParser::new().for_slice(body).collect::<Result<Vec<_>, _>>().expect("valid Turtle")
        }
        "application/n-triples" => {
            oxttl::NTriplesParser::new().for_slice(body).collect::<Result<Vec<_>, _>>().expect("valid N-Triples")
        }
        "application/rdf+xml" => {
            oxrdfxml::RdfXmlParser::new().for_slice(body).collect::<Result<Vec<_>, _>>().expect("valid RDF/XML")
        }
        "application/ld+json" => oxjsonld::JsonLdParser::new()
            .for_slice(body)
            .map(|quad| quad.map(Triple::from))
            .collect::<Result<Vec<_>, _>>()
            .expect("valid JSON-LD"),
        other => panic!("unexpected media type {other}"),
    }
}

fn subjects_of_type(triples: &[Triple], class: &str) -> Vec<String> {
    let class = Term::NamedNode(NamedNode::new_unchecked(class));
    triples
        .iter()
        .filter(|t| t.predicate.as_str() == RDF_TYPE && t.object == class)
        .map(|t| t.subject.to_string())
        .collect()
}

fn literal_of(triples: &[Triple], predicate: &str) -> Option<String> {
    triples.iter().find(|t| t.predicate.as_str() == predicate).and_then(|t| match &t.object {
        Term::Literal(l) => Some(l.value().to_string()),
        _ => None,
    })
}

#[test]
fn catalogue_pages_hold_every_public_dataset_once_in_every_format() {
    for engine in engines() {
        let app = spawn_app_with(engine, |config| {
            config.dcat_datasets_per_page = 3;
            config.site_url = Some("https://dulieu.example.gov.vn".into());
            config.default_license = Some("cc-by".into());
        });
        let c = callers(&app, "so-tai-chinh");
        let mut public = Vec::new();
        for i in 0..8 {
            let private = i % 4 == 3;
            let created = app
                .post(
                    "package_create",
                    Some(&c.editor),
                    json!({"name": format!("ngan-sach-{i}"), "title": format!("Ngân sách {i}"), "owner_org": "so-tai-chinh",
                           "private": private, "license_id": "cc-by", "tags": [{"name": "ngân sách"}],
                           "resources": [{"url": format!("https://a.gov.vn/{i}.csv"), "name": "Số liệu"}]}),
                )
                .result()
                .clone();
            if !private {
                public.push(format!("<https://dulieu.example.gov.vn/dataset/{}>", created["id"].as_str().unwrap()));
            }
        }
        public.sort();
        let first_created = app.get("package_show", None, &[("id", "ngan-sach-0")]).result()["metadata_created"]
            .as_str()
            .unwrap()
            .to_string();
        for (extension, media_type) in [
            ("ttl", "text/turtle"),
            ("n3", "text/n3"),
            ("nt", "application/n-triples"),
            ("rdf", "application/rdf+xml"),
            ("xml", "application/rdf+xml"),
            ("jsonld", "application/ld+json"),
        ] {
            let mut seen = Vec::new();
            let mut url = format!("{}/catalog.{extension}", app.base);
            let mut pages = 0;
            loop {
                let reply = app.send(|client| client.get(&url));
                assert_eq!(reply.status, 200, "{url}");
                assert_eq!(reply.header("content-type").as_deref(), Some(media_type));
                let triples = parse(media_type, reply.text().as_bytes());
                assert_eq!(subjects_of_type(&triples, &format!("{DCAT}Catalog")).len(), 1, "one catalogue per page");
                let datasets = subjects_of_type(&triples, &format!("{DCAT}Dataset"));
                assert!(datasets.len() <= 3);
                for dataset in &datasets {
                    let distributions = triples
                        .iter()
                        .filter(|t| {
                            t.subject.to_string() == *dataset && t.predicate.as_str() == format!("{DCAT}distribution")
                        })
                        .count();
                    assert_eq!(distributions, 1);
                }
                assert!(triples.iter().any(|t| t.predicate.as_str() == format!("{DCAT}accessURL")));
                assert_eq!(literal_of(&triples, &format!("{HYDRA}totalItems")).as_deref(), Some("6"));
                // The catalogue's licence is the default one; it began with its oldest dataset.
                let of_catalogue = |predicate: &str| -> Vec<String> {
                    triples
                        .iter()
                        .filter(|t| {
                            t.subject.to_string() == "<https://dulieu.example.gov.vn>"
                                && t.predicate.as_str() == format!("http://purl.org/dc/terms/{predicate}")
                        })
                        .map(|t| match &t.object {
                            Term::Literal(l) => l.value().to_string(),
                            other => other.to_string(),
                        })
                        .collect()
                };
                assert_eq!(
                    of_catalogue("license"),
                    vec!["<http://publications.europa.eu/resource/authority/licence/CC_BY_4_0>"],
                    "{extension}"
                );
                assert_eq!(of_catalogue("issued"), vec![first_created.clone()], "{extension}");
                seen.extend(datasets);
                pages += 1;
                // Links use the configured site URL, never the request's host.
                match literal_of(&triples, &format!("{HYDRA}next")) {
                    Some(next) => {
                        assert!(next.starts_with("https://dulieu.example.gov.vn/catalog."), "{next}");
                        assert_eq!(literal_of(&triples, &format!("{HYDRA}nextPage")).as_deref(), Some(next.as_str()));
                        url = next.replace("https://dulieu.example.gov.vn", &app.base);
                    }
                    None => break,
                }
            }
            seen.sort();
            assert_eq!(pages, 2, "{extension}");
            assert_eq!(seen, public, "{extension}: each public dataset once, no private one");
        }
        // One dataset; private ones only for those who may see them.
        let private_id = app.get("package_show", Some(&c.editor), &[("id", "ngan-sach-3")]).result()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let anonymous = app.send(|client| client.get(format!("{}/dataset/ngan-sach-3.ttl", app.base)));
        assert_eq!(anonymous.status, 404);
        let member = app.send(|client| {
            client.get(format!("{}/dataset/{private_id}.ttl", app.base)).header("Authorization", c.member.as_str())
        });
        assert_eq!(member.status, 200);
        let triples = parse("text/turtle", member.text().as_bytes());
        assert_eq!(
            subjects_of_type(&triples, &format!("{DCAT}Dataset")),
            vec![format!("<https://dulieu.example.gov.vn/dataset/{private_id}>")]
        );
        assert!(subjects_of_type(&triples, &format!("{DCAT}Catalog")).is_empty());
        // Content negotiation, and CKAN's errors.
        let negotiated =
            app.send(|client| client.get(format!("{}/dataset/ngan-sach-0", app.base)).header("Accept", "text/turtle"));
        assert_eq!((negotiated.status, negotiated.header("content-type").as_deref()), (200, Some("text/turtle")));
        let catalogue =
            app.send(|client| client.get(format!("{}/catalog", app.base)).header("Accept", "application/rdf+xml"));
        assert_eq!(catalogue.header("content-type").as_deref(), Some("application/rdf+xml"));
        assert_eq!(catalogue.header("vary").as_deref(), Some("Accept"));
        let bad_page = app.send(|client| client.get(format!("{}/catalog.ttl?page=0", app.base)));
        assert_eq!(
            (bad_page.status, bad_page.text()),
            (409, "Page param must be a positive integer starting in 1".to_string())
        );
        let bad_date = app.send(|client| client.get(format!("{}/catalog.ttl?modified_since=hom-qua", app.base)));
        assert_eq!(bad_date.status, 409);
        let unknown = app.send(|client| client.get(format!("{}/catalog.docx", app.base)));
        assert_eq!(unknown.status, 404);
        // Filters keep their parameters in the page links.
        let filtered =
            app.send(|client| client.get(format!("{}/catalog.ttl?q=ngan&modified_since=2000-01-01", app.base)));
        let triples = parse("text/turtle", filtered.text().as_bytes());
        let first = literal_of(&triples, &format!("{HYDRA}first")).unwrap();
        assert_eq!(first, "https://dulieu.example.gov.vn/catalog.ttl?q=ngan&modified_since=2000-01-01&page=1");
        let counts: BTreeMap<&str, usize> =
            BTreeMap::from([("datasets", subjects_of_type(&triples, &format!("{DCAT}Dataset")).len())]);
        assert_eq!(counts["datasets"], 3);

        // A licence without an IRI of its own points at its page on this site; a provincial
        // dataset's administrative unit is a Kho-local location named from `dcat/`.
        app.post(
            "package_create",
            Some(&c.editor),
            json!({"name": "dan-so", "title": "Dân số", "owner_org": "so-tai-chinh", "type": "vn-dataset",
                   "license_id": "vn-state-open-data", "pham_vi_khong_gian": "52", "linh_vuc": "xa-hoi-lao-dong-dan-so",
                   "tan_suat_cap_nhat": "hang-nam", "muc_do_chia_se": "mo", "thoi_han_truc_tuyen": "vinh-vien",
                   "co_so_phap_ly": "Luật Dữ liệu 60/2024/QH15", "dau_moi_lien_he": "Phòng dữ liệu",
                   "doi_tuong_muc_dich_khai_thac": "Người dân", "muc_tieu": "Công khai", "nguon_thong_tin": "Điều tra",
                   "pham_vi": "Toàn tỉnh", "phuong_thuc_chia_se": "tai-ve",
                   "resources": [{"url": "https://a.gov.vn/dan-so.csv", "format": "CSV"}]}),
        )
        .result();
        let reply = app.send(|client| client.get(format!("{}/dataset/dan-so.ttl", app.base)));
        let triples = parse("text/turtle", reply.text().as_bytes());
        let objects = |predicate: &str| -> Vec<String> {
            let mut found: Vec<String> =
                triples.iter().filter(|t| t.predicate.as_str() == predicate).map(|t| t.object.to_string()).collect();
            found.dedup();
            found
        };
        assert_eq!(
            objects(&format!("{DCT}license")),
            vec!["<https://dulieu.example.gov.vn/licence/vn-state-open-data>"]
        );
        assert_eq!(objects(&format!("{DCT}spatial")), vec!["<https://dulieu.example.gov.vn/dia-ban/52>"]);
        assert!(objects("http://www.w3.org/2004/02/skos/core#prefLabel").contains(&"\"Gia Lai\"@vi".to_string()));
        let page = app.send(|client| client.get(format!("{}/licence/vn-state-open-data", app.base)));
        assert_eq!((page.status, page.header("content-type").as_deref()), (200, Some("text/html; charset=utf-8")));
        assert!(page.text().contains("Dữ liệu mở của cơ quan nhà nước"), "{}", page.text());
        let unknown = app.send(|client| client.get(format!("{}/licence/khong-co", app.base)));
        assert_eq!(unknown.status, 404);
    }
}
