//! `/dataset`: the search page, served by `package_search`. Every state (text, filters,
//! sort, page, expanded facets) is in the address, so it can be shared and the back button
//! works; it needs no JavaScript.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use crate::actions::typed::SearchPage;
use crate::actions::{SearchQuery, Services, typed};
use crate::error::ActionError;
use crate::portal::i18n::Msgs;
use crate::portal::views::{DatasetSummary, Pager, encode};
use crate::portal::{Chrome, Ctx, PageError, PageResult, respond};
use crate::search::{Expansion, Kind};

/// Results on a page (CKAN's 20).
pub const ROWS: usize = 20;
/// Facet values shown before "show more".
const FACET_SHOWN: usize = 10;
/// The deepest page offered (search is not for walking the whole catalogue: that is DCAT's).
const MAX_PAGE: usize = 500;

/// The facets, in the order shown: (search field, message key).
pub const FACETS: [(&str, &str); 8] = [
    ("organization", "facet-organization"),
    ("groups", "facet-groups"),
    ("linh_vuc", "facet-linh-vuc"),
    ("tags", "facet-tags"),
    ("res_format", "facet-res-format"),
    ("license_id", "facet-license"),
    ("pham_vi_khong_gian", "facet-admin-unit"),
    ("tan_suat_cap_nhat", "facet-frequency"),
];

/// The sorts offered: (CKAN sort, message key); the first is relevance.
const SORTS: [(&str, &str); 4] = [
    ("score desc, metadata_modified desc", "sort-relevance"),
    ("title_string asc", "sort-name"),
    ("metadata_modified desc", "sort-modified"),
    ("metadata_created desc", "sort-created"),
];

/// A search as its address holds it.
#[derive(Clone, Default)]
pub struct State {
    pub q: String,
    pub sort: Option<&'static str>,
    pub page: usize,
    pub filters: Vec<(&'static str, String)>,
    pub expanded: Vec<&'static str>,
}

impl State {
    pub fn read(ctx: &Ctx) -> State {
        let mut state = State { page: 1, ..State::default() };
        for (key, value) in &ctx.query {
            match key.as_str() {
                "q" => state.q = value.trim().to_string(),
                "sort" => state.sort = SORTS.iter().map(|(s, _)| *s).find(|s| *s == value.as_str()),
                "page" => state.page = value.trim().parse::<usize>().unwrap_or(1).clamp(1, MAX_PAGE),
                other => {
                    if let Some((field, _)) = FACETS.iter().find(|(f, _)| *f == other)
                        && !value.is_empty()
                        && !state.filters.iter().any(|(f, v)| f == field && v == value)
                    {
                        state.filters.push((field, value.clone()));
                    }
                    if let Some(field) = other.strip_prefix('_').and_then(|k| k.strip_suffix("_limit"))
                        && let Some((field, _)) = FACETS.iter().find(|(f, _)| *f == field)
                    {
                        state.expanded.push(field);
                    }
                }
            }
        }
        state
    }

