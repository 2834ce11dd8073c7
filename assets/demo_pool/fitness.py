"""Health and fitness: weekly workout plans, calorie estimates from METs, everyday habits."""

from __future__ import annotations

import random

from .records import Example, bulleted, number

GOALS = {
    "build strength": ["Squats 3 x 8", "Push-ups 3 x 10", "Dumbbell rows 3 x 10",
                       "Glute bridges 3 x 12", "Overhead press 3 x 8", "Plank 3 x 40 s",
                       "Lunges 3 x 10 per leg", "Deadlifts 3 x 6"],
    "improve endurance": ["30-minute easy run", "Intervals: 6 x 2 min fast, 1 min walk",
                          "45-minute bike ride", "Swim 20 lengths", "Brisk 40-minute walk",
                          "Rowing 4 x 5 min", "Hill repeats 6 x 1 min"],
    "get more flexible": ["15-minute yoga flow", "Hamstring stretch 3 x 30 s",
                          "Hip flexor lunge stretch 3 x 30 s", "Cat-cow 10 slow reps",
                          "Shoulder circles and doorway chest stretch", "Foam rolling 10 min"],
    "lose fat": ["Circuit: squats, push-ups, jumping jacks x 4 rounds", "35-minute brisk walk",
                 "Cycling intervals 8 x 1 min", "Kettlebell swings 4 x 15",
                 "Stair climbing 15 min", "Bodyweight circuit 20 min"],
}
LEVELS = ["complete beginner", "beginner", "intermediate"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# activity, MET value (Compendium-style round figures)
ACTIVITIES = [("walking briskly", 4.3), ("running at about 10 km/h", 9.8),
              ("cycling at a moderate pace", 7.5), ("swimming laps", 7.0),
              ("doing yoga", 2.5), ("playing tennis", 7.3), ("dancing", 5.0),
              ("hiking", 6.0), ("jumping rope", 11.0), ("gardening", 3.8)]
HABITS = [
    ("How much water should I drink a day?",
     "A common guide is about 2 litres for women and 2.5 litres for men from all drinks and "
     "food, more in hot weather or when exercising. Pale yellow urine is a simple sign you are "
     "drinking enough."),
    ("How many hours of sleep do adults need?",
     "Most adults need 7 to 9 hours a night. A regular bedtime, a dark, cool room and no "
     "screens for the last half hour all help."),
    ("Is it better to stretch before or after exercise?",
     "Do a dynamic warm-up (leg swings, light jogging) before exercise and save longer static "
     "stretches for afterwards, when the muscles are warm."),
    ("How can I make a habit of exercising?",
     "Start small (10 minutes counts), attach it to something you already do, schedule it like "
     "an appointment and track your streak. Consistency beats intensity at first."),
    ("What should I eat before a morning run?",
     "If the run is under an hour, a small snack such as a banana or toast with honey 30-60 "
     "minutes before is plenty. Keep fibre and fat low to avoid stomach trouble."),
    ("How do I prevent lower back pain at a desk job?",
     "Set the screen at eye level, keep your feet flat, stand up every 30-45 minutes and "
     "strengthen your core and glutes. See a doctor if pain lasts more than a few weeks."),
    ("How many steps a day should I aim for?",
     "10,000 is a popular target, but studies suggest benefits start well below that, around "
     "7,000-8,000 steps. Any increase from your current level helps."),
    ("Is it okay to work out when I'm sore?",
     "Mild soreness is fine: light activity such as walking or easy cycling can even help. "
     "Rest the sore muscles from heavy work, and stop if you feel sharp pain."),
]
DISCLAIMER = "If you have a medical condition, check with a doctor before starting."


def _plan(rng: random.Random) -> Example:
    goal = rng.choice(list(GOALS))
    days = rng.randint(2, 5)
    level = rng.choice(LEVELS)
    minutes = rng.choice([20, 30, 45, 60])
    chosen = sorted(rng.sample(range(7), days))
    lines = []
    for d in chosen:
        moves = rng.sample(GOALS[goal], min(len(GOALS[goal]), rng.randint(2, 3)))
        lines.append(f"{DAY_NAMES[d]}: " + "; ".join(moves))
    ask = rng.choice([f"Make me a {days}-day-a-week workout plan to {goal}. I'm a {level}.",
                      f"I'm a {level} and want to {goal}. I have {minutes} minutes, {days} days "
                      "a week. What should I do?",
                      f"Create a weekly exercise schedule ({days} sessions) to help me {goal}."])
    out = (f"Here is a simple {days}-day plan ({minutes} minutes or less per session):\n\n"
           + bulleted(lines) + "\n\nRest or walk on the other days. ")
    out += ("Start with lighter loads and add a little each week." if "beginner" in level
            else "Increase volume by about 10% a week if recovery is good.")
    if rng.random() < 0.4:
        out += f" {DISCLAIMER}"
    return Example(ask, "", out, "health_fitness")


def _calories(rng: random.Random) -> Example:
    activity, met = rng.choice(ACTIVITIES)
    kg = rng.randrange(50, 111, 2)
    minutes = rng.choice([20, 30, 45, 60, 90])
    kcal = met * kg * minutes / 60
    ask = rng.choice([f"How many calories does a {kg} kg person burn {activity} for {minutes} "
                      "minutes?", f"I weigh {kg} kg. Roughly how many calories will I burn "
                      f"{activity} for {minutes} minutes?"])
    out = (f"A rough estimate uses METs: calories = MET x weight (kg) x hours.\n\n"
           f"{activity.capitalize()} is about {number(met, 1)} METs, so "
           f"{number(met, 1)} x {kg} x {number(minutes / 60, 2)} = about {round(kcal)} kcal.\n\n"
           "Real numbers vary with fitness, terrain and effort, so treat this as a ballpark.")
    return Example(ask, "", out, "health_fitness")


def make_fitness(rng: random.Random) -> Example:
    kind = rng.random()
    if kind < 0.4:
        return _plan(rng)
    if kind < 0.7:
        return _calories(rng)
    question, answer = rng.choice(HABITS)
    if rng.random() < 0.3:
        question = rng.choice(["Health question: ", "Quick one: "]) + question[0].lower() + \
            question[1:]
    return Example(question, "", answer, "health_fitness")
