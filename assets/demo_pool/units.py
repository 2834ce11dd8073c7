"""Unit conversions with the factor stated and the result computed."""

from __future__ import annotations

import random

from .records import Example, number

# (from unit, to unit, factor, low, high, context phrases); value_to = value_from * factor
LINEAR = [
    ("kilometres", "miles", 0.621371, 1, 50,
     ["I'm signing up for a {v} km race.", "The hiking trail is {v} km long."]),
    ("miles", "kilometres", 1.609344, 1, 300,
     ["Our road trip is {v} miles.", "The marathon training run is {v} miles."]),
    ("kilograms", "pounds", 2.204623, 1, 120,
     ["My suitcase weighs {v} kg.", "The recipe calls for {v} kg of potatoes."]),
    ("pounds", "kilograms", 0.453592, 1, 250,
     ["The baby weighed {v} pounds at birth.", "I can deadlift {v} lb."]),
    ("litres", "US gallons", 0.264172, 1, 200,
     ["The fish tank holds {v} litres.", "My car's fuel tank takes {v} litres."]),
    ("US gallons", "litres", 3.785412, 1, 50,
     ["The paint bucket holds {v} gallons.", "We used {v} gallons of water."]),
    ("inches", "centimetres", 2.54, 1, 80,
     ["The TV screen is {v} inches across.", "The shelf is {v} inches wide."]),
    ("centimetres", "inches", 0.393701, 1, 250,
     ["I am {v} cm tall.", "The picture frame is {v} cm high."]),
    ("feet", "metres", 0.3048, 1, 1000,
     ["The boat is {v} feet long.", "The ceiling is {v} feet high."]),
    ("metres", "feet", 3.28084, 1, 500,
     ["The pool is {v} metres long.", "The building is {v} m tall."]),
    ("ounces", "grams", 28.349523, 1, 40,
     ["The steak is {v} oz.", "The recipe needs {v} ounces of chocolate."]),
    ("grams", "ounces", 0.035274, 10, 1000,
     ["The bag contains {v} g of coffee.", "I need {v} grams of butter."]),
    ("miles per hour", "kilometres per hour", 1.609344, 5, 90,
     ["The speed limit is {v} mph.", "The cyclist averaged {v} mph."]),
    ("hours", "minutes", 60, 1, 24,
     ["The flight takes {v} hours.", "The movie marathon is {v} hours."]),
    ("days", "hours", 24, 1, 30, ["The festival lasts {v} days.", "The trip is {v} days."]),
    ("square metres", "square feet", 10.763910, 10, 300,
     ["The apartment is {v} square metres.", "The office floor is {v} m2."]),
]

SINGULAR = {"inches": "inch", "feet": "foot", "miles per hour": "mile per hour",
            "kilometres per hour": "kilometre per hour"}

ASKS = [
    "Convert {v} {a} to {b}.",
    "How many {b} are in {v} {a}?",
    "What is {v} {a} in {b}?",
    "{ctx} How much is that in {b}?",
    "{ctx} Can you convert it to {b} for me?",
    "Please express {v} {a} in {b}, rounded to two decimal places.",
]


def _temperature(rng: random.Random) -> Example:
    if rng.random() < 0.5:
        c = rng.randint(-30, 45)
        f = c * 9 / 5 + 32
        ask = rng.choice([f"Convert {c} degrees Celsius to Fahrenheit.",
                          f"It's {c} °C outside. What is that in Fahrenheit?",
                          f"What is {c}C in F?"])
        work = f"F = C x 9/5 + 32 = {c} x 9/5 + 32 = {number(f, 1)}"
        answer = f"{c} °C is {number(f, 1)} °F."
    else:
        f = rng.randint(-10, 110)
        c = (f - 32) * 5 / 9
        ask = rng.choice([f"Convert {f} degrees Fahrenheit to Celsius.",
                          f"My oven thermometer says {f} °F. How many degrees Celsius is that?",
                          f"What is {f}F in C?"])
        work = f"C = (F - 32) x 5/9 = ({f} - 32) x 5/9 = {number(c, 1)}"
        answer = f"{f} °F is about {number(c, 1)} °C."
    if rng.random() < 0.3:
        return Example(ask, "", answer, "unit_conversion")
    return Example(ask, "", f"Use the formula {work}.\n\n{answer}", "unit_conversion")


def make_unit_conversion(rng: random.Random) -> Example:
    if rng.random() < 0.15:
        return _temperature(rng)
    a, b, factor, low, high, contexts = rng.choice(LINEAR)
    value = rng.randint(low, high)
    if rng.random() < 0.25 and high > 10:
        value = value + rng.choice([0.5, 0.25, 0.75])
    result = value * factor
    places = 0 if factor in (60, 24) else 2
    ask = rng.choice(ASKS).format(v=number(value), a=a, b=b,
                                  ctx=rng.choice(contexts).format(v=number(value)))
    factor_text = number(factor, 6)
    style = rng.random()
    if style < 0.3:
        out = f"{number(value)} {a} = {number(result, places)} {b}."
    elif style < 0.7:
        one = SINGULAR.get(a, a[:-1])
        out = (f"One {one} is {factor_text} {b}, so multiply: "
               f"{number(value)} x {factor_text} = {number(result, places)}.\n\n"
               f"{number(value)} {a} is about {number(result, places)} {b}.")
    else:
        out = (f"To convert {a} to {b}, multiply by {factor_text}.\n"
               f"- {number(value)} x {factor_text} = {number(result, 4)}\n"
               f"- Rounded: {number(result, places)} {b}")
    return Example(ask, "", out, "unit_conversion")
