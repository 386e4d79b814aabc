"""Complaint constructions: what people say when something went wrong, without a sentiment word.

"Still waiting", "never received", "charged twice", "on hold for an hour", "stopped working",
"nobody helps", "won't be back": every word is harmless on its own, so VADER reads these
complaints as neutral. `config/lexicon.yml`'s `rules:` names such constructions, each a list of
regular expressions with one valence. Before VADER reads a text, every match is rewritten to one
token that the analyzer's lexicon gives that valence, exactly like the lexicon's phrases, so VADER
still applies its own rules around it: boosters, "but", capitals, and negation ("I don't think
I'll be back" flips the positive "I'll be back").

Patterns may use `<macro>` placeholders from the file's `rule_macros:` (number words, units of
time...), and may not capture: they are wrapped in one named group per rule, and the match's group
says which rule fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_MACRO = re.compile(r"<([a-z_]+)>")
_NAME = re.compile(r"^[a-z][a-z_]*$")


@dataclass(frozen=True)
class Rule:
    name: str
    valence: float
    patterns: tuple[str, ...]
    cues: tuple[str, ...] = ()  # lowercase substrings one of which every match holds (empty: always run)

    @property
    def token(self) -> str:
        """The single token a match becomes: letters only, so VADER's punctuation strip keeps it."""
        return "rrrule" + self.name.replace("_", "")


def parse_rules(raw: Any, macros_raw: Any, origin: str) -> tuple[Rule, ...]:
    """Validate `rules:` (name -> {valence, patterns}) with `rule_macros:`; errors name the entry."""
    if raw in (None, {}):
        return ()
    if not isinstance(raw, dict):
        raise ValueError(f"{origin}: rules: expected a mapping of rule name -> valence and patterns")
    macros = macros_raw or {}
    if not isinstance(macros, dict):
        raise ValueError(f"{origin}: rule_macros: expected a mapping of name -> regex")
    rules = []
    for name, body in raw.items():
        where = f"{origin}: rules.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"{where}: a rule name is lowercase letters and underscores")
        if not isinstance(body, dict) or "valence" not in body or not body.get("patterns"):
            raise ValueError(f"{where}: needs `valence` and a list of `patterns`")
        valence = float(body["valence"])
        if not -4.0 <= valence <= 4.0:
            raise ValueError(f"{where}: valence {valence} is outside VADER's -4..4")
        patterns = []
        for pattern in body["patterns"]:
            expanded = _expand(str(pattern), macros, where)
            try:
                compiled = re.compile(expanded, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{where}: pattern {pattern!r} is not a valid regex: {exc}") from None
            if compiled.groups:
                raise ValueError(f"{where}: pattern {pattern!r} captures; use (?:...) groups")
            patterns.append(expanded)
        cues = body.get("cues") or []
        if not isinstance(cues, list) or not all(isinstance(c, str) and c and c == c.lower() for c in cues):
            raise ValueError(f"{where}: cues must be a list of lowercase substrings")
        rules.append(Rule(name, valence, tuple(patterns), tuple(cues)))
    return tuple(rules)


def _expand(pattern: str, macros: dict[str, Any], where: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"{where}: unknown macro <{name}> (define it under rule_macros)")
        return f"(?:{macros[name]})"
    return _MACRO.sub(sub, pattern)


class RuleLayer:
    """The rules in file order, each one regex compiled once.

    A rule runs only on text that holds one of its cues, and a later rule reads the text with the
    earlier rules' matches already replaced by their tokens (which no pattern matches), so where
    two constructions overlap the earlier rule wins.
    """

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self.valences = {r.token: r.valence for r in rules}
        self._compiled = [(re.compile(rf"(?<![\w'’])(?:{'|'.join(r.patterns)})(?![\w'’])", re.IGNORECASE),
                           re.compile("|".join(map(re.escape, r.cues))) if r.cues else None, f" {r.token} ")
                          for r in rules]

    def rewrite(self, text: str, use_cues: bool = True) -> str:
        """Replace every construction by its rule's token ("never received it" -> "rrrule... it")."""
        lowered = text.lower() if use_cues else ""
        for rx, cues, token in self._compiled:
            if use_cues and cues is not None and cues.search(lowered) is None:
                continue
            text, n = rx.subn(token, text)
            if n and use_cues:
                lowered = text.lower()
        return text

    def fired(self, text: str) -> list[str]:
        """The names of the rules that match `text`, in the order they apply."""
        names = []
        for rule, (rx, _, token) in zip(self.rules, self._compiled, strict=True):
            text, n = rx.subn(token, text)
            names += [rule.name] * n
        return names
