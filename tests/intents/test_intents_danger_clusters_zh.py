"""Dangers whose words belong to a service (zh): the catalog's "ask" clusters make them a doubtful emergency.

An overdose reads as medication, water on the wiring as a repair, a parent with dementia who wandered off as
transport, choking as meals, sudden confusion as companionship. Each case: sentences that must now be an emergency
asked about (CONFIRM), and a near-miss with the same words that must not be an emergency at all.
"""

from __future__ import annotations

import pytest

from intents.matcher import match
from intents.types import Decision, Intent, Locale

# cluster: (dangers to ask about, near-miss that is a service or chat)
CASES: dict[str, tuple[tuple[str, ...], str]] = {
    # a whole bottle, a double dose, the week's pills at once (medication words)
    "overdose": (
        ("我老伴把一整瓶安眠药都吞了", "我妈好像把降糖药又吃了一遍，手直发抖"),
        "我的降压药快吃完了，帮我再开一点",
    ),
    # water leaking onto sockets, switches, the fuse box or a light (repair words)
    "water_on_electrics": (
        ("楼上漏水，顺着墙渗到插座里去了", "灯罩里往下滴水，水都流到开关上了"),
        "厨房水管漏水了，帮我找个师傅",
    ),
    # sparks, crackling, a burning smell from sockets or wiring (repair words)
    "sparking_electrics": (("墙上的开关啪啪响，还冒蓝光", "电闸那儿滋滋响，还有胶皮味"), "客厅的灯泡坏了，帮我换一个"),
    # a person with dementia who went out and cannot be found (companionship/transport words)
    "dementia_wandering": (
        ("我爸有老年痴呆，一个人跑出去了，到处找不着", "我妈糊涂好几年了，早上出门到现在还没回来"),
        "我妈记性不好，老忘带钥匙，想找个人陪她",
    ),
    # lost or gone missing outside, after dark
    "lost_outside": (
        ("我迷路了，在街上转了好久，天都黑了", "我外公走丢了，手机也打不通"),
        "我不认识去医院的路，能派车接我吗",
    ),
    # suddenly not recognising family, talking nonsense
    "sudden_confusion": (
        ("我爸一下子不认识我了，昨天还好好的", "我奶奶突然胡言乱语，问她啥都答不对"),
        "我爸突然想吃红烧肉，帮我订点饭",
    ),
    # confusion with a high fever or after a knock to the head
    "confusion_fever_head": (
        ("我妈烧得厉害，一直在说胡话", "老伴磕到头以后就一直犯迷糊"),
        "我妈有点发烧，帮我约个医生",
    ),
    # shaken or called and no response, eyes open but no reaction
    "unresponsive": (
        ("我爸在沙发上怎么推都没反应", "姥姥睡到现在都没醒，喊她也不答应"),
        "我按了半天电视遥控器，没反应",
    ),
    # collapsed or slipped and cannot get up or out
    "collapsed": (
        ("我婆婆倒在卫生间里了，一动不动", "我在浴缸里滑倒了，自己出不来"),
        "地上有水，差点滑一下，帮我装个扶手",
    ),
    # cannot draw breath, too breathless to finish a sentence
    "breathing": (("我憋得慌，怎么吸都吸不进气", "我老伴呼吸特别浅，话都说不全了"), "我有点哮喘，想约个医生看看"),
    # food stuck, cannot cough it up, face turning colour (meals words)
    "choking": (("他吃糖块卡着了，脸憋得发青", "我妈喝粥呛到了，一直咳不出来"), "我吃饭老是呛着，想约个医生看看"),
    # cold sweat with a grey face, palpitations or chest symptoms
    "cold_sweat_shock": (("我爸满头冷汗，脸色灰白", "我妈浑身冰凉，还一阵阵心慌"), "我晚上老出虚汗，想约个中医看看"),
    # very low blood sugar or too much insulin, shaking and sweating (medication words)
    "low_blood_sugar": (("我血糖太低了，浑身直哆嗦", "我爸胰岛素打多了，现在一个劲儿出汗"), "帮我约个时间去量血糖"),
    # the worst headache ever, vomiting
    "worst_headache": (
        ("我头疼得像要炸开一样，从来没这么疼过", "我妈说头疼得像要炸了，还吐了"),
        "我头疼好几天了，想约个医生",
    ),
    # a cut that will not stop bleeding
    "heavy_bleeding": (
        ("切菜把手割开一个大口子，捂都捂不住", "我腿上划了个大口子，毛巾都湿透了"),
        "手上有个小伤口，帮我买点创可贴",
    ),
    # two signs of a stroke: face, an arm, a leg, speech, balance or vision, or a sudden onset
    "stroke_signs": (
        ("我老头子嘴角往下耷拉，话也说不出来了", "我突然右手拿不住筷子，走路也往一边倒"),
        "我的假牙不合适，说话老漏风，想约牙医",
    ),
    # a gas smell (rotten eggs) near the cooker, dizziness
    "gas_smell": (("煤气灶那边一股怪味，我头晕", "屋里一股臭鸡蛋味，越来越浓"), "这个月的燃气费怎么这么贵"),
    # a stranger trying the door, climbing in, refusing to leave
    "prowler": (
        ("有个陌生男的在我家门外转悠，还拽门把手", "有人翻墙跳进我家院子了", "有个人在我屋里", "有陌生人在我房间里"),
        "有个人老给我打电话推销保险",
    ),
    # a neighbour or parent not seen or heard for days
    "not_seen_for_days": (
        ("对门的大爷两天没开门了，屋里好像有人喊", "楼下的老爷子三天没拉窗帘，一点动静都没有"),
        "我好几天没出门了，想找人陪我聊聊天",
    ),
    # everything going black with shaking or a racing heart
    "about_to_faint": (("我眼前发黑，心跳得特别快", "我妈眼前一黑，浑身直哆嗦"), "我想约个眼科，看东西有点模糊"),
    # slurred speech and not knowing where they are
    "slurred_and_lost": (
        ("我爸说话含糊，问他在哪也答不上来", "我妈话都说不利索了，连我都认不出"),
        "我爸耳朵背，电话里老听不清",
    ),
    # a weight pressing on the chest
    "chest_pressure": (("我胸口像压了块大石头", "我心口堵得慌，像有人攥着"), "我胸口长了个小疙瘩，想约个医生看看"),
    # a limb or half the body suddenly without feeling
    "sudden_numbness": (("我两只脚一下子没知觉了", "我爸说他左手一点知觉都没了"), "我这条腿没知觉好多年了，想申请轮椅"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_danger_cluster_is_asked_about_and_its_near_miss_is_not(name: str) -> None:
    dangers, near_miss = CASES[name]
    for text in dangers:
        m = match(text, Locale.ZH)
        assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.CONFIRM), (text, m)
    m = match(near_miss, Locale.ZH)
    assert m.intent is not Intent.EMERGENCY, (near_miss, m)


# Second round. Plain clusters, acted on at once: (dangers, near-miss that must not be an emergency).
PLAIN: dict[str, tuple[tuple[str, ...], str]] = {
    # a pan or its oil on fire, flames reaching the hood or the cupboards
    "kitchen_fire": (
        ("灶上的油锅烧起来了，我扑不灭", "炒菜的锅着起来了，火苗窜到柜子上了"),
        "燃气灶的火苗太小了，帮我找人修修",
    ),
    # a smoke alarm with smoke or a burning smell
    "smoke_alarm_and_smoke": (
        ("家里的烟感一直在响，还有股焦味", "楼上烟雾报警器叫起来了，楼道里全是烟"),
        "帮我妈家装个烟雾报警器",
    ),
}

# Ask clusters (CONFIRM), as above.
ASK: dict[str, tuple[tuple[str, ...], str]] = {
    # a scald or burn over a large area, blistering (meals/medical words)
    "burn": (
        ("我妈被热油溅到，手上起了好多大泡", "开水洒在腿上，烫了一大片，皮都红了"),
        "泡脚的开水太烫了，帮我买个温度计",
    ),
    # a smoke alarm that keeps sounding, nothing else said: asked about, no longer acted on
    "smoke_alarm_sounding": (("烟雾报警器没电了，老是滴滴叫", "客厅的报警器一直在响，关不掉"), "烟雾报警器多少钱一个"),
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_danger_cluster_is_acted_on_and_its_near_miss_is_not(name: str) -> None:
    dangers, near_miss = PLAIN[name]
    for text in dangers:
        m = match(text, Locale.ZH)
        assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, m)
    m = match(near_miss, Locale.ZH)
    assert m.intent is not Intent.EMERGENCY, (near_miss, m)


@pytest.mark.parametrize("name", sorted(ASK))
def test_second_round_ask_cluster_is_asked_about_and_its_near_miss_is_not(name: str) -> None:
    dangers, near_miss = ASK[name]
    for text in dangers:
        m = match(text, Locale.ZH)
        assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.CONFIRM), (text, m)
    m = match(near_miss, Locale.ZH)
    assert m.intent is not Intent.EMERGENCY, (near_miss, m)


