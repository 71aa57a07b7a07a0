//! `/maintenance.atom`: the maintenance notices not yet over, as an Atom feed (RFC 4287), for
//! people and systems that follow the portal's announcements.

use actix_web::{HttpResponse, web};
use quick_xml::escape::escape;

use crate::actions::Services;
use crate::actions::maintenance::current_notices;
use crate::workflows::Calendar;

fn time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The feed's XML.
pub fn feed(services: &Services) -> String {
    let config = &services.config;
    let site = config.effective_site_url().trim_end_matches('/').to_string();
    let notices = current_notices(services);
    let updated = notices.iter().map(|n| n.changed).max().unwrap_or_else(crate::store::now);
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("<title>{}: thông báo tạm dừng dữ liệu, dịch vụ</title>\n", escape(&config.site_title)));
    out.push_str(&format!("<id>{}/maintenance.atom</id>\n", escape(&site)));
    out.push_str(&format!("<link rel=\"self\" href=\"{}/maintenance.atom\"/>\n", escape(&site)));
    out.push_str(&format!("<link rel=\"alternate\" href=\"{}/\"/>\n", escape(&site)));
    out.push_str(&format!("<updated>{}</updated>\n", time(updated)));
    out.push_str(&format!("<author><name>{}</name></author>\n", escape(&config.site_title)));
    for notice in notices {
        let services_list: Vec<String> = serde_json::from_str(&notice.services).unwrap_or_default();
        let kind = if notice.emergency { "Sửa chữa khẩn cấp" } else { "Tạm dừng theo kế hoạch" };
        let local = |t| Calendar::local(t).format("%d/%m/%Y %H:%M").to_string();
        let summary = format!(
            "{kind}: từ {} đến {} (giờ Việt Nam). Ảnh hưởng: {}. {}",
            local(notice.starts_at),
            local(notice.ends_at),
            services_list.join(", "),
            notice.reason
        );
        out.push_str("<entry>\n");
        out.push_str(&format!("<id>urn:uuid:{}</id>\n", escape(&notice.id)));
        out.push_str(&format!("<title>{}</title>\n", escape(&notice.title)));
        out.push_str(&format!("<published>{}</published>\n", time(notice.created)));
        out.push_str(&format!("<updated>{}</updated>\n", time(notice.changed)));
        out.push_str(&format!("<category term=\"{}\"/>\n", if notice.emergency { "emergency" } else { "planned" }));
        out.push_str(&format!("<summary type=\"text\">{}</summary>\n", escape(&summary)));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// `GET /maintenance.atom`.
pub async fn atom(services: web::Data<Services>) -> HttpResponse {
    let body = web::block(move || feed(&services)).await.unwrap_or_default();
    HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(body)
}
