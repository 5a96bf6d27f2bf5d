"""Search and typeahead engines: full text (tantivy BM25), suggest (prefix, typo, accent tolerant), text folding."""
