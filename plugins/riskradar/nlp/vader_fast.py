"""NLTK's VADER analyzer with a linear-time token clean-up (same tokens, same scores, faster)."""

from __future__ import annotations

import re
import string

_ASCII_PUNCT = string.punctuation
_DELETE_ASCII_PUNCT = str.maketrans("", "", _ASCII_PUNCT)


def fast_analyzer_class() -> type:
    """NLTK's SentimentIntensityAnalyzer with a linear-time version of its token clean-up.

    NLTK's `SentiText._words_plus_punc` builds every (punctuation, word) pair of the text to strip
    one leading or trailing punctuation run from each token; that dict costs about two thirds of a
    tweet's scoring time. `_FastSentiText` does the same strip by direct lookup and yields the same
    tokens (tests compare both on the labelled set and on random text), so scores are unchanged.
    """
    from nltk.sentiment.vader import SentimentIntensityAnalyzer, SentiText

    punctuation_class = f"[{re.escape(_ASCII_PUNCT)}]"

    class _FastSentiText(SentiText):
        def _words_and_emoticons(self):
            words_only: set[str] | None = None  # built only if some token has punctuation to strip
            puncs = self._punc_set
            out = []
            for we in self.text.split():
                if len(we) <= 1:
                    continue
                head, tail = we.rstrip(_ASCII_PUNCT), we.lstrip(_ASCII_PUNCT)
                if head == we and tail == we:  # no punctuation to strip (most tokens)
                    out.append(we)
                    continue
                if words_only is None:
                    words_only = self._words_only()
                if head != we and we[len(head):] in puncs and head in words_only:
                    out.append(head)
                    continue
                if tail != we and we[:len(we) - len(tail)] in puncs and tail in words_only:
                    out.append(tail)
                    continue
                out.append(we)
            return out

        def _words_only(self) -> set[str]:
            if self.REGEX_REMOVE_PUNCTUATION.pattern == punctuation_class:  # NLTK's: delete ASCII punctuation
                no_punc = self.text.translate(_DELETE_ASCII_PUNCT)
            else:
                no_punc = self.REGEX_REMOVE_PUNCTUATION.sub("", self.text)
            return {w for w in no_punc.split() if len(w) > 1}

    class FastSentimentIntensityAnalyzer(SentimentIntensityAnalyzer):
        def polarity_scores(self, text):  # NLTK 3.9/3.10's body, with _FastSentiText
            sentitext = _FastSentiText.__new__(_FastSentiText)
            sentitext.text = text if isinstance(text, str) else str(text.encode("utf-8"))
            sentitext.PUNC_LIST = self.constants.PUNC_LIST
            sentitext.REGEX_REMOVE_PUNCTUATION = self.constants.REGEX_REMOVE_PUNCTUATION
            sentitext._punc_set = self._punc_set
            sentitext.words_and_emoticons = sentitext._words_and_emoticons()
            sentitext.is_cap_diff = sentitext.allcap_differential(sentitext.words_and_emoticons)
            words_and_emoticons = sentitext.words_and_emoticons
            first_index: dict[str, int] = {}
            for idx, token in enumerate(words_and_emoticons):
                first_index.setdefault(token, idx)
            sentiments: list[float] = []
            boosters, lexicon = self.constants.BOOSTER_DICT, self.lexicon
            lowered = [item.lower() for item in words_and_emoticons]
            for item, lower in zip(words_and_emoticons, lowered, strict=True):
                if lower not in lexicon:  # sentiment_valence would append the 0 it was given
                    sentiments.append(0)
                    continue
                i = first_index[item]
                if (i < len(words_and_emoticons) - 1 and lower == "kind"
                        and words_and_emoticons[i + 1].lower() == "of") or lower in boosters:
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            if "but" in lowered:  # NLTK's _but_check on the lowercased words already at hand
                bi = lowered.index("but")
                for sidx, sentiment in enumerate(sentiments):
                    if sidx < bi:
                        sentiments[sidx] = sentiment * 0.5
                    elif sidx > bi:
                        sentiments[sidx] = sentiment * 1.5
            return self.score_valence(sentiments, text)

        @property
        def _punc_set(self) -> frozenset[str]:
            cached = self.__dict__.get("_punc_set_cache")
            if cached is None:
                cached = self.__dict__["_punc_set_cache"] = frozenset(self.constants.PUNC_LIST)
            return cached

    return FastSentimentIntensityAnalyzer
