//! Syntax highlighting of JSON and YAML templates as HTML spans.

use shared::Format;

/// Escapes text for HTML element content.
pub fn escape(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

fn span(out: &mut String, class: &str, text: &str) {
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    escape(out, text);
    out.push_str("</span>");
}

/// HTML for `text` with keys, strings, numbers and literals in spans.
pub fn highlight(text: &str, format: Format) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    match format {
        Format::Json => json(text, &mut out),
        Format::Yaml => yaml(text, &mut out),
    }
    out
}

/// The highlighted HTML of each line of `text` (as `text.split_inclusive('\n')` splits it),
/// each complete in itself: a span that runs over a line end (a YAML block) is closed there and
/// opened again on the next line.
pub fn highlight_lines(text: &str, format: Format) -> Vec<String> {
    let html = highlight(text, format);
    let mut lines = Vec::with_capacity(text.len() / 32);
    let mut line = String::new();
    // The span we are in, and whether it still has to be opened on this line.
    let mut open: Option<&str> = None;
    let mut reopen = false;
    let mut rest = html.as_str();
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("<span") {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            line.push_str(&rest[..end]);
            open = Some(&rest[..end]);
            reopen = false;
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix("</span>") {
            if !reopen {
                line.push_str("</span>");
            }
            open = None;
            reopen = false;
            rest = after;
        } else if c == '\n' {
            if open.is_some() && !reopen {
                line.push_str("</span>");
                reopen = true;
            }
            line.push('\n');
            lines.push(std::mem::take(&mut line));
            rest = &rest[1..];
        } else {
            if reopen {
                line.push_str(open.unwrap_or_default());
                reopen = false;
            }
            line.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// One line of a JSON text, highlighted as [`highlight_lines`] highlights it within the whole
/// text: no JSON token runs over a line end (a string's line breaks are escaped), so a line's
/// colours depend on that line alone.
pub fn json_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    json(line, &mut out);
    out
}

fn json(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                let rest = text[i..].trim_start_matches(' ');
                let class = if rest.starts_with(':') { "k" } else { "s" };
                span(out, class, &text[start..i]);
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                span(out, "n", &text[start..i]);
            }
            b't' | b'f' | b'n' => {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                span(out, "l", &text[start..i]);
            }
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
                {
                    i += 1;
                }
                escape(out, &text[start..i]);
            }
        }
    }
}

