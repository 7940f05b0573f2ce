"""Model data: the slugs Segmind serves (`slugs`) and their profiles (`profiles`)."""
