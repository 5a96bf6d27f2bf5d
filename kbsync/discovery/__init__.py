"""Discovery: keywords, topics, related entries, near-duplicates and unlinked mentions, over entry records."""
