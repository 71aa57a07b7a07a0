//! `package_search` typed: CKAN's parameters read into a [`SearchQuery`], run as the caller,
//! answered as a [`SearchPage`] that writes the Action API's JSON itself.

use serde_json::{Map, Value};

use super::{
    ActionContext, ActionError, ActionResult, DEFAULT_SORT, KNOWN_PARAMETERS, Params, ROWS_MAX, caller_labels,
    facet_fields, facet_output, index_value, integer, main_filter, natural, parse_sort, run_search, string_items,
};
use crate::search::{self, Query, Request, SortBy, SortItem};

/// `package_search`'s parameters, validated (CKAN's names and defaults).
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// Free text (DisMax) or a fielded Lucene query; empty matches everything.
    pub q: String,
    /// `fq` as one string (CKAN's clause semantics), and `fq_list` / a list `fq`.
    pub fq: String,
    pub fq_list: Vec<String>,
    /// CKAN's sort text (`score desc, metadata_modified desc` by default).
    pub sort: String,
    pub rows: usize,
    pub start: usize,
    /// Facet fields (empty: no facets).
    pub facet_fields: Vec<String>,
    pub facet_limit: i64,
    pub facet_mincount: i64,
    pub include_private: bool,
    pub include_drafts: bool,
    /// Honoured for sysadmins only.
    pub include_deleted: bool,
    /// Fields to project each result to (`fl`); `None` gives the whole dataset dicts.
    pub fl: Option<Vec<String>>,
    /// `defType=edismax`: a fielded `q` is still read as free text.
    pub edismax: bool,
    /// Say which expansions found datasets and suggest a correction (the portal; not a CKAN
    /// parameter).
    pub explain: bool,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            q: String::new(),
            fq: String::new(),
            fq_list: Vec::new(),
            sort: DEFAULT_SORT.to_string(),
            rows: 10,
            start: 0,
            facet_fields: Vec::new(),
            facet_limit: 50,
            facet_mincount: 1,
            include_private: false,
            include_drafts: false,
            include_deleted: false,
            fl: None,
            edismax: false,
            explain: false,
        }
    }
}

impl SearchQuery {
    /// Reads and validates CKAN's parameters, as `package_search` receives them.
    pub fn from_params(params: &Params) -> ActionResult<SearchQuery> {
        let unknown: Vec<String> = params
            .0
            .keys()
            .filter(|k| !KNOWN_PARAMETERS.contains(&k.as_str()) && !k.starts_with("ext_"))
            .map(|k| format!("'{k}'"))
            .collect();
        if !unknown.is_empty() {
            return Err(ActionError::SearchQuery(format!(
                "Search Query is invalid: \"Invalid search parameters: [{}]\"",
                unknown.join(", ")
            )));
        }
        for key in ["q", "fq", "fq_list", "sort", "qf", "facet.field"] {
            if params.get(key).is_some_and(|v| v.to_string().contains("{!")) {
                return Err(ActionError::Search(format!(
                    "Search error: \"Local parameters are not supported in param '{key}'.\""
                )));
            }
        }
        let defaults = SearchQuery::default();
        let rows =
            natural(params, "rows")?.map_or(defaults.rows, |rows| usize::try_from(rows.min(ROWS_MAX)).unwrap_or(0));
        let start =
            natural(params, "start")?.map_or(defaults.start, |start| usize::try_from(start).unwrap_or(usize::MAX));
        let facet_limit = integer(params, "facet.limit")?.unwrap_or(defaults.facet_limit);
        let facet_mincount = natural(params, "facet.mincount")?.unwrap_or(defaults.facet_mincount);
        let facets_on = params.flag("facet", true)?;
        let facet_fields = facet_fields(params)?;
        let (fq, mut fq_list) = match params.get("fq") {
            Some(Value::Array(items)) => (String::new(), string_items(Some(&Value::Array(items.clone())))),
            Some(value) => (crate::actions::params::value_text(value).unwrap_or_default(), Vec::new()),
            None => (String::new(), Vec::new()),
        };
        fq_list.extend(string_items(params.get("fq_list")));
        Ok(SearchQuery {
            q: params.text("q").map(|q| q.trim().to_string()).unwrap_or_default(),
            fq,
            fq_list,
            sort: params.non_empty("sort").unwrap_or(defaults.sort),
            rows,
            start,
            facet_fields: if facets_on { facet_fields } else { Vec::new() },
            facet_limit,
            facet_mincount,
            include_private: params.truthy("include_private"),
            include_drafts: params.truthy("include_drafts"),
            include_deleted: params.truthy("include_deleted"),
            fl: params.string_list("fl").filter(|f| !f.is_empty()),
            edismax: params.text("defType").as_deref() == Some("edismax"),
            explain: false,
        })
    }
}

