//! Characters XML can carry. XML 1.0 has no way at all to write most C0 controls
//! or U+FFFE and U+FFFF (not even as character references), so one of them in a
//! feed or a sitemap makes the whole document ill-formed for every reader: writes
//! refuse them in text, and every XML document is cleaned of them on the way out
//! (rows stored before the rule included).

/// The pattern of free text the API accepts, here and in the spec alike: anything
/// XML can carry. Written with `\xHH` and `\uHHHH` only, which Rust, ECMAScript and
/// Python read alike.
pub const TEXT_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$";

/// Whether XML 1.0 can carry `c` (its `Char` production; Rust's `char` already
/// leaves out the surrogates).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{fffd}' | '\u{10000}'..)
}

/// `document` without the characters XML cannot carry.
pub fn well_formed(document: String) -> String {
    if document.chars().all(is_xml_char) {
        document
    } else {
        document.chars().filter(|c| is_xml_char(*c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_xml_cannot_carry_goes() {
        let text = "« cœur »\u{a0}\t\n\r😀\u{1}\u{2}\u{1f}\u{7f}\u{85}\u{fffe}\u{ffff}\u{fffd}";
        assert_eq!(
            well_formed(text.into()),
            "« cœur »\u{a0}\t\n\r😀\u{7f}\u{85}\u{fffd}"
        );
    }

    #[test]
    fn the_pattern_says_the_same() {
        let pattern = regex::Regex::new(TEXT_PATTERN).unwrap();
        for c in ['\0', '\u{1}', '\u{b}', '\u{1f}', '\u{fffe}', '\u{ffff}'] {
            assert!(
                !is_xml_char(c) && !pattern.is_match(&c.to_string()),
                "{c:?}"
            );
        }
        for c in [
            '\t', '\n', '\r', ' ', '\u{7f}', '\u{d7ff}', '\u{e000}', '😀',
        ] {
            assert!(is_xml_char(c) && pattern.is_match(&c.to_string()), "{c:?}");
        }
    }
}
