#!/usr/bin/env python3
"""Writes N articles of French and English newsroom text as NDJSON for `folio import`.

Deterministic for a given N and seed, so runs on SQLite and PostgreSQL load the same corpus.
usage: generate.py N [SEED] > corpus.ndjson
BENCH_TRANSLATED=1 pairs the articles into two-version stories (French, English).
"""
import json
import os
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone

FR = {
    "subjects": ["Le gouvernement", "La compagnie nationale d’électricité", "Le maire d’Astana", "L’opposition",
                 "Les agriculteurs du Sud", "La banque centrale", "Les étudiants", "Le ministre de l’Énergie",
                 "Les syndicats", "La Commission européenne", "Le président kazakh", "Les habitants du quartier"],
    "verbs": ["annonce", "prépare", "conteste", "négocie", "défend", "réclame", "finance", "suspend", "critique"],
    "objects": ["la construction d’une centrale nucléaire", "une hausse des tarifs de l’électricité",
                "une alliance stratégique avec Moscou", "des politiques énergétiques régionales",
                "un nouveau gazoduc vers la Chine", "des élections anticipées", "la rénovation du cœur historique",
                "un plan contre la sécheresse", "la réforme des retraites", "un accord commercial avec l’Ukraine"],
    "tails": ["malgré l’hiver.", "près du lac Balkhach.", "devant le parlement.", "après des mois de négociations.",
              "sous la pression de la rue.", "à la veille du sommet.", "selon des sources proches du dossier."],
    "quotes": ["« Nous n’avons pas le choix », affirme un conseiller.", "« C’est une question de souveraineté », dit-elle.",
               "« Le calendrier est intenable », regrette un élu."],
}
EN = {
    "subjects": ["The government", "The state power company", "The mayor", "The opposition", "Farmers in the south",
                 "The central bank", "Students", "The energy minister", "Trade unions", "The European Commission",
                 "The president", "Residents"],
    "verbs": ["announced", "prepared", "challenged", "negotiated", "defended", "demanded", "funded", "suspended"],
    "objects": ["a new nuclear power plant", "higher electricity prices", "a strategic alliance with Beijing",
                "regional energy policies", "a gas pipeline to China", "early elections",
                "the renovation of the old town", "a drought relief plan", "pension reform", "a trade deal with Ukraine"],
    "tails": ["despite the winter.", "near Lake Balkhash.", "in front of parliament.", "after months of talks.",
              "under pressure from protesters.", "on the eve of the summit.", "according to people familiar with the matter."],
    "quotes": ["“We have no choice,” an adviser said.", "“This is about sovereignty,” she said.",
               "“The timetable is impossible,” a lawmaker complained."],
}
# Each article is about one topic; topics are as unequally popular as a newsroom's
# (Zipf-like weights), so a topical word such as "nucléaire" matches a few per cent
# of the corpus, while the general vocabulary (subjects, verbs, tails) is everywhere.
# Per topic: (section, tags, French phrases, English phrases).
TOPICS = [
    ("Politique", ["Élections"], ["des élections anticipées", "le dépouillement des bulletins", "la campagne présidentielle"],
     ["early elections", "the counting of ballots", "the presidential campaign"]),
    ("Économie", ["Budget"], ["le budget de l’État", "une hausse de la TVA", "la dette publique"],
     ["the state budget", "a rise in sales tax", "the public debt"]),
    ("Énergie", ["Gaz", "Chine"], ["un nouveau gazoduc vers la Chine", "le prix du gaz", "le pipeline de la Caspienne"],
     ["a gas pipeline to China", "the price of gas", "the Caspian pipeline"]),
    ("Énergie", ["Nucléaire", "Énergie"], ["la construction d’une centrale nucléaire", "les centrales nucléaires du pays", "le combustible nucléaire"],
     ["a new nuclear power plant", "the country’s nuclear plants", "nuclear fuel"]),
    ("Monde", ["Russie", "Diplomatie"], ["une alliance stratégique avec Moscou", "la visite du président russe", "les sanctions contre la Russie"],
     ["a strategic alliance with Moscow", "the Russian president’s visit", "sanctions on Russia"]),
    ("Local", ["Logement"], ["la rénovation du cœur historique", "le prix des loyers", "les logements sociaux"],
     ["the renovation of the old town", "rising rents", "social housing"]),
    ("Économie", ["Retraites"], ["la réforme des retraites", "l’âge de départ à la retraite", "les pensions des fonctionnaires"],
     ["pension reform", "the retirement age", "civil servants’ pensions"]),
    ("Science", ["Climat", "Agriculture"], ["un plan contre la sécheresse", "la sécheresse dans le Sud", "les réserves d’eau"],
     ["a drought relief plan", "the drought in the south", "water reserves"]),
    ("Monde", ["Ukraine", "Diplomatie"], ["un accord commercial avec l’Ukraine", "les céréales ukrainiennes", "la reconstruction de Kyiv"],
     ["a trade deal with Ukraine", "Ukrainian grain", "the rebuilding of Kyiv"]),
    ("Local", ["Transports"], ["la nouvelle ligne de tramway", "la grève des cheminots", "l’aéroport régional"],
     ["the new tram line", "the rail strike", "the regional airport"]),
    ("Science", ["Santé"], ["l’hôpital universitaire", "la pénurie de médecins", "la campagne de vaccination"],
     ["the university hospital", "the shortage of doctors", "the vaccination campaign"]),
    ("Politique", ["Éducation"], ["la réforme du baccalauréat", "les bourses étudiantes", "la rentrée scolaire"],
     ["exam reform", "student grants", "the start of the school year"]),
    ("Sport", [], ["la finale de la coupe", "le nouveau stade", "l’équipe nationale de football"],
     ["the cup final", "the new stadium", "the national football team"]),
    ("Culture", [], ["le festival de cinéma", "la réouverture du musée", "un concert en plein air"],
     ["the film festival", "the reopening of the museum", "an open-air concert"]),
    ("Économie", ["Banques"], ["la banque centrale et ses taux", "le crédit immobilier", "la faillite d’une banque régionale"],
     ["the central bank’s rates", "mortgage lending", "the collapse of a regional bank"]),
    ("Économie", ["Agriculture"], ["la récolte de blé", "les subventions agricoles", "le marché du bétail"],
     ["the wheat harvest", "farm subsidies", "the livestock market"]),
    ("Monde", ["Climat", "Diplomatie"], ["le sommet sur le climat", "les émissions de carbone", "les engagements climatiques"],
     ["the climate summit", "carbon emissions", "climate pledges"]),
    ("Politique", ["Sécurité"], ["la réforme de la police", "la cybersécurité des administrations", "le contrôle des frontières"],
     ["police reform", "government cybersecurity", "border controls"]),
    ("Économie", ["Industrie"], ["l’aciérie de Karaganda", "les mines d’uranium", "les exportations de cuivre"],
     ["the Karaganda steelworks", "uranium mines", "copper exports"]),
    ("Science", [], ["le cosmodrome de Baïkonour", "le lancement d’un satellite", "la recherche spatiale"],
     ["the Baikonur cosmodrome", "a satellite launch", "space research"]),
    ("Asie", ["Chine", "Kazakhstan"], ["les nouvelles routes de la soie", "le port sec de Khorgos", "le corridor ferroviaire"],
     ["the new Silk Road", "the Khorgos dry port", "the rail corridor"]),
    ("Culture", [], ["la littérature kazakhe", "un opéra à Astana", "le patrimoine nomade"],
     ["Kazakh literature", "an opera in Astana", "nomadic heritage"]),
    ("Europe", ["Diplomatie"], ["la Commission européenne et ses directives", "le Parlement européen", "l’élargissement de l’Union"],
     ["the European Commission’s directives", "the European Parliament", "EU enlargement"]),
    ("Local", [], ["le marché de Noël", "la collecte des déchets", "les parcs de la ville"],
     ["the Christmas market", "waste collection", "the city’s parks"]),
]
TOPIC_WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(TOPICS))]
GENERAL = {
    "fr": ["un nouveau calendrier", "des mesures d’urgence", "un rapport annuel", "une enquête indépendante",
           "une hausse des tarifs", "un plan de financement"],
    "en": ["a new timetable", "emergency measures", "an annual report", "an independent inquiry",
           "higher prices", "a funding plan"],
}
SECTIONS = sorted({section for section, _, _, _ in TOPICS})
EXTRA_TAGS = ["Russie", "Chine", "Kazakhstan", "Ukraine", "Diplomatie", "Budget", "Sécurité"]
AUTHORS = ["Claire Dubois", "Julien Martin", "Sam Patel", "Anne Roy", "Marc Lefèvre", "Aïcha Benali",
           "Tom Becker", "Léa Moreau", "Chris Young", "Nadia Petrova"]


