//! Article languages: BCP 47 tags, detected from the text when not given.

/// Detects the language of `text` as a BCP 47 primary tag (`fr`, `en`…),
/// or `und` (undetermined) when the text is too short or ambiguous.
pub fn detect(text: &str) -> String {
    let Some(info) = whatlang::detect(text) else {
        return "und".into();
    };
    if !info.is_reliable() && info.confidence() < 0.5 {
        return "und".into();
    }
    let code = info.lang().code();
    // BCP 47 prefers the two-letter ISO 639-1 code when one exists.
    let short = match code {
        "fra" => "fr",
        "eng" => "en",
        "deu" => "de",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "nld" => "nl",
        "rus" => "ru",
        "ukr" => "uk",
        "pol" => "pl",
        "ara" => "ar",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "tur" => "tr",
        "swe" => "sv",
        "dan" => "da",
        "fin" => "fi",
        "ell" => "el",
        "heb" => "he",
        "ces" => "cs",
        "ron" => "ro",
        "hun" => "hu",
        "kaz" => "kk",
        other => other,
    };
    short.to_owned()
}

/// The pattern the spec gives for language tags; [`is_valid`] also limits them to 35 characters.
pub const LANGUAGE_PATTERN: &str = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$";

/// Whether `tag` is a well-formed BCP 47 tag of the common `language[-subtag…]` form.
pub fn is_valid(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    primary_ok
        && tag.len() <= 35
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Where to look for a text in the reader's languages `chain`, best first: each
/// tag, then its shorter forms (RFC 4647 lookup: `fr-ca` → `fr`), lowercase.
pub fn lookup_order(chain: &[String]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for tag in chain {
        let mut tag = tag.trim().to_ascii_lowercase();
        loop {
            if !tag.is_empty() && !order.contains(&tag) {
                order.push(tag.clone());
            }
            match tag.rfind('-') {
                Some(cut) => tag.truncate(cut),
                None => break,
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_french_and_english() {
        assert_eq!(
            detect("Le président russe a été reçu à Astana pour une visite d’État consacrée à l’énergie et à la sécurité régionale."),
            "fr"
        );
        assert_eq!(
            detect("The president was received in Astana for a state visit devoted to energy and regional security."),
            "en"
        );
    }

    #[test]
    fn validates_tags() {
        assert!(is_valid("fr"));
        assert!(is_valid("fr-CA"));
        assert!(is_valid("zh-Hant-TW"));
        assert!(!is_valid("FR"));
        assert!(!is_valid("f"));
        assert!(!is_valid("fr_CA"));
    }

    #[test]
    fn looks_up_shorter_tags_after_each_one() {
        let chain = ["fr-CA".to_owned(), "en-GB".to_owned(), "fr".to_owned()];
        assert_eq!(lookup_order(&chain), ["fr-ca", "fr", "en-gb", "en"]);
        assert_eq!(
            lookup_order(&["zh-Hant-TW".to_owned()]),
            ["zh-hant-tw", "zh-hant", "zh"]
        );
    }
}
