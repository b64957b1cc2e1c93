//! Blocks from Markdown and back: examples of each node, and a property test
//! that any tree reads back from the Markdown written for it.

use proptest::prelude::*;

use super::*;

fn text(t: &str) -> Inline {
    Inline::Text(Text::plain(t))
}

fn marked(t: &str, marks: &[Mark]) -> Inline {
    Inline::Text(Text {
        text: t.to_owned(),
        marks: marks.to_vec(),
    })
}

fn paragraph(content: Vec<Inline>) -> Block {
    Block::Paragraph(Paragraph { content })
}

/// Markdown → blocks → Markdown keeps `markdown` byte for byte.
fn keeps(markdown: &str) -> Vec<Block> {
    let blocks = from_markdown(markdown);
    assert_eq!(to_markdown(&blocks).as_deref(), Ok(markdown), "{blocks:#?}");
    blocks
}

#[test]
fn text_is_kept_byte_for_byte() {
    let line = "« Nous sommes des alliés\u{a0}», a déclaré l’élu : cœur, nucléaire… 🇰🇿";
    assert_eq!(keeps(line), vec![paragraph(vec![text(line)])]);
}

#[test]
fn marks_links_and_breaks() {
    let blocks = keeps(
        "Un **accord** *historique* et ~~rien~~ de `code`, [lu ici](https://example.org/a \"Le titre\")\\\nà la ligne.",
    );
    assert_eq!(
        blocks,
        vec![paragraph(vec![
            text("Un "),
            marked("accord", &[Mark::Strong]),
            text(" "),
            marked("historique", &[Mark::Em]),
            text(" et "),
            marked("rien", &[Mark::Strike]),
            text(" de "),
            marked("code", &[Mark::Code]),
            text(", "),
            Inline::Link(Link {
                href: "https://example.org/a".into(),
                title: Some("Le titre".into()),
                content: vec![Text::plain("lu ici")],
                article: None,
            }),
            Inline::Break(Break {}),
            text("à la ligne."),
        ])]
    );
}

#[test]
fn a_line_break_inside_a_paragraph_reads_as_a_space() {
    assert_eq!(
        from_markdown("Deux lignes\nd’un paragraphe."),
        vec![paragraph(vec![text("Deux lignes d’un paragraphe.")])]
    );
}

#[test]
fn each_kind_of_block() {
    let blocks = keeps(concat!(
        "## Une relation ancienne\n\n",
        "- un\n- **deux**\n\n",
        "3. trois\n4. quatre\n\n",
        "> Le Kazakhstan ne choisit pas.\n>\n> — Un diplomate européen\n\n",
        "![Le palais d’Astana](asset:0b8f6a2e-4c1d-4f7a-9e3b-5d2c1a0f9e8d \"Astana\")\n\n",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n",
        "| Pays | Part |\n| :--- | ---: |\n| Kazakhstan | 43 % |\n\n",
        "```rust\nfn main() {}\n```\n\n",
        "---",
    ));
    assert_eq!(
        blocks[0],
        Block::Heading(Heading {
            level: 2,
            content: vec![text("Une relation ancienne")]
        })
    );
    assert!(
        matches!(&blocks[1], Block::List(List { ordered: false, items, .. }) if items.len() == 2)
    );
    assert!(matches!(
        &blocks[2],
        Block::List(List {
            ordered: true,
            start: Some(3),
            ..
        })
    ));
    assert_eq!(
        blocks[3],
        Block::Quote(Quote {
            content: vec![paragraph(vec![text("Le Kazakhstan ne choisit pas.")])],
            attribution: Some("Un diplomate européen".into()),
        })
    );
    assert_eq!(
        blocks[4],
        Block::Image(Image {
            src: "asset:0b8f6a2e-4c1d-4f7a-9e3b-5d2c1a0f9e8d".into(),
            asset: Some("0b8f6a2e-4c1d-4f7a-9e3b-5d2c1a0f9e8d".into()),
            alt: "Le palais d’Astana".into(),
            title: Some("Astana".into()),
            media: None,
        })
    );
    assert_eq!(
        blocks[5],
        Block::Embed(Embed {
            provider: "youtube".into(),
            url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
            id: "dQw4w9WgXcQ".into(),
        })
    );
    assert!(matches!(&blocks[6], Block::Table(Table { align, rows, .. })
        if align == &[Alignment::Left, Alignment::Right] && rows.len() == 1));
    assert_eq!(
        blocks[7],
        Block::Code(Code {
            language: Some("rust".into()),
            text: "fn main() {}".into()
        })
    );
    assert_eq!(blocks[8], Block::Divider(Divider {}));
}

