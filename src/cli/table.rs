//! Aligned text tables for the terminal, with optional colour per cell.

use crate::i18n::words::{pad, width};

/// ANSI colours used for outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    Green,
    Yellow,
    Red,
    Magenta,
    Blue,
}

impl Colour {
    /// `text` in this colour (ANSI).
    pub fn paint(self, text: &str) -> String {
        format!("\x1b[{}m{text}\x1b[0m", self.code())
    }

    fn code(self) -> &'static str {
        match self {
            Colour::Green => "32",
            Colour::Yellow => "33",
            Colour::Red => "31",
            Colour::Magenta => "35",
            Colour::Blue => "34",
        }
    }
}

pub struct Cell {
    pub text: String,
    pub colour: Option<Colour>,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, colour: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

/// Renders rows under a header, columns padded to their widest cell in
/// terminal columns (a Han character takes two); the last column is not
/// padded. Colour is applied after padding, so it never shifts the alignment.
pub fn render(header: &[impl AsRef<str>], rows: &[Vec<Cell>], colour: bool) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h.as_ref())).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(&cell.text));
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = (&str, Option<Colour>)>| {
        let mut text = String::new();
        for (i, (cell, c)) in cells.enumerate() {
            let padded = if i + 1 < columns {
                pad(cell, widths[i] + 2)
            } else {
                cell.to_string()
            };
            match c.filter(|_| colour) {
                Some(c) => {
                    let body = padded.trim_end();
                    let pad = &padded[body.len()..];
                    text.push_str(&format!("{}{pad}", c.paint(body)));
                }
                None => text.push_str(&padded),
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().map(|h| (h.as_ref(), None)));
    for row in rows {
        line(&mut row.iter().map(|c| (c.text.as_str(), c.colour)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let rows = vec![
            vec![Cell::from("help-center"), Cell::from("up")],
            vec![Cell::from("x"), Cell::from("down")],
        ];
        let t = render(&["CHECK", "OUTCOME"], &rows, false);
        assert_eq!(
            t,
            "CHECK        OUTCOME\nhelp-center  up\nx            down\n"
        );
    }

    #[test]
    fn colour_does_not_shift_alignment() {
        let rows = vec![vec![
            Cell {
                text: "up".into(),
                colour: Some(Colour::Green),
            },
            Cell::from("ok"),
        ]];
        let t = render(&["OUTCOME", "WHY"], &rows, true);
        assert_eq!(t, "OUTCOME  WHY\n\x1b[32mup\x1b[0m       ok\n");
    }

    #[test]
    fn han_characters_take_two_columns() {
        let rows = vec![
            vec![Cell::from("在线客服"), Cell::from("正常")],
            vec![Cell::from("chat"), Cell::from("down")],
        ];
        let t = render(&["渠道", "结果"], &rows, false);
        assert_eq!(t, "渠道      结果\n在线客服  正常\nchat      down\n");
    }
}
