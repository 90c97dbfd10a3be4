import pytest

from contact_center.crm.phones import InvalidPhoneNumber, region_of, to_e164, try_e164


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-0142", "US", "+14155550142"),
        ("+1 415 555 0142", "US", "+14155550142"),
        ("415.555.0142", "US", "+14155550142"),
        ("004420 7946 0000", "US", "+442079460000"),
        ("011 44 20 7946 0000", "US", "+442079460000"),
        ("020 7946 0000", "GB", "+442079460000"),
        ("030 1234567", "DE", "+49301234567"),
        ("+49 (0)30 1234567", "US", "+49301234567"),
    ],
)
def test_common_formats_normalise_to_e164(raw: str, region: str, expected: str) -> None:
    assert to_e164(raw, region) == expected


@pytest.mark.parametrize("raw", ["", "   ", "hello", "12", "+1 415 555", "anonymous"])
def test_unusable_numbers_are_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        to_e164(raw)
    assert try_e164(raw) is None


def test_region_of() -> None:
    assert region_of("+442079460000") == "GB"
    assert region_of("+14155550142") == "US"
