"""Grammar correction and rewriting: fix errors, change tone or voice, shorten, change tense."""

from __future__ import annotations

import random

from .records import Example

GRAMMAR = [
    ("Me and him goes to the park every weekends.", "He and I go to the park every weekend."),
    ("She don't like apples.", "She doesn't like apples."),
    ("Their going to the concert tonight.", "They're going to the concert tonight."),
    ("I seen that movie yesterday.", "I saw that movie yesterday."),
    ("The team are playing good this season.", "The team is playing well this season."),
    ("Who's book is this?", "Whose book is this?"),
    ("Its a beautiful day, isnt it.", "It's a beautiful day, isn't it?"),
    ("There is many reasons to learn a language.", "There are many reasons to learn a language."),
    ("He runned to the bus stop but it already leaved.",
     "He ran to the bus stop, but the bus had already left."),
    ("I could of finished earlier.", "I could have finished earlier."),
    ("Less people came to the meeting then we expected.",
     "Fewer people came to the meeting than we expected."),
    ("Each of the students have a laptop.", "Each of the students has a laptop."),
    ("Between you and I, the plan wont work.", "Between you and me, the plan won't work."),
    ("We was late because the traffic.", "We were late because of the traffic."),
    ("The informations you sent was very useful.", "The information you sent was very useful."),
    ("She is more taller than her brother.", "She is taller than her brother."),
    ("Your welcome to join us for dinner.", "You're welcome to join us for dinner."),
    ("I have went there three times.", "I have gone there three times."),
    ("If I was you, I would call her.", "If I were you, I would call her."),
    ("The dog wagged it's tail.", "The dog wagged its tail."),
    ("Can you borrow me your pen?", "Can you lend me your pen?"),
    ("He don't have no money left.", "He doesn't have any money left."),
    ("Alot of people enjoys hiking.", "A lot of people enjoy hiking."),
    ("Me and my sister has a cat named Milo.", "My sister and I have a cat named Milo."),
    ("The children was excited about there trip.", "The children were excited about their trip."),
    ("She sings very good.", "She sings very well."),
    ("I am agree with your opinion.", "I agree with your opinion."),
    ("Where you are going now?", "Where are you going now?"),
    ("I look forward to hear from you.", "I look forward to hearing from you."),
    ("Neither of the answers are correct.", "Neither of the answers is correct."),
]
FORMAL = [
    ("Hey, can u send me the report asap?",
     "Could you please send me the report at your earliest convenience?"),
    ("Sorry, can't make it to the meeting, something came up.",
     "I apologise, but I will be unable to attend the meeting due to an unforeseen commitment."),
    ("The new software is kinda buggy and super slow.",
     "The new software has a number of defects and performs slowly."),
    ("Thanks a ton for helping out yesterday!",
     "Thank you very much for your assistance yesterday."),
    ("We gotta fix this before the boss sees it.",
     "We need to resolve this issue before it is reviewed by management."),
    ("Your package is gonna be late, sorry about that.",
     "We regret to inform you that your package will be delayed."),
    ("I think the price is way too high.", "In my view, the price is considerably too high."),
    ("Let me know what you think, ok?", "Please let me know your thoughts."),
    ("The hotel was pretty gross and the staff didn't care.",
     "The hotel was not clean, and the staff appeared indifferent to our concerns."),
    ("Can we push the call to next week?", "Would it be possible to reschedule our call to "
     "next week?"),
    ("Got your email, will check and get back to you.",
     "Thank you for your email. I will review it and respond shortly."),
    ("This plan is a total mess.", "This plan has several significant problems."),
]
PASSIVE = [
    ("The chef cooked a wonderful meal.", "A wonderful meal was cooked by the chef."),
    ("The committee approved the new budget.", "The new budget was approved by the committee."),
    ("Millions of people watch the final every year.",
     "The final is watched by millions of people every year."),
    ("The storm damaged several houses.", "Several houses were damaged by the storm."),
    ("Our team will announce the results tomorrow.",
     "The results will be announced by our team tomorrow."),
    ("A young architect designed the bridge.", "The bridge was designed by a young architect."),
    ("The teacher graded the exams over the weekend.",
     "The exams were graded by the teacher over the weekend."),
    ("Someone stole my bike last night.", "My bike was stolen last night."),
    ("The company has hired twenty new engineers.",
     "Twenty new engineers have been hired by the company."),
    ("Volunteers planted two hundred trees in the park.",
     "Two hundred trees were planted in the park by volunteers."),
]
SHORTEN = [
    ("Due to the fact that it was raining heavily, we made the decision to postpone the "
     "picnic until a later date.", "Because of heavy rain, we postponed the picnic."),
    ("At this point in time, we are not in a position to offer a refund for the item.",
     "We can't offer a refund for the item right now."),
    ("In the event that you have any questions at all, please do not hesitate to reach out to "
     "us at any time.", "If you have questions, please contact us."),
    ("The reason why the project was delayed is because the supplier failed to deliver the "
     "parts on time.", "The project was delayed because the supplier delivered the parts late."),
    ("It is absolutely essential that all employees make sure to complete the safety training "
     "before the end of the month.", "All employees must finish safety training by month's end."),
    ("She is a person who is very kind and who always helps other people when they need it.",
     "She is kind and always helps others in need."),
    ("In my personal opinion, I think that the movie was too long and could have been shorter.",
     "I think the movie was too long."),
    ("We would like to take this opportunity to thank each and every one of you for coming.",
     "Thank you all for coming."),
]
# (subject, present verb phrase, past verb phrase, rest)
TENSE_SUBJECTS = ["My neighbour", "The manager", "Our teacher", "My brother", "The pilot",
                  "She", "He", "The gardener", "Our coach", "The baker"]
