"""Korean particles chosen by the final consonant of the word before them: {service:이/가} in a catalog."""

from __future__ import annotations

# Particle pairs as a catalog writes them after a placeholder: the form after a final consonant (batchim)
# first, the form after a vowel second. 으로/로 also takes 로 after ㄹ (표준어 규정; 국립국어원 한국어 문법).
PAIRS: dict[str, tuple[str, str]] = {
    "이/가": ("이", "가"),
    "을/를": ("을", "를"),
    "은/는": ("은", "는"),
    "과/와": ("과", "와"),
    "으로/로": ("으로", "로"),
    "이나/나": ("이나", "나"),
    "이랑/랑": ("이랑", "랑"),
    "이에요/예요": ("이에요", "예요"),
}
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
FINALS = 28  # final-consonant slots per Hangul syllable block (Unicode 3.12, "Conjoining Jamo Behavior")
RIEUL = 8  # the slot of ㄹ
# Digits are read as Sino-Korean numerals: 영 일 이 삼 사 오 육 칠 팔 구 (references and phone numbers are
# read digit by digit); their final consonant slots.
DIGIT_FINALS = {"0": 21, "1": RIEUL, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": RIEUL, "8": RIEUL, "9": 0}
# Latin letters as Koreans name them: 엘, 엠, 엔, 알 end in a consonant, the other letter names do not.
LATIN_FINALS = {"l": RIEUL, "m": 16, "n": 4, "r": RIEUL}


def final_consonant(word: str) -> int:
    """The final-consonant slot (0: none) of the last sounded character of `word`."""
    for char in reversed(word.strip()):
        code = ord(char)
        if HANGUL_FIRST <= code <= HANGUL_LAST:
            return (code - HANGUL_FIRST) % FINALS
        if char in DIGIT_FINALS:
            return DIGIT_FINALS[char]
        if char.isalpha():
            return LATIN_FINALS.get(char.lower(), 0)
    return 0


def particle(word: str, pair: str) -> str:
    """The form of a particle pair ("이/가") that follows `word`."""
    after_consonant, after_vowel = PAIRS[pair]
    final = final_consonant(word)
    if pair == "으로/로" and final == RIEUL:
        return after_vowel
    return after_consonant if final else after_vowel


class Word:
    """A parameter value that takes a particle from its format spec: f"{Word('말벗'):이/가}" == "말벗이".

    Any other spec formats the value as usual ("{count:d}"); numbers take particles by how they are read.
    """

    def __init__(self, value: object) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        if spec in PAIRS:
            text = str(self.value)
            return text + particle(text, spec)
        return format(self.value, spec)

    def __str__(self) -> str:
        return str(self.value)
