"""Everything the bot says of its own, in clear Dutch (B1)."""

WELCOME = (
    "Hoi! Met deze bot oefen je gesprekken met inwoners. Een computer speelt de inwoner; "
    "jij bent de casemanager. Na het gesprek krijg je tips over hoe het ging.\n\n"
    "Wat we bewaren: je voornaam, je berichten in de oefengesprekken en de feedback. "
    "Je Telegram-nummer bewaren we niet. Trainers kunnen je gesprekken bekijken. "
    "Met /verwijder haal je alles weer weg.\n\nDoe je mee?"
)
CONSENT_YES = "Ja, ik doe mee"
CONSENT_NO = "Nee, liever niet"
NO_CONSENT = "Prima. Er is niets bewaard. Typ /start als je toch wilt oefenen."
NEED_CONSENT = "Typ eerst /start. Dan leg ik uit hoe het werkt en wat we bewaren."
CHOOSE = "Met wie wil je oefenen?"
RANDOM = "Verras me"
NO_PRACTICE = "Er loopt nu geen oefengesprek. Kies een inwoner met /start of /opnieuw."
NOT_TEXT = "Ik kan alleen tekst lezen. Typ je bericht aan de inwoner."
EDITED = "Een bericht aanpassen kan hier niet. Stuur gewoon een nieuw bericht."
TOO_LONG = "Je bericht is heel lang. De inwoner leest alleen het begin."
RASA_DOWN = (
    "De oefenserver is even niet bereikbaar. Je bericht is bewaard. Zodra de server terug is, "
    "stuur ik het door en antwoordt de inwoner. Je hoeft niets opnieuw te typen."
)
RASA_STILL_DOWN = (
    "De oefenserver is nog steeds niet bereikbaar. Je bericht blijft bewaard en gaat mee "
    "met je volgende bericht. Probeer het over een tijdje nog eens."
)
RASA_DOWN_START = (
    "De oefenserver is even niet bereikbaar. Probeer het over een paar minuten nog eens."
)
RASA_DOWN_STOP = (
    "De oefenserver is even niet bereikbaar. Je gesprek is bewaard. "
    "Probeer het over een paar minuten opnieuw."
)
SLOW_DOWN = (
    "Je stuurt veel berichten snel achter elkaar. De inwoner kan dat niet bijhouden. "
    "Wacht even en stuur je laatste berichten dan opnieuw, één voor één."
)
ERROR = "Er ging iets mis aan mijn kant. Probeer het nog eens, of typ /help."
# One line per command of bot/commands.py (tests/telegram/test_commands_guard.py checks).
HELP = (
    "Zo werkt het:\n"
    "/start – uitleg en een inwoner kiezen\n"
    "/stop – het gesprek afronden en je feedback lezen\n"
    "/opnieuw – opnieuw beginnen met dezelfde inwoner\n"
    "/terug – je laatste bericht terugnemen en het anders proberen\n"
    "/opnieuw 3 – verder vanaf bericht 3: dat bericht en alles erna vervallen\n"
    "/tip – een tip voor je volgende bericht\n"
    "/hints aan of /hints uit – tips tijdens het gesprek\n"
    "/voortgang – hoe je het doet over je gesprekken\n"
    "/mijngegevens – wat er van je bewaard is\n"
    "/verwijder – al je gegevens verwijderen\n"
    "/join CODE – meedoen aan een werkatelier\n"
    "/help – deze uitleg\n\n"
    "Samen oefenen in een groep:\n"
    "/oefening INWONER – de oefening starten (met 'volgorde' erachter: om de beurt)\n"
    "/beurt – wie is er aan de beurt\n"
    "/terug, /opnieuw 3 en /tip – werken ook in de groep, als het mag\n"
    "/stop – afronden: iedereen zegt wat de inwoner nodig had, dan de feedback"
)
HINTS_USAGE = "Typ /hints aan of /hints uit."
NOTHING_STORED = "Er is niets van je bewaard."
ERASE_ASK = (
    "Weet je het zeker? Dan verwijder ik al je oefengesprekken, berichten en feedback. "
    "Dat kan niet ongedaan worden gemaakt."
)
ERASE_YES = "Ja, verwijder alles"
ERASE_NO = "Nee, laat staan"
ERASE_KEPT = "Er is niets verwijderd."
NO_PROGRESS = "Je hebt nog geen afgerond oefengesprek. Rond er een af met /stop."
COACH = "💡 Coach: "
THOUGHT = "💭 <i>{thought}</i>"
"""The inwoner's thought under their words (HTML; the thought is escaped before)."""
CHART_CAPTION = "Je gesprek in een plaatje: tips per thema en het vertrouwen van de inwoner."
GROUP_CHART_CAPTION = (
    "Jullie gesprek in een plaatje: tips per thema en het vertrouwen van de inwoner."
)
PROGRESS_CAPTION = "Hoeveel tips je liet zien, in je {sessions} afgeronde gesprek(ken)."

UNKNOWN = (
    "Die opdracht ken ik niet. Wil je iets tegen de inwoner zeggen? Typ het dan gewoon, "
    "zonder / ervoor. Alle opdrachten zie je met /help."
)

