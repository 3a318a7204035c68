"""Korean danger clusters (intents/catalogs/ko.json "clusters"): emergencies whose words belong to a service.

Sentences written for these tests. An "ask" cluster makes the matcher confirm ("do you need emergency help right
now?"), the FAST stroke cluster is acted on; the near-miss beside each must not be an emergency at all."""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

KO = Locale.KO

# (danger, decision expected, sentences that are that emergency, a near-miss that is no emergency)
CASES = [
    # overdose: a medicine with an amount far beyond a dose
    (
        "overdose",
        Decision.CONFIRM,
        [
            "할아버지가 혈압약을 한꺼번에 드신 것 같아요",
            "수면제를 한 움큼 먹었어요 어떡해요",
            "어머니가 진통제를 너무 많이 드셨어요",
        ],
        "혈압약 석 달 치를 한꺼번에 타다 주세요",
    ),
    # all the pills taken and now feeling wrong
    (
        "pills_finished_unwell",
        Decision.CONFIRM,
        ["약 을 다 먹었 어 속 이 이상 해", "아빠가 수면제를 다 드시고 계속 졸려 하세요"],
        "약을 다 먹어서 새로 처방받아야 해요",
    ),
    # very low blood sugar with sweating, shaking or confusion
    (
        "low_sugar",
        Decision.CONFIRM,
        ["남편 혈당이 뚝 떨어져서 식은땀을 흘려요", "할머니가 저혈당인지 눈이 풀리고 헛소리를 하세요"],
        "혈당 검사지가 다 떨어졌어요, 좀 사다 주세요",
    ),
    # food stuck in the throat
    (
        "choking_food",
        Decision.CONFIRM,
        ["엄마가 떡을 드시다가 목에 걸려서 켁켁거려요", "고기가 목에 걸려서 안 넘어가요 뱉 지도 못 해"],
        "떡이 목에 걸릴까 봐 못 먹겠어요",
    ),
    # a coughing fit that turns the face blue
    (
        "choking_blue",
        Decision.CONFIRM,
        ["아버지가 사레가 들리더니 얼굴이 시퍼래졌어요", "남편이 컥컥 하면서 얼굴이 보라색이 됐어"],
        "밥 먹다가 사레 들렸는데 이제 괜찮아요",
    ),
    # stroke, two FAST signs (plain cluster: acted on)
    (
        "stroke_fast",
        Decision.ACCEPT,
        [
            "영감이 입이 한쪽으로 비뚤어지고 말이 어눌해요",
            "어머니가 갑자기 오른팔이 안 올라가고 얼굴 한쪽이 처지셨어요",
        ],
        "얼굴 한쪽에 점이 생겼어요",
    ),
    # stroke, one sign: sudden one-sided weakness or numbness
    (
        "one_sided_weakness",
        Decision.CONFIRM,
        ["왼쪽 손이 갑자기 느낌이 없고 컵을 못 쥐겠어요", "아침부터 왼손에 힘이 하나도 안 들어가요"],
        "허리 때문에 오른쪽 다리가 저려서 한의원 가고 싶어요",
    ),
    # a family member who does not wake, move or answer
    (
        "unresponsive",
        Decision.CONFIRM,
        ["할아버지가 아무리 흔들어도 눈을 안 떠요", "아내가 소파에서 축 늘어져서 반응이 없어"],
        "남편이 밤에 안 깨고 푹 잘 자요",
    ),
    # fallen or stuck (bathtub, floor) and cannot get up or out
    (
        "long_lie_stuck",
        Decision.CONFIRM,
        ["욕조에서 혼자 나올 수가 없어요, 물이 다 식었어", "할머니가 밤새 바닥에 누워 계셨대요"],
        "욕조에 손잡이 좀 달아 주세요",
    ),
    # sudden confusion: someone not recognised, nonsense talk
    (
        "sudden_confusion",
        Decision.CONFIRM,
        ["아버지가 갑자기 저를 못 알아보시고 엉뚱한 소리를 하세요", "할머니가 아까까지 멀쩡하셨는데 헛소리를 하세요"],
        "엄마가 치매라서 저를 못 알아보세요, 말벗이 필요해요",
    ),
    # a person with dementia who went out and is missing
    (
        "dementia_missing",
        Decision.CONFIRM,
        ["치매 있는 어머니가 혼자 나가서 안 들어오세요", "할아버지가 치매신데 아침에 사라졌어요"],
        "치매 있으신 아버지 복지관 가는 차 좀 불러 주세요",
    ),
    # a stranger inside, at the handle, or something broken or searched
    (
        "intruder",
        Decision.CONFIRM,
        ["모르는 사람이 우리 집 마당에 들어왔어요", "누군가 밤마다 현관 손잡이를 돌려요"],
        "누가 우리 집 앞에 쓰레기를 자꾸 버려요",
    ),
    # water on the wiring, sparks from a socket or fuse box
    (
        "water_electric",
        Decision.CONFIRM,
        ["비가 새서 콘센트에 물이 들어갔어요", "두꺼비집에서 치지직 소리가 나고 불꽃이 보여요"],
        "천장에서 물이 새요, 수리 좀 해 주세요",
    ),
    # something in the kitchen or bedding caught fire
    (
        "caught_fire",
        Decision.CONFIRM,
        ["냄비 손잡이에 불이 붙었어요 부엌이 난리예요", "부엌 기름에 불이 붙었는데 물 부어도 돼요"],
        "가스레인지 불이 잘 안 붙어요, 고쳐 주세요",
    ),
    # a bad burn
    (
        "burn",
        Decision.CONFIRM,
        ["끓는 물에 손을 데어서 물집이 잡혔어요", "뜨거운 기름이 튀어서 살갗이 벗겨졌어요"],
        "뜨거운 물이 안 나와요",
    ),
    # a limb bent the wrong way after a misstep
    (
        "limb_twisted",
        Decision.CONFIRM,
        ["길에서 헛디뎌서 발목이 이상한 방향으로 돌아갔어요", "삐끗했는데 발을 땅에 디딜 수가 없어요"],
        "계단에서 헛디딜까 봐 손잡이를 달고 싶어요",
    ),
    # a named heart attack or stroke coming on again
    (
        "attack_again",
        Decision.CONFIRM,
        ["남편이 심근경색이 또 온 것 같아요", "협심증이 오는 것 같아 저번이랑 똑같아"],
        "심근경색 수술하고 정기 검진 받으러 가야 해요",
    ),
    # grey or pale with cold sweat and pain, sickness
    (
        "shock_signs",
        Decision.CONFIRM,
        ["남편 얼굴이 잿빛이고 토할 것 같대요", "식은땀을 흘리면서 팔이 아프다고 해요"],
        "식은땀이 나서 잠을 설쳤어요",
    ),
    # an asthma attack the inhaler does not relieve
    (
        "asthma",
        Decision.CONFIRM,
        ["천식 때문에 쌕쌕거리는데 흡입기가 소용없어요", "흡입기를 두 번 썼는데 효과가 없고 말을 잇기가 힘들어"],
        "천식 흡입기가 다 떨어졌어요",
    ),
    # blood vomited
    (
        "vomit_blood",
        Decision.CONFIRM,
        ["시커먼 걸 토했어요, 속이 쓰려요", "화장실에서 토했는데 핏덩이가 섞여 나왔어요"],
        "피검사 결과 좀 알려 주세요",
    ),
    # pain one rolls on the floor with
    (
        "severe_pain",
        Decision.CONFIRM,
        ["허리가 끊어질 것 같은 통증이 와요", "옆구리가 찢어지게 쑤셔서 데굴데굴 굴렀어요"],
        "다리가 아파서 병원 진료 받고 싶어요",
    ),
    # a neighbour not seen for days, moans heard inside
    (
        "neighbour_unseen",
        Decision.CONFIRM,
        ["옆집 할아버지가 사흘째 문을 안 열어요", "아래층 할머니가 며칠째 안 나오시는데 집 안에서 신음 소리가 나요"],
        "며칠째 택배가 안 와요",
    ),
    # danger declared with someone to be sent at once
    (
        "danger_send_now",
        Decision.CONFIRM,
        ["큰일났어요 당장 와 주세요", "여기 너무 위험해요 빨리 사람 좀 보내 줘요"],
        "빨리 와 주세요, 문 앞에서 기다리고 있어요",
    ),
    # round two: a wrong medicine or a doubled dose, and now unwell
    (
        "wrong_dose_unwell",
        Decision.CONFIRM,
        [
            "아버지가 심장약을 깜빡하고 세 번 드셨는데 맥박이 이상하게 느려요",
            "남편이 제 수면제를 잘못 먹었는데 자꾸 졸려 하고 눈이 풀렸어요",
        ],
        "혈압약을 하루에 두 번 먹는 거 맞죠, 처방전 좀 봐 주세요",
    ),
    # round two: bleach, detergent or pesticide swallowed
    (
        "poison_swallowed",
        Decision.CONFIRM,
        ["할머니가 세제를 음료수인 줄 알고 마셨어요", "아빠가 농약을 한 모금 드셨대요"],
        "락스랑 세제 좀 사다 주세요",
    ),
    # round two: sparks or a burning smell from an appliance
    (
        "appliance_sparks",
        Decision.CONFIRM,
        ["전자레인지 안에서 불똥이 튀어요", "세탁기 뒤에서 타닥타닥 소리가 나고 탄내가 나요"],
        "전기난로가 고장 나서 안 켜져요",
    ),
    # round two: diabetic, a missed meal or a second dose, now sweating, shaking or dazed
    (
        "diabetic_missed_meal",
        Decision.CONFIRM,
        [
            "당뇨가 있는 남편이 점심을 굶었더니 식은땀을 흘리고 덜덜 떨어요",
            "엄마가 인슐린을 또 맞으셨는데 멍하게 앉아 계세요",
        ],
        "당뇨 있는 엄마 점심 도시락 좀 배달해 주세요",
    ),
    # round two: fell a while ago and still on the floor
    (
        "fallen_still_down",
        Decision.CONFIRM,
        ["아버지가 부엌에서 넘어지고 나서 한 시간째 바닥에 계세요", "할머니가 미끄러진 채로 꼼짝을 못 하세요"],
        "작년에 넘어지고 나서 혼자 장 보기가 겁나요",
    ),
    # round two: gas left on, a strong smell
    (
        "gas_left_on",
        Decision.CONFIRM,
        [
            "엄마가 가스 밸브를 열어 놓고 나가셨는데 냄새가 심해요",
            "할아버지가 가스레인지를 켜 놓고 주무시는지 냄새가 나요",
        ],
        "가스 밸브가 뻑뻑해서 잘 안 돌아가요, 고쳐 주세요",
    ),
    # round two: more wordings of sudden confusion (the date, things not there)
    (
        "sudden_confusion_more",
        Decision.CONFIRM,
        ["할아버지가 갑자기 오늘이 무슨 요일인지도 모르세요", "엄마가 오전엔 괜찮았는데 지금은 헛것이 보인대요"],
        "엄마가 달력을 보시고 무슨 요일인지 알려 달래요",
    ),
    # round two: more wordings of one-sided weakness (grip, the corner of the mouth)
    (
        "one_sided_more",
        Decision.CONFIRM,
        ["오른손에 갑자기 힘이 없어서 숟가락을 못 쥐겠어요", "거울을 보니 한쪽 입꼬리가 안 올라가요"],
        "요즘 손에 힘이 없어서 병뚜껑을 못 따요",
    ),
    # round two: gasping, rattling breath, blue lips
    (
        "breathing_more",
        Decision.CONFIRM,
        ["남편이 숨을 몰아쉬면서 말을 끝까지 못 해요", "할머니 가슴에서 그르렁 소리가 나고 입술이 새파래졌어요"],
        "감기 때문에 목이 그르렁거려요, 병원 예약해 주세요",
    ),
    # round two: does not wake and is pale
    (
        "pale_not_waking",
        Decision.CONFIRM,
        ["영감이 아침부터 안 깨고 얼굴이 하얘요", "아빠를 깨워도 멍하시고 얼굴이 새하얘요"],
        "엄마 얼굴이 하얘서 예뻐 보여요",
    ),
    # round two: a stranger walking about inside, the caller hiding
    (
        "intruder_inside",
        Decision.CONFIRM,
        ["모르는 남자가 우리 집 안을 돌아다녀요", "누가 안방에 있어요, 저는 화장실에 숨어서 전화해요"],
        "누가 현관 앞에 택배를 두고 갔어요",
    ),
    # round two: a person with dementia out and not heard from
    (
        "dementia_no_contact",
        Decision.CONFIRM,
        [
            "치매 있는 아버지가 아침에 나가셨는데 연락이 안 돼요",
            "치매 엄마가 장에 가셨는데 해가 졌는데도 아직 안 오세요",
        ],
        "치매 검사 결과가 아직 안 나왔어요",
    ),
    # round two: leaking water reaching the meter
    (
        "water_meter",
        Decision.CONFIRM,
        ["새는 물이 전기 계량기로 떨어지고 있어요", "윗집에서 샌 물이 분전반을 적셨어요"],
        "계량기 검침원이 언제 와요",
    ),
    # violence by a person (a son who hits his mother, a carer who hit her): once rejected outright
    (
        "violence_by_a_person",
        Decision.CONFIRM,
        ["아들이 술만 먹으면 때려요 오늘 밤에 또 올까 봐 무서워요", "요양보호사가 우리 엄마를 때렸어요 멍이 들었어요"],
        "드라마에서 남편이 때리는 장면이 나왔어요",
    ),
]


