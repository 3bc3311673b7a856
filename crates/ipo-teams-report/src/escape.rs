//! Escaping for HTML text and attribute values. Every value that comes from the directory,
//! IP Office or the plan goes through [`push`]; the page has no other way to take a value.
//!
//! One escaping serves both places because every attribute the page writes is
//! double-quoted (see [`crate::html`]): with `&`, `<`, `>`, `"` and `'` all escaped, a value
//! can neither end its text (no tag can start) nor its attribute (no quote can close it).

/// Appends `s` to `out`, escaped for HTML text and for a quoted attribute value.
///
/// Control characters other than tab and line feed are no text anybody typed; the HTML
/// parser flags them as errors (and NUL in some states drops or changes meaning), so they
/// show as U+FFFD.
pub(crate) fn push(out: &mut String, s: &str) {
    // Fast path: most values need nothing.
    if !s.chars().any(needs_escape) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_stray_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// `s` escaped, as a new string (for tests).
#[cfg(test)]
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push(&mut out, s);
    out
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || is_stray_control(c)
}

fn is_stray_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::escape;
    use scraper::{Html, Selector};

    const HOSTILE: &[&str] = &[
        "<img src=x onerror=alert(1)>",
        "</script><script>alert(1)</script>",
        "\"><svg onload=alert(1)>",
        "' onmouseover='alert(1)' x='",
        "\" onmouseover=\"alert(1)",
        "javascript:alert(1)",
        "</textarea></pre></td></tr></table><b>bold</b>",
        "<!-- comment --> <![CDATA[ x ]]>",
        "&amp;&lt;&#x3C;&#60;&NotANamedEntity;",
        "<style>body{display:none}</style>",
        "a\u{0}b\u{1}c\u{7f}d\re",
        "Zoë Ångström 李小龍 🙂",
        "",
    ];

    #[test]
    fn the_five_characters_become_references() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain text"), "plain text");
    }

    #[test]
    fn stray_controls_become_replacement_characters_tab_and_newline_stay() {
        assert_eq!(
            escape("a\u{0}b\u{1b}c\td\ne\rf"),
            "a\u{FFFD}b\u{FFFD}c\td\ne\u{FFFD}f"
        );
    }

    #[test]
    fn hostile_text_parses_back_to_itself_and_adds_no_element() {
        for h in HOSTILE {
            let page = format!(
                "<!DOCTYPE html><html><body><p id=\"v\">{}</p></body></html>",
                escape(h)
            );
            let doc = Html::parse_document(&page);
            let all = Selector::parse("*").unwrap();
            let tags: Vec<_> = doc
                .select(&all)
                .map(|e| e.value().name().to_owned())
                .collect();
            assert_eq!(tags, ["html", "head", "body", "p"], "{h:?} added elements");
            let p = doc.select(&Selector::parse("#v").unwrap()).next().unwrap();
            let text: String = p.text().collect();
            assert_eq!(text, expected_text(h), "{h:?} did not round-trip");
        }
    }

    #[test]
    fn hostile_attribute_values_stay_one_attribute() {
        for h in HOSTILE {
            let page = format!(
                "<!DOCTYPE html><html><body><p id=\"v\" data-name=\"{}\" title=\"{}\">x</p></body></html>",
                escape(h),
                escape(h)
            );
            let doc = Html::parse_document(&page);
            let p = doc
                .select(&Selector::parse("p").unwrap())
                .collect::<Vec<_>>();
            assert_eq!(p.len(), 1, "{h:?}");
            let names: Vec<_> = p[0].value().attrs().map(|(n, _)| n.to_owned()).collect();
            assert_eq!(names.len(), 3, "{h:?} made attributes {names:?}");
            assert_eq!(
                p[0].value().attr("data-name"),
                Some(expected_text(h).as_str())
            );
            assert_eq!(p[0].value().attr("title"), Some(expected_text(h).as_str()));
            let all = Selector::parse("*").unwrap();
            assert_eq!(doc.select(&all).count(), 4, "{h:?} added elements");
        }
    }

    #[test]
    fn hostile_text_inside_svg_text_stays_text() {
        for h in HOSTILE {
            let page = format!(
                "<!DOCTYPE html><html><body><svg><text id=\"v\">{}</text></svg></body></html>",
                escape(h)
            );
            let doc = Html::parse_document(&page);
            let all = Selector::parse("*").unwrap();
            let tags: Vec<_> = doc
                .select(&all)
                .map(|e| e.value().name().to_owned())
                .collect();
            assert_eq!(
                tags,
                ["html", "head", "body", "svg", "text"],
                "{h:?} added elements"
            );
            let t = doc.select(&Selector::parse("#v").unwrap()).next().unwrap();
            assert_eq!(t.text().collect::<String>(), expected_text(h));
        }
    }

    /// What the parser yields for an escaped value: the value, with stray controls replaced.
    fn expected_text(h: &str) -> String {
        h.chars()
            .map(|c| {
                if super::is_stray_control(c) {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect()
    }
}
