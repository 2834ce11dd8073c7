"""Open and factual question answering over the hand-written fact tables."""

from __future__ import annotations

import random

from .facts import ANIMALS, BOOKS, COUNTRIES, ELEMENTS, PLANETS
from .records import Example, sentence_case

EXPLANATIONS = [
    ("Why is the sky blue?",
     "Sunlight contains all colours. As it passes through the atmosphere, air molecules "
     "scatter short blue wavelengths much more than long red ones (Rayleigh scattering), so "
     "blue light reaches our eyes from every direction of the sky."),
    ("How does photosynthesis work?",
     "Plants capture light energy with chlorophyll and use it to turn carbon dioxide and water "
     "into glucose. Oxygen is released as a by-product. The glucose stores energy the plant "
     "uses to grow."),
    ("What causes the seasons?",
     "Earth's axis is tilted about 23.5 degrees. As Earth orbits the Sun, each hemisphere leans "
     "towards the Sun for part of the year, getting more direct sunlight and longer days "
     "(summer), and leans away for the other part (winter). Distance from the Sun is not the "
     "main cause."),
    ("How do vaccines work?",
     "A vaccine shows the immune system a harmless version or piece of a germ. The body makes "
     "antibodies and memory cells, so if the real germ arrives later, the immune system "
     "recognises it and responds quickly."),
    ("Why does ice float on water?",
     "When water freezes, its molecules lock into an open hexagonal lattice held by hydrogen "
     "bonds. That makes ice about 9% less dense than liquid water, so it floats."),
    ("What is a black hole?",
     "A black hole is a region of space where gravity is so strong that nothing, not even "
     "light, can escape once it crosses the boundary called the event horizon. Many form when "
     "very massive stars collapse."),
    ("How do rainbows form?",
     "Sunlight enters raindrops, bends (refracts), reflects off the back of the drop and bends "
     "again on the way out. Different colours bend by different amounts, so the light spreads "
     "into a band of colours. You see a rainbow with the Sun behind you."),
    ("What causes ocean tides?",
     "Tides are caused mainly by the Moon's gravity pulling on Earth's oceans, with a smaller "
     "effect from the Sun. Most coasts get two high tides and two low tides a day."),
    ("What is the difference between weather and climate?",
     "Weather is the short-term state of the atmosphere: today's rain or tomorrow's heat. "
     "Climate is the average pattern of weather in a place over many years, usually 30 or more."),
    ("Why do leaves change colour in autumn?",
     "As days shorten, trees stop making chlorophyll, the green pigment. The green fades and "
     "reveals yellow and orange pigments that were there all along; some trees also make red "
     "pigments in autumn."),
    ("How do airplanes stay in the air?",
     "The wings are shaped and angled so that air flowing past them is pushed downward, and "
     "the air pressure above the wing is lower than below it. The result is lift, which "
     "balances the plane's weight while the engines provide thrust."),
    ("What is DNA?",
     "DNA (deoxyribonucleic acid) is the molecule that carries genetic instructions in living "
     "things. It is a double helix made of four bases, A, T, C and G, whose order encodes genes."),
    ("What is the speed of light?",
     "In a vacuum, light travels at about 299,792 kilometres per second, roughly 300,000 km/s."),
    ("At what temperature does water boil?",
     "At sea level, pure water boils at 100 °C (212 °F). At higher altitudes the air pressure "
     "is lower, so it boils at a lower temperature."),
    ("How many bones are in the adult human body?",
     "An adult human skeleton usually has 206 bones. Babies are born with more, around 270, "
     "and some fuse together as they grow."),
    ("What is the largest organ of the human body?",
     "The skin is the largest organ. It protects the body, helps control temperature and "
     "senses touch, heat and pain."),
    ("What is the greenhouse effect?",
     "Gases such as carbon dioxide, methane and water vapour let sunlight in but absorb some "
     "of the heat Earth radiates back out. This keeps the planet warmer than it would otherwise "
     "be; adding more of these gases strengthens the effect."),
    ("What is the difference between a virus and a bacterium?",
     "Bacteria are single-celled living organisms that can reproduce on their own, and many are "
     "harmless or useful. Viruses are much smaller, are not cells and can only reproduce inside "
     "a host cell. Antibiotics work on bacteria, not viruses."),
    ("Why does the Moon have phases?",
     "The Moon does not make its own light. As it orbits Earth, we see different portions of "
     "its sunlit half, from none at new moon to all of it at full moon."),
    ("What is an atom?",
     "An atom is the smallest unit of a chemical element. It has a nucleus of protons and "
     "neutrons surrounded by electrons."),
]


