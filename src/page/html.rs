//! Markup escaped by construction: text goes in through [`Html::text`] (and
//! attribute values through [`Html::attr`]), which escape it; only `&'static
//! str` can be written raw, so no code path can put a peer's string into the
//! page unescaped.

/// A page being written.
#[derive(Default)]
pub struct Html {
    out: String,
}

impl Html {
    /// Markup written by this program: a literal, never a peer's string.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped for element content.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.out, text);
        self
    }

    /// ` name="value"`, the value escaped.
    pub fn attr(&mut self, name: &'static str, value: &str) -> &mut Self {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value);
        self.out.push('"');
        self
    }

    /// `<tag>text</tag>`, the text escaped.
    pub fn element(&mut self, open: &'static str, text: &str, close: &'static str) -> &mut Self {
        self.raw(open).text(text).raw(close)
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_text_never_becomes_markup() {
        let mut h = Html::default();
        h.raw("<p").attr("title", "\"><script>").raw(">");
        h.text("<img src=x onerror=alert(1)>").raw("</p>");
        let out = h.finish();
        assert_eq!(
            out,
            "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;img src=x onerror=alert(1)&gt;</p>"
        );
    }
}
