"""The evidence assistant: from articles to claims with quotes.

:func:`scan` proposes candidate claims (sentences tying an actor to an issue, with a stance
hint); :mod:`.review` writes them to a file an analyst edits and merges the accepted ones
into a scenario, checking every quote against its article; :mod:`.evaluate` scores a scan
against hand labels, and :mod:`.agreement` measures how far two readers' labels agree and
makes gold labels of them with a third reader's decisions.
"""

from .scan import Candidate, read_articles, scan
from .text import Sentence, sentences

__all__ = ["Candidate", "Sentence", "read_articles", "scan", "sentences"]