#[test]
fn text_that_reads_as_syntax_is_escaped() {
    for line in [
        "1. n’est pas une liste",
        "# n’est pas un titre",
        "- ni une puce",
        "> ni une citation",
        "un *astérisque* et un _souligné_",
        "<div> n’est pas du HTML &amp; ceci non plus",
        "[crochets](non-lien)",
        "C:\\dossier\\*",
    ] {
        let blocks = vec![paragraph(vec![text(line)])];
        let markdown = to_markdown(&blocks).expect("written");
        assert_eq!(from_markdown(&markdown), blocks, "{line:?} → {markdown:?}");
    }
}

#[test]
fn marks_beside_punctuation_and_letters_read_back() {
    // A delimiter cannot open between a letter and punctuation, nor close
    // between punctuation and a letter: Folio writes those letters as references.
    let blocks = vec![paragraph(vec![
        text("l"),
        marked("«\u{a0}État\u{a0}»", &[Mark::Strong]),
        text("s"),
        marked("(bis)", &[Mark::Em]),
        text("x"),
    ])];
    let markdown = to_markdown(&blocks).expect("written");
    assert_eq!(from_markdown(&markdown), canonical(&blocks), "{markdown}");
}

#[test]
fn blocks_serialise_with_their_type() {
    let json = serde_json::to_value(from_markdown("## Titre\n\nUn **mot**.")).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!([
            {"type": "heading", "level": 2, "content": [{"type": "text", "text": "Titre"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Un "},
                {"type": "text", "text": "mot", "marks": ["strong"]},
                {"type": "text", "text": "."}
            ]}
        ])
    );
}

/// Words of newsroom text: letters with accents, punctuation Markdown uses and
/// typography it does not, no-break spaces, emoji.
fn word() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            6 => proptest::char::range('a', 'z'),
            2 => proptest::sample::select(vec!['é', 'è', 'œ', 'Ç', 'A', 'Z', '0', '7']),
            2 => proptest::sample::select(vec![
                '*', '_', '`', '~', '[', ']', '(', ')', '<', '>', '&', '#', '!', '\\', '|',
                '-', '+', '.', ':', ';', '"', '\'', '{', '}', '=',
            ]),
            1 => proptest::sample::select(vec!['’', '«', '»', '…', '\u{a0}', '—', '🇰', '😀']),
        ],
        1..8,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn words() -> impl Strategy<Value = String> {
    proptest::collection::vec(word(), 1..4).prop_map(|w| w.join(" "))
}

fn marks() -> impl Strategy<Value = Vec<Mark>> {
    proptest::sample::subsequence(vec![Mark::Strong, Mark::Em, Mark::Strike, Mark::Code], 0..3)
}

fn inline() -> impl Strategy<Value = Inline> {
    prop_oneof![
        8 => (words(), marks()).prop_map(|(text, marks)| Inline::Text(Text { text, marks })),
        1 => (words(), "[a-z]{1,8}").prop_map(|(t, path)| Inline::Link(Link {
            href: format!("https://example.org/{path}"),
            title: None,
            content: vec![Text::plain(t)],
            article: None,
        })),
        1 => Just(Inline::Break(Break {})),
    ]
}

fn line() -> impl Strategy<Value = Vec<Inline>> {
    proptest::collection::vec(inline(), 1..6)
}

fn leaf() -> impl Strategy<Value = Block> {
    prop_oneof![
        6 => line().prop_map(|content| Block::Paragraph(Paragraph { content })),
        2 => (1u8..=6, line()).prop_map(|(level, content)| Block::Heading(Heading { level, content })),
        1 => (proptest::option::of("[a-z]{1,6}"), "[a-z =;{}`\n]{0,30}")
            .prop_map(|(language, text)| Block::Code(Code { language, text })),
        1 => Just(Block::Divider(Divider {})),
        1 => (words(), "[a-z]{1,8}").prop_map(|(alt, name)| Block::Image(Image {
            src: format!("https://example.org/{name}.jpg"),
            asset: None,
            alt,
            title: None,
            media: None,
        })),
        1 => Just(Block::Embed(Embed {
            provider: "vimeo".into(),
            url: "https://vimeo.com/76979871".into(),
            id: "76979871".into(),
        })),
        1 => (1usize..4, proptest::collection::vec(line(), 1..7)).prop_map(|(columns, cells)| {
            let cells: Vec<Cell> = cells.into_iter().map(|content| Cell { content }).collect();
            Block::Table(Table {
                align: vec![Alignment::Center; columns],
                header: cells.iter().take(columns).cloned().collect(),
                rows: cells.chunks(columns).skip(1).map(<[Cell]>::to_vec).collect(),
            })
        }),
    ]
}

fn block() -> impl Strategy<Value = Block> {
    leaf().prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            (
                any::<bool>(),
                proptest::collection::vec(proptest::collection::vec(inner.clone(), 1..3), 1..4)
            )
                .prop_map(|(ordered, items)| Block::List(List {
                    ordered,
                    start: ordered.then_some(1),
                    items: items
                        .into_iter()
                        .map(|content| ListItem { content })
                        .collect(),
                })),
            (
                proptest::collection::vec(inner, 1..3),
                proptest::option::of(words())
            )
                .prop_map(|(content, attribution)| Block::Quote(Quote {
                    content,
                    attribution
                })),
        ]
    })
}

