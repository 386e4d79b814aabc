"""`riskradar score`: one JSON line per input line, in order, through the pipeline's own scoring path."""

from __future__ import annotations

from riskradar.score.items import score_texts


def _cli(argv: list[str], settings, monkeypatch, stdin: str = "") -> int:
    import argparse
    import io

    from riskradar.score.commands import register

    parser = argparse.ArgumentParser(prog="riskradar")
    register(parser.add_subparsers(dest="cmd", required=True))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    args = parser.parse_args(argv)
    return args.fn(args, settings)


def test_cli_score_one_json_line_per_input_line_in_order(settings, monkeypatch, capsys):
    import json

    stdin = ("My channel got demonetized and the payout delayed again\n"
             '{"title": "Scam ads flood Pixelgram", "text": "Users lost money."}\n'
             '{"text": "Anuncios fraudulentos con famosos inundan la plataforma de vídeo", "language": "es"}\n'
             "\n"
             "great\n")
    assert _cli(["score"], settings, monkeypatch, stdin) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["label"] for r in lines] == ["negative", "negative", "unscored", "neutral", "positive"]
    assert all(list(r) == ["neg", "neu", "pos", "compound", "label", "language", "topics", "matched_terms",
                           "platforms"] for r in lines)
    assert lines[0]["topics"] == ["creator_payouts"] and lines[1]["platforms"] == ["pixelgram"]
    # the CLI and the pipeline share score_item: same numbers as score_texts
    assert lines[0] == next(score_texts(["My channel got demonetized and the payout delayed again"], settings,
                                        declared_language="en"))


def test_cli_score_file_and_missing_file(settings, monkeypatch, capsys, tmp_path):
    src = tmp_path / "texts.txt"
    src.write_text("Ad account disabled without warning\nLove the new dashboard\n", encoding="utf-8")
    assert _cli(["score", str(src)], settings, monkeypatch) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert _cli(["score", str(tmp_path / "nope.txt")], settings, monkeypatch) == 2
    assert "no such file" in capsys.readouterr().err
