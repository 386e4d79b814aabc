"""The synthetic sample corpus: deterministic, valid feeds, and a ground truth that matches them."""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sample_data import generate as gen  # noqa: E402

DAYS = 20
START = "2026-08-01"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("sample") / "feeds"
    summary = gen.generate(out, start=START, days=DAYS)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    items = [json.loads(line) for line in (out / "items_truth.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"out": out, "summary": summary, "truth": truth, "items": items}


@pytest.fixture(scope="module")
def parsed(corpus) -> dict[tuple[str, str], feedparser.FeedParserDict]:
    return {(p.parent.name, p.stem): feedparser.parse(str(p)) for p in sorted(corpus["out"].glob("*/*.xml"))}


def _sources_yml() -> list[dict]:
    return yaml.safe_load((REPO / "config" / "sources.yml").read_text(encoding="utf-8"))["sources"]


def _dates() -> list[str]:
    first = date.fromisoformat(START)
    return [(first + timedelta(days=i)).isoformat() for i in range(DAYS)]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_byte_identical_files(tmp_path):
    a = gen.generate(tmp_path / "a", start=START, days=6, seed=7)
    b = gen.generate(tmp_path / "b", start=START, days=6, seed=7)
    gen.generate(tmp_path / "c", start=START, days=6, seed=8)
    fa, fb, fc = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a["total_items"] == b["total_items"] and len(fa) == 10 * 6 + 2
    assert fa == fb
    assert fa["global_newswire/2026-08-01.xml"] != fc["global_newswire/2026-08-01.xml"]


def test_every_snapshot_parses_cleanly_in_the_kind_sources_yml_declares(corpus, parsed):
    kinds = {s["id"]: s["kind"] for s in _sources_yml()}
    assert set(parsed) == {(sid, d) for sid in kinds for d in _dates()}
    for (sid, day), feed in parsed.items():
        assert not feed.bozo, f"{sid}/{day}: {feed.get('bozo_exception')}"
        assert feed.version == ("rss20" if kinds[sid] == "rss" else "atom10"), (sid, feed.version)
        assert len(feed.entries) >= 3
        assert feed.feed.get("title")


def test_summary_and_truth_agree_with_each_other_and_sources_yml(corpus):
    summary, truth, items = corpus["summary"], corpus["truth"], corpus["items"]
    ids = [s["id"] for s in _sources_yml()]
    assert truth["sources"] == ids and list(summary["per_source"]) == ids
    assert summary["total_items"] == truth["total_items"] == len(items) == sum(summary["per_source"].values())
    assert summary["out"] == str(corpus["out"]) and summary["incidents"] == len(truth["incidents"])
    assert truth["start_date"] == START and truth["days"] == DAYS and truth["seed"] == 20260801
    assert truth["topics"] == list(gen.TOPICS) and len(truth["topics"]) == 13
    assert sorted(truth["daily_topic_counts"]) == _dates()
    assert len({i["guid"] for i in items}) == len(items)
    # ~150-250 new items a day on average, with the daily mean override honoured
    assert 150 <= len(items) / DAYS <= 280
    # the daily counts are exactly the English, non-defective items per topic
    recount: dict[str, Counter] = defaultdict(Counter)
    for it in items:
        if it["language"] == "en" and not it["defect"]:
            recount[it["date"]].update(it["topics"])
    for day, counts in truth["daily_topic_counts"].items():
        assert {t: n for t, n in counts.items() if n} == dict(recount[day])


def test_items_per_day_overrides_the_daily_mean(tmp_path):
    small = gen.generate(tmp_path / "small", start=START, days=3, items_per_day=40)
    large = gen.generate(tmp_path / "large", start=START, days=3, items_per_day=400)
    assert small["incidents"] == 0, "a 3-day period has no room for a baseline"
    assert 3 * 40 * 0.8 <= small["total_items"] <= 3 * 40 * 1.4
    assert 3 * 400 * 0.8 <= large["total_items"] <= 3 * 400 * 1.3


def test_topics_polarity_and_noise_mix(corpus):
    items = corpus["items"]
    topics_seen = {t for it in items for t in it["topics"]}
    assert len(topics_seen) >= 8 and topics_seen <= set(gen.TOPICS)
    topical = sum(1 for it in items if it["topics"]) / len(items)
    assert 0.5 <= topical <= 0.75, topical
    assert any(len(it["topics"]) == 2 for it in items)
    polarity = Counter(it["polarity"] for it in items)
    assert polarity["negative"] > polarity["positive"] > 0 and polarity["neutral"] > 0
    # tricky noise: ad-unrelated stories that use risk words carry no topic in the truth
    tricky = [it for it in items if not it["topics"]
              and any(w in it["title"].lower() for w in ("fraud", "banned", "scam", "payout", "boycott", "pop-up"))]
    assert len(tricky) >= 10
    # baseline volume is low enough for incidents to stand out (per topic, before any incident)
    first_incident = min(i["start_date"] for i in corpus["truth"]["incidents"])
    baseline_days = [d for d in _dates() if d < first_incident]
    for topic in ("scam_ads", "ad_fraud", "creator_payouts", "advertiser_accounts", "ad_experience"):
        mean = statistics.mean(corpus["truth"]["daily_topic_counts"][d][topic] for d in baseline_days)
        assert 2 <= mean <= 18, (topic, mean)


def test_incidents_are_described_and_visible_in_the_counts(corpus):
    truth = corpus["truth"]
    incidents = truth["incidents"]
    assert len(incidents) >= 5
    first = date.fromisoformat(START)
    counts = truth["daily_topic_counts"]
    assert {inc["language"] for inc in incidents} >= {"en", "id", "pt"}
    regional = Counter((it["language"], it["date"], t) for it in corpus["items"] if it["language"] in ("id", "pt")
                       and not it["defect"] for t in it["topics"])
    for inc in incidents:
        english = inc["language"] == "en"
        for key in ("incident_id", "topic", "start_date", "end_date", "magnitude", "description",
                    *(("sentiment_shift",) if english else ())):
            assert inc.get(key) not in (None, ""), (inc, key)
        start, end = date.fromisoformat(inc["start_date"]), date.fromisoformat(inc["end_date"])
        assert (start - first).days >= 14, "incidents start after a 14-day baseline"
        assert end <= first + timedelta(days=DAYS - 1) and 1 <= (end - start).days + 1 <= 6
        assert inc["topic"] in gen.TOPICS and 3 <= inc["magnitude"] <= 8
        # sentiment is scored in English only: a regional wave has no measured shift
        assert inc["sentiment_shift"] < 0 if english else inc["sentiment_shift"] is None
        def volume(d: str, inc: dict = inc, english: bool = english) -> int:
            return counts[d][inc["topic"]] if english else regional[(inc["language"], d, inc["topic"])]

        baseline = statistics.mean(volume(d) for d in _dates()[:14])
        during = statistics.mean(volume(d) for d in _dates() if inc["start_date"] <= d <= inc["end_date"])
        assert during >= baseline * inc["magnitude"] / 2, (inc["incident_id"], baseline, during)
        own = [it for it in corpus["items"] if it["incident_id"] == inc["incident_id"]]
        assert sum(it["polarity"] == "negative" for it in own) / len(own) >= 0.7


def test_non_english_items_are_present_and_tagged(corpus, parsed):
    items = corpus["items"]
    euro = [it for it in items if it["source_id"] == "eurowire"]
    assert sum(it["language"] != "en" for it in euro) / len(euro) >= 0.7
    assert {it["language"] for it in euro} >= {"de", "fr", "es", "it", "en"}
    others = [it for it in items if it["source_id"] != "eurowire"]
    share = sum(it["language"] not in ("en", "id", "pt") for it in others) / len(others)
    assert 0.005 <= share <= 0.08, share  # stray European items
    regional = Counter(it["language"] for it in others if it["language"] in ("id", "pt"))
    assert all(DAYS * 2 <= regional[lang] <= len(others) * 0.05 for lang in ("id", "pt")), regional
    # a non-English item on an English source says so in the feed (dc:language / xml:lang)
    by_guid = {it["guid"]: it for it in others if it["language"] != "en" and not it["defect"]}
    tagged = [e for (sid, _), f in parsed.items() if sid != "eurowire" for e in f.entries if e.get("id") in by_guid]
    assert tagged
    for e in tagged:
        lang = e.get("language") or e.get("title_detail", {}).get("language")
        assert lang == by_guid[e["id"]]["language"]


def test_syndicated_stories_carry_the_title_on_other_news_sources_mostly_edited(corpus):
    items = corpus["items"]
    by_guid = {it["guid"]: it for it in items}
    types = {s["id"]: s["type"] for s in _sources_yml()}
    copies = [it for it in items if it["syndicated_from"]]
    assert len(copies) >= 20
    for copy in copies:
        orig = by_guid[copy["syndicated_from"]]
        assert copy["source_id"] != orig["source_id"] and copy["date"] == orig["date"]
        assert copy["story_id"] == orig["story_id"] and copy["topics"] == orig["topics"]
        # a copy-desk edit keeps most of the headline's words (the story clustering relies on it)
        words = set(orig["title"].lower().split())
        assert len(words & set(copy["title"].lower().split())) >= 0.6 * len(words), (orig["title"], copy["title"])
        assert types[copy["source_id"]] in ("news", "trade_press") and types[orig["source_id"]] in ("news", "trade_press")
    verbatim = sum(c["title"] == by_guid[c["syndicated_from"]]["title"] for c in copies)
    assert 0.1 * len(copies) <= verbatim <= 0.6 * len(copies)  # some verbatim, most edited or suffixed


def test_edit_headline_makes_small_copy_desk_edits():
    import random

    rng = random.Random(3)
    title = "Streamly says creators face payout delays after policy change, report finds"
    edits = [gen.edit_headline(rng, title) for _ in range(200)]
    assert title in edits and len(set(edits)) > 10
    for e in edits:
        assert "Streamly" in e and "payout delays" in e  # names and the topic's terms survive


def test_snapshots_repeat_a_few_previous_day_items_unchanged(corpus, parsed):
    items = corpus["items"]
    truth_by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    for it in items:
        truth_by_key[(it["source_id"], it["date"])].add(it["guid"])
    dates = _dates()
    for (sid, day), feed in parsed.items():
        ids = [e.get("id") for e in feed.entries if e.get("id")]
        new_ids = set(ids) & truth_by_key[(sid, day)]
        repeated = [i for i in ids if i not in truth_by_key[(sid, day)]]
        if day == dates[0]:
            assert not repeated
            continue
        prev = dates[dates.index(day) - 1]
        assert 2 <= len(repeated) <= 5, (sid, day, len(repeated))
        assert set(repeated) <= truth_by_key[(sid, prev)], "repeats come from the previous day"
        assert len(new_ids) + sum(1 for it in items if it["source_id"] == sid and it["date"] == day
                                  and it["defect"] == "no_link_no_guid") == len(truth_by_key[(sid, day)])
    # unchanged: the repeated entry's XML is byte-identical to the original's
    sid, day = "global_newswire", dates[3]
    prev_text = (corpus["out"] / sid / f"{dates[2]}.xml").read_text(encoding="utf-8")
    text = (corpus["out"] / sid / f"{day}.xml").read_text(encoding="utf-8")
    blocks = [b for b in text.split("<item>")[1:] if "<guid" in b]
    repeats = [b for b in blocks if f"-{dates[2].replace('-', '')}-" in b.split("<guid")[1][:80]]
    assert repeats and all(b.split("</item>")[0] in prev_text for b in repeats)


def test_new_items_are_published_inside_their_day(corpus):
    for it in corpus["items"]:
        if it["published"]:
            assert it["published"].startswith(it["date"] + "T"), it


def test_real_feed_noise_is_present(corpus, parsed):
    items = corpus["items"]
    raw = "".join(p.read_text(encoding="utf-8") for p in sorted(corpus["out"].glob("*/*.xml")))
    assert "utm_source=" in raw and ("#comments" in raw or "#top" in raw or "#reply-1" in raw)
    assert "<![CDATA[" in raw and "&amp;#8217;" in raw and "&lt;p&gt;" in raw and "&lt;a href=" in raw
    defects = Counter(it["defect"] for it in items if it["defect"])
    assert set(defects) <= {"no_title_no_description", "no_link_no_guid"} and sum(defects.values()) >= 1
    assert sum(1 for it in items if it["published"] is None) >= 1
    entries = [e for f in parsed.values() for e in f.entries]
    assert any(not e.get("author") for e in entries) and any(e.get("author") for e in entries)
    assert any(not e.get("title") and not e.get("summary") for e in entries) or defects.get("no_link_no_guid")
    # the platforms are fictional and AdNova dominates the mentions
    mentions = Counter(p for it in items for p in dict(gen.PLATFORMS) if p in it["title"])
    assert mentions.most_common(1)[0][0] == "AdNova"


def test_sentiment_is_visible_to_vader(corpus, parsed):
    vader = pytest.importorskip("vaderSentiment.vaderSentiment")
    sia = vader.SentimentIntensityAnalyzer()
    text = {e.get("id"): f"{e.get('title', '')}. {e.get('summary', '')}" for f in parsed.values() for e in f.entries}
    scores: dict[str, list[float]] = defaultdict(list)
    for it in corpus["items"]:
        if it["language"] == "en" and it["topics"] and it["guid"] in text:
            scores[it["polarity"]].append(sia.polarity_scores(text[it["guid"]])["compound"])
    assert statistics.mean(scores["negative"]) < -0.25
    assert statistics.mean(scores["positive"]) > 0.25
    assert abs(statistics.mean(scores["neutral"])) < 0.3


def test_command_line_writes_the_corpus(tmp_path, capsys):
    assert gen.main(["--out", str(tmp_path / "cli"), "--days", "2", "--items-per-day", "60", "--seed", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["total_items"] > 0
    assert len(list((tmp_path / "cli").glob("*/*.xml"))) == 20


def test_script_entry_point_runs_outside_the_repo(tmp_path):
    """`python sample_data/generate.py` (as the README and the marts test run it) works from any cwd."""
    import subprocess

    out = tmp_path / "script"
    proc = subprocess.run([sys.executable, str(REPO / "sample_data" / "generate.py"), "--out", str(out), "--days", "1",
                           "--items-per-day", "30"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total_items"] > 0 and len(list(out.glob("*/*.xml"))) == 10


def _copied_config(tmp_path: Path, edit) -> Path:
    cfg = tmp_path / "config"
    cfg.mkdir(parents=True)
    for name in ("taxonomy.yml", "lexicon.yml"):
        (cfg / name).write_text((REPO / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load((REPO / "config" / "sources.yml").read_text(encoding="utf-8"))
    edit(data["sources"])
    (cfg / "sources.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return cfg / "sources.yml"


def test_sources_come_from_riskradars_loader(tmp_path):
    def keep_three(sources):
        sources[:] = [s for s in sources if s["id"] in ("metro_daily", "seller_forum", "app_reviews")]
        sources[0]["name"] = "Renamed Metro (synthetic)"

    path = _copied_config(tmp_path, keep_three)
    summary = gen.generate(tmp_path / "out", start=START, days=2, sources_path=path)
    assert list(summary["per_source"]) == ["metro_daily", "seller_forum", "app_reviews"]
    feed = feedparser.parse(str(tmp_path / "out" / "metro_daily" / f"{START}.xml"))
    assert feed.version == "atom10" and feed.feed.title == "Renamed Metro (synthetic)"

    # riskradar's validation applies (the generator's old parser accepted this id)
    bad_id = _copied_config(tmp_path / "bad", lambda sources: sources[0].update(id="Global-Newswire"))
    with pytest.raises(ValueError, match="snake_case"):
        gen.load_sources(bad_id)
    # a source the pipeline accepts but the generator cannot write is refused with the source named
    api = _copied_config(tmp_path / "api", lambda sources: sources[1].update(kind="json_api"))
    with pytest.raises(ValueError, match="metro_daily: kind must be rss or atom"):
        gen.load_sources(api)


def test_topics_and_platforms_are_the_taxonomys(corpus):
    taxonomy = yaml.safe_load((REPO / "config" / "taxonomy.yml").read_text(encoding="utf-8"))
    assert list(gen.TOPICS) == [c["id"] for c in taxonomy["categories"]]
    names = [p["name"] for p in taxonomy["platforms"]]
    assert [name for name, _ in gen.PLATFORMS] == names == corpus["truth"]["platforms"]
    assert all(weight > 0 for _, weight in gen.PLATFORMS)


def test_data_files_may_name_only_taxonomy_topics_and_platforms():
    from sample_data import banks

    banks.check_topics()  # the shipped data is consistent with config/taxonomy.yml
    with pytest.raises(ValueError, match=r"phrases/topics.yml: topics \['ad_fraud'\]"):
        banks.check_topics(topics=[t for t in gen.TOPICS if t != "ad_fraud"])
    with pytest.raises(ValueError, match=r"platform_weights \['chirp'\]"):
        banks.check_topics(platform_ids=["adnova", "streamly", "shopsphere", "pixelgram"])


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _strings(value)


def test_every_phrase_in_the_data_files_fills_with_known_slots():
    """A typo in a slot name ({platfrom}) or a stray brace in a data file fails here, not mid-run."""
    import random

    from sample_data import banks, text

    # slots the code sets itself before filling (noise composition)
    composed = {"weather": "Storm warning", "company2": "Vela Robotics", "thing": "camera", "purpose": "beginners"}
    files = sorted((REPO / "sample_data").glob("phrases/*.yml")) + [REPO / "sample_data" / "incidents.yml"]
    checked = 0
    for path in files:
        for template in _strings(banks.load_data(str(path.relative_to(REPO / "sample_data")))):
            filled = text.fill(template, text.Slots(random.Random(checked), composed))
            assert "{" not in filled and "}" not in filled and "||" not in filled, (path.name, template)
            checked += 1
    assert checked > 800


def test_regional_streams_leave_every_other_item_as_it_was(tmp_path, monkeypatch):
    """The Indonesian and Portuguese streams come from their own random stream after the rest of the
    corpus: without them, every other item (text, guid, link, time, repeats) is the same."""
    from sample_data import regional

    with_regional = gen.generate(tmp_path / "with", start=START, days=16, seed=11)
    monkeypatch.setattr(regional, "REGIONAL", {})
    without = gen.generate(tmp_path / "without", start=START, days=16, seed=11)

    def items(name: str) -> dict[str, dict]:
        lines = (tmp_path / name / "items_truth.jsonl").read_text(encoding="utf-8").splitlines()
        return {r["guid"]: r for r in map(json.loads, lines)}

    a, b = items("with"), items("without")
    assert with_regional["total_items"] > without["total_items"]
    assert {g: a[g] for g in b} == b
    assert {r["language"] for g, r in a.items() if g not in b} == {"id", "pt"}
