"""Cooking: recipes scaled to the servings asked for, kitchen tips and ingredient swaps."""

from __future__ import annotations

import random

from .records import Example, number, numbered

# dish, base servings, [(amount, unit, ingredient)], steps
RECIPES = [
    ("pancakes", 4, [(200, "g", "plain flour"), (2, "", "eggs"), (300, "ml", "milk"),
                     (1, "tbsp", "sugar"), (1, "tsp", "baking powder"), (1, "pinch", "salt")],
     ["Whisk the flour, sugar, baking powder and salt in a bowl.",
      "Beat in the eggs and milk until smooth; rest the batter for 10 minutes.",
      "Cook ladlefuls in a hot, lightly oiled pan for about 2 minutes a side."]),
    ("tomato soup", 4, [(800, "g", "ripe tomatoes"), (1, "", "onion"), (2, "cloves", "garlic"),
                        (500, "ml", "vegetable stock"), (2, "tbsp", "olive oil")],
     ["Soften the chopped onion and garlic in the oil for 5 minutes.",
      "Add the chopped tomatoes and stock and simmer for 20 minutes.",
      "Blend until smooth and season with salt and pepper."]),
    ("guacamole", 4, [(3, "", "ripe avocados"), (1, "", "lime"), (0.5, "", "red onion"),
                      (1, "", "tomato"), (1, "handful", "coriander")],
     ["Mash the avocados with the lime juice.", "Stir in the finely chopped onion, tomato "
      "and coriander.", "Season with salt and serve straight away."]),
    ("vegetable stir-fry", 2, [(1, "", "red pepper"), (150, "g", "broccoli"), (1, "", "carrot"),
                               (2, "tbsp", "soy sauce"), (1, "tbsp", "sesame oil"),
                               (150, "g", "noodles")],
     ["Cook the noodles and drain.", "Stir-fry the sliced vegetables in the sesame oil over "
      "high heat for 4 minutes.", "Toss in the noodles and soy sauce and cook one more minute."]),
    ("banana bread", 8, [(3, "", "ripe bananas"), (250, "g", "flour"), (100, "g", "butter"),
                         (150, "g", "brown sugar"), (2, "", "eggs"), (1, "tsp", "baking soda")],
     ["Heat the oven to 180 °C and line a loaf tin.", "Mash the bananas and mix with the melted "
      "butter, sugar and eggs.", "Fold in the flour and baking soda.",
      "Bake for 50-60 minutes, until a skewer comes out clean."]),
    ("lentil curry", 4, [(250, "g", "red lentils"), (400, "ml", "coconut milk"),
                         (1, "", "onion"), (2, "tbsp", "curry paste"), (400, "g", "chopped "
                                                                           "tomatoes")],
     ["Fry the onion until soft, then stir in the curry paste for a minute.",
      "Add the lentils, tomatoes, coconut milk and 300 ml water.",
      "Simmer for 25 minutes, stirring often, until the lentils are soft."]),
    ("overnight oats", 1, [(50, "g", "rolled oats"), (120, "ml", "milk"), (2, "tbsp",
                                                                          "yoghurt"),
                           (1, "tsp", "honey"), (1, "handful", "berries")],
     ["Stir the oats, milk, yoghurt and honey together in a jar.",
      "Refrigerate overnight.", "Top with berries in the morning."]),
    ("chocolate chip cookies", 12, [(225, "g", "flour"), (115, "g", "butter"), (100, "g",
                                                                               "sugar"),
                                    (1, "", "egg"), (150, "g", "chocolate chips")],
     ["Cream the butter and sugar, then beat in the egg.", "Mix in the flour and chocolate "
      "chips.", "Bake spoonfuls at 180 °C for 10-12 minutes."]),
]
TIPS = [
    ("How long should I boil an egg for a soft yolk?",
     "About 6 minutes from the moment the egg goes into boiling water, then cool it in cold "
     "water. Go to 9-10 minutes for a fully set yolk."),
    ("How do I keep pasta from sticking together?",
     "Use plenty of water, stir in the first two minutes of cooking and don't add oil; drain "
     "and sauce it straight away."),
    ("How can I tell when chicken is cooked through?",
     "Use a thermometer: the thickest part should reach 74 °C (165 °F). The juices should run "
     "clear and the meat should no longer be pink."),
    ("Why did my bread not rise?",
     "Common causes are old or dead yeast, water that was too hot, too little proving time or "
     "a cold room. Test yeast in warm water with a pinch of sugar; it should foam in 10 minutes."),
    ("How do I cook fluffy rice?",
     "Rinse the rice until the water runs clear, use about 1.5 cups of water per cup of "
     "long-grain rice, simmer covered for 15 minutes, then rest it off the heat for 10 minutes."),
    ("What's the best way to chop an onion without crying?",
     "Use a very sharp knife, chill the onion for 15 minutes first and leave the root end on; "
     "it holds most of the irritating compounds."),
    ("How do I stop avocado from going brown?",
     "Squeeze lemon or lime juice over the cut surface and press cling film directly onto it. "
     "Browning is oxidation, so limiting air is what matters."),
]
SWAPS = [
    ("buttermilk", "Stir 1 tablespoon of lemon juice or vinegar into 1 cup of milk and leave "
     "it for 5 minutes."),
    ("eggs in baking", "Use 1 tablespoon of ground flaxseed mixed with 3 tablespoons of water "
     "per egg, or 60 g of mashed banana."),
    ("butter", "Use the same weight of margarine, or about three-quarters of the amount of "
     "vegetable oil in cakes and muffins."),
    ("self-raising flour", "Add 2 teaspoons of baking powder to each 150 g of plain flour."),
    ("heavy cream in a sauce", "Mix whole milk with a little melted butter, or use full-fat "
     "coconut milk for a dairy-free version."),
    ("fresh herbs", "Use about one third of the amount of dried herbs."),
]


