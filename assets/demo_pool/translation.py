"""Translation between English and French, Spanish, German and Italian from phrase tables."""

from __future__ import annotations

import random

from .records import Example

LANGUAGES = ["French", "Spanish", "German", "Italian"]

# English, French, Spanish, German, Italian
PHRASES = [
    ("Where is the train station?", "Où est la gare ?", "¿Dónde está la estación de tren?",
     "Wo ist der Bahnhof?", "Dov'è la stazione dei treni?"),
    ("I would like a cup of coffee, please.", "Je voudrais une tasse de café, s'il vous plaît.",
     "Quisiera una taza de café, por favor.", "Ich hätte gern eine Tasse Kaffee, bitte.",
     "Vorrei una tazza di caffè, per favore."),
    ("How much does this cost?", "Combien ça coûte ?", "¿Cuánto cuesta esto?",
     "Wie viel kostet das?", "Quanto costa questo?"),
    ("The weather is beautiful today.", "Il fait beau aujourd'hui.", "Hoy hace buen tiempo.",
     "Das Wetter ist heute schön.", "Oggi il tempo è bello."),
    ("My name is Anna and I live in London.", "Je m'appelle Anna et j'habite à Londres.",
     "Me llamo Anna y vivo en Londres.", "Ich heiße Anna und wohne in London.",
     "Mi chiamo Anna e vivo a Londra."),
    ("Can you help me, please?", "Pouvez-vous m'aider, s'il vous plaît ?",
     "¿Puede ayudarme, por favor?", "Können Sie mir bitte helfen?",
     "Può aiutarmi, per favore?"),
    ("I don't understand.", "Je ne comprends pas.", "No entiendo.", "Ich verstehe nicht.",
     "Non capisco."),
    ("The library opens at nine o'clock.", "La bibliothèque ouvre à neuf heures.",
     "La biblioteca abre a las nueve.", "Die Bibliothek öffnet um neun Uhr.",
     "La biblioteca apre alle nove."),
    ("We are going to the beach tomorrow.", "Nous allons à la plage demain.",
     "Mañana vamos a la playa.", "Wir fahren morgen an den Strand.",
     "Domani andiamo al mare."),
    ("I have two brothers and one sister.", "J'ai deux frères et une sœur.",
     "Tengo dos hermanos y una hermana.", "Ich habe zwei Brüder und eine Schwester.",
     "Ho due fratelli e una sorella."),
    ("The cat is sleeping on the sofa.", "Le chat dort sur le canapé.",
     "El gato está durmiendo en el sofá.", "Die Katze schläft auf dem Sofa.",
     "Il gatto dorme sul divano."),
    ("What time is it?", "Quelle heure est-il ?", "¿Qué hora es?", "Wie spät ist es?",
     "Che ore sono?"),
    ("I am learning to cook.", "J'apprends à cuisiner.", "Estoy aprendiendo a cocinar.",
     "Ich lerne kochen.", "Sto imparando a cucinare."),
    ("The museum is closed on Mondays.", "Le musée est fermé le lundi.",
     "El museo está cerrado los lunes.", "Das Museum ist montags geschlossen.",
     "Il museo è chiuso il lunedì."),
    ("Could we have the bill, please?", "L'addition, s'il vous plaît.",
     "¿Nos trae la cuenta, por favor?", "Können wir bitte die Rechnung haben?",
     "Possiamo avere il conto, per favore?"),
    ("My phone battery is almost empty.", "La batterie de mon téléphone est presque vide.",
     "La batería de mi teléfono está casi vacía.", "Mein Handyakku ist fast leer.",
     "La batteria del mio telefono è quasi scarica."),
    ("She reads a book every week.", "Elle lit un livre chaque semaine.",
     "Ella lee un libro cada semana.", "Sie liest jede Woche ein Buch.",
     "Lei legge un libro ogni settimana."),
    ("The children are playing in the garden.", "Les enfants jouent dans le jardin.",
     "Los niños juegan en el jardín.", "Die Kinder spielen im Garten.",
     "I bambini giocano in giardino."),
    ("I need to buy bread and milk.", "Je dois acheter du pain et du lait.",
     "Necesito comprar pan y leche.", "Ich muss Brot und Milch kaufen.",
     "Devo comprare pane e latte."),
    ("Is there a pharmacy near here?", "Y a-t-il une pharmacie près d'ici ?",
     "¿Hay una farmacia cerca de aquí?", "Gibt es hier in der Nähe eine Apotheke?",
     "C'è una farmacia qui vicino?"),
    ("Happy birthday!", "Joyeux anniversaire !", "¡Feliz cumpleaños!",
     "Alles Gute zum Geburtstag!", "Buon compleanno!"),
    ("The meeting has been moved to Thursday.", "La réunion a été déplacée à jeudi.",
     "La reunión se ha cambiado al jueves.", "Das Meeting wurde auf Donnerstag verschoben.",
     "La riunione è stata spostata a giovedì."),
    ("I'm sorry, I'm late.", "Désolé, je suis en retard.", "Perdón, llego tarde.",
     "Entschuldigung, ich bin spät dran.", "Scusa, sono in ritardo."),
    ("Do you speak English?", "Parlez-vous anglais ?", "¿Habla usted inglés?",
     "Sprechen Sie Englisch?", "Parla inglese?"),
    ("The soup is too hot.", "La soupe est trop chaude.", "La sopa está demasiado caliente.",
     "Die Suppe ist zu heiß.", "La zuppa è troppo calda."),
    ("We visited my grandparents last summer.", "Nous avons rendu visite à mes grands-parents "
     "l'été dernier.", "Visitamos a mis abuelos el verano pasado.",
     "Wir haben letzten Sommer meine Großeltern besucht.",
     "Abbiamo fatto visita ai miei nonni l'estate scorsa."),
    ("Turn left at the next traffic light.", "Tournez à gauche au prochain feu.",
     "Gire a la izquierda en el próximo semáforo.", "Biegen Sie an der nächsten Ampel links ab.",
     "Giri a sinistra al prossimo semaforo."),
    ("This shirt is too small for me.", "Cette chemise est trop petite pour moi.",
     "Esta camisa me queda demasiado pequeña.", "Dieses Hemd ist mir zu klein.",
     "Questa camicia è troppo piccola per me."),
    ("It is raining again.", "Il pleut encore.", "Está lloviendo otra vez.",
     "Es regnet schon wieder.", "Sta piovendo di nuovo."),
    ("I would like to book a table for four people.",
     "Je voudrais réserver une table pour quatre personnes.",
     "Quisiera reservar una mesa para cuatro personas.",
     "Ich möchte einen Tisch für vier Personen reservieren.",
     "Vorrei prenotare un tavolo per quattro persone."),
    ("My favourite colour is green.", "Ma couleur préférée est le vert.",
     "Mi color favorito es el verde.", "Meine Lieblingsfarbe ist Grün.",
     "Il mio colore preferito è il verde."),
    ("The train leaves in ten minutes.", "Le train part dans dix minutes.",
     "El tren sale en diez minutos.", "Der Zug fährt in zehn Minuten ab.",
     "Il treno parte tra dieci minuti."),
    ("Thank you very much for your help.", "Merci beaucoup pour votre aide.",
     "Muchas gracias por su ayuda.", "Vielen Dank für Ihre Hilfe.",
     "Grazie mille per il tuo aiuto."),
    ("He works at a hospital.", "Il travaille dans un hôpital.", "Él trabaja en un hospital.",
     "Er arbeitet in einem Krankenhaus.", "Lui lavora in un ospedale."),
    ("The water is cold.", "L'eau est froide.", "El agua está fría.", "Das Wasser ist kalt.",
     "L'acqua è fredda."),
    ("We need more time.", "Nous avons besoin de plus de temps.", "Necesitamos más tiempo.",
     "Wir brauchen mehr Zeit.", "Abbiamo bisogno di più tempo."),
]

