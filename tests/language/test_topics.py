"""Finding the topics of the inwoner's life in what the casemanager wrote."""

from __future__ import annotations

from gesprekscoach.language.topics import hits, normalise, touched


def test_normalising_drops_case_accents_and_punctuation() -> None:
    assert normalise("Hoé gáát het met DAAN?!") == "hoe gaat het met daan"


def test_whole_words_only() -> None:
    assert hits("Hoe gaat het met uw zoon?", ["zoon"]) == 1
    assert hits("Is dat een zoontjesding?", ["zoon"]) == 0


def test_a_trailing_star_matches_any_ending() -> None:
    assert hits("Voetbalt hij nog?", ["voetbal*"]) == 1
    assert hits("Hij is sportief", ["voetbal*"]) == 0


def test_phrases_match_in_order() -> None:
    assert hits("Heeft u ooit excuses gekregen?", ["excuses gekregen"]) == 2, "a phrase weighs more"
    assert hits("Gekregen: excuses?", ["excuses gekregen"]) == 0


def test_a_chat_typo_in_a_longer_word_is_tolerated() -> None:
    assert hits("hoe gaat het met je dochtre", ["dochter"]) == 1
    assert hits("hoe gaat het met je dochetr", ["dochter"]) == 1
    assert hits("en de schuldn?", ["schulden"]) == 1
    # Short words and other first letters are not guessed at.
    assert hits("Doet u nog iets naast de uitkering?", ["fiets"]) == 0
    assert hits("Hoe is het met uw zon?", ["zoon"]) == 0


def test_a_phrase_outweighs_a_word_of_another_topic() -> None:
    subjects = [("inkomen", ("bijstand",)), ("bedrag", ("hoeveel bijstand",))]
    assert touched("Weet u hoeveel bijstand u krijgt?", subjects)[0] == "bedrag"


def test_topics_are_ordered_by_how_clearly_they_are_named() -> None:
    subjects = [("werk", ("werk", "baan")), ("zoon", ("zoon", "daan", "school"))]
    assert touched("Hoe gaat het met Daan op school?", subjects) == ("zoon",)
    assert touched("Heeft uw zoon Daan al een baan?", subjects) == ("zoon", "werk")
    assert touched("Mooi weer vandaag", subjects) == ()
