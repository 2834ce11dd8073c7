"""Math word problems: numbers drawn at random, answers computed, worked steps written out."""

from __future__ import annotations

import random

from .records import Example, money, number

NAMES = ["Amara", "Ben", "Carlos", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas",
         "Kemi", "Liam", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiko", "Bruno", "Chloe", "Dev"]
SHOP_ITEMS = [("notebook", 3.5), ("pen", 1.25), ("apple", 0.75), ("sandwich", 6.5),
              ("comic book", 4.0), ("candle", 8.0), ("plant pot", 12.0), ("T-shirt", 15.0),
              ("pack of stickers", 2.5), ("loaf of bread", 3.0), ("bag of rice", 9.0),
              ("movie ticket", 11.5), ("paintbrush", 5.25), ("bottle of juice", 2.75)]
VEHICLES = [("train", 60, 120), ("cyclist", 12, 30), ("bus", 40, 80), ("car", 50, 110),
            ("boat", 15, 40), ("runner", 8, 14)]
SHAREABLES = ["cookies", "marbles", "stickers", "pencils", "grapes", "trading cards", "beads"]

PROBLEM_INSTRUCTIONS = [
    "Solve the following word problem and show your work.",
    "Work through this math problem step by step.",
    "Answer the word problem below. Explain each step.",
    "Can you help me with this homework question?",
    "Solve this problem.",
    "Find the answer to the following question and explain how you got it.",
]


def _shopping(rng: random.Random) -> tuple[str, list[str], str]:
    name = rng.choice(NAMES)
    (item1, p1), (item2, p2) = rng.sample(SHOP_ITEMS, 2)
    a, b = rng.randint(2, 9), rng.randint(2, 6)
    cost1, cost2 = a * p1, b * p2
    total = cost1 + cost2
    problem = (f"{name} buys {a} {item1}s at {money(p1)} each and {b} {item2}s at "
               f"{money(p2)} each. How much does {name} spend in total?")
    if rng.random() < 0.4:
        bill = next(x for x in (20, 50, 100, 200) if x > total)
        problem = problem.replace("How much does", f"{name} pays with a {money(bill)} note. "
                                  "How much change does").replace("spend in total?", "get back?")
        steps = [f"The {item1}s cost {a} x {money(p1)} = {money(cost1)}.",
                 f"The {item2}s cost {b} x {money(p2)} = {money(cost2)}.",
                 f"Together that is {money(cost1)} + {money(cost2)} = {money(total)}.",
                 f"The change is {money(bill)} - {money(total)} = {money(bill - total)}."]
        return problem, steps, money(bill - total)
    steps = [f"The {item1}s cost {a} x {money(p1)} = {money(cost1)}.",
             f"The {item2}s cost {b} x {money(p2)} = {money(cost2)}.",
             f"The total is {money(cost1)} + {money(cost2)} = {money(total)}."]
    return problem, steps, money(total)


def _distance(rng: random.Random) -> tuple[str, list[str], str]:
    vehicle, low, high = rng.choice(VEHICLES)
    speed = rng.randrange(low, high + 1, 2)
    hours = rng.choice([1.5, 2, 2.5, 3, 4, 0.5, 5])
    dist = speed * hours
    if rng.random() < 0.5:
        problem = (f"A {vehicle} travels at a steady {speed} km/h for {number(hours)} hours. "
                   "How far does it go?")
        steps = ["Distance = speed x time.",
                 f"Distance = {speed} km/h x {number(hours)} h = {number(dist)} km."]
        return problem, steps, f"{number(dist)} km"
    problem = (f"A {vehicle} needs to cover {number(dist)} km at an average speed of {speed} km/h. "
               "How long will the trip take?")
    minutes = round(hours * 60)
    steps = ["Time = distance / speed.",
             f"Time = {number(dist)} km / {speed} km/h = {number(hours)} hours.",
             f"That is {minutes} minutes."]
    return problem, steps, f"{number(hours)} hours ({minutes} minutes)"


def _discount(rng: random.Random) -> tuple[str, list[str], str]:
    item = rng.choice(["jacket", "laptop", "bicycle", "sofa", "pair of boots", "camera", "desk"])
    price = rng.choice([40, 60, 80, 120, 150, 240, 300, 450, 600, 750])
    pct = rng.choice([10, 15, 20, 25, 30, 40, 50])
    off = price * pct / 100
    problem = (f"A {item} costs {money(price)}. It is on sale for {pct}% off. "
               "What is the sale price?")
    steps = [f"The discount is {pct}% of {money(price)} = {pct / 100:g} x {money(price)} = "
             f"{money(off)}.",
             f"The sale price is {money(price)} - {money(off)} = {money(price - off)}."]
    return problem, steps, money(price - off)


def _sharing(rng: random.Random) -> tuple[str, list[str], str]:
    name = rng.choice(NAMES)
    thing = rng.choice(SHAREABLES)
    friends = rng.randint(3, 9)
    each = rng.randint(4, 15)
    left = rng.randint(0, friends - 1)
    total = friends * each + left
    problem = (f"{name} has {total} {thing} and shares them equally among {friends} friends. "
               f"How many {thing} does each friend get, and how many are left over?")
    steps = [f"Divide {total} by {friends}: {friends} x {each} = {friends * each}.",
             f"The remainder is {total} - {friends * each} = {left}."]
    return problem, steps, f"{each} each, with {left} left over"


def _ages(rng: random.Random) -> tuple[str, list[str], str]:
    older, younger = rng.sample(NAMES, 2)
    young_now = rng.randint(4, 30)
    gap = rng.randint(2, 12)
    later = rng.randint(2, 10)
    total = (young_now + later) + (young_now + gap + later)
    problem = (f"{older} is {gap} years older than {younger}. In {later} years, the sum of their "
               f"ages will be {total}. How old is {younger} now?")
    steps = [f"Let {younger}'s age now be x, so {older} is x + {gap}.",
             f"In {later} years: (x + {later}) + (x + {gap} + {later}) = {total}.",
             f"So 2x + {gap + 2 * later} = {total}, which gives 2x = {total - gap - 2 * later}.",
             f"x = {young_now}."]
    return problem, steps, f"{young_now} years old"


def _garden(rng: random.Random) -> tuple[str, list[str], str]:
    length, width = rng.randint(4, 25), rng.randint(3, 15)
    fence = rng.choice([6, 8, 9.5, 12, 15])
    area, perimeter = length * width, 2 * (length + width)
    if rng.random() < 0.5:
        problem = (f"A rectangular garden is {length} m long and {width} m wide. Fencing costs "
                   f"{money(fence)} per metre. How much does it cost to fence the whole garden?")
        steps = [f"Perimeter = 2 x ({length} + {width}) = {perimeter} m.",
                 f"Cost = {perimeter} x {money(fence)} = {money(perimeter * fence)}."]
        return problem, steps, money(perimeter * fence)
    problem = (f"A rectangular room measures {length} m by {width} m. How many square metres of "
               "carpet are needed to cover the floor?")
    steps = ["Area of a rectangle = length x width.", f"{length} x {width} = {area} square metres."]
    return problem, steps, f"{area} square metres"


def _average(rng: random.Random) -> tuple[str, list[str], str]:
    name = rng.choice(NAMES)
    scores = [rng.randint(60, 98) for _ in range(rng.randint(3, 5))]
    subject = rng.choice(["math", "history", "biology", "spelling", "chemistry"])
    if rng.random() < 0.5:
        avg = sum(scores) / len(scores)
        problem = (f"{name} scored {', '.join(map(str, scores))} on {len(scores)} {subject} tests. "
                   "What is the average score?")
        steps = [f"Sum = {' + '.join(map(str, scores))} = {sum(scores)}.",
                 f"Average = {sum(scores)} / {len(scores)} = {number(avg)}."]
        return problem, steps, number(avg)
    target = round(sum(scores) / len(scores)) + rng.randint(1, 4)
    need = target * (len(scores) + 1) - sum(scores)
    problem = (f"{name}'s {subject} test scores so far are {', '.join(map(str, scores))}. What "
               f"score does {name} need on the next test to average exactly {target}?")
    steps = [f"With {len(scores) + 1} tests the total must be {target} x {len(scores) + 1} = "
             f"{target * (len(scores) + 1)}.",
             f"The current total is {sum(scores)}.",
             f"Needed score = {target * (len(scores) + 1)} - {sum(scores)} = {need}."]
    if need > 100:
        steps.append("That is more than 100, so it is not possible on a 100-point test.")
        return problem, steps, f"{need}, which is not possible on a 100-point test"
    return problem, steps, str(need)


def _interest(rng: random.Random) -> tuple[str, list[str], str]:
    name = rng.choice(NAMES)
    principal = rng.choice([500, 1000, 1500, 2000, 2500, 4000, 5000, 10000])
    rate = rng.choice([2, 3, 4, 5, 6, 7.5])
    years = rng.randint(2, 8)
    interest = principal * rate / 100 * years
    problem = (f"{name} deposits {money(principal)} in an account paying {number(rate)}% simple "
               f"interest per year. How much interest is earned after {years} years?")
    steps = ["Simple interest = principal x rate x time.",
             f"I = {money(principal)} x {rate / 100:g} x {years} = {money(interest)}.",
             f"The balance would then be {money(principal + interest)}."]
    return problem, steps, money(interest)


RATIO_SETTINGS = [
    ("blue paint", "white paint", "{total} litres of paint are mixed", "litres of blue paint"),
    ("flour", "sugar", "a baker uses {total} cups of the two together", "cups of flour"),
    ("sand", "cement", "a builder mixes {total} buckets in all", "buckets of sand"),
    ("boys", "girls", "there are {total} students in the club", "boys"),
    ("juice", "water", "a jug holds {total} decilitres of the drink", "decilitres of juice"),
]


def _ratio(rng: random.Random) -> tuple[str, list[str], str]:
    a, b = rng.sample([1, 2, 3, 4, 5], 2)
    unit = rng.randint(2, 12)
    total = (a + b) * unit
    first, second, setting, asked = rng.choice(RATIO_SETTINGS)
    problem = (f"The ratio of {first} to {second} is {a}:{b}, and {setting.format(total=total)}. "
               f"How many {asked} are there?")
    steps = [f"There are {a} + {b} = {a + b} parts.", f"One part = {total} / {a + b} = {unit}.",
             f"{first.capitalize()}: {a} x {unit} = {a * unit}."]
    return problem, steps, f"{a * unit} {asked}"


def _wages(rng: random.Random) -> tuple[str, list[str], str]:
    name = rng.choice(NAMES)
    rate = rng.choice([12, 14, 15, 16.5, 18, 20, 22, 25])
    hours = rng.randint(41, 52)
    extra = hours - 40
    pay = 40 * rate + extra * rate * 1.5
    problem = (f"{name} earns {money(rate)} an hour and gets time-and-a-half for every hour over "
               f"40 in a week. Last week {name} worked {hours} hours. What was the total pay?")
    steps = [f"Regular pay: 40 x {money(rate)} = {money(40 * rate)}.",
             f"Overtime rate: 1.5 x {money(rate)} = {money(rate * 1.5)}.",
             f"Overtime pay: {extra} x {money(rate * 1.5)} = {money(extra * rate * 1.5)}.",
             f"Total: {money(40 * rate)} + {money(extra * rate * 1.5)} = {money(pay)}."]
    return problem, steps, money(pay)


PROBLEM_KINDS = [_shopping, _distance, _discount, _sharing, _ages, _garden, _average, _interest,
                 _ratio, _wages]


def _worked_answer(rng: random.Random, steps: list[str], answer: str) -> str:
    style = rng.random()
    if style < 0.35:
        body = "\n".join(f"Step {i}: {s}" for i, s in enumerate(steps, 1))
        return f"{body}\n\nAnswer: {answer}"
    if style < 0.65:
        opener = rng.choice(["Let's work through it.", "Here is the solution.",
                             "We can solve this in a few steps.", "Sure."])
        return f"{opener} " + " ".join(steps) + f" So the answer is {answer}."
    if style < 0.85:
        return "\n".join(f"- {s}" for s in steps) + f"\n\nThe answer is **{answer}**."
    return f"The answer is {answer}."


def make_math_problem(rng: random.Random) -> Example:
    problem, steps, answer = rng.choice(PROBLEM_KINDS)(rng)
    if rng.random() < 0.5:
        return Example(rng.choice(PROBLEM_INSTRUCTIONS), problem,
                       _worked_answer(rng, steps, answer), "math")
    return Example(problem, "", _worked_answer(rng, steps, answer), "math")
