#!/usr/bin/env python3
"""Writes N distinct search queries drawn from geodata/cities15000.tsv.gz, one per line, for
bench/search.sh: whole names (as written and folded), prefixes, one-edit typos, names in other
scripts, names with a region or country, in fixed proportions and a fixed random order.

    python3 bench/search-queries.py 1000 > queries.txt
"""
import gzip
import pathlib
import random
import sys
import unicodedata

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rng = random.Random(7)
path = pathlib.Path(__file__).resolve().parent.parent / "geodata" / "cities15000.tsv.gz"
cities = [line.split("\t") for line in gzip.open(path, "rt", encoding="utf-8").read().splitlines()]


def plain(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def typo(word):
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice("dst")
    if kind == "d":
        return word[:i] + word[i + 1:]
    if kind == "s":
        return word[:i] + rng.choice("aeiourstln") + word[i + 1:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


queries = set()
kinds = ["name"] * 30 + ["folded"] * 15 + ["prefix"] * 20 + ["typo"] * 15 + ["script"] * 10 + ["qualified"] * 10
while len(queries) < n:
    city = rng.choice(cities)
    name, country, region = city[1], city[2], city[5]
    kind = rng.choice(kinds)
    if kind == "name":
        q = name
    elif kind == "folded":
        q = plain(name)
    elif kind == "prefix":
        q = plain(name)[: rng.randint(3, 6)]
    elif kind == "typo":
        word = plain(name)
        if len(word) < 5:
            continue
        q = typo(word)
    elif kind == "script":
        others = [a for a in city[10].split("|") if a and not a.isascii()]
        if not others:
            continue
        q = rng.choice(others)
    else:
        q = f"{name} {region or country.lower()}"
    if q.strip():
        queries.add(q)
sys.stdout.write("".join(q + "\n" for q in sorted(queries, key=lambda _: rng.random())))
