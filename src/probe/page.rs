//! Soft errors and region walls: a page that answered and is still not the
//! page (`fail_if`, `blocked_if`), judged on the final URL after redirects and
//! on the page's HTML. Pure; shared by the `http` and `browser` kinds.

use crate::outcome::Failure;
use crate::reason;
use crate::reason::Reason;

/// How much of the matched text a reason quotes.
const QUOTE: usize = 60;

/// A page can answer 200 and still not be the page: `fail_if` on the page
/// (its title and text) makes it `down`, `blocked_if` on the final URL or the
/// page makes it `blocked`, both after redirects (`http` and `browser`).
#[derive(Debug, Clone, Default)]
pub struct PageRules {
    pub fail_if: Option<regex::Regex>,
    pub blocked_if: Option<regex::Regex>,
}

/// What makes the page not the page, `blocked_if` first; `None` when neither
/// rule matches (pure).
pub fn judge(rules: &PageRules, final_url: &str, page: &[u8]) -> Option<(Failure, Reason)> {
    if rules.fail_if.is_none() && rules.blocked_if.is_none() {
        // The common case, every probe without rules: the page is not read.
        return None;
    }
    let html = String::from_utf8_lossy(page);
    let html = html.as_ref();
    if let Some(re) = &rules.blocked_if
        && let Some(m) = re.find(final_url).or_else(|| re.find(html))
    {
        let why = reason!("page_not_served", text = quote(m.as_str()));
        return Some((Failure::Blocked, why));
    }
    if let Some(re) = &rules.fail_if
        && let Some(m) = re.find(html)
    {
        let why = reason!("page_not_the_page", text = quote(m.as_str()));
        return Some((Failure::Body, why));
    }
    None
}

/// `text` on one line, its spaces and markup collapsed, cut at [`QUOTE`] characters.
fn quote(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let line = words.join(" ");
    match line.char_indices().nth(QUOTE) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// Where a page's `<title>` is looked for: its head, never the whole body.
const TITLE_READ: usize = 65_536;

/// The text of the page's `<title>`, trimmed, when its first [`TITLE_READ`]
/// bytes hold one (for `explain`). Reads in place: no copy of the page.
pub fn title(page: &[u8]) -> Option<String> {
    let head = &page[..page.len().min(TITLE_READ)];
    let find = |from: usize, needle: &[u8]| {
        head.get(from..)?
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
            .map(|i| from + i)
    };
    let start = find(0, b"<title")?;
    let open_end = start + head[start..].iter().position(|b| *b == b'>')? + 1;
    let end = find(open_end, b"</title")?;
    let text = String::from_utf8_lossy(&head[open_end..end]);
    let words: Vec<&str> = text.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(fail_if: Option<&str>, blocked_if: Option<&str>) -> PageRules {
        PageRules {
            fail_if: fail_if.map(|r| regex::Regex::new(r).unwrap()),
            blocked_if: blocked_if.map(|r| regex::Regex::new(r).unwrap()),
        }
    }

    #[test]
    fn blocked_is_judged_first_on_the_url_or_the_page() {
        let r = rules(Some("(?i)not found"), Some("(?i)restricted|not available"));
        let (f, why) = judge(
            &r,
            "https://www.okx.com/restricted",
            "<p>not found</p>".as_bytes(),
        )
        .unwrap();
        assert_eq!(f, Failure::Blocked);
        assert!(why.to_string().contains("restricted"), "{why}");
        let html = "<h1>OKX is not available in your region</h1>";
        assert_eq!(
            judge(&r, "https://x/", html.as_bytes()).unwrap().0,
            Failure::Blocked
        );
        let (f, why) = judge(&r, "https://x/", "<title>Page Not Found</title>".as_bytes()).unwrap();
        assert_eq!(f, Failure::Body);
        assert!(why.to_string().contains("Not Found"), "{why}");
        assert_eq!(
            judge(&r, "https://x/help", "<title>Help</title>".as_bytes()),
            None
        );
        assert_eq!(
            judge(&PageRules::default(), "https://x/", "not found".as_bytes()),
            None
        );
    }

    #[test]
    fn a_reason_quotes_the_match_short_and_without_markup() {
        let r = rules(Some("(?s)<title>.*</title>"), None);
        let long = format!("<title>\n  {}  </title>", "error ".repeat(40));
        let (_, why) = judge(&r, "https://x/", long.as_bytes()).unwrap();
        let why = why.to_string();
        assert!(why.ends_with("…\u{201d}"), "{why}");
        assert!(!why.contains('<') && !why.contains('\n'), "{why}");
    }

    #[test]
    fn the_title_is_read_whatever_its_case_and_spaces() {
        assert_eq!(
            title(b"<html><TITLE lang=en>\n OKX  Help Center </TITLE>").as_deref(),
            Some("OKX Help Center")
        );
        assert_eq!(
            title("<title>页面不存在</title>".as_bytes()).as_deref(),
            Some("页面不存在")
        );
        assert_eq!(title(b"<p>no title</p>"), None);
    }
}
