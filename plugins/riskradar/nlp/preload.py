"""Imported once by the scoring pool's fork server (`riskradar.score._mp_context`), never elsewhere.

Every scoring worker needs NLTK's VADER module (importing `nltk` pulls in scipy: seconds per process
when no bytecode is cached), langdetect's 55 language profiles (~1-2 s) and their matrix, whatever
the config. Loading them here, in the fork server, lets every worker fork from a warm process
instead of each paying that start-up again. The models of the environment's config are loaded
too, on a best-effort basis: a worker given other settings loads its own (`load_models` caches by
file content, so it never reuses a model of different content).
"""

from __future__ import annotations

import nltk.sentiment.vader  # noqa: F401

from riskradar.config import Settings
from riskradar.nlp import language
from riskradar.score import load_models

language.warm_up()
try:
    load_models(Settings.from_env())
except Exception:  # noqa: BLE001 - only a head start: workers load (and report) their own config
    pass
