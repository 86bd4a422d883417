"""The label lexicon (offline/lexicon.py): which fields a label's words mention, and how specifically."""

from __future__ import annotations

from mailstencil.offline.lexicon import EDGE_WORDS, mentions, specific


def test_lexicon_short_words_match_whole_words_only() -> None:
    # a short label word ("to", "de", "hi") only counts as itself, never as the start of a
    # longer word ("total", "den", "hier"); longer terms still match compounds ("Versandkosten")
    assert "arrival_airport" not in mentions("Total")
    assert "order_total" in mentions("Total")
    assert "departure_airport" not in mentions("den Lieferstatus")
    assert "recipient_name" not in mentions("hier klicken")
    assert "recipient_name" in mentions("Hi Anna,")
    assert "arrival_airport" in mentions("Flight to Lisbon")
    assert "shipping_amount" in mentions("Versandkosten")


def test_the_most_specific_reading_of_a_label() -> None:
    # a label that several fields' words hit reads as the field of its longest term
    assert specific("Trial End Date:", "end") == ["trial_end_date"]
    assert specific("Device Name:", "end") == ["device_name"]
    assert specific("Due By:", "end") == ["due_date"]
    assert {"event_time", "trial_end_date"} <= set(mentions("Trial End Date:", "end"))
    assert mentions("Order total:", "end") == ["order_number", "order_total"]  # in the lexicon's order
    assert specific("Order total:", "end") == ["order_total"]


def test_a_short_label_word_labels_only_the_value_next_to_it() -> None:
    # "to" labels "Flight to <airport>", not a sentence that merely contains it
    assert "arrival_airport" in mentions("Flight to", "end")
    assert "arrival_airport" not in mentions("We are writing to let you know that", "end")
    assert "arrival_airport" in mentions("We are writing to let you know that")  # no edge: anywhere
    assert "tax_amount" in mentions("Sales tax (estimated):", "end")
    assert "item_quantity" in mentions("x 2 each", "start")
    assert "order_total" in mentions("The total of this order, as charged to your card:", "end")  # long words


def test_a_text_that_starts_at_the_value_is_read_from_its_first_words() -> None:
    far = " ".join(["one"] * EDGE_WORDS) + " x"
    assert "item_quantity" not in mentions(far, "start")
    assert "item_quantity" in mentions(far)  # without an edge the short word counts anywhere
    assert "item_quantity" in mentions("x 2", "start")


def test_the_mail_speaking_of_itself_labels_no_address() -> None:
    # "this email" is the message, not the account's address; "your email" is
    assert "username" not in mentions("This email is to let you know that")
    assert "username" not in mentions("Diese E-Mail wurde automatisch versendet an")
    assert "username" in mentions("Your email address")
    assert "username" in mentions("E-Mail:")


def test_unspaced_labels_match_inside_the_text() -> None:
    # Japanese writes labels without spaces: a term counts wherever it stands
    assert mentions("ご注文番号：") == ["order_number"]
    assert "order_total" in mentions("お支払い金額")


def test_the_mails_own_machinery_is_boilerplate() -> None:
    assert mentions("Unsubscribe | Privacy policy") == ["boilerplate"]
    assert mentions("Abmelden") == ["boilerplate"]


def test_an_empty_label_mentions_nothing() -> None:
    assert mentions("") == [] and specific("") == []
    assert mentions("Lorem ipsum dolor") == []
