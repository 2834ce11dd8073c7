"""Summarisation: a generated news-style paragraph in the input, its summary in the output."""

from __future__ import annotations

import random

from .records import Example, bulleted

COMPANIES = ["Northwind Labs", "Bluefin Robotics", "Alder & Finch", "Quartz Mobility",
             "Helio Foods", "Kestrel Software", "Marlow Textiles", "Tidewater Energy"]
PRODUCTS = ["a solar-powered water pump", "a budgeting app for students",
            "a compact electric scooter", "plant-based yoghurt", "a warehouse robot",
            "a low-cost hearing aid", "recycled-fibre running shoes"]
CITIES = ["Riverton", "Lakeside", "Maple Falls", "Port Hallam", "Eastbrook", "Cedar Hill"]
PROJECTS = [("a protected bike lane network", "cyclists and commuters"),
            ("a new public library branch", "families and students"),
            ("the renovation of the central market", "local traders"),
            ("free Wi-Fi in all city parks", "residents and visitors"),
            ("a flood barrier along the river", "low-lying neighbourhoods")]
FINDINGS = [("walking for 20 minutes a day", "lower blood pressure"),
            ("reading aloud to toddlers", "larger vocabularies at age five"),
            ("a four-day school week", "no drop in test scores"),
            ("green space near offices", "fewer sick days"),
            ("short afternoon naps", "better recall on memory tests")]
TEAMS = ["Harbour City", "Red Valley", "Northgate United", "Stonebridge", "Westfield Rovers",
         "Ashford Athletic"]
STUDY_FILLER = [
    "Independent experts called the findings encouraging but preliminary.",
    "The study was funded by a public research council.",
    "Volunteers came from a mix of age groups and backgrounds.",
]
WEATHER_FILLER = [
    "Residents were asked to avoid unnecessary travel.",
    "Insurance companies expect a large number of claims.",
    "It was the wettest spell in the area for more than a decade.",
]
FILLER = [
    "Critics have raised questions about the timeline.",
    "Officials said more details would be shared in the coming weeks.",
    "The announcement was welcomed by most local groups.",
    "Some observers remain cautious about the long-term effects.",
    "A public question-and-answer session is planned for next month.",
    "Previous attempts at similar projects had mixed results.",
]


def _company(rng: random.Random) -> tuple[str, list[str], str]:
    company, product = rng.choice(COMPANIES), rng.choice(PRODUCTS)
    growth, quarter = rng.randint(4, 38), rng.choice(["first", "second", "third", "fourth"])
    hires = rng.choice([20, 45, 80, 120, 200])
    text = (f"{company} reported that revenue grew {growth}% in the {quarter} quarter, driven "
            f"largely by strong demand for {product}. The company said it plans to hire about "
            f"{hires} new staff over the next year, mostly in manufacturing and customer "
            f"support. Its chief executive told reporters that supply problems from last year "
            f"have now eased. {rng.choice(FILLER)} Shares rose modestly after the news.")
    points = [f"{company}'s revenue rose {growth}% in the {quarter} quarter.",
              f"Demand for {product} drove the growth.",
              f"The company plans to hire about {hires} people."]
    one = (f"Strong demand for {product} lifted {company}'s {quarter}-quarter revenue by "
           f"{growth}%, and the firm plans to hire about {hires} people.")
    return text, points, one


def _council(rng: random.Random) -> tuple[str, list[str], str]:
    city, (project, who) = rng.choice(CITIES), rng.choice(PROJECTS)
    budget, years = rng.choice([2, 4.5, 7, 12, 18]), rng.randint(1, 4)
    vote_for, vote_against = rng.randint(6, 11), rng.randint(1, 5)
    text = (f"The {city} city council voted {vote_for} to {vote_against} on Tuesday to approve "
            f"{project}. The plan will cost an estimated ${budget} million and should take "
            f"about {years} year{'s' if years > 1 else ''} to complete. Supporters argued that "
            f"it will mainly benefit {who}, while opponents worried about the cost at a time of "
            f"tight budgets. {rng.choice(FILLER)} Work is expected to begin next spring.")
    points = [f"{city}'s council approved {project} ({vote_for}-{vote_against}).",
              f"It will cost about ${budget} million and take roughly {years} "
              f"year{'s' if years > 1 else ''}.",
              f"Supporters say it helps {who}; opponents worry about cost."]
    one = f"{city} approved {project}, a ${budget} million, {years}-year plan aimed at {who}."
    return text, points, one