@pytest.mark.parametrize(("name", "decision", "dangers", "near_miss"), CASES, ids=[c[0] for c in CASES])
def test_danger_cluster(name: str, decision: Decision, dangers: list[str], near_miss: str) -> None:
    for text in dangers:
        m = match(text, KO)
        assert (m.intent, m.decision) == (Intent.EMERGENCY, decision), (name, text, m.intent, m.decision)
    m = match(near_miss, KO)
    assert m.intent is not Intent.EMERGENCY, (name, near_miss, m.decision)


# Strong keywords narrowed in round two: figurative talk and alarms being fitted or tested are no emergency.
FIGURATIVE = [
    "손자 축구 경기 보다가 심장이 떨어지는 줄 알았어요",
    "가스비 고지서 보고 심장이 멎는 줄 알았네요",
    "그 드라마 주인공이 연기를 정말 잘해요",
    "복권 번호 보고 기절초풍할 뻔했어요",
    "화재경보기 건전지 좀 갈아 주세요",
    "화재 경보기 시험한다고 관리실에서 방송했어요",
]


@pytest.mark.parametrize("text", FIGURATIVE, ids=[f"figurative{i}" for i in range(len(FIGURATIVE))])
def test_figurative_is_no_emergency(text: str) -> None:
    m = match(text, KO)
    assert m.intent is not Intent.EMERGENCY, (text, m.decision)


