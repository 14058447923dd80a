from archive.normalize import content_hash, normalize_text


def test_normalize_cleans_whitespace_and_invisible_characters() -> None:
    raw = "Caf\u0065\u0301\u00a0 news\r\n\r\n\r\n\tSecond\u200b line  \x07"
    assert normalize_text(raw) == "Café news\n\nSecond line"


def test_hash_ignores_line_breaks_and_unicode_form() -> None:
    a = normalize_text("One two.\nThree café.")
    b = normalize_text("One  two.\n\nThree cafe\u0301. ")
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(normalize_text("One two. Three cafe."))


def test_every_run_of_spaces_is_one_space_and_lines_lose_their_edges() -> None:
    raw = "a\u3000\u00a0 b\t\tc \u2003 \n  d\u00a0\n\n\n\n e  \u2028 f"
    assert normalize_text(raw) == "a b c\nd\n\ne\nf"