/// Runs a search as the caller (`package_search`, typed).
pub fn search(context: &ActionContext, query: &SearchQuery) -> ActionResult<SearchPage> {
    let include_deleted = query.include_deleted && context.caller.is_sysadmin();
    let sort_text = if query.sort.trim() == "rank" { DEFAULT_SORT.to_string() } else { query.sort.clone() };
    let mut sort = parse_sort(&sort_text)?;
    if !sort.iter().any(|item| item.by == SortBy::Number("id_order".into())) {
        sort.push(SortItem { by: SortBy::Number("id_order".into()), descending: false });
    }
    if sort.len() > search::MAX_SORT_ITEMS {
        return Err(ActionError::SearchQuery("Search Query is invalid: 'Invalid \"sort\" parameter'".into()));
    }
    let text = match query.q.as_str() {
        "" | "*:*" | "\"\"" | "''" => None,
        text if search::query::is_fielded(text) && !query.edismax => Some(Query::Lucene(text.to_string())),
        text => Some(Query::DisMax(text.to_string())),
    };
    let mut states = vec!["active"];
    if query.include_drafts {
        states.push("draft");
    }
    if include_deleted {
        states.push("deleted");
    }
    let mut filters = vec![main_filter(&query.fq, query.include_private, &states.join(" OR "))];
    filters.extend(query.fq_list.iter().cloned());
    let request = Request {
        q: text,
        filters,
        labels: caller_labels(context)?,
        sort,
        start: query.start,
        rows: query.rows,
        facets: query.facet_fields.clone(),
        now: crate::store::now(),
        explain: query.explain,
    };
    let mut outcome = run_search(context, &request)?;
    let results = match &query.fl {
        Some(fl) => {
            let wanted: Vec<String> = fl.iter().flat_map(|f| f.split_whitespace().map(str::to_string)).collect();
            let projected: Vec<Value> = outcome
                .dicts()
                .into_iter()
                .map(|dict| {
                    Value::Object(
                        wanted.iter().filter_map(|k| dict.get(k).map(|v| (k.clone(), index_value(v)))).collect(),
                    )
                })
                .collect();
            Results::Values(projected)
        }
        None => Results::Stored(outcome.documents),
    };
    let (facets, search_facets) =
        facet_output(context, &query.facet_fields, outcome.facets, query.facet_limit, query.facet_mincount)?;
    Ok(SearchPage {
        count: outcome.count,
        facets,
        results,
        sort: sort_text,
        search_facets,
        expansions: std::mem::take(&mut outcome.expansions),
        suggestion: outcome.suggestion.take(),
    })
}

/// The page of a search answer: the stored dicts as JSON text, or `fl` projections.
pub(super) enum Results {
    Stored(Vec<String>),
    Values(Vec<Value>),
}

/// What a search found: the count, one page of results, and the facets.
pub struct SearchPage {
    pub count: usize,
    /// CKAN's `facets`: field → value → count.
    pub facets: Map<String, Value>,
    pub(super) results: Results,
    pub sort: String,
    /// CKAN's `search_facets`: field → `{title, items: [{name, display_name, count}]}`.
    pub search_facets: Map<String, Value>,
    /// With `explain`: the expansions of free text that found datasets.
    pub expansions: Vec<search::Expansion>,
    /// With `explain`, when nothing was found: a corrected query that finds something.
    pub suggestion: Option<String>,
}

impl SearchPage {
    /// Returns the page's datasets (projected to `fl` when it was given).
    pub fn datasets(&self) -> Vec<crate::model::Dataset> {
        let dicts: Vec<Map<String, Value>> = match &self.results {
            Results::Stored(texts) => texts.iter().filter_map(|t| serde_json::from_str(t).ok()).collect(),
            Results::Values(values) => values.iter().filter_map(|v| v.as_object().cloned()).collect(),
        };
        dicts.into_iter().map(crate::model::Dataset).collect()
    }

    /// Writes the page as `package_search`'s result JSON: the stored dicts are copied as text,
    /// never parsed (a 1,000-row page is about 4 MB of JSON). The only way a search answer is
    /// written, for the API and for in-process callers alike.
    pub fn write_json(self, out: &mut String) {
        let facets = Value::Object(self.facets).to_string();
        let search_facets = Value::Object(self.search_facets).to_string();
        let size = match &self.results {
            Results::Stored(texts) => texts.iter().map(|t| t.len() + 1).sum::<usize>(),
            Results::Values(_) => 0,
        };
        out.reserve(size + facets.len() + search_facets.len() + 128);
        out.push_str(&format!("{{\"count\":{},\"facets\":{facets},\"results\":[", self.count));
        match self.results {
            Results::Stored(texts) => {
                for (index, text) in texts.into_iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    out.push_str(&text);
                }
            }
            Results::Values(values) => {
                let listed = Value::Array(values).to_string();
                out.push_str(listed.get(1..listed.len().saturating_sub(1)).unwrap_or_default());
            }
        }
        out.push_str(&format!("],\"sort\":{},\"search_facets\":{search_facets}}}", Value::String(self.sort)));
    }
}