# Werkateliers
JOIN_USAGE = "Typ de code van het werkatelier achter /join, bijvoorbeeld: /join K7M2QX"
JOINED = "Je doet mee aan het werkatelier '{name}'."
JOINED_ROUND = (
    "In dit werkatelier oefen je samen in de groepschat. Doe daar mee als de trainer de "
    "oefening start."
)
GROUP_JOINED = "Deze groep doet mee aan het werkatelier '{name}'. Start de oefening met /oefening."
WORKSHOP_CLOSED_NOW = (
    "Het werkatelier is gesloten. Je kunt gewoon verder oefenen, maar je gesprek telt niet "
    "meer mee voor het werkatelier."
)
GROUP_START = (
    "In een groep oefen je samen met één inwoner. Start met /oefening en de naam, "
    "bijvoorbeeld /oefening henk. Alleen oefenen? Stuur mij een privébericht."
)
ROUND_ONLY_GROUP = (
    "/oefening werkt in een groepschat. Voeg mij toe aan een groep om samen te oefenen."
)
ROUND_USAGE = (
    "Typ /oefening en de naam van de inwoner: {names}. Wil je om de beurt schrijven? "
    "Zet er 'volgorde' achter, bijvoorbeeld: /oefening henk volgorde"
)
GROUP_AGAIN = "Start een nieuwe oefening met /oefening en de naam van de inwoner."
PRIVATE_ONLY = (
    "Dit gaat over jouw gegevens. Stuur dit commando in een privébericht aan mij, dan ziet "
    "niemand anders het."
)
ROUND_RUNNING = "Er loopt al een oefening. Rond die eerst af met /stop."
ROUND_INTRO = (
    "Samen oefenen met {persona}. Een computer speelt de inwoner; jullie zijn samen de "
    "casemanager.{order}\n\n"
    "Wat we bewaren: je voornaam, je berichten in deze oefening en de feedback. Je "
    "Telegram-nummer bewaren we niet. Trainers kunnen het gesprek bekijken. Met /verwijder "
    "in een privébericht aan mij haal je alles weer weg.\n\nDoe je mee? Druk op de knop."
)
ROUND_ORDERED = " Jullie schrijven om de beurt, in de volgorde waarin je meedoet."
ROUND_JOIN = "Ik doe mee"
ROUND_JOINED = "{name} doet mee, als {label}."
ROUND_NOT_MEMBER = "{name}, druk eerst op 'Ik doe mee' om mee te praten."
ROUND_WAIT = "Wacht even, {name}: het is de beurt van {turn}."
NO_ROUND = "Er loopt nu geen oefening in deze groep. Start er een met /oefening."
ROUND_DOWN = "De oefenserver is even niet bereikbaar. Stuur je bericht zo nog eens."

# Going back and tips (the server explains its own refusals: exam mode, not allowed here)
AGAIN_USAGE = (
    "Typ /opnieuw en het nummer van een bericht, bijvoorbeeld /opnieuw 3. Dan ga je verder "
    "vanaf dat bericht. Alleen /opnieuw begint een nieuw gesprek met dezelfde inwoner."
)
AGAIN_USAGE_GROUP = (
    "Typ /opnieuw en het nummer van een bericht, bijvoorbeeld /opnieuw 3. Dan gaan jullie "
    "verder vanaf dat bericht. Een nieuwe oefening start je met /oefening."
)
RASA_DOWN_AID = "De oefenserver is even niet bereikbaar. Probeer het zo nog eens."

# The reflection before the report
REFLECT_ASK = (
    "Wat denk je dat {name} nodig heeft? Schrijf het in je eigen woorden.\n\n"
    "Daarna krijg je de feedback. Liever niet? Druk op Overslaan."
)
REFLECT_SKIP = "Overslaan"
REFLECT_NOT_TEXT = (
    "Ik kan alleen tekst lezen. Schrijf in je eigen woorden wat je denkt dat {name} nodig "
    "heeft, of druk op Overslaan."
)
REFLECT_TOO_LONG = "Je antwoord is te lang. Schrijf het korter, in hoogstens {max} tekens."
REFLECT_BUSY = (
    "Je rondt het gesprek nu af. Schrijf eerst wat je denkt dat {name} nodig heeft, "
    "of druk op Overslaan."
)
RASA_DOWN_CLOSING = (
    "De oefenserver is even niet bereikbaar. Je antwoord is bewaard. "
    "Typ over een paar minuten /stop, dan krijg je de feedback."
)
NO_CLOSING = "Dit gesprek is al afgerond."
REFLECT_GROUP_ASK = (
    "Wat denken jullie dat {name} nodig heeft? Iedereen die meedeed schrijft het in eigen "
    "woorden. Je eerste bericht telt.\n\n"
    "Daarna krijgen jullie de feedback. Niet wachten op iedereen? Druk op Klaar of typ /stop."
)
REFLECT_DONE = "Klaar"
REFLECT_GROUP_NOT_TEXT = (
    "Ik kan alleen tekst lezen. Schrijf in je eigen woorden wat je denkt dat {name} nodig heeft."
)
ROUND_ANSWERED = "{name} heeft geantwoord."
ROUND_WAITING = " We wachten nog op: {names}."
ROUND_ALREADY = "Je antwoord is al binnen, {name}. We wachten op de anderen."
ROUND_CLOSING_BUSY = (
    "Jullie ronden de oefening af. Schrijf eerst wat je denkt dat de inwoner nodig heeft, "
    "of druk op Klaar."
)
ROUND_CLOSING = "De oefening wordt afgerond. Meedoen kan weer bij de volgende oefening."
ROUND_REFLECTIONS = "Wat dachten jullie dat {name} nodig had?"
ROUND_NO_ANSWER = "- {member}: geen antwoord."

# /voortgang in words
PROGRESS_HEADER = "Je score per tip. Je laatste gesprekken tellen het zwaarst."
PROGRESS_UNSEEN = "Nog niet aan bod: {count} tip(s)."
PROGRESS_START = "Oefen met {name}"