def _quantity(amount: float, unit: str, ingredient: str) -> str:
    if unit in ("pinch", "handful"):
        return f"1 {unit} of {ingredient}"
    if unit == "":
        return f"{number(amount, 1)} {ingredient}"
    return f"{number(amount, 0 if unit in ('g', 'ml') else 1)} {unit} {ingredient}"


def _recipe(rng: random.Random) -> Example:
    dish, base, ingredients, steps = rng.choice(RECIPES)
    serves = rng.choice([base, base * 2, max(1, base // 2), base + 2, 6])
    scale = serves / base
    lines = [_quantity(a * scale if u not in ("pinch", "handful") else a, u, i)
             for a, u, i in ingredients]
    ask = rng.choice([f"Give me a recipe for {dish} for {serves} people.",
                      f"How do I make {dish}? It needs to serve {serves}.",
                      f"Recipe for {dish}, {serves} servings please.",
                      f"I want to cook {dish} for {serves}. What do I need and what are the "
                      "steps?"])
    out = (f"{dish.capitalize()} (serves {serves})\n\nIngredients:\n"
           + "\n".join(f"- {line}" for line in lines)
           + f"\n\nMethod:\n{numbered(steps)}")
    if scale != 1:
        out += (f"\n\nI scaled the quantities from the usual {base}-serving recipe; round to what "
                "is convenient.")
    return Example(ask, "", out, "cooking")


def make_cooking(rng: random.Random) -> Example:
    kind = rng.random()
    if kind < 0.55:
        return _recipe(rng)
    if kind < 0.8:
        question, answer = rng.choice(TIPS)
        if rng.random() < 0.3:
            question = "Cooking question: " + question[0].lower() + question[1:]
        return Example(question, "", answer, "cooking")
    missing, swap = rng.choice(SWAPS)
    ask = rng.choice([f"What can I use instead of {missing}?", f"I ran out of {missing}. Any "
                      "substitute?", f"Good substitute for {missing}?"])
    return Example(ask, "", swap, "cooking")
