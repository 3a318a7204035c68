"""English danger clusters marked "ask": emergencies whose words belong to a service (too many tablets, water on
the fuse box, a person with dementia who wandered off, sudden confusion) are asked about ("Do you need emergency
help right now?"), and a near miss with the same service words is not an emergency at all.

Every sentence here was written for these tests; none is taken from the training corpus, the evaluation or the
held-out sets. UK, US, Australian and Irish phrasing, some as a speech recogniser renders a call.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN = Locale.EN

# (cluster, sentences that are a doubtful emergency to ask about, a near miss that is not an emergency)
DANGERS: list[tuple[str, tuple[str, ...], str]] = [
    (
        "overdose",
        ("Grandma swallowed all her water tablets at once", "my mam is after taking too many of her pills"),
        "I need more tablets, mine ran out on Sunday",
    ),
    (
        "intruder acting",
        ("Somebody is climbing in through the kitchen window", "someone got into my flat and theyre still inside"),
        "Could someone come and look at my kitchen window, it sticks",
    ),
    (
        "stranger inside",
        ("There's a strange bloke in my hallway", "a man i dont know is in the garden looking in"),
        "A stranger asked me the way to the post office",
    ),
    (
        "gas",
        ("The gas is leaking from my hob, I can hear it", "whole kitchen smells of rotten eggs"),
        "My gas bill came today and I'd like help to read it",
    ),
    (
        "electrics sparking",
        ("The plug socket in the lounge is sparking", "the fuse box is fizzing and it's gone black"),
        "I need a new plug socket put in by my bed",
    ),
    (
        "water on electrics",
        ("Water is dripping onto the fuse box from the bath upstairs", "theres water coming out of the ceiling light"),
        "There's water under the sink, I think it's the pipe",
    ),
    (
        "flames",
        ("There are flames coming out of the toaster", "flames shooting up from the chip pan"),
        "The flame on my cooker has gone a funny yellow colour",
    ),
    (
        "stroke in everyday words",
        ("Mum's mouth has gone crooked and she's talking gibberish", "his arm's gone dead and the room is spinning"),
        "My arm's a bit stiff in the mornings, could the physio come round",
    ),
    (
        "one side",
        ("His left side won't move since he sat down", "the right side of my body won't move"),
        "The left side of my garden fence blew down",
    ),
    (
        "sudden confusion",
        ("Dad suddenly doesn't recognise me at all", "Nan isn't making any sense, she was fine yesterday"),
        "Mum gets muddled with the forms, could someone help her fill them in",
    ),
    (
        "low sugar with symptoms",
        ("his sugars have crashed and he's clammy", "Mum's sugar dropped and she's all shaky"),
        "My blood sugar has been a bit low, can I see the nurse",
    ),
    (
        "not responding",
        ("Dad is slumped on the sofa and won't respond", "my wife wont answer me and her lips are blue"),
        "My daughter won't answer my texts, we had a row",
    ),
    (
        "not waking",
        ("My hubby isn't waking up and it's gone ten", "cant rouse her she's breathing but that's it"),
        "I'm not waking up early enough for the bus",
    ),
    (
        "down on the floor",
        ("I'm down on the landing and my legs won't work", "mum's at the bottom of the stairs moaning"),
        "Could someone lay a new carpet on the landing",
    ),
    (
        "breathing",
        ("I'm gasping and I can't get enough air", "his breathing is really shallow and he's gone clammy"),
        "I'm a bit wheezy with this cold, can I get a prescription",
    ),
    (
        "choking",
        ("food stuck in her throat and she can't swallow", "something stuck in his throat and he can't cough"),
        "I had a fish bone stuck last week but it's gone now",
    ),
    (
        "allergic swelling",
        ("My tongue is swelling up after those nuts", "her lips are puffing up since the wasp sting"),
        "My lips are dry and chapped, can I get some cream",
    ),
    (
        "burn",
        ("I scalded my leg with the kettle and it's blistering", "burnt my hand on the oven, the skin's peeling"),
        "I burnt the dinner, can I get a hot meal delivered",
    ),
    (
        "bleeding",
        ("The knife slipped and it's pouring out of my thumb", "I cut my wrist on a broken glass and it's deep"),
        "Could someone cut my hedge on Friday",
    ),
    (
        "sudden headache",
        (
            "Worst headache I've ever had, came on all of a sudden",
            "this headache came out of nowhere and I'm being sick",
        ),
        "I keep getting headaches in the afternoon, can I see the GP",
    ),
    (
        "heart",
        (
            "My heart is pounding and I feel like I'll pass out",
            "my heart's going like the clappers, I'm going to black out",
        ),
        "I get palpitations when I have coffee so I've stopped drinking it",
    ),
    (
        "grey and sweaty",
        ("Dad looks grey and clammy, he's just sitting there", "she's pale and sweaty and feels sick"),
        "My hair's gone grey, can you recommend a hairdresser",
    ),
    (
        "welfare",
        ("Haven't seen her for days and I can hear her groaning", "her curtains are still shut and she's calling out"),
        "My neighbour's curtains are lovely, she made them herself",
    ),
    (
        "diabetic symptoms",
        ("Dad's diabetic and he's trembling and sweaty", "she's on insulin and now she's drowsy and confused"),
        "I'm diabetic and I'd like the low sugar meals please",
    ),
    (
        "wrong dose with symptoms",
        (
            "I took my morning tablets twice and I feel really sick",
            "he had someone else's pills by mistake, he's drowsy",
        ),
        "I think I missed a dose of my tablets, what should I do",
    ),
    (
        "numbness",
        ("I can't feel my right leg", "cant feel his face on one side"),
        "I can't feel the heating coming through, the radiators are cold",
    ),
    (
        "arm and leg weakness",
        ("My arm wont work and my leg keeps giving way", "her arm won't work and her leg has gone dead"),
        "My leg is weak since the operation, I need a lift to physio",
    ),
    (
        "fall injury",
        (
            "Mum tripped on the kerb and her wrist is at a funny angle",
            "he went down in the garden, he can't put weight on it",
        ),
        "Dad slipped in the shower last year, can we get a grab rail",
    ),
    (
        "wandering",
        ("Mum with Alzheimer's has gone missing", "He wandered off in his pyjamas this morning"),
        "Our cat wandered off but she came back for her tea",
    ),
    (
        "lying outside not moving",
        (
            "the old man next door is lying on the front path and not moving",
            "Dad's been lying out in the garden since this morning, he's not moving",
        ),
        "The dog's been lying out on the patio since breakfast, lazy thing, he's grand",
    ),
    (
        "a collapse in other words",
        ("Nan stood up from the table and just crumpled", "he keeled over in the queue at the post office"),
        "My good shirt came out of the wash all crumpled",
    ),
    (
        "an emergency after 'it's not about the ride'",
        ("It's not about the lift any more, my husband just crumpled to the floor in the hall",),
        "It's not about the lift, I'd like to join the walking group on Friday",
    ),
    (
        "stuck in the bath",
        ("I'm stuck in the bath and the water's stone cold", "mum's been in the bath for hours and she's shivering"),
        "Could I get a bath seat so I don't get stuck",
    ),
]


@pytest.mark.parametrize(("name", "dangers", "near_miss"), DANGERS, ids=[d[0] for d in DANGERS])
def test_a_danger_in_service_words_is_asked_about_and_its_near_miss_is_not(
    name: str, dangers: tuple[str, ...], near_miss: str
) -> None:
    for text in dangers:
        result = match(text, EN)
        assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM), (name, text, result)
    result = match(near_miss, EN)
    assert result.intent is not Intent.EMERGENCY, (name, near_miss, result)


# An emergency word about the past, a drill, the telly or a figure of speech ("not_now" cues): asked about or read
# as the service it is, never acted on at once.
NOT_NOW: list[str] = [
    "Since his stroke Grandad hasn't been able to do his garden",
    "Mum had a stroke a year ago and she's getting on fine",
    "Before my stroke I used to go to the bingo every week",
    "I had a fall two years ago, I'm grand now",
    "The grandkids nearly gave me a heart attack jumping out from behind the sofa",
    "I fell out with the woman next door about the bins",
    "Our fire drill went fine this afternoon",
    "We had a fire alarm test at the flats this morning",
    "i cant breathe for laughing at that dog",
    "My brother was an ambulance driver for thirty years",
    "Since the break-in last year I lock everything twice",
    "The garden shed has collapsed in the wind",
    "I can't talk to a machine, put me through to a person",
    "The electric fire in the lounge has stopped working",
]

# The same words said of now stay an emergency acted on at once.
STILL_NOW: list[str] = [
    "I think Dad is having a stroke",
    "There's a fire in the kitchen",
    "I fell and I can't get up",
    "My husband has collapsed in the hall",
    "the smoke alarm is going off and the room is full of smoke",
    "call nine one one nine one one",
    "nine nine nine nine nine nine",
    "Mum can't get up off the floor",
    "I've slipped in the kitchen and I can't get up",
    "I slipped on the stairs and I can't get up, my hip",
]


@pytest.mark.parametrize("text", NOT_NOW)
def test_an_emergency_word_about_the_past_or_a_figure_of_speech_is_not_acted_on(text: str) -> None:
    result = match(text, EN)
    assert (result.intent, result.decision) != (Intent.EMERGENCY, Decision.ACCEPT), (text, result)


@pytest.mark.parametrize("text", STILL_NOW)
def test_an_emergency_said_of_now_is_still_acted_on(text: str) -> None:
    result = match(text, EN)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, result)


def test_a_denied_emergency_is_not_acted_on() -> None:
    result = match("No emergency, I only rang about my bins", EN)
    assert (result.intent, result.decision) != (Intent.EMERGENCY, Decision.ACCEPT), result


# An ordinary request or remark that merely contains a word of pain, dizziness, blood, gas or a fall (a doctor's
# matter, a bill, a gas fire to service, a ride that fell through) or a misheard-looking word ("painted" is not
# "fainted", "turning" is not "burning"): the service it is, or nothing, never an emergency question.
NOT_AN_EMERGENCY: list[str] = [
    "I get a pain in my shoulder now and then, nothing much",
    "I come over a bit dizzy if I get up too fast from my chair",
    "Has the chemist sent my blood thinners yet",
    "The man's coming to service the gas fire on Friday, is that right",
    "Sorry, I'm fine, it's only that my ride fell through for Thursday",
    "I've been feeling run down since Easter, not urgent at all",
    "My feet go numb in bed at night, it's been like that a while",
    "My chest has been wheezy all winter, I'd like a check",
    "Did my blood thinner come with the delivery",
    "Could you help me choose a present for the vicar",
    "We've had the front room painted a lovely green",
    "I'm turning sixty-five in May, what happens with my pension",
    "Could someone come and sit with Dad for a couple of hours",
    "The back gate doesn't shut properly and I'm frightened the dog gets out",
    # "get up" as in climbing: a ladder, a chair or the stairs is a job for the handyman, not a fall.
    "I can't get up the ladder to change the bulb in the hall any more",
    "Mum can't get up on a chair to reach the top shelf now, could someone lower it",
    "Dad can't get up the stairs any more without a second handrail",
    "I cannot get up onto the step stool to reach the cupboard over the fridge",
    # ...also where the fallen pattern's place words are there ("on the landing", "on the stairs"): its "can't get
    # up" is hidden from the pattern ("not_emergency" cues) as from the keyword.
    "I can't get up the ladder to change the bulb on the landing any more",
    "The bulb on the stairs has gone and I can't get up the ladder to change it",
]

# A remark about the past or about somebody else's day that holds a strong emergency word: asked about at most.
NOT_ACTED_ON: list[str] = [
    "The ambulance was outside number four this morning, I hope she's all right",
    "My late husband fought the big factory fire in sixty-eight",
    "The carer smells of smoke when she comes in, can I complain",
    "We watched the fire on the telly last night, terrible",
]

# Narrowed wordings still reach a real emergency: asked about.
STILL_ASKED: list[str] = [
    "I'm in excruciating agony, please",
    "Grandad is screaming in agony out in the garden",
]


@pytest.mark.parametrize("text", NOT_AN_EMERGENCY)
def test_an_ordinary_request_with_a_pain_or_danger_word_is_not_an_emergency(text: str) -> None:
    result = match(text, EN)
    assert result.intent is not Intent.EMERGENCY, (text, result)


@pytest.mark.parametrize("text", NOT_ACTED_ON)
def test_a_strong_emergency_word_about_the_past_is_not_acted_on(text: str) -> None:
    result = match(text, EN)
    assert (result.intent, result.decision) != (Intent.EMERGENCY, Decision.ACCEPT), (text, result)


@pytest.mark.parametrize("text", STILL_ASKED)
def test_a_narrowed_pain_wording_is_still_an_emergency(text: str) -> None:
    result = match(text, EN)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)
