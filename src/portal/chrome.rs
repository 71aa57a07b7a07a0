//! What every page shares: the head, the header with its navigation and language switch, the
//! footer.

use super::Ctx;

/// A link to another form of the page (`<link rel="alternate">`).
pub struct Alternate {
    pub media_type: &'static str,
    pub href: String,
    pub title: String,
}

/// The shared parts of a page, for `base.html`.
pub struct Chrome {
    pub lang: &'static str,
    pub prefix: &'static str,
    pub title: String,
    pub description: String,
    pub site_title: String,
    pub css: String,
    pub icon: String,
    pub canonical: String,
    pub other_lang: &'static str,
    pub other_href: String,
    /// The navigation entry the page belongs to (`dataset`, `organization`, …).
    pub section: &'static str,
    pub alternates: Vec<Alternate>,
    /// schema.org JSON-LD, already safe to put inside `<script>`.
    pub json_ld: Option<String>,
    /// The signed-in user's name and the session's form token (a session cookie only).
    pub user: Option<String>,
    /// The signed-in user's account name (for the links to their own pages).
    pub user_name: String,
    pub csrf: Option<String>,
    /// Whether the signed-in user is a sysadmin (the link to the sysadmin pages).
    pub sysadmin: bool,
    /// The sign-in page, returning here.
    pub login_href: String,
    /// Maintenance notices not yet over (shown at the top of every page).
    pub notices: Vec<NoticeLine>,
    /// ` lang="vi"` on English pages (for Vietnamese text in the chrome), else empty.
    pub vi_attr: &'static str,
}

/// A maintenance notice as the banner shows it.
pub struct NoticeLine {
    pub title: String,
    pub when: String,
    pub services: String,
    pub reason: String,
    pub emergency: bool,
}

impl Chrome {
    /// The chrome of a page titled `title` in the navigation section `section`.
    pub fn new(ctx: &Ctx, title: String, section: &'static str) -> Chrome {
        let config = &ctx.services().config;
        let path = if ctx.path.is_empty() { "/" } else { ctx.path.as_str() };
        Chrome {
            lang: ctx.lang.code(),
            prefix: ctx.lang.prefix(),
            title,
            description: config.site_description.clone(),
            site_title: config.site_title.clone(),
            css: super::assets::stylesheet(),
            icon: super::assets::icon(),
            canonical: format!("{}{}{path}", ctx.site_url(), ctx.lang.prefix()),
            other_lang: ctx.lang.other().code(),
            other_href: ctx.other_language_href(),
            section,
            alternates: Vec::new(),
            json_ld: None,
            user: ctx.session.as_ref().map(|_| {
                let user = ctx.action.caller.active_user();
                user.and_then(|u| u.fullname.clone().filter(|f| !f.is_empty()))
                    .or_else(|| user.map(|u| u.name.clone()))
                    .unwrap_or_default()
            }),
            user_name: ctx.action.caller.active_user().map(|u| u.name.clone()).unwrap_or_default(),
            csrf: ctx.session.as_ref().map(|s| s.csrf_token.clone()),
            sysadmin: ctx.session.is_some() && ctx.action.caller.is_sysadmin(),
            login_href: {
                let here =
                    if ctx.raw_query().is_empty() { path.to_string() } else { format!("{path}?{}", ctx.raw_query()) };
                let here = format!("{}{here}", ctx.lang.prefix());
                format!("{}/user/login?came_from={}", ctx.lang.prefix(), super::views::encode(&here))
            },
            notices: crate::actions::maintenance::current_notices(ctx.services())
                .iter()
                .map(|notice| {
                    let at = |t: chrono::NaiveDateTime| ctx.m.date_time(&t.format("%Y-%m-%dT%H:%M:%S").to_string());
                    let services: Vec<String> = serde_json::from_str(&notice.services).unwrap_or_default();
                    NoticeLine {
                        title: notice.title.clone(),
                        when: ctx.m.with(
                            "maintenance-when",
                            &[("start", &at(notice.starts_at)), ("end", &at(notice.ends_at))],
                        ),
                        services: services.join(", "),
                        reason: notice.reason.clone(),
                        emergency: notice.emergency,
                    }
                })
                .collect(),
            vi_attr: super::views::vi_attr(&ctx.m),
        }
    }
}

/// JSON text made safe inside a `<script>` element (no `</script>`, no `<!--`).
pub fn script_safe_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}