    /// The query string of this state (page 1 omitted).
    pub fn query_string(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        for (field, value) in &self.filters {
            parts.push(format!("{field}={}", encode(value)));
        }
        for field in &self.expanded {
            parts.push(format!("_{field}_limit=0"));
        }
        if let Some(sort) = self.sort {
            parts.push(format!("sort={}", encode(sort)));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// The address of this state under `base` (`/dataset`, `/organization/x`).
    pub fn href(&self, base: &str) -> String {
        let query = self.query_string();
        if query.is_empty() { base.to_string() } else { format!("{base}?{query}") }
    }

    fn toggled(&self, field: &'static str, value: &str) -> State {
        let mut next = State { page: 1, ..self.clone() };
        if let Some(index) = next.filters.iter().position(|(f, v)| *f == field && v == value) {
            next.filters.remove(index);
        } else {
            next.filters.push((field, value.to_string()));
        }
        next
    }

    /// The filter queries of this state (values quoted and escaped).
    pub fn filter_queries(&self) -> Vec<String> {
        self.filters.iter().map(|(field, value)| crate::actions::exact_filter(field, value)).collect()
    }

    /// The search to run: `extra` filters (a page's own organisation or group) are added.
    pub fn search_query(&self, extra: &[String], facets: bool) -> SearchQuery {
        let mut fq_list = extra.to_vec();
        fq_list.extend(self.filter_queries());
        SearchQuery {
            q: self.q.clone(),
            fq_list,
            sort: self.sort.unwrap_or(SORTS[0].0).to_string(),
            rows: ROWS,
            start: (self.page - 1) * ROWS,
            facet_fields: if facets { FACETS.iter().map(|(f, _)| f.to_string()).collect() } else { Vec::new() },
            facet_limit: 50,
            // As CKAN's search page: private datasets the caller may see are listed too.
            include_private: true,
            ..SearchQuery::default()
        }
    }

    /// The equivalent `package_search` call.
    pub fn api_href(&self, extra: &[String]) -> String {
        let query = self.search_query(extra, true);
        let mut parts = vec![format!("q={}", encode(&query.q))];
        if !query.fq_list.is_empty() {
            parts.push(format!("fq={}", encode(&query.fq_list.join(" AND "))));
        }
        let facets = Value::from(query.facet_fields.clone()).to_string();
        parts.push(format!("facet.field={}", encode(&facets)));
        parts.push(format!("sort={}", encode(&query.sort)));
        parts.push(format!("rows={ROWS}"));
        // As the page: private datasets the caller may see are counted too.
        parts.push("include_private=true".into());
        if query.start > 0 {
            parts.push(format!("start={}", query.start));
        }
        format!("/api/3/action/package_search?{}", parts.join("&"))
    }
}

pub struct Chip {
    pub label: String,
    pub accessible_label: String,
    pub href: String,
}

pub struct FacetItem {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
    pub vietnamese: bool,
}

pub struct Facet {
    pub field: &'static str,
    pub title: String,
    pub items: Vec<FacetItem>,
    pub more_href: Option<String>,
    pub more_label: String,
}

pub struct SortOption {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchView {
    chrome: Chrome,
    m: Msgs,
    heading: String,
    search_action: String,
    search_label: String,
    search_q: String,
    search_hidden: Vec<(String, String)>,
    /// The expansions that found datasets, as sentences.
    expansions: Vec<String>,
    /// A corrected query that finds something when this one found nothing: (text, address).
    suggestion: Option<(String, String)>,
    sort_hidden: Vec<(String, String)>,
    error: Option<String>,
    count: u64,
    chips: Vec<Chip>,
    sorts: Vec<SortOption>,
    datasets: Vec<DatasetSummary>,
    pager: Pager,
    facets: Vec<Facet>,
    api_href: String,
}

pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    respond(&request, services, build).await
}

/// How a facet value is shown: titles for organisations, groups and licences (from the
/// search), the schema's labels for its choices, names for administrative units.
fn facet_label(ctx: &Ctx, field: &str, value: &str, display: &str) -> (String, bool) {
    match field {
        "linh_vuc" | "tan_suat_cap_nhat" => match choice_label(ctx, field, value) {
            Some(label) => (label, false),
            None => (value.to_string(), true),
        },
        "pham_vi_khong_gian" => match ctx.services().vocabularies.administrative_unit(value) {
            Some(name) => (name.to_string(), true),
            None => (value.to_string(), false),
        },
        "res_format" | "license_id" => {
            (if display.is_empty() { value.to_string() } else { display.to_string() }, false)
        }
        _ => (if display.is_empty() { value.to_string() } else { display.to_string() }, true),
    }
}

/// The label of a choice of a schema field, in the page's language.
pub fn choice_label(ctx: &Ctx, field: &str, value: &str) -> Option<String> {
    ctx.services().schemas.0.iter().find_map(|schema| {
        let fields = schema.document.get("dataset_fields")?.as_array()?;
        let definition = fields.iter().find(|f| f.get("field_name").and_then(Value::as_str) == Some(field))?;
        let choice = definition
            .get("choices")?
            .as_array()?
            .iter()
            .find(|c| c.get("value").and_then(Value::as_str) == Some(value))?;
        crate::portal::pages::dataset::label_in(choice.get("label")?, ctx.lang)
    })
}

fn facets(ctx: &Ctx, state: &State, found: &SearchPage, base: &str) -> Vec<Facet> {
    let m = ctx.m;
    let mut out = Vec::new();
    for (field, key) in FACETS {
        let Some(items) = found.search_facets.get(field).and_then(|f| f.get("items")).and_then(Value::as_array) else {
            continue;
        };
        let mut items: Vec<(String, String, u64)> = items
            .iter()
            .map(|item| {
                let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                (text("name"), text("display_name"), item.get("count").and_then(Value::as_u64).unwrap_or(0))
            })
            .collect();
        items.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        let active_values: Vec<&String> = state.filters.iter().filter(|(f, _)| *f == field).map(|(_, v)| v).collect();
        if items.is_empty() && active_values.is_empty() {
            continue;
        }
        let expanded = state.expanded.contains(&field);
        let more = !expanded && items.len() > FACET_SHOWN;
        if !expanded {
            // Keep the active values visible even beyond the first ten.
            let mut shown: Vec<(String, String, u64)> = items.iter().take(FACET_SHOWN).cloned().collect();
            for item in items.iter().skip(FACET_SHOWN) {
                if active_values.contains(&&item.0) {
                    shown.push(item.clone());
                }
            }
            items = shown;
        }
        let title = m.t(key);
        let more_href = more.then(|| {
            let mut next = state.clone();
            next.expanded.push(field);
            next.href(base)
        });
        out.push(Facet {
            field,
            more_label: m.with("facet-show-more", &[("facet", &title)]),
            title,
            more_href,
            items: items
                .into_iter()
                .map(|(value, display, count): (String, String, u64)| {
                    let (label, vietnamese) = facet_label(ctx, field, &value, &display);
                    FacetItem {
                        active: active_values.contains(&&value),
                        href: state.toggled(field, &value).href(base),
                        label,
                        count,
                        vietnamese,
                    }
                })
                .collect(),
        });
    }
    out
}

/// The chips of the active filters, each removing its own.
fn chips(ctx: &Ctx, state: &State, found: Option<&SearchPage>, base: &str) -> Vec<Chip> {
    state
        .filters
        .iter()
        .map(|(field, value)| {
            let display = found
                .and_then(|f| f.search_facets.get(*field))
                .and_then(|f| f.get("items"))
                .and_then(Value::as_array)
                .and_then(|items| items.iter().find(|i| i.get("name").and_then(Value::as_str) == Some(value)))
                .and_then(|i| i.get("display_name"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let (label, _) = facet_label(ctx, field, value, display);
            let facet = FACETS.iter().find(|(f, _)| f == field).map(|(_, key)| ctx.m.t(key)).unwrap_or_default();
            let label = format!("{facet}: {label}");
            Chip {
                accessible_label: ctx.m.with("chip-remove", &[("filter", &label)]),
                label,
                href: state.toggled(field, value).href(base),
            }
        })
        .collect()
}

/// Runs a page's search: a query Kho cannot parse is a notice on the page (the second
/// value), not an error page; a page beyond the last is not found.
pub fn run(ctx: &Ctx, state: &State, query: &SearchQuery) -> Result<(Option<SearchPage>, Option<String>), PageError> {
    let (found, error) = match typed::package_search(&ctx.action, query) {
        Ok(found) => (Some(found), None),
        Err(ActionError::Search(_) | ActionError::SearchQuery(_)) => (None, Some(ctx.m.t("search-syntax-error"))),
        Err(other) => return Err(other.into()),
    };
    let count = found.as_ref().map_or(0, |f| f.count);
    if state.page > pages_of(count).max(1) {
        return Err(PageError::NotFound);
    }
    Ok((found, error))
}

/// The number of result pages offered for `count` results.
pub fn pages_of(count: usize) -> usize {
    count.div_ceil(ROWS).min(MAX_PAGE)
}

/// How the page names an expansion that found datasets: what was searched for what was typed.
fn expansion_text(m: &Msgs, expansion: &Expansion) -> String {
    let key = match expansion.kind {
        Kind::Spelling => "search-expanded-spelling",
        Kind::Abbreviation => "search-expanded-abbreviation",
        Kind::Place => "search-expanded-place",
        Kind::Merged(_) => "search-expanded-merged",
        Kind::Keystrokes => "search-expanded-keystrokes",
        Kind::Tone => "search-expanded-tone",
        Kind::Typo => "search-expanded-typo",
    };
    // Lexicon names are kept in lower case: a place is written with capitals.
    let searched = match expansion.kind {
        Kind::Merged(_) | Kind::Place => capitalised_words(&expansion.searched),
        _ => expansion.searched.clone(),
    };
    m.with(key, &[("searched", &searched), ("typed", &expansion.typed)])
}

/// Every word with a capital first letter (`gia lai` → `Gia Lai`).
fn capitalised_words(text: &str) -> String {
    let capitalised = |word: &str| {
        let mut chars = word.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
    };
    text.split(' ').map(capitalised).collect::<Vec<_>>().join(" ")
}

/// The hidden fields of a search form: the filters and the sort are kept, the text is new.
pub fn kept_fields(state: &State) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = state.filters.iter().map(|(f, v)| (f.to_string(), v.clone())).collect();
    if let Some(sort) = state.sort {
        kept.push(("sort".into(), sort.to_string()));
    }
    kept
}

fn build(ctx: &Ctx) -> PageResult {
    let m = ctx.m;
    let state = State::read(ctx);
    let base = format!("{}/dataset", ctx.lang.prefix());
    let query = SearchQuery { explain: true, ..state.search_query(&[], true) };
    let (found, error) = run(ctx, &state, &query)?;
    let count = found.as_ref().map_or(0, |f| f.count);
    let pages = pages_of(count);
    let pager = Pager::new(&m, state.page, pages, |n| State { page: n, ..state.clone() }.href(&base));
    let heading =
        if state.q.is_empty() { m.t("search-heading") } else { m.with("search-heading-q", &[("q", &state.q)]) };
    // The sort form keeps the text and the filters.
    let mut sort_hidden: Vec<(String, String)> = Vec::new();
    if !state.q.is_empty() {
        sort_hidden.push(("q".into(), state.q.clone()));
    }
    sort_hidden.extend(state.filters.iter().map(|(f, v)| (f.to_string(), v.clone())));
    let page = SearchView {
        chrome: Chrome::new(ctx, heading.clone(), "dataset"),
        m,
        heading,
        search_action: base.clone(),
        search_label: m.t("search-label"),
        search_q: state.q.clone(),
        search_hidden: kept_fields(&state),
        error,
        count: count as u64,
        chips: chips(ctx, &state, found.as_ref(), &base),
        sorts: SORTS
            .iter()
            .map(|(value, key)| SortOption {
                value,
                label: m.t(key),
                selected: state.sort.unwrap_or(SORTS[0].0) == *value,
            })
            .collect(),
        datasets: found
            .as_ref()
            .map(|f| f.datasets().iter().map(|d| DatasetSummary::of(d, &m)).collect())
            .unwrap_or_default(),
        pager,
        facets: found.as_ref().map(|f| facets(ctx, &state, f, &base)).unwrap_or_default(),
        api_href: state.api_href(&[]),
        sort_hidden,
        expansions: found
            .as_ref()
            .map(|f| f.expansions.iter().map(|e| expansion_text(&m, e)).collect())
            .unwrap_or_default(),
        suggestion: found.as_ref().and_then(|f| f.suggestion.clone()).map(|text| {
            let href = State { q: text.clone(), page: 1, ..state.clone() }.href(&base);
            (text, href)
        }),
    };
    Ok(page.render()?)
}
