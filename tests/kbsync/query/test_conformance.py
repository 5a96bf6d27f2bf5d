"""Conformance: DQL queries written from Dataview's documentation of each construct, over the fixture vault.

Each case is (query, expected) where expected is the result in plain form (see `plain`): links as file
names, dates as ISO text, durations as Dataview prints them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kbsync.query import Duration, Link, QueryError, parse, run

from .conftest import NOW

BOOKS = ["Dune", "Emma", "Neuromancer", "The Hobbit", "Old Book"]  # FROM #book, in path order
ALL = ["Home", "Reading List", *BOOKS, "2024-05-01", "2024-05-02", "2024-05-20", "Chess", "Go", "Tetris", "Austen",
       "Herbert", "Tolkien", "Garden", "Kitchen"]


def p(v: Any) -> Any:
    """A value in plain form."""
    if isinstance(v, Link):
        return v.name
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(timespec="minutes")
    if isinstance(v, Duration):
        return str(v)
    if isinstance(v, list):
        return [p(x) for x in v]
    if isinstance(v, dict):
        return {k: p(x) for k, x in v.items()}
    return v


def plain(res: Any) -> Any:
    if res.kind == "task":
        return [t["text"] for _, ts in res.tasks for t in ts]
    if res.kind == "calendar":
        return [(p(d), p(link)) for d, link in res.dates]
    if res.kind == "list" and not any(vals for _, vals in res.rows):
        return [p(rid) for rid, _ in res.rows]
    if res.kind == "list":
        return [p(vals[0]) if res.without_id else (p(rid), p(vals[0])) for rid, vals in res.rows]
    return [p(vals) if res.without_id else [p(rid), *p(vals)] for rid, vals in res.rows]


CASES: list[tuple[str, Any]] = [
    # --- query types: LIST (query-types.md) -------------------------------------------------------------
    ("LIST", ALL),
    ("list", ALL),
    ("LIST FROM #book", BOOKS),
    ("LIST FROM #game", ["Chess", "Go", "Tetris"]),
    ('LIST FROM "games"', ["Chess", "Go", "Tetris"]),
    ("LIST rating FROM #game", [("Chess", 10), ("Go", 9), ("Tetris", 7)]),
    ('LIST "File Path: " + file.path FROM "games"',
     [("Chess", "File Path: games/Chess.md"), ("Go", "File Path: games/Go.md"), ("Tetris", "File Path: games/Tetris.md")]),
    ("LIST WITHOUT ID rating FROM #game", [10, 9, 7]),
    ("LIST WITHOUT ID file.name FROM #author", ["Austen", "Herbert", "Tolkien"]),
    ("list without id born from #author", [1775, 1920, 1892]),
    ("LIST file.folder FROM #daily LIMIT 1", [("2024-05-01", "daily")]),
    ("LIST rows.file.name FROM #game GROUP BY players", [(1, ["Tetris"]), (2, ["Chess", "Go"])]),
    ("LIST FROM #book GROUP BY genre", [("classic", ["Emma", "Old Book"]), ("fantasy", ["The Hobbit"]),
                                         ("scifi", ["Dune", "Neuromancer"])]),
    ("LIST WITHOUT ID key FROM #book GROUP BY genre", ["classic", "fantasy", "scifi"]),
    # after GROUP BY only `key` and `rows` exist: page fields are reached through rows
    ("LIST WITHOUT ID genre FROM #book GROUP BY genre", [None, None, None]),
    ("LIST length(rows) FROM #book GROUP BY status", [("read", 3), ("reading", 1), ("to-read", 1)]),
    # --- TABLE ------------------------------------------------------------------------------------------
    ("TABLE rating FROM #game", [["Chess", 10], ["Go", 9], ["Tetris", 7]]),
    ("TABLE rating, players FROM #game", [["Chess", 10, 2], ["Go", 9, 2], ["Tetris", 7, 1]]),
    ('TABLE rating AS "Score" FROM "games" SORT rating ASC', [["Tetris", 7], ["Go", 9], ["Chess", 10]]),
    ("TABLE WITHOUT ID file.name, rating FROM #game", [["Chess", 10], ["Go", 9], ["Tetris", 7]]),
    ('TABLE WITHOUT ID file.link AS "Game", players AS "P" FROM #game WHERE players = 1', [["Tetris", 1]]),
    ("TABLE author, published FROM #book WHERE published",
     [["Dune", "Herbert", "1965-08-01"], ["Neuromancer", None, "1984-07-01"], ["The Hobbit", "Tolkien", "1937-09-21"]]),
    ("TABLE genre, rating FROM #book SORT rating DESC LIMIT 2", [["The Hobbit", "fantasy", 9], ["Dune", "scifi", 8]]),
    ("TABLE rating * 10 FROM #game", [["Chess", 100], ["Go", 90], ["Tetris", 70]]),
    ("TABLE rating / 2 AS half FROM #game", [["Chess", 5], ["Go", 4.5], ["Tetris", 3.5]]),
    ("TABLE rating % 4 FROM #game", [["Chess", 2], ["Go", 1], ["Tetris", 3]]),
    ("TABLE rating - players FROM #game", [["Chess", 8], ["Go", 7], ["Tetris", 6]]),
    ("TABLE (rating + players) * 2 FROM #game", [["Chess", 24], ["Go", 22], ["Tetris", 16]]),
    ("TABLE rating + players * 2 FROM #game", [["Chess", 14], ["Go", 13], ["Tetris", 9]]),
    ("TABLE -rating FROM #game LIMIT 1", [["Chess", -10]]),
    ("TABLE rows.file.name FROM #book GROUP BY status",
     [["read", ["Dune", "The Hobbit", "Old Book"]], ["reading", ["Neuromancer"]], ["to-read", ["Emma"]]]),
    ("TABLE length(rows) AS n, sum(rows.rating) AS total FROM #book GROUP BY genre",
     [["classic", 2, 9], ["fantasy", 1, 9], ["scifi", 2, 15]]),
    ("TABLE max(rows.rating) FROM #book GROUP BY genre AS g SORT g DESC",
     [["scifi", 8], ["fantasy", 9], ["classic", 6]]),
    ("TABLE WITHOUT ID key, length(rows) FROM #game GROUP BY players", [[1, 1], [2, 2]]),
    ("TABLE average(rows.rating) FROM #game GROUP BY players", [[1, 7], [2, 9.5]]),
    ("TABLE rating FROM #game WHERE rating > 100", []),
    # --- TASK -------------------------------------------------------------------------------------------
    ('TASK FROM "projects"', ["Buy seeds [due:: 2024-06-10]", "Dig beds ✅ 2024-04-02", "Build fence",
                              "Plant a palm tree", "Choose colours", "Paint walls #urgent"]),
    ('TASK FROM "projects" WHERE !completed', ["Buy seeds [due:: 2024-06-10]", "Build fence", "Plant a palm tree"]),
    ('TASK FROM "projects" WHERE completed', ["Dig beds ✅ 2024-04-02", "Choose colours", "Paint walls #urgent"]),
    ('TASK FROM "projects" WHERE !checked', ["Buy seeds [due:: 2024-06-10]"]),
    ('TASK FROM "projects" WHERE status = "/"', ["Build fence"]),
    ('TASK FROM "projects" WHERE status = "-"', ["Plant a palm tree"]),
    # tasks see their page's fields too (add-metadata.md), and a task's inline fields are also page fields
    ("TASK FROM #project WHERE due", ["Buy seeds [due:: 2024-06-10]", "Dig beds ✅ 2024-04-02", "Build fence",
                                      "Plant a palm tree"]),
    ("TASK FROM #book WHERE due", ["Write review 📅 2024-05-01"]),
    ("TASK WHERE due AND due < date(today)", ["Write review 📅 2024-05-01"]),
    # null sorts before every value, so a missing field is "less than" a date (hence `due AND` above)
    ("TASK FROM #book WHERE due < date(today)", ["Read chapter 1", "Write review 📅 2024-05-01"]),
    ("TASK WHERE completion = date(2024-04-02)", ["Dig beds ✅ 2024-04-02"]),
    ("TASK WHERE contains(tags, \"#urgent\")", ["Paint walls #urgent"]),
    ("TASK FROM #daily", ["Call the plumber"]),
    ("TASK WHERE !completed AND file.name = \"The Hobbit\"", ["Write review 📅 2024-05-01"]),
    ("TASK FROM #book", ["Read chapter 1", "Write review 📅 2024-05-01"]),
    ('TASK FROM "projects" WHERE contains(text, "walls")', ["Paint walls #urgent"]),
    ('TASK FROM "projects" SORT text ASC LIMIT 2', ["Build fence", "Buy seeds [due:: 2024-06-10]"]),
    ("TASK WHERE line > 0 AND contains(path, \"Kitchen\")", ["Choose colours", "Paint walls #urgent"]),
    ("TASK FROM #project GROUP BY completed", ["Buy seeds [due:: 2024-06-10]", "Build fence", "Plant a palm tree",
                                               "Dig beds ✅ 2024-04-02", "Choose colours", "Paint walls #urgent"]),
    ("TASK FROM #game", []),
    # --- CALENDAR ---------------------------------------------------------------------------------------
    ("CALENDAR file.day FROM #daily", [("2024-05-01", "2024-05-01"), ("2024-05-02", "2024-05-02"),
                                        ("2024-05-20", "2024-05-20")]),
    ("CALENDAR published FROM #book", [("1965-08-01", "Dune"), ("1984-07-01", "Neuromancer"),
                                       ("1937-09-21", "The Hobbit")]),
    ('CALENDAR file.ctime FROM "games"', [("2024-01-10T10:00", "Chess"), ("2024-01-10T10:00", "Go"),
                                          ("2024-05-20T12:00", "Tetris")]),
    ("CALENDAR released", [("1984-06-06", "Tetris")]),
    # --- FROM: tags, folders, links, combinations (data-commands.md) -------------------------------------
    ("LIST FROM #book/scifi", ["Dune", "Neuromancer"]),
    ("LIST FROM #Book/SciFi", ["Dune", "Neuromancer"]),
    ("LIST FROM #game/board", ["Chess", "Go"]),
    ("LIST FROM #author", ["Austen", "Herbert", "Tolkien"]),
    ("LIST FROM #author/classic", ["Austen"]),
    ("LIST FROM #urgent", ["Kitchen"]),
    ("LIST FROM #nosuchtag", []),
    ('LIST FROM "books"', BOOKS),
    ('LIST FROM "books/archive"', ["Old Book"]),
    ('LIST FROM "books/"', BOOKS),
    ('LIST FROM "books/Dune"', ["Dune"]),
    ('LIST FROM "books/Dune.md"', ["Dune"]),
    ('LIST FROM "book"', []),
    ("LIST FROM [[Dune]]", ["Home", "2024-05-20", "Herbert"]),
    ("LIST FROM [[Garden]]", ["Home", "2024-05-01", "2024-05-02"]),
    ("LIST FROM [[J. R. R. Tolkien]]", ["The Hobbit"]),
    ("LIST FROM [[people/Tolkien]]", ["The Hobbit"]),
    ("LIST FROM [[Nowhere]]", []),
    ("LIST FROM outgoing([[Home]])", ["Dune", "The Hobbit", "Garden"]),
    ("LIST FROM outgoing([[Reading List]])", ["Emma", "Neuromancer"]),
    ("LIST FROM outgoing([[2024-05-02]])", ["Garden", "Kitchen"]),
    ("LIST FROM #book AND #book/scifi", ["Dune", "Neuromancer"]),
    ("LIST FROM #book and -#book/scifi", ["Emma", "The Hobbit", "Old Book"]),
    ("LIST FROM #book AND !#book/scifi", ["Emma", "The Hobbit", "Old Book"]),
    ('LIST FROM "books" and -"books/archive"', ["Dune", "Emma", "Neuromancer", "The Hobbit"]),
    ("LIST FROM #game/video OR #author/classic", ["Tetris", "Austen"]),
    ("LIST FROM #game or #project", ["Chess", "Go", "Tetris", "Garden", "Kitchen"]),
    ('LIST FROM (#book and "books/archive") or #game/video', ["Old Book", "Tetris"]),
    ('LIST FROM #book and ("books/archive" or #book/fantasy)', ["The Hobbit", "Old Book"]),
    ("LIST FROM [[Garden]] AND #daily", ["2024-05-01", "2024-05-02"]),
    ("LIST FROM [[Dune]] OR [[Emma]]", ["Home", "Reading List", "2024-05-20", "Austen", "Herbert"]),
    ('LIST FROM -"books" AND -"daily" AND -"people" AND -"games"', ["Home", "Reading List", "Garden", "Kitchen"]),
    ("LIST FROM -#book AND -#daily AND -#game AND -#author AND -#project", ["Home", "Reading List"]),
    ('LIST FROM ""', ALL),
    ("LIST FROM outgoing([[Home]]) AND #book", ["Dune", "The Hobbit"]),
    # --- WHERE: comparisons (expressions.md) -------------------------------------------------------------
    ("LIST FROM #book WHERE rating > 7", ["Dune", "The Hobbit"]),
    ("LIST FROM #book WHERE rating >= 7", ["Dune", "Neuromancer", "The Hobbit"]),
    ("LIST FROM #book WHERE rating < 7", ["Emma", "Old Book"]),
    ("LIST FROM #book WHERE rating <= 6", ["Emma", "Old Book"]),
    ("LIST FROM #book WHERE rating = 8", ["Dune"]),
    ("LIST FROM #book WHERE rating != 8", ["Emma", "Neuromancer", "The Hobbit", "Old Book"]),
    ('LIST FROM #book WHERE genre = "scifi"', ["Dune", "Neuromancer"]),
    ('LIST FROM #book WHERE genre != "scifi"', ["Emma", "The Hobbit", "Old Book"]),
    ('LIST FROM #book WHERE status = "read" AND rating > 5', ["Dune", "The Hobbit"]),
    ('LIST FROM #book WHERE status = "reading" OR rating < 4', ["Neuromancer", "Old Book"]),
    ("LIST FROM #book WHERE !(rating > 5)", ["Old Book"]),
    ("LIST FROM #book WHERE !published", ["Emma", "Old Book"]),
    ("LIST FROM #book WHERE published", ["Dune", "Neuromancer", "The Hobbit"]),
    ("LIST FROM #book WHERE author", ["Dune", "Emma", "The Hobbit"]),
    ("LIST FROM #book WHERE author = [[Tolkien]]", ["The Hobbit"]),
    ("LIST FROM #book WHERE author = [[people/Herbert]]", ["Dune"]),
    ("LIST FROM #book WHERE published > date(1950-01-01)", ["Dune", "Neuromancer"]),
    ("LIST FROM #book WHERE published < date(1950-01-01)", ["Emma", "The Hobbit", "Old Book"]),
    ("LIST FROM #book WHERE published AND published < date(1950-01-01)", ["The Hobbit"]),
    ("LIST FROM #book WHERE published.year = 1965", ["Dune"]),
    ("LIST FROM #book WHERE rating > 5 and rating < 9 and genre = \"scifi\"", ["Dune", "Neuromancer"]),
    ("LIST FROM #book WHERE (genre = \"classic\" or genre = \"fantasy\") and rating > 5", ["Emma", "The Hobbit"]),
    ("LIST FROM #book WHERE rating > 5 && genre = \"classic\"", ["Emma"]),
    ("LIST FROM #book WHERE genre = \"fantasy\" || genre = \"classic\" and rating < 5", ["The Hobbit", "Old Book"]),
    ("LIST FROM #book WHERE nosuchfield = null", BOOKS),
    ("LIST FROM #book WHERE nosuchfield != null", []),
    ("LIST FROM #book WHERE rating > null", BOOKS),
    ("LIST FROM #book WHERE finished = false", ["Neuromancer"]),
    ("LIST FROM #book WHERE started = date(2024-04-01)", ["Neuromancer"]),
    ("LIST WHERE mood = \"good\"", ["2024-05-01", "2024-05-20"]),
    ('LIST WHERE status = "active"', ["Garden"]),
    ("LIST WHERE cost > 1000", ["Kitchen"]),
    ("LIST WHERE pages > 400", ["Dune"]),
    # --- field names: case-insensitive, sanitised (metadata-pages.md, annotation.md) ----------------------
    ("LIST WHERE Rating = 10", ["Chess"]),
    ("LIST WHERE RATING = 10", ["Chess"]),
    ('TABLE series-name FROM #book WHERE series-name', [["The Hobbit", "Middle-earth"]]),
    ('TABLE row["Series Name"] FROM #book WHERE row["Series Name"]', [["The Hobbit", "Middle-earth"]]),
    ("TABLE due-date FROM #project WHERE due-date", [["Garden", "2024-07-01"]]),
    ("TABLE PRIORITY FROM #project", [["Garden", "high"], ["Kitchen", "low"]]),
    ("TABLE Status FROM #project", [["Garden", "active"], ["Kitchen", "done"]]),
    ('TABLE notacode FROM #project', [["Garden", None], ["Kitchen", None]]),
    # --- implicit file fields (metadata-pages.md) ---------------------------------------------------------
    ("TABLE file.name FROM #game/video", [["Tetris", "Tetris"]]),
    ("TABLE file.path FROM #game/video", [["Tetris", "games/Tetris.md"]]),
    ("TABLE file.folder FROM \"books/archive\"", [["Old Book", "books/archive"]]),
    ("TABLE file.ext FROM #game/video", [["Tetris", "md"]]),
    ("TABLE file.link FROM #game/video", [["Tetris", "Tetris"]]),
    ("TABLE file.tags FROM #game/video", [["Tetris", ["#game/video", "#game"]]]),
    ("TABLE file.etags FROM #game/video", [["Tetris", ["#game/video"]]]),
    ("TABLE file.tags FROM #author/classic", [["Austen", ["#author", "#author/classic"]]]),
    ("TABLE file.inlinks FROM #book/fantasy", [["The Hobbit", ["Home", "Tolkien"]]]),
    ("TABLE file.outlinks FROM #list", [["Reading List", ["Emma", "Neuromancer", "Missing Book"]]]),
    ("TABLE length(file.inlinks) FROM [[Garden]] WHERE #daily", None),  # invalid: a tag is not an expression
    ("TABLE length(file.inlinks) AS n FROM #project", [["Garden", 3], ["Kitchen", 1]]),
    ("TABLE length(file.outlinks) FROM #daily", [["2024-05-01", 1], ["2024-05-02", 2], ["2024-05-20", 1]]),
    ("TABLE file.ctime FROM #game", [["Chess", "2024-01-10T10:00"], ["Go", "2024-01-10T10:00"],
                                     ["Tetris", "2024-05-20T12:00"]]),
    ("TABLE file.cday FROM #game/video", [["Tetris", "2024-05-20"]]),
    ("TABLE file.mtime FROM #book/scifi", [["Dune", "2024-05-20T12:00"], ["Neuromancer", "2024-01-10T10:00"]]),
    ("TABLE file.mday FROM #book/scifi", [["Dune", "2024-05-20"], ["Neuromancer", "2024-01-10"]]),
    ("LIST FROM #book WHERE file.mtime > file.ctime", ["Dune"]),
    ("TABLE file.day FROM #daily LIMIT 1", [["2024-05-01", "2024-05-01"]]),
    ("LIST FROM #daily WHERE file.day > date(2024-05-10)", ["2024-05-20"]),
    ("TABLE file.size > 0 FROM #game/video", [["Tetris", True]]),
    ("TABLE length(file.tasks) FROM #project", [["Garden", 4], ["Kitchen", 2]]),
    ("TABLE length(filter(file.tasks, (t) => t.completed)) AS done FROM #project", [["Garden", 1], ["Kitchen", 2]]),
    ("TABLE file.tasks.text FROM #book/fantasy", [["The Hobbit", ["Read chapter 1", "Write review 📅 2024-05-01"]]]),
    ("TABLE file.aliases FROM [[The Hobbit]] WHERE file.aliases", [["Tolkien", ["J. R. R. Tolkien"]]]),
    ("LIST WHERE file.name = \"Go\"", ["Go"]),
    ("LIST WHERE contains(file.folder, \"archive\")", ["Old Book"]),
    ("LIST WHERE file.link = [[Kitchen]]", ["Kitchen"]),
    ("LIST WHERE contains(file.outlinks, [[Garden]])", ["Home", "2024-05-01", "2024-05-02"]),
    ("LIST WHERE contains(file.inlinks, [[Home]])", ["Dune", "The Hobbit", "Garden"]),
    ("LIST WHERE contains(file.tags, \"#game\")", ["Chess", "Go", "Tetris"]),
    ("LIST WHERE econtains(file.etags, \"#game\")", ["Chess"]),
    ("TABLE author.born FROM #book WHERE author", [["Dune", 1920], ["Emma", 1775], ["The Hobbit", 1892]]),
    ("TABLE author.file.name FROM #book/fantasy", [["The Hobbit", "Tolkien"]]),
    ("LIST WHERE file.ctime < date(today) - dur(30 days)", [x for x in ALL if x not in ("2024-05-01", "2024-05-02",
                                                                                         "2024-05-20", "Tetris")]),
    ("LIST WHERE file.mtime >= date(today) - dur(2 weeks)", ["Dune", "2024-05-01", "2024-05-02", "2024-05-20",
                                                            "Tetris"]),
    # --- SORT, LIMIT ---------------------------------------------------------------------------------------
    ("LIST FROM #book SORT rating", ["Old Book", "Emma", "Neuromancer", "Dune", "The Hobbit"]),
    ("LIST FROM #book SORT rating ASC", ["Old Book", "Emma", "Neuromancer", "Dune", "The Hobbit"]),
    ("LIST FROM #book SORT rating DESC", ["The Hobbit", "Dune", "Neuromancer", "Emma", "Old Book"]),
    ("LIST FROM #book SORT rating descending", ["The Hobbit", "Dune", "Neuromancer", "Emma", "Old Book"]),
    ("LIST FROM #book SORT genre ASC, rating DESC", ["Emma", "Old Book", "The Hobbit", "Dune", "Neuromancer"]),
    ("LIST FROM #book SORT genre DESC, rating ASC", ["Neuromancer", "Dune", "The Hobbit", "Old Book", "Emma"]),
    ("LIST FROM #book SORT file.name", ["Dune", "Emma", "Neuromancer", "Old Book", "The Hobbit"]),
    ("LIST FROM #book SORT file.name DESC", ["The Hobbit", "Old Book", "Neuromancer", "Emma", "Dune"]),
    ("LIST FROM #book SORT published", ["Emma", "Old Book", "The Hobbit", "Dune", "Neuromancer"]),
    ("LIST FROM #book SORT published DESC LIMIT 1", ["Neuromancer"]),
    ("LIST FROM #game SORT players, rating", ["Tetris", "Go", "Chess"]),
    ("LIST FROM #game SORT file.ctime DESC, file.name", ["Tetris", "Chess", "Go"]),
    ("LIST FROM #book LIMIT 2", ["Dune", "Emma"]),
    ("LIST FROM #book LIMIT 0", []),
    ("LIST FROM #book SORT rating DESC LIMIT 3 SORT file.name", ["Dune", "Neuromancer", "The Hobbit"]),
    ("LIST FROM #book WHERE rating > 5 SORT rating LIMIT 1", ["Emma"]),
    ("LIST FROM #book SORT lower(genre), -rating", ["Emma", "Old Book", "The Hobbit", "Dune", "Neuromancer"]),
    # --- FLATTEN, GROUP BY (data-commands.md) -------------------------------------------------------------
    ("TABLE t FROM #game FLATTEN file.etags AS t", [["Chess", "#game"], ["Chess", "#game/board"],
                                                    ["Go", "#game/board"], ["Tetris", "#game/video"]]),
    ("LIST WITHOUT ID t FROM #game FLATTEN file.etags AS t WHERE t = \"#game/board\"", ["#game/board", "#game/board"]),
    ("TABLE WITHOUT ID key, length(rows) FROM #game FLATTEN file.etags AS t GROUP BY t",
     [["#game", 1], ["#game/board", 2], ["#game/video", 1]]),
    ("TABLE WITHOUT ID tag, rows.file.name FROM #game FLATTEN file.etags AS tag GROUP BY tag AS tag",
     [["#game", ["Chess"]], ["#game/board", ["Chess", "Go"]], ["#game/video", ["Tetris"]]]),
    ("TABLE WITHOUT ID L.text FROM #project FLATTEN file.tasks AS L WHERE !L.completed",
     [["Buy seeds [due:: 2024-06-10]"], ["Build fence"], ["Plant a palm tree"]]),
    ("TABLE WITHOUT ID x FROM #game/video FLATTEN [1, 2, 3] AS x", [[1], [2], [3]]),
    ("TABLE WITHOUT ID x FROM #game/video FLATTEN rating AS x", [[7]]),
    ("TABLE WITHOUT ID x FROM #game/video FLATTEN rating * 2 AS x", [[14]]),
    ("LIST WITHOUT ID key FROM #book GROUP BY published.year > 1950", [False, True]),
    ("TABLE WITHOUT ID key, rows.file.name FROM #daily GROUP BY mood",
     [["good", ["2024-05-01", "2024-05-20"]], ["tired", ["2024-05-02"]]]),
    ("TABLE length(rows) FROM #book GROUP BY author", [[None, 2], ["Austen", 1], ["Herbert", 1], ["Tolkien", 1]]),
    ("TABLE WITHOUT ID key AS genre, length(rows) AS n FROM #book GROUP BY genre SORT length(rows) DESC, key",
     [["classic", 2], ["scifi", 2], ["fantasy", 1]]),
    ("TABLE WITHOUT ID key, min(rows.rating) FROM #book GROUP BY genre WHERE min(rows.rating) > 5",
     [["fantasy", 9], ["scifi", 7]]),
    # --- literals, arithmetic, strings, lists, objects (expressions.md, literals.md) -----------------------
    ('TABLE WITHOUT ID "a" + "b" FROM #game/video', [["ab"]]),
    ('TABLE WITHOUT ID file.name + " (" + rating + ")" FROM #game/video', [["Tetris (7)"]]),
    ('TABLE WITHOUT ID "ab" * 3 FROM #game/video', [["ababab"]]),
    ("TABLE WITHOUT ID [1, 2, 3] FROM #game/video", [[[1, 2, 3]]]),
    ("TABLE WITHOUT ID [1, 2, 3][1] FROM #game/video", [[2]]),
    ('TABLE WITHOUT ID {a: 1, "b c": 2}["b c"] FROM #game/video', [[2]]),
    ("TABLE WITHOUT ID {a: 1, b: 2}.a FROM #game/video", [[1]]),
    ("TABLE WITHOUT ID true, false, null FROM #game/video", [[True, False, None]]),
    ("TABLE WITHOUT ID 1.5 + 1 FROM #game/video", [[2.5]]),
    ('TABLE WITHOUT ID "say \\"hi\\"" FROM #game/video', [['say "hi"']]),
    ("TABLE WITHOUT ID 7 / 0 FROM #game/video", [[None]]),
    ("TABLE WITHOUT ID rating > 5 FROM #game/video", [[True]]),
    ("TABLE WITHOUT ID [[Dune]] FROM #game/video", [["Dune"]]),
    ("TABLE WITHOUT ID [[Dune]].rating FROM #game/video", [[8]]),
    ("TABLE WITHOUT ID [[Dune|the spice book]] FROM #game/video", [["the spice book"]]),
    # --- functions (functions.md) --------------------------------------------------------------------------
    ('LIST FROM #book WHERE contains(genre, "sci")', ["Dune", "Neuromancer"]),
    ('LIST FROM #book WHERE contains(file.name, "u")', ["Dune", "Neuromancer"]),
    ('LIST FROM #book WHERE icontains(file.name, "THE")', ["The Hobbit"]),
    ('LIST FROM #book WHERE contains(file.tags, "#book/scifi")', ["Dune", "Neuromancer"]),
    ('LIST FROM #book WHERE contains(file.etags, "#book/sci")', ["Dune", "Neuromancer"]),
    ('LIST FROM #book WHERE econtains(file.etags, "#book/sci")', []),
    ('LIST FROM #book WHERE containsword(file.name, "book")', ["Old Book"]),
    ('LIST FROM #book WHERE startswith(file.name, "The")', ["The Hobbit"]),
    ('LIST FROM #book WHERE endswith(file.name, "er")', ["Neuromancer"]),
    ('LIST FROM #book WHERE lower(file.name) = "emma"', ["Emma"]),
    ('LIST FROM #book WHERE upper(genre) = "CLASSIC"', ["Emma", "Old Book"]),
    ("LIST FROM #book WHERE length(file.name) > 8", ["Neuromancer", "The Hobbit"]),
    ("LIST FROM #book WHERE length(file.tags) = 2", ["Dune", "Neuromancer", "The Hobbit"]),
    ('LIST FROM #book WHERE default(published, date(2000-01-01)) > date(1980-01-01)',
     ["Emma", "Neuromancer", "Old Book"]),
    ('TABLE default(author, "unknown") FROM #book WHERE !published', [["Emma", "Austen"], ["Old Book", "unknown"]]),
    ('LIST FROM #book WHERE regexmatch("^[A-E].*", file.name)', ["Dune", "Emma"]),
    ('LIST FROM #book WHERE regexmatch("D.*", file.name)', ["Dune"]),
    ('LIST FROM #book WHERE regextest("o", file.name)', ["Neuromancer", "The Hobbit", "Old Book"]),
    ('TABLE WITHOUT ID regexreplace(file.name, "[aeiou]", "_") FROM #book/scifi', [["D_n_"], ["N__r_m_nc_r"]]),
    ('TABLE WITHOUT ID replace(file.name, " ", "-") FROM #book/fantasy', [["The-Hobbit"]]),
    ('TABLE WITHOUT ID split("a, b, c", ", ") FROM #game/video', [[["a", "b", "c"]]]),
    ('TABLE WITHOUT ID join(file.etags, " & ") FROM #game/board', [["#game & #game/board"], ["#game/board"]]),
    ("TABLE WITHOUT ID substring(file.name, 0, 3) FROM #book/fantasy", [["The"]]),
    ('TABLE WITHOUT ID truncate(file.name, 6) FROM #book/fantasy', [["The..."]]),
    ('TABLE WITHOUT ID padleft(string(rating), 3, "0") FROM #game/video', [["007"]]),
    ('TABLE WITHOUT ID padright("ab", 4, "x") FROM #game/video', [["abxx"]]),
    ("TABLE WITHOUT ID round(2.567, 1), round(2.5), trunc(-2.7), floor(2.7), ceil(2.1) FROM #game/video",
     [[2.6, 3, -2, 2, 3]]),
    ("TABLE WITHOUT ID min(3, 1, 2), max(3, 1, 2), sum([1, 2, 3]), product([2, 3]), average([1, 2, 3]) "
     "FROM #game/video", [[1, 3, 6, 6, 2]]),
    ("TABLE WITHOUT ID sort([3, 1, 2]), reverse([1, 2, 3]), unique([1, 1, 2]) FROM #game/video",
     [[[1, 2, 3], [3, 2, 1], [1, 2]]]),
    ("TABLE WITHOUT ID length([1, 2]), length(\"abc\"), length(null) FROM #game/video", [[2, 3, 0]]),
    ("TABLE WITHOUT ID all([true, 1]), any([false, 0]), none([false]) FROM #game/video", [[True, False, True]]),
    ("TABLE WITHOUT ID map([1, 2, 3], (x) => x * 10) FROM #game/video", [[[10, 20, 30]]]),
    ("TABLE WITHOUT ID filter([1, 2, 3, 4], (x) => x % 2 = 0) FROM #game/video", [[[2, 4]]]),
    ("TABLE WITHOUT ID reduce([1, 2, 3], (a, b) => a + b) FROM #game/video", [[6]]),
    ("TABLE WITHOUT ID flat([1, [2, [3]]]), slice([1, 2, 3, 4], 1, 3) FROM #game/video", [[[1, 2, [3]], [2, 3]]]),
    ("TABLE WITHOUT ID nonnull([1, null, 2]), firstvalue([null, 5]) FROM #game/video", [[[1, 2], 5]]),
    ("TABLE WITHOUT ID choice(rating > 5, \"good\", \"bad\") FROM #game/video", [["good"]]),
    ('TABLE WITHOUT ID typeof(1), typeof("a"), typeof(date(today)), typeof([[Dune]]), typeof(dur(1 day)) '
     "FROM #game/video", [["number", "string", "date", "link", "duration"]]),
    ("TABLE WITHOUT ID typeof([1]), typeof({a: 1}), typeof(null), typeof(true) FROM #game/video",
     [["array", "object", "null", "boolean"]]),
    ('TABLE WITHOUT ID number("12 apples"), string(3), object("a", 1) FROM #game/video', [[12, "3", {"a": 1}]]),
    ('TABLE WITHOUT ID link("Dune"), link("Dune", "spice") FROM #game/video', [["Dune", "spice"]]),
    ("TABLE WITHOUT ID minby(rows, (r) => r.rating).file.name FROM #book GROUP BY genre",
     [["Old Book"], ["The Hobbit"], ["Neuromancer"]]),
    ("TABLE WITHOUT ID extract(row, \"rating\", \"players\") FROM #game/video", [[{"rating": 7, "players": 1}]]),
    ('TABLE WITHOUT ID lower(["A", "B"]) FROM #game/video', [[["a", "b"]]]),
    ('TABLE WITHOUT ID contains([1, 2], 2), contains({a: 1}, "a"), contains("abc", "d") FROM #game/video',
     [[True, True, False]]),
    # --- dates and durations (literals.md, functions.md) ---------------------------------------------------
    ("TABLE WITHOUT ID date(today) FROM #game/video", [["2024-06-01"]]),
    ("TABLE WITHOUT ID date(now) FROM #game/video", [["2024-06-01T09:30"]]),
    ("TABLE WITHOUT ID date(tomorrow), date(yesterday) FROM #game/video", [["2024-06-02", "2024-05-31"]]),
    ("TABLE WITHOUT ID date(sow), date(eow) FROM #game/video", [["2024-05-27", "2024-06-02"]]),
    ("TABLE WITHOUT ID date(som), date(eom), date(soy), date(eoy) FROM #game/video",
     [["2024-06-01", "2024-06-30", "2024-01-01", "2024-12-31"]]),
    ("TABLE WITHOUT ID date(2021-11-11) FROM #game/video", [["2021-11-11"]]),
    ("TABLE WITHOUT ID date(2021-11-11T14:30) FROM #game/video", [["2021-11-11T14:30"]]),
    ('TABLE WITHOUT ID date("2021-11-11") FROM #game/video', [["2021-11-11"]]),
    ('TABLE WITHOUT ID date("11/12/2021", "MM/dd/yyyy") FROM #game/video', [["2021-11-12"]]),
    ("TABLE WITHOUT ID date(today) + dur(7 days) FROM #game/video", [["2024-06-08"]]),
    ("TABLE WITHOUT ID date(today) - dur(1 month) FROM #game/video", [["2024-05-01"]]),
    ("TABLE WITHOUT ID date(2024-01-31) + dur(1 month) FROM #game/video", [["2024-02-29"]]),
    ("TABLE WITHOUT ID date(today) + dur(1 year) FROM #game/video", [["2025-06-01"]]),
    ("TABLE WITHOUT ID date(today) + dur(2 hours) FROM #game/video", [["2024-06-01T02:00"]]),
    ("TABLE WITHOUT ID date(2024-06-01) - date(2024-05-30) FROM #game/video", [["2 days"]]),
    ("TABLE WITHOUT ID dur(1 day) + dur(3 hours) FROM #game/video", [["1 day, 3 hours"]]),
    ("TABLE WITHOUT ID dur(1 week), dur(2 days, 4 hours), dur(\"3 minutes\") FROM #game/video",
     [["7 days", "2 days, 4 hours", "3 minutes"]]),
    ("TABLE WITHOUT ID dur(36 hours).days, dur(1 day).hours FROM #game/video", [[1.5, 24]]),
    ("TABLE WITHOUT ID dur(1 day) > dur(23 hours), dur(2 days) * 2 FROM #game/video", [[True, "4 days"]]),
    ("TABLE WITHOUT ID date(2024-06-01).weekday, date(2024-06-01).month, date(2024-06-01).day FROM #game/video",
     [[6, 6, 1]]),
    ('TABLE WITHOUT ID dateformat(date(2024-06-01), "yyyy-MM-dd"), dateformat(published, "MMMM yyyy") '
     "FROM #book/fantasy", [["2024-06-01", "September 1937"]]),
    ("TABLE WITHOUT ID striptime(date(now)) FROM #game/video", [["2024-06-01"]]),
    ("LIST FROM #book WHERE published >= date(today) - dur(100 years)", ["Dune", "Neuromancer", "The Hobbit"]),
    ("LIST FROM #book WHERE date(today) - published > dur(50 years)", ["Dune", "The Hobbit"]),
    ("LIST WHERE due-date AND due-date - date(today) < dur(60 days)", ["Garden"]),
    ("TABLE WITHOUT ID released + dur(10 years) FROM #game/video", [["1994-06-06"]]),
    # --- this, row --------------------------------------------------------------------------------------
    ("TABLE WITHOUT ID row.rating FROM #game/video", [[7]]),
    ('TABLE WITHOUT ID row["players"] FROM #game/video', [[1]]),
    # --- comments and layout -------------------------------------------------------------------------------
    ("LIST\nFROM #game\n// only board games\nWHERE contains(file.tags, \"#game/board\")\nSORT file.name DESC",
     ["Go", "Chess"]),
    ("  TABLE   rating  \n  FROM   #game/video  ", [["Tetris", 7]]),
]

ERRORS: list[tuple[str, str]] = [
    ("", "empty query"),
    ("SELECT * FROM x", "unknown query type"),
    ("LIST FROM", "ends too early"),
    ("TABLE rating FROM #game WHERE", "ends too early"),
    ("LIST WHERE rating >", "ends too early"),
    ("LIST WHERE (rating > 1", "ends too early"),
    ("LIST WHERE nosuch(1)", "unknown function nosuch()"),
    ("LIST LIMIT -1", "LIMIT needs a whole number"),
    ('LIST LIMIT "x"', "LIMIT needs a whole number"),
    ('LIST FROM csv("data.csv")', "csv"),
    ("LIST FROM incoming([[Dune]])", "incoming"),
    ("CALENDAR", "ends too early"),
    ("TABLE rating FROM #game SORT", "ends too early"),
    ("LIST WHERE rating ==== 1", "unexpected"),
    ("LIST FROM #a WHERE x = dur(3 fortnights)", "not a duration"),
    ('LIST WHERE lower(1) = "x"', "lower() expects text"),
    ('LIST WHERE regexmatch("(", file.name)', "bad regular expression"),
    ("LIST GROUP rating", "unexpected"),
    ("TABLE WITHOUT rating", "unexpected"),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_query(query: str, expected: Any, pages) -> None:
    if expected is None:
        with pytest.raises(QueryError):
            run(query, pages, now=NOW)
        return
    assert plain(run(query, pages, now=NOW)) == expected


@pytest.mark.parametrize(("query", "fragment"), ERRORS, ids=[e[0][:60] or "empty" for e in ERRORS])
def test_error(query: str, fragment: str, pages) -> None:
    with pytest.raises(QueryError, match=None) as info:
        parse(query)
        run(query, pages, now=NOW)
    assert fragment.lower() in str(info.value).lower()


def test_enough_cases() -> None:
    assert len(CASES) + len(ERRORS) >= 150
