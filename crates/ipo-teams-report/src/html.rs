//! A small HTML writer whose shape makes injection impossible: element and attribute names
//! are `&'static str` (they come from this crate's source, never from data), every
//! attribute is double-quoted, and every value and text goes through [`crate::escape`].
//! Markup can be written raw only from `'static` strings.

use crate::escape;

/// The document being written.
#[derive(Default)]
pub(crate) struct Html {
    out: String,
}

impl Html {
    /// An empty document.
    pub(crate) fn new() -> Self {
        Self {
            out: String::with_capacity(64 * 1024),
        }
    }

    /// Fixed markup from this crate's source.
    pub(crate) fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped.
    pub(crate) fn text(&mut self, text: &str) -> &mut Self {
        escape::push(&mut self.out, text);
        self
    }

    /// An opening tag with attributes (values escaped).
    pub(crate) fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            escape::push(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');
        self
    }

    /// A closing tag.
    pub(crate) fn close(&mut self, tag: &'static str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// An element holding only text.
    pub(crate) fn el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// An element without content (`<rect ...></rect>` in SVG, `<input ...>` in HTML).
    pub(crate) fn void(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.open(tag, attrs)
    }

    /// The document.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}