# Talk that borrowed an emergency word (or a homophone of one) and was made an emergency.
NOT_EMERGENCY = (
    "帮我给孙子买个生日蛋糕",  # 帮帮我 was stored as 帮我 (repeats collapse): any "help me buy ..." was a plea
    "我在家开窗透透气",  # 透不过气 was stored as 透气 (不过 "but" is a clause break)
    "帮我妈家装个烟雾报警器",  # 报警 inside 报警器
    "我儿子戒烟半年了",  # 烟
    "晚上吃火锅，真热闹",  # 火
    "我膝盖一阴天就疼",  # 疼 alone
    "我嗓子疼了两天了",
    "刷牙的时候牙龈出血，想看看牙医",  # 出血
    "过节了，家里就我一个人，想找人聊聊",  # 就我 sounds like 救我
    "我家门的猫眼坏了",  # 猫眼 sounds like 冒烟
    "我腿脚不行了，想找车送我去医院",  # 不行了; 脚不行 sounds like 叫不醒
    "我去年摔过一跤，现在没事了",  # a fall long ago
    "不用报警，窗户没被撬，是我自己忘关了",  # the forced-window cluster, denied
)


@pytest.mark.parametrize("text", NOT_EMERGENCY)
def test_borrowed_emergency_word_is_not_an_emergency(text: str) -> None:
    m = match(text, Locale.ZH)
    assert not (m.intent is Intent.EMERGENCY and m.decision is not Decision.REJECT), (text, m)


