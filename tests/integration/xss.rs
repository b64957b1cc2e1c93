//! Markdown bodies are rendered to HTML that cannot run code, whatever the
//! source tries: a catalogue of known cross-site scripting vectors, checked on
//! the renderer and through the API.

use crate::common;

use common::html::assert_inert;
use common::{TestApp, TestDb};
use folio::content::markdown::render_html;
use serde_json::json;

const VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29>",
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[clic](<javascript:alert(1)>)",
    "[clic](javascript:alert(1) \"titre\")",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](javascript:alert(1))",
    "[![image](https://example.org/a.png)](javascript:alert(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"https://example.org\" onclick=\"alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>@import 'http://xss.example/xss.css';</style>",
    "<link rel=stylesheet href=\"http://xss.example/xss.css\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "# Titre {onclick=alert(1)}",
    "<img src=\"x\" alt=\"\" onerror=\"alert(1)\" />",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
];

#[test]
fn known_vectors_render_inert() {
    assert!(VECTORS.len() >= 40);
    for source in VECTORS {
        assert_inert(source, &render_html(source));
        // The same vector inside ordinary Markdown: lists, quotes, tables, emphasis.
        let wrapped = format!("> * **{source}**\n\n| a |\n|---|\n| {source} |\n");
        assert_inert(&wrapped, &render_html(&wrapped));
    }
}

#[test]
fn ordinary_markup_survives_sanitising() {
    let html = render_html(
        "## Sous-titre\n\n« Cœur » [lien](https://example.org/a?b=c) ![photo](https://example.org/p.jpg \"Astana\")\n\n*   point",
    );
    assert!(html.contains("<h2>Sous-titre</h2>"), "{html}");
    assert!(html.contains("« Cœur »"), "{html}");
    assert!(
        html.contains("href=\"https://example.org/a?b=c\"")
            && html.contains("rel=\"noopener noreferrer\""),
        "{html}"
    );
    assert!(
        html.contains("<img src=\"https://example.org/p.jpg\""),
        "{html}"
    );
    assert!(html.contains("<li>point</li>"), "{html}");
}

#[test]
fn vectors_are_inert_in_what_the_api_serves() {
    let app = TestApp::spawn(TestDb::sqlite());
    for (i, source) in VECTORS.iter().enumerate() {
        let created = app
            .post(
                "/v1/articles",
                json!({"title": format!("Vecteur {i}"), "body": source}),
            )
            .expect(201)
            .json();
        assert_eq!(
            created["body"], *source,
            "the Markdown source is kept byte-exact"
        );
        // `excerpt` is plain text, to be escaped like any text; only `body_html` is markup.
        assert_inert(source, created["body_html"].as_str().unwrap());
    }
}

/// The check itself: raw, unsanitised HTML fails it.
#[test]
fn the_check_rejects_what_it_should() {
    for raw in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "<p title=\"a > b\" style=\"x\">x</p>",
        "<a href='data:text/html,x'>x</a>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_inert("raw", raw));
        assert!(caught.is_err(), "{raw} passed the check");
    }
}
