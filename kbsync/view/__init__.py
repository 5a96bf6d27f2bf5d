"""The read side: the read model (summaries, search, suggest, graph) built from a store snapshot, and its holder."""
