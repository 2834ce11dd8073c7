"""Classification: review sentiment, headline topic, spam and customer-support intent."""

from __future__ import annotations

import random

from .records import Example

REVIEW_ITEMS = ["headphones", "coffee maker", "hotel room", "pizza", "phone case", "novel",
                "running shoes", "laptop bag", "vacuum cleaner", "yoga mat", "desk lamp",
                "delivery service"]
SENTIMENT_PARTS = {
    "positive": ["I absolutely love this {item}.", "Works exactly as described, great value.",
                 "Best {item} I have bought in years.", "Arrived early and the quality is "
                 "excellent.", "Would definitely recommend it to friends.",
                 "Exceeded my expectations in every way."],
    "negative": ["The {item} broke after two days.", "Complete waste of money.",
                 "Customer service never answered my emails.", "Nothing like the photos, very "
                 "disappointed.", "I returned the {item} the same week.",
                 "Cheap materials and it smells weird."],
    "neutral": ["The {item} does what it says, nothing more.", "It's okay for the price.",
                "Delivery took the usual amount of time.", "Average quality, similar to others "
                "I've tried.", "Not bad, not great.", "The {item} is fine for occasional use."],
}
HEADLINES = {
    "sports": ["{team} clinch the title with a last-minute goal",
               "Star striker out for six weeks with knee injury",
               "Marathon record falls in {city}", "{team} sign veteran goalkeeper",
               "Tennis final goes to five sets"],
    "politics": ["Parliament debates new housing bill", "Mayor of {city} announces re-election "
                 "bid", "Opposition calls for inquiry into contract awards",
                 "Voters head to the polls in {city} by-election",
                 "Government unveils plan to cut waiting lists"],
    "technology": ["New smartphone chip promises longer battery life",
                   "Start-up in {city} unveils open-source robot arm",
                   "Security flaw found in popular router firmware",
                   "AI model learns to summarise legal contracts",
                   "Satellite internet expands to rural areas"],
    "business": ["Shares of {company} jump after strong earnings",
                 "{company} to open new factory in {city}", "Inflation slows for third month",
                 "Retail sales dip ahead of holiday season", "Central bank holds interest rates"],
    "health": ["Study links daily walks to better sleep", "Flu vaccine clinics open in {city}",
               "Hospitals in {city} report shorter emergency waits",
               "Researchers test new treatment for migraines",
               "Doctors urge parents to limit sugary drinks"],
    "entertainment": ["Indie film wins top prize at festival", "Band announces reunion tour",
                      "Streaming series renewed for a third season",
                      "{city} theatre revives classic musical", "Author's debut novel tops charts"],
}
SPAM = [
    "Congratulations! You have won a $1,000 gift card. Click here to claim now!",
    "URGENT: your account will be suspended. Verify your password at this link.",
    "Earn $5,000 a week from home, no experience needed!!!",
    "You are the lucky winner of a free cruise. Reply YES to claim your prize.",
    "Cheap meds, no prescription, fast shipping. Order today.",
    "Final notice: unpaid invoice attached, open immediately to avoid fees.",
]
HAM = [
    "Hi {name}, are we still on for lunch on Thursday?",
    "The meeting notes from today are in the shared folder.",
    "Can you pick up some milk on your way home?",
    "Reminder: your dentist appointment is tomorrow at 10:30.",
    "Thanks for the birthday card, {name}! It made my day.",
    "Your order has shipped and should arrive on Friday.",
]
INTENTS = {
    "billing": ["I was charged twice for my subscription this month.",
                "Why is my bill higher than usual?", "How do I update my credit card details?",
                "I'd like a refund for the last payment."],
    "technical_support": ["The app crashes every time I open settings.",
                          "I can't log in even after resetting my password.",
                          "My router keeps disconnecting at night.",
                          "The printer says it's offline but it's plugged in."],
    "shipping": ["Where is my package? It's been ten days.",
                 "Can I change the delivery address for my order?",
                 "The tracking number doesn't work.", "My parcel arrived damaged."],
    "account": ["How do I delete my account?", "I want to change the email on my profile.",
                "Can I add a second user to my plan?", "How do I turn on two-factor login?"],
}
NAMES = ["Sam", "Alex", "Jordan", "Maya", "Leo", "Nina"]
CITIES = ["Riverton", "Lakeside", "Port Hallam", "Eastbrook"]


def _sentiment(rng: random.Random) -> Example:
    label = rng.choices(list(SENTIMENT_PARTS), weights=[5, 4, 2])[0]
    item = rng.choice(REVIEW_ITEMS)
    review = " ".join(p.format(item=item) for p in rng.sample(SENTIMENT_PARTS[label],
                                                              rng.randint(1, 3)))
    ask = rng.choice(["Classify the sentiment of this review as positive, negative or neutral.",
                      "Is the following review positive, negative, or neutral?",
                      "What is the sentiment of this customer review?",
                      "Label the review's sentiment."])
    out = label if rng.random() < 0.5 else (
        f"{label.capitalize()}. The reviewer's wording "
        + {"positive": "is enthusiastic and recommends the product.",
           "negative": "describes problems and disappointment.",
           "neutral": "is mild, with neither strong praise nor complaints."}[label])
    return Example(ask, review, out, "classification")


def _topic(rng: random.Random) -> Example:
    label = rng.choice(list(HEADLINES))
    headline = rng.choice(HEADLINES[label]).format(
        team=rng.choice(["Harbour City", "Red Valley", "Stonebridge"]), city=rng.choice(CITIES),
        company=rng.choice(["Northwind Labs", "Helio Foods", "Quartz Mobility"]))
    labels = ", ".join(HEADLINES)
    if rng.random() < 0.5:
        return Example(f"Classify this headline into one of: {labels}.", headline, label,
                       "classification")
    return Example(f"Which news section does this headline belong in? \"{headline}\"", "",
                   f"It belongs in the {label} section.", "classification")


def _spam(rng: random.Random) -> Example:
    is_spam = rng.random() < 0.5
    text = rng.choice(SPAM if is_spam else HAM).format(name=rng.choice(NAMES))
    ask = rng.choice(["Is this message spam or not spam?", "Classify the email as spam or ham.",
                      "Spam detection: label the following message."])
    word = ("spam" if is_spam else ("ham" if "ham" in ask else "not spam"))
    if rng.random() < 0.4:
        why = ("It uses urgency, prizes or money offers to push you to click or reply."
               if is_spam else "It is an ordinary personal or transactional message.")
        return Example(ask, text, f"{word.capitalize()}. {why}", "classification")
    return Example(ask, text, word, "classification")


def _intent(rng: random.Random) -> Example:
    label = rng.choice(list(INTENTS))
    message = rng.choice(INTENTS[label])
    ask = ("Route this customer message to the right team: billing, technical_support, "
           "shipping or account.")
    if rng.random() < 0.5:
        ask = "What is the intent of the following support ticket?"
    return Example(ask, message, label, "classification")


def make_classification(rng: random.Random) -> Example:
    kind = rng.choices([_sentiment, _topic, _spam, _intent], weights=[5, 3, 2, 2])[0]
    return kind(rng)
