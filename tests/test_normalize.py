from archive.normalize import content_hash, normalize_text


def test_normalize_cleans_whitespace_and_invisible_characters() -> None:
    raw = "Caf\u0065\u0301\u00a0 news\r\n\r\n\r\n\tSecond\u200b line  \x07"
    assert normalize_text(raw) == "Café news\n\nSecond line"


def test_hash_ignores_line_breaks_and_unicode_form() -> None:
    a = normalize_text("One two.\nThree café.")
    b = normalize_text("One  two.\n\nThree cafe\u0301. ")
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(normalize_text("One two. Three cafe."))
