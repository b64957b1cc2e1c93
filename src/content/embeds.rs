//! The providers whose addresses, alone on a line, become embeds: one table,
//! each with the pattern of its items' addresses and where the item's id is in
//! them. Adding a provider is adding a row.

use std::sync::LazyLock;

use regex::Regex;

/// A provider of embeddable items.
pub struct Provider {
    /// Its name in blocks and placeholders.
    pub name: &'static str,
    /// How people call it, for a placeholder's link text.
    pub label: &'static str,
    /// Its items' addresses; the `id` group is the item's id.
    pattern: &'static str,
}

const PROVIDERS: &[Provider] = &[
    Provider {
        name: "youtube",
        label: "YouTube",
        pattern: r"^https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:[^#\s]*&)?v=|shorts/|embed/|live/)|youtu\.be/)(?P<id>[A-Za-z0-9_-]{11})(?:[?&#][^\s]*)?$",
    },
    Provider {
        name: "vimeo",
        label: "Vimeo",
        pattern: r"^https?://(?:www\.|player\.)?vimeo\.com/(?:video/)?(?P<id>[0-9]+)(?:[/?#][^\s]*)?$",
    },
    Provider {
        name: "x",
        label: "X",
        pattern: r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/[A-Za-z0-9_]{1,15}/status/(?P<id>[0-9]+)(?:[/?#][^\s]*)?$",
    },
    Provider {
        name: "instagram",
        label: "Instagram",
        pattern: r"^https?://(?:www\.)?instagram\.com/(?:p|reel|tv)/(?P<id>[A-Za-z0-9_-]+)/?(?:[?#][^\s]*)?$",
    },
    Provider {
        name: "tiktok",
        label: "TikTok",
        pattern: r"^https?://(?:www\.)?tiktok\.com/@[A-Za-z0-9_.]+/video/(?P<id>[0-9]+)(?:[/?#][^\s]*)?$",
    },
    Provider {
        name: "bluesky",
        label: "Bluesky",
        pattern: r"^https?://bsky\.app/profile/(?P<id>[A-Za-z0-9.:_-]+/post/[A-Za-z0-9]+)/?(?:[?#][^\s]*)?$",
    },
    Provider {
        name: "soundcloud",
        label: "SoundCloud",
        pattern: r"^https?://(?:www\.|m\.)?soundcloud\.com/(?P<id>[A-Za-z0-9_-]+/(?:sets/)?[A-Za-z0-9_-]+)/?(?:[?#][^\s]*)?$",
    },
    Provider {
        name: "spotify",
        label: "Spotify",
        pattern: r"^https?://open\.spotify\.com/(?:intl-[a-z]{2}/)?(?P<id>(?:track|album|playlist|episode|show|artist)/[A-Za-z0-9]+)/?(?:[?#][^\s]*)?$",
    },
    Provider {
        name: "datawrapper",
        label: "Datawrapper",
        pattern: r"^https?://(?:datawrapper\.dwcdn\.net|dwc\.de)/(?P<id>[A-Za-z0-9]{5})(?:/[0-9]+)?/?(?:[?#][^\s]*)?$",
    },
    Provider {
        name: "flourish",
        label: "Flourish",
        pattern: r"^https?://public\.flourish\.studio/(?P<id>(?:visualisation|story)/[0-9]+)/?(?:[?#][^\s]*)?$",
    },
    // Any Mastodon server: `https://HOST/@USER/ID`, tried last.
    Provider {
        name: "mastodon",
        label: "Mastodon",
        pattern: r"^https://(?P<id>[A-Za-z0-9.-]+\.[A-Za-z]{2,}/@[A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+)?/[0-9]+)/?$",
    },
];

static COMPILED: LazyLock<Vec<(&'static Provider, Regex)>> = LazyLock::new(|| {
    PROVIDERS
        .iter()
        .map(|p| {
            let regex = Regex::new(p.pattern).expect("each provider's pattern is a valid regex");
            (p, regex)
        })
        .collect()
});

/// The provider of `url` and the id of its item, when `url` is the whole address
/// of an item of a known provider.
pub fn provider_of(url: &str) -> Option<(&'static Provider, String)> {
    COMPILED.iter().find_map(|(provider, regex)| {
        let id = regex.captures(url)?.name("id")?.as_str().to_owned();
        Some((*provider, id))
    })
}

/// The names of the providers known.
pub fn names() -> impl Iterator<Item = &'static str> {
    PROVIDERS.iter().map(|p| p.name)
}

/// The provider called `name`.
pub fn named(name: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_of_each_provider_are_known_by_their_address() {
        for (url, name, id) in [
            (
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                "youtube",
                "dQw4w9WgXcQ",
            ),
            (
                "https://youtu.be/dQw4w9WgXcQ?t=42",
                "youtube",
                "dQw4w9WgXcQ",
            ),
            ("https://vimeo.com/76979871", "vimeo", "76979871"),
            (
                "https://x.com/lemondefr/status/1861234567890123456",
                "x",
                "1861234567890123456",
            ),
            ("https://twitter.com/AFP/status/123", "x", "123"),
            (
                "https://www.instagram.com/p/C0abcDEF12/",
                "instagram",
                "C0abcDEF12",
            ),
            (
                "https://www.tiktok.com/@lemonde/video/7301234567890",
                "tiktok",
                "7301234567890",
            ),
            (
                "https://bsky.app/profile/lemonde.fr/post/3kabc123",
                "bluesky",
                "lemonde.fr/post/3kabc123",
            ),
            (
                "https://soundcloud.com/franceculture/episode-1",
                "soundcloud",
                "franceculture/episode-1",
            ),
            (
                "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk",
                "spotify",
                "episode/4rOoJ6Egrf8K2IrywzwOMk",
            ),
            (
                "https://datawrapper.dwcdn.net/AbC12/3/",
                "datawrapper",
                "AbC12",
            ),
            (
                "https://public.flourish.studio/visualisation/1234567/",
                "flourish",
                "visualisation/1234567",
            ),
            (
                "https://mastodon.social/@Gargron/109403413125522042",
                "mastodon",
                "mastodon.social/@Gargron/109403413125522042",
            ),
        ] {
            let (provider, found) = provider_of(url).unwrap_or_else(|| panic!("{url} is known"));
            assert_eq!((provider.name, found.as_str()), (name, id), "{url}");
            assert!(named(name).is_some());
        }
    }

    #[test]
    fn other_addresses_are_not_embeds() {
        for url in [
            "https://www.lemonde.fr/international/article/2024/11/27/poutine.html",
            "https://www.youtube.com/channel/UC123",
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
            "http://mastodon.social/@Gargron/109403413125522042",
            "voir https://youtu.be/dQw4w9WgXcQ",
        ] {
            assert!(provider_of(url).is_none(), "{url}");
        }
    }
}
