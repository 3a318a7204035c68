"""Per-language normalisation: fillers, stutters, numbers, accents, pinyin and jamo forms."""

from __future__ import annotations

from intents.catalog import load
from intents.normalise import BREAK, jamo, loose_pinyin, normalise, strip_accents
from intents.types import Locale


def units(text: str, locale: Locale) -> list[str]:
    return [u for u in normalise(text, load(locale).rules).units if u != BREAK]


def test_english_case_punctuation_fillers_and_stutters() -> None:
    assert units("Uh, I, I need the the DOCTOR!", Locale.EN) == ["i", "need", "the", "doctor"]
    assert units("um on my on my request", Locale.EN) == ["on", "my", "request"]
    assert units("I can't breathe", Locale.EN) == ["i", "cant", "breathe"]


def test_english_numbers_and_plurals() -> None:
    assert units("call nine one one", Locale.EN) == ["call", "911"]
    assert units("my pills", Locale.EN) == ["my", "pill"]


def test_clause_breaks_are_kept_between_clauses() -> None:
    norm = normalise("I'm not hurt, but the heating broke", load(Locale.EN).rules)
    assert BREAK in norm.units
    assert norm.units.index(BREAK) < norm.units.index("heating")


def test_spanish_accents_and_fillers() -> None:
    assert strip_accents("médico ñandú") == "medico nandu"
    assert units("Eh, pues, necesito el MÉDICO", Locale.ES) == ["necesito", "el", "medico"]
    assert units("llamen al uno uno dos", Locale.ES) == ["llamen", "al", "112"]


def test_chinese_fillers_digits_spaces_and_pinyin() -> None:
    assert "".join(units("嗯 那个 我 要 看 医生", Locale.ZH)) == "我要看医生"
    assert "".join(units("快打一二零", Locale.ZH)) == "快打120"
    # a single digit character inside a word is not a number
    assert "".join(units("我一个人", Locale.ZH)) == "我一个人"
    # homophones share a sound form: 一生 (a lifetime) is what recognisers write for 医生 (doctor)
    assert normalise("一生", load(Locale.ZH).rules).sound == normalise("医生", load(Locale.ZH).rules).sound
    assert loose_pinyin("是") == loose_pinyin("四") == "si4"  # sh/s merged, as southern speakers say it
    # ...but the tone is kept: 机就 (ji1 jiu4, in "座机就行", the landline will do) is not 急救 (ji2 jiu4, first aid)
    assert normalise("机就", load(Locale.ZH).rules).sound != normalise("急救", load(Locale.ZH).rules).sound
    assert loose_pinyin("A") == "A"


def test_korean_fillers_spacing_digits_and_jamo() -> None:
    assert "".join(units("음 저기 병원 에 가야 돼요", Locale.KO)) == "병원에가야돼요"
    assert "".join(units("일일구 불러 주세요", Locale.KO)) == "119불러주세요"
    assert jamo("병") == "\u1107\u1167\u11bc"
    flat_a = normalise("병원", load(Locale.KO).rules).flat
    flat_b = normalise("병언", load(Locale.KO).rules).flat
    assert len(flat_a) == len(flat_b) == 6 and sum(a != b for a, b in zip(flat_a, flat_b, strict=True)) == 1


def test_only_fillers_is_empty() -> None:
    assert normalise("uh, um... hmm", load(Locale.EN).rules).empty
    assert normalise("嗯 呃", load(Locale.ZH).rules).empty
    assert normalise("음 어", load(Locale.KO).rules).empty
    assert not normalise("help", load(Locale.EN).rules).empty


def test_an_emergency_number_said_twice_stays_that_number() -> None:
    assert units("nine one one nine one one", Locale.EN) == ["911"]
    assert units("nine nine nine, nine nine nine", Locale.EN) == ["999"]
    assert units("one two three four", Locale.EN) == ["1234"]


def test_a_korean_word_that_doubles_a_syllable_keeps_it() -> None:
    # 심심 (bored), 적적 (lonely), 깜빡깜빡 (forgetful) are words, not stutters: collapsed to one syllable they turned
    # up inside 조심 (careful), 적금 (savings), 고맙심더 (thank you, Gyeongsang) and 심해요 (it is severe).
    assert "".join(units("너무 심심해요", Locale.KO)) == "너무심심해요"
    assert "".join(units("집이 적적해", Locale.KO)) == "집이적적해"
    assert "".join(units("자꾸 깜빡깜빡해요", Locale.KO)) == "자꾸깜빡깜빡해요"
    # A repeat that begins a new word is still a stutter, by word or by syllables.
    assert "".join(units("아파 아파요", Locale.KO)) == "아파요"
    assert "".join(units("병원 병원 가야 돼", Locale.KO)) == "병원가야돼"
    assert "".join(units("병 원 병 원 가야 돼", Locale.KO)) == "병원가야돼"
    assert "".join(units("일일구 불러", Locale.KO)) == "119불러"