def _study(rng: random.Random) -> tuple[str, list[str], str]:
    habit, effect = rng.choice(FINDINGS)
    n, months = rng.choice([120, 340, 800, 1500, 2600]), rng.choice([6, 12, 18, 24])
    uni = rng.choice(["the University of Eastbrook", "a team at Cedar Hill Medical School",
                      "researchers in Port Hallam", "the Riverton Institute"])
    text = (f"A new study by {uni} followed {n} volunteers for {months} months and found that "
            f"{habit} was linked to {effect}. The authors stress that the study shows an "
            f"association, not proof of cause, and that a larger trial is needed. Participants "
            f"who kept up the habit for the whole period showed the clearest difference. "
            f"{rng.choice(STUDY_FILLER)}")
    points = [f"A {months}-month study of {n} people linked {habit} to {effect}.",
              "The result is an association, not proof of cause.",
              "The authors call for a larger trial."]
    one = f"A study of {n} volunteers links {habit} to {effect}, though it does not prove cause."
    return text, points, one


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _match(rng: random.Random) -> tuple[str, list[str], str]:
    home, away = rng.sample(TEAMS, 2)
    a, b = rng.randint(1, 5), rng.randint(0, 4)
    if a == b:
        a += 1
    player = rng.choice(["Mateo Silva", "Jonas Berg", "Kofi Mensah", "Liam O'Connor",
                         "Ravi Patel", "Tom Ashdown"])
    minute = rng.randint(55, 89)
    text = (f"{home} beat {away} {a}-{b} on Saturday in front of a sold-out crowd. The visitors "
            f"started brightly, but {home} took control after the break. {player} scored the "
            f"decisive goal in the {_ordinal(minute)} minute with a low shot from the edge of "
            "the box. "
            f"The win moves {home} into the top three of the table, while {away} have now "
            f"gone four games without a victory.")
    points = [f"{home} beat {away} {a}-{b}.",
              f"{player} scored the winner in the {_ordinal(minute)} minute.",
              f"{home} move into the top three; {away} are winless in four."]
    one = f"A late goal from {player} gave {home} a {a}-{b} win over {away}."
    return text, points, one


def _weather(rng: random.Random) -> tuple[str, list[str], str]:
    city = rng.choice(CITIES)
    rain, homes = rng.randint(60, 180), rng.choice([300, 1200, 4000, 9000])
    text = (f"Heavy storms brought {rain} millimetres of rain to {city} in less than two days, "
            f"flooding several roads and cutting power to around {homes:,} homes. Emergency "
            f"crews worked through the night to clear blocked drains, and schools in the "
            f"area stayed closed on Monday. Forecasters expect drier weather later in the "
            f"week. {rng.choice(WEATHER_FILLER)}")
    points = [f"Storms dropped {rain} mm of rain on {city} in under two days.",
              f"Roads flooded and about {homes:,} homes lost power; schools closed.",
              "Drier weather is forecast later in the week."]
    one = f"Storms flooded roads in {city} and left about {homes:,} homes without power."
    return text, points, one


STORY_KINDS = [_company, _council, _study, _match, _weather]
ASKS = ["Summarize the following paragraph in one sentence.", "Summarise this text.",
        "TL;DR:", "Give me a short summary of the passage below.",
        "Summarize this news article in three bullet points.",
        "What are the key points of this paragraph?", "Write a one-line summary for a busy reader.",
        "Condense the following into two sentences."]


def make_summary(rng: random.Random) -> Example:
    text, points, one = rng.choice(STORY_KINDS)(rng)
    ask = rng.choice(ASKS)
    if "bullet" in ask or "key points" in ask:
        out = bulleted(points, rng.choice(["-", "*", "•"]))
    elif "one" in ask or "TL;DR" in ask:
        out = one
    elif "two" in ask:
        out = f"{points[0]} {points[1]}"
    else:
        out = " ".join(points)
    return Example(ask, text, out, "summarization")
