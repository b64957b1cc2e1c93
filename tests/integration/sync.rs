//! `/v1/sync`: an offline client's copy, kept by initial and delta syncs, equals
//! what the lists say, whichever API node it asks.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common::{urlencode, TestApp};
use folio::db::changes;

/// An offline client: its copy of every item, by kind and id, and its sync token.
#[derive(Default)]
struct Replica {
    items: BTreeMap<(String, String), Value>,
    token: Option<String>,
    /// As whom it syncs: `None` for the public.
    bearer: Option<String>,
}

impl Replica {
    fn get(&self, node: &TestApp, path: &str) -> Value {
        match &self.bearer {
            Some(token) => node
                .request(reqwest::Method::GET, path, Some(token), None)
                .expect(200)
                .json(),
            None => node.get(path).expect(200).json(),
        }
    }

    /// Follows a sync from `first` to its end, asking the nodes in turn; returns
    /// the number of pages.
    fn sync(&mut self, nodes: &[&TestApp], first: &str, per_page: u32) -> usize {
        let mut path = first.to_owned();
        for page_number in 0.. {
            let page = self.get(nodes[page_number % nodes.len()], &path);
            for item in page["data"].as_array().expect("data") {
                let kind = item["type"].as_str().expect("type").to_owned();
                let id = item["id"].as_str().expect("id").to_owned();
                if item["deleted"] == true {
                    self.items.remove(&(kind, id));
                } else {
                    let shape = item[&kind].clone();
                    assert!(shape.is_object(), "an upsert carries its {kind}: {item}");
                    self.items.insert((kind, id), shape);
                }
            }
            if let Some(next) = page["next_page_token"].as_str() {
                path = format!(
                    "/v1/sync?page_token={}&per_page={per_page}",
                    urlencode(next)
                );
                continue;
            }
            let token = page["next_sync_token"]
                .as_str()
                .expect("a last page has a sync token");
            self.token = Some(token.to_owned());
            return page_number + 1;
        }
        unreachable!()
    }

    fn catch_up(&mut self, nodes: &[&TestApp], per_page: u32) -> usize {
        let token = self.token.clone().expect("synced before");
        let first = format!(
            "/v1/sync?sync_token={}&per_page={per_page}",
            urlencode(&token)
        );
        self.sync(nodes, &first, per_page)
    }

    fn of_kind(&self, kind: &str) -> BTreeMap<String, Value> {
        self.items
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|((_, id), v)| (id.clone(), v.clone()))
            .collect()
    }
}

/// Every item of a list, following its cursor or page numbers.
fn everything(replica: &Replica, app: &TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut next = format!("{path}{separator}per_page=100");
    loop {
        let page = replica.get(app, &next);
        items.extend(page["data"].as_array().expect("data").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                next = format!("{path}{separator}per_page=100&cursor={}", urlencode(cursor))
            }
            None => return items,
        }
    }
}

/// The copy holds exactly what the lists show, field for field (article counts
/// of sections, tags and authors aside: they are derived, and not synced).
fn assert_copy_matches(replica: &Replica, app: &TestApp, article_list: &str) {
    for (kind, path, key) in [
        ("article", article_list, "id"),
        ("section", "/v1/sections", "slug"),
        ("tag", "/v1/tags", "slug"),
        ("author", "/v1/authors", "slug"),
    ] {
        let listed = everything(replica, app, path);
        let local = replica.of_kind(kind);
        let listed_ids: Vec<&str> = listed.iter().map(|i| i[key].as_str().unwrap()).collect();
        let mut sorted = listed_ids.clone();
        sorted.sort();
        assert_eq!(
            local.keys().map(String::as_str).collect::<Vec<_>>(),
            sorted,
            "the {kind}s of the copy"
        );
        for item in &listed {
            let id = item[key].as_str().unwrap();
            for (field, value) in item.as_object().unwrap() {
                if field == "article_count" || field == "highlight" {
                    continue;
                }
                assert_eq!(&local[id][field], value, "{kind} {id}: {field}");
            }
        }
    }
}

