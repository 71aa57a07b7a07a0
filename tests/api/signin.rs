//! Portal sign-in over HTTP on both engines: sessions in the store, a new session at every
//! sign-in, revocation (sign-out, password change, deletion), CSRF, `came_from`, throttling,
//! and the API ignoring session cookies.

use serde_json::json;

use crate::helpers::{TestApp, engines, spawn_app};

pub const PASSWORD: &str = "MatKhau-2024!";

/// A client that keeps no cookies and follows no redirects: each test says what it sends.
fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn get(app: &TestApp, path: &str, cookies: &str) -> reqwest::blocking::Response {
    client().get(format!("{}{path}", app.base)).header("Cookie", cookies).send().unwrap()
}

/// The login form's token cookie and field (they must match).
fn login_token(app: &TestApp) -> String {
    let form = get(app, "/user/login", "");
    let cookie = form.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string()
}

/// Posts the sign-in form; returns the response.
pub fn sign_in(
    app: &TestApp,
    login: &str,
    password: &str,
    came_from: &str,
    extra: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let token = login_token(app);
    let mut request = client()
        .post(format!("{}/user/login", app.base))
        .header("Cookie", format!("kho_login={token}; kho_session=chosen-by-the-attacker"))
        .form(&[("login", login), ("password", password), ("csrf", &token), ("came_from", came_from)]);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().unwrap()
}

/// The session cookie a successful sign-in set.
pub fn session_of(response: &reqwest::blocking::Response) -> String {
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("kho_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    cookie.split(';').next().unwrap().to_string()
}

fn setup(app: &TestApp) {
    app.organization("so-y-te", "Sở Y tế");
    app.user("bien-tap");
    app.add_member("organization_member_create", "so-y-te", "bien-tap", "editor");
    app.sysadmin(
        "package_create",
        json!({"name": "bi-mat", "title": "BIMAT", "owner_org": "so-y-te", "private": true}),
    )
    .result();
}

#[test]
fn a_session_signs_in_a_user_until_it_is_revoked() {
    for engine in engines() {
        let app = spawn_app(engine);
        setup(&app);
        assert_eq!(get(&app, "/dataset/bi-mat", "").status(), 404);
        let signed = sign_in(&app, "bien-tap", PASSWORD, "/dataset/bi-mat", &[]);
        assert_eq!(signed.status(), 303);
        assert_eq!(signed.headers()["location"], "/dataset/bi-mat");
        let session = session_of(&signed);
        assert!(!session.contains("chosen-by-the-attacker"), "a new session, never the one brought");
        let page = get(&app, "/dataset/bi-mat", &session);
        assert_eq!(page.status(), 200, "{engine:?}");
        assert_eq!(page.headers()["cache-control"], "private, no-cache");
        let html = page.text().unwrap();
        assert!(html.contains("BIMAT") && html.contains("data-testid=\"signed-in\""));
        // A second sign-in is a second session; both work until each is ended.
        let other = session_of(&sign_in(&app, "bien-tap@example.vn", PASSWORD, "", &[]));
        assert_ne!(other, session);
        // The API never accepts the cookie (it would be open to cross-site requests).
        let api = client()
            .get(app.action_url("package_show"))
            .query(&[("id", "bi-mat")])
            .header("Cookie", &session)
            .send()
            .unwrap();
        assert_eq!(api.status(), 403);
        // Signing out needs the session's form token and ends that session only.
        let csrf = {
            let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
            html[start..start + html[start..].find('"').unwrap()].to_string()
        };
        let forged = client()
            .post(format!("{}/user/logout", app.base))
            .header("Cookie", &session)
            .form(&[("csrf", "x")])
            .send()
            .unwrap();
        assert_eq!(forged.status(), 403);
        let out = client()
            .post(format!("{}/user/logout", app.base))
            .header("Cookie", &session)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .unwrap();
        assert_eq!(out.status(), 303);
        assert_eq!(get(&app, "/dataset/bi-mat", &session).status(), 404, "ended");
        assert_eq!(get(&app, "/dataset/bi-mat", &other).status(), 200, "the other session stays");
        // A password change ends every session; so does deleting the account.
        app.sysadmin("user_patch", json!({"id": "bien-tap", "password": "MatKhau-Moi-2025!"})).result();
        assert_eq!(get(&app, "/dataset/bi-mat", &other).status(), 404, "password changed");
        let again = session_of(&sign_in(&app, "bien-tap", "MatKhau-Moi-2025!", "", &[]));
        assert_eq!(get(&app, "/dataset/bi-mat", &again).status(), 200);
        app.sysadmin("user_delete", json!({"id": "bien-tap"})).result();
        assert_eq!(get(&app, "/dataset/bi-mat", &again).status(), 404, "account deleted");
        drop(app);
    }
}

#[test]
fn sign_in_refuses_forgery_foreign_returns_and_guessing() {
    let app = spawn_app(engines()[0]);
    setup(&app);
    // Without the form's token, or from another site: refused, and no session.
    let token = login_token(&app);
    let no_token = client()
        .post(format!("{}/user/login", app.base))
        .form(&[("login", "bien-tap"), ("password", PASSWORD), ("csrf", "")])
        .send()
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let foreign = client()
        .post(format!("{}/user/login", app.base))
        .header("Cookie", format!("kho_login={token}"))
        .header("Origin", "https://evil.example")
        .form(&[("login", "bien-tap"), ("password", PASSWORD), ("csrf", token.as_str())])
        .send()
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let cross = sign_in(&app, "bien-tap", PASSWORD, "", &[("Sec-Fetch-Site", "cross-site")]);
    assert_eq!(cross.status(), 403);
    assert!(cross.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("kho_session=")));
    // came_from only to this site.
    for (came_from, location) in [
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/group/y-te?q=1", "/group/y-te?q=1"),
    ] {
        let signed = sign_in(&app, "bien-tap", PASSWORD, came_from, &[("Origin", &app.base)]);
        assert_eq!(signed.status(), 303, "{came_from}");
        assert_eq!(signed.headers()["location"], location, "{came_from}");
    }
    // A wrong password is refused with the form again; the sixth attempt in 15 minutes is
    // throttled even with the right password.
    for attempt in 1..=5 {
        let refused = sign_in(&app, "bien-tap", "sai-mat-khau", "", &[]);
        assert_eq!(refused.status(), 200, "attempt {attempt}");
        assert!(refused.text().unwrap().contains("role=\"alert\""));
    }
    let throttled = sign_in(&app, "bien-tap", PASSWORD, "", &[]);
    assert_eq!(throttled.status(), 429);
    // Hostile values are shown back escaped.
    let hostile = sign_in(&app, "\"><script>alert(1)</script>", "x", "", &[]);
    let html = hostile.text().unwrap();
    assert!(!html.contains("<script>alert(1)") && html.contains("&#34;&#62;&#60;script&#62;"), "escaped");
}