# English, French, Spanish, German, Italian
WORDS = [
    ("apple", "la pomme", "la manzana", "der Apfel", "la mela"),
    ("house", "la maison", "la casa", "das Haus", "la casa"),
    ("dog", "le chien", "el perro", "der Hund", "il cane"),
    ("book", "le livre", "el libro", "das Buch", "il libro"),
    ("water", "l'eau", "el agua", "das Wasser", "l'acqua"),
    ("friend", "l'ami / l'amie", "el amigo / la amiga", "der Freund / die Freundin",
     "l'amico / l'amica"),
    ("tree", "l'arbre", "el árbol", "der Baum", "l'albero"),
    ("bread", "le pain", "el pan", "das Brot", "il pane"),
    ("window", "la fenêtre", "la ventana", "das Fenster", "la finestra"),
    ("school", "l'école", "la escuela", "die Schule", "la scuola"),
    ("sun", "le soleil", "el sol", "die Sonne", "il sole"),
    ("moon", "la lune", "la luna", "der Mond", "la luna"),
    ("cheese", "le fromage", "el queso", "der Käse", "il formaggio"),
    ("street", "la rue", "la calle", "die Straße", "la strada"),
    ("car", "la voiture", "el coche", "das Auto", "la macchina"),
    ("chair", "la chaise", "la silla", "der Stuhl", "la sedia"),
    ("bird", "l'oiseau", "el pájaro", "der Vogel", "l'uccello"),
    ("milk", "le lait", "la leche", "die Milch", "il latte"),
    ("city", "la ville", "la ciudad", "die Stadt", "la città"),
    ("key", "la clé", "la llave", "der Schlüssel", "la chiave"),
    ("beach", "la plage", "la playa", "der Strand", "la spiaggia"),
    ("morning", "le matin", "la mañana", "der Morgen", "la mattina"),
    ("kitchen", "la cuisine", "la cocina", "die Küche", "la cucina"),
    ("flower", "la fleur", "la flor", "die Blume", "il fiore"),
]

