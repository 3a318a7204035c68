"""Wanting to die said in veiled words, and frauds under way, found by probes written on 6 December 2026, night, by
writers who saw neither the catalogs nor any set: of 42 such emergencies a locale (30 veiled wishes to die, 12 frauds
on the line or at the door), the whole decision caught only 45-55 % ("다 끝내고 싶어" was *accepted* as a wish for
company, "I'm just so tired of living, I don't want to do this anymore" was rejected, "没人会想我，少我一个不少" then
a phone switched off was read as loneliness, "me piden la clave de la tarjeta y que no cuelgue" was rejected). The
probe also showed grab-rail requests asked about as emergencies for the fall they are meant to prevent ("怕她滑倒",
"scared she'll slip and fall") and a ride asked about for "我腿不行了" (my legs are no good). Every sentence here was
written for these tests; none is taken from a probe or the corpus.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

# (locale, text, whether a "no" to the emergency question still reaches a person: wanting to die)
VEILED: list[tuple[Locale, str, bool]] = [
    (EN, "I'm tired of living and I just want it all to be over", True),
    (EN, "Tell the grandkids I love them, nobody would miss me anyway", True),
    (EN, "Dad rang to say thank you for everything and now his phone is switched off", True),
    (EN, "They'd all be better off without me", True),
    (EN, "I'm going to join my husband tonight, I can't go on", True),
    (ZH, "我这辈子就到这儿了，大家保重", True),
    (ZH, "反正没人会想我，我想早点解脱", True),
    (ZH, "老伴走了三年了，我今晚就去那边陪他", True),
    (KO, "이제 다 끝내고 싶어요", True),
    (KO, "나 하나 없어져도 아무도 몰라요", True),
    (KO, "사는 게 너무 힘들어서 그만하고 싶어요", True),
    (KO, "남편 따라가고 싶어요", True),
    (ES, "No puedo más, esta noche acabo con todo", True),
    (ES, "Mis hijos estarían mejor sin mí", True),
    (ES, "Soy una carga para todos, esta noche me voy de una vez", True),
    (EN, "There's a man on the other line from the bank asking for my PIN", False),
    (EN, "The tax office says I'll be arrested today unless I buy gift cards", False),
    (ZH, "客服说能退款，让我打开网银接着转", False),
    (ZH, "有个人在我家门口，要我把银行卡和密码给他", False),
    (KO, "손녀가 폰이 고장 났다고 당장 돈 보내 달래요", False),
    (ES, "Me piden el código del banco y que no cuelgue", False),
    (ES, "Mi sobrino cambió de número y me pide un Bizum ahora mismo", False),
]

# Everyday sentences in the same words: not asked about.
EVERYDAY: list[tuple[Locale, str]] = [
    (EN, "I'm ready to go, what time is the lift coming?"),
    (EN, "My daughter's got a new number, can you put it on my file?"),
    (ZH, "我要走了，再见"),
    (ZH, "我明天去陪她去医院"),
    (KO, "영감이 오늘 밤에 늦게 온대요"),
    (KO, "엄마 따라 시장에 가려고요"),
    (ES, "La semana que viene me voy con mi hermana y necesito más pastillas"),
    (ES, "Ya no aguanto más este calor"),
    (ES, "Esta noche me voy con mi hija al cine"),
    (ES, "Yo ya no voy a estar en casa el jueves, vengan el viernes"),
    (EN, "My son has a new number, can you change it on my file right now?"),
    (ZH, "我今晚去陪她，她一个人住院害怕"),
    (ZH, "昨晚一觉睡过去，睡得可香了"),
    (KO, "그런 일이 안 일어났으면 좋겠어요"),
    (KO, "내일 여기 없을 거니까 택배는 경비실에 맡겨 주세요"),
    (KO, "자식들한테 짐이 되기 싫어서 요양원 알아보고 있어요"),
    (KO, "제 번호가 바뀌었는데 당장 고쳐 주실 수 있어요?"),
    (ES, "Me llegó una carta de Hacienda, ¿me pueden ayudar ahora mismo?"),
    (ES, "Tengo número nuevo, ¿me lo pueden cambiar ahora mismo?"),
]

# A request that names the fall it is meant to prevent, or a body that is getting old: the service, not an alarm.
PREVENTED: list[tuple[Locale, str, Intent]] = [
    (EN, "Could someone put a rail in Dad's shower? We're scared he'll slip and fall in there", Intent.HOME_REPAIR),
    (ZH, "我妈卫生间想装个扶手，就是怕她滑倒", Intent.HOME_REPAIR),
    (ZH, "给我爸浴室铺个防滑垫，防止滑倒", Intent.HOME_REPAIR),
    (ZH, "星期天能派车接我去教堂吗？我腿不行了", Intent.TRANSPORT),
]


@pytest.mark.parametrize(("locale", "text", "person"), VEILED)
def test_the_matcher_asks_about_a_veiled_danger(locale: Locale, text: str, person: bool) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result
    assert result.person is person


@pytest.mark.parametrize(("locale", "text", "person"), VEILED)
def test_the_model_cannot_overrule_a_veiled_danger(
    model: SemanticOpinion, locale: Locale, text: str, person: bool
) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), EVERYDAY)
def test_everyday_talk_in_the_same_words_is_not_asked_about(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY


@pytest.mark.parametrize(("locale", "text", "intent"), PREVENTED)
def test_a_fall_to_prevent_is_the_service(locale: Locale, text: str, intent: Intent) -> None:
    result = match(text, locale)
    assert result.intent is intent and result.decision is not Decision.REJECT, result
