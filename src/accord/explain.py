"""Former name of :mod:`accord.narrate` (runs told as stories); kept so that old imports work."""

from .narrate import Chapter, fmt, generic_story, median_holders, name, story

__all__ = ["Chapter", "fmt", "generic_story", "median_holders", "name", "story"]