/// The session's form token on a page.
fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[test]
fn api_tokens_are_created_once_used_and_revoked_in_the_portal() {
    for engine in engines() {
        let app = spawn_app(engine);
        setup(&app);
        app.user("nguoi-khac");
        let session = session_of(&sign_in(&app, "bien-tap", PASSWORD, "", &[]));
        // Not signed in: to the sign-in page, returning here.
        let anonymous = get(&app, "/user/bien-tap/api-tokens", "");
        assert_eq!(anonymous.status(), 303);
        assert_eq!(anonymous.headers()["location"], "/user/login?came_from=%2Fuser%2Fbien-tap%2Fapi-tokens");
        let page = get(&app, "/user/bien-tap/api-tokens", &session);
        assert_eq!(page.status(), 200);
        let csrf = csrf_of(&page.text().unwrap());
        let post = |path: &str, fields: &[(&str, &str)]| {
            client().post(format!("{}{path}", app.base)).header("Cookie", &session).form(fields).send().unwrap()
        };
        // A forged form creates nothing.
        assert_eq!(post("/user/bien-tap/api-tokens", &[("name", "x"), ("csrf", "sai")]).status(), 403);
        let created = post("/user/bien-tap/api-tokens", &[("name", "ckanapi <script>"), ("csrf", &csrf)]);
        assert_eq!(created.status(), 200);
        let html = created.text().unwrap();
        let start = html.find("data-testid=\"new-token\">").unwrap() + 24;
        let token = html[start..start + html[start..].find('<').unwrap()].to_string();
        assert!(html.contains("ckanapi &#60;script&#62;"), "the name is escaped");
        // The token works with the API, and is shown only once.
        let shown = app.get("package_show", Some(&token), &[("id", "bi-mat")]);
        assert_eq!(shown.result()["name"], json!("bi-mat"), "{engine:?}");
        let again = get(&app, "/user/bien-tap/api-tokens", &session).text().unwrap();
        assert!(!again.contains(&token));
        // Another user cannot see or revoke it.
        let listed = app.get("api_token_list", Some(&token), &[("user_id", "bien-tap")]);
        let jti = listed.result().as_array().unwrap().iter().find(|t| t["name"] == "ckanapi <script>").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let other = session_of(&sign_in(&app, "nguoi-khac", PASSWORD, "", &[]));
        assert_eq!(get(&app, "/user/bien-tap/api-tokens", &other).status(), 404);
        // Revoked from the page: the API no longer accepts it.
        let revoked = post(&format!("/user/bien-tap/api-tokens/{jti}/revoke"), &[("csrf", &csrf)]);
        assert_eq!(revoked.status(), 200);
        assert_eq!(app.get("package_show", Some(&token), &[("id", "bi-mat")]).status, 403);
        drop(app);
    }
}

#[test]
fn behind_a_trusted_proxy_failures_count_against_the_forwarded_client() {
    for engine in engines() {
        let app = crate::helpers::spawn_app_with(engine, |config| config.trusted_proxies = vec!["127.0.0.1".into()]);
        let accounts: Vec<String> = (0..8).map(|n| format!("nguoi-{n}")).collect();
        for account in &accounts {
            app.user(account);
        }
        // 30 failures from one client (at most 4 per account, under the account limit).
        for attempt in 0..30 {
            let account = &accounts[attempt % accounts.len()];
            let refused = sign_in(&app, account, "sai-mat-khau", "", &[("X-Forwarded-For", "1.2.3.4, 203.0.113.7")]);
            assert_eq!(refused.status(), 200, "attempt {attempt}");
        }
        let blocked = sign_in(&app, &accounts[0], PASSWORD, "", &[("X-Forwarded-For", "203.0.113.7")]);
        assert_eq!(blocked.status(), 429, "that client is throttled");
        // Another client behind the same proxy is not, whatever it puts on the left.
        let other = sign_in(&app, &accounts[0], PASSWORD, "", &[("X-Forwarded-For", "203.0.113.7, 198.51.100.20")]);
        assert_eq!(other.status(), 303, "another client signs in");
    }
}