TENSE_VERBS = [("walks", "walked", "to the station every morning"),
               ("writes", "wrote", "a long letter to her aunt"),
               ("buys", "bought", "fresh vegetables at the market"),
               ("teaches", "taught", "a class on Saturdays"),
               ("drives", "drove", "carefully through the snow"),
               ("catches", "caught", "the early train"),
               ("makes", "made", "pancakes for the whole family"),
               ("sings", "sang", "in the community choir"),
               ("fixes", "fixed", "old radios in the garage"),
               ("thinks", "thought", "about the problem for hours"),
               ("reads", "read", "the newspaper over breakfast"),
               ("swims", "swam", "across the lake")]

ASKS = {
    "grammar": ["Correct the grammar in this sentence.", "Fix the mistakes:",
                "Proofread the following sentence.", "Is this sentence correct? If not, fix it.",
                "Please correct any grammatical errors."],
    "formal": ["Rewrite this in a more formal tone.", "Make this message sound professional.",
               "Rephrase the following for a business email.", "Turn this into formal English."],
    "passive": ["Rewrite the sentence in the passive voice.", "Change this to passive voice.",
                "Convert the following sentence from active to passive."],
    "shorten": ["Make this sentence more concise.", "Shorten the following sentence without "
                "losing its meaning.", "Remove the wordiness from this sentence.",
                "Simplify this sentence."],
    "tense": ["Change this sentence to the past tense.", "Rewrite in the simple past.",
              "Put the following sentence in the past tense."],
}


def _tense_pair(rng: random.Random) -> tuple[str, str]:
    subject = rng.choice(TENSE_SUBJECTS)
    present, past, rest = rng.choice(TENSE_VERBS)
    return f"{subject} {present} {rest}.", f"{subject} {past} {rest}."


def make_rewrite(rng: random.Random) -> Example:
    kind = rng.choices(list(ASKS), weights=[4, 3, 2, 2, 2])[0]
    if kind == "tense":
        before, after = _tense_pair(rng)
    else:
        table = {"grammar": GRAMMAR, "formal": FORMAL, "passive": PASSIVE, "shorten": SHORTEN}
        before, after = rng.choice(table[kind])
    inst = rng.choice(ASKS[kind])
    style = rng.random()
    if style < 0.6:
        out = after
    elif kind == "grammar" and style < 0.85:
        out = f"Corrected: {after}"
    else:
        out = f"Here is the revised sentence:\n\n\"{after}\""
    if rng.random() < 0.25:
        return Example(f"{inst} \"{before}\"", "", out, "rewrite")
    return Example(inst, before, out, "rewrite")