def _country(rng: random.Random) -> Example:
    country, capital, continent, currency, language = rng.choice(COUNTRIES)
    name = sentence_case(country)
    kind = rng.choice(["capital", "capital", "continent", "currency", "language", "reverse"])
    if kind == "capital":
        ask = rng.choice([f"What is the capital of {country}?", f"Capital of {country}?",
                          f"Which city is the capital of {country}?"])
        answers = [capital, f"The capital of {country} is {capital}.",
                   f"{capital} is the capital of {country}. {name} is in {continent}, and its "
                   f"currency is {currency}."]
    elif kind == "reverse":
        ask = rng.choice([f"{capital} is the capital of which country?",
                          f"Which country has {capital} as its capital?"])
        answers = [sentence_case(country), f"{capital} is the capital of {country}."]
    elif kind == "continent":
        ask = rng.choice([f"Which continent is {country} in?", f"On what continent is "
                          f"{country} located?"])
        answers = [continent, f"{name} is in {continent}. Its capital is {capital}."]
    elif kind == "currency":
        ask = rng.choice([f"What currency is used in {country}?", f"What is the currency of "
                          f"{country}?", f"What money do they use in {country}?"])
        answers = [sentence_case(currency), f"{name} uses {currency}."]
    else:
        ask = rng.choice([f"What language is spoken in {country}?", f"What is the official "
                          f"language of {country}?"])
        several = " and " in language
        answers = [language, f"The main official language{'s' if several else ''} of {country} "
                   f"{'are' if several else 'is'} {language}."]
    return Example(ask, "", rng.choice(answers), "open_qa")


def _element(rng: random.Random) -> Example:
    name, symbol, number, note = rng.choice(ELEMENTS)
    kind = rng.random()
    if kind < 0.4:
        ask = rng.choice([f"What is the chemical symbol for {name}?",
                          f"Chemical symbol of {name}?"])
        out = rng.choice([symbol, f"The symbol for {name} is {symbol}. {note}"])
    elif kind < 0.7:
        ask = rng.choice([f"Which element has the symbol {symbol}?",
                          f"What element does {symbol} stand for on the periodic table?"])
        out = rng.choice([name.capitalize(), f"{symbol} is {name}, atomic number {number}."])
    else:
        ask = rng.choice([f"What is the atomic number of {name}?",
                          f"How many protons does a {name} atom have?"])
        out = rng.choice([str(number), f"{name.capitalize()} has atomic number {number}, so "
                          f"each atom has {number} proton{'s' if number > 1 else ''}. {note}"])
    return Example(ask, "", out, "open_qa")


def _planet(rng: random.Random) -> Example:
    name, position, kind, fact = rng.choice(PLANETS)
    ordinal = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
    asks = [(f"Tell me something interesting about {name}.", fact),
            (f"Which planet is {ordinal[position - 1]} from the Sun?",
             f"{name} is the {ordinal[position - 1]} planet from the Sun."),
            (f"Is {name} a rocky planet or a giant planet?",
             f"{name} is {kind}. {fact}"),
            (f"Describe the planet {name} in two sentences.",
             f"{name} is {kind} and the {ordinal[position - 1]} planet from the Sun. {fact}")]
    ask, out = rng.choice(asks)
    return Example(ask, "", out, "open_qa")


def _book(rng: random.Random) -> Example:
    title, author, year = rng.choice(BOOKS)
    when = f" It was first published in {year}." if year else ""
    asks = [(f"Who wrote {title}?", rng.choice([author, f"{title} was written by {author}."
                                                        f"{when}"])),
            (f"Who is the author of \"{title}\"?", f"{author}.{when}"),
            (f"Name a famous work by {author}.", f"One of {author}'s best-known works is "
                                                 f"{title}.{when}")]
    if year:
        asks.append((f"When was {title} published?", f"{title}, by {author}, was first "
                                                     f"published in {year}."))
    ask, out = rng.choice(asks)
    return Example(ask, "", out, "open_qa")


def _animal(rng: random.Random) -> Example:
    animal, group, diet, fact = rng.choice(ANIMALS)
    animals = animal + ("es" if animal.endswith("s") else "s")
    article = "an" if group[0] in "aeiou" else "a"
    a2 = "an" if animal[0] in "aeiou" else "a"
    asks = [(f"Is {a2} {animal} a fish, a mammal or something else?",
             f"{sentence_case(a2)} {animal} is {article} {group}. {fact}"),
            (f"What do {animals} eat?", f"{sentence_case(animals)} eat {diet}."),
            (f"Give me a fun fact about {animals}.", fact),
            (f"What kind of animal is {a2} {animal}?", f"It is {article} {group}.")]
    ask, out = rng.choice(asks)
    return Example(ask, "", out, "open_qa")


def _explain(rng: random.Random) -> Example:
    question, answer = rng.choice(EXPLANATIONS)
    style = rng.random()
    if style < 0.2:
        question = question.rstrip("?") + ", in simple terms?"
    elif style < 0.35:
        question = f"Explain to a ten-year-old: {question[0].lower()}{question[1:]}"
    elif style < 0.45:
        question = f"Quick question: {question[0].lower()}{question[1:]}"
    return Example(question, "", answer, "open_qa")


def make_open_qa(rng: random.Random) -> Example:
    kind = rng.choices([_country, _element, _planet, _book, _animal, _explain],
                       weights=[8, 4, 1, 3, 3, 3])[0]
    return kind(rng)