fn publish(app: &TestApp, title: &str, extra: Value) -> Value {
    let mut body = json!({
        "title": title,
        "body": "Le cœur du réacteur « nucléaire » bat au rythme de l’alliance.",
        "status": "published",
        "published_at": "2024-11-27T09:00:00Z",
        "section": "monde",
        "tags": ["energie"],
        "authors": ["anne-dupont"],
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    app.article(body)
}

/// How many times the scheduler announced that `id` went live.
fn announcements(app: &TestApp, id: &str) -> usize {
    let mut conn = app.db.get().unwrap();
    let logged = changes::after(&mut conn, 0, 100_000).unwrap();
    logged
        .iter()
        .filter(|c| c.public_id == id && c.action == "published" && c.actor == "scheduler")
        .count()
}

/// Waits until the scheduler has announced that `id` went live, then a little
/// longer: however many nodes run, it is announced once.
fn wait_for_announcement(app: &TestApp, id: &str) {
    let pause = std::time::Duration::from_millis(100);
    for _ in 0..100 {
        if announcements(app, id) > 0 {
            std::thread::sleep(pause * 15);
            assert_eq!(announcements(app, id), 1, "announced once");
            return;
        }
        std::thread::sleep(pause);
    }
    panic!("the scheduled article {id} was never announced");
}

/// Initial sync, changes of every kind while offline (a scheduled article going
/// live among them), delta sync: the copy equals the lists, on two nodes in turn.
fn an_offline_client_catches_up(app: &TestApp) {
    let other = app.another_node();
    let nodes = [app, &other];
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Culture"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    app.post("/v1/authors", json!({"name": "Anne Dupont"}))
        .expect(201);
    for i in 0..5 {
        publish(app, &format!("Dépêche {i}"), json!({}));
    }
    app.article(json!({"title": "Brouillon", "body": "Pas encore."}));
    let to_delete = publish(app, "À supprimer", json!({}));
    let to_unpublish = publish(app, "À dépublier", json!({}));
    let to_postpone = publish(app, "À reporter", json!({}));

    let mut replica = Replica::default();
    let pages = replica.sync(&nodes, "/v1/sync?initial=true&per_page=3", 3);
    assert_eq!(pages, 4, "12 public items, 3 a page");
    assert_copy_matches(&replica, app, "/v1/articles");

    // Offline: every kind of change.
    publish(app, "Nouvelle dépêche", json!({}));
    other
        .patch("/v1/articles/depeche-0", json!({"title": "Dépêche zéro"}))
        .expect(200);
    app.delete(&format!(
        "/v1/articles/{}",
        to_delete["slug"].as_str().unwrap()
    ))
    .expect(204);
    other
        .patch(
            &format!("/v1/articles/{}", to_unpublish["slug"].as_str().unwrap()),
            json!({"status": "draft"}),
        )
        .expect(200);
    app.patch(
        &format!("/v1/articles/{}", to_postpone["slug"].as_str().unwrap()),
        json!({"published_at": "2099-01-01T00:00:00Z"}),
    )
    .expect(200);
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let scheduled = publish(app, "Programmée", json!({"published_at": soon}));
    other
        .patch(
            "/v1/tags/energie",
            json!({"slug": "energie-nucleaire", "name": "Énergie nucléaire"}),
        )
        .expect(200);
    app.post("/v1/authors", json!({"name": "Marc Petit"}))
        .expect(201);
    app.delete("/v1/sections/culture").expect(204);
    wait_for_announcement(app, scheduled["id"].as_str().unwrap());

    replica.catch_up(&nodes, 4);
    assert_copy_matches(&replica, app, "/v1/articles");
    assert!(replica
        .items
        .contains_key(&("article".into(), scheduled["id"].as_str().unwrap().into())));
    assert!(!replica
        .items
        .contains_key(&("tag".into(), "energie".into())));

    // Nothing new: an empty page and the same place.
    let token = replica.token.clone().unwrap();
    let page = other
        .get(&format!("/v1/sync?sync_token={}", urlencode(&token)))
        .expect(200)
        .json();
    assert_eq!(page["data"], json!([]));
    assert!(page["next_sync_token"].is_string());
}

/// A filtered sync drops an article that moves out of its section; a preview
/// sync (read token) sees drafts and needs the token to go on.
fn filters_and_preview(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    app.post("/v1/sections", json!({"name": "Sport"}))
        .expect(201);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    app.post("/v1/authors", json!({"name": "Anne Dupont"}))
        .expect(201);
    let moving = publish(app, "Sur le départ", json!({}));
    publish(app, "Reste", json!({}));
    let mut replica = Replica::default();
    replica.sync(
        &[app],
        "/v1/sync?initial=true&type=article&section=monde",
        100,
    );
    assert_eq!(replica.items.len(), 2);
    app.patch(
        &format!("/v1/articles/{}", moving["slug"].as_str().unwrap()),
        json!({"section": "sport"}),
    )
    .expect(200);
    replica.catch_up(&[app], 100);
    assert_copy_matches_articles(&replica, app, "/v1/articles?section=monde");

    let mut preview = Replica {
        bearer: Some(app.read_token.clone()),
        ..Replica::default()
    };
    app.article(json!({"title": "Brouillon", "body": "Pas encore.", "section": "monde"}));
    preview.sync(&[app], "/v1/sync?initial=true&type=article", 100);
    assert_eq!(preview.items.len(), 3);
    let token = preview.token.clone().unwrap();
    let anonymous = app
        .get(&format!("/v1/sync?sync_token={}", urlencode(&token)))
        .expect(403);
    assert_eq!(anonymous.json()["type"], "/problems/forbidden");
}

fn assert_copy_matches_articles(replica: &Replica, app: &TestApp, path: &str) {
    let listed = everything(replica, app, path);
    let local = replica.of_kind("article");
    let mut ids: Vec<&str> = listed.iter().map(|a| a["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(local.keys().map(String::as_str).collect::<Vec<_>>(), ids);
}

/// Forged and malformed tokens are 400s; a token the trimmed log no longer
/// reaches is a 410 telling the client to start over.
fn bad_and_expired_tokens(app: &TestApp) {
    let page = app.get("/v1/sync?initial=true").expect(200).json();
    let token = page["next_sync_token"].as_str().unwrap().to_owned();
    let (payload, signature) = token.split_once('.').unwrap();
    let forged = format!("{payload}x.{signature}");
    for bad in [forged.as_str(), "nonsense", ".", "a.b"] {
        let res = app
            .get(&format!("/v1/sync?sync_token={}", urlencode(bad)))
            .expect(400);
        assert_eq!(res.json()["type"], "/problems/bad-request", "{bad}");
    }
    app.get("/v1/sync").expect(400);
    app.get("/v1/sync?initial=true&per_page=0").expect(400);
    app.get("/v1/sync?initial=true&type=video").expect(400);
    app.get(&format!(
        "/v1/sync?sync_token={}&section=monde",
        urlencode(&token)
    ))
    .expect(400);

    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let mut conn = app.db.get().unwrap();
    let now = folio::db::now() + chrono::Duration::seconds(1);
    // Without an audit retention, the log keeps every write for the audit log…
    assert_eq!(changes::trim(&mut conn, now, None).unwrap(), 0);
    // … until its own retention has passed too.
    assert!(changes::trim(&mut conn, now, Some(now)).unwrap() >= 1);
    // Sync tokens from before the cutoff are over either way.
    let res = app
        .get(&format!("/v1/sync?sync_token={}", urlencode(&token)))
        .expect(410);
    assert!(res.json()["detail"]
        .as_str()
        .unwrap()
        .contains("initial=true"));
    // Starting over works.
    let page = app.get("/v1/sync?initial=true").expect(200).json();
    assert_eq!(page["data"][0]["tag"]["slug"], "energie");
}

/// A page token keeps the page size of the sync it continues; a `per_page` given
/// with it changes the size from then on.
fn pages_keep_their_size(app: &TestApp) {
    for n in 0..12 {
        app.post("/v1/tags", json!({"name": format!("Sujet {n}")}))
            .expect(201);
    }
    let mut page = app
        .get("/v1/sync?initial=true&type=tag&per_page=5")
        .expect(200)
        .json();
    let mut sizes = vec![page["data"].as_array().unwrap().len()];
    while let Some(next) = page["next_page_token"].as_str() {
        page = app
            .get(&format!("/v1/sync?page_token={}", urlencode(next)))
            .expect(200)
            .json();
        sizes.push(page["data"].as_array().unwrap().len());
    }
    assert_eq!(sizes, [5, 5, 2]);

    let page = app
        .get("/v1/sync?initial=true&type=tag&per_page=5")
        .expect(200)
        .json();
    let next = page["next_page_token"].as_str().unwrap();
    let page = app
        .get(&format!(
            "/v1/sync?page_token={}&per_page=2",
            urlencode(next)
        ))
        .expect(200)
        .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = page["next_page_token"].as_str().unwrap();
    let page = app
        .get(&format!("/v1/sync?page_token={}", urlencode(next)))
        .expect(200)
        .json();
    assert_eq!(
        page["data"].as_array().unwrap().len(),
        2,
        "the new size stays"
    );
}

/// A token or event id from before a restore (ahead of the log the database now
/// holds) is a 410 telling the client to start over, not a wait for ever.
fn a_restored_log_starts_clients_over(app: &TestApp) {
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    let page = app.get("/v1/sync?initial=true").expect(200).json();
    let token = page["next_sync_token"].as_str().unwrap().to_owned();
    let newest = changes::latest(&mut app.db.get().unwrap()).unwrap();
    for ahead in [
        format!("/v1/changes/stream?last_event_id={}", newest + 1),
        format!("/v1/changes/stream?last_event_id={}", i64::MAX),
    ] {
        let res = app.get(&ahead).expect(410);
        assert!(res.json()["detail"]
            .as_str()
            .unwrap()
            .contains("sync again"));
    }
    let res = app
        .client_get_with(
            "/v1/changes/stream",
            &[("last-event-id", &(newest + 5).to_string())],
        )
        .expect(410);
    assert_eq!(res.json()["type"], "/problems/gone");

    // A restore of an older backup: the log ends before the token's change.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.db.get().unwrap();
        diesel::sql_query(format!("DELETE FROM changes WHERE seq >= {newest}"))
            .execute(&mut conn)
            .unwrap();
    }
    let res = app
        .get(&format!("/v1/sync?sync_token={}", urlencode(&token)))
        .expect(410);
    assert!(res.json()["detail"]
        .as_str()
        .unwrap()
        .contains("initial=true"));
    app.get(&format!("/v1/changes/stream?last_event_id={}", newest))
        .expect(410);
}

on_both_backends!(
    an_offline_client_catches_up,
    filters_and_preview,
    bad_and_expired_tokens,
    pages_keep_their_size,
    a_restored_log_starts_clients_over
);