proptest! {
    // Cases that failed once are kept beside this file and tried first.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    /// blocks → Markdown → blocks is the identity on canonical trees.
    #[test]
    fn blocks_read_back_from_their_markdown(blocks in proptest::collection::vec(block(), 1..5)) {
        let wanted = canonical(&blocks);
        let markdown = to_markdown(&blocks).map_err(|e| {
            let tried: Vec<String> = write::attempts(&blocks)
                .into_iter()
                .map(|(markdown, read)| format!("{markdown:?}\nreads as {read:?}"))
                .collect();
            TestCaseError::fail(format!("{e}: {wanted:?}\n{}", tried.join("\n")))
        })?;
        prop_assert_eq!(from_markdown(&markdown), wanted.clone(), "{}", markdown);
        prop_assert_eq!(canonical(&wanted), wanted);
    }
}

#[test]
fn what_markdown_cannot_say_is_refused_not_changed() {
    // CommonMark numbers lists with at most nine digits.
    let blocks = vec![Block::List(List {
        ordered: true,
        start: Some(u64::MAX),
        items: vec![
            ListItem {
                content: vec![paragraph(vec![text("un")])],
            },
            ListItem {
                content: vec![paragraph(vec![text("deux")])],
            },
        ],
    })];
    let refused = |blocks: &[Block]| to_markdown(blocks).map_err(|e| (e.block, e.reason));
    assert_eq!(
        refused(&blocks),
        Err((0, "a numbered list starts at 999999999 at most".to_owned()))
    );
    let heading = Block::Heading(Heading {
        level: 7,
        content: vec![text("Titre")],
    });
    let empty = paragraph(vec![text("")]);
    assert_eq!(
        refused(&[empty.clone(), heading]),
        Err((1, "a heading's level is from 1 to 6, not 7".to_owned()))
    );
    let mut deep = paragraph(vec![text("le cœur")]);
    for _ in 0..=MAX_NESTING {
        deep = Block::Quote(Quote {
            content: vec![deep],
            attribution: None,
        });
    }
    assert_eq!(
        refused(&[deep]),
        Err((0, "quotes and lists nest 32 deep at most".to_owned()))
    );
    // Marks crossing where a space stands: the block is counted as the client
    // sent them, empty ones included.
    let crossing = paragraph(vec![
        marked("b ", &[Mark::Strong]),
        marked("b ", &[Mark::Strong, Mark::Em]),
        marked("a", &[Mark::Em]),
    ]);
    let result = refused(&[empty, crossing]);
    assert!(matches!(result, Err((1, _))), "{result:?}");
}

/// How many quotes or lists deep `blocks` go.
fn nesting(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|block| match block {
            Block::Quote(quote) => 1 + nesting(&quote.content),
            Block::List(list) => {
                1 + list
                    .items
                    .iter()
                    .map(|item| nesting(&item.content))
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn nesting_past_the_limit_reads_as_text() {
    for markdown in [
        format!("{} le cœur", ">".repeat(100_000)),
        format!("{}le cœur", "- ".repeat(20_000)),
        format!("{}le cœur", "> - ".repeat(20_000)),
    ] {
        let blocks = from_markdown(&markdown);
        assert_eq!(nesting(&blocks), MAX_NESTING);
        assert!(serde_json::to_string(&blocks).is_ok_and(|json| json.contains("le cœur")));
    }
    let shallow = format!("{} le cœur", ">".repeat(MAX_NESTING));
    assert_eq!(nesting(&from_markdown(&shallow)), MAX_NESTING);
    assert!(to_markdown(&from_markdown(&shallow)).is_ok());
}

#[test]
fn blocks_from_clients_are_read_strictly() {
    let read = |json: &str| serde_json::from_str::<Vec<Block>>(json);
    assert!(read(
        r#"[{"type":"paragraph","content":[{"type":"text","text":"cœur","marks":["em"]}]}]"#
    )
    .is_ok());
    // What Folio serves may be sent back as it is.
    assert!(read(r#"[{"type":"image","src":"asset:0b8f6a2e-4c1d-4f7a-9e3b-5d2c1a0f9e8d","asset":"x","alt":"","media":{"id":"x"}}]"#).is_ok());
    for wrong in [
        r#"[{"type":"paragraph","content":[],"conten":[]}]"#,
        r#"[{"type":"paragraph","content":[{"type":"text","text":"a","mark":["em"]}]}]"#,
        r#"[{"type":"callout","content":[]}]"#,
        r#"[{"type":"heading","content":[]}]"#,
    ] {
        assert!(read(wrong).is_err(), "{wrong}");
    }
}
