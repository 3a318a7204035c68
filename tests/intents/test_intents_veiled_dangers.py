"""Dangers said in other words, found by a probe of 80 sentences a locale (6 December 2026): wanting to die said
without the word (pills put by, a goodbye and then no answer, "I won't be a burden much longer"), a scam under
way in the scammer's own words (a "safe account", a grandson arrested and a courier coming, someone at the door
demanding a card), confusion that began at lunch, and gas that "reeks". Each was rejected or read as a service;
each is now the quick emergency question, and wanting to die still reaches a person after a "no".

Also two ways the matcher acted on words that did not mean what they said: a fire or a fall the news told of
dialled at once ("did you see the fire at the flats on the news"), and in Korean, matched without spaces, the 안
(not) at the end of 동안 (during) negated the request after it ("일주일 동안 식사 배달 부탁드려요" was rejected).
Every sentence was written for these tests; none is taken from the probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

VEILED_SELF_HARM: list[tuple[Locale, str]] = [
    (EN, "I've been saving up my sleeping pills and I'm going to take them all tonight"),
    (EN, "Gran rang to say goodbye and now she's not answering her phone"),
    (EN, "I don't want to be here anymore, nobody would miss me"),
    (ZH, "我偷偷攒了一瓶安眠药，打算今晚吃"),
    (ZH, "我爸给我发消息说对不起我们，现在电话打不通"),
    (ZH, "我妈说她拖累我们够久了，过几天就解脱了"),
    (KO, "수면제를 몇 달 동안 모아 뒀는데 오늘 밤에 먹을 거예요"),
    (KO, "아버지가 그동안 고마웠다고 문자 보내고 전화를 안 받으세요"),
    (KO, "애들한테 짐만 되는데 이제 며칠만 있으면 편해질 거예요"),
    (ES, "Llevo semanas juntando pastillas y esta noche me las voy a tomar"),
    (ES, "Mi abuela nos mandó un mensaje de despedida y ahora no contesta"),
    (ES, "Ya no quiero seguir viviendo así"),
    (EN, "My neighbour gave me his war medals and said it was the last time I'd see him"),
]

OTHER_VEILED: list[tuple[Locale, str]] = [
    (EN, "A man from the gas board is at the door demanding cash for a new meter"),
    (EN, "The bank says I must move my savings into a safe account today"),
    (EN, "My grandson's been arrested and a courier is coming to collect the bail money"),
    (EN, "My dad has been completely confused since lunchtime, he was fine this morning"),
    (EN, "The kitchen reeks of gas"),
    (ZH, "有人打电话说我孙子被拘留了，让我马上转账交保证金"),
    (ZH, "电话里的人说是公安局的，让我把钱转到安全账户"),
    (ZH, "我妈今天早上还好好的，吃完饭就开始说胡话"),
    (KO, "손자가 사고를 쳐서 경찰서에 있다고, 합의금 받으러 사람이 온대요"),
    (KO, "은행이라면서 돈을 안전계좌로 옮기라고 해요"),
    (ES, "Me llamaron que mi nieto está detenido y viene un mensajero por el dinero de la fianza"),
    (ES, "Un señor en la puerta me exige que le dé mi tarjeta y la clave"),
    (EN, "Dad's so drowsy I can't rouse him properly, he was fine at breakfast"),
    (KO, "엄마가 오늘 아침까지 멀쩡하셨는데 지금은 저를 못 알아보세요"),
    (ES, "Mi abuelo estaba bien esta mañana y ahora no me reconoce"),
]

# What the news told of is asked about, never dialled at once.
ON_THE_NEWS: list[tuple[Locale, str]] = [
    (EN, "Did you see the fire at the flats on the news last night"),
    (ZH, "电视上说有个老人摔倒了好几天才被发现"),
    (KO, "뉴스에 어느 아파트에 불이 났다고 나오더라"),
    (ES, "En las noticias dijeron que hubo un incendio en una residencia"),
]

# ...but the caller's own emergency in the next sentence still is.
THEN_THEIR_OWN: list[tuple[Locale, str]] = [
    (EN, "I saw a fire on the news. Now my own kitchen is on fire!"),
    (ZH, "我看新闻了。现在我家厨房着火了！"),
]

# Everyday errands with a card, cash or a visit in them are not a scam: no emergency question.
NOT_SCAMS: list[tuple[Locale, str]] = [
    (EN, "My daughter is in my house and needs my bank card to do my shopping"),
    (ZH, "我闺女在楼下，让我把银行卡带下去，她帮我去交电费"),
    (KO, "딸이 집 앞에 와서 지금 연금 서류 달라고 해요"),  # 지금 and 연금 hold 금 (gold)
    (KO, "딸이 병원 예약이 잡혀서 문 앞에 데리러 온대요"),  # an appointment 잡혀 (is set), not arrested
    (KO, "손자 장난감 사고 싶어서 돈 보내라고 했어요"),  # 사고 싶어 (want to buy), not an accident
    (ES, "Mi hija está en su casa y me pide dinero para la compra"),
]

# Everyday talk next to the veiled wordings: not asked about (each was, with the patterns' first, broader words).
NOT_VEILED: list[tuple[Locale, str]] = [
    (EN, "I'm putting my feet up, I've had enough now"),
    (EN, "I've saved up my pension, there's enough now for a trip"),
    (EN, "I'm lost with this form, which way up does it go?"),
    (EN, "The doctor gave me his card, it was the last time I went"),
    (EN, "My daughter is in my flat and wants me to give her my bank card"),
    (ZH, "邻居把旧电视塞给我了，说他用不着了"),
    (ZH, "我妈一直挺好，就是有点犯糊涂"),
    (KO, "할머니가 마지막 남은 떡을 저한테 주시면서 웃으셨어요"),
    (KO, "수면제를 사다 놨어요"),
    (ES, "La vecina me regaló sus plantas y me abrazó, fue la última vez que la vi antes de mudarse"),
]

# Korean 동안 (during) ends in 안 (not): the request after it is not negated.
DURING: list[tuple[Locale, str, Intent]] = [
    (KO, "일주일 동안 식사 배달 부탁드려요", Intent.MEALS),
    (KO, "한 달 동안 병원 가는 차편이 필요해요", Intent.TRANSPORT),
]


@pytest.mark.parametrize(
    ("locale", "text", "person"), [(*c, True) for c in VEILED_SELF_HARM] + [(*c, False) for c in OTHER_VEILED]
)
def test_the_matcher_asks_and_only_wanting_to_die_reaches_a_person_after_a_no(
    locale: Locale, text: str, person: bool
) -> None:
    result = match(text, locale)  # asked, or acted on at once where a plain emergency phrase joins it (사고)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result
    assert result.person is person and (result.danger or not person)


@pytest.mark.parametrize(("locale", "text"), VEILED_SELF_HARM + OTHER_VEILED)
def test_the_model_cannot_overrule_them(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), ON_THE_NEWS)
def test_an_emergency_the_news_told_of_is_not_acted_on_at_once(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), result


@pytest.mark.parametrize(("locale", "text"), THEN_THEIR_OWN)
def test_the_callers_own_emergency_after_the_news_is_acted_on(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), result


@pytest.mark.parametrize(("locale", "text"), NOT_SCAMS + NOT_VEILED)
def test_an_errand_or_everyday_talk_is_not_asked_about(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY


@pytest.mark.parametrize(("locale", "text", "intent"), DURING)
def test_during_is_not_a_negation(locale: Locale, text: str, intent: Intent) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision, result.negated) == (intent, Decision.ACCEPT, False), result
