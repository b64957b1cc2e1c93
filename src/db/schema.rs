// Mirrors migrations/{sqlite,postgres}; `tests/integration/schema.rs` checks the two agree.

diesel::table! {
    sections (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        description -> Text,
        parent_id -> Nullable<Integer>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        translations -> Text,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    tags (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        translations -> Text,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    authors (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        description -> Text,
        bio -> Text,
        email -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        translations -> Text,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    articles (id) {
        id -> Integer,
        public_id -> Text,
        slug -> Text,
        title -> Text,
        standfirst -> Nullable<Text>,
        body -> Text,
        body_html -> Text,
        excerpt -> Text,
        language -> Text,
        status -> Text,
        section_id -> Nullable<Integer>,
        word_count -> Integer,
        reading_time_minutes -> Integer,
        metadata -> Text,
        published_at -> Nullable<Timestamp>,
        first_published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        title_key -> Text,
        translation_group -> Text,
        blocks -> Text,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> Integer,
        tag_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    article_authors (article_id, author_id) {
        article_id -> Integer,
        author_id -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    article_slug_redirects (slug) {
        slug -> Text,
        article_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        name -> Text,
        scope -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (token_name, key) {
        token_name -> Text,
        key -> Text,
        request_digest -> Text,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        target -> Text,
    }
}

diesel::table! {
    article_revisions (article_id, number) {
        article_id -> Integer,
        number -> Integer,
        created_at -> Timestamp,
        actor -> Text,
        changed -> Text,
        snapshot -> Text,
    }
}

diesel::table! {
    article_trash (article_id) {
        article_id -> Integer,
        public_id -> Text,
        slug -> Text,
        title -> Text,
        version -> Integer,
        created_at -> Timestamp,
        first_published_at -> Nullable<Timestamp>,
        deleted_at -> Timestamp,
        deleted_by -> Text,
    }
}

diesel::table! {
    import_sources (source) {
        source -> Text,
        article_id -> Integer,
        digest -> Text,
    }
}

diesel::table! {
    trash_slug_redirects (slug) {
        slug -> Text,
        article_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> authors (author_id));
diesel::joinable!(article_slug_redirects -> articles (article_id));
diesel::joinable!(trash_slug_redirects -> article_trash (article_id));
diesel::joinable!(import_sources -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    sections,
    tags,
    authors,
    articles,
    article_tags,
    article_authors,
    article_slug_redirects,
    api_tokens,
    idempotency_keys,
    audit_log,
    article_revisions,
    article_trash,
    trash_slug_redirects,
    import_sources,
);

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        resource -> Text,
        resource_id -> Integer,
        public_id -> Text,
        slug -> Text,
        previous_slug -> Nullable<Text>,
        version -> Integer,
        action -> Text,
        actor -> Text,
        changed_at -> Timestamp,
        fields -> Text,
        section_id -> Nullable<Integer>,
        language -> Nullable<Text>,
        implied -> Bool,
        purge_keys -> Text,
    }
}

diesel::table! {
    folio_state (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Integer,
        url -> Text,
        events -> Text,
        section -> Nullable<Text>,
        language -> Nullable<Text>,
        description -> Nullable<Text>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        after_seq -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> Integer,
        message_id -> Text,
        event -> Text,
        resource_key -> Text,
        payload -> Text,
        created_at -> Timestamp,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        latency_ms -> Integer,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(webhooks, webhook_deliveries, webhook_attempts);

diesel::table! {
    assets (id) {
        id -> Integer,
        public_id -> Text,
        media_type -> Text,
        filename -> Text,
        byte_size -> BigInt,
        sha256 -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        placeholder -> Nullable<Text>,
        color -> Nullable<Text>,
        alt -> Text,
        caption -> Text,
        credit -> Text,
        focal_x -> Double,
        focal_y -> Double,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    article_assets (article_id, role, asset_id) {
        article_id -> Integer,
        asset_id -> Integer,
        role -> Text,
        position -> Integer,
    }
}

diesel::joinable!(article_assets -> assets (asset_id));
diesel::joinable!(article_assets -> articles (article_id));
diesel::allow_tables_to_appear_in_same_query!(assets, article_assets, articles);
