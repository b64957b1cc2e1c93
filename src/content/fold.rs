//! Folding text to plain lowercase ASCII: the one normalisation behind slugs and sort keys.

use deunicode::deunicode;

/// Lowercase ASCII with accents and ligatures transliterated (`Cœur` → `coeur`);
/// every run of characters that are not letters or digits becomes one space.
pub fn fold(text: &str) -> String {
    // Only letters and digits carry over: symbols and emoji would otherwise be
    // spelled out ("🎉" → "tada").
    let kept: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let ascii = deunicode(&kept).to_ascii_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_accents_ligatures_and_punctuation() {
        assert_eq!(fold("« Le Cœur » de l’Élysée 🎉"), "le coeur de l elysee");
        assert_eq!(fold("Tokaïev"), "tokaiev");
        assert_eq!(fold("   "), "");
    }
}
