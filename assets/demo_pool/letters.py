"""Emails and letters: requests, follow-ups, complaints, thanks, invitations, apologies."""

from __future__ import annotations

import random

from .records import Example

SENDERS = ["Alex Morgan", "Priya Shah", "Daniel Okafor", "Sofia Rossi", "Ken Watanabe",
           "Hannah Lee", "Marcus Brown", "Elena Petrova"]
MANAGERS = ["Ms. Carter", "Mr. Alvarez", "Jamie", "Mrs. Osei", "Mr. Lindqvist"]
CONTACTS = ["Dr. Nguyen", "Professor Hughes", "Jamie", "Mrs. Osei", "Tom", "Ms. Carter"]
SUPPORT = ["Customer Service", "the Returns Department", "the Support Team"]
INTERVIEWERS = ["Ms. Carter", "Mr. Alvarez", "Dr. Nguyen", "the Hiring Team"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["March", "April", "May", "June", "September", "October", "November"]
SIGN_OFFS = ["Best regards", "Kind regards", "Sincerely", "Many thanks", "Warm wishes"]


def _time_off(rng: random.Random) -> tuple[str, str, str, str]:
    to = rng.choice(MANAGERS)
    month, start = rng.choice(MONTHS), rng.randint(1, 20)
    days = rng.randint(2, 10)
    reason = rng.choice(["a family wedding", "a planned trip abroad", "moving house",
                         "a medical appointment and recovery"])
    subject = f"Time-off request: {month} {start}-{start + days - 1}"
    body = (f"I would like to request {days} days of leave from {month} {start} to "
            f"{month} {start + days - 1} for {reason}.\n\n"
            "I will make sure my current tasks are up to date before I leave and will brief a "
            "colleague on anything urgent. Please let me know if these dates cause any problems "
            "for the team.")
    ask = f"Write an email to my manager, {to}, asking for {days} days off in {month} for {reason}."
    return to, subject, body, ask


def _interview(rng: random.Random) -> tuple[str, str, str, str]:
    to = rng.choice(INTERVIEWERS)
    role = rng.choice(["data analyst", "junior designer", "project coordinator",
                       "software engineer", "marketing assistant"])
    company = rng.choice(["Northwind Labs", "Helio Foods", "Kestrel Software", "Alder & Finch"])
    day = rng.choice(DAYS)
    subject = f"Thank you - {role} interview"
    body = (f"Thank you for taking the time to speak with me on {day} about the {role} "
            f"position at {company}. I enjoyed learning about the team's current projects, "
            "especially the plans for the coming year.\n\n"
            "Our conversation confirmed my interest in the role. I believe my experience would "
            "let me contribute quickly, and I would be glad to provide any further information "
            "you need.")
    return to, subject, body, f"Write a follow-up email after my {role} interview at {company} " \
        f"with {to} on {day}."


def _complaint(rng: random.Random) -> tuple[str, str, str, str]:
    to = rng.choice(SUPPORT)
    item = rng.choice(["washing machine", "laptop", "sofa", "blender", "pair of boots"])
    order = rng.randint(10000, 99999)
    problem = rng.choice(["arrived damaged", "stopped working after a week",
                          "is not the model I ordered", "was delivered without its parts"])
    subject = f"Order #{order}: {item} {problem}"
    body = (f"I am writing about order #{order}. The {item} I received {problem}.\n\n"
            "I have attached photos and my receipt. I would appreciate a replacement or a full "
            "refund within the next two weeks. Please let me know how you would like me to "
            "return the item.")
    ask = f"Draft a polite complaint email: my {item} (order {order}) {problem}."
    return to, subject, body, ask


def _thanks(rng: random.Random) -> tuple[str, str, str, str]:
    to = rng.choice(CONTACTS)
    favour = rng.choice(["writing a reference letter for me", "hosting us last weekend",
                         "mentoring me this year", "covering my shifts while I was ill",
                         "the thoughtful wedding gift"])
    subject = "Thank you"
    body = (f"I just wanted to say a sincere thank you for {favour}. It meant a great deal to "
            "me, and I know it took time out of your busy schedule.\n\n"
            "I hope I can return the kindness soon.")
    return to, subject, body, f"Write a short thank-you note to {to} for {favour}."


def _reschedule(rng: random.Random) -> tuple[str, str, str, str]:
    to = rng.choice(CONTACTS)
    old, new = rng.sample(DAYS, 2)
    hour = rng.choice(["9:00", "10:30", "2:00 pm", "3:30 pm"])
    subject = f"Rescheduling our meeting to {new}"
    body = (f"Unfortunately a conflict has come up and I can no longer make our meeting on "
            f"{old}. Would {new} at {hour} work for you instead?\n\n"
            "If that time is not convenient, please suggest another slot and I will do my best "
            "to fit it in. Apologies for the inconvenience.")
    return to, subject, body, f"Email {to} to move our {old} meeting to {new} at {hour}."


def _invitation(rng: random.Random) -> tuple[str, str, str, str]:
    to = rng.choice(CONTACTS)
    event = rng.choice(["our team's end-of-year dinner", "a product launch", "my retirement "
                        "party", "a community garden open day", "a charity quiz night"])
    month, day = rng.choice(MONTHS), rng.randint(1, 28)
    subject = f"Invitation: {event}"
    body = (f"I would be delighted if you could join us for {event} on {month} {day}, starting "
            "at 6 pm.\n\nThere will be food, drinks and a few short speeches. Please let me "
            f"know by {month} {max(1, day - 5)} whether you can attend.")
    return to, subject, body, f"Write an invitation to {to} for {event} on {month} {day}."


KINDS = [_time_off, _interview, _complaint, _thanks, _reschedule, _invitation]


def make_letter(rng: random.Random) -> Example:
    sender = rng.choice(SENDERS)
    to, subject, body, ask = rng.choice(KINDS)(rng)
    name = to.removeprefix("the ")
    greeting = f"Dear {name}," if rng.random() < 0.7 else f"Hello {name},"
    letter = f"{greeting}\n\n{body}\n\n{rng.choice(SIGN_OFFS)},\n{sender}"
    if rng.random() < 0.6:
        letter = f"Subject: {subject}\n\n{letter}"
    if rng.random() < 0.3:
        ask = ask.replace("Write", "Please write").replace("Draft", "Could you draft")
        ask += f" Sign it {sender}."
    return Example(ask, "", letter, "email")
