"""Brainstorming: lists of ideas, tips and names, drawn from hand-written idea banks."""

from __future__ import annotations

import random

from .records import Example, as_list

# topic -> (noun phrase for the ask, ideas as "idea: detail")
IDEAS = {
    "party": ("themes for a child's birthday party", [
        "Pirate treasure hunt: hide gold-coin chocolates around the garden",
        "Space mission: cardboard rocket, glow-in-the-dark stars", "Dinosaur dig: bury plastic "
        "bones in a sandpit", "Superhero training camp: an obstacle course with capes",
        "Under the sea: blue streamers and a fish-shaped cake", "Mad scientist lab: safe fizzy "
        "experiments with baking soda", "Jungle safari: animal masks and a binocular craft",
        "Art studio: aprons, canvases and a mini gallery", "Camping indoors: a blanket fort and "
        "torch-lit stories"]),
    "save": ("ways to save money on groceries", [
        "Plan meals for the week before shopping", "Make a list and stick to it",
        "Buy store brands for staples like rice and flour", "Shop seasonal produce",
        "Cook in batches and freeze portions", "Compare unit prices, not package prices",
        "Avoid shopping when hungry", "Use leftovers for lunches", "Buy dried beans instead of "
        "canned", "Check what is already in the fridge first"]),
    "rainy": ("rainy-day activities for kids", [
        "Build a blanket fort", "Bake and decorate cookies", "Have an indoor scavenger hunt",
        "Put on a puppet show", "Make a paper airplane contest", "Do a jigsaw puzzle together",
        "Start a family book club", "Set up a mini bowling alley with plastic bottles",
        "Draw a comic strip", "Have a dance party"]),
    "team": ("team-building activities for a remote team", [
        "Online trivia with mixed teams", "Show-and-tell of something on your desk",
        "A shared playlist where everyone adds two songs", "Virtual escape room",
        "Two truths and a lie at the start of a meeting", "A monthly lunch-and-learn",
        "Photo challenge: your view today", "Pair up for coffee chats at random",
        "Collaborative doodle on a shared whiteboard"]),
    "plastic": ("ways to reduce plastic waste at home", [
        "Carry reusable shopping bags", "Switch to bar soap and shampoo bars",
        "Use glass jars for leftovers", "Buy loose fruit and vegetables", "Refill a metal water "
        "bottle", "Choose products in cardboard packaging", "Make your own cleaning spray",
        "Use beeswax wraps instead of cling film", "Say no to plastic straws"]),
    "study": ("study tips for exam season", [
        "Study in 25-minute blocks with short breaks", "Test yourself instead of re-reading",
        "Teach the material to a friend", "Sleep at least seven hours", "Keep your phone in "
        "another room", "Start with the hardest topic while you are fresh",
        "Make a one-page summary for each chapter", "Do past papers under timed conditions",
        "Space your revision over several days"]),
    "trip": ("ideas for a weekend trip on a budget", [
        "Camp at a nearby national park", "Take a train to a small town you have never "
        "visited", "Plan a cycling day along a river path", "Visit free museums in a nearby "
        "city", "Go on a self-guided food tour of a local market", "Swap houses with a friend",
        "Hike to a viewpoint and picnic at the top", "Find a festival in a neighbouring town"]),
    "science": ("science fair project ideas for middle school", [
        "Which paper towel brand absorbs the most water?", "Do plants grow better with music?",
        "How does salt affect the boiling point of water?", "Build a simple solar oven",
        "Which materials insulate ice cubes best?", "Does the shape of a paper airplane change "
        "its flight distance?", "Test the vitamin C content of different juices",
        "Make a homemade compass", "How does temperature affect how fast yeast grows?"]),
    "gift": ("gift ideas for someone who loves gardening", [
        "A good pair of pruning shears", "Heirloom seed collection", "Kneeling pad",
        "Personalised plant markers", "A subscription to a gardening magazine",
        "Hand-forged trowel", "Rain gauge", "Bee hotel", "Gardening gloves with reinforced "
        "fingertips"]),
    "icebreaker": ("icebreaker questions for a first team meeting", [
        "What was your first job?", "What's a skill you'd love to learn?", "Coffee or tea, and "
        "how do you take it?", "What's the best trip you've ever taken?", "What's a book or show "
        "you recommend?", "If you could have any superpower, what would it be?",
        "What did you want to be when you were ten?", "What's your favourite local restaurant?"]),
    "blog": ("blog post ideas for a cooking website", [
        "Five dinners you can make with one pan", "How to stock a beginner's pantry",
        "A guide to cooking with seasonal vegetables", "Knife skills every home cook needs",
        "Ten-minute breakfasts for busy mornings", "The science of the perfect loaf",
        "Cooking for one without wasting food", "Budget-friendly meals for a family of four"]),
    "productivity": ("tips to stay productive when working from home", [
        "Keep a fixed start and finish time", "Set up a dedicated work space",
        "Get dressed as if you were going out", "Plan your top three tasks each morning",
        "Take a proper lunch break away from the screen", "Use noise-cancelling headphones",
        "Batch your email into two or three sessions", "Go for a short walk before starting"]),
}
BAKERY_PARTS = (["Golden", "Rolling", "Little", "Morning", "Honey", "Crumb", "Rise", "Oven"],
                ["Crust", "Pin", "Loaf", "Whisk", "Hearth", "Table", "Bakehouse", "Knead"])
SHOPS = ["bakery", "coffee shop", "bookshop", "bike repair shop", "flower stall"]


def _ideas(rng: random.Random) -> Example:
    key = rng.choice(list(IDEAS))
    phrase, bank = IDEAS[key]
    count = rng.randint(3, min(8, len(bank)))
    items = rng.sample(bank, count)
    ask = rng.choice([f"Give me {count} {phrase}.", f"List {count} {phrase}.",
                      f"Brainstorm {count} {phrase}.", f"What are some {phrase}? I need "
                      f"{count}.", f"Can you suggest {count} {phrase}?"])
    body = as_list(rng, items)
    if rng.random() < 0.4:
        body = rng.choice(["Here are some ideas:", "Sure! Try these:", "A few to get you "
                           "started:"]) + "\n\n" + body
    if rng.random() < 0.25:
        body += "\n\n" + rng.choice(["Pick the ones that suit you best.", "Hope this helps!",
                                     "Let me know if you want more detail on any of them."])
    return Example(ask, "", body, "brainstorming")


def _names(rng: random.Random) -> Example:
    shop = rng.choice(SHOPS)
    firsts, seconds = BAKERY_PARTS
    count = rng.randint(4, 8)
    pairs = rng.sample([f"{a} {b}" for a in firsts for b in seconds], count)
    if shop != "bakery":
        pairs = [p.replace("Bakehouse", "House").replace("Loaf", "Corner") for p in pairs]
    town = rng.choice(["Riverton", "Lakeside", "Maple Falls", "Cedar Hill"])
    ask = rng.choice([f"Suggest {count} names for a new {shop} in {town}.",
                      f"I'm opening a {shop} in {town}. Brainstorm {count} possible names.",
                      f"Come up with {count} catchy names for a {shop}."])
    return Example(ask, "", as_list(rng, [f"The {p}" if rng.random() < 0.3 else p
                                          for p in pairs]), "brainstorming")


def make_brainstorm(rng: random.Random) -> Example:
    return _ideas(rng) if rng.random() < 0.85 else _names(rng)
