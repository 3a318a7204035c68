"""Spanish danger clusters (catalog "clusters"): emergencies whose words belong to a service or to small talk.

Each cluster has sentences written for these tests that must now be an emergency (asked about for an "ask"
cluster, acted on for a plain one) and a near-miss with the same words that must not be an emergency at all.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

ES = Locale.ES

# (cluster, sentence): a doubtful emergency, asked about ("Do you need emergency help right now?").
ASKED = [
    ("overdose", "Mi madre se ha tomado el bote entero de somníferos"),
    ("overdose", "creo que me tome demasiadas de las azules"),
    ("electrics", "El alargador del salón echa chispas y hay olor a quemado"),
    ("electrics", "está entrando agua de la lluvia en el cuadro eléctrico"),
    ("fire", "Hay llamas en la cocina, la sartén"),
    ("fire", "se esta quemando la cortina del cuarto"),
    ("wandering", "Mi papá tiene alzheimer y se ha ido de casa, no lo encontramos"),
    ("wandering", "Mi madre salió de casa en bata y no ha vuelto, está desorientada"),
    ("choking", "A mi madre se le quedó atravesado un hueso de pollo y no puede toser"),
    ("choking", "la niña se trago algo y no puede respirar"),
    ("confusion", "Mi abuelo de repente está desorientado, no me reconoce"),
    ("confusion", "mi madre habla como borracho y esta mañana estaba bien"),
    ("low sugar", "Tengo una bajada de azúcar, estoy temblando y sudando"),
    ("low sugar", "mi padre es diabético, tiene el azúcar muy baja y está sudoroso"),
    ("unresponsive", "Mi hermana no se despierta y está fría"),
    ("unresponsive", "mi abuelo se ha desplomado en el sillón"),
    ("breathing", "A mi padre no le entra el aire y tiene los labios azules"),
    ("breathing", "me picó una avispa y se me cierra la garganta"),
    ("fall", "Estoy atrapada en la bañera y no puedo salir"),
    ("fall", "mi tía lleva toda la noche tirada en el pasillo sin poder levantarse"),
    ("intruder", "Hay un desconocido dentro de la casa de mi madre"),
    ("intruder", "oigo pasos abajo y alguien quiere entrar por el patio"),
    ("seizure", "Mi mujer está convulsionando en el sofá"),
    ("seizure", "al abuelo le dio un ataque y tiene los ojos en blanco"),
    ("wounds", "Me escaldé la mano con agua hirviendo y tengo ampollas"),
    ("wounds", "mi marido se cortó con un cristal y no para de sangrar"),
    ("headache or heart", "De repente tengo el peor dolor de cabeza que he tenido"),
    ("headache or heart", "tengo palpitaciones y me voy a desmayar"),
    ("fumes", "Saltó la alarma de monóxido y mi esposa tiene náuseas"),
    ("fumes", "huele a huevos podridos y tengo náuseas"),
    ("welfare", "el señor de enfrente no ha recogido el correo y lo oigo llamar"),
    ("welfare", "Mi vecina no abre la puerta y la oigo quejarse"),
    ("chest", "Quería ayuda con la pensión pero el pecho me está matando"),
    ("chest", "necesito ayuda ya, siento el pecho como una piedra insoportable"),
]

# (cluster, sentence): two signs of a stroke, acted on at once.
ACTED_ON = [
    ("stroke", "A mi madre se le torció la boca y no le salen las palabras"),
    ("stroke", "tengo la cara dormida y no siento la mano derecha"),
]

# (cluster, sentence): the same words, no emergency.
NEAR_MISSES = [
    ("overdose", "Necesito más pastillas para dormir, se me acabaron"),
    ("electrics", "Quiero que me pongan un enchufe nuevo en la cocina"),
    ("fire", "Mi hija me llama y le digo que la casa está muy fría"),
    ("wandering", "Mi madre tiene alzheimer y queremos apuntarla a un taller de memoria"),
    ("choking", "No puedo tragar bien las pastillas grandes, ¿las hay más pequeñas?"),
    ("confusion", "Me confundí con los papeles de la pensión, ¿me ayudan?"),
    ("low sugar", "Necesito tiras para medir el azúcar"),
    ("unresponsive", "Mi hijo no me contesta el teléfono, ¿me pueden llamar ustedes mañana?"),
    ("breathing", "Me pican los ojos por la alergia, ¿me dan cita?"),
    ("fall", "Quiero que me pongan una barra en la bañera para no caerme"),
    ("intruder", "Alguien puede venir a arreglar la ventana"),
    ("seizure", "Mi esposo toma pastillas para la epilepsia, necesito la receta"),
    ("wounds", "Me corté el pelo y quiero ir a la peluquería"),
    ("headache or heart", "Tengo dolor de cabeza desde ayer, ¿me dan cita con el médico?"),
    ("fumes", "El calentador hace un ruido raro, ¿pueden mandar a alguien?"),
    ("welfare", "Mi vecina vive sola y le gustaría que alguien la visite"),
    ("chest", "Este calor me está matando, ¿hay alguna excursión a la playa?"),
    ("stroke", "Se me duerme la mano por las noches, quiero ver al médico"),
]


# Round two (each case fails on the catalog before it).
# (pattern, sentence): more dangers asked about; "me ahogo" alone is now asked, no longer acted on.
ASKED_MORE = [
    ("wrong pills", "Mi padre se ha tomado las pastillas de su mujer y está vomitando"),
    ("wrong pills", "se tomó las de mi padre en vez de las suyas y no se tiene en pie"),
    ("one side", "De repente no siento la pierna izquierda"),
    ("one side", "a mi marido el brazo no le responde, el derecho"),
    ("breathing", "me estoy asfixiando"),
    ("breathing", "no le llega el aire"),
    ("breathing", "me ahogo"),
    ("dizzy and blind", "me mareé en la ducha y lo veo todo negro"),
    ("dizzy and blind", "todo me da vueltas y se me nubló la vista"),
    ("overdose", "se tomó todas juntas las de la tensión"),
    ("electrics", "se inundó el baño y el agua llega al enchufe"),
    ("electrics", "el brasero de la mesa camilla huele a quemado"),
    ("confusion", "mi padre de repente no me conoce"),
    ("confusion", "mi madre dice que ve a su hermana que murió hace años, nunca ha estado así"),
    ("low sugar", "mi marido es diabético y está sudando y tembloroso"),
    ("low sugar", "el azúcar le salió en treinta y está pálida"),
    ("unresponsive", "mi abuela está en la cama sin reaccionar"),
    ("unresponsive", "no hay manera de despertarla y está helada"),
    ("fall", "me fui de bruces en la cocina y no me puedo incorporar"),
    ("heart racing", "el corazón me va a mil y estoy mareadísimo"),
]

# (pattern, sentence): more wordings of two stroke signs, acted on at once.
ACTED_ON_MORE = [
    ("stroke", "a mi madre se le cayó la cara de un lado y habla raro"),
    ("stroke", "mi abuelo sonríe chueco y no le responde la mano"),
]

# (keyword, sentence): figurative or past talk of a heart attack or stroke, or breathlessness on a slope:
# asked about at most, never dialled at once.
NOT_ACTED_ON = [
    ("infarto", "Casi me da un infarto con la factura de la luz"),
    ("infarto", "Vi un documental sobre infartos en la tele"),
    ("derrame", "Desde el derrame mi madre camina con bastón"),
    ("me ahogo", "Me ahogo un poco cuando subo la cuesta del mercado"),
]

# (keyword, sentence): an emergency word inside a service's own words (a blood test, a smoke detector's
# battery, a booked patient ambulance, a fire drill) or denied: no emergency at all.
NO_EMERGENCY = [
    ("sangre", "Tengo que sacarme sangre el lunes, ¿quién me lleva?"),
    ("humo", "La pila del detector de humo está gastada"),
    ("ayudeme", "Ayúdeme a pedir la tarjeta del transporte"),
    ("robo", "Después del robo cambiamos la cerradura y quiero otra llave"),
    ("ambulancia", "La ambulancia programada no vino a recogerme para la diálisis"),
    ("incendio", "Hoy hay simulacro de incendio en la residencia"),
    ("caidas", "¿Hay algún taller para prevenir caídas?"),
    ("gas", "No huele a gas, pero el calentador no prende"),
]


@pytest.mark.parametrize(("cluster", "text"), ASKED + ASKED_MORE)
def test_danger_is_asked_about(cluster: str, text: str) -> None:
    m = match(text, ES)
    assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.CONFIRM), (cluster, text, m)


@pytest.mark.parametrize(("cluster", "text"), ACTED_ON + ACTED_ON_MORE)
def test_stroke_signs_are_acted_on(cluster: str, text: str) -> None:
    m = match(text, ES)
    assert (m.intent, m.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (cluster, text, m)


@pytest.mark.parametrize(("cluster", "text"), NEAR_MISSES)
def test_near_miss_is_no_emergency(cluster: str, text: str) -> None:
    m = match(text, ES)
    assert m.intent is not Intent.EMERGENCY, (cluster, text, m)


@pytest.mark.parametrize(("keyword", "text"), NOT_ACTED_ON)
def test_figurative_or_past_is_not_acted_on(keyword: str, text: str) -> None:
    m = match(text, ES)
    assert not (m.intent is Intent.EMERGENCY and m.decision is Decision.ACCEPT), (keyword, text, m)


@pytest.mark.parametrize(("keyword", "text"), NO_EMERGENCY)
def test_service_words_are_no_emergency(keyword: str, text: str) -> None:
    m = match(text, ES)
    assert m.intent is not Intent.EMERGENCY, (keyword, text, m)


# Third round: short weak emergency words narrowed to their dangerous wordings, and "not_now" cues for past,
# resolved or figurative talk. (keyword, intent, sentence): the service asked for is acted on, no emergency
# question in the way.
SERVICE_NOT_EMERGENCY = [
    ("dolor", Intent.MEDICAL, "Tengo un dolor en la muñeca desde hace semanas, quiero ver al médico"),
    ("dolor", Intent.MEDICATION, "los parches para el dolor de espalda se me acabaron"),
    ("pecho", Intent.MEDICAL, "El médico quiere revisarme el pecho por la tos"),
    ("gas", Intent.BENEFITS, "Quiero saber si me ayudan a pagar el recibo del gas"),
    ("robar", Intent.EVENTS, "Me gustaría probar la clase de yoga del jueves"),
    ("urgencia", Intent.MEDICATION, "Necesito con urgencia la receta de la insulina"),
    ("caido", Intent.HOME_REPAIR, "Se me ha caído la estantería del baño, ¿me la pueden arreglar?"),
    ("incendio", Intent.HOME_REPAIR, "No es ningún incendio, me salta el diferencial cada vez que pongo la lavadora"),
    ("golpe", Intent.MEDICAL, "Mi padre está más despistado de lo normal, no de golpe, desde hace meses"),
]

# (keyword, sentence): an ordinary complaint with a narrowed weak word: no emergency at all.
NO_EMERGENCY_MORE = [
    ("pecho", "Quiero pedir otro spray del pecho para mi marido"),
    ("rapido", "La grabación habla muy rápido y no entiendo nada"),
    ("miedo", "A mi padre le da miedo la ducha sin barra"),
    ("me ahogo", "Me ahogo cuando subo la cuesta de la iglesia"),
]

# (keyword, sentence): a fall, fire or smoke in the past or as a figure of speech: asked about at most.
NOT_DIALLED = [
    ("me cai", "Me caí una vez el año pasado pero estoy bien"),
    ("me cai", "Una vez me caí en la calle, ya hace mucho"),
    ("se cayo", "Mi hermana se cayó hace tiempo y ya está recuperada"),
    ("incendio", "Vi el incendio que salió en las noticias, qué pena"),
    ("humo", "Mi jefe echaba humo por las orejas"),
    ("fuego", "Se me quemó la leche en el fuego y ahora la cocina apesta"),
]


@pytest.mark.parametrize(("keyword", "intent", "text"), SERVICE_NOT_EMERGENCY)
def test_service_is_accepted_despite_weak_emergency_word(keyword: str, intent: Intent, text: str) -> None:
    m = match(text, ES)
    assert (m.intent, m.decision) == (intent, Decision.ACCEPT), (keyword, text, m)


@pytest.mark.parametrize(("keyword", "text"), NO_EMERGENCY_MORE)
def test_narrowed_weak_word_is_no_emergency(keyword: str, text: str) -> None:
    m = match(text, ES)
    assert m.intent is not Intent.EMERGENCY, (keyword, text, m)


@pytest.mark.parametrize(("keyword", "text"), NOT_DIALLED)
def test_past_or_figurative_emergency_word_is_not_dialled(keyword: str, text: str) -> None:
    m = match(text, ES)
    assert not (m.intent is Intent.EMERGENCY and m.decision is Decision.ACCEPT), (keyword, text, m)