def sentence(rng, words, objects):
    return f"{rng.choice(words['subjects'])} {rng.choice(words['verbs'])} {rng.choice(objects)} {rng.choice(words['tails'])}"


def article(i, rng, start):
    words, language = (FR, "fr") if i % 2 == 0 else (EN, "en")
    section, tags, fr_phrases, en_phrases = rng.choices(TOPICS, weights=TOPIC_WEIGHTS)[0]
    topical = fr_phrases if language == "fr" else en_phrases
    # Mostly on topic, sometimes general news language.
    objects = topical * 3 + GENERAL[language]
    title = sentence(rng, words, topical).rstrip(".")
    paragraphs = []
    for p in range(rng.randint(4, 8)):
        if p == 2:
            paragraphs.append("## " + rng.choice(topical)[0].upper() + rng.choice(topical)[1:])
        body = " ".join(sentence(rng, words, objects) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.3:
            body += " " + rng.choice(words["quotes"])
        paragraphs.append(body)
    published = start + timedelta(minutes=rng.randint(0, 10 * 365 * 24 * 60))
    extra = rng.sample(EXTRA_TAGS, rng.randint(0, 2))
    return {
        # Explicit ids: `folio import` would otherwise match long titles that share a slug.
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "title": title,
        "body": "\n\n".join(paragraphs),
        "language": language,
        "status": "published",
        "published_at": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "section": section,
        "tags": list(dict.fromkeys(tags + extra)),
        "authors": rng.sample(AUTHORS, rng.randint(1, 2)),
        # With BENCH_TRANSLATED set, each French article and the English one after
        # it are two versions of one story.
        **({"translation_key": f"story-{i // 2}"} if os.environ.get("BENCH_TRANSLATED") else {}),
    }


def main():
    n = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 2024)
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    out = sys.stdout
    for i in range(n):
        out.write(json.dumps(article(i, rng, start), ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