# Denied, nearly or no longer: at most asked about, never acted on at once.
NOT_ACTED_ON = (
    "我喘气挺顺的，就是膝盖老响",  # 喘气 matched 喘不过气
    "我刚才差点摔倒，幸好扶住了墙",  # 差点 (nearly) negates
    "救护车不用叫了，他已经醒了",  # 不用 after the word negates
)


@pytest.mark.parametrize("text", NOT_ACTED_ON)
def test_denied_or_nearly_is_not_acted_on(text: str) -> None:
    m = match(text, Locale.ZH)
    assert not (m.intent is Intent.EMERGENCY and m.decision is Decision.ACCEPT), (text, m)


def test_cant_catch_breath_with_but_inside_is_acted_on() -> None:
    # 喘不过气: the clause break inside the keyword is kept, so the keyword itself matches, not only its sound.
    m = match("他喘不过气来了", Locale.ZH)
    assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.ACCEPT), m


# Third round: ordinary requests that borrowed an emergency word ("帮我" + a relative, oversleeping, a fracture
# long healed, chronic dizziness, a fall last month) are not an emergency at all.
NOT_EMERGENCY_ROUND3 = (
    "早上我起不来那么早，帮我约下午的医生",  # 起不来: oversleeping, not a fall
    "请帮我爸约一下皮肤科",  # 帮我 + a relative: a request on someone's behalf, not a plea
    "帮我老伴装个洗澡椅",
    "请帮我妈问问有没有舞蹈班",
    "那个 买 大米 买 油 帮 我",  # shopping for rice and oil, then 帮我
    "我爸骨折以后一直打着石膏，做不了饭",  # a fracture being treated
    "我去年骨折过，想问问能不能装个扶手",  # a fracture long ago
    "上个月摔了一跤，现在好多了，想约个复查",  # a fall last month
)


@pytest.mark.parametrize("text", NOT_EMERGENCY_ROUND3)
def test_round3_borrowed_emergency_word_is_not_an_emergency(text: str) -> None:
    m = match(text, Locale.ZH)
    assert not (m.intent is Intent.EMERGENCY and m.decision is not Decision.REJECT), (text, m)


