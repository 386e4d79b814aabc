"""Scoring throughput: texts per second for tweet-length and article-length text.

Rows:
  naive            a new NLTK SentimentIntensityAnalyzer per text (what "one analyzer per process" avoids)
  vader only       one analyzer (with the domain lexicon), sentiment only, one process
  full, 1 process  the pipeline's score_item: language gate + sentiment + taxonomy + platforms
  full, pool       the same through score_texts over a process pool on all cores (worker start-up
                   included; the fork server that workers fork from is started once per process,
                   before the timed runs, and its start-up is printed on its own line)

Every text is distinct (a serial number is appended), so the identical-text memo never helps, and
no other stage keeps a memo (the language gate's py3langid model scores each text afresh).

The "full" rows are run --repeat times, one process and pool alternating, and each row shows the
median (the speed-up is the median of the per-round ratios), so that load from other processes
on the machine, which comes and goes, skews them less.
Run: .venv/bin/python bench/bench_score.py [--tweets N] [--articles N] [--naive N] [--workers N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from results import Figure, report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("NLTK_DATA", str(REPO / ".venv" / "nltk_data"))


def corpus(n_tweets: int, n_articles: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Distinct tweet-length texts (the labelled set's English items) and ~900-character articles."""
    from riskradar.nlp.evaluate import DEFAULT_SET, load_labelled

    base = [it.text for it in load_labelled(REPO / DEFAULT_SET) if it.language == "en"]
    rng = random.Random(seed)
    tweets = [f"{rng.choice(base)} ({i})" for i in range(n_tweets)]
    articles = []
    for i in range(n_articles):
        body = " ".join(s if s.endswith((".", "!", "?")) else s + "." for s in rng.sample(base, 9))
        articles.append(f"{body} Reference {i}.")
    return tweets, articles


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=20_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--naive", type=int, default=200, help="texts for the new-analyzer-per-item baseline")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the full one-process and pool runs; rows show medians")
    args = parser.parse_args(argv)

    from nltk.sentiment import SentimentIntensityAnalyzer
    from riskradar.config import Settings
    from riskradar.score.items import load_models, score_item, score_texts

    settings = Settings.from_env()
    scorer, taxonomy = load_models(settings)
    tweets, articles = corpus(args.tweets, args.articles)
    # warm-up: the language gate loads its model on first use, once per process
    score_item(None, "Los anunciantes denuncian cuentas suspendidas sin aviso", "en", scorer, taxonomy)
    avg = {"tweet": sum(map(len, tweets)) / len(tweets), "article": sum(map(len, articles)) / len(articles)}

    def naive(texts: list[str]) -> None:
        for t in texts:
            SentimentIntensityAnalyzer().polarity_scores(t)

    def vader_only(texts: list[str]) -> None:
        for t in texts:
            scorer.score_document(None, t)

    def full(texts: list[str]) -> None:
        for t in texts:
            score_item(None, t, "en", scorer, taxonomy)

    def pooled(texts: list[str]) -> None:
        for _ in score_texts(texts, settings, declared_language="en", workers=args.workers, batch_size=500):
            pass

    server_start = None
    if args.workers > 1:  # the fork server imports NLTK and loads the language model once per process
        server_start, _ = timed(pooled, ["Fork server warm-up, not timed with the rows."])

    rows = []  # (text kind, path, processes, texts, wall texts/s, CPU texts/s or None)
    speedups = {}
    repeat = max(1, args.repeat)
    for kind, texts in (("tweet", tweets), ("article", articles)):
        naive_n = texts[: max(1, args.naive if kind == "tweet" else args.naive // 4)]
        for path, fn, sample in (("naive (new analyzer per text)", naive, naive_n),
                                 ("vader + domain lexicon only", vader_only, texts)):
            wall, cpu = timed(fn, sample)
            rows.append((kind, path, 1, len(sample), rate(len(sample), wall), rate(len(sample), cpu)))
        fresh = [t + " again" for t in texts]  # the parent's memo must not serve the pool
        single_wall, single_cpu, pool_wall = [], [], []
        for _ in range(repeat):
            wall, cpu = timed(full, texts)
            single_wall.append(rate(len(texts), wall))
            single_cpu.append(rate(len(texts), cpu))
            if args.workers > 1:
                wall, _ = timed(pooled, fresh)
                pool_wall.append(rate(len(fresh), wall))
        rows.append((kind, "full score_item, 1 process", 1, len(texts), statistics.median(single_wall),
                     statistics.median(single_cpu)))
        if args.workers > 1:
            rows.append((kind, f"full, pool of {args.workers}", args.workers, len(fresh),
                         statistics.median(pool_wall), None))
            speedups[kind] = statistics.median(p / s for p, s in zip(pool_wall, single_wall, strict=True))

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cores: {os.cpu_count()}, load average at the end: {os.getloadavg()[0]:.1f}, "
          f"python {sys.version.split()[0]}")
    print(f"mean length: tweet {avg['tweet']:.0f} chars, article {avg['article']:.0f} chars")
    print("texts/s = wall clock; per CPU-s = texts per second of this process's CPU time, the per-core")
    print("rate with the core to itself (other load on the machine lowers wall-clock figures only)")
    print(f"full rows: median of {repeat} rounds, one process and pool alternating")
    print(f"{'text':8} {'path':32} {'procs':>5} {'texts':>7} {'texts/s':>10} {'per CPU-s':>10}")
    for kind, path, procs, n, wall_rate, cpu_rate in rows:
        cpu_txt = f"{cpu_rate:>10,.0f}" if cpu_rate else f"{'-':>10}"
        print(f"{kind:8} {path:32} {procs:>5} {n:>7} {wall_rate:>10,.0f} {cpu_txt}")
    for kind, speedup in speedups.items():
        print(f"pool speed-up over one process ({kind}, median of the rounds' ratios): {speedup:.2f}x")
    if server_start is not None:
        print(f"pool fork server start-up (once per process, not in the rows): {server_start:.2f} s wall")
    print(f"peak RSS of the main process: {peak_mb:.0f} MB (pool workers not included)")
    full = {kind: cpu for kind, path, _, _, _, cpu in rows if path == "full score_item, 1 process"}
    figures = [Figure("tweets per CPU-s, full path, 1 process", full["tweet"], target=9_000, unit="/CPU-s"),
               Figure("articles per CPU-s, full path, 1 process", full["article"], unit="/CPU-s")]
    figures += [Figure(f"pool of {args.workers} speed-up, {kind}s", x, target=1.8 if kind == "tweet" else None,
                       unit="x") for kind, x in speedups.items()]
    report("bench_score", figures, {"tweets": len(tweets), "articles": len(articles), "workers": args.workers})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
