#!/usr/bin/env python3
"""Writes N articles of French and English newsroom text as NDJSON for `folio import`.

Deterministic for a given N and seed, so runs on SQLite and PostgreSQL load the same corpus.
usage: generate.py N [SEED] > corpus.ndjson
"""
import json
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
SECTIONS = ["Monde", "Asie", "Europe", "Économie", "Énergie", "Politique", "Culture", "Science", "Local", "Sport"]
TAGS = ["Russie", "Chine", "Kazakhstan", "Ukraine", "Énergie", "Nucléaire", "Gaz", "Élections", "Climat", "Budget",
        "Agriculture", "Banques", "Retraites", "Transports", "Santé", "Éducation", "Diplomatie", "Sécurité",
        "Industrie", "Logement"]
AUTHORS = ["Claire Dubois", "Julien Martin", "Sam Patel", "Anne Roy", "Marc Lefèvre", "Aïcha Benali",
           "Tom Becker", "Léa Moreau", "Chris Young", "Nadia Petrova"]


def sentence(rng, words):
    return f"{rng.choice(words['subjects'])} {rng.choice(words['verbs'])} {rng.choice(words['objects'])} {rng.choice(words['tails'])}"


def article(i, rng, start):
    words, language = (FR, "fr") if i % 2 == 0 else (EN, "en")
    title = sentence(rng, words).rstrip(".")
    paragraphs = []
    for p in range(rng.randint(4, 8)):
        if p == 2:
            paragraphs.append("## " + rng.choice(words["objects"]).capitalize())
        body = " ".join(sentence(rng, words) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.3:
            body += " " + rng.choice(words["quotes"])
        paragraphs.append(body)
    published = start + timedelta(minutes=rng.randint(0, 10 * 365 * 24 * 60))
    return {
        # Explicit ids: `folio import` would otherwise match long titles that share a slug.
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "title": title,
        "body": "\n\n".join(paragraphs),
        "language": language,
        "status": "published",
        "published_at": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "section": rng.choice(SECTIONS),
        "tags": rng.sample(TAGS, rng.randint(1, 4)),
        "authors": rng.sample(AUTHORS, rng.randint(1, 2)),
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
