"""graphkit: news articles about the car x tech ecosystem -> a provenance graph."""

__version__ = "0.1.0"
