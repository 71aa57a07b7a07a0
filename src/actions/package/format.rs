//! Resource formats: the canonical short names CKAN sites use (`CSV`, `XLSX`, …), guessed from
//! a URL's extension and normalised from mimetypes or alternative spellings.

/// `(canonical name, mimetype, other spellings and extensions)`.
const FORMATS: &[(&str, &str, &[&str])] = &[
    ("CSV", "text/csv", &["csv", "text/comma-separated-values"]),
    ("XLS", "application/vnd.ms-excel", &["xls", "excel"]),
    ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"]),
    ("ODS", "application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    ("JSON", "application/json", &["json"]),
    ("GeoJSON", "application/geo+json", &["geojson", "application/vnd.geo+json"]),
    ("XML", "application/xml", &["xml", "text/xml"]),
    ("RDF", "application/rdf+xml", &["rdf"]),
    ("TTL", "text/turtle", &["ttl", "turtle"]),
    ("JSON-LD", "application/ld+json", &["jsonld", "json-ld"]),
    ("PDF", "application/pdf", &["pdf"]),
    ("DOC", "application/msword", &["doc"]),
    ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"]),
    ("ODT", "application/vnd.oasis.opendocument.text", &["odt"]),
    ("TXT", "text/plain", &["txt", "text"]),
    ("HTML", "text/html", &["html", "htm"]),
    ("ZIP", "application/zip", &["zip"]),
    ("SHP", "application/x-shapefile", &["shp", "shapefile", "esri shapefile"]),
    ("KML", "application/vnd.google-earth.kml+xml", &["kml"]),
    ("KMZ", "application/vnd.google-earth.kmz", &["kmz"]),
    ("GPKG", "application/geopackage+sqlite3", &["gpkg", "geopackage"]),
    ("WMS", "", &["wms"]),
    ("WFS", "", &["wfs"]),
    ("API", "", &["api", "rest"]),
    ("PNG", "image/png", &["png"]),
    ("JPEG", "image/jpeg", &["jpeg", "jpg"]),
    ("TIFF", "image/tiff", &["tiff", "tif", "geotiff"]),
    ("PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation", &["pptx"]),
    ("PARQUET", "application/vnd.apache.parquet", &["parquet"]),
];

fn extension(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    let (_, ext) = last.rsplit_once('.')?;
    (!ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

fn entry_for_extension(url: &str) -> Option<&'static (&'static str, &'static str, &'static [&'static str])> {
    let ext = extension(url)?;
    FORMATS.iter().find(|(_, _, others)| others.contains(&ext.as_str()))
}

/// Returns the canonical format of a URL's extension (`…/a.csv` → `CSV`).
pub fn guess_format(url: &str) -> Option<&'static str> {
    entry_for_extension(url).map(|(name, _, _)| *name)
}

/// Returns the mimetype of a URL's extension.
pub fn guess_mimetype(url: &str) -> Option<&'static str> {
    entry_for_extension(url).map(|(_, mime, _)| *mime).filter(|m| !m.is_empty())
}

/// Returns the canonical name of a format given as a name, mimetype or alternative; unknown
/// formats are kept as given.
pub fn normalize(format: &str) -> String {
    let trimmed = format.trim();
    let lower = trimmed.to_ascii_lowercase();
    FORMATS
        .iter()
        .find(|(name, mime, others)| {
            name.to_ascii_lowercase() == lower
                || (!mime.is_empty() && *mime == lower)
                || others.contains(&lower.as_str())
        })
        .map(|(name, _, _)| name.to_string())
        .unwrap_or_else(|| trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_guessed_from_extensions_and_normalised() {
        assert_eq!(guess_format("example.gov.vn/dan-so.xlsx"), Some("XLSX"));
        assert_eq!(guess_format("https://a.vn/x.CSV?download=1"), Some("CSV"));
        assert_eq!(guess_format("https://a.vn/x"), None);
        assert_eq!(guess_mimetype("https://a.vn/p.pdf"), Some("application/pdf"));
        assert_eq!(normalize("text/csv"), "CSV");
        assert_eq!(normalize("xls"), "XLS");
        assert_eq!(normalize("Bảng tính riêng"), "Bảng tính riêng");
    }
}
