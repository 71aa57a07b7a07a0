//! What the templates show, read from the action results: dataset summaries, group tiles,
//! pagers, activity lines and metadata rows.

use serde_json::{Map, Value};

use super::i18n::Msgs;
use super::markdown;
use crate::model::{Dataset, Group};

pub use crate::model::text;

/// A dataset in a result list.
pub struct DatasetSummary {
    pub name: String,
    pub title: String,
    pub excerpt: String,
    pub organization: String,
    pub formats: Vec<String>,
    pub modified: String,
    pub private: bool,
    pub draft: bool,
}

impl DatasetSummary {
    pub fn of(dataset: &Dataset, m: &Msgs) -> DatasetSummary {
        let dict = &dataset.0;
        let mut formats: Vec<String> = Vec::new();
        for resource in dict.get("resources").and_then(Value::as_array).into_iter().flatten() {
            let format = resource.get("format").and_then(Value::as_str).unwrap_or_default().trim();
            if !format.is_empty() && !formats.iter().any(|f| f.eq_ignore_ascii_case(format)) {
                formats.push(format.to_string());
            }
        }
        DatasetSummary {
            name: dataset.name().to_string(),
            title: dataset.display_title().to_string(),
            excerpt: markdown::excerpt(text(dict, "notes"), 220),
            organization: dict
                .get("organization")
                .and_then(|o| o.get("title"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            formats,
            modified: m.date(dataset.metadata_modified()),
            private: dataset.is_private(),
            draft: dataset.state() == "draft",
        }
    }
}

/// An organisation or group with its dataset count.
pub struct GroupTile {
    pub name: String,
    pub title: String,
    pub excerpt: String,
    pub count: u64,
}

impl GroupTile {
    pub fn of(group: &Group) -> GroupTile {
        GroupTile {
            name: group.name().to_string(),
            title: group.display_title().to_string(),
            excerpt: markdown::excerpt(group.description(), 160),
            count: group.package_count().unwrap_or(0),
        }
    }
}

/// One link of a pager.
pub struct PageLink {
    pub label: String,
    pub accessible_label: String,
    pub href: String,
    pub current: bool,
}

/// The links to the pages of a listing.
pub struct Pager {
    pub links: Vec<PageLink>,
}

impl Pager {
    /// Links around `current` (1-based) of `pages`; `href(n)` gives page n's address.
    pub fn new(m: &Msgs, current: usize, pages: usize, href: impl Fn(usize) -> String) -> Pager {
        let mut links = Vec::new();
        if pages <= 1 {
            return Pager { links };
        }
        let mut add = |n: usize, label: String, accessible: String| {
            links.push(PageLink { label, accessible_label: accessible, href: href(n), current: n == current });
        };
        if current > 1 {
            add(current - 1, m.t("pager-previous"), String::new());
        }
        let first = current.saturating_sub(2).max(1);
        let last = (current + 2).min(pages);
        if first > 1 {
            add(1, "1".into(), m.with("pager-page", &[("page", "1")]));
        }
        for n in first..=last {
            let number = n.to_string();
            add(n, m.number(n as u64), m.with("pager-page", &[("page", &number)]));
        }
        if last < pages {
            let number = pages.to_string();
            add(pages, m.number(pages as u64), m.with("pager-page", &[("page", &number)]));
        }
        if current < pages {
            add(current + 1, m.t("pager-next"), String::new());
        }
        Pager { links }
    }
}

/// One line of an activity stream.
pub struct ActivityLine {
    pub id: String,
    pub label: String,
    pub timestamp: String,
    pub date: String,
    /// The dataset it changed, as `(name, title)`, when it is a dataset's activity.
    pub dataset: Option<(String, String)>,
    /// Whether it changed an existing object (a diff with the version before exists).
    pub is_change: bool,
}

impl ActivityLine {
    pub fn of(activity: &Map<String, Value>, m: &Msgs) -> ActivityLine {
        let kind = activity.get("activity_type").and_then(Value::as_str).unwrap_or_default();
        let key = match kind {
            "new package" => "activity-new-package",
            "changed package" => "activity-changed-package",
            "deleted package" => "activity-deleted-package",
            "new datarequest" => "activity-new-datarequest",
            "answered datarequest" => "activity-answered-datarequest",
            "closed datarequest" => "activity-closed-datarequest",
            "new error report" => "activity-new-error-report",
            "answered error report" => "activity-answered-error-report",
            "new access request" => "activity-new-access-request",
            "changed access request" => "activity-changed-access-request",
            "new maintenance notice" => "activity-new-maintenance-notice",
            _ => "activity-other",
        };
        let timestamp = activity.get("timestamp").and_then(Value::as_str).unwrap_or_default().to_string();
        let dataset = activity.get("data").and_then(|d| d.get("package")).and_then(Value::as_object).map(|p| {
            let name = text(p, "name").to_string();
            let title = if text(p, "title").is_empty() { name.clone() } else { text(p, "title").to_string() };
            (name, title)
        });
        ActivityLine {
            id: text(activity, "id").to_string(),
            label: m.t(key),
            date: m.date(&timestamp),
            timestamp,
            dataset,
            is_change: kind == "changed package",
        }
    }
}

/// A row of a metadata table.
pub struct FieldRow {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
    /// The value is Vietnamese text (marked `lang="vi"` on an English page).
    pub vietnamese: bool,
}

/// Returns `url` when it is a web address a link may point at.
pub fn web_link(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| url.trim().to_string())
}

/// The display name of the `user` a dict carries (`{name, fullname}`): the full name, else the
/// account name.
pub fn user_name_of(dict: &serde_json::Map<String, serde_json::Value>) -> String {
    let user = dict.get("user");
    let field = |key: &str| user.and_then(|u| u.get(key)).and_then(serde_json::Value::as_str).filter(|v| !v.is_empty());
    field("fullname").or_else(|| field("name")).unwrap_or_default().to_string()
}

/// `lang="vi"` on an English page (Vietnamese-only metadata), nothing on a Vietnamese one.
pub fn vi_attr(m: &Msgs) -> &'static str {
    if m.lang == super::i18n::Lang::Vi { "" } else { " lang=\"vi\"" }
}

/// A query string value, encoded.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A metadata quality summary (a dataset's or a department's average) for `_quality.html`.
pub struct QualityView {
    pub score: u64,
    pub max: u64,
    pub rating: String,
    /// Each dimension: its name, score and highest score.
    pub dimensions: Vec<(String, u64, u64)>,
    /// How many datasets a department's average covers (`None` for one dataset).
    pub datasets: Option<u64>,
}

impl QualityView {
    /// From `quality_show` or `organization_quality_show`'s answer.
    pub fn of(m: &Msgs, quality: &Value) -> QualityView {
        let number = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).and_then(Value::as_u64).unwrap_or_default();
        let dimensions = crate::workflows::quality::DIMENSIONS
            .iter()
            .map(|(name, max)| {
                let score = number(quality.get("dimensions").and_then(|d| d.get(*name)), "score");
                (m.t(&format!("quality-{name}")), score, u64::from(*max))
            })
            .collect();
        QualityView {
            score: number(Some(quality), "score"),
            max: number(Some(quality), "max"),
            rating: quality
                .get("rating")
                .and_then(Value::as_str)
                .map(|r| m.t(&format!("quality-rating-{r}")))
                .unwrap_or_default(),
            dimensions,
            datasets: quality.get("datasets").and_then(Value::as_u64),
        }
    }
}
