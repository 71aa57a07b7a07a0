//! Markdown descriptions: rendered with pulldown-cmark, then cleaned by ammonia's allow-list
//! on every render (no raw HTML, scripts, styles or images survive; links are http, https or
//! mailto and open nothing with the page's rights).

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // Images would load from other sites (no third-party requests) and have no alt text.
    builder.rm_tags(["img"]);
    builder.url_schemes(HashSet::from(["http", "https", "mailto"]));
    builder.link_rel(Some("noopener noreferrer nofollow ugc"));
    builder
});

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders Markdown to safe HTML.
pub fn to_html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    // Headings in a description sit below the page's own title: `#` becomes a level-2 heading.
    let parser = Parser::new_ext(markdown, options()).map(|event| match event {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    html::push_html(&mut raw, parser);
    CLEANER.clean(&raw).to_string()
}

fn demote(level: pulldown_cmark::HeadingLevel) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    match level {
        H1 => H2,
        H2 => H3,
        H3 => H4,
        H4 => H5,
        _ => H6,
    }
}

/// The plain text of Markdown, cut to about `limit` characters at a word (for result lists).
pub fn excerpt(markdown: &str, limit: usize) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
        if text.len() > limit * 4 {
            break;
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        if out.chars().count() + word.chars().count() + 1 > limit {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_markdown_is_cleaned() {
        let html = to_html(
            "# Tiêu đề\n<script>alert(1)</script>\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> ![a](http://evil/i.png)\n<a href=\"https://ok.vn\" onclick=\"x()\">ok</a>",
        );
        assert!(html.contains("<h2>Tiêu đề</h2>"), "{html}");
        for bad in ["<script", "javascript:", "onerror", "onclick", "<img", "evil"] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
        assert!(html.contains("href=\"https://ok.vn\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow ugc\""), "{html}");
    }

    #[test]
    fn excerpts_are_plain_text_cut_at_a_word() {
        assert_eq!(excerpt("**Số liệu** về _dân số_ của tỉnh", 100), "Số liệu về dân số của tỉnh");
        assert_eq!(excerpt("một hai ba bốn", 8), "một hai…");
    }
}