# Round three: weak emergency words narrowed to the wordings of a danger. 불 sits in 불러/이불/환불,
# 아파 in 아파트, 피 in 피자/피부/피곤, 숨 in 목숨, 떨어졌 in an empty rice bag or a price; a sore or swollen
# leg, an ordinary ache, cooking smells, "누가 좀 같이 있어" and "사람 좀 불러" are no emergency.
ORDINARY = [
    "손주한테 동요 불러 주고 싶어요",
    "겨울 이불 좀 세탁소에 맡겨 주세요",
    "노래 한 소절 불러 드릴까요",
    "우리 아파트 엘리베이터가 새로 바뀌었어요",
    "손목이 아파 며칠 됐어요",
    "어깨가 며칠째 아파요",
    "발목이 부어서 걷기가 불편해요",
    "다리가 저려서 밤에 잠을 못 자요",
    "피곤해서 낮잠 좀 자야겠어요",
    "피자 시켜 먹고 싶어요",
    "피부가 건조해서 각질이 일어나요",
    "세제가 떨어졌는데 하나 사다 줄래요",
    "선반이 떨어졌어요, 다시 달아 주세요",
    "요즘 물가가 많이 떨어졌대요",
    "된장찌개 냄새가 좋네요",
    "목숨 걸고 키운 자식들이에요",
    "너무 웃겨서 숨넘어가는 줄 알았어요",
    "천둥 치면 무서워요",
    "누가 좀 같이 있어 주면 좋겠어요",
    "장 보는 것 좀 도와주세요",
    "사람 좀 불러 주세요",
]


