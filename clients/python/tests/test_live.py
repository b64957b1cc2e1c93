"""The generated Python client against a live Folio started by test.sh (FOLIO_URL,
with a write and an admin token), on SQLite and on PostgreSQL."""

import http.server
import os
import threading
import time

import pytest
from standardwebhooks import Webhook

from folio_client import AuthenticatedClient, Client
from folio_client.api.articles import create_article, find_article, list_articles
from folio_client.api.sync import sync
from folio_client.api.webhooks import create_webhook, delete_webhook
from folio_client.models import (
    Article,
    ArticleCreate,
    ArticleListPage,
    Heading,
    Include,
    InlineLink,
    List,
    Paragraph,
    Problem,
    Quote,
    SyncPage,
    Text,
    WebhookCreate,
    WebhookWithSecret,
)

BASE = os.environ.get("FOLIO_URL", "")
RUN = f"py{int(time.time() * 1000):x}"
BODY = (
    "Le président est arrivé à Astana\u00a0: « Nous sommes des alliés », a-t-il dit.\n\n"
    "## Le nucléaire au centre du jeu\n\n"
    "Le pays voit *le cœur* du [dossier](https://news.example/energie).\n\n"
    "> Le Kazakhstan additionne.\n>\n> — Un diplomate\n\n"
    "- l’uranium\n- le gaz"
)


@pytest.fixture(scope="module")
def reader() -> Client:
    assert BASE, "FOLIO_URL is set (see test.sh)"
    return Client(base_url=BASE)


@pytest.fixture(scope="module")
def writer() -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE, token=os.environ["FOLIO_WRITE_TOKEN"])


@pytest.fixture(scope="module")
def admin() -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE, token=os.environ["FOLIO_ADMIN_TOKEN"])


@pytest.fixture(scope="module")
def written(writer: AuthenticatedClient) -> Article:
    created = create_article.sync(
        client=writer,
        body=ArticleCreate(title=f"{RUN} Poutine au Kazakhstan", slug=f"{RUN}-alliance", body=BODY, status="published"),
    )
    assert isinstance(created, Article), created
    return created


def test_a_list_and_an_article_typed(reader: Client, written: Article) -> None:
    page = list_articles.sync(client=reader, q="coeur")
    assert isinstance(page, ArticleListPage), page
    assert any(item.slug == written.slug for item in page.data)
    article = find_article.sync(written.slug, client=reader)
    assert isinstance(article, Article)
    assert article.body == BODY, "text comes back byte for byte"
    missing = find_article.sync(f"{RUN}-nulle-part", client=reader)
    assert isinstance(missing, Problem) and missing.status == 404


def test_blocks_are_typed_nodes(reader: Client, written: Article) -> None:
    article = find_article.sync(written.slug, client=reader)
    assert isinstance(article, Article)
    kinds = [type(block) for block in article.blocks]
    assert kinds == [Paragraph, Heading, Paragraph, Quote, List]
    first = article.blocks[0]
    assert isinstance(first, Paragraph) and isinstance(first.content[0], Text)
    assert first.content[0].text == "Le président est arrivé à Astana\u00a0: « Nous sommes des alliés », a-t-il dit."
    heading = article.blocks[1]
    assert isinstance(heading, Heading) and heading.level == 2
    runs = article.blocks[2].content
    assert [r.marks for r in runs if isinstance(r, Text) and r.marks] == [["em"]]
    link = next(r for r in runs if isinstance(r, InlineLink))
    assert link.href == "https://news.example/energie" and link.content[0].text == "dossier"
    quote = article.blocks[3]
    assert isinstance(quote, Quote) and quote.attribution == "Un diplomate"


def test_an_article_page_in_one_call(reader: Client, written: Article) -> None:
    wanted: list[Include] = ["section_path", "related"]
    article = find_article.sync(written.slug, client=reader, include=wanted)
    assert isinstance(article, Article), article
    assert article.included.section_path == []
    assert isinstance(article.included.related, list)


def test_sync_brings_new_articles(writer: AuthenticatedClient, written: Article) -> None:
    first = sync.sync(client=writer, initial=True, type_="article", per_page=100)
    assert isinstance(first, SyncPage), first
    token = first.next_sync_token
    while first.next_page_token:
        first = sync.sync(client=writer, page_token=first.next_page_token)
        assert isinstance(first, SyncPage)
        token = first.next_sync_token
    later = create_article.sync(
        client=writer,
        body=ArticleCreate(title=f"{RUN} Plus tard", slug=f"{RUN}-plus-tard", body="x", status="published"),
    )
    assert isinstance(later, Article)
    delta = sync.sync(client=writer, sync_token=token)
    assert isinstance(delta, SyncPage)
    assert [item.article.slug for item in delta.data] == [later.slug]


class Receiver(http.server.BaseHTTPRequestHandler):
    messages: list[tuple[dict[str, str], str]] = []

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        Receiver.messages.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_messages_verify_with_the_standard_library(
    admin: AuthenticatedClient, writer: AuthenticatedClient
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        created = create_webhook.sync(
            client=admin,
            body=WebhookCreate(url=f"http://127.0.0.1:{server.server_port}/folio", events=["article.*"]),
        )
        assert isinstance(created, WebhookWithSecret), created
        create_article.sync(
            client=writer,
            body=ArticleCreate(title=f"{RUN} Signé", slug=f"{RUN}-signe", body="x", status="published"),
        )
        deadline = time.time() + 15
        while not any(f"{RUN}-signe" in body for _, body in Receiver.messages) and time.time() < deadline:
            time.sleep(0.1)
        headers, body = next((h, b) for h, b in Receiver.messages if f"{RUN}-signe" in b)
        verified = Webhook(created.secret).verify(body, headers)
        assert verified["type"] == "article.published"
        with pytest.raises(Exception):
            Webhook(created.secret).verify(body.replace("signe", "forge"), headers)
        delete_webhook.sync_detailed(created.webhook.id, client=admin)
    finally:
        server.shutdown()
