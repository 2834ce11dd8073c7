"""Creative writing: haiku, short free-verse poems and little stories assembled from parts."""

from __future__ import annotations

import random

from .records import Example

# theme -> (five-syllable lines, seven-syllable lines)
HAIKU = {
    "autumn": (["falling maple leaves", "cold wind in the field", "the last apple drops",
                "grey geese heading south"],
               ["the garden path turns to gold", "smoke drifts from a distant fire",
                "a scarecrow guards empty rows", "the evening comes a bit sooner"]),
    "the ocean": (["waves fold into foam", "salt on my warm lips", "a gull cries alone",
                   "the tide pulls away"],
                  ["a crab hides beneath the stone", "blue water stretches to the sky",
                   "footprints vanish in the sand", "the lighthouse blinks through the mist"]),
    "winter": (["snow on the cedar", "breath hangs in the air", "the pond holds its breath",
                "a fox crosses ice"],
               ["the streetlights hum in the dark", "boots squeak on the frozen path",
                "a kettle sings by the stove", "the whole town is wrapped in white"]),
    "the city": (["sirens far away", "neon in the rain", "the last bus rattles",
                  "pigeons on the wire"],
                 ["a thousand windows light up", "coffee steam rises at dawn",
                  "footsteps echo in the square", "the subway breathes underground"]),
    "spring": (["a robin returns", "buds on the cherry", "rain on new green grass",
                "the first warm morning"],
               ["the creek runs fast with melted snow", "children chase a paper kite",
                "tulips open one by one", "a bee circles the window box"]),
    "friendship": (["two cups on the porch", "an old shared secret", "laughter in the car",
                    "a hand on my arm"],
                   ["we talk until the stars fade", "the years have not changed your smile",
                    "you saved the last piece for me", "a long walk with no need for words"]),
}
VERSE_IMAGES = {
    "the ocean": ["the tide keeps its own calendar", "salt settles in the seams of my coat",
                  "a boat leans against the horizon", "the sea forgets every footprint"],
    "a grandmother's kitchen": ["flour dust in the afternoon light", "a radio murmuring old songs",
                                "the smell of cardamom and burnt sugar",
                                "her hands, quick and certain"],
    "moving to a new city": ["boxes stacked like unfinished sentences",
                             "a street that does not know my name yet",
                             "the strange music of other people's doors",
                             "a window that looks out on somewhere new"],
    "the night sky": ["stars stitched into black cloth", "the moon pale as a coin",
                      "satellites sliding like slow sparks", "a silence older than the hills"],
    "a rainy Sunday": ["the gutters singing", "tea going cold beside a book",
                       "the grey light asking nothing of me", "puddles holding pieces of sky"],
    "learning to ride a bike": ["my father's hand on the seat", "the wobble, then the glide",
                                "gravel and scraped knees", "the moment he let go"],
}
HEROES = [("Mira", "a lighthouse keeper"), ("Tobias", "a retired clockmaker"),
          ("Lena", "a young botanist"), ("Kwame", "a night-shift baker"),
          ("Ada", "a robot that sorts library books"), ("Pip", "a nervous hedgehog"),
          ("Captain Rhee", "the pilot of a cargo airship"), ("Joon", "a street musician")]
SETTINGS = ["a foggy harbour town", "a village at the edge of a desert", "an orbiting space "
            "station", "a crowded night market", "an old house full of clocks",
            "a forest where the trees whisper"]
WANTS = ["find a lost melody", "deliver a letter before midnight", "grow a flower that "
         "blooms in winter", "win back a friend's trust", "fix a machine nobody else "
         "understands", "discover who keeps leaving notes on the door"]
OBSTACLES = ["a storm cut off every road", "the only map was written in a forgotten "
             "language", "a rival wanted the same thing", "time was running out faster than "
             "expected", "nobody believed the plan would work"]
ENDINGS = ["In the end, the answer had been close by all along.",
           "It was not the ending anyone expected, but it was the right one.",
           "By morning, the whole town was talking about it.",
           "And from that day on, the door was never locked again.",
           "Some journeys, it turned out, are worth every wrong turn."]


def _haiku(rng: random.Random) -> Example:
    theme = rng.choice(list(HAIKU))
    fives, sevens = HAIKU[theme]
    first, last = rng.sample(fives, 2)
    poem = f"{first.capitalize()}\n{rng.choice(sevens)}\n{last}"
    ask = rng.choice([f"Write a haiku about {theme}.", f"Compose a haiku on the theme of {theme}.",
                      f"Can you give me a 5-7-5 poem about {theme}?",
                      f"Haiku, please: {theme}."])
    out = poem if rng.random() < 0.7 else f"Here is a haiku about {theme}:\n\n{poem}"
    return Example(ask, "", out, "creative_writing")


def _free_verse(rng: random.Random) -> Example:
    topic = rng.choice(list(VERSE_IMAGES))
    images = rng.sample(VERSE_IMAGES[topic], rng.randint(3, 4))
    closing = rng.choice(["and I let it stay.", "and it is enough.", "and I begin again.",
                          "and I remember everything."])
    stanza = "\n".join(images)
    poem = f"{stanza},\n{closing}"
    if rng.random() < 0.4:
        title = rng.choice(["Small Hours", "What Remains", "Still Life", "Return"])
        poem = f"{title}\n\n{poem}"
    ask = rng.choice([f"Write a short poem about {topic}.", f"Write a free-verse poem about "
                      f"{topic}.", f"I'd love a few lines of poetry about {topic}.",
                      f"Compose a short, quiet poem inspired by {topic}."])
    return Example(ask, "", poem, "creative_writing")


def _story(rng: random.Random) -> Example:
    name, role = rng.choice(HEROES)
    setting, want, obstacle = rng.choice(SETTINGS), rng.choice(WANTS), rng.choice(OBSTACLES)
    paragraphs = [
        f"In {setting} lived {name}, {role}. For as long as anyone could remember, {name} had "
        f"wanted to {want}.",
        f"The chance finally came on an ordinary Tuesday. But {obstacle}, and for a while it "
        f"seemed the whole thing would fall apart. {name} sat by the window and thought hard.",
        f"Then {name} noticed something small that everyone else had missed, and a plan began "
        f"to form. {rng.choice(ENDINGS)}",
    ]
    n_par = rng.choice([1, 2, 3, 3])
    story = "\n\n".join(paragraphs[:n_par]) if n_par > 1 else \
        f"{paragraphs[0][:-1]}, but {obstacle}. {rng.choice(ENDINGS)}"
    length = {1: "a very short", 2: "a short", 3: "a three-paragraph"}[n_par]
    ask = rng.choice([f"Write {length} story about {role} who wants to {want}.",
                      f"Tell me {length} story set in {setting}.",
                      f"Write {length} tale featuring {name}, {role}.",
                      f"Create {length} bedtime story with a character called {name}."])
    return Example(ask, "", story, "creative_writing")


def make_creative(rng: random.Random) -> Example:
    kind = rng.choices([_haiku, _free_verse, _story], weights=[3, 2, 4])[0]
    return kind(rng)