@pytest.mark.parametrize("text", ORDINARY, ids=[f"ordinary{i}" for i in range(len(ORDINARY))])
def test_ordinary_words_are_no_emergency(text: str) -> None:
    m = match(text, KO)
    assert m.intent is not Intent.EMERGENCY, (text, m.decision)


# The "not_now" cues: a past or resolved fall or stroke, one seen on television, other people's falls, breathlessness
# on the stairs, oversleeping, an ambulance the caller says is not needed: never dialled at once.
NOT_NOW = [
    "작년에 넘어졌었는데 이제는 잘 걸어요",
    "엄마가 삼 년 전에 뇌졸중으로 고생하셨어요",
    "티비에서 심장마비 나오는 드라마를 봤어요",
    "계단만 올라도 숨이 차서 병원에 가 보려고요",
    "아침에 일찍 못 일어나니까 오후로 예약해 주세요",
    "구급차 부를 일은 아니고 병원까지 차 좀 태워 주세요",
    "골목이 얼어서 노인들이 자꾸 넘어져요",
    # laughing so hard one could not breathe: a figure of speech, in the short and the long form
    "손주 재롱에 숨을 못 쉴 정도로 웃었어요",
    "어제 코미디 보고 숨을 쉬지 못할 정도로 웃었지 뭐예요",
    "친구들이랑 웃다가 숨을 쉬지 못했어요",
]


@pytest.mark.parametrize("text", NOT_NOW, ids=[f"not_now{i}" for i in range(len(NOT_NOW))])
def test_not_now_is_not_dialled(text: str) -> None:
    m = match(text, KO)
    assert not (m.intent is Intent.EMERGENCY and m.decision is Decision.ACCEPT), (text, m.decision)
