from gesprekscoach.engine import InputKind, classify_input
from gesprekscoach.engine.inputs import visible_text


def test_plain_message_is_normal() -> None:
    assert classify_input("Wat heeft u nodig?") is InputKind.NORMAL
    assert classify_input("ok") is InputKind.NORMAL


def test_markup_is_read_as_text() -> None:
    assert visible_text("<script>alert(1)</script> hallo") == "alert(1) hallo"
    assert classify_input("<script>alert('x')</script>") is InputKind.NORMAL
    assert classify_input("<br><br/>") is InputKind.STILTE


def test_none_is_silence() -> None:
    assert classify_input(None) is InputKind.STILTE