fn yaml(text: &str, out: &mut String) {
    let mut in_block = None::<usize>;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if let Some(block_indent) = in_block {
            if line.trim().is_empty() || indent > block_indent {
                span(out, "s", line);
                continue;
            }
            in_block = None;
        }
        let body = line.trim_end_matches('\n');
        let (lead, rest) = body.split_at(indent);
        out.push_str(lead);
        let rest = match rest.strip_prefix("- ") {
            Some(r) => {
                out.push_str("- ");
                r
            }
            None => rest,
        };
        match split_key(rest) {
            Some((key, value)) => {
                span(out, "k", key);
                out.push(':');
                yaml_value(out, value);
                if value.trim() == "|" {
                    in_block = Some(indent);
                }
            }
            None => yaml_value(out, rest),
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
}

/// `key: value` → (key, " value"); a quoted key counts as a key too.
fn split_key(s: &str) -> Option<(&str, &str)> {
    if let Some(inner) = s.strip_prefix('"') {
        let end = inner.find('"')? + 2;
        return s[end..]
            .starts_with(':')
            .then(|| (&s[..end], &s[end + 1..]));
    }
    let pos = s
        .find(": ")
        .or_else(|| s.ends_with(':').then(|| s.len() - 1))?;
    Some((&s[..pos], &s[pos + 1..]))
}

fn yaml_value(out: &mut String, v: &str) {
    let t = v.trim();
    let lead = &v[..v.len() - v.trim_start().len()];
    out.push_str(lead);
    if t.is_empty() {
        return;
    }
    let class = if t.starts_with('"') || t == "|" {
        "s"
    } else if shared::decimal::parse_f64(t).is_some() {
        "n"
    } else if matches!(t, "true" | "false" | "null" | "[]" | "{}") {
        "l"
    } else {
        "s"
    };
    span(out, class, t);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_strings_numbers() {
        let html = highlight("{\"a\": \"<b>\", \"n\": 12, \"t\": true}", Format::Json);
        assert_eq!(
            html,
            "{<span class=\"k\">\"a\"</span>: <span class=\"s\">\"&lt;b&gt;\"</span>, <span class=\"k\">\"n\"</span>: <span class=\"n\">12</span>, <span class=\"k\">\"t\"</span>: <span class=\"l\">true</span>}"
        );
    }

    #[test]
    fn yaml_keys_and_values() {
        let html = highlight("A:\n  - Key: Name\n    Value: \"80\"\n", Format::Yaml);
        assert!(
            html.contains("<span class=\"k\">Key</span>: <span class=\"s\">Name</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"s\">\"80\"</span>"), "{html}");
    }

    /// Strips the tags and entities of highlighted HTML.
    fn text_of(html: &str) -> String {
        let mut plain = String::new();
        let mut in_tag = false;
        for ch in html.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        plain
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    #[test]
    fn each_line_is_highlighted_on_its_own_and_keeps_its_text() {
        for plan in [shared::examples::fargate(), shared::examples::lambda()] {
            let t = shared::template::generate(&shared::ValidPlan::new(plan).unwrap());
            for format in [Format::Json, Format::Yaml] {
                let text = t.render(format);
                let lines = highlight_lines(&text, format);
                let expected: Vec<&str> = text.split_inclusive('\n').collect();
                assert_eq!(lines.len(), expected.len(), "{format:?}");
                for (html, line) in lines.iter().zip(expected) {
                    assert_eq!(text_of(html), line, "{format:?}");
                    assert_eq!(
                        html.matches("<span").count(),
                        html.matches("</span>").count(),
                        "balanced: {html}"
                    );
                }
            }
        }
    }

    /// Every JSON template of the matrix: a line highlighted alone is the line highlighted
    /// within its text.
    #[test]
    fn a_json_line_alone_is_coloured_as_within_its_text() {
        for (_, plan) in shared::examples::matrix() {
            let Ok(valid) = shared::ValidPlan::new(plan) else {
                continue;
            };
            let text = shared::template::generate(&valid).render(Format::Json);
            let lines = highlight_lines(&text, Format::Json);
            assert_eq!(lines.len(), text.split_inclusive('\n').count());
            for (html, line) in lines.iter().zip(text.split_inclusive('\n')) {
                assert_eq!(&json_line(line), html);
            }
        }
        assert_eq!(
            json_line("  \"a\\\"b\": [1, -2.5e3, true, null],\n"),
            "  <span class=\"k\">\"a\\\"b\"</span>: [<span class=\"n\">1</span>, <span class=\"n\">-2.5e3</span>, <span class=\"l\">true</span>, <span class=\"l\">null</span>],\n"
        );
    }

    #[test]
    fn a_span_over_line_ends_is_closed_and_reopened() {
        let lines = highlight_lines("Code: |\n  a\n\n  b\nNext: 1\n", Format::Yaml);
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[1], "<span class=\"s\">  a</span>\n");
        assert_eq!(lines[2], "<span class=\"s\"></span>\n");
        assert_eq!(lines[3], "<span class=\"s\">  b</span>\n");
        assert!(
            lines[4].starts_with("<span class=\"k\">Next</span>"),
            "{lines:?}"
        );
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let plan = shared::examples::lambda();
        let t = shared::template::generate(&shared::ValidPlan::new(plan).unwrap());
        for format in [Format::Json, Format::Yaml] {
            let text = t.render(format);
            assert_eq!(text_of(&highlight(&text, format)), text);
        }
    }
}
