"""storyline: turn a pile of news articles into a sourced story dossier."""

__version__ = "0.1.0"
