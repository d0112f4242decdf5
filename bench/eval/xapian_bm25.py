#!/usr/bin/env python3
"""The reference line of `npm run eval`: Xapian's BM25 over the same pages.

Reads JSON from stdin: {"files": [path, ...], "queries": [{"text": str, "lang": "en"|"id"}, ...], "top": 10}
Writes JSON to stdout: {"ranked": [[file index, ...], ...], "ms": [query milliseconds, ...], "indexS": seconds}

Text: HTML through BeautifulSoup (html.parser) with <nav>, <header>, <footer>, <script> and <style>
dropped; PDF through pdftotext; DOCX from its word/document.xml. Whole pages, Xapian's default
BM25Weight, QueryParser with OR as the default operator and the language's Snowball stemmer
(STEM_SOME), as a plain search engine would be set up.
"""
import html
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile

import xapian
from bs4 import BeautifulSoup


def html_text(path):
    with open(path, "rb") as f:
        soup = BeautifulSoup(f.read(), "html.parser")
    for tag in soup(["nav", "header", "footer", "script", "style"]):
        tag.decompose()
    return soup.get_text(" ")


def pdf_text(path):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=False).stdout.decode("utf-8", "replace")


def docx_text(path):
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8", "replace")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    runs = (re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p) for p in paragraphs)
    return "\n".join(html.unescape("".join(r)) for r in runs)


def text_of(path):
    if path.endswith(".pdf"):
        return pdf_text(path)
    if path.endswith(".docx"):
        return docx_text(path)
    return html_text(path)


def stemmer(lang):
    try:
        return xapian.Stem("indonesian" if lang == "id" else "english")
    except xapian.InvalidArgumentError:
        return xapian.Stem("none")


def main():
    req = json.load(sys.stdin)
    files, top = req["files"], req.get("top", 10)
    langs = sorted({q.get("lang", "en") for q in req["queries"]}) or ["en"]
    t = time.perf_counter()
    dbs = {}
    for lang in langs:
        db = xapian.WritableDatabase(tempfile.mkdtemp(prefix="xapian-eval-"), xapian.DB_CREATE_OR_OVERWRITE)
        indexer = xapian.TermGenerator()
        indexer.set_stemmer(stemmer(lang))
        indexer.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
        for i, path in enumerate(files):
            doc = xapian.Document()
            indexer.set_document(doc)
            indexer.index_text(text_of(path))
            doc.set_data(str(i))
            db.replace_document(i + 1, doc)
        db.commit()
        dbs[lang] = db
    index_s = time.perf_counter() - t
    ranked, ms = [], []
    for q in req["queries"]:
        lang = q.get("lang", "en")
        db = dbs[lang]
        qp = xapian.QueryParser()
        qp.set_stemmer(stemmer(lang))
        qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        qp.set_database(db)
        qp.set_default_op(xapian.Query.OP_OR)
        s = time.perf_counter()
        try:
            query = qp.parse_query(q["text"])
        except xapian.QueryParserError:
            query = qp.parse_query(q["text"], 0)
        enquire = xapian.Enquire(db)
        enquire.set_query(query)
        enquire.set_weighting_scheme(xapian.BM25Weight())
        hits = [int(m.document.get_data()) for m in enquire.get_mset(0, top)]
        ms.append((time.perf_counter() - s) * 1000)
        ranked.append(hits)
    json.dump({"ranked": ranked, "ms": ms, "indexS": index_s}, sys.stdout)


if __name__ == "__main__":
    main()
