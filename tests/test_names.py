"""Given names and the reader's own name (offline/names.py)."""

from __future__ import annotations

from mailstencil.offline.names import given_share, names_reader


def test_given_share_counts_values_whose_first_word_is_a_given_name() -> None:
    assert given_share(["Anna Weber", "Tom Rossi", "Priya Nair", "Core Platform"]) == 0.75
    assert given_share(["ANNA Weber", "  José Ruiz"]) == 1.0  # any case, leading spaces
    assert given_share(["2 Anna", "Team Anna"]) == 0.0  # the first word only
    # a word more often something else is no given name: a date's month, a verb
    assert given_share(["Jan 12", "May 3", "Mark as read"]) == 0.0


def test_given_share_of_no_values_is_zero() -> None:
    assert given_share([]) == 0.0
    assert given_share(["", ""]) == 0.0
    assert given_share(["", "Anna Weber"]) == 1.0  # empty values do not count


def test_names_reader_compares_words_with_the_address() -> None:
    # (our own examples) a word of three letters or more of the name, accents folded, in the
    # address's local part
    assert names_reader("Leon Gould", "leon.gould59@example.org")
    assert names_reader("D. Johnson", "djohnson@post.example")
    assert names_reader("Jürgen Weiß", "juergen.w@mail.example")
    assert names_reader("Jürgen Weiß", "jurgen.w@mail.example")
    assert names_reader("Jürgen Weiß", "jw.weiss@mail.example")
    assert names_reader("Zoë Ng", "zoe.ng@mail.example")
    assert not names_reader("Jürgen Weiß", "j.w@mail.example")
    assert not names_reader("Ravi Menon", "leon.gould59@example.org")
    assert not names_reader("Al", "al@example.org")  # too short to tell
    assert not names_reader("Leon", "")
    assert not names_reader("Leon", "@leon.example")  # the domain is not the reader's name
