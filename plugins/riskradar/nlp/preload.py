"""Imported once by the scoring pool's fork server (`riskradar.score.mp_context`), never elsewhere.

Every scoring worker needs NLTK's VADER module (importing `nltk` pulls in scipy: seconds per process
when no bytecode is cached) and the language gate's py3langid model, whatever
the config. Loading them here, in the fork server, lets every worker fork from a warm process
instead of each paying that start-up again. The models of the environment's config are loaded
too, on a best-effort basis: a worker given other settings loads its own (`load_models` caches by
file content, so it never reuses a model of different content).

The emoji table and its regex (~20 ms, built on a worker's first non-ASCII text) are built here too.

Then everything loaded is frozen out of the garbage collector (`gc.freeze`): the preloaded heap
(NLTK, the models, the language model) is ~180,000 tracked objects, which every full collection
in every worker would otherwise walk (and, by writing their GC headers, copy page by page out of
the memory the workers share with this server). Frozen objects are never collected; these live as
long as the process anyway.
"""

from __future__ import annotations

import gc
import sys

import nltk.sentiment.vader  # noqa: F401

from riskradar.config import Settings
from riskradar.nlp import language
from riskradar.nlp.sentiment import emoji_names
from riskradar.score.items import load_models


def _in_fork_server() -> bool:
    """True when imported by `multiprocessing.forkserver.main` (its preload), not by a test."""
    from multiprocessing import forkserver

    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


language.warm_up()
try:
    emoji_names()
    load_models(Settings.from_env())
except Exception:  # noqa: BLE001 - only a head start: workers load (and report) their own config
    pass
if _in_fork_server():  # elsewhere freezing would pin whatever that process holds now
    gc.collect()
    gc.freeze()