TO_ASKS = ["Translate into {lang}: {text}", "How do you say \"{text}\" in {lang}?",
           "Translate the following sentence into {lang}.", "Please translate this to {lang}.",
           "What's the {lang} for \"{text}\"?", "Render this English sentence in {lang}."]
FROM_ASKS = ["Translate this {lang} sentence into English.", "What does \"{text}\" mean?",
             "Translate from {lang} to English: {text}", "I saw this sign in {lang}. What does "
             "it say?", "English translation, please."]


def _sentence(rng: random.Random) -> Example:
    row = rng.choice(PHRASES)
    i = rng.randrange(1, 5)
    lang, english, foreign = LANGUAGES[i - 1], row[0], row[i]
    if rng.random() < 0.6:
        ask = rng.choice(TO_ASKS)
        source, target = english, foreign
    else:
        ask = rng.choice(FROM_ASKS)
        source, target = foreign, english
    inst = ask.format(lang=lang, text=source)
    inp = "" if "{text}" in ask else source
    style = rng.random()
    if style < 0.55:
        out = target
    elif style < 0.8:
        into = "English" if target == english else lang
        out = f"In {into}: \"{target}\""
    else:
        out = (f"Here is the {lang} translation:\n\n{target}" if target != english
               else f"It means: \"{english}\"")
    return Example(inst, inp, out, "translation")


def _word(rng: random.Random) -> Example:
    row = rng.choice(WORDS)
    i = rng.randrange(1, 5)
    lang = LANGUAGES[i - 1]
    ask = rng.choice([f"What is the {lang} word for \"{row[0]}\"?",
                      f"How do I say {row[0]} in {lang}?", f"{row[0]} in {lang}?",
                      f"Give me the {lang} translation of the word \"{row[0]}\"."])
    article_note = {"French": "le/la/l' marks the gender", "Spanish": "el/la marks the gender",
                    "German": "der/die/das marks the gender",
                    "Italian": "il/la/l' marks the gender"}[lang]
    if rng.random() < 0.5:
        out = f"{row[i]}"
    else:
        out = f"The {lang} word for \"{row[0]}\" is \"{row[i]}\" ({article_note})."
    return Example(ask, "", out, "translation")


def make_translation(rng: random.Random) -> Example:
    return _sentence(rng) if rng.random() < 0.8 else _word(rng)