# Seen, figurative or minor: at most asked about, never acted on at once.
NOT_ACTED_ON_ROUND3 = (
    "昨天救护车停在我们楼下，听说没什么事",  # an ambulance seen yesterday
    "我一见生人就紧张得说不出话，想找个真人",  # speechless from nerves, not a stroke
    "手指头裂口出血了，想找医生看看",  # cracked skin bleeding
)


@pytest.mark.parametrize("text", NOT_ACTED_ON_ROUND3)
def test_round3_figurative_or_past_is_not_acted_on(text: str) -> None:
    m = match(text, Locale.ZH)
    assert not (m.intent is Intent.EMERGENCY and m.decision is Decision.ACCEPT), (text, m)


# A service word inside a sentence about another service: the sentence's own service is accepted.
RIGHT_SERVICE = (
    ("我的暖气补贴批下来没有", Intent.STATUS),  # asking whether an application went through, not heating
    ("我报的太极班哪天开课", Intent.STATUS),
    ("修热水器的师傅今天能来吗", Intent.STATUS),
    ("冰箱里啥也没有了，帮我买点吃的", Intent.MEALS),  # an empty fridge is about food, not a repair
    ("冰箱空空的，给我送点吃的", Intent.MEALS),
    ("我想跟调度员说两句话", Intent.OPERATOR),  # talking to staff, not company
    ("请帮我买一盒血糖试纸", Intent.MEDICATION),  # supplies, not a blood-sugar check
    ("来了一封挂号信，我看不懂", Intent.BENEFITS),  # registered letter, not 挂号 (a clinic booking)
    ("我要交燃气费，去哪儿交", Intent.BENEFITS),  # a bill, not the gas
)


@pytest.mark.parametrize(("text", "intent"), RIGHT_SERVICE)
def test_service_word_inside_another_service_request(text: str, intent: Intent) -> None:
    m = match(text, Locale.ZH)
    assert (m.intent, m.decision) == (intent, Decision.ACCEPT), (text, m)


# "X得我都要晕过去了" (so X I could faint) is a figure of speech, asked about at most (out of fold over the corpus,
# "这饭香得我都要晕过去了" dialled on 晕过去); someone who has fainted is still an emergency acted on at once.
FAINT_AS_A_FIGURE = ("这碗红烧肉香得我都要晕过去了", "今天热得我都快晕过去了，空调还坏了")
FAINTED = ("我妈刚才突然晕过去了", "我老伴晕过去了，叫不醒")


@pytest.mark.parametrize("text", FAINT_AS_A_FIGURE)
def test_so_much_i_could_faint_is_not_acted_on(text: str) -> None:
    m = match(text, Locale.ZH)
    assert not (m.intent is Intent.EMERGENCY and m.decision is Decision.ACCEPT), (text, m)


@pytest.mark.parametrize("text", FAINTED)
def test_someone_who_fainted_is_acted_on(text: str) -> None:
    m = match(text, Locale.ZH)
    assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, m)


# "打不着火" (the stove won't light) holds 着火 (on fire): with the gas pattern's "没味儿" (no smell) beside
# it, a probe's "燃气灶打不着火了，不是漏气啊，没味儿" dialled at once (7 December 2026). A stove that won't light
# is a repair, asked about at most; a kitchen on fire still dials.
WONT_LIGHT = ("燃气灶打不着火了，不是漏气，也没味儿，就是咔咔响", "热水器点不着火了，没什么味儿")
# Smoke filling the stairs, in Mandarin and in a Cantonese text ("都系烟"): a probe in regional speech had a
# Cantonese "成条楼梯都系烟" rejected (7 December 2026).
ON_FIRE = ("厨房着火了，我打不着电话", "锅里着火了", "走廊里都是烟，我出不去了", "楼梯间都系烟，我阿爸行唔郁，快啲嚟！")


@pytest.mark.parametrize("text", WONT_LIGHT)
def test_a_stove_that_wont_light_is_not_acted_on(text: str) -> None:
    m = match(text, Locale.ZH)
    assert not (m.intent is Intent.EMERGENCY and m.decision is Decision.ACCEPT), (text, m)


@pytest.mark.parametrize("text", ON_FIRE)
def test_a_fire_beside_the_same_words_is_acted_on(text: str) -> None:
    m = match(text, Locale.ZH)
    assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, m)
