"""Model data: the slugs Segmind serves and their profiles (`profiles`)."""
